/*
 * mailparse.c - header fields and delivery status notifications, from
 * hostile bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mailparse.h"
#include "timeutil.h"
#include "xalloc.h"

#define FIELD_MAX	16384	/* bytes of one unfolded field kept */
#define ID_MAX		250	/* bytes of a Message-ID (brackets included) */
#define ADDR_MAX	254
#define PART_DEPTH	8	/* DSN parts searched, nested no deeper */

/* One header block being read: data[pos..len). */
struct hdr_iter {
	const char	*data;
	size_t		 len, pos;
	bool		 done;
};

static bool
is_eol(const struct hdr_iter *it, size_t p)
{
	return p < it->len && (it->data[p] == '\n' ||
	    (it->data[p] == '\r' && p + 1 < it->len &&
	    it->data[p + 1] == '\n'));
}

static size_t
skip_eol(const struct hdr_iter *it, size_t p)
{
	if (p < it->len && it->data[p] == '\r')
		p++;
	if (p < it->len && it->data[p] == '\n')
		p++;
	return p;
}

/* The end of the line starting at p (its CR or LF, or len). */
static size_t
line_end(const struct hdr_iter *it, size_t p)
{
	while (p < it->len && !is_eol(it, p))
		p++;
	return p;
}

/*
 * The next field: its name (lowercased, 1-76 bytes of printable ASCII) in
 * name and its unfolded value in val (line breaks of folds removed, NUL
 * bytes and other controls turned into blanks, at most FIELD_MAX bytes).
 * A line that is no field is skipped.  Returns false at the empty line
 * that ends the block (it->pos then points past it) or at the end.
 */
static bool
hdr_next(struct hdr_iter *it, char *name, size_t namesz, struct buf *val)
{
	for (;;) {
		size_t p = it->pos, e, colon, n;

		if (it->done || p >= it->len || is_eol(it, p)) {
			if (!it->done)
				it->pos = skip_eol(it, p);
			it->done = true;
			return false;
		}
		e = line_end(it, p);
		for (colon = p; colon < e && it->data[colon] != ':' &&
		    it->data[colon] > 0x20 && it->data[colon] < 0x7f; colon++)
			;
		it->pos = skip_eol(it, e);
		n = colon - p;
		if (colon >= e || it->data[colon] != ':' || n == 0 ||
		    n >= namesz) {
			/* Not a field (or a continuation without one):
			 * skip it and its own continuation lines. */
			while (it->pos < it->len && (it->data[it->pos] == ' ' ||
			    it->data[it->pos] == '\t'))
				it->pos = skip_eol(it, line_end(it, it->pos));
			continue;
		}
		for (size_t i = 0; i < n; i++)
			name[i] = (char)tolower((unsigned char)it->data[p + i]);
		name[n] = '\0';
		buf_reset(val);
		for (p = colon + 1;;) {
			for (; p < e; p++) {
				unsigned char c = (unsigned char)it->data[p];

				if (val->len >= FIELD_MAX)
					break;
				buf_addc(val, (char)(c < 0x20 || c == 0x7f ?
				    ' ' : c));
			}
			if (it->pos < it->len && (it->data[it->pos] == ' ' ||
			    it->data[it->pos] == '\t')) {
				p = it->pos;
				e = line_end(it, p);
				it->pos = skip_eol(it, e);
				continue;
			}
			break;
		}
		buf_addc(val, '\0');
		val->len--;
		return true;
	}
}

/* --- pieces of values ---------------------------------------------- */

/* Skips blanks and (nested) comments. */
static const char *
skip_cfws(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '(')
			return s;
		for (int depth = 0; *s != '\0'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '(')
				depth++;
			else if (*s == ')' && --depth == 0) {
				s++;
				break;
			}
		}
	}
}

/* A Message-ID token "<...>" of printable ASCII without blanks; *end
 * after it.  NULL when s holds none. */
static char *
take_msgid(const char *s, const char **end)
{
	const char *a = strchr(s, '<'), *b;

	while (a != NULL) {
		for (b = a + 1; *b > 0x20 && *b < 0x7f && *b != '<' &&
		    *b != '>'; b++)
			;
		if (*b == '>' && b > a + 1 && (size_t)(b - a + 1) <= ID_MAX &&
		    memchr(a, '@', (size_t)(b - a)) != NULL) {
			*end = b + 1;
			return xstrndup(a, (size_t)(b - a + 1));
		}
		a = strchr(b, '<');
	}
	*end = s + strlen(s);
	return NULL;
}

/* Whether a is a plausible addr-spec to keep: printable ASCII, one '@'
 * with text on both sides. */
static bool
addr_ok(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);

	if (n == 0 || n > ADDR_MAX || at == NULL || at == a ||
	    at == a + n - 1 || memchr(at + 1, '@', n - (size_t)(at - a) - 1))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)a[i] <= 0x20 || (unsigned char)a[i] >= 0x7f ||
		    a[i] == '<' || a[i] == '>' || a[i] == '"' || a[i] == ',')
			return false;
	return true;
}

/* One mailbox of an address list (text without the separating commas):
 * the part in angle brackets, else the bare address without comments. */
static char *
mailbox_addr(const char *s, size_t n)
{
	char *t = xstrndup(s, n), *r = NULL, *lt, *gt, *p;
	struct buf b;

	if ((lt = strrchr(t, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		lt++;
		while (*lt == ' ')
			lt++;
		/* A source route <@a,@b:x@y> keeps x@y. */
		if (*lt == '@' && (p = strchr(lt, ':')) != NULL && p < gt)
			lt = p + 1;
		while (gt > lt && gt[-1] == ' ')
			gt--;
		if (addr_ok(lt, (size_t)(gt - lt)))
			r = xstrndup(lt, (size_t)(gt - lt));
		goto out;
	}
	buf_init(&b);
	for (p = t; *p != '\0';) {
		const char *q = skip_cfws(p);

		if (q != p) {
			p = (char *)q;
			continue;
		}
		buf_addc(&b, *p++);
	}
	if (b.len > 0 && addr_ok(b.data, b.len))
		r = xstrndup(b.data, b.len);
	buf_free(&b);
out:
	free(t);
	return r;
}

static void
list_add(char ***v, size_t *n, size_t max, char *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return;
		}
	if (*n >= max) {
		free(s);
		return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* An address list: commas outside quotes, comments and angle brackets
 * separate mailboxes; a group "name: a, b;" gives its members. */
static void
addr_list(const char *s, char ***v, size_t *n)
{
	const char *start = s;
	int depth = 0;
	bool quoted = false, angle = false;

	for (const char *p = s;; p++) {
		if (*p == '\\' && p[1] != '\0' && (quoted || depth > 0)) {
			p++;
			continue;
		}
		if (quoted) {
			if (*p == '"')
				quoted = false;
			else if (*p == '\0')
				break;
			continue;
		}
		if (*p == '"' && depth == 0)
			quoted = true;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (*p == '<' && depth == 0)
			angle = true;
		else if (*p == '>' && depth == 0)
			angle = false;
		else if (*p == ':' && depth == 0 && !angle)
			start = p + 1;	/* a group's display name */
		else if ((*p == ',' || *p == ';' || *p == '\0') && depth == 0 &&
		    !angle) {
			list_add(v, n, MAILPARSE_MAX_ADDRS,
			    mailbox_addr(start, (size_t)(p - start)));
			start = p + 1;
		}
		if (*p == '\0')
			break;
	}
}

/* --- RFC 2047 and the subject -------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes one encoded word's text (enc 'B' or 'Q') into b. */
static void
ew_decode(struct buf *b, char enc, const char *t, size_t n)
{
	if (enc == 'Q' || enc == 'q') {
		for (size_t i = 0; i < n; i++) {
			if (t[i] == '_')
				buf_addc(b, ' ');
			else if (t[i] == '=' && i + 2 < n &&
			    hexval(t[i + 1]) >= 0 &&
			    hexval(t[i + 2]) >= 0) {
				buf_addc(b, (char)(hexval(t[i + 1]) * 16 +
				    hexval(t[i + 2])));
				i += 2;
			} else
				buf_addc(b, t[i]);
		}
		return;
	}
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)t[i]);

		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(b, (char)((acc >> bits) & 0xff));
		}
	}
}

/* The subject with encoded words decoded (blanks between two encoded
 * words dropped, as RFC 2047 6.2 asks). */
static char *
subject_decode(const char *s)
{
	struct buf b;
	const char *p = s;
	bool last_ew = false;

	buf_init(&b);
	while (*p != '\0') {
		const char *q1, *q2, *end;

		if (p[0] == '=' && p[1] == '?' &&
		    (q1 = strchr(p + 2, '?')) != NULL && q1[1] != '\0' &&
		    q1[2] == '?' && (end = strstr(q1 + 3, "?=")) != NULL &&
		    (q2 = q1 + 2) != NULL && end - p <= 200) {
			ew_decode(&b, q1[1], q2 + 1, (size_t)(end - q2 - 1));
			p = end + 2;
			last_ew = true;
			continue;
		}
		if (last_ew && (*p == ' ' || *p == '\t')) {
			const char *w = p;

			while (*w == ' ' || *w == '\t')
				w++;
			if (w[0] == '=' && w[1] == '?') {
				p = w;
				continue;
			}
		}
		last_ew = false;
		buf_addc(&b, *p++);
	}
	return buf_detach(&b, NULL);
}

bool
mailparse_is_unsubscribe(const char *subject)
{
	static const char *const prefixes[] = {
		"re:", "aw:", "fwd:", "fw:", "wg:", "re :", "aw :", NULL
	};
	char *d = subject_decode(subject);
	const char *p = d;
	size_t n;
	bool again = true, r;

	while (again) {
		again = false;
		while (*p == ' ' || *p == '\t')
			p++;
		for (size_t i = 0; prefixes[i] != NULL; i++) {
			size_t k = strlen(prefixes[i]);

			if (strncasecmp(p, prefixes[i], k) == 0) {
				p += k;
				again = true;
				break;
			}
		}
	}
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	r = n == 11 && strncasecmp(p, "unsubscribe", 11) == 0;
	free(d);
	return r;
}

/* --- dates ----------------------------------------------------------- */

static bool
take_num(const char **s, int mindig, int maxdig, long *out)
{
	const char *p = *s;
	long v = 0;
	int n = 0;

	while (isdigit((unsigned char)*p) && n < maxdig) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n < mindig || isdigit((unsigned char)*p))
		return false;
	*s = p;
	*out = v;
	return true;
}

int
mailparse_date(const char *s, int64_t *out)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr",
	    "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
	static const struct { const char *n; int off; } zones[] = {
		{ "ut", 0 }, { "gmt", 0 }, { "z", 0 }, { "edt", -4 * 60 },
		{ "est", -5 * 60 }, { "cdt", -5 * 60 }, { "cst", -6 * 60 },
		{ "mdt", -6 * 60 }, { "mst", -7 * 60 }, { "pdt", -7 * 60 },
		{ "pst", -8 * 60 }
	};
	const char *p = skip_cfws(s);
	long day, year, hh, mm, ss = 0;
	int mon = -1, off = 0;
	int64_t days;

	/* An optional day name and comma. */
	if (isalpha((unsigned char)*p)) {
		while (isalpha((unsigned char)*p))
			p++;
		p = skip_cfws(p);
		if (*p != ',')
			return -1;
		p = skip_cfws(p + 1);
	}
	if (!take_num(&p, 1, 2, &day))
		return -1;
	p = skip_cfws(p);
	for (int i = 0; i < 12; i++)
		if (strncasecmp(p, months[i], 3) == 0)
			mon = i + 1;
	if (mon < 0)
		return -1;
	p = skip_cfws(p + 3);
	if (!take_num(&p, 2, 4, &year))
		return -1;
	if (year < 50)
		year += 2000;
	else if (year < 1000)
		year += 1900;
	p = skip_cfws(p);
	if (!take_num(&p, 1, 2, &hh) || *p++ != ':' ||
	    !take_num(&p, 2, 2, &mm))
		return -1;
	if (*p == ':') {
		p++;
		if (!take_num(&p, 2, 2, &ss))
			return -1;
	}
	p = skip_cfws(p);
	if (*p == '+' || *p == '-') {
		long z;
		int sign = *p == '-' ? -1 : 1;

		p++;
		if (!take_num(&p, 4, 4, &z) || z % 100 >= 60)
			return -1;
		off = sign * (int)(z / 100 * 60 + z % 100);
	} else if (isalpha((unsigned char)*p)) {
		size_t n = 0;

		while (isalpha((unsigned char)p[n]))
			n++;
		for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
			if (strlen(zones[i].n) == n &&
			    strncasecmp(p, zones[i].n, n) == 0)
				off = zones[i].off;
	}
	if (day < 1 || day > timeutil_days_in_month((int)year, mon) ||
	    hh > 23 || mm > 59 || ss > 60 || year > 9999)
		return -1;
	days = timeutil_days_from_civil((int)year, mon, (int)day);
	*out = days * 86400 + hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss) -
	    (int64_t)off * 60;
	return 0;
}

/* --- Content-Type ---------------------------------------------------- */

/* Lowercased "type/subtype" and the parameters touchbase uses. */
struct ctype {
	char		 type[64];
	char		*boundary;
	char		 report_type[32];
};

static void
ctype_parse(const char *v, struct ctype *ct)
{
	const char *p = skip_cfws(v);
	size_t n = 0;

	memset(ct, 0, sizeof(*ct));
	while (*p != '\0' && *p != ';' && *p != ' ' && *p != '(' &&
	    n + 1 < sizeof(ct->type))
		ct->type[n++] = (char)tolower((unsigned char)*p++);
	ct->type[n] = '\0';
	while ((p = strchr(p, ';')) != NULL) {
		const char *name, *eq;
		struct buf val;

		p = skip_cfws(p + 1);
		name = p;
		while (*p != '\0' && *p != '=' && *p != ';' && *p != ' ')
			p++;
		eq = p;
		p = skip_cfws(p);
		if (*p != '=')
			continue;
		p = skip_cfws(p + 1);
		buf_init(&val);
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				buf_addc(&val, *p);
			}
		} else {
			while (*p != '\0' && *p != ';' && *p != ' ' &&
			    *p != '\t' && *p != '(')
				buf_addc(&val, *p++);
		}
		buf_addc(&val, '\0');
		if ((size_t)(eq - name) == 8 &&
		    strncasecmp(name, "boundary", 8) == 0 && ct->boundary ==
		    NULL && val.len > 1 && val.len <= 71)
			ct->boundary = xstrdup(val.data);
		else if ((size_t)(eq - name) == 11 &&
		    strncasecmp(name, "report-type", 11) == 0) {
			size_t i;

			for (i = 0; val.data[i] != '\0' &&
			    i + 1 < sizeof(ct->report_type); i++)
				ct->report_type[i] =
				    (char)tolower((unsigned char)val.data[i]);
			ct->report_type[i] = '\0';
		}
		buf_free(&val);
	}
}

/* --- the header block of a mail -------------------------------------- */

/* Keeps v (cut to MAILPARSE_MAX_TEXT, controls already blanked) when it
 * is printable ASCII or UTF-8 text; NULL otherwise. */
static char *
keep_text(const char *v)
{
	const char *p = skip_cfws(v);
	size_t n = strlen(p);

	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0)
		return NULL;
	if (n > MAILPARSE_MAX_TEXT)
		n = MAILPARSE_MAX_TEXT;
	/* Blanks left by unfolding shrink to one; bytes >= 0x7f become '?':
	 * only printable ASCII is stored. */
	char *r = xmalloc(n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c == ' ' || c == '\t') && k > 0 && r[k - 1] == ' ')
			continue;
		r[k++] = c == '\t' ? ' ' : c >= 0x7f ? '?' : (char)c;
	}
	r[k] = '\0';
	return r;
}

static void
parse_top(struct mail *m, struct hdr_iter *it, struct ctype *ct)
{
	char name[80];
	struct buf v;
	bool have_from = false, have_date = false, have_ct = false;
	int nids = 0;
	const char *e;

	buf_init(&v);
	while (hdr_next(it, name, sizeof(name), &v)) {
		const char *val = v.data != NULL ? v.data : "";

		if (strcmp(name, "message-id") == 0) {
			if (nids++ > 0)
				m->message_id_dup = true;
			if (m->message_id == NULL)
				m->message_id = take_msgid(val, &e);
		} else if (strcmp(name, "date") == 0 && !have_date) {
			have_date = true;
			if (mailparse_date(val, &m->date) == -1)
				m->date = INT64_MIN;
		} else if (strcmp(name, "from") == 0 && !have_from) {
			char **v1 = NULL;
			size_t n1 = 0;

			have_from = true;
			addr_list(val, &v1, &n1);
			if (n1 > 0) {
				m->from = v1[0];
				v1[0] = NULL;
			}
			for (size_t i = 0; i < n1; i++)
				free(v1[i]);
			free(v1);
		} else if (strcmp(name, "to") == 0 || strcmp(name, "cc") == 0) {
			addr_list(val, &m->to, &m->nto);
		} else if (strcmp(name, "subject") == 0) {
			m->unsubscribe = mailparse_is_unsubscribe(val);
		} else if (strcmp(name, "in-reply-to") == 0 ||
		    strcmp(name, "references") == 0) {
			const char *p = val;
			char *id;

			while ((id = take_msgid(p, &e)) != NULL) {
				list_add(&m->refs, &m->nrefs,
				    MAILPARSE_MAX_REFS, id);
				p = e;
			}
		} else if (strcmp(name, "auto-submitted") == 0) {
			const char *p = skip_cfws(val);

			m->auto_reply = strncasecmp(p, "no", 2) != 0 ||
			    isalnum((unsigned char)p[2]);
		} else if (strcmp(name, "content-type") == 0 && !have_ct) {
			have_ct = true;
			ctype_parse(val, ct);
		}
	}
	buf_free(&v);
}

/* --- the report ------------------------------------------------------ */

/* Lowercased, cut value of a DSN field. */
static char *
dsn_lower(const char *v)
{
	char *r = keep_text(v);

	if (r == NULL)
		return NULL;
	for (char *p = r; *p != '\0'; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (*p == ' ' || *p == '(' || *p == ';') {
			*p = '\0';
			break;
		}
	}
	/* "Action: ;x" leaves nothing: no value, not an empty one. */
	if (*r == '\0') {
		free(r);
		return NULL;
	}
	return r;
}

/* "5.1.1 (bad destination mailbox)" -> "5.1.1"; NULL when not a status
 * code (class.subject.detail, RFC 3463). */
static char *
dsn_status(const char *v)
{
	const char *p = skip_cfws(v);
	const char *q = p;
	int parts = 0;

	if (*q != '2' && *q != '4' && *q != '5')
		return NULL;
	for (;;) {
		int digits = 0;

		while (isdigit((unsigned char)*q) && digits < 4) {
			q++;
			digits++;
		}
		if (digits == 0 || isdigit((unsigned char)*q))
			return NULL;
		if (++parts == 3 || *q != '.')
			break;
		q++;
	}
	if (parts != 3)
		return NULL;
	return xstrndup(p, (size_t)(q - p));
}

/* "rfc822; anna@example.de" -> the address. */
static char *
dsn_recipient(const char *v)
{
	const char *semi = strchr(v, ';');
	char **a = NULL;
	size_t n = 0;
	char *r = NULL;

	addr_list(semi != NULL ? semi + 1 : v, &a, &n);
	if (n > 0) {
		r = a[0];
		a[0] = NULL;
	}
	for (size_t i = 0; i < n; i++)
		free(a[i]);
	free(a);
	return r;
}

/* The message/delivery-status body: one per-message group, then one
 * group per recipient, separated by empty lines. */
static void
parse_report(struct mail *m, const char *data, size_t len)
{
	struct hdr_iter it = { data, len, 0, false };
	struct buf v;
	char name[80];
	bool first = true;

	buf_init(&v);
	while (it.pos < it.len && m->nrcpts < MAILPARSE_MAX_RCPTS) {
		struct mail_dsn_rcpt r;
		bool any = false;

		memset(&r, 0, sizeof(r));
		it.done = false;
		while (hdr_next(&it, name, sizeof(name), &v)) {
			const char *val = v.data != NULL ? v.data : "";

			any = true;
			if (strcmp(name, "original-envelope-id") == 0 &&
			    m->orig_envelope_id == NULL)
				m->orig_envelope_id = keep_text(val);
			else if (strcmp(name, "arrival-date") == 0 &&
			    mailparse_date(val, &m->arrival) == -1)
				m->arrival = INT64_MIN;
			else if (strcmp(name, "final-recipient") == 0 &&
			    r.recipient == NULL)
				r.recipient = dsn_recipient(val);
			else if (strcmp(name, "action") == 0 && r.action == NULL)
				r.action = dsn_lower(val);
			else if (strcmp(name, "status") == 0 && r.status == NULL)
				r.status = dsn_status(val);
			else if (strcmp(name, "diagnostic-code") == 0 &&
			    r.diagnostic == NULL)
				r.diagnostic = keep_text(val);
		}
		if (!first && any && r.action != NULL) {
			m->rcpts = xreallocarray(m->rcpts, m->nrcpts + 1,
			    sizeof(*m->rcpts));
			m->rcpts[m->nrcpts++] = r;
		} else {
			free(r.recipient);
			free(r.action);
			free(r.status);
			free(r.diagnostic);
		}
		if (any)
			first = false;
	}
	buf_free(&v);
}

/* The returned headers of the original message: its Message-ID. */
static void
parse_returned(struct mail *m, const char *data, size_t len)
{
	struct hdr_iter it = { data, len, 0, false };
	struct buf v;
	char name[80];
	const char *e;

	buf_init(&v);
	while (hdr_next(&it, name, sizeof(name), &v))
		if (strcmp(name, "message-id") == 0 &&
		    m->orig_message_id == NULL)
			m->orig_message_id = take_msgid(v.data ? v.data : "",
			    &e);
	buf_free(&v);
}

/* Where the line at p is a boundary line "--b" (or "--b--"). */
static bool
is_boundary(const char *data, size_t len, size_t p, const char *b, size_t bl,
    bool *last)
{
	if (p + 2 + bl > len || data[p] != '-' || data[p + 1] != '-' ||
	    memcmp(data + p + 2, b, bl) != 0)
		return false;
	*last = p + 4 + bl <= len && data[p + 2 + bl] == '-' &&
	    data[p + 3 + bl] == '-';
	return true;
}

/* Splits a multipart body on boundary b and looks into each part. */
static void
parse_parts(struct mail *m, const char *data, size_t len, const char *b,
    int depth)
{
	size_t bl = strlen(b), p = 0, start = 0;
	bool in = false, last = false;

	for (;;) {
		bool at_end = p >= len, bound = false;

		if (!at_end)
			bound = is_boundary(data, len, p, b, bl, &last);
		if (at_end || bound) {
			if (in) {
				size_t end = p;
				struct hdr_iter it;
				struct ctype ct;
				char name[80];
				struct buf v;

				/* The line break before a boundary is
				 * part of it. */
				if (end > start && data[end - 1] == '\n')
					end--;
				if (end > start && data[end - 1] == '\r')
					end--;
				memset(&it, 0, sizeof(it));
				it.data = data + start;
				it.len = end - start;
				memset(&ct, 0, sizeof(ct));
				buf_init(&v);
				while (hdr_next(&it, name, sizeof(name), &v))
					if (strcmp(name, "content-type") == 0 &&
					    ct.type[0] == '\0')
						ctype_parse(v.data ? v.data :
						    "", &ct);
				buf_free(&v);
				if (strcmp(ct.type, "message/delivery-status")
				    == 0 || strcmp(ct.type,
				    "message/global-delivery-status") == 0)
					parse_report(m, it.data + it.pos,
					    it.len - it.pos);
				else if (strcmp(ct.type, "message/rfc822") == 0
				    || strcmp(ct.type, "text/rfc822-headers")
				    == 0 || strcmp(ct.type,
				    "message/global-headers") == 0)
					parse_returned(m, it.data + it.pos,
					    it.len - it.pos);
				else if (strncmp(ct.type, "multipart/", 10)
				    == 0 && ct.boundary != NULL &&
				    depth + 1 < PART_DEPTH)
					parse_parts(m, it.data + it.pos,
					    it.len - it.pos, ct.boundary,
					    depth + 1);
				free(ct.boundary);
			}
			if (at_end || last)
				return;
			in = true;
		}
		while (p < len && data[p] != '\n')
			p++;
		if (p < len)
			p++;
		if (bound)
			start = p;
	}
}

void
mailparse_message(const char *data, size_t len, struct mail *m)
{
	struct hdr_iter it = { data, len, 0, false };
	struct ctype ct;

	memset(m, 0, sizeof(*m));
	m->date = INT64_MIN;
	m->arrival = INT64_MIN;
	memset(&ct, 0, sizeof(ct));
	parse_top(m, &it, &ct);
	m->is_dsn = strcmp(ct.type, "multipart/report") == 0 &&
	    strcmp(ct.report_type, "delivery-status") == 0 &&
	    ct.boundary != NULL;
	if (m->is_dsn)
		parse_parts(m, data + it.pos, len - it.pos, ct.boundary, 0);
	free(ct.boundary);
}

void
mailparse_clear(struct mail *m)
{
	if (m == NULL)
		return;
	free(m->message_id);
	free(m->from);
	for (size_t i = 0; i < m->nto; i++)
		free(m->to[i]);
	free(m->to);
	for (size_t i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	free(m->refs);
	free(m->orig_message_id);
	free(m->orig_envelope_id);
	for (size_t i = 0; i < m->nrcpts; i++) {
		free(m->rcpts[i].recipient);
		free(m->rcpts[i].action);
		free(m->rcpts[i].status);
		free(m->rcpts[i].diagnostic);
	}
	free(m->rcpts);
	memset(m, 0, sizeof(*m));
}
