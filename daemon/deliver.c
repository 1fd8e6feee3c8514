/*
 * deliver.c - one delivery interface, two backends (maildir.c, smtp.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "deliver.h"
#include "log.h"
#include "maildir.h"
#include "settings.h"
#include "smtp.h"
#include "xalloc.h"

#define DELIVER_PASSWORD_MAX	4096
#define DELIVER_CREDENTIAL	"smtp-password"
#define DELIVER_KEY_MAX		200

struct deliverer {
	enum delivery_kind	 kind;
	char			*maildir;
	struct smtp		*smtp;
	char			*bcc;
};

void
deliver_reply_clear(struct deliver_reply *r)
{
	if (r == NULL)
		return;
	free(r->text);
	r->text = NULL;
	r->code = 0;
}

static void
deliver_wipe(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int
deliver_read_password(const char *path, char **password, char **err)
{
	char buf[DELIVER_PASSWORD_MAX + 2];
	size_t len = 0;
	ssize_t n;
	int fd, rc = -1;

	*err = NULL;
	if (password != NULL)
		*password = NULL;
	if ((fd = valid_password_open(path, err)) == -1)
		return -1;
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*err = xasprintf("cannot read password file %s: %s",
			    path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > DELIVER_PASSWORD_MAX) {
		*err = xasprintf("password file %s is longer than %d bytes; "
		    "it must hold the password alone", path,
		    DELIVER_PASSWORD_MAX);
		goto out;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		*err = xasprintf("password file %s is empty", path);
		goto out;
	}
	if (memchr(buf, '\n', len) != NULL || memchr(buf, '\r', len) != NULL ||
	    memchr(buf, '\0', len) != NULL) {
		*err = xasprintf("password file %s holds more than one line; "
		    "it must hold the password alone", path);
		goto out;
	}
	if (password != NULL)
		*password = xstrndup(buf, len);
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

/*
 * Whether path holds no password at all: missing, or only a line end.
 * The shipped unit's SetCredential= fallback is a lone newline, which
 * systemd hands over when the LoadCredential= source does not exist.
 */
bool
deliver_credential_blank(const char *path)
{
	char b[3];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return errno == ENOENT;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size > 2) {
		close(fd);
		return false;
	}
	n = read(fd, b, sizeof(b));
	close(fd);
	return n == 0 || (n == 1 && b[0] == '\n') ||
	    (n == 2 && b[0] == '\r' && b[1] == '\n');
}

/*
 * A non-empty systemd credential smtp-password first: the service manager
 * handed it to this very process, and the unit's transient user could not
 * read a password_file of mode 0600 anyway (password_file then serves the
 * owner's own runs of `touchbase test-mail`).  A blank credential (the
 * unit's fallback when /etc/touchbase/smtp-password is missing) counts as
 * none.  Then password_file.
 */
static int
deliver_password(const struct settings *s, char **password, char **err)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char *path = NULL;
	int rc = -1;

	if (dir != NULL && *dir != '\0') {
		path = xasprintf("%s/%s", dir, DELIVER_CREDENTIAL);
		if (!deliver_credential_blank(path)) {
			rc = deliver_read_password(path, password, err);
			goto out;
		}
	}
	if (s->password_file != NULL) {
		rc = deliver_read_password(s->password_file, password, err);
		goto out;
	}
	if (path == NULL)
		*err = xasprintf("username is set but there is no password: "
		    "set password_file in [delivery], or pass the systemd "
		    "credential %s (LoadCredential=%s:/path/to/file)",
		    DELIVER_CREDENTIAL, DELIVER_CREDENTIAL);
	else if (access(path, F_OK) == 0)
		*err = xasprintf("username is set but the systemd credential "
		    "%s is empty: its LoadCredential= source file is missing "
		    "(the shipped unit reads /etc/touchbase/smtp-password: "
		    "create it, owner root, mode 0600) or set password_file",
		    path);
	else
		*err = xasprintf("username is set but there is no password: "
		    "neither password_file nor the credential %s exists",
		    path);
out:
	free(path);
	return rc;
}

struct deliverer *
deliver_new(const struct settings *s, char **err)
{
	struct deliverer *d;
	struct smtp_params p;
	char *password = NULL;

	*err = NULL;
	d = xcalloc(1, sizeof(*d));
	d->kind = s->delivery;
	if (s->bcc != NULL)
		d->bcc = xstrdup(s->bcc);
	if (s->delivery == DELIVERY_MAILDIR) {
		d->maildir = xstrdup(s->maildir);
		return d;
	}
	if (s->username != NULL && *s->username != '\0' &&
	    deliver_password(s, &password, err) == -1)
		goto fail;
	memset(&p, 0, sizeof(p));
	p.host = s->smtp_host;
	p.port = s->smtp_port;
	p.implicit_tls = s->delivery == DELIVERY_SMTPS;
	p.tls = s->tls != TLS_NONE || p.implicit_tls;
	p.username = password != NULL ? s->username : NULL;
	p.password = password;
	p.ca_file = s->ca_file;
	p.timeout = s->timeout > 0 ? (long)s->timeout : 30;
	p.final_timeout = SMTP_FINAL_TIMEOUT;
	/* EHLO: [delivery] helo, else the sender address's domain (a
	 * struct settings filled by hand may lack sender_domain). */
	p.helo = s->helo != NULL && *s->helo != '\0' ? s->helo :
	    s->sender_domain;
	if (p.helo == NULL && s->sender_address != NULL &&
	    strchr(s->sender_address, '@') != NULL)
		p.helo = strchr(s->sender_address, '@') + 1;
	d->smtp = smtp_new(&p, err);
	deliver_wipe(password);
	if (d->smtp == NULL)
		goto fail;
	return d;
fail:
	deliver_free(d);
	return NULL;
}

void
deliver_free(struct deliverer *d)
{
	if (d == NULL)
		return;
	smtp_free(d->smtp);
	free(d->maildir);
	free(d->bcc);
	free(d);
}

/* A printable copy of an address for a message: controls as \xNN. */
static char *
deliver_quote(const char *s)
{
	struct buf b;

	buf_init(&b);
	buf_addc(&b, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			buf_addf(&b, "\\x%02x", c);
		else
			buf_addc(&b, (char)c);
	}
	buf_addc(&b, '"');
	return buf_detach(&b, NULL);
}

static int
deliver_check(const char *what, const char *addr, struct deliver_reply *r)
{
	char *err = NULL, *q;

	if (addr != NULL && valid_address(addr, &err) == 0 &&
	    !valid_has_control(addr))
		return 0;
	q = deliver_quote(addr != NULL ? addr : "");
	r->text = xasprintf("invalid %s address %s, not sent: %s", what, q,
	    err != NULL ? err : "it contains a line break or control "
	    "character");
	free(q);
	free(err);
	return -1;
}

/* A send-log key: 1-200 bytes of [A-Za-z0-9._-]. */
static int
deliver_check_key(const char *key, struct deliver_reply *r)
{
	size_t i, n = strlen(key);
	char *q;

	for (i = 0; i < n && i <= DELIVER_KEY_MAX; i++) {
		unsigned char c = (unsigned char)key[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			break;
	}
	if (n >= 1 && n <= DELIVER_KEY_MAX && i == n)
		return 0;
	q = deliver_quote(key);
	r->text = xasprintf("invalid send-log key %s, not sent: a key is 1 to "
	    "%d characters from A-Z a-z 0-9 . _ -", q, DELIVER_KEY_MAX);
	free(q);
	return -1;
}

enum deliver_result
deliver_send(struct deliverer *d, const char *from,
    const char *const *rcpts, size_t nrcpts, const char *msg, size_t len,
    const char *key, struct deliver_reply *reply)
{
	size_t i, nprimary = nrcpts;

	reply->code = 0;
	reply->text = NULL;
	if (key != NULL && deliver_check_key(key, reply) == -1)
		return DELIVER_PERMFAIL;
	if (deliver_check("sender", from, reply) == -1)
		return DELIVER_CONFIG;
	if (nrcpts == 0) {
		reply->text = xstrdup("no recipient, not sent");
		return DELIVER_PERMFAIL;
	}
	/* The sender's own copy comes last; it is a configuration value. */
	if (nrcpts > 1 && d->bcc != NULL && rcpts[nrcpts - 1] != NULL &&
	    strcasecmp(rcpts[nrcpts - 1], d->bcc) == 0)
		nprimary = nrcpts - 1;
	for (i = 0; i < nrcpts; i++) {
		if (deliver_check(i < nprimary ? "recipient" : "bcc",
		    rcpts[i], reply) == -1)
			return i < nprimary ? DELIVER_PERMFAIL : DELIVER_CONFIG;
	}
	if (d->kind == DELIVERY_MAILDIR)
		return maildir_deliver(d->maildir, key, msg, len, reply);
	return smtp_send(d->smtp, from, rcpts, nrcpts, nprimary, msg, len,
	    reply);
}
