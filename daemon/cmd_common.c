/*
 * cmd_common.c - what several `touchbase` commands share: dates on the
 * command line, finding a client, and table, CSV and JSON output.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "history.h"
#include "ledger.h"
#include "timeutil.h"
#include "tz.h"
#include "utf8.h"
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
		const unsigned char *run = p;

		/* what goes out as it is, in one write */
		for (;;) {
			if (*p >= 0x20 && *p < 0x7f && *p != '"' &&
			    *p != '\\')
				p++;
			else if (*p >= 0x80 && (n = utf8_char(p, 4, &cp)) != 0)
				p += n;
			else
				break;
		}
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), fp);
		if (*p == '\0')
			break;
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
		} else if ((n = utf8_char(p, 4, &cp)) == 0) {
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

	for (q = p; *q >= 0x20 && *q < 0x7f; q++)
		;
	if (*q == '\0' && q - p <= width) {
		/* printable ASCII that fits: as it is */
		fwrite(p, 1, (size_t)(q - p), fp);
		for (shown = (int)(q - p); pad && shown < width; shown++)
			fputc(' ', fp);
		return;
	}
	for (q = p; *q != '\0'; q += n, total++)
		if ((n = utf8_char(q, 4, &cp)) == 0)
			n = 1;
	while (*p != '\0') {
		if (total > width && shown == width - 1) {
			fputs("\xe2\x80\xa6", fp);
			shown++;
			break;
		}
		if (shown >= width)
			break;
		n = utf8_char(p, 4, &cp);
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

void
cmd_clock_behind(struct ledger *l, const char *cmd, int64_t now,
    const struct tz *tz)
{
	char a[17], b[17], *err = NULL;
	int64_t newest;

	if (ledger_newest(l, &newest, &err) == -1) {
		free(err);
		return;
	}
	if (newest == HISTORY_NONE || now + LEDGER_CLOCK_SLACK >= newest)
		return;
	cmd_format_minute(tz, now, a);
	cmd_format_minute(tz, newest, b);
	fprintf(stderr, "touchbase %s: warning: the send log has entries up "
	    "to %s, later than the clock (%s): the daemon plans and sends "
	    "nothing until the clock passes them; if the clock was wrong "
	    "then, go back to a backup from before (touchbased(8), "
	    "Restoring from a backup)\n", cmd, b, a);
}

void
cmd_format_minute(const struct tz *tz, int64_t t, char out[static 17])
{
	int64_t days;
	int sec;
	char day[11];

	tz_utc_to_local(tz, t, &days, &sec);
	timeutil_format_date(days, day);
	snprintf(out, 17, "%s %02u:%02u", day, (unsigned)sec / 3600 % 24,
	    (unsigned)sec / 60 % 60);
}

int
cmd_parse_format(const char *cmd, const char *s, const char *const *names)
{
	size_t n = 0;

	for (; names[n] != NULL; n++)
		if (strcmp(s, names[n]) == 0)
			return (int)n;
	fprintf(stderr, "touchbase %s: --format: unknown format '%s' (use ",
	    cmd, s);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i == 0 ? "" : i + 1 < n ? ", " :
		    " or ", names[i]);
	fputs(")\n", stderr);
	return -1;
}

/* Where a listing's fields come from: a cmd_field_fn, whose strings are
 * freed here, or a cmd_field_ref_fn, whose are borrowed. */
struct cmd_fields {
	cmd_field_fn	 *alloc;
	cmd_field_ref_fn *ref;
	const void	 *ctx;
	char		 *last;		/* alloc's, until the next field */
	struct buf	  scratch;	/* ref's */
};

static const char *
cmd_field(struct cmd_fields *fs, size_t row, size_t f, bool *number)
{
	*number = false;
	free(fs->last);
	fs->last = NULL;
	if (fs->alloc != NULL)
		return fs->last = fs->alloc(fs->ctx, row, f, number);
	buf_reset(&fs->scratch);
	return fs->ref(fs->ctx, row, f, number, &fs->scratch);
}

static void
cmd_csv_rows(FILE *fp, const char *const *names, size_t nnames,
    size_t nrows, const char *eol, struct cmd_fields *fs)
{
	bool number;

	for (size_t f = 0; f < nnames; f++) {
		if (f > 0)
			fputc(',', fp);
		fputs(names[f], fp);
	}
	fputs(eol, fp);
	for (size_t i = 0; i < nrows; i++) {
		for (size_t f = 0; f < nnames; f++) {
			const char *v = cmd_field(fs, i, f, &number);

			if (f > 0)
				fputc(',', fp);
			cmd_csv_field(fp, v);
		}
		fputs(eol, fp);
	}
}

static void
cmd_json_rows(FILE *fp, const char *const *names, size_t nnames,
    size_t nrows, struct cmd_fields *fs)
{
	bool number;

	if (nrows == 0) {
		fputs("[]\n", fp);
		return;
	}
	fputs("[\n", fp);
	for (size_t i = 0; i < nrows; i++) {
		fputs("  {", fp);
		for (size_t f = 0; f < nnames; f++) {
			const char *v = cmd_field(fs, i, f, &number);

			fputs(f ? ", \"" : "\"", fp);
			fputs(names[f], fp);
			fputs("\": ", fp);
			if (v != NULL && number)
				fputs(v, fp);
			else
				cmd_json_string(fp, v);
		}
		fputs(i + 1 < nrows ? "},\n" : "}\n", fp);
	}
	fputs("]\n", fp);
}

static void
cmd_fields_free(struct cmd_fields *fs)
{
	free(fs->last);
	buf_free(&fs->scratch);
}

void
cmd_print_csv(FILE *fp, const char *const *names, size_t nnames,
    size_t nrows, const char *eol, cmd_field_fn *field, const void *ctx)
{
	struct cmd_fields fs = { field, NULL, ctx, NULL, { NULL, 0, 0 } };

	cmd_csv_rows(fp, names, nnames, nrows, eol, &fs);
	cmd_fields_free(&fs);
}

void
cmd_print_json(FILE *fp, const char *const *names, size_t nnames,
    size_t nrows, cmd_field_fn *field, const void *ctx)
{
	struct cmd_fields fs = { field, NULL, ctx, NULL, { NULL, 0, 0 } };

	cmd_json_rows(fp, names, nnames, nrows, &fs);
	cmd_fields_free(&fs);
}

void
cmd_print_csv_ref(FILE *fp, const char *const *names, size_t nnames,
    size_t nrows, const char *eol, cmd_field_ref_fn *field, const void *ctx)
{
	struct cmd_fields fs = { NULL, field, ctx, NULL, { NULL, 0, 0 } };

	cmd_csv_rows(fp, names, nnames, nrows, eol, &fs);
	cmd_fields_free(&fs);
}

void
cmd_print_json_ref(FILE *fp, const char *const *names, size_t nnames,
    size_t nrows, cmd_field_ref_fn *field, const void *ctx)
{
	struct cmd_fields fs = { NULL, field, ctx, NULL, { NULL, 0, 0 } };

	cmd_json_rows(fp, names, nnames, nrows, &fs);
	cmd_fields_free(&fs);
}

int
cmd_flush_stdout(const char *cmd)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	fprintf(stderr, "touchbase %s: writing the output: %s\n", cmd,
	    strerror(errno));
	return 1;
}

/* --- iCalendar (RFC 5545) --- */

/* TEXT value escaping (3.3.11); CR is dropped, other controls become
 * spaces. */
static void
ics_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
		case ';':
		case ',':
			buf_addc(b, '\\');
			buf_addc(b, *s);
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			break;
		default:
			buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ?
			    ' ' : *s);
		}
	}
}

/* Writes one content line, folded at 75 octets (3.1) without splitting
 * a UTF-8 sequence, with CRLF. */
static void
ics_line(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;
	size_t len = b->len, limit = 75;

	while (len > limit) {
		size_t cut = limit;

		while (cut > 0 && (p[cut] & 0xc0) == 0x80)
			cut--;
		fwrite(p, 1, cut, stdout);
		fputs("\r\n ", stdout);
		p += cut;
		len -= cut;
		limit = 74;	/* the leading space counts */
	}
	fwrite(p, 1, len, stdout);
	fputs("\r\n", stdout);
}

void
cmd_ics_prop(struct buf *b, const char *name, const char *value, bool text)
{
	buf_reset(b);
	buf_adds(b, name);
	buf_addc(b, ':');
	if (text)
		ics_text(b, value);
	else
		buf_adds(b, value);
	ics_line(b);
}
