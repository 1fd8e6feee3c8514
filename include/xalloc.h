/*
 * xalloc.h - allocation that cannot fail.
 *
 * Out of memory is fatal: every function here either returns usable memory
 * or ends the process through fatal().  Callers never check for NULL.
 */
#ifndef TOUCHBASE_XALLOC_H
#define TOUCHBASE_XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char	*xasprintf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
