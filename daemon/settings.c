/*
 * settings.c - touchbase.ini (inih) as a plain struct.
 *
 * inih hands the handler no line numbers (Debian builds it without
 * INI_HANDLER_LINENO), so the file is fed to ini_parse_stream() through a
 * reader that returns one line per call and counts them: the handler runs
 * right after the reader returned its line.  The reader also classifies
 * each line the way inih will, which turns inih's silent skips (indented
 * continuation lines, unknown sections, lines without '=') into errors
 * with their place.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "buf.h"
#include "diag.h"
#include "holidays.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "utf8.h"
#include "valid.h"
#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define SETTINGS_MAX_FILE	(1024 * 1024)
#define SETTINGS_MAX_TEXT	1000

enum {
	K_NAME, K_ADDRESS, K_REPLY_TO, K_BCC, K_LANGUAGE, K_BASIS,
	K_OBJECTION_NOTICE, K_FORM,
	K_URL, K_TLS, K_USERNAME, K_PASSWORD_FILE, K_CA_FILE, K_TIMEOUT,
	K_RETRY, K_GIVE_UP_AFTER, K_HELO,
	K_TIMEZONE, K_SEND_WINDOW, K_WEEKDAYS, K_HOLIDAYS, K_MIN_GAP,
	K_DAILY_LIMIT, K_CATCH_UP,
	K_CLIENTS, K_TEMPLATES, K_DATABASE,
	K_IN_URL, K_IN_SENT, K_IN_USERNAME, K_IN_PASSWORD_FILE, K_IN_CA_FILE,
	K_IN_CHECK_EVERY, K_IN_LOOKBACK,
	K_OWNER_ADDRESS, K_DIGEST, K_APPROVAL,
	K_COUNT
};

static const struct {
	const char	*section;
	const char	*name;
} settings_keys[K_COUNT] = {
	[K_NAME] = { "sender", "name" },
	[K_ADDRESS] = { "sender", "address" },
	[K_REPLY_TO] = { "sender", "reply_to" },
	[K_BCC] = { "sender", "bcc" },
	[K_LANGUAGE] = { "sender", "language" },
	[K_BASIS] = { "sender", "basis" },
	[K_OBJECTION_NOTICE] = { "sender", "objection_notice" },
	[K_FORM] = { "sender", "form" },
	[K_URL] = { "delivery", "url" },
	[K_TLS] = { "delivery", "tls" },
	[K_USERNAME] = { "delivery", "username" },
	[K_PASSWORD_FILE] = { "delivery", "password_file" },
	[K_CA_FILE] = { "delivery", "ca_file" },
	[K_TIMEOUT] = { "delivery", "timeout" },
	[K_RETRY] = { "delivery", "retry" },
	[K_GIVE_UP_AFTER] = { "delivery", "give_up_after" },
	[K_HELO] = { "delivery", "helo" },
	[K_TIMEZONE] = { "schedule", "timezone" },
	[K_SEND_WINDOW] = { "schedule", "send_window" },
	[K_WEEKDAYS] = { "schedule", "weekdays" },
	[K_HOLIDAYS] = { "schedule", "holidays" },
	[K_MIN_GAP] = { "schedule", "min_gap" },
	[K_DAILY_LIMIT] = { "schedule", "daily_limit" },
	[K_CATCH_UP] = { "schedule", "catch_up" },
	[K_CLIENTS] = { "paths", "clients" },
	[K_TEMPLATES] = { "paths", "templates" },
	[K_DATABASE] = { "paths", "database" },
	[K_IN_URL] = { "inbox", "url" },
	[K_IN_SENT] = { "inbox", "sent" },
	[K_IN_USERNAME] = { "inbox", "username" },
	[K_IN_PASSWORD_FILE] = { "inbox", "password_file" },
	[K_IN_CA_FILE] = { "inbox", "ca_file" },
	[K_IN_CHECK_EVERY] = { "inbox", "check_every" },
	[K_IN_LOOKBACK] = { "inbox", "lookback" },
	[K_OWNER_ADDRESS] = { "owner", "address" },
	[K_DIGEST] = { "owner", "digest" },
	[K_APPROVAL] = { "owner", "approval" },
};

static const char *const settings_sections[] = {
	"sender", "delivery", "schedule", "paths", "inbox", "owner", NULL
};

struct settings_parse {
	const char	*path;
	struct diag	*d;
	const char	*data;
	size_t		 len, pos;
	int		 lineno;
	bool		 section_known;	/* keys in an unknown one are skipped */
	char		 section[64];
	char		*value[K_COUNT];
	int		 line[K_COUNT];
	bool		 bad[K_COUNT];	/* refused for a control character */
	struct settings_notice *notices; /* objection_notice.LANG, as read */
	size_t		 nnotices;
};

static void	settings_handle(struct settings_parse *p, const char *section,
		    const char *name, const char *value);

const char *
settings_default_path(const char *opt_c)
{
	const char *env;

	if (opt_c != NULL)
		return opt_c;
	if ((env = getenv("TOUCHBASE_CONFIG")) != NULL && *env != '\0')
		return env;
	return SYSCONFDIR "/touchbase/touchbase.ini";
}

int
settings_parse_basis(const char *s, enum basis *out)
{
	if (strcmp(s, "consent") == 0)
		*out = BASIS_CONSENT;
	else if (strcmp(s, "customer") == 0)
		*out = BASIS_CUSTOMER;
	else if (strcmp(s, "personal") == 0)
		*out = BASIS_PERSONAL;
	else
		return -1;
	return 0;
}

int
settings_parse_form(const char *s, enum form *out)
{
	if (!valid_form(s))
		return -1;
	*out = s[0] == 'd' ? FORM_DU : FORM_SIE;
	return 0;
}

const char *
settings_form_name(enum form f)
{
	return f == FORM_DU ? "du" : f == FORM_SIE ? "sie" : "";
}

const char *
settings_notice(const struct settings *s, const char *lang)
{
	size_t base = lang != NULL ? valid_language_base(lang) : 0;

	for (int pass = 0; lang != NULL && pass < 2; pass++)
		for (size_t i = 0; i < s->nnotices; i++) {
			const char *l = s->notices[i].lang;

			if (pass == 0 ? strcmp(l, lang) == 0 :
			    strlen(l) == base && strncmp(l, lang, base) == 0)
				return s->notices[i].text;
		}
	return s->objection_notice != NULL && *s->objection_notice != '\0' ?
	    s->objection_notice : NULL;
}

const char *
settings_basis_name(enum basis b)
{
	switch (b) {
	case BASIS_CONSENT:
		return "consent";
	case BASIS_PERSONAL:
		return "personal";
	case BASIS_CUSTOMER:
		break;
	}
	return "customer";
}

int
settings_check_password_file(const struct settings *s, struct diag *d)
{
	char *err;

	if (s->password_file == NULL ||
	    valid_password_file(s->password_file, &err) == 0)
		return 0;
	diag_error(d, s->path, s->line_password_file, "%s", err);
	free(err);
	return -1;
}

int
settings_check_inbox_password_file(const struct settings *s,
    struct diag *d)
{
	char *err;

	if (s->inbox_password_file == NULL ||
	    valid_password_file(s->inbox_password_file, &err) == 0)
		return 0;
	diag_error(d, s->path, s->line_inbox_password_file, "[inbox] %s",
	    err);
	free(err);
	return -1;
}

/* inih's find_chars_or_comment(): the first of chars, or an inline
 * comment (';' after whitespace), or the end. */
static const char *
settings_find(const char *s, const char *chars)
{
	bool was_space = false;

	while (*s != '\0' && (chars == NULL || strchr(chars, *s) == NULL) &&
	    !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

static char *
settings_strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void
settings_section_line(struct settings_parse *p, const char *line)
{
	const char *end = settings_find(line + 1, "]"), *rest;
	size_t n;
	char *name, *q;
	const char *sugg;

	/* Keys after a broken header are skipped, not "outside of any
	 * section": the header was reported. */
	p->section_known = false;
	snprintf(p->section, sizeof(p->section), "?");
	if (*end != ']') {
		diag_error(p->d, p->path, p->lineno, "section header without "
		    "']'; write it as [sender], [delivery], [schedule] or "
		    "[paths]");
		return;
	}
	for (rest = end + 1; isspace((unsigned char)*rest); rest++)
		;
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		diag_error(p->d, p->path, p->lineno, "unexpected text after "
		    "']'; a section header stands alone on its line");
		return;
	}
	n = (size_t)(end - line - 1);
	name = xstrndup(line + 1, n);
	q = valid_quote(name);
	for (size_t i = 0; settings_sections[i] != NULL; i++)
		if (strcmp(name, settings_sections[i]) == 0)
			p->section_known = true;
	if (p->section_known)
		snprintf(p->section, sizeof(p->section), "%s", name);
	else if ((sugg = diag_suggest(name, settings_sections)) != NULL)
		diag_error(p->d, p->path, p->lineno, "unknown section "
		    "[%.*s] (did you mean [%s]?)", (int)strlen(q) - 2, q + 1,
		    sugg);
	else
		diag_error(p->d, p->path, p->lineno, "unknown section "
		    "[%.*s]; valid sections: [sender], [delivery], [schedule], "
		    "[paths], [inbox], [owner]", (int)strlen(q) - 2, q + 1);
	free(q);
	free(name);
}

/*
 * Classifies the line in buf (NUL-terminated, without its newline) as inih
 * will see it.  Returns true when inih may parse it; false when it was
 * reported, or handled here because it is too long for inih.
 */
static bool
settings_classify(struct settings_parse *p, char *line, size_t rawlen,
    int max)
{
	char *s = line, *eq, *name, *value;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == ';' || *s == '#')
		return true;
	if (s != line) {
		diag_error(p->d, p->path, p->lineno, "indented line; write "
		    "'key = value' at the start of the line (values cannot "
		    "continue on the next line)");
		return false;
	}
	if (*s == '[') {
		settings_section_line(p, s);
		return true;
	}
	eq = (char *)settings_find(s, "=:");
	if (*eq != '=' && *eq != ':') {
		diag_error(p->d, p->path, p->lineno, "expected 'key = value', "
		    "a [section] or a ; comment");
		return false;
	}
	if (rawlen + 1 < (size_t)max)
		return true;
	/* Longer than inih's line buffer: split it the way inih would. */
	*eq = '\0';
	name = settings_strip(s);
	value = eq + 1;
	*(char *)settings_find(value, NULL) = '\0';
	value = settings_strip(value);
	settings_handle(p, p->section, name, value);
	return false;
}

static char *
settings_reader(char *str, int num, void *stream)
{
	struct settings_parse *p = stream;
	const char *start, *nl;
	size_t rawlen;
	char *line;
	bool pass;

	if (p->pos >= p->len || num < 2)
		return NULL;
	start = p->data + p->pos;
	nl = memchr(start, '\n', p->len - p->pos);
	rawlen = nl != NULL ? (size_t)(nl - start) : p->len - p->pos;
	p->pos += rawlen + (nl != NULL);
	p->lineno++;

	if (memchr(start, '\0', rawlen) != NULL) {
		diag_error(p->d, p->path, p->lineno, "the line contains a NUL "
		    "byte; touchbase.ini must be a text file");
		pass = false;
	} else {
		line = xstrndup(start, rawlen);
		pass = settings_classify(p, line, rawlen, num);
		free(line);
	}
	/* Only a long comment or header gets here too long for inih. */
	if (!pass || rawlen + 1 >= (size_t)num) {
		str[0] = '\n';
		str[1] = '\0';
		return str;
	}
	memcpy(str, start, rawlen);
	str[rawlen] = '\0';
	return str;
}

static int
settings_key_index(const char *section, const char *name)
{
	for (int k = 0; k < K_COUNT; k++)
		if (strcmp(settings_keys[k].section, section) == 0 &&
		    strcmp(settings_keys[k].name, name) == 0)
			return k;
	return -1;
}

static void
settings_unknown_key(struct settings_parse *p, const char *section,
    const char *name)
{
	const char *names[K_COUNT + 1], *sugg, *other = NULL;
	size_t n = 0;
	char *q = valid_quote(name);
	struct buf list;

	buf_init(&list);
	for (int k = 0; k < K_COUNT; k++) {
		if (strcmp(settings_keys[k].name, name) == 0 && other == NULL)
			other = settings_keys[k].section;
		if (strcmp(settings_keys[k].section, section) != 0)
			continue;
		names[n++] = settings_keys[k].name;
		buf_addf(&list, "%s%s", list.len ? ", " : "",
		    settings_keys[k].name);
	}
	names[n] = NULL;
	if (*section == '\0' && other != NULL)
		diag_error(p->d, p->path, p->lineno, "key %s is outside of "
		    "any section; put it under [%s]", q, other);
	else if (*section == '\0')
		diag_error(p->d, p->path, p->lineno, "key %s is outside of "
		    "any section; start with [sender], [delivery], [schedule] "
		    "or [paths]", q);
	else if ((sugg = diag_suggest(name, names)) != NULL)
		diag_error(p->d, p->path, p->lineno, "unknown key %s in [%s] "
		    "(did you mean '%s'?)", q, section, sugg);
	else if (other != NULL)
		diag_error(p->d, p->path, p->lineno, "key %s belongs in [%s], "
		    "not in [%s]", q, other, section);
	else
		diag_error(p->d, p->path, p->lineno, "unknown key %s in [%s]; "
		    "valid keys: %s", q, section, list.data);
	buf_free(&list);
	free(q);
}

/* objection_notice.LANG = text: one per language tag. */
static void
settings_notice_key(struct settings_parse *p, const char *lang,
    const char *value)
{
	struct settings_notice *n;
	char *what;

	if (!valid_language(lang)) {
		char *q = valid_quote(lang);

		diag_error(p->d, p->path, p->lineno, "objection_notice.%s: %s "
		    "is not a language tag: write objection_notice.de, "
		    "objection_notice.en, objection_notice.de-AT ...",
		    lang, q);
		free(q);
		return;
	}
	for (size_t i = 0; i < p->nnotices; i++)
		if (strcmp(p->notices[i].lang, lang) == 0) {
			diag_error(p->d, p->path, p->lineno, "'objection_notice."
			    "%s' in [sender] is set twice (first on line %d)",
			    lang, p->notices[i].line);
			return;
		}
	if ((what = valid_describe_control(value)) != NULL) {
		diag_error(p->d, p->path, p->lineno, "objection_notice.%s "
		    "contains %s; values must be one line of plain text", lang,
		    what);
		free(what);
		return;
	}
	if (!utf8_valid(value, strlen(value))) {
		diag_error(p->d, p->path, p->lineno, "objection_notice.%s is not "
		    "valid UTF-8; save %s as UTF-8", lang, p->path);
		return;
	}
	if (strlen(value) > SETTINGS_MAX_TEXT) {
		diag_error(p->d, p->path, p->lineno, "objection_notice.%s is "
		    "longer than %d bytes", lang, SETTINGS_MAX_TEXT);
		return;
	}
	if (*value == '\0')
		return;		/* empty: not set, as every key */
	p->notices = xreallocarray(p->notices, p->nnotices + 1,
	    sizeof(*p->notices));
	n = &p->notices[p->nnotices++];
	n->lang = xstrdup(lang);
	n->text = xstrdup(value);
	n->line = p->lineno;
}

static void
settings_handle(struct settings_parse *p, const char *section,
    const char *name, const char *value)
{
	int k;

	if (*section != '\0' && !p->section_known)
		return;		/* the section was reported */
	if (strcmp(section, "sender") == 0 &&
	    strncmp(name, "objection_notice.", 17) == 0) {
		settings_notice_key(p, name + 17, value);
		return;
	}
	if ((k = settings_key_index(section, name)) == -1) {
		settings_unknown_key(p, section, name);
		return;
	}
	if (p->value[k] != NULL) {
		diag_error(p->d, p->path, p->lineno, "'%s' in [%s] is set "
		    "twice (first on line %d)", name, section, p->line[k]);
		return;
	}
	p->value[k] = xstrdup(value);
	p->line[k] = p->lineno;
}

static int
settings_ini_handler(void *user, const char *section, const char *name,
    const char *value)
{
	settings_handle(user, section, name, value);
	return 1;
}

static char *
settings_resolve(const struct settings *s, const char *rel)
{
	if (rel[0] == '/' || strcmp(s->dir, ".") == 0)
		return xstrdup(rel);
	return xasprintf("%s%s%s", s->dir,
	    s->dir[strlen(s->dir) - 1] == '/' ? "" : "/", rel);
}

/* The value of key k, or NULL when it is missing or empty. */
static const char *
settings_val(const struct settings_parse *p, int k)
{
	return p->value[k] != NULL && p->value[k][0] != '\0' ?
	    p->value[k] : NULL;
}

static bool
settings_host_char(unsigned char c)
{
	return isascii(c) && (isalnum(c) || c == '-' || c == '.');
}

#define URL_HELP "use maildir:PATH, smtp://host[:port] (STARTTLS) or " \
	"smtps://host[:port] (implicit TLS)"

/*
 * The authority of a URL after its scheme: an IPv6 address in brackets or
 * a host name, then an optional ":port".  what names the key in messages
 * ("url", "[inbox] url"), v6 is an example with brackets, help what
 * would be valid.  Sets *host (allocated), *port when one is given (and
 * *port_at to it), *end past the authority.  Returns -1 after reporting
 * the problem.
 */
static int
settings_url_authority(struct settings_parse *p, int line, const char *what,
    const char *q, const char *h, const char *v6, const char *help,
    char **host, int *port, const char **end, const char **port_at)
{
	const char *e;
	long v = 0;

	*port_at = NULL;
	if (strchr(h, '@') != NULL) {
		/* Not quoted: the part before '@' may be a password. */
		diag_error(p->d, p->path, line, "%s must not contain a user "
		    "name or password (the part before '@'); set username and "
		    "password_file instead", what);
		return -1;
	}
	if (*h == '[') {
		for (e = h + 1; *e != '\0' && *e != ']'; e++)
			if (!isxdigit((unsigned char)*e) && *e != ':' &&
			    *e != '.')
				break;
		if (*e != ']' || e == h + 1) {
			diag_error(p->d, p->path, line, "%s %s: an IPv6 "
			    "address is written in brackets, e.g. %s", what, q,
			    v6);
			return -1;
		}
		*host = xstrndup(h + 1, (size_t)(e - h - 1));
		e++;
	} else {
		for (e = h; settings_host_char((unsigned char)*e); e++)
			;
		if ((unsigned char)*e >= 0x80) {
			diag_error(p->d, p->path, line, "%s %s: the host name "
			    "must be ASCII; write an international domain in "
			    "its punycode form, xn--...", what, q);
			return -1;
		}
		if (e == h) {
			diag_error(p->d, p->path, line, "%s %s has no host; %s",
			    what, q, help);
			return -1;
		}
		*host = xstrndup(h, (size_t)(e - h));
	}
	if (*e == ':') {
		*port_at = ++e;
		for (; *e >= '0' && *e <= '9' && v <= 65535; e++)
			v = v * 10 + (*e - '0');
		if (e == *port_at || v < 1 || v > 65535 ||
		    (*e >= '0' && *e <= '9')) {
			diag_error(p->d, p->path, line, "%s %s: the port must "
			    "be a number from 1 to 65535", what, q);
			return -1;
		}
		*port = (int)v;
	}
	*end = e;
	return 0;
}

static void
settings_parse_url(struct settings_parse *p, struct settings *s)
{
	const char *u = s->url, *h, *e, *port = NULL;
	int line = p->line[K_URL];
	char *q = valid_quote(u);

	if (strncmp(u, "maildir:", 8) == 0) {
		s->delivery = DELIVERY_MAILDIR;
		if (u[8] == '\0')
			diag_error(p->d, p->path, line, "url %s has no folder; "
			    "write maildir:PATH, e.g. maildir:outbox", q);
		else
			s->maildir = settings_resolve(s, u + 8);
		goto out;
	}
	if (strncmp(u, "smtp://", 7) == 0) {
		s->delivery = DELIVERY_SMTP;
		s->smtp_port = 587;
		h = u + 7;
	} else if (strncmp(u, "smtps://", 8) == 0) {
		s->delivery = DELIVERY_SMTPS;
		s->smtp_port = 465;
		h = u + 8;
	} else {
		diag_error(p->d, p->path, line, "url %s is not valid: "
		    URL_HELP, q);
		goto out;
	}
	if (settings_url_authority(p, line, "url", q, h, "smtp://[::1]:25",
	    URL_HELP, &s->smtp_host, &s->smtp_port, &e, &port) == -1)
		goto out;
	if (*e != '\0')
		diag_error(p->d, p->path, line, "url %s: unexpected %s after "
		    "the %s; write only scheme://host[:port], without a path",
		    q, *e == '/' ? "path" : "text", port ? "port" : "host");
out:
	free(q);
}

static void
settings_duration(struct settings_parse *p, int k, const char *dflt,
    struct duration *out, bool months_ok)
{
	const char *v = settings_val(p, k);
	char *err = NULL;

	if (v == NULL)
		v = dflt;
	if (timeutil_parse_duration(v, out, &err) == -1) {
		diag_error(p->d, p->path, p->line[k], "%s: %s",
		    settings_keys[k].name, err);
		free(err);
		timeutil_parse_duration(dflt, out, NULL);
		return;
	}
	if (!months_ok && out->months != 0) {
		diag_error(p->d, p->path, p->line[k], "%s: '%s' is in months "
		    "or years; use s, min, h, d or w", settings_keys[k].name, v);
		timeutil_parse_duration(dflt, out, NULL);
	}
}

static void
settings_address(struct settings_parse *p, int k, char **out)
{
	const char *v = settings_val(p, k);
	char *err;

	if (v == NULL)
		return;
	if (valid_address(v, &err) == -1) {
		diag_error(p->d, p->path, p->line[k], "%s: %s",
		    settings_keys[k].name, err);
		free(err);
		return;
	}
	*out = xstrdup(v);
}

static void
settings_text(struct settings_parse *p, int k, char **out)
{
	const char *v = settings_val(p, k);

	if (v == NULL)
		return;
	if (!utf8_valid(v, strlen(v)))
		diag_error(p->d, p->path, p->line[k], "%s is not valid UTF-8; "
		    "save %s as UTF-8", settings_keys[k].name, p->path);
	else if (strlen(v) > SETTINGS_MAX_TEXT)
		diag_error(p->d, p->path, p->line[k], "%s is longer than %d "
		    "bytes", settings_keys[k].name, SETTINGS_MAX_TEXT);
	else
		*out = xstrdup(v);
}

static void
settings_path(struct settings_parse *p, struct settings *s, int k,
    const char *dflt, char **out)
{
	const char *v = settings_val(p, k);

	if (v == NULL)
		v = dflt;
	if (v != NULL)
		*out = settings_resolve(s, v);
}

static void
settings_sender(struct settings_parse *p, struct settings *s)
{
	const char *v;

	settings_text(p, K_NAME, &s->sender_name);
	if (s->sender_name == NULL)
		s->sender_name = xstrdup("");
	if (p->value[K_ADDRESS] == NULL)
		diag_error(p->d, p->path, 0, "[sender] address is missing; "
		    "touchbase needs the sender's e-mail address, e.g. "
		    "address = hallo@example.de");
	else if (p->value[K_ADDRESS][0] == '\0' && !p->bad[K_ADDRESS])
		diag_error(p->d, p->path, p->line[K_ADDRESS], "address is "
		    "empty; touchbase needs the sender's e-mail address, e.g. "
		    "address = hallo@example.de");
	settings_address(p, K_ADDRESS, &s->sender_address);
	if (s->sender_address != NULL)
		s->sender_domain = xstrdup(strchr(s->sender_address, '@') + 1);
	settings_address(p, K_REPLY_TO, &s->reply_to);
	settings_address(p, K_BCC, &s->bcc);

	v = settings_val(p, K_LANGUAGE);
	if (v != NULL && !valid_language(v)) {
		char *q = valid_quote(v);

		diag_error(p->d, p->path, p->line[K_LANGUAGE], "language %s "
		    "is not a language tag: use a short lowercase tag such as "
		    "de, en or de-AT", q);
		free(q);
	}
	s->language = xstrdup(v != NULL && valid_language(v) ?
	    v : "de");
	s->line_language = p->line[K_LANGUAGE];

	v = settings_val(p, K_FORM);
	if (v != NULL && settings_parse_form(v, &s->form) == -1) {
		char *q = valid_quote(v);

		diag_error(p->d, p->path, p->line[K_FORM], "form %s is not "
		    "valid: use du or sie, or leave it empty (du for personal "
		    "clients, sie for the others)", q);
		free(q);
	}

	s->basis = BASIS_CUSTOMER;
	v = settings_val(p, K_BASIS);
	if (v != NULL && settings_parse_basis(v, &s->basis) == -1) {
		char *q = valid_quote(v);

		diag_error(p->d, p->path, p->line[K_BASIS], "basis %s is not "
		    "valid: use consent, customer or personal", q);
		free(q);
	}
	settings_text(p, K_OBJECTION_NOTICE, &s->objection_notice);
	s->notices = p->notices;
	s->nnotices = p->nnotices;
	p->notices = NULL;
	p->nnotices = 0;
}

static void
settings_delivery(struct settings_parse *p, struct settings *s)
{
	const char *v;
	struct duration dur;
	char *list, *tok, *save = NULL, *err = NULL;

	v = settings_val(p, K_URL);
	s->url = xstrdup(v != NULL ? v : "maildir:outbox");
	settings_parse_url(p, s);
	/* A Maildir already keeps every message; a second file of each
	 * would only be a duplicate, so bcc is for SMTP alone. */
	if (s->bcc != NULL && s->delivery == DELIVERY_MAILDIR)
		diag_warn(p->d, p->path, p->line[K_BCC], "bcc has no effect "
		    "with maildir: delivery: every message is already kept "
		    "in the Maildir (bcc applies to smtp:// and smtps://)");

	s->tls = TLS_REQUIRED;
	v = settings_val(p, K_TLS);
	if (v != NULL && strcmp(v, "none") == 0) {
		s->tls = TLS_NONE;
	} else if (v != NULL && strcmp(v, "required") != 0) {
		char *q = valid_quote(v);

		diag_error(p->d, p->path, p->line[K_TLS], "tls %s is not "
		    "valid: use required or none", q);
		free(q);
	}
	if (s->tls == TLS_NONE && s->delivery == DELIVERY_SMTPS)
		diag_error(p->d, p->path, p->line[K_TLS], "tls = none "
		    "contradicts smtps:// (implicit TLS); for a plain "
		    "connection to a loopback host use smtp://");
	else if (s->tls == TLS_NONE && s->delivery == DELIVERY_SMTP &&
	    s->smtp_host != NULL && !valid_is_loopback(s->smtp_host))
		diag_error(p->d, p->path, p->line[K_TLS], "tls = none is only "
		    "allowed for a loopback host (127.0.0.1, ::1 or "
		    "localhost): messages and the password for '%s' would "
		    "cross the network unencrypted; use tls = required",
		    s->smtp_host);

	settings_text(p, K_USERNAME, &s->username);
	settings_path(p, s, K_PASSWORD_FILE, NULL, &s->password_file);
	s->line_password_file = p->line[K_PASSWORD_FILE];
	settings_path(p, s, K_CA_FILE, NULL, &s->ca_file);
	if (s->ca_file != NULL && access(s->ca_file, R_OK) == -1)
		diag_error(p->d, p->path, p->line[K_CA_FILE], "ca_file '%s' "
		    "cannot be read: %s", s->ca_file, strerror(errno));

	settings_duration(p, K_TIMEOUT, "30s", &dur, false);
	s->timeout = dur.seconds;
	if (dur.seconds < 1 || dur.seconds > 3600) {
		diag_error(p->d, p->path, p->line[K_TIMEOUT], "timeout must "
		    "be from 1s to 1h");
		s->timeout = 30;
	}
	v = settings_val(p, K_HELO);
	if (v != NULL && valid_helo(v, &err) == -1) {
		char *q = valid_quote(v);

		free(err);
		err = NULL;
		diag_error(p->d, p->path, p->line[K_HELO], "helo %s is not a "
		    "host name: write a DNS name such as mail.example.de, or "
		    "an address literal such as [192.0.2.1]", q);
		free(q);
	} else if (v != NULL)
		s->helo = xstrdup(v);
	settings_duration(p, K_GIVE_UP_AFTER, "3d", &dur, true);
	s->give_up_after = timeutil_duration_seconds(&dur);
	if (s->give_up_after < 1) {
		diag_error(p->d, p->path, p->line[K_GIVE_UP_AFTER],
		    "give_up_after must be longer than 0s");
		s->give_up_after = 3 * DAY_SECONDS;
	}

	v = settings_val(p, K_RETRY);
	list = xstrdup(v != NULL ? v : "5min 15min 1h 4h 12h");
	s->nretry = 0;
	for (tok = strtok_r(list, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		err = NULL;
		if (s->nretry == SETTINGS_MAX_RETRY) {
			diag_error(p->d, p->path, p->line[K_RETRY], "retry "
			    "lists more than %d delays", SETTINGS_MAX_RETRY);
			break;
		}
		if (timeutil_parse_duration(tok, &dur, &err) == -1) {
			diag_error(p->d, p->path, p->line[K_RETRY], "retry: "
			    "%s; write delays separated by spaces, e.g. "
			    "5min 15min 1h", err);
			free(err);
			continue;
		}
		if (dur.seconds == 0 && dur.months == 0) {
			diag_error(p->d, p->path, p->line[K_RETRY], "retry: "
			    "'%s' is no delay; every delay must be longer "
			    "than 0s", tok);
			continue;
		}
		s->retry[s->nretry++] = dur;
	}
	free(list);
}

static void
settings_schedule(struct settings_parse *p, struct settings *s)
{
	const char *v;
	char *err = NULL;
	struct tzdb *db;

	v = settings_val(p, K_TIMEZONE);
	s->timezone = xstrdup(v != NULL ? v : "Europe/Berlin");
	s->line_timezone = p->line[K_TIMEZONE];
	db = tzdb_new();
	if (tzdb_get(db, s->timezone, &err) == NULL) {
		diag_error(p->d, p->path, p->line[K_TIMEZONE], "timezone: %s",
		    err);
		free(err);
		err = NULL;
	}
	tzdb_free(db);

	v = settings_val(p, K_SEND_WINDOW);
	s->window.start = 9 * 60;
	s->window.end = 17 * 60;
	if (v != NULL && timeutil_parse_window(v, &s->window, &err) == -1) {
		diag_error(p->d, p->path, p->line[K_SEND_WINDOW],
		    "send_window: %s", err);
		free(err);
		err = NULL;
	}
	v = settings_val(p, K_WEEKDAYS);
	s->weekdays = WEEKDAYS_MON_FRI;
	if (v != NULL && timeutil_parse_weekdays(v, &s->weekdays, &err) == -1) {
		diag_error(p->d, p->path, p->line[K_WEEKDAYS], "weekdays: %s",
		    err);
		free(err);
		err = NULL;
	}
	v = settings_val(p, K_HOLIDAYS);
	if (holidays_parse_region(v != NULL ? v : "DE", &s->holidays,
	    &err) == -1) {
		diag_error(p->d, p->path, p->line[K_HOLIDAYS], "holidays: %s",
		    err);
		free(err);
		err = NULL;
	}
	settings_duration(p, K_MIN_GAP, "21d", &s->min_gap, true);
	settings_duration(p, K_CATCH_UP, "3d", &s->catch_up, true);

	s->daily_limit = 20;
	if ((v = settings_val(p, K_DAILY_LIMIT)) != NULL) {
		char *end;
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		if (!isdigit((unsigned char)*v) || *end != '\0' ||
		    errno != 0 || n < 1 || n > 1000000) {
			char *q = valid_quote(v);

			diag_error(p->d, p->path, p->line[K_DAILY_LIMIT],
			    "daily_limit %s is not valid: use a whole number "
			    "of at least 1", q);
			free(q);
		} else {
			s->daily_limit = (int)n;
		}
	}
}

#define INBOX_URL_HELP "use maildir:PATH, imaps://host[:port]/FOLDER or " \
	"imap://host[:port]/FOLDER (STARTTLS)"

static void
settings_inbox_url(struct settings_parse *p, struct settings *s)
{
	const char *u = s->inbox_url, *h, *e, *port = NULL;
	int line = p->line[K_IN_URL];
	char *q = valid_quote(u), *err = NULL;

	if (strncmp(u, "maildir:", 8) == 0) {
		s->inbox = INBOX_MAILDIR;
		if (u[8] == '\0')
			diag_error(p->d, p->path, line, "[inbox] url %s has no "
			    "folder; write maildir:PATH, e.g. maildir:/home/"
			    "anna/Maildir", q);
		else
			s->inbox_maildir = settings_resolve(s, u + 8);
		goto out;
	}
	if (strncmp(u, "imap://", 7) == 0) {
		s->inbox = INBOX_IMAP;
		s->inbox_port = 143;
		h = u + 7;
	} else if (strncmp(u, "imaps://", 8) == 0) {
		s->inbox = INBOX_IMAPS;
		s->inbox_port = 993;
		h = u + 8;
	} else {
		diag_error(p->d, p->path, line, "[inbox] url %s is not valid: "
		    INBOX_URL_HELP, q);
		goto out;
	}
	if (settings_url_authority(p, line, "[inbox] url", q, h,
	    "imaps://[::1]/INBOX", INBOX_URL_HELP, &s->inbox_host,
	    &s->inbox_port, &e, &port) == -1)
		goto out;
	if (*e != '\0' && *e != '/') {
		diag_error(p->d, p->path, line, "[inbox] url %s: unexpected "
		    "text after the %s; " INBOX_URL_HELP, q,
		    port ? "port" : "host");
		goto out;
	}
	if (*e == '/')
		e++;
	if (valid_imap_folder(*e != '\0' ? e : "INBOX", &err) == -1) {
		diag_error(p->d, p->path, line, "[inbox] url %s: %s", q, err);
		free(err);
		goto out;
	}
	s->inbox_folder = xstrdup(*e != '\0' ? e : "INBOX");
out:
	free(q);
}

static void
settings_inbox(struct settings_parse *p, struct settings *s)
{
	const char *v = settings_val(p, K_IN_URL);
	struct duration dur;
	char *err = NULL;

	s->inbox_every = 15 * 60;
	s->inbox_lookback = 90 * DAY_SECONDS;
	s->line_inbox_url = p->line[K_IN_URL];
	s->line_inbox_password_file = p->line[K_IN_PASSWORD_FILE];
	if (v == NULL)
		return;
	s->inbox_url = xstrdup(v);
	settings_inbox_url(p, s);

	v = settings_val(p, K_IN_SENT);
	s->inbox_sent_auto = v == NULL || strcmp(v, "auto") == 0;
	if (p->value[K_IN_SENT] != NULL && p->value[K_IN_SENT][0] == '\0' &&
	    !p->bad[K_IN_SENT])
		s->inbox_sent_auto = false;	/* "sent =": no sent folder */
	else if (v != NULL && !s->inbox_sent_auto) {
		if (s->inbox == INBOX_MAILDIR)
			s->inbox_sent = settings_resolve(s, v);
		else if (valid_imap_folder(v, &err) == -1) {
			diag_error(p->d, p->path, p->line[K_IN_SENT], "[inbox] "
			    "sent: %s", err);
			free(err);
			err = NULL;
		} else
			s->inbox_sent = xstrdup(v);
	}
	settings_text(p, K_IN_USERNAME, &s->inbox_username);
	settings_path(p, s, K_IN_PASSWORD_FILE, NULL, &s->inbox_password_file);
	settings_path(p, s, K_IN_CA_FILE, NULL, &s->inbox_ca_file);
	if (s->inbox_ca_file != NULL && access(s->inbox_ca_file, R_OK) == -1)
		diag_error(p->d, p->path, p->line[K_IN_CA_FILE], "[inbox] "
		    "ca_file '%s' cannot be read: %s", s->inbox_ca_file,
		    strerror(errno));
	if (s->inbox != INBOX_MAILDIR && s->inbox != INBOX_NONE &&
	    s->inbox_username == NULL && !p->bad[K_IN_USERNAME])
		diag_error(p->d, p->path, s->line_inbox_url, "[inbox] url "
		    "names an IMAP server but username is not set; set "
		    "username (and password_file, or the systemd credential "
		    "imap-password)");

	settings_duration(p, K_IN_CHECK_EVERY, "15min", &dur, false);
	s->inbox_every = dur.seconds;
	if (dur.seconds < 60 || dur.seconds > 7 * DAY_SECONDS) {
		diag_error(p->d, p->path, p->line[K_IN_CHECK_EVERY],
		    "check_every must be from 1min to 7d");
		s->inbox_every = 15 * 60;
	}
	settings_duration(p, K_IN_LOOKBACK, "90d", &dur, false);
	s->inbox_lookback = dur.seconds;
	if (dur.seconds < DAY_SECONDS || dur.seconds > 3660 * DAY_SECONDS) {
		diag_error(p->d, p->path, p->line[K_IN_LOOKBACK],
		    "lookback must be from 1d to 10 years (3660d)");
		s->inbox_lookback = 90 * DAY_SECONDS;
	}
}

static void
settings_paths(struct settings_parse *p, struct settings *s)
{
	settings_path(p, s, K_CLIENTS, "clients.conf", &s->clients);
	settings_path(p, s, K_TEMPLATES, "templates", &s->templates);
	settings_path(p, s, K_DATABASE, "/var/lib/touchbase/touchbase.db",
	    &s->database);
}

/* "daily HH:MM" or "Mon HH:MM" (any weekday); 0, or -1. */
int
settings_parse_digest(const char *v, struct settings_digest *out)
{
	int wd = -1, h, m, n = 0;
	const char *t;

	memset(out, 0, sizeof(*out));
	if (strcmp(v, "off") == 0)
		return 0;
	if (strncmp(v, "daily ", 6) == 0)
		t = v + 6;
	else {
		for (int i = 0; i < 7; i++)
			if (strncmp(v, timeutil_weekday_name(i), 3) == 0 &&
			    v[3] == ' ')
				wd = i;
		if (wd == -1)
			return -1;
		t = v + 4;
	}
	while (*t == ' ')
		t++;
	if (sscanf(t, "%2d:%2d%n", &h, &m, &n) != 2 || t[n] != '\0' ||
	    n != 5 || h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	out->on = true;
	out->weekday = wd;
	out->minute = h * 60 + m;
	return 0;
}

static void
settings_owner(struct settings_parse *p, struct settings *s)
{
	const char *v;
	char *q;

	settings_address(p, K_OWNER_ADDRESS, &s->owner_address);
	if (s->owner_address == NULL && s->sender_address != NULL)
		s->owner_address = xstrdup(s->sender_address);
	if ((v = settings_val(p, K_DIGEST)) != NULL &&
	    settings_parse_digest(v, &s->digest) == -1) {
		q = valid_quote(v);
		diag_error(p->d, p->path, p->line[K_DIGEST], "digest %s is not "
		    "valid: use off, daily HH:MM or a weekday and a time, "
		    "e.g. Mon 08:00", q);
		free(q);
	}
	if ((v = settings_val(p, K_APPROVAL)) != NULL) {
		if (strcmp(v, "required") == 0)
			s->approval_required = true;
		else if (strcmp(v, "none") != 0) {
			q = valid_quote(v);
			diag_error(p->d, p->path, p->line[K_APPROVAL], "approval "
			    "%s is not valid: use none or required", q);
			free(q);
		}
	}
}

int
settings_load_buffer(const char *path, const char *data, size_t len,
    struct settings **out, struct diag *d)
{
	struct settings_parse p;
	struct settings *s;
	size_t errors = d->errors;
	const char *slash;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.d = d;
	p.data = data;
	p.len = len;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p.pos = 3;

	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	if ((slash = strrchr(path, '/')) == NULL)
		s->dir = xstrdup(".");
	else if (slash == path)
		s->dir = xstrdup("/");
	else
		s->dir = xstrndup(path, (size_t)(slash - path));

	/* Every line was classified by the reader: whatever inih calls a
	 * syntax error has been reported with its own message. */
	(void)ini_parse_stream(settings_reader, &p, settings_ini_handler, &p);

	for (int k = 0; k < K_COUNT; k++) {
		char *what;

		if (p.value[k] == NULL ||
		    (what = valid_describe_control(p.value[k])) == NULL)
			continue;
		diag_error(d, path, p.line[k], "%s contains %s; values must "
		    "be one line of plain text", settings_keys[k].name, what);
		free(what);
		p.value[k][0] = '\0';
		p.bad[k] = true;
	}
	settings_sender(&p, s);
	settings_delivery(&p, s);
	settings_schedule(&p, s);
	settings_paths(&p, s);
	settings_inbox(&p, s);
	settings_owner(&p, s);

	if (d->errors == errors) {
		*out = s;
		s = NULL;
		rc = 0;
	}
	settings_free(s);
	for (int k = 0; k < K_COUNT; k++)
		free(p.value[k]);
	return rc;
}

int
settings_load(const char *path, struct settings **out, struct diag *d)
{
	struct buf b;
	int rc = -1;

	buf_init(&b);
	switch (buf_read_file(&b, path, SETTINGS_MAX_FILE)) {
	case -1:
		if (errno == ENOENT &&
		    strcmp(path, SYSCONFDIR "/touchbase/touchbase.ini") == 0)
			diag_error(d, path, 0, "cannot read: %s (name another "
			    "file with -c FILE or TOUCHBASE_CONFIG)",
			    strerror(errno));
		else
			diag_error(d, path, 0, "cannot read: %s",
			    strerror(errno));
		goto out;
	case 1:
		diag_error(d, path, 0, "larger than 1 MiB; is this "
		    "really touchbase.ini?");
		goto out;
	}
	rc = settings_load_buffer(path, b.data != NULL ? b.data : "", b.len,
	    out, d);
out:
	buf_free(&b);
	return rc;
}

void
settings_free(struct settings *s)
{
	if (s == NULL)
		return;
	free(s->path);
	free(s->dir);
	free(s->sender_name);
	free(s->sender_address);
	free(s->sender_domain);
	free(s->reply_to);
	free(s->bcc);
	free(s->language);
	free(s->objection_notice);
	for (size_t i = 0; i < s->nnotices; i++) {
		free(s->notices[i].lang);
		free(s->notices[i].text);
	}
	free(s->notices);
	free(s->url);
	free(s->maildir);
	free(s->smtp_host);
	free(s->username);
	free(s->password_file);
	free(s->ca_file);
	free(s->helo);
	free(s->timezone);
	free(s->clients);
	free(s->templates);
	free(s->database);
	free(s->inbox_url);
	free(s->inbox_maildir);
	free(s->inbox_host);
	free(s->inbox_folder);
	free(s->inbox_sent);
	free(s->inbox_username);
	free(s->inbox_password_file);
	free(s->inbox_ca_file);
	free(s->owner_address);
	free(s);
}
