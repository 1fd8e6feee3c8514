/*
 * valid.c - every rule about a value that comes from outside.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "utf8.h"
#include "valid.h"
#include "xalloc.h"

static bool
valid_ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
valid_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

bool
valid_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (valid_control((unsigned char)*s))
			return true;
	return false;
}

char *
valid_describe_control(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\r')
			return xasprintf("a line break (U+%04X)", c);
		if (valid_control(c))
			return xasprintf("a control character (U+%04X)", c);
	}
	return NULL;
}

bool
valid_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int
valid_header_text(const char *what, const char *v, char **err)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			*err = xasprintf("%s contains a control character "
			    "(0x%02x); a header value must be one line of "
			    "text without CR, LF, NUL or other controls",
			    what, *p);
			return -1;
		}
	if (!utf8_valid(v, strlen(v))) {
		*err = xasprintf("%s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

char *
valid_quote(const char *s)
{
	struct buf b;
	size_t n;

	buf_init(&b);
	buf_addc(&b, '\'');
	for (n = 0; s[n] != '\0' && n < 60; n++) {
		unsigned char c = (unsigned char)s[n];

		buf_addc(&b, (c < 0x20 || c == 0x7f) ? '?' : (char)c);
	}
	if (s[n] != '\0') {
		/* Do not cut a UTF-8 sequence in half. */
		if (((unsigned char)s[n] & 0xc0) == 0x80) {
			while (b.len > 1 &&
			    ((unsigned char)b.data[b.len - 1] & 0xc0) == 0x80)
				b.len--;
			if (b.len > 1 &&
			    ((unsigned char)b.data[b.len - 1] & 0xc0) == 0xc0)
				b.len--;
			b.data[b.len] = '\0';
		}
		buf_adds(&b, "...");
	}
	buf_addc(&b, '\'');
	return buf_detach(&b, NULL);
}

bool
valid_language(const char *s)
{
	size_t n = 0;

	while (s[n] >= 'a' && s[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return false;
	if (s[n] == '\0')
		return true;
	if (s[n] != '-' || s[n + 1] == '\0' || strlen(s) > 16)
		return false;
	for (s += n + 1; *s != '\0'; s++)
		if (!valid_ascii_alnum((unsigned char)*s))
			return false;
	return true;
}

size_t
valid_language_base(const char *tag)
{
	return strcspn(tag, "-");
}

bool
valid_form(const char *s)
{
	return strcmp(s, "du") == 0 || strcmp(s, "sie") == 0;
}

bool
valid_atext(unsigned char c)
{
	return valid_ascii_alnum(c) || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* The domain of an address: LDH labels.  NULL, or what is wrong. */
static const char *
valid_domain_problem(const char *dom, char *bad)
{
	const char *p, *label = dom;

	for (p = dom;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' ||
			    p[-1] == '-')
				return "labels";
			if (*p == '\0')
				return NULL;
			label = p + 1;
		} else if (!valid_ascii_alnum((unsigned char)*p) && *p != '-') {
			*bad = *p;
			return "char";
		}
	}
}

/* The checks of valid_address() in order; q is the quoted address. */
static char *
valid_address_problem(const char *addr, const char *q)
{
	const char *at, *p, *why;
	bool ascii = true;
	char bad = 0;

	for (p = addr; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	if (*addr == '\0')
		return xasprintf("the e-mail address is empty; write "
		    "local@domain, e.g. anna@example.de");
	if (strpbrk(addr, "<> \t\"(),") != NULL)
		return xasprintf("%s is not a plain e-mail address: write only "
		    "local@domain, without a display name, quotes, spaces or "
		    "<>", q);
	if ((at = strchr(addr, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return xasprintf("%s is not an e-mail address: it needs exactly "
		    "one '@', as in anna@example.de", q);
	for (p = addr; p < at; p++)
		if ((unsigned char)*p >= 0x80)
			return xasprintf("%s has non-ASCII letters before the "
			    "'@'; touchbase sends plain ASCII addresses only "
			    "(no SMTPUTF8)", q);
	if (!ascii)
		return xasprintf("%s has a domain with non-ASCII letters; "
		    "write an international domain in its ASCII (punycode) "
		    "form, xn--...", q);
	if (at == addr || at - addr > 64 || *addr == '.' || at[-1] == '.' ||
	    memmem(addr, (size_t)(at - addr), "..", 2) != NULL)
		return xasprintf("%s is not an e-mail address: the part before "
		    "'@' must be 1 to 64 characters without leading, trailing "
		    "or double dots", q);
	for (p = addr; p < at; p++)
		if (*p != '.' && !valid_atext((unsigned char)*p))
			return xasprintf("%s is not an e-mail address: '%c' is "
			    "not allowed before the '@'", q, *p);
	if (strlen(at + 1) > 253 || strlen(addr) > 254)
		return xasprintf("%s is too long for an e-mail address", q);
	if ((why = valid_domain_problem(at + 1, &bad)) != NULL &&
	    strcmp(why, "char") == 0)
		return xasprintf("%s is not an e-mail address: '%c' is not "
		    "allowed in the domain", q, bad);
	if (why != NULL)
		return xasprintf("%s is not an e-mail address: the domain must "
		    "be labels of letters, digits and '-' joined by dots, as "
		    "in example.de", q);
	if (strchr(at + 1, '.') == NULL && strcasecmp(at + 1, "localhost") != 0)
		return xasprintf("%s is not an e-mail address: the domain "
		    "needs a dot, as in example.de", q);
	return NULL;
}

int
valid_address(const char *addr, char **err)
{
	char *q, *why;

	if (err != NULL)
		*err = NULL;
	if (addr == NULL)
		addr = "";
	if (valid_has_control(addr)) {
		why = xasprintf("an e-mail address must not contain control "
		    "characters or line breaks");
	} else if ((why = valid_address_problem(addr, "")) != NULL) {
		/* The address quoted for the message only when it is bad. */
		free(why);
		q = valid_quote(addr);
		why = valid_address_problem(addr, q);
		free(q);
	}
	if (why == NULL)
		return 0;
	if (err != NULL)
		*err = why;
	else
		free(why);
	return -1;
}

bool
valid_host(const char *host)
{
	size_t n = strlen(host);
	char bad;
	char *h;
	bool ok;

	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	h = xstrndup(host, n);
	ok = valid_domain_problem(h, &bad) == NULL;
	free(h);
	return ok;
}

bool
valid_is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	char *h;
	size_t n = strlen(host);
	bool r = false;

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return true;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		h = xstrndup(host + 1, n - 2);
	else
		h = xstrdup(host);
	if (inet_pton(AF_INET, h, &a4) == 1)
		r = (ntohl(a4.s_addr) >> 24) == 127;
	else if (inet_pton(AF_INET6, h, &a6) == 1)
		r = IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) &&
		    a6.s6_addr[12] == 127);
	free(h);
	return r;
}

/* The inside of an address literal: a dotted IPv4 address or
 * "IPv6:" and an IPv6 address (RFC 5321 4.1.3). */
static bool
valid_address_literal(const char *lit)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (strncasecmp(lit, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, lit + 5, &a6) == 1;
	return inet_pton(AF_INET, lit, &a4) == 1;
}

int
valid_helo(const char *name, char **err)
{
	size_t n = strlen(name);
	char *q, *lit;
	bool ok;

	*err = NULL;
	if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {
		lit = xstrndup(name + 1, n - 2);
		ok = valid_address_literal(lit);
		free(lit);
	} else {
		/* A host name may end in the root's dot; an EHLO name may
		 * not (RFC 5321 4.1.2, Domain). */
		ok = n > 0 && name[n - 1] != '.' && valid_host(name);
	}
	if (ok)
		return 0;
	q = valid_quote(name);
	*err = xasprintf("%s is not a host name for EHLO: write a name such "
	    "as mail.example.de, or an address literal such as [192.0.2.1] "
	    "or [IPv6:2001:db8::1]", q);
	free(q);
	return -1;
}

bool
valid_id(const char *s)
{
	if (*s == '\0' || strlen(s) > VALID_MAX_ID)
		return false;
	for (; *s != '\0'; s++)
		if (!valid_ascii_alnum((unsigned char)*s) && *s != '-' &&
		    *s != '_')
			return false;
	return true;
}

bool
valid_field_key(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_'))
		return false;
	return valid_id(s);
}

int
valid_password_stat(const char *path, const struct stat *st, char **err)
{
	unsigned mode = (unsigned)(st->st_mode & 07777);

	*err = NULL;
	if (S_ISLNK(st->st_mode))
		*err = xasprintf("password file %s is a symbolic link; name "
		    "the file itself", path);
	else if (!S_ISREG(st->st_mode))
		*err = xasprintf("password file %s is not a regular file",
		    path);
	else if (st->st_mode & (S_IRGRP | S_IROTH))
		*err = xasprintf("password file %s is readable by others "
		    "than its owner (mode %04o): chmod 600 %s", path, mode,
		    path);
	else if (st->st_mode & (S_IRWXG | S_IRWXO))
		*err = xasprintf("password file %s grants access to group or "
		    "others (mode %04o): chmod 600 %s", path, mode, path);
	return *err == NULL ? 0 : -1;
}

int
valid_password_file(const char *path, char **err)
{
	struct stat st;

	if (lstat(path, &st) == -1) {
		*err = xasprintf("password file %s cannot be used: %s", path,
		    strerror(errno));
		return -1;
	}
	return valid_password_stat(path, &st, err);
}

int
valid_password_open(const char *path, char **err)
{
	struct stat st;
	int fd;

	*err = NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1) {
		if (errno == ELOOP) {
			st.st_mode = S_IFLNK;
			valid_password_stat(path, &st, err);
			return -1;
		}
		*err = xasprintf("cannot open password file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		*err = xasprintf("cannot stat password file %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (valid_password_stat(path, &st, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

bool
valid_address_same(const char *a, const char *b)
{
	const char *at_a, *at_b;

	if (a == NULL || b == NULL)
		return false;
	at_a = strrchr(a, '@');
	at_b = strrchr(b, '@');
	if (at_a == NULL || at_b == NULL || at_a - a != at_b - b)
		return false;
	return strncmp(a, b, (size_t)(at_a - a)) == 0 &&
	    strcasecmp(at_a, at_b) == 0;
}

int
valid_imap_folder(const char *name, char **err)
{
	size_t n = strlen(name);
	char *q;

	for (const char *c = name; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if (u < 0x20 || u >= 0x7f || u == '"' || u == '\\' ||
		    u == '*' || u == '%')
			goto bad;
	}
	if (n >= 1 && n <= 200)
		return 0;
bad:
	q = valid_quote(name);
	*err = xasprintf("folder %s is not usable: write 1-200 printable "
	    "ASCII characters without '\"', '\\', '*' or '%%' (a name "
	    "with other characters in its modified UTF-7 form, as the "
	    "server lists it)", q);
	free(q);
	return -1;
}
