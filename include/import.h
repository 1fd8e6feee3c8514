/*
 * import.h - contacts from vCard (3.0/4.0) or CSV to clients.conf entries.
 *
 * Pure parsers: the caller reads the file.  Each contact becomes a struct
 * import_contact; a contact that cannot become a client (no usable
 * e-mail address, a control character in a value) is left out with a
 * warning naming FILE:LINE.  import_print() writes libconfig client
 * groups, ready to paste into the `clients` list of clients.conf.
 *
 * Ids are the name in lower-case ASCII (letters transliterated: ä → ae,
 * ß → ss, ë → e, Ø → oe, å → aa, Š → s, ...), academic titles and
 * Herr/Frau/Mr/Ms left out.  Birthdays: YYYY-MM-DD, YYYYMMDD, --MM-DD,
 * DD.MM.YYYY, DD.MM., MM/DD/YYYY (a slash date is month/day unless its
 * first number is above 12; an ambiguous one is read as month/day with a
 * warning); vCard's X-APPLE-OMIT-YEAR makes a yearless one.  A title or
 * Herr/Frau gives a salutation proposal, printed as a comment.
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
	char	*proposal;	/* a proposed salutation, or NULL */
	char	*known_as;	/* the book's id when already in it, or NULL */
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
/* Marks every contact whose id or e-mail address (case-insensitively) is
 * one of the book's n clients (ids[i], emails[i]): import_print() then
 * prints it as a comment "# already in the book: ID".  Returns how many
 * it marked. */
size_t	 import_mark_known(struct import_result *r, const char *const *ids,
	    const char *const *emails, size_t n);
/* The entries, each but the last new one followed by ','. */
void	 import_print(FILE *fp, const struct import_result *r);
void	 import_result_free(struct import_result *r);

#endif
