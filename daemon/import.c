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
	char	*prefix;	/* titles, Herr/Frau: N's prefix, a column */
	int	 omit_year;	/* X-APPLE-OMIT-YEAR, or 0 */
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
	free(r->prefix);
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

/* Latin-1 Supplement and Latin Extended-A (U+00C0-U+017F) in lower-case
 * ASCII, German and Nordic letters as their own languages write them
 * without the sign (ä ae, ß ss, ø oe, å aa); "" for × and ÷. */
static const char *const translit[] = {
	"a", "a", "a", "a", "ae", "aa", "ae", "c",	/* U+00C0 */
	"e", "e", "e", "e", "i", "i", "i", "i",	/* U+00C8 */
	"d", "n", "o", "o", "o", "o", "oe", "",	/* U+00D0 */
	"oe", "u", "u", "u", "ue", "y", "th", "ss",	/* U+00D8 */
	"a", "a", "a", "a", "ae", "aa", "ae", "c",	/* U+00E0 */
	"e", "e", "e", "e", "i", "i", "i", "i",	/* U+00E8 */
	"d", "n", "o", "o", "o", "o", "oe", "",	/* U+00F0 */
	"oe", "u", "u", "u", "ue", "y", "th", "y",	/* U+00F8 */
	"a", "a", "a", "a", "a", "a", "c", "c",	/* U+0100 */
	"c", "c", "c", "c", "c", "c", "d", "d",	/* U+0108 */
	"d", "d", "e", "e", "e", "e", "e", "e",	/* U+0110 */
	"e", "e", "e", "e", "g", "g", "g", "g",	/* U+0118 */
	"g", "g", "g", "g", "h", "h", "h", "h",	/* U+0120 */
	"i", "i", "i", "i", "i", "i", "i", "i",	/* U+0128 */
	"i", "i", "ij", "ij", "j", "j", "k", "k",	/* U+0130 */
	"k", "l", "l", "l", "l", "l", "l", "l",	/* U+0138 */
	"l", "l", "l", "n", "n", "n", "n", "n",	/* U+0140 */
	"n", "n", "ng", "ng", "o", "o", "o", "o",	/* U+0148 */
	"o", "o", "oe", "oe", "r", "r", "r", "r",	/* U+0150 */
	"r", "r", "s", "s", "s", "s", "s", "s",	/* U+0158 */
	"s", "s", "t", "t", "t", "t", "t", "t",	/* U+0160 */
	"u", "u", "u", "u", "u", "u", "u", "u",	/* U+0168 */
	"u", "u", "u", "u", "w", "w", "y", "y",	/* U+0170 */
	"y", "z", "z", "z", "z", "z", "z", "s",	/* U+0178 */
};

/* The ASCII of the letter at p (U+00C0-U+017F), or NULL. */
static const char *
import_translit(const unsigned char *p)
{
	unsigned cp;

	if (p[0] < 0xc3 || p[0] > 0xc5 || (p[1] & 0xc0) != 0x80)
		return NULL;
	cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
	if (cp < 0xc0 || *translit[cp - 0xc0] == '\0')
		return NULL;
	return translit[cp - 0xc0];
}

/* An id from a name: lower-case ASCII, letters transliterated,
 * everything else a single '-'. */
static char *
import_slug(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	struct buf b;
	bool dash = false;

	buf_init(&b);
	while (*p != '\0' && b.len < 48) {
		const char *to = import_translit(p);

		if (to != NULL) {
			buf_adds(&b, to);
			p += 2;
			dash = false;
		} else if (isalnum(*p)) {
			buf_addc(&b, (char)tolower(*p));
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

enum title_kind { T_NONE, T_TITLE, T_PART, T_POST, T_HERR, T_FRAU, T_MR,
	T_MS };

/* What a word of a name is: an academic title used in a salutation
 * (Dr., Mag.), a part of one left out there (the med. of Dr. med.), a
 * title written after the name (MBA), a form of address, or a name. */
static enum title_kind
import_title_kind(const char *w, size_t n)
{
	static const struct { const char *w; enum title_kind k; } t[] = {
		{ "Dr.", T_TITLE }, { "Dr", T_TITLE }, { "DDr.", T_TITLE },
		{ "Dr.in", T_TITLE }, { "Prof.", T_TITLE },
		{ "Prof", T_TITLE }, { "Univ.-Prof.", T_TITLE },
		{ "Ao.Univ.-Prof.", T_TITLE }, { "Priv.-Doz.", T_TITLE },
		{ "Mag.", T_TITLE }, { "Mag.a", T_TITLE },
		{ "MMag.", T_TITLE }, { "Mag.(FH)", T_TITLE },
		{ "DI", T_TITLE }, { "DI(FH)", T_TITLE },
		{ "Dipl.-Ing.", T_TITLE }, { "Dipl.-Kfm.", T_TITLE },
		{ "Dipl.-Psych.", T_TITLE }, { "Ing.", T_TITLE },
		{ "Bakk.", T_TITLE }, { "med.", T_PART }, { "rer.", T_PART },
		{ "nat.", T_PART }, { "phil.", T_PART }, { "jur.", T_PART },
		{ "dent.", T_PART }, { "vet.", T_PART }, { "h.c.", T_PART },
		{ "mult.", T_PART }, { "(FH)", T_PART }, { "MBA", T_POST },
		{ "MSc", T_POST }, { "M.Sc.", T_POST }, { "BSc", T_POST },
		{ "B.Sc.", T_POST }, { "BA", T_POST }, { "MA", T_POST },
		{ "B.A.", T_POST }, { "M.A.", T_POST }, { "PhD", T_POST },
		{ "Ph.D.", T_POST }, { "LL.M.", T_POST }, { "MAS", T_POST },
		{ "MPH", T_POST }, { "BEd", T_POST }, { "Herr", T_HERR },
		{ "Hr.", T_HERR }, { "Frau", T_FRAU }, { "Fr.", T_FRAU },
		{ "Mr", T_MR }, { "Mr.", T_MR }, { "Ms", T_MS }, { "Ms.", T_MS },
		{ "Mrs", T_MS }, { "Mrs.", T_MS },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].w) == n && strncmp(w, t[i].w, n) == 0)
			return t[i].k;
	return T_NONE;
}

/* A name taken apart: its words without titles and forms of address,
 * the titles a salutation uses ("Mag.", "Dr. Prof."), and the form of
 * address (T_HERR ... T_MS, or T_NONE). */
struct name_parts {
	char	*core;		/* "" when the name was only titles */
	char	*titles;	/* or NULL */
	enum title_kind address;
	bool	 stripped;	/* some word was a title or an address */
};

static void
import_name_parts(const char *name, struct name_parts *np)
{
	struct buf core, titles;

	buf_init(&core);
	buf_init(&titles);
	for (const char *p = name; *p != '\0';) {
		size_t n;
		enum title_kind k;

		if (*p == ' ' || *p == ',' || *p == '\t') {
			p++;
			continue;
		}
		n = strcspn(p, " ,\t");
		k = import_title_kind(p, n);
		if (k != T_NONE)
			np->stripped = true;
		if (k == T_TITLE) {
			if (titles.len > 0)
				buf_addc(&titles, ' ');
			buf_add(&titles, p, n);
		} else if (k >= T_HERR) {
			if (np->address == T_NONE)
				np->address = k;
		} else if (k == T_NONE) {
			if (core.len > 0)
				buf_addc(&core, ' ');
			buf_add(&core, p, n);
		}
		p += n;
	}
	np->core = core.len > 0 ? buf_detach(&core, NULL) : xstrdup("");
	np->titles = titles.len > 0 ? buf_detach(&titles, NULL) : NULL;
	buf_free(&core);
	buf_free(&titles);
}

/* True when every word of v is a title or a form of address: Outlook's
 * "Anrede" column ("Frau", "Herr Dr.") rather than a salutation. */
static bool
import_is_prefix(const char *v)
{
	bool any = false;

	for (const char *p = v; *p != '\0';) {
		size_t n;

		if (*p == ' ' || *p == ',') {
			p++;
			continue;
		}
		n = strcspn(p, " ,");
		if (import_title_kind(p, n) == T_NONE)
			return false;
		any = true;
		p += n;
	}
	return any;
}

/* A salutation in the contact's language (German unless English is
 * named or implied by Mr/Ms) from the form of address, the titles and
 * the family name: "Sehr geehrte Frau Mag. Baumgartner", "Dear Dr.
 * Smith".  NULL without an address or a title, or in another language. */
static char *
import_propose(enum title_kind address, const char *titles,
    const char *family, const char *full, const char *language)
{
	bool en = address == T_MR || address == T_MS;
	const char *t = titles ? titles : "", *sp = titles ? " " : "";

	if (address == T_NONE && titles == NULL)
		return NULL;
	if (language != NULL && strncasecmp(language, "en", 2) == 0)
		en = true;
	else if (language != NULL && strncasecmp(language, "de", 2) != 0)
		return NULL;
	if (en) {
		if (titles != NULL)
			return xasprintf("Dear %s %s", titles, family);
		if (address == T_HERR || address == T_MR)
			return xasprintf("Dear Mr %s", family);
		return xasprintf("Dear Ms %s", family);
	}
	if (address == T_HERR || address == T_MR)
		return xasprintf("Sehr geehrter Herr %s%s%s", t, sp, family);
	if (address == T_FRAU || address == T_MS)
		return xasprintf("Sehr geehrte Frau %s%s%s", t, sp, family);
	return xasprintf("Guten Tag, %s %s", titles, full);
}

/* Reads 1 to max digits at *p into *v; advances *p. */
static bool
import_digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n > 0;
}

/* "YYYY-MM-DD", or "--MM-DD" when year is 0, if such a birthday exists. */
static char *
import_ymd(int year, int month, int day)
{
	struct civil_date cd;
	char *s;

	if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > 31)
		return NULL;
	s = year == 0 ? xasprintf("--%02d-%02d", month, day) :
	    xasprintf("%04d-%02d-%02d", year, month, day);
	if (timeutil_parse_birthday(s, &cd, NULL) == 0)
		return s;
	free(s);
	return NULL;
}

/* An export's way of saying "no birthday": Outlook writes 0.0.00 and
 * 0/0/00. */
static bool
import_no_birthday(const char *v)
{
	return strspn(v, "0./") == strlen(v);
}

/* vCard and CSV birthdays: YYYY-MM-DD, YYYYMMDD, --MM-DD, --MMDD (with an
 * optional time part, which is dropped), D.M.YYYY, D.M. (yearless),
 * M/D/YYYY.  A slash date is month/day unless its first number is above
 * 12 (then day/month); *ambiguous says when it could be either.  A year
 * equal to omit_year (Apple's X-APPLE-OMIT-YEAR) is no year. */
static char *
import_birthday(const char *v, int omit_year, bool *ambiguous)
{
	char tmp[16];
	const char *p = v;
	int a, b, y = 0;
	size_t n = strcspn(v, "T ");

	*ambiguous = false;
	if (strchr(v, '.') != NULL) {			/* D.M.YYYY, D.M. */
		if (!import_digits(&p, 2, &a) || *p++ != '.' ||
		    !import_digits(&p, 2, &b) || *p++ != '.')
			return NULL;
		if (*p != '\0' && (!import_digits(&p, 4, &y) ||
		    y < 1000))
			return NULL;
		return *p == '\0' ? import_ymd(y, b, a) : NULL;
	}
	if (strchr(v, '/') != NULL) {			/* M/D/YYYY */
		if (!import_digits(&p, 2, &a) || *p++ != '/' ||
		    !import_digits(&p, 2, &b) || *p++ != '/' ||
		    !import_digits(&p, 4, &y) || y < 1000 || *p != '\0')
			return NULL;
		if (a > 12 && b <= 12)
			return import_ymd(y, b, a);
		*ambiguous = a != b && a <= 12 && b <= 12;
		return import_ymd(y, a, b);
	}
	if (n >= sizeof(tmp))
		return NULL;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (n == 8 && strspn(tmp, "0123456789") == 8) {
		p = tmp;
		import_digits(&p, 4, &y);
		import_digits(&p, 2, &a);
		import_digits(&p, 2, &b);
	} else if (n == 6 && tmp[0] == '-' && tmp[1] == '-' &&
	    strspn(tmp + 2, "0123456789") == 4) {
		p = tmp + 2;
		import_digits(&p, 2, &a);
		import_digits(&p, 2, &b);
	} else {
		struct civil_date cd;

		if (timeutil_parse_birthday(tmp, &cd, NULL) == -1)
			return NULL;
		y = cd.year;
		a = cd.month;
		b = cd.day;
	}
	if (omit_year != 0 && y == omit_year)
		y = 0;
	return import_ymd(y, a, b);
}

/* Google's "a@x.example ::: b@x.example": the first address is the
 * client's. */
static void
import_first_address(char *email)
{
	char *sep = strstr(email, ":::");
	size_t n;

	if (sep != NULL)
		*sep = '\0';
	n = strlen(email);
	while (n > 0 && (email[n - 1] == ' ' || email[n - 1] == '\t'))
		email[--n] = '\0';
}

/* The birthday in clients.conf's form, or left out with a warning. */
static void
import_finish_birthday(struct raw_contact *r, const char *who,
    const char *file, struct diag *d)
{
	bool ambiguous;
	char *bd;

	if (import_no_birthday(r->birthday)) {
		free(r->birthday);
		r->birthday = NULL;
		return;
	}
	bd = import_birthday(r->birthday, r->omit_year, &ambiguous);
	if (bd == NULL)
		diag_warn(d, file, r->line, "'%s': birthday '%s' left "
		    "out: not a date (use YYYY-MM-DD or --MM-DD)",
		    who, r->birthday);
	else if (ambiguous)
		diag_warn(d, file, r->line, "'%s': birthday '%s' read as "
		    "month/day: %s (MM/DD/YYYY; correct it if the day comes "
		    "first)", who, r->birthday, bd);
	free(r->birthday);
	r->birthday = bd;
}

/* The id (the name without titles, transliterated), the first name
 * without titles, and a salutation proposal from the titles and the
 * form of address in the name, the first name or the prefix. */
static void
import_finish_names(struct raw_contact *r, struct import_contact *c)
{
	struct name_parts np = { NULL, NULL, T_NONE, false };
	struct name_parts extra = { NULL, NULL, T_NONE, false };
	const char *family, *sp;
	char *titles;
	size_t n;

	import_name_parts(r->name, &np);
	c->id = import_slug(np.core);
	/* "Frau Dr. Julie Chrétien": the name without the form of address,
	 * which belongs to the salutation. */
	n = strcspn(r->name, " ");
	if (r->name[n] == ' ' && import_title_kind(r->name, n) >= T_HERR)
		memmove(r->name, r->name + n + 1, strlen(r->name + n + 1) + 1);
	if (r->first_name != NULL) {
		import_name_parts(r->first_name, &extra);
		if (extra.stripped) {
			free(r->first_name);
			r->first_name = *extra.core ? xstrdup(extra.core) :
			    NULL;
		}
		np.address = np.address ? np.address : extra.address;
		free(extra.core);
		free(extra.titles);
		memset(&extra, 0, sizeof(extra));
	}
	titles = np.titles;
	if (r->prefix != NULL) {
		import_name_parts(r->prefix, &extra);
		np.address = np.address ? np.address : extra.address;
		if (titles == NULL)
			titles = extra.titles;
	}
	if (r->last_name != NULL && *r->last_name != '\0')
		family = r->last_name;
	else {
		sp = strrchr(np.core, ' ');
		family = sp ? sp + 1 : np.core;
	}
	if (r->salutation == NULL && *family != '\0')
		c->proposal = import_propose(np.address, titles, family,
		    np.core, r->language);
	free(np.core);
	free(np.titles);
	free(extra.core);
	free(extra.titles);
}

/* Turns a raw contact into a client, or explains why not. */
static void
import_finish(struct raw_contact *r, const char *file,
    struct import_result *out, struct diag *d)
{
	const char *vals[] = { r->name, r->first_name, r->last_name,
	    r->email, r->birthday, r->language, r->timezone, r->salutation,
	    r->prefix };
	struct import_contact *c;
	char *err = NULL, *base;
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
	if (r->email != NULL)
		import_first_address(r->email);
	if (r->email == NULL || *r->email == '\0') {
		diag_warn(d, file, r->line, "skipped '%s': no e-mail address",
		    who);
		goto out;
	}
	if (valid_address(r->email, &err) == -1) {
		diag_warn(d, file, r->line, "skipped '%s': %s", who, err);
		free(err);
		goto out;
	}
	if (r->birthday != NULL)
		import_finish_birthday(r, who, file, d);
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

	out->contacts = xreallocarray(out->contacts, out->n + 1,
	    sizeof(*out->contacts));
	c = &out->contacts[out->n];
	memset(c, 0, sizeof(*c));
	import_finish_names(r, c);
	base = xstrdup(c->id);
	for (size_t i = 0; i < out->n; i++) {
		if (strcmp(out->contacts[i].id, c->id) == 0) {
			free(c->id);
			c->id = xasprintf("%s-%d", base, ++dup);
			i = (size_t)-1;	/* check the new id from the start */
		}
	}
	free(base);
	out->n++;
	c->name = r->name;
	c->first_name = r->first_name;
	c->email = r->email;
	c->birthday = r->birthday;
	c->language = r->language;
	c->timezone = r->timezone;
	c->salutation = r->salutation;
	c->line = r->line;
	free(r->last_name);
	free(r->prefix);
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
		char *pre = vcard_component(value, 3);

		raw_set(&r->last_name, fam);
		raw_set(&r->first_name, giv);
		raw_set(&r->prefix, pre);
		free(fam);
		free(giv);
		free(pre);
	} else if (vcard_name_is(l, nlen, "EMAIL")) {
		bool pref = params != NULL &&
		    (strcasestr(params, "PREF") != NULL);

		if (pref && !*email_pref) {
			free(r->email);
			r->email = NULL;
			*email_pref = true;
		}
		raw_set(&r->email, v);
	} else if (vcard_name_is(l, nlen, "BDAY")) {
		/* Apple: BDAY;X-APPLE-OMIT-YEAR=1604:1604-07-21 is a
		 * birthday without a year. */
		const char *omit = params ? strcasestr(params,
		    "X-APPLE-OMIT-YEAR=") : NULL;

		if (r->birthday == NULL && omit != NULL) {
			long y = strtol(omit + strlen("X-APPLE-OMIT-YEAR="),
			    NULL, 10);

			r->omit_year = y > 0 && y <= 9999 ? (int)y : 0;
		}
		raw_set(&r->birthday, v);
	}
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
	COL_BIRTHDAY, COL_LANG, COL_TZ, COL_SALUTATION, COL_PREFIX };

/* The columns of touchbase's own names and of the exports of Google
 * Contacts, Outlook (English and German), Nextcloud and Thunderbird.
 * Several columns of one kind: the first that is not empty wins. */
static enum csv_col
csv_column(const char *h)
{
	static const struct { const char *name; enum csv_col col; } map[] = {
		{ "id", COL_ID }, { "name", COL_NAME }, { "full name", COL_NAME },
		{ "fn", COL_NAME }, { "display name", COL_NAME },
		{ "formatted name", COL_NAME }, { "first_name", COL_FIRST },
		{ "first name", COL_FIRST }, { "given name", COL_FIRST },
		{ "vorname", COL_FIRST }, { "last_name", COL_LAST },
		{ "last name", COL_LAST }, { "family name", COL_LAST },
		{ "nachname", COL_LAST }, { "email", COL_EMAIL },
		{ "e-mail", COL_EMAIL }, { "mail", COL_EMAIL },
		{ "email address", COL_EMAIL }, { "e-mail address", COL_EMAIL },
		{ "e-mail 1 - value", COL_EMAIL },
		{ "e-mail 2 - value", COL_EMAIL },
		{ "e-mail 3 - value", COL_EMAIL },
		{ "e-mail 2 address", COL_EMAIL },
		{ "e-mail 3 address", COL_EMAIL },
		{ "e-mail-adresse", COL_EMAIL },
		{ "e-mail 2: adresse", COL_EMAIL },
		{ "e-mail 3: adresse", COL_EMAIL },
		{ "email 1", COL_EMAIL }, { "email 2", COL_EMAIL },
		{ "primary email", COL_EMAIL }, { "secondary email", COL_EMAIL },
		{ "birthday", COL_BIRTHDAY }, { "bday", COL_BIRTHDAY },
		{ "birth date", COL_BIRTHDAY }, { "date of birth", COL_BIRTHDAY },
		{ "geburtstag", COL_BIRTHDAY }, { "language", COL_LANG },
		{ "lang", COL_LANG }, { "sprache", COL_LANG },
		{ "timezone", COL_TZ }, { "tz", COL_TZ },
		{ "zeitzone", COL_TZ }, { "salutation", COL_SALUTATION },
		{ "anrede", COL_SALUTATION }, { "title", COL_PREFIX },
		{ "titel", COL_PREFIX }, { "name prefix", COL_PREFIX },
		{ "prefix", COL_PREFIX },
	};

	while (*h == ' ')
		h++;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(h, map[i].name) == 0)
			return map[i].col;
	return COL_NONE;
}

/* The known columns in a warning. */
#define CSV_KNOWN "known: name, first_name, last_name, title, email, " \
	"birthday, language, timezone, salutation, and the columns of " \
	"Google, Outlook and Nextcloud exports"

/* Reads the header row f[0..nf-1] into cols; warns about the columns it
 * ignores: each by name, or, from four on (an export's phone numbers
 * and addresses), the first three and how many more.  Returns whether
 * there is an e-mail column. */
static bool
csv_header(char **f, size_t nf, enum csv_col *cols, const char *file,
    struct diag *d)
{
	size_t nignored = 0, shown = 0;
	bool has_email = false;
	struct buf list;

	for (size_t k = 0; k < nf; k++) {
		cols[k] = csv_column(f[k]);
		if (cols[k] == COL_EMAIL)
			has_email = true;
		else if (cols[k] == COL_NONE && f[k][0] != '\0')
			nignored++;
	}
	if (nignored == 0)
		return has_email;
	buf_init(&list);
	for (size_t k = 0; k < nf; k++) {
		if (cols[k] != COL_NONE || f[k][0] == '\0')
			continue;
		if (nignored <= 3)
			diag_warn(d, file, 1, "column '%s' ignored (" CSV_KNOWN
			    ")", f[k]);
		else if (shown++ < 3)
			buf_addf(&list, "%s'%s'", shown > 1 ? ", " : "", f[k]);
	}
	if (nignored > 3)
		diag_warn(d, file, 1, "%zu columns ignored: %s and %zu more ("
		    CSV_KNOWN ")", nignored, list.data, nignored - 3);
	buf_free(&list);
	return has_email;
}

/* One data row into a raw contact. */
static void
csv_row(char **f, size_t nf, const enum csv_col *cols, size_t ncols,
    struct raw_contact *r)
{
	for (size_t k = 0; k < nf && k < ncols; k++) {
		switch (cols[k]) {
		case COL_NAME: raw_set(&r->name, f[k]); break;
		case COL_FIRST: raw_set(&r->first_name, f[k]); break;
		case COL_LAST: raw_set(&r->last_name, f[k]); break;
		case COL_EMAIL: raw_set(&r->email, f[k]); break;
		case COL_BIRTHDAY: raw_set(&r->birthday, f[k]); break;
		case COL_LANG: raw_set(&r->language, f[k]); break;
		case COL_TZ: raw_set(&r->timezone, f[k]); break;
		case COL_PREFIX: raw_set(&r->prefix, f[k]); break;
		case COL_SALUTATION:
			/* Outlook's "Anrede" holds "Frau" or "Herr Dr.":
			 * a prefix, not a salutation. */
			if (import_is_prefix(f[k]))
				raw_set(&r->prefix, f[k]);
			else
				raw_set(&r->salutation, f[k]);
			break;
		case COL_ID: case COL_NONE: break;
		}
	}
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
	has_email = csv_header(f, nf, cols, file, d);
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
		csv_row(f, nf, cols, ncols, &r);
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

size_t
import_mark_known(struct import_result *r, const char *const *ids,
    const char *const *emails, size_t n)
{
	size_t marked = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct import_contact *c = &r->contacts[i];

		for (size_t k = 0; k < n && c->known_as == NULL; k++) {
			if ((ids[k] != NULL && strcmp(ids[k], c->id) == 0) ||
			    (emails[k] != NULL &&
			    strcasecmp(emails[k], c->email) == 0)) {
				c->known_as = xstrdup(ids[k] ? ids[k] : "");
				marked++;
			}
		}
	}
	return marked;
}

void
import_print(FILE *fp, const struct import_result *r)
{
	size_t last = r->n;

	for (size_t i = 0; i < r->n; i++)
		if (r->contacts[i].known_as == NULL)
			last = i;
	for (size_t i = 0; i < r->n; i++) {
		const struct import_contact *c = &r->contacts[i];

		if (c->known_as != NULL) {
			fprintf(fp, "  # already in the book: %s\n",
			    c->known_as);
			continue;
		}
		fputs("  {", fp);
		import_print_str(fp, "id", c->id);
		import_print_str(fp, "name", c->name);
		if (c->first_name)
			import_print_str(fp, "first_name", c->first_name);
		fputs("\n   ", fp);
		import_print_str(fp, "email", c->email);
		if (c->salutation)
			import_print_str(fp, "salutation", c->salutation);
		if (c->proposal) {
			/* Remove "# proposal:" to take it. */
			fputs("\n    # proposal:", fp);
			import_print_str(fp, "salutation", c->proposal);
		}
		if (c->birthday || c->language || c->timezone || c->proposal)
			fputs("\n   ", fp);
		if (c->birthday)
			import_print_str(fp, "birthday", c->birthday);
		if (c->language)
			import_print_str(fp, "language", c->language);
		if (c->timezone)
			import_print_str(fp, "timezone", c->timezone);
		fprintf(fp, " }%s\n", i < last && last < r->n ? "," : "");
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
		free(c->proposal);
		free(c->known_as);
	}
	free(r->contacts);
	r->contacts = NULL;
	r->n = 0;
}
