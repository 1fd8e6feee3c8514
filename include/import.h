/*
 * import.h - contacts from vCard (3.0/4.0) or CSV to clients.conf entries.
 *
 * Pure parsers: the caller reads the file.  Each contact becomes a struct
 * import_contact; a contact that cannot become a client (no usable
 * e-mail address, a control character in a value) is left out with a
 * warning naming FILE:LINE.  import_print() writes libconfig client
 * groups, ready to paste into the `clients` list of clients.conf.
 */
#ifndef TOUCHBASE_IMPORT_H
#define TOUCHBASE_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

struct import_contact {
	char	*id;		/* derived from the name, unique */
	char	*name;
	char	*first_name;	/* or NULL */
	char	*email;
	char	*birthday;	/* "YYYY-MM-DD" or "--MM-DD", or NULL */
	char	*language;	/* or NULL */
	char	*timezone;	/* IANA name, or NULL */
	char	*salutation;	/* CSV only, or NULL */
	int	 line;		/* where the contact starts */
};

struct import_result {
	struct import_contact *contacts;
	size_t	 n;
};

/* Both return 0, or -1 when the input is not vCard / CSV at all (the
 * reason in d).  Contacts left out are warnings in d. */
int	 import_vcard(const char *data, size_t len, const char *file,
	    struct import_result *out, struct diag *d);
int	 import_csv(const char *data, size_t len, const char *file,
	    struct import_result *out, struct diag *d);
void	 import_print(FILE *fp, const struct import_result *r);
void	 import_result_free(struct import_result *r);

#endif
