/*
 * import.c - contacts from vCard or CSV to clients.conf entries.
 *
 * Only what a client entry needs is read: a name, an e-mail address, a
 * birthday, a language and a time zone.  Anything that would not pass
 * `touchbase check` (a missing address, a control character) is left out
 * with a warning, so pasting the output never breaks the book.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "import.h"
#include "settings.h"
#include "timeutil.h"
#include "utf8.h"
#include "valid.h"
#include "xalloc.h"

struct raw_contact {
	char	*name, *first_name, *last_name, *email, *birthday;
	char	*language, *timezone, *salutation;
	int	 line;
};

static void
raw_clear(struct raw_contact *r)
{
	free(r->name);
	free(r->first_name);
	free(r->last_name);
	free(r->email);
	free(r->birthday);
	free(r->language);
	free(r->timezone);
	free(r->salutation);
	memset(r, 0, sizeof(*r));
}

static void
raw_set(char **slot, const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	if (*slot != NULL || *v == '\0')
		return;			/* the first value wins */
	*slot = xstrdup(v);
	for (size_t n = strlen(*slot); n > 0 && ((*slot)[n - 1] == ' ' ||
	    (*slot)[n - 1] == '\t'); n--)
		(*slot)[n - 1] = '\0';
}

/* An id from a name: lower-case ASCII, German letters transliterated,
 * everything else a single '-'. */
static char *
import_slug(const char *name)
{
	static const struct { const char *from, *to; } tr[] = {
		{ "\xc3\xa4", "ae" }, { "\xc3\xb6", "oe" }, { "\xc3\xbc", "ue" },
		{ "\xc3\x84", "ae" }, { "\xc3\x96", "oe" }, { "\xc3\x9c", "ue" },
		{ "\xc3\x9f", "ss" }, { "\xc3\xa9", "e" }, { "\xc3\xa8", "e" },
		{ "\xc3\xa1", "a" }, { "\xc3\xa0", "a" }, { "\xc3\xb3", "o" },
		{ "\xc3\xad", "i" }, { "\xc3\xa7", "c" }, { "\xc3\xb1", "n" },
	};
	struct buf b;
	bool dash = false;

	buf_init(&b);
	for (const char *p = name; *p != '\0' && b.len < 48;) {
		size_t k;

		for (k = 0; k < sizeof(tr) / sizeof(tr[0]); k++)
			if (strncmp(p, tr[k].from, 2) == 0)
				break;
		if (k < sizeof(tr) / sizeof(tr[0])) {
			buf_adds(&b, tr[k].to);
			p += 2;
			dash = false;
		} else if (isalnum((unsigned char)*p)) {
			buf_addc(&b, (char)tolower((unsigned char)*p));
			p++;
			dash = false;
		} else {
			if (!dash && b.len > 0)
				buf_addc(&b, '-');
			dash = true;
			/* skip a whole UTF-8 sequence */
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
		}
	}
	while (b.len > 0 && b.data[b.len - 1] == '-')
		b.data[--b.len] = '\0';
	if (b.len == 0)
		buf_adds(&b, "client");
	return buf_detach(&b, NULL);
}

/* vCard and CSV birthdays: YYYY-MM-DD, YYYYMMDD, --MM-DD, --MMDD, with an
 * optional time part, which is dropped. */
static char *
import_birthday(const char *v)
{
	char tmp[16];
	struct civil_date cd;
	size_t n = strcspn(v, "T ");

	if (n >= sizeof(tmp))
		return NULL;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (n == 8 && strspn(tmp, "0123456789") == 8) {
		char *s = xasprintf("%.4s-%.2s-%.2s", tmp, tmp + 4, tmp + 6);

		if (timeutil_parse_birthday(s, &cd, NULL) == 0)
			return s;
		free(s);
		return NULL;
	}
	if (n == 6 && tmp[0] == '-' && tmp[1] == '-') {
		char *s = xasprintf("--%.2s-%.2s", tmp + 2, tmp + 4);

		if (timeutil_parse_birthday(s, &cd, NULL) == 0)
			return s;
		free(s);
		return NULL;
	}
	if (timeutil_parse_birthday(tmp, &cd, NULL) == 0)
		return xstrdup(tmp);
	return NULL;
}

/* Turns a raw contact into a client, or explains why not. */
static void
import_finish(struct raw_contact *r, const char *file,
    struct import_result *out, struct diag *d)
{
	const char *vals[] = { r->name, r->first_name, r->last_name,
	    r->email, r->birthday, r->language, r->timezone, r->salutation };
	struct import_contact *c;
	char *err = NULL, *id;
	const char *who;
	int dup = 1;

	if (r->name == NULL && (r->first_name || r->last_name))
		r->name = xasprintf("%s%s%s", r->first_name ? r->first_name :
		    "", r->first_name && r->last_name ? " " : "",
		    r->last_name ? r->last_name : "");
	who = r->name ? r->name : r->email ? r->email : "(no name)";
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		if (vals[i] == NULL)
			continue;
		if (valid_has_control(vals[i]) || !utf8_valid(vals[i], strlen(vals[i]))) {
			diag_warn(d, file, r->line, "skipped '%s': a value "
			    "contains a control character or invalid UTF-8",
			    who);
			goto out;
		}
	}
	if (r->name == NULL) {
		diag_warn(d, file, r->line, "skipped a contact without a "
		    "name (FN or N)");
		goto out;
	}
	if (r->email == NULL) {
		diag_warn(d, file, r->line, "skipped '%s': no e-mail address",
		    who);
		goto out;
	}
	if (valid_address(r->email, &err) == -1) {
		diag_warn(d, file, r->line, "skipped '%s': %s", who, err);
		free(err);
		goto out;
	}
	if (r->birthday != NULL) {
		char *bd = import_birthday(r->birthday);

		if (bd == NULL)
			diag_warn(d, file, r->line, "'%s': birthday '%s' left "
			    "out: not a date (use YYYY-MM-DD or --MM-DD)",
			    who, r->birthday);
		free(r->birthday);
		r->birthday = bd;
	}
	if (r->language != NULL) {
		/* "de-DE" → "de": clients.conf names the language of the
		 * templates, not a region. */
		r->language[strcspn(r->language, "-_")] = '\0';
		for (char *p = r->language; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	if (r->timezone != NULL && strchr(r->timezone, '/') == NULL &&
	    strcmp(r->timezone, "UTC") != 0) {
		diag_warn(d, file, r->line, "'%s': time zone '%s' left out: "
		    "use an IANA name such as Europe/Berlin", who, r->timezone);
		free(r->timezone);
		r->timezone = NULL;
	}

	id = import_slug(r->name);
	for (size_t i = 0; i < out->n; i++) {
		if (strcmp(out->contacts[i].id, id) == 0) {
			char *base = import_slug(r->name);

			free(id);
			id = xasprintf("%s-%d", base, ++dup);
			free(base);
			i = (size_t)-1;	/* check the new id from the start */
		}
	}
	out->contacts = xreallocarray(out->contacts, out->n + 1,
	    sizeof(*out->contacts));
	c = &out->contacts[out->n++];
	c->id = id;
	c->name = r->name;
	c->first_name = r->first_name;
	c->email = r->email;
	c->birthday = r->birthday;
	c->language = r->language;
	c->timezone = r->timezone;
	c->salutation = r->salutation;
	c->line = r->line;
	free(r->last_name);
	memset(r, 0, sizeof(*r));
	return;
out:
	raw_clear(r);
}

/* vCard values: \n \, \; \\ escapes (RFC 6350 3.4). */
static char *
vcard_unescape(const char *v, size_t len)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '\\' && i + 1 < len) {
			i++;
			buf_addc(&b, v[i] == 'n' || v[i] == 'N' ? ' ' : v[i]);
		} else
			buf_addc(&b, v[i]);
	}
	return buf_detach(&b, NULL);
}

/* The n-th ';'-separated component of a structured value, unescaped. */
static char *
vcard_component(const char *v, int n)
{
	const char *start = v;

	for (const char *p = v;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == ';' || *p == '\0') {
			if (n-- == 0)
				return vcard_unescape(start, (size_t)(p - start));
			if (*p == '\0')
				return xstrdup("");
			start = p + 1;
		}
	}
}

static bool
vcard_name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* Unfolds the logical line starting at data[i] into line: a line break
 * followed by a space or tab continues it (RFC 6350 3.2).  Counts the
 * physical lines in *lineno; returns where the next line starts. */
static size_t
vcard_unfold(const char *data, size_t len, size_t i, int *lineno,
    struct buf *line)
{
	buf_reset(line);
	++*lineno;
	for (;;) {
		size_t e = i, n;

		while (e < len && data[e] != '\n')
			e++;
		n = e - i;
		if (n > 0 && data[i + n - 1] == '\r')
			n--;
		buf_add(line, data + i, n);
		i = e < len ? e + 1 : len;
		if (i < len && (data[i] == ' ' || data[i] == '\t')) {
			i++;
			++*lineno;
			continue;
		}
		return i;
	}
}

/* One property of a card: name l (nlen bytes), its params and value. */
static void
vcard_property(struct raw_contact *r, const char *l, size_t nlen,
    const char *params, const char *value, bool *email_pref)
{
	char *v = vcard_unescape(value, strlen(value));

	if (vcard_name_is(l, nlen, "FN"))
		raw_set(&r->name, v);
	else if (vcard_name_is(l, nlen, "N")) {
		char *fam = vcard_component(value, 0);
		char *giv = vcard_component(value, 1);

		raw_set(&r->last_name, fam);
		raw_set(&r->first_name, giv);
		free(fam);
		free(giv);
	} else if (vcard_name_is(l, nlen, "EMAIL")) {
		bool pref = params != NULL &&
		    (strcasestr(params, "PREF") != NULL);

		if (pref && !*email_pref) {
			free(r->email);
			r->email = NULL;
			*email_pref = true;
		}
		raw_set(&r->email, v);
	} else if (vcard_name_is(l, nlen, "BDAY"))
		raw_set(&r->birthday, v);
	else if (vcard_name_is(l, nlen, "LANG"))
		raw_set(&r->language, v);
	else if (vcard_name_is(l, nlen, "TZ"))
		raw_set(&r->timezone, v);
	free(v);
}

int
import_vcard(const char *data, size_t len, const char *file,
    struct import_result *out, struct diag *d)
{
	struct raw_contact r;
	struct buf line;
	bool in_card = false, email_pref = false, seen_begin = false;
	size_t i = 0;
	int lineno = 0, start_line;

	memset(&r, 0, sizeof(r));
	buf_init(&line);
	while (i < len) {
		start_line = lineno + 1;
		i = vcard_unfold(data, len, i, &lineno, &line);
		if (memchr(line.data, '\0', line.len) != NULL) {
			diag_error(d, file, start_line, "a NUL byte: not a "
			    "vCard file");
			goto fail;
		}
		if (line.len == 0)
			continue;

		char *colon = NULL, *l = line.data;
		bool quoted = false;

		for (char *p = l; *p; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == ':' && !quoted) {
				colon = p;
				break;
			}
		}
		if (colon == NULL) {
			if (in_card)
				diag_warn(d, file, start_line, "line ignored: "
				    "no ':' (vCard lines are NAME:VALUE)");
			continue;
		}
		*colon = '\0';
		char *value = colon + 1;
		char *params = strchr(l, ';');
		size_t nlen = params ? (size_t)(params - l) : strlen(l);
		char *dot = memchr(l, '.', nlen);

		if (dot != NULL) {		/* group prefix: item1.EMAIL */
			nlen -= (size_t)(dot + 1 - l);
			l = dot + 1;
		}
		if (vcard_name_is(l, nlen, "BEGIN") &&
		    strcasecmp(value, "VCARD") == 0) {
			if (in_card)
				import_finish(&r, file, out, d);
			memset(&r, 0, sizeof(r));
			r.line = start_line;
			in_card = seen_begin = true;
			email_pref = false;
			continue;
		}
		if (!in_card)
			continue;
		if (vcard_name_is(l, nlen, "END")) {
			import_finish(&r, file, out, d);
			in_card = false;
			continue;
		}
		if (params != NULL && strcasestr(params, "QUOTED-PRINTABLE")) {
			diag_warn(d, file, start_line, "quoted-printable "
			    "values (vCard 2.1) are not read; export as vCard "
			    "3.0 or 4.0");
			continue;
		}
		vcard_property(&r, l, nlen, params, value, &email_pref);
	}
	if (in_card) {
		diag_warn(d, file, r.line, "contact without END:VCARD read "
		    "up to the end of the file");
		import_finish(&r, file, out, d);
	}
	buf_free(&line);
	if (!seen_begin) {
		diag_error(d, file, 0, "no BEGIN:VCARD found: not a vCard "
		    "file");
		return -1;
	}
	return 0;
fail:
	buf_free(&line);
	raw_clear(&r);
	return -1;
}

/* One RFC 4180 record: fields into *f (allocated), count in *nf.  Returns
 * the offset after the record. */
static size_t
csv_record(const char *data, size_t len, size_t i, char sep, char ***f,
    size_t *nf, int *lines)
{
	struct buf cur;

	*f = NULL;
	*nf = 0;
	buf_init(&cur);
	for (;;) {
		bool quoted = i < len && data[i] == '"';

		buf_reset(&cur);
		if (quoted) {
			for (i++; i < len; i++) {
				if (data[i] == '"') {
					if (i + 1 < len && data[i + 1] == '"') {
						buf_addc(&cur, '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				if (data[i] == '\n')
					(*lines)++;
				buf_addc(&cur, data[i]);
			}
		}
		while (i < len && data[i] != sep && data[i] != '\n' &&
		    data[i] != '\r')
			buf_addc(&cur, data[i++]);
		*f = xreallocarray(*f, *nf + 1, sizeof(**f));
		(*f)[(*nf)++] = xstrdup(cur.data ? cur.data : "");
		if (i < len && data[i] == sep) {
			i++;
			continue;
		}
		if (i < len && data[i] == '\r')
			i++;
		if (i < len && data[i] == '\n') {
			i++;
			(*lines)++;
		}
		break;
	}
	buf_free(&cur);
	return i;
}

static void
csv_free_fields(char **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
}

enum csv_col { COL_NONE, COL_ID, COL_NAME, COL_FIRST, COL_LAST, COL_EMAIL,
	COL_BIRTHDAY, COL_LANG, COL_TZ, COL_SALUTATION };

static enum csv_col
csv_column(const char *h)
{
	static const struct { const char *name; enum csv_col col; } map[] = {
		{ "id", COL_ID }, { "name", COL_NAME }, { "full name", COL_NAME },
		{ "fn", COL_NAME }, { "first_name", COL_FIRST },
		{ "first name", COL_FIRST }, { "given name", COL_FIRST },
		{ "vorname", COL_FIRST }, { "last_name", COL_LAST },
		{ "last name", COL_LAST }, { "family name", COL_LAST },
		{ "nachname", COL_LAST }, { "email", COL_EMAIL },
		{ "e-mail", COL_EMAIL }, { "mail", COL_EMAIL },
		{ "birthday", COL_BIRTHDAY }, { "bday", COL_BIRTHDAY },
		{ "geburtstag", COL_BIRTHDAY }, { "language", COL_LANG },
		{ "lang", COL_LANG }, { "sprache", COL_LANG },
		{ "timezone", COL_TZ }, { "tz", COL_TZ },
		{ "zeitzone", COL_TZ }, { "salutation", COL_SALUTATION },
		{ "anrede", COL_SALUTATION },
	};

	while (*h == ' ')
		h++;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(h, map[i].name) == 0)
			return map[i].col;
	return COL_NONE;
}

int
import_csv(const char *data, size_t len, const char *file,
    struct import_result *out, struct diag *d)
{
	char **f = NULL, sep = ',';
	enum csv_col *cols = NULL;
	size_t nf = 0, ncols, i = 0, hdr_end;
	int lines = 1, rc = -1;
	bool has_email = false;

	if (memchr(data, '\0', len) != NULL) {
		diag_error(d, file, 0, "a NUL byte: not a CSV text file");
		return -1;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;			/* a UTF-8 byte order mark */
	/* Spreadsheets with a German locale write ';'. */
	hdr_end = i;
	while (hdr_end < len && data[hdr_end] != '\n')
		hdr_end++;
	if (memchr(data + i, ';', hdr_end - i) != NULL &&
	    memchr(data + i, ',', hdr_end - i) == NULL)
		sep = ';';
	i = csv_record(data, len, i, sep, &f, &nf, &lines);
	ncols = nf;
	cols = xcalloc(ncols, sizeof(*cols));
	for (size_t k = 0; k < ncols; k++) {
		cols[k] = csv_column(f[k]);
		if (cols[k] == COL_EMAIL)
			has_email = true;
		else if (cols[k] == COL_NONE && f[k][0] != '\0')
			diag_warn(d, file, 1, "column '%s' ignored (known: "
			    "name, first_name, last_name, email, birthday, "
			    "language, timezone, salutation)", f[k]);
	}
	csv_free_fields(f, nf);
	f = NULL;
	if (!has_email) {
		diag_error(d, file, 1, "the header row has no 'email' column; "
		    "the first row must name the columns");
		goto out;
	}
	while (i < len) {
		struct raw_contact r;
		int start = lines;

		i = csv_record(data, len, i, sep, &f, &nf, &lines);
		if (nf == 1 && f[0][0] == '\0') {	/* empty line */
			csv_free_fields(f, nf);
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.line = start;
		for (size_t k = 0; k < nf && k < ncols; k++) {
			switch (cols[k]) {
			case COL_NAME: raw_set(&r.name, f[k]); break;
			case COL_FIRST: raw_set(&r.first_name, f[k]); break;
			case COL_LAST: raw_set(&r.last_name, f[k]); break;
			case COL_EMAIL: raw_set(&r.email, f[k]); break;
			case COL_BIRTHDAY: raw_set(&r.birthday, f[k]); break;
			case COL_LANG: raw_set(&r.language, f[k]); break;
			case COL_TZ: raw_set(&r.timezone, f[k]); break;
			case COL_SALUTATION: raw_set(&r.salutation, f[k]);
				break;
			case COL_ID: case COL_NONE: break;
			}
		}
		csv_free_fields(f, nf);
		import_finish(&r, file, out, d);
	}
	f = NULL;
	rc = 0;
out:
	free(cols);
	return rc;
}

/* A libconfig string literal. */
static void
import_print_str(FILE *fp, const char *key, const char *v)
{
	fprintf(fp, " %s = \"", key);
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', fp);
		fputc(*p, fp);
	}
	fputs("\";", fp);
}

void
import_print(FILE *fp, const struct import_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct import_contact *c = &r->contacts[i];

		fputs("  {", fp);
		import_print_str(fp, "id", c->id);
		import_print_str(fp, "name", c->name);
		if (c->first_name)
			import_print_str(fp, "first_name", c->first_name);
		fputs("\n   ", fp);
		import_print_str(fp, "email", c->email);
		if (c->salutation)
			import_print_str(fp, "salutation", c->salutation);
		if (c->birthday || c->language || c->timezone)
			fputs("\n   ", fp);
		if (c->birthday)
			import_print_str(fp, "birthday", c->birthday);
		if (c->language)
			import_print_str(fp, "language", c->language);
		if (c->timezone)
			import_print_str(fp, "timezone", c->timezone);
		fprintf(fp, " }%s\n", i + 1 < r->n ? "," : "");
	}
}

void
import_result_free(struct import_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct import_contact *c = &r->contacts[i];

		free(c->id);
		free(c->name);
		free(c->first_name);
		free(c->email);
		free(c->birthday);
		free(c->language);
		free(c->timezone);
		free(c->salutation);
	}
	free(r->contacts);
	r->contacts = NULL;
	r->n = 0;
}
