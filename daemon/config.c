/*
 * config.c - settings, book and templates, loaded and checked together.
 */
#include <malloc.h>
#include <stdlib.h>

#include "book.h"
#include "compose.h"
#include "config.h"
#include "settings.h"
#include "template.h"
#include "xalloc.h"

int
config_load(const char *path, struct config **out, struct diag *d)
{
	struct settings *s = NULL;
	struct book *b = NULL;
	struct templates *t = NULL;
	size_t errors_before = d->errors;
	struct config *c;

	if (settings_load(path, &s, d) == -1)
		goto fail;
	settings_check_password_file(s, d);
	settings_check_inbox_password_file(s, d);
	/* The book and the templates are independent of each other: load
	 * both so one run of `check` reports the problems of all files. */
	if (book_load(s->clients, s, &b, d) == -1)
		b = NULL;
	if (templates_load(s->templates, &t, d) == -1)
		t = NULL;
	if (b == NULL || t == NULL)
		goto fail;
	compose_check_book(s, b, t, d);
	if (d->errors > errors_before)
		goto fail;

	c = xcalloc(1, sizeof(*c));
	c->settings = s;
	c->book = b;
	c->templates = t;
	*out = c;
	/* What loading and checking freed goes back to the system: a
	 * daemon keeps the book for long. */
	malloc_trim(0);
	return 0;

fail:
	templates_free(t);
	book_free(b);
	settings_free(s);
	return -1;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	templates_free(c->templates);
	book_free(c->book);
	settings_free(c->settings);
	free(c);
}
