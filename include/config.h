/*
 * config.h - the whole configuration: settings, book and templates.
 *
 * config_load() is the one code path behind `touchbase check`,
 * `touchbased -t`, start-up and SIGHUP: it loads touchbase.ini, the
 * clients.conf and the template folder it names, then checks what only
 * the three together can tell (every template any client can receive
 * exists and renders for that client; the password file is safe).  Every
 * problem goes to d; on any error it returns -1 and nothing is kept.
 */
#ifndef TOUCHBASE_CONFIG_H
#define TOUCHBASE_CONFIG_H

#include "book.h"
#include "diag.h"
#include "settings.h"
#include "template.h"

struct config {
	struct settings	 *settings;
	struct book	 *book;
	struct templates *templates;
};

int	 config_load(const char *path, struct config **out, struct diag *d);
void	 config_free(struct config *c);

#endif
