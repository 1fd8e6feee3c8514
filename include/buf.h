/*
 * buf.h - a growable byte buffer.
 *
 * The contents are always NUL-terminated (the NUL is not counted in len),
 * so a buffer of text can be handed to string functions directly.
 * A zeroed struct buf is a valid empty buffer.
 */
#ifndef TOUCHBASE_BUF_H
#define TOUCHBASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *b);
void	 buf_free(struct buf *b);
void	 buf_reset(struct buf *b);		/* len = 0, keeps memory */
void	 buf_add(struct buf *b, const void *data, size_t len);
void	 buf_addc(struct buf *b, char c);
void	 buf_adds(struct buf *b, const char *s);
void	 buf_addf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* Appends the whole file at path.  Returns 0; -1 when it cannot be
 * opened or read (errno says why); 1 as soon as b holds more than max
 * bytes of it.  On -1 and 1 b keeps what was read; the caller frees it. */
int	 buf_read_file(struct buf *b, const char *path, size_t max);
/* The same for a regular file only: 2 when path is something else. */
int	 buf_read_regular(struct buf *b, const char *path, size_t max);
#define BUF_HTML_QUOTES	0x1	/* " and ' as &quot; and &#39; too */
#define BUF_HTML_BREAKS	0x2	/* a line feed as <br> and a line feed */
/* Appends s with &, < and > escaped for HTML text, and what flags ask. */
void	 buf_add_html(struct buf *b, const char *s, unsigned flags);
/* Hands the contents to the caller (never NULL) and empties the buffer. */
char	*buf_detach(struct buf *b, size_t *len);

#endif
