/*
 * test_deliver.c - the delivery interface: classification, the password
 * file rules, address checks before any backend, the Maildir backend,
 * and the SMTP dispatch (bcc as copy, the systemd credential) against
 * tests/smtpd.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <regex.h>

#include <cmocka.h>

#include "buf.h"
#include "deliver.h"
#include "maildir.h"
#include "settings.h"
#include "smtpd_helper.h"
#include "xalloc.h"

#define FROM	"sender@example.org"
#define TO	"anna@example.net"
#define BCC	"archive@example.org"

static char *tmp;		/* per-test folder */

static int
setup(void **state)
{
	(void)state;
	tmp = tsrv_mkdtemp();
	return 0;
}

static int
teardown(void **state)
{
	tsrv_stop_all(state);
	tsrv_rmtree(tmp);
	free(tmp);
	tmp = NULL;
	unsetenv("CREDENTIALS_DIRECTORY");
	return 0;
}

static char *
write_file(const char *name, const char *data, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmp, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(data, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* fmt with every "%s" replaced by path. */
static char *
subst(const char *fmt, const char *path)
{
	struct buf b;
	const char *p;

	buf_init(&b);
	while ((p = strstr(fmt, "%s")) != NULL) {
		buf_add(&b, fmt, (size_t)(p - fmt));
		buf_adds(&b, path);
		fmt = p + 2;
	}
	buf_adds(&b, fmt);
	return buf_detach(&b, NULL);
}

/* The result's name, for failure messages. */
static const char *
result_name(enum deliver_result r)
{
	static const char *const names[] = {
		[DELIVER_OK] = "ok", [DELIVER_TEMPFAIL] = "tempfail",
		[DELIVER_PERMFAIL] = "permfail", [DELIVER_CONFIG] = "config",
		[DELIVER_SESSION] = "session"
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] :
	    "?";
}

static void
test_classify(void **state)
{
	static const struct {
		int code;
		enum deliver_result r;
	} cases[] = {
		{ 250, DELIVER_OK }, { 200, DELIVER_OK }, { 299, DELIVER_OK },
		{ 354, DELIVER_TEMPFAIL }, { 421, DELIVER_TEMPFAIL },
		{ 450, DELIVER_TEMPFAIL }, { 451, DELIVER_TEMPFAIL },
		{ 452, DELIVER_TEMPFAIL }, { 500, DELIVER_PERMFAIL },
		{ 550, DELIVER_PERMFAIL }, { 554, DELIVER_PERMFAIL },
		{ 599, DELIVER_PERMFAIL }, { 0, DELIVER_TEMPFAIL },
		{ 199, DELIVER_TEMPFAIL }, { 600, DELIVER_TEMPFAIL },
		{ -1, DELIVER_TEMPFAIL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (reply_classify(cases[i].code) != cases[i].r)
			fail_msg("code %d: %s, want %s", cases[i].code,
			    result_name(reply_classify(cases[i].code)),
			    result_name(cases[i].r));
	}
}

static void
test_password_file(void **state)
{
	static const struct {
		const char *data;
		mode_t mode;
		const char *pw;		/* NULL: refused with err */
		const char *err;	/* %s: the path */
	} cases[] = {
		{ "secret\n", 0600, "secret", NULL },
		{ "secret", 0400, "secret", NULL },
		{ "secret\r\n", 0600, "secret", NULL },
		{ "with space \n", 0600, "with space ", NULL },
		{ "secret\n", 0644, NULL, "password file %s is readable by "
		    "others than its owner (mode 0644): chmod 600 %s" },
		{ "secret\n", 0640, NULL, "password file %s is readable by "
		    "others than its owner (mode 0640): chmod 600 %s" },
		{ "secret\n", 0604, NULL, "password file %s is readable by "
		    "others than its owner (mode 0604): chmod 600 %s" },
		{ "secret\n", 0620, NULL, "password file %s grants access to "
		    "group or others (mode 0620): chmod 600 %s" },
		{ "secret\n", 0601, NULL, "password file %s grants access to "
		    "group or others (mode 0601): chmod 600 %s" },
		{ "", 0600, NULL, "password file %s is empty" },
		{ "\n", 0600, NULL, "password file %s is empty" },
		{ "secret\n\n", 0600, NULL, "password file %s holds more than "
		    "one line; it must hold the password alone" },
		{ "user\nsecret\n", 0600, NULL, "password file %s holds more "
		    "than one line; it must hold the password alone" },
	};
	char *path, *pw, *err, *want;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path = write_file("pw", cases[i].data, cases[i].mode);
		pw = err = NULL;
		if (cases[i].pw != NULL) {
			if (deliver_read_password(path, &pw, &err) != 0)
				fail_msg("case %zu: %s", i, err);
			assert_string_equal(pw, cases[i].pw);
			assert_null(err);
			/* check only */
			assert_int_equal(deliver_read_password(path, NULL,
			    &err), 0);
		} else {
			assert_int_equal(deliver_read_password(path, &pw,
			    &err), -1);
			assert_null(pw);
			want = subst(cases[i].err, path);
			assert_string_equal(err, want);
			free(want);
		}
		free(pw);
		free(err);
		unlink(path);
		free(path);
	}
}

static void
test_password_file_kinds(void **state)
{
	char *target, *link, *err = NULL, *pw = NULL, *want, *missing;

	(void)state;
	target = write_file("real", "secret\n", 0600);
	link = xasprintf("%s/link", tmp);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(deliver_read_password(link, &pw, &err), -1);
	want = xasprintf("password file %s is a symbolic link; name the file "
	    "itself", link);
	assert_string_equal(err, want);
	free(want);
	free(err);
	assert_int_equal(deliver_read_password(tmp, &pw, &err), -1);
	want = xasprintf("password file %s is not a regular file", tmp);
	assert_string_equal(err, want);
	free(want);
	free(err);
	missing = xasprintf("%s/missing", tmp);
	assert_int_equal(deliver_read_password(missing, &pw, &err), -1);
	want = xasprintf("cannot open password file %s: No such file or "
	    "directory", missing);
	assert_string_equal(err, want);
	free(want);
	free(err);
	assert_null(pw);
	free(missing);
	free(target);
	free(link);
}

static struct settings
smtp_settings(int port)
{
	struct settings s;

	memset(&s, 0, sizeof(s));
	s.sender_address = FROM;
	s.delivery = DELIVERY_SMTP;
	s.smtp_host = "127.0.0.1";
	s.smtp_port = port;
	s.tls = TLS_NONE;
	s.timeout = 5;
	return s;
}

static void
test_new_refuses(void **state)
{
	struct settings s = smtp_settings(587);
	char *err = NULL, *want;

	(void)state;
	/* password file readable by others */
	s.username = "bob";
	s.password_file = write_file("pw", "secret\n", 0644);
	assert_null(deliver_new(&s, &err));
	want = xasprintf("password file %s is readable by others than its "
	    "owner (mode 0644): "
	    "chmod 600 %s", s.password_file, s.password_file);
	assert_string_equal(err, want);
	free(want);
	free(err);
	free(s.password_file);

	/* a username, no password anywhere */
	s.password_file = NULL;
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_null(deliver_new(&s, &err));
	assert_string_equal(err, "username is set but there is no password: "
	    "set password_file in [delivery], or pass the systemd credential "
	    "smtp-password (LoadCredential=smtp-password:/path/to/file)");
	free(err);
	setenv("CREDENTIALS_DIRECTORY", tmp, 1);
	assert_null(deliver_new(&s, &err));
	want = xasprintf("username is set but there is no password: neither "
	    "password_file nor the credential %s/smtp-password exists", tmp);
	assert_string_equal(err, want);
	free(want);
	free(err);
	/* the shipped unit's fallback: a credential holding a newline */
	free(write_file("smtp-password", "\n", 0400));
	assert_null(deliver_new(&s, &err));
	want = xasprintf("username is set but the systemd credential "
	    "%s/smtp-password is empty: its LoadCredential= source file is "
	    "missing (the shipped unit reads /etc/touchbase/smtp-password: "
	    "create it, owner root, mode 0600) or set password_file", tmp);
	assert_string_equal(err, want);
	free(want);
	free(err);
	/* a credential readable by others is refused like a password file */
	free(write_file("smtp-password", "secret\n", 0644));
	assert_null(deliver_new(&s, &err));
	want = xasprintf("password file %s/smtp-password is readable by "
	    "others than its owner (mode 0644): chmod 600 %s/smtp-password",
	    tmp, tmp);
	assert_string_equal(err, want);
	free(want);
	free(err);

	/* tls = none for a remote host */
	s.username = NULL;
	s.smtp_host = "mail.example.org";
	assert_null(deliver_new(&s, &err));
	assert_string_equal(err, "tls = none is allowed only for a loopback "
	    "host (localhost, 127.0.0.1, ::1), not for mail.example.org: use "
	    "tls = required");
	free(err);
}

static struct settings
maildir_settings(const char *dir)
{
	struct settings s;

	memset(&s, 0, sizeof(s));
	s.sender_address = FROM;
	s.delivery = DELIVERY_MAILDIR;
	s.maildir = (char *)dir;
	s.bcc = BCC;
	return s;
}

static bool
exists(const char *fmt, const char *a)
{
	struct stat st;
	char *p = subst(fmt, a);
	bool r = stat(p, &st) == 0;

	free(p);
	return r;
}

/* CR/LF in an envelope address is refused before any backend. */
static void
test_addresses_checked_first(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\nx\r\n";
	struct deliver_reply r = { 0, NULL };
	struct deliverer *d;
	struct settings s;
	char *err = NULL, *md = xasprintf("%s/Maildir", tmp);

	(void)state;
	s = maildir_settings(md);
	d = deliver_new(&s, &err);
	assert_non_null(d);
	{
		const char *rcpts[] = { TO "\r\nRCPT TO:<evil@example.com>" };

		assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg,
		    strlen(msg), NULL, &r), DELIVER_PERMFAIL);
		assert_string_equal(r.text, "invalid recipient address "
		    "\"" TO "\\x0d\\x0aRCPT TO:<evil@example.com>\", not sent: "
		    "an e-mail address must not contain control characters or "
		    "line breaks");
		assert_int_equal(r.code, 0);
		deliver_reply_clear(&r);
	}
	{
		const char *rcpts[] = { TO, "archive@example.org\n" };

		assert_int_equal(deliver_send(d, FROM, rcpts, 2, msg,
		    strlen(msg), NULL, &r), DELIVER_PERMFAIL);
		deliver_reply_clear(&r);
	}
	{
		const char *rcpts[] = { "Anna <" TO ">" };

		assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg,
		    strlen(msg), NULL, &r), DELIVER_PERMFAIL);
		assert_non_null(strstr(r.text,
		    "is not a plain e-mail address"));
		deliver_reply_clear(&r);
	}
	{
		const char *rcpts[] = { TO };

		assert_int_equal(deliver_send(d, "sender@example.org\r\nDATA",
		    rcpts, 1, msg, strlen(msg), NULL, &r), DELIVER_CONFIG);
		assert_non_null(strstr(r.text, "invalid sender address"));
		deliver_reply_clear(&r);
		assert_int_equal(deliver_send(d, FROM, rcpts, 0, msg,
		    strlen(msg), NULL, &r), DELIVER_PERMFAIL);
		assert_string_equal(r.text, "no recipient, not sent");
		deliver_reply_clear(&r);
	}
	/* nothing reached the backend */
	assert_false(exists("%s", md));
	deliver_free(d);
	free(md);
}

static void
test_maildir(void **state)
{
	static const char msg[] = "From: <" FROM ">\r\nSubject: x\r\n\r\n"
	    "line 1\r\n.dot\r\nbare\nend\r\n";
	static const char want[] = "From: <" FROM ">\nSubject: x\n\n"
	    "line 1\n.dot\nbare\nend\n";
	struct deliver_reply r = { 0, NULL }, r2 = { 0, NULL };
	const char *rcpts[] = { TO, BCC };
	struct deliverer *d;
	struct settings s;
	struct stat st;
	regex_t re;
	char *err = NULL, *md = xasprintf("%s/a/b/Maildir", tmp);
	char *prefix, *got, *name;
	size_t len;

	(void)state;
	s = maildir_settings(md);
	d = deliver_new(&s, &err);
	assert_non_null(d);
	assert_int_equal(deliver_send(d, FROM, rcpts, 2, msg, strlen(msg),
	    NULL, &r), DELIVER_OK);
	assert_int_equal(r.code, 0);
	prefix = xasprintf("written to %s/new/", md);
	assert_int_equal(strncmp(r.text, prefix, strlen(prefix)), 0);
	name = r.text + strlen(prefix);
	assert_int_equal(regcomp(&re, "^[0-9]+\\.M[0-9]{6}P[0-9]+R[0-9a-f]{8}"
	    "Q[0-9]+\\.[^/:]+$", REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, name, 0, NULL, 0) != 0)
		fail_msg("unexpected Maildir name %s", name);
	regfree(&re);
	got = tsrv_read(r.text + strlen("written to "), &len);
	assert_non_null(got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(got);
	assert_int_equal(stat(r.text + strlen("written to "), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(md, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_true(exists("%s/cur", md));
	assert_true(exists("%s/tmp", md));
	{
		char *tdir = xasprintf("%s/tmp", md);
		DIR *dir = opendir(tdir);
		struct dirent *e;
		int n = 0;

		while ((e = readdir(dir)) != NULL)
			if (e->d_name[0] != '.')
				n++;
		closedir(dir);
		assert_int_equal(n, 0);		/* nothing left in tmp/ */
		free(tdir);
	}
	/* a second message gets a name of its own */
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    NULL, &r2), DELIVER_OK);
	assert_string_not_equal(r.text, r2.text);
	deliver_reply_clear(&r);
	deliver_reply_clear(&r2);
	deliver_free(d);
	free(prefix);
	free(md);
}

static void
test_maildir_unusable(void **state)
{
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO };
	struct deliverer *d;
	struct settings s;
	char *err = NULL, *file, *want;

	(void)state;
	file = write_file("notadir", "x", 0600);
	s = maildir_settings(file);
	d = deliver_new(&s, &err);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, "x\r\n", 3, NULL, &r), DELIVER_CONFIG);
	want = xasprintf("cannot create Maildir %s: Not a directory", file);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	deliver_free(d);
	free(file);
}

/* The configured bcc is a copy: refused, the greeting still goes. */
static void
test_smtp_bcc_copy(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\nx\r\n";
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO, "Archive@Example.org" };
	const char *args[] = { "--fail-rcpt", "550", "--fail-rcpt-to", BCC,
	    NULL };
	struct deliverer *d;
	struct settings s;
	struct tsrv t;
	char *err = NULL, *j;

	(void)state;
	tsrv_start(&t, args);
	s = smtp_settings(t.port);
	s.bcc = BCC;
	d = deliver_new(&s, &err);
	assert_non_null(d);
	assert_int_equal(deliver_send(d, FROM, rcpts, 2, msg, strlen(msg),
	    NULL, &r), DELIVER_OK);
	assert_string_equal(r.text, "250 2.0.0 OK: queued as T000001 (copy "
	    "to Archive@Example.org refused: 550 5.0.0 smtpd.py: injected "
	    "failure at RCPT)");
	deliver_reply_clear(&r);
	/* without the bcc setting, the same refusal fails the message */
	deliver_free(d);
	s.bcc = NULL;
	d = deliver_new(&s, &err);
	assert_int_equal(deliver_send(d, FROM, rcpts, 2, msg, strlen(msg),
	    NULL, &r), DELIVER_PERMFAIL);
	assert_int_equal(r.code, 550);
	deliver_reply_clear(&r);
	deliver_free(d);
	j = tsrv_message(&t, 1, "json", NULL);
	assert_non_null(strstr(j, "\"rcpt_tos\": [\n  \"" TO "\"\n ]"));
	free(j);
	assert_int_equal(tsrv_count(&t), 1);
	tsrv_stop(&t);
}

/* password_file unset, username set: $CREDENTIALS_DIRECTORY/smtp-password
 * is used, over STARTTLS with ca_file; a non-empty credential wins over
 * password_file, a blank one (the unit's fallback) does not. */
static void
test_smtp_credential(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\nx\r\n";
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO };
	struct deliverer *d;
	struct settings s;
	struct tsrv t;
	char *err = NULL, *certs, *cred, *pw, *ca, *cert, *key, *j;

	(void)state;
	certs = xasprintf("%s/certs", tmp);
	assert_int_equal(mkdir(certs, 0700), 0);
	assert_int_equal(tsrv_certs(certs), 0);
	cred = xasprintf("%s/creds", tmp);
	assert_int_equal(mkdir(cred, 0700), 0);
	pw = xasprintf("%s/smtp-password", cred);
	{
		FILE *fp = fopen(pw, "w");

		fputs("cr3dential\n", fp);
		fclose(fp);
		chmod(pw, 0400);
	}
	ca = xasprintf("%s/ca.pem", certs);
	cert = xasprintf("%s/server.pem", certs);
	key = xasprintf("%s/server.key", certs);
	tsrv_start(&t, (const char *[]){ "--tls-cert", cert, "--tls-key", key,
	    "--auth-user", "bob", "--auth-password-file", pw, NULL });
	setenv("CREDENTIALS_DIRECTORY", cred, 1);
	s = smtp_settings(t.port);
	s.tls = TLS_REQUIRED;
	s.username = "bob";
	s.ca_file = ca;
	d = deliver_new(&s, &err);
	if (d == NULL)
		fail_msg("deliver_new: %s", err);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    NULL, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	deliver_free(d);
	j = tsrv_message(&t, 1, "json", NULL);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"auth_user\": \"bob\""));
	assert_non_null(strstr(j, "\"tls\": true"));
	free(j);

	/* A non-empty credential wins over password_file (which the unit's
	 * transient user could not read). */
	s.password_file = write_file("pw-wrong", "wrong\n", 0600);
	d = deliver_new(&s, &err);
	if (d == NULL)
		fail_msg("deliver_new: %s", err);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    NULL, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	deliver_free(d);
	/* A blank credential (the unit's fallback) counts as none: the
	 * password_file decides, here a wrong one. */
	assert_int_equal(chmod(pw, 0600), 0);
	{
		FILE *fp = fopen(pw, "w");

		fputs("\n", fp);
		fclose(fp);
	}
	d = deliver_new(&s, &err);
	if (d == NULL)
		fail_msg("deliver_new: %s", err);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    NULL, &r), DELIVER_CONFIG);
	assert_non_null(strstr(r.text, "AUTH"));
	deliver_reply_clear(&r);
	deliver_free(d);
	free(s.password_file);
	assert_int_equal(tsrv_count(&t), 2);
	tsrv_stop(&t);
	free(certs);
	free(cred);
	free(pw);
	free(ca);
	free(cert);
	free(key);
}

/* Entries of dir whose name does not start with '.'. */
static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* One message per key: a resend after a crash finds it in new/ or, once
 * a reader has moved it, in cur/ with flags. */
static void
test_maildir_key(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\nbody\r\n";
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO };
	struct deliverer *d;
	struct settings s;
	char *err = NULL, *md = xasprintf("%s/Maildir", tmp);
	char *want, *newdir, *curdir, *from, *to;

	(void)state;
	newdir = xasprintf("%s/new", md);
	curdir = xasprintf("%s/cur", md);
	s = maildir_settings(md);
	d = deliver_new(&s, &err);
	assert_non_null(d);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    "42.20260301T0900-anna-birthday_x", &r), DELIVER_OK);
	want = xasprintf("written to %s/new/touchbase-42.20260301T0900-anna-"
	    "birthday_x", md);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	/* the same key again: not written twice */
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    "42.20260301T0900-anna-birthday_x", &r), DELIVER_OK);
	want = xasprintf("already in %s/new/touchbase-42.20260301T0900-anna-"
	    "birthday_x", md);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	assert_int_equal(count_files(newdir), 1);
	/* a reader moves it to cur/ and marks it seen */
	from = xasprintf("%s/touchbase-42.20260301T0900-anna-birthday_x",
	    newdir);
	to = xasprintf("%s/touchbase-42.20260301T0900-anna-birthday_x:2,S",
	    curdir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    "42.20260301T0900-anna-birthday_x", &r), DELIVER_OK);
	want = xasprintf("already in %s", to);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	assert_int_equal(count_files(newdir), 0);
	assert_int_equal(count_files(curdir), 1);
	/* a key that is only a prefix of the stored one is another key */
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    "42.20260301T0900-anna-birthday", &r), DELIVER_OK);
	want = xasprintf("written to %s/touchbase-42.20260301T0900-anna-"
	    "birthday", newdir);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	/* another key, another message; a key starting with '.' is no
	 * hidden file */
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    ".43", &r), DELIVER_OK);
	want = xasprintf("written to %s/touchbase-.43", newdir);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	assert_int_equal(count_files(newdir), 2);
	assert_int_equal(count_files(curdir), 1);
	{
		char *tdir = xasprintf("%s/tmp", md);

		assert_int_equal(count_files(tdir), 0);
		free(tdir);
	}
	/* no key (test-mail): a new file each time */
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    NULL, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    NULL, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	assert_int_equal(count_files(newdir), 4);
	deliver_free(d);
	free(from);
	free(to);
	free(newdir);
	free(curdir);
	free(md);
}

static void
test_bad_key(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\nbody\r\n";
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO };
	const char *bad[] = { "", "a/b", "a:2,S", "a b", "../x", "ä" };
	struct deliverer *d;
	struct settings s;
	char *err = NULL, *md = xasprintf("%s/Maildir", tmp), *k, *want;
	size_t i;

	(void)state;
	s = maildir_settings(md);
	d = deliver_new(&s, &err);
	assert_non_null(d);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg,
		    strlen(msg), bad[i], &r), DELIVER_PERMFAIL);
		assert_non_null(strstr(r.text, "invalid send-log key"));
		deliver_reply_clear(&r);
	}
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    "a\nb", &r), DELIVER_PERMFAIL);
	assert_string_equal(r.text, "invalid send-log key \"a\\x0ab\", not "
	    "sent: a key is 1 to 200 characters from A-Z a-z 0-9 . _ -");
	deliver_reply_clear(&r);
	k = xmalloc(202);
	memset(k, 'k', 201);
	k[201] = '\0';
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg), k,
	    &r), DELIVER_PERMFAIL);
	deliver_reply_clear(&r);
	k[200] = '\0';		/* 200 bytes: the longest allowed */
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg), k,
	    &r), DELIVER_OK);
	want = xasprintf("written to %s/new/touchbase-%s", md, k);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	free(k);
	deliver_free(d);
	free(md);
}

/* The EHLO name: the sender's domain, or [delivery] helo. */
static void
test_smtp_helo(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\nx\r\n";
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO };
	struct deliverer *d;
	struct settings s;
	struct tsrv t;
	char *err = NULL, *j;

	(void)state;
	tsrv_start(&t, NULL);
	s = smtp_settings(t.port);
	s.sender_domain = "example.org";
	d = deliver_new(&s, &err);
	assert_non_null(d);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    "1.key", &r), DELIVER_OK);
	deliver_reply_clear(&r);
	deliver_free(d);
	s.helo = "mx1.lindgruen.example";
	d = deliver_new(&s, &err);
	assert_non_null(d);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    "1.key", &r), DELIVER_OK);	/* SMTP ignores the key */
	deliver_reply_clear(&r);
	deliver_free(d);
	j = tsrv_message(&t, 1, "json", NULL);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"helo\": \"example.org\","));
	free(j);
	j = tsrv_message(&t, 2, "json", NULL);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"helo\": \"mx1.lindgruen.example\","));
	free(j);
	tsrv_stop(&t);
}

/* Nothing listens: the session fails, not the message. */
static void
test_smtp_refused_is_session(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\nx\r\n";
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO };
	struct deliverer *d;
	struct settings s;
	struct tsrv t;
	char *err = NULL;
	int port;

	(void)state;
	tsrv_start(&t, NULL);
	port = t.port;
	tsrv_stop(&t);
	s = smtp_settings(port);
	d = deliver_new(&s, &err);
	assert_non_null(d);
	assert_int_equal(deliver_send(d, FROM, rcpts, 1, msg, strlen(msg),
	    NULL, &r), DELIVER_SESSION);
	assert_int_equal(r.code, 0);
	deliver_reply_clear(&r);
	deliver_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_classify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_password_file_kinds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_new_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_addresses_checked_first,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_maildir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maildir_unusable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_smtp_bcc_copy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_smtp_credential, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_maildir_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smtp_helo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_smtp_refused_is_session,
		    setup, teardown),
	};

	/* The SMTP cases need the real server: without it the test fails,
	 * loudly, rather than skip and look passed. */
	if (!tsrv_available()) {
		fprintf(stderr, "test_deliver: FAILED: cannot run the test SMTP "
		    "server tests/smtpd.py (see above); install python3 and "
		    "python3-aiosmtpd (tests/deps.sh)\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
