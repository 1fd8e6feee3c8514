/*
 * cmd_common.c - what several `touchbase` commands share: dates on the
 * command line, finding a client, and table, CSV and JSON output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "cmd.h"
#include "diag.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

int
cmd_parse_when(const char *opt, const char *s, const struct tz *tz,
    long long *out)
{
	int64_t days;
	int sec;
	char *err = NULL;

	if (timeutil_parse_datetime(s, &days, &sec, &err) == -1) {
		fprintf(stderr, "touchbase: %s: %s\n", opt,
		    err != NULL ? err : "not a date");
		free(err);
		return -1;
	}
	*out = tz_local_to_utc(tz, days, sec);
	return 0;
}

const struct client *
cmd_find_client(const struct book *b, const char *cmd, const char *id)
{
	const struct client *c = book_client(b, id);
	const char **ids, *hint;

	if (c != NULL)
		return c;
	ids = xcalloc(b->nclients + 1, sizeof(*ids));
	for (size_t i = 0; i < b->nclients; i++)
		ids[i] = b->clients[i].id;
	hint = diag_suggest(id, ids);
	if (hint != NULL)
		fprintf(stderr, "touchbase %s: no client '%s' in %s (did you "
		    "mean '%s'?)\n", cmd, id, b->path, hint);
	else
		fprintf(stderr, "touchbase %s: no client '%s' in %s\n", cmd,
		    id, b->path);
	free(ids);
	return NULL;
}

/* Decodes one UTF-8 character at s.  Returns its length in bytes, or 0
 * when s does not start a valid one (overlong, surrogate, out of range,
 * cut short). */
static size_t
utf8_char(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void
cmd_json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fputc('\\', fp);
			fputc(*p++, fp);
		} else if (*p == '\n') {
			fputs("\\n", fp), p++;
		} else if (*p == '\r') {
			fputs("\\r", fp), p++;
		} else if (*p == '\t') {
			fputs("\\t", fp), p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(fp, "\\u%04x", *p++);
		} else if ((n = utf8_char(p, &cp)) == 0) {
			fputs("\\ufffd", fp), p++;
		} else {
			fwrite(p, 1, n, fp);
			p += n;
		}
	}
	fputc('"', fp);
}

void
cmd_csv_field(FILE *fp, const char *s)
{
	size_t len;

	if (s == NULL)
		return;
	len = strlen(s);
	if (strpbrk(s, ",\"\r\n") == NULL &&
	    (len == 0 || (s[0] != ' ' && s[len - 1] != ' '))) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

void
cmd_table_cell(FILE *fp, const char *s, int width, bool pad)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	const unsigned char *q;
	int total = 0, shown = 0;
	uint32_t cp;
	size_t n;

	for (q = p; *q != '\0'; q += n, total++)
		if ((n = utf8_char(q, &cp)) == 0)
			n = 1;
	while (*p != '\0') {
		if (total > width && shown == width - 1) {
			fputs("\xe2\x80\xa6", fp);
			shown++;
			break;
		}
		if (shown >= width)
			break;
		n = utf8_char(p, &cp);
		if (n == 0) {
			fputs("\xef\xbf\xbd", fp);
			n = 1;
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			fputc(' ', fp);
		} else {
			fwrite(p, 1, n, fp);
		}
		p += n;
		shown++;
	}
	while (pad && shown++ < width)
		fputc(' ', fp);
}
