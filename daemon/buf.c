/*
 * buf.c - a growable byte buffer, always NUL-terminated.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "log.h"
#include "xalloc.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static void
buf_reserve(struct buf *b, size_t more)
{
	size_t need, cap;

	if (more > SIZE_MAX - b->len - 1)
		fatalx("buffer too large");
	need = b->len + more + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = xreallocarray(b->data, cap, 1);
	if (b->cap == 0)
		b->data[0] = '\0';	/* a new buffer is an empty string */
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("vsnprintf");
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

static int
buf_read_path(struct buf *b, const char *path, size_t max, bool regular)
{
	FILE *fp;
	struct stat st;
	char chunk[8192];
	size_t n, start = b->len;
	int rc = 0, saved;

	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	if (regular && (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)))
		rc = 2;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		buf_add(b, chunk, n);
		if (b->len - start > max)
			rc = 1;
	}
	if (rc == 0 && ferror(fp))
		rc = -1;
	saved = errno;
	fclose(fp);
	errno = saved;
	return rc;
}

int
buf_read_file(struct buf *b, const char *path, size_t max)
{
	return buf_read_path(b, path, max, false);
}

int
buf_read_regular(struct buf *b, const char *path, size_t max)
{
	return buf_read_path(b, path, max, true);
}

void
buf_add_html(struct buf *b, const char *s, unsigned flags)
{
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_adds(b, "&amp;");
		else if (*s == '<')
			buf_adds(b, "&lt;");
		else if (*s == '>')
			buf_adds(b, "&gt;");
		else if (*s == '"' && (flags & BUF_HTML_QUOTES))
			buf_adds(b, "&quot;");
		else if (*s == '\'' && (flags & BUF_HTML_QUOTES))
			buf_adds(b, "&#39;");
		else if (*s == '\n' && (flags & BUF_HTML_BREAKS))
			buf_adds(b, "<br>\n");
		else
			buf_addc(b, *s);
	}
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->data == NULL)
		buf_reserve(b, 0);
	p = b->data;
	if (len != NULL)
		*len = b->len;
	buf_init(b);
	return p;
}
