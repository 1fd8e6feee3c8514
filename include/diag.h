/*
 * diag.h - a list of problems found in the owner's files.
 *
 * Loaders report every problem they find here instead of stopping at the
 * first, each with its place.  A problem prints as
 *	FILE:LINE: message
 *	FILE:LINE: warning: message
 * (":LINE" is left out when line is 0).  Only errors make a load fail.
 */
#ifndef TOUCHBASE_DIAG_H
#define TOUCHBASE_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag_item {
	enum diag_level	 level;
	char		*file;
	int		 line;
	char		*msg;
};

struct diag {
	struct diag_item *items;
	size_t		  n, cap;
	size_t		  errors;
	size_t		  warnings;
};

void	diag_init(struct diag *d);
void	diag_free(struct diag *d);
void	diag_error(struct diag *d, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	diag_warn(struct diag *d, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Removes item i (a problem another line now names); counts follow. */
void	diag_drop(struct diag *d, size_t i);
/* Formats item i as above; the caller frees the result. */
char	*diag_format(const struct diag *d, size_t i);
/* Prints every item, one per line, to fp. */
void	diag_print(const struct diag *d, FILE *fp);
/* Logs every item through log_warnx() (the daemon's reload path). */
void	diag_log(const struct diag *d);
/* Returns the closest of candidates (NULL-terminated) to word when it is
 * near enough to be a likely typo, else NULL.  For "did you mean …". */
const char *diag_suggest(const char *word, const char *const *candidates);

#endif
