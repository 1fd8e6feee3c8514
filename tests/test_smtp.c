/*
 * test_smtp.c - the SMTP backend against tests/smtpd.py, a real server
 * on 127.0.0.1 with injected faults: the libcurl 7.88 traps, TLS, AUTH,
 * outcomes and connection reuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "buf.h"
#include "deliver.h"
#include "log.h"
#include "smtp.h"
#include "smtpd_helper.h"
#include "xalloc.h"

static char *certs;		/* folder with ca.pem, server.pem, server.key */
static char *certs2;		/* a second, unrelated CA and certificate */
static char *other;		/* other.pem/other.key: a certificate for
				   other.example, signed by certs' CA */

#define FROM	"sender@example.org"
#define TO	"anna@example.net"
#define BCC	"archive@example.org"
#define HELO	"mail.example.org"

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
message(int n)
{
	return xasprintf("From: <" FROM ">\r\nTo: <" TO ">\r\n"
	    "Subject: test %d\r\n\r\nbody %d\r\n", n, n);
}

static struct smtp_params
params(const struct tsrv *t)
{
	struct smtp_params p;

	memset(&p, 0, sizeof(p));
	p.host = "127.0.0.1";
	p.helo = HELO;
	p.port = t->port;
	p.tls = false;
	p.timeout = 5;
	p.final_timeout = 5;
	return p;
}

static struct smtp *
new_smtp(const struct smtp_params *p)
{
	char *err = NULL;
	struct smtp *s = smtp_new(p, &err);

	if (s == NULL)
		fail_msg("smtp_new: %s", err);
	return s;
}

/* Sends message n to TO; returns the result, reply in r. */
static enum deliver_result
send_one(struct smtp *s, int n, struct deliver_reply *r)
{
	const char *rcpts[] = { TO };
	char *m = message(n);
	enum deliver_result res;

	res = smtp_send(s, FROM, rcpts, 1, 1, m, strlen(m), r);
	free(m);
	return res;
}

#define START(t, ...) do {						\
	const char *args_[] = { __VA_ARGS__ };				\
	tsrv_start((t), args_);						\
} while (0)

static void
assert_json_has(const struct tsrv *t, int seq, const char *needle)
{
	char *j = tsrv_message(t, seq, "json", NULL);

	if (j == NULL)
		fail_msg("message %d was not stored", seq);
	if (strstr(j, needle) == NULL)
		fail_msg("message %d: no %s in %s", seq, needle, j);
	free(j);
}

/* ---- pure helpers ---- */

static void
test_crlf(void **state)
{
	static const struct {
		const char *in, *out;
		bool clean;
	} cases[] = {
		{ "", "", true },
		{ "a\r\nb\r\n", "a\r\nb\r\n", true },
		{ "a\nb\n", "a\r\nb\r\n", false },
		{ "a\rb\r\n", "a\r\nb\r\n", false },
		{ "a\r\n\nb", "a\r\n\r\nb\r\n", false },
		{ "a\r\nb", "a\r\nb\r\n", false },
		{ "x\n.\ny\n", "x\r\n.\r\ny\r\n", false },
		{ "\n", "\r\n", false },
		{ "\r", "\r\n", false },
		{ "a\r\r\n", "a\r\n\r\n", false },
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b);
		assert_int_equal(smtp_crlf_clean(cases[i].in,
		    strlen(cases[i].in)), cases[i].clean);
		smtp_crlf_normalize(&b, cases[i].in, strlen(cases[i].in));
		assert_int_equal(b.len, strlen(cases[i].out));
		assert_memory_equal(b.len ? b.data : "", cases[i].out, b.len);
		assert_true(smtp_crlf_clean(b.len ? b.data : "", b.len));
		buf_free(&b);
	}
}

static void
test_tls_none_needs_loopback(void **state)
{
	struct smtp_params p;
	char *err = NULL;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.host = "mail.example.org";
	p.port = 25;
	p.tls = false;
	p.timeout = 5;
	assert_null(smtp_new(&p, &err));
	assert_string_equal(err, "tls = none is allowed only for a loopback "
	    "host (localhost, 127.0.0.1, ::1), not for mail.example.org: use "
	    "tls = required");
	free(err);
}

/* ---- against the server ---- */

static void
test_batch_one_connection(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;
	char *exp, *got;
	size_t len;
	int i;

	(void)state;
	START(&t, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 5 });
	for (i = 1; i <= 3; i++) {
		char want[64];

		assert_int_equal(send_one(s, i, &r), DELIVER_OK);
		assert_int_equal(r.code, 250);
		snprintf(want, sizeof(want), "250 2.0.0 OK: queued as T%06d",
		    i);
		assert_string_equal(r.text, want);
		deliver_reply_clear(&r);
	}
	smtp_free(s);
	assert_int_equal(tsrv_count(&t), 3);
	for (i = 1; i <= 3; i++) {
		assert_json_has(&t, i, "\"connection\": 1,");
		assert_json_has(&t, i, "\"mail_from\": \"" FROM "\"");
		assert_json_has(&t, i, "\"rcpt_tos\": [\n  \"" TO "\"\n ]");
		exp = message(i);
		got = tsrv_message(&t, i, "eml", &len);
		assert_int_equal(len, strlen(exp));
		assert_memory_equal(got, exp, len);
		free(exp);
		free(got);
	}
	got = tsrv_events_wait(&t, "disconnect 1\n");
	assert_string_equal(got, "connect 1\naccept 1 1\naccept 1 2\n"
	    "accept 1 3\ndisconnect 1\n");
	free(got);
	tsrv_stop(&t);
}

/* libcurl stuffs only CRLF "."; bare LF is made CRLF first, so a lone
 * "\n.\n" can neither end the message early nor reach the server. */
static void
test_lf_and_dots(void **state)
{
	static const char in[] = "Subject: dots\n\n.first\nx\n.\ny\r\n..two\n"
	    "last";
	static const char want[] = "Subject: dots\r\n\r\n.first\r\nx\r\n.\r\n"
	    "y\r\n..two\r\nlast\r\n";
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO };
	struct tsrv t;
	struct smtp *s;
	size_t len;
	char *got;

	(void)state;
	START(&t, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 5 });
	assert_int_equal(smtp_send(s, FROM, rcpts, 1, 1, in, strlen(in), &r),
	    DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	got = tsrv_message(&t, 1, "eml", &len);
	assert_non_null(got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(got);
	tsrv_stop(&t);
}

static void
check_fault(const char *opt, const char *val, enum deliver_result want,
    int code, const char *text)
{
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;
	char *ev;

	START(&t, opt, val, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 5 });
	assert_int_equal(send_one(s, 1, &r), want);
	assert_int_equal(r.code, code);
	assert_string_equal(r.text, text);
	deliver_reply_clear(&r);
	assert_int_equal(tsrv_count(&t), 0);
	/* The next message goes through, on a fresh connection. */
	assert_int_equal(send_one(s, 2, &r), DELIVER_OK);
	assert_string_equal(r.text, "250 2.0.0 OK: queued as T000001");
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"connection\": 2,");
	assert_json_has(&t, 1, "\"late\": false");
	ev = tsrv_events(&t);
	assert_non_null(strstr(ev, "connect 2\n"));
	free(ev);
	tsrv_stop(&t);
}

static void
test_rcpt_550(void **state)
{
	(void)state;
	check_fault("--fail-rcpt", "550:1", DELIVER_PERMFAIL, 550,
	    "550 5.0.0 smtpd.py: injected failure at RCPT");
}

static void
test_rcpt_450(void **state)
{
	(void)state;
	check_fault("--fail-rcpt", "450:1", DELIVER_TEMPFAIL, 450,
	    "450 4.0.0 smtpd.py: injected failure at RCPT");
}

/* libcurl: CURLE_WEIRD_SERVER_REPLY, the code only in RESPONSE_CODE. */
static void
test_data_451(void **state)
{
	(void)state;
	check_fault("--fail-data", "451:1", DELIVER_TEMPFAIL, 451,
	    "451 4.0.0 smtpd.py: injected failure at DATA");
}

static void
test_data_554(void **state)
{
	(void)state;
	check_fault("--fail-data", "554:1", DELIVER_PERMFAIL, 554,
	    "554 5.0.0 smtpd.py: injected failure at DATA");
}

/* The sender refused: every message would fail alike. */
static void
test_mail_553_is_config(void **state)
{
	char *want;

	(void)state;
	/* the port is only known once started: compare the fixed parts */
	{
		struct deliver_reply r = { 0, NULL };
		struct tsrv t;
		struct smtp *s;

		START(&t, "--fail-mail", "553:1", NULL);
		s = new_smtp(&(struct smtp_params){ .helo = HELO,
		    .host = "127.0.0.1", .port = t.port, .timeout = 5 });
		assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
		assert_int_equal(r.code, 553);
		want = xasprintf("127.0.0.1:%d refuses the sender address "
		    FROM ": 553 5.0.0 smtpd.py: injected failure at MAIL",
		    t.port);
		assert_string_equal(r.text, want);
		free(want);
		deliver_reply_clear(&r);
		assert_int_equal(send_one(s, 2, &r), DELIVER_OK);
		deliver_reply_clear(&r);
		smtp_free(s);
		tsrv_stop(&t);
	}
}

static void
test_mail_552_is_permfail(void **state)
{
	(void)state;
	check_fault("--fail-mail", "552:1", DELIVER_PERMFAIL, 552,
	    "552 5.0.0 smtpd.py: injected failure at MAIL");
}

static void
test_drop_during_data(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;

	(void)state;
	START(&t, "--drop-during-data=1", NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 5 });
	assert_int_equal(send_one(s, 1, &r), DELIVER_TEMPFAIL);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.text, "127.0.0.1:"));
	deliver_reply_clear(&r);
	assert_int_equal(send_one(s, 2, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_int_equal(tsrv_count(&t), 1);
	assert_json_has(&t, 1, "\"connection\": 2,");
	tsrv_stop(&t);
}

/*
 * The late-reply trap: the reply to the final dot comes after the final
 * timeout.  libcurl 7.88 keeps the connection; reused, the next MAIL FROM
 * would read that late "250 … queued" as its own answer and everything
 * after would be off by one.  The next message must go on a new
 * connection and be answered by its own reply.
 */
static void
test_late_reply_after_timeout(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;
	int64_t t0, el;
	char *want, *eml;

	(void)state;
	START(&t, "--slow-data", "3:1", NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 1, .final_timeout = 1 });
	t0 = now_ms();
	assert_int_equal(send_one(s, 1, &r), DELIVER_TEMPFAIL);
	el = now_ms() - t0;
	assert_true(el >= 900 && el < 2500);
	want = xasprintf("timeout: 127.0.0.1:%d did not answer the end of "
	    "the message within 1 s", t.port);
	assert_string_equal(r.text, want);
	free(want);
	assert_int_equal(r.code, 0);
	deliver_reply_clear(&r);
	assert_int_equal(send_one(s, 2, &r), DELIVER_OK);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.text, "250 2.0.0 OK: queued as T000001");
	deliver_reply_clear(&r);
	assert_int_equal(send_one(s, 3, &r), DELIVER_OK);
	assert_string_equal(r.text, "250 2.0.0 OK: queued as T000002");
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"connection\": 2,");
	assert_json_has(&t, 2, "\"connection\": 2,");
	eml = tsrv_message(&t, 1, "eml", NULL);
	assert_non_null(strstr(eml, "Subject: test 2\r\n"));
	free(eml);
	tsrv_stop(&t);
}

/* Any reply but the last one is bounded by `timeout`. */
static void
test_rcpt_timeout(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;
	int64_t t0, el;
	char *want;

	(void)state;
	START(&t, "--slow-rcpt", "4:1", NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 1, .final_timeout = 600 });
	t0 = now_ms();
	assert_int_equal(send_one(s, 1, &r), DELIVER_TEMPFAIL);
	el = now_ms() - t0;
	assert_true(el >= 900 && el < 3000);
	want = xasprintf("timeout: 127.0.0.1:%d did not answer RCPT TO "
	    "within 1 s", t.port);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	assert_int_equal(send_one(s, 2, &r), DELIVER_OK);
	assert_string_equal(r.text, "250 2.0.0 OK: queued as T000001");
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"connection\": 2,");
	tsrv_stop(&t);
}

/* CR/LF in an envelope address never reaches libcurl (which would send
 * it as is, a second command). */
static void
test_crlf_in_recipient(void **state)
{
	const char *bad[] = { "anna@example.net\r\nRCPT TO:<evil@example.com>",
	    "anna@example.net>", "anna @example.net", "", "änna@example.net" };
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;
	char *m = message(1), *ev;
	size_t i;

	(void)state;
	START(&t, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 5 });
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *rcpts[] = { bad[i] };

		assert_int_equal(smtp_send(s, FROM, rcpts, 1, 1, m, strlen(m),
		    &r), DELIVER_PERMFAIL);
		assert_string_equal(r.text, "invalid recipient address, not "
		    "sent");
		deliver_reply_clear(&r);
	}
	{
		const char *rcpts[] = { TO };

		assert_int_equal(smtp_send(s, "a@b\nRSET", rcpts, 1, 1, m,
		    strlen(m), &r), DELIVER_CONFIG);
		deliver_reply_clear(&r);
	}
	smtp_free(s);
	ev = tsrv_events(&t);
	assert_string_equal(ev, "");
	free(ev);
	free(m);
	tsrv_stop(&t);
}

static void
test_bcc_is_extra_recipient(void **state)
{
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO, BCC };
	struct tsrv t;
	struct smtp *s;
	char *m = message(1);

	(void)state;
	START(&t, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 5 });
	assert_int_equal(smtp_send(s, FROM, rcpts, 2, 1, m, strlen(m), &r),
	    DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"rcpt_tos\": [\n  \"" TO "\",\n  \"" BCC
	    "\"\n ]");
	free(m);
	tsrv_stop(&t);
}

/* A refused copy does not stop the greeting. */
static void
test_bcc_refused(void **state)
{
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO, BCC };
	struct tsrv t;
	struct smtp *s;
	char *m = message(1);

	(void)state;
	START(&t, "--fail-rcpt", "550", "--fail-rcpt-to", BCC, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 5 });
	assert_int_equal(smtp_send(s, FROM, rcpts, 2, 1, m, strlen(m), &r),
	    DELIVER_OK);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.text, "250 2.0.0 OK: queued as T000001 (copy "
	    "to " BCC " refused: 550 5.0.0 smtpd.py: injected failure at "
	    "RCPT)");
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"rcpt_tos\": [\n  \"" TO "\"\n ]");
	free(m);
	tsrv_stop(&t);
}

/* A refused own recipient fails the message even though the copy was
 * accepted: the copy alone must not get it. */
static void
test_primary_refused_copy_accepted(void **state)
{
	struct deliver_reply r = { 0, NULL };
	const char *rcpts[] = { TO, BCC };
	struct tsrv t;
	struct smtp *s;
	char *m = message(1);

	(void)state;
	START(&t, "--fail-rcpt", "550:1", "--fail-rcpt-to", TO, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = t.port, .timeout = 5 });
	assert_int_equal(smtp_send(s, FROM, rcpts, 2, 1, m, strlen(m), &r),
	    DELIVER_PERMFAIL);
	assert_int_equal(r.code, 550);
	assert_string_equal(r.text, "550 5.0.0 smtpd.py: injected failure at "
	    "RCPT");
	deliver_reply_clear(&r);
	assert_int_equal(tsrv_count(&t), 0);
	assert_int_equal(smtp_send(s, FROM, rcpts, 2, 1, m, strlen(m), &r),
	    DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_int_equal(tsrv_count(&t), 1);
	free(m);
	tsrv_stop(&t);
}

static void
test_connection_refused(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;
	int port;

	(void)state;
	START(&t, NULL);
	port = t.port;
	tsrv_stop(&t);		/* nothing listens there now */
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = port, .timeout = 5 });
	assert_int_equal(send_one(s, 1, &r), DELIVER_SESSION);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.text, "127.0.0.1"));
	deliver_reply_clear(&r);
	smtp_free(s);
}

/* ---- TLS and AUTH ---- */

static char *
certfile(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
start_tls(struct tsrv *t, const char *dir, const char *const *more)
{
	const char *args[TSRV_MAXARGS];
	char *cert = certfile(dir, "server.pem"), *key = certfile(dir,
	    "server.key");
	size_t n = 0;

	args[n++] = "--tls-cert";
	args[n++] = cert;
	args[n++] = "--tls-key";
	args[n++] = key;
	while (more != NULL && *more != NULL)
		args[n++] = *more++;
	args[n] = NULL;
	tsrv_start(t, args);
	free(cert);
	free(key);
}

static char *
write_password(const char *dir, const char *pw)
{
	char *path = xasprintf("%s/pw", dir);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fprintf(fp, "%s\n", pw);
	fclose(fp);
	return path;
}

static void
test_starttls_auth(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *pwdir, *pw, *ca, *ev;

	(void)state;
	pwdir = tsrv_mkdtemp();
	pw = write_password(pwdir, "s3cret pass");
	ca = certfile(certs, "ca.pem");
	start_tls(&t, certs, (const char *[]){ "--auth-user", "bob",
	    "--auth-password-file", pw, NULL });
	p = params(&t);
	p.tls = true;
	p.ca_file = ca;
	p.username = "bob";
	p.password = "s3cret pass";
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	assert_int_equal(send_one(s, 2, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"tls\": true,");
	assert_json_has(&t, 1, "\"auth_user\": \"bob\",");
	assert_json_has(&t, 2, "\"connection\": 1,");
	ev = tsrv_events_wait(&t, "disconnect 1\n");
	assert_string_equal(ev, "connect 1\nauth 1 bob ok\naccept 1 1\n"
	    "accept 1 2\ndisconnect 1\n");
	free(ev);
	tsrv_stop(&t);

	/* wrong password: a configuration problem, said clearly */
	start_tls(&t, certs, (const char *[]){ "--auth-user", "bob",
	    "--auth-password-file", pw, NULL });
	p = params(&t);
	p.tls = true;
	p.ca_file = ca;
	p.username = "bob";
	p.password = "wrong";
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
	assert_int_equal(r.code, 535);
	{
		char *want = xasprintf("AUTH refused by 127.0.0.1:%d for user "
		    "'bob': 535 5.7.8 Authentication credentials invalid: "
		    "check username and the password", t.port);

		assert_string_equal(r.text, want);
		free(want);
	}
	assert_null(strstr(r.text, "wrong"));
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_int_equal(tsrv_count(&t), 0);
	tsrv_stop(&t);

	/* AUTH required, no username: 530 at MAIL FROM */
	start_tls(&t, certs, (const char *[]){ "--auth-user", "bob",
	    "--auth-password-file", pw, NULL });
	p = params(&t);
	p.tls = true;
	p.ca_file = ca;
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
	assert_int_equal(r.code, 530);
	{
		char *want = xasprintf("127.0.0.1:%d requires authentication "
		    "(530 5.7.0 Authentication required): set username and "
		    "password_file in [delivery]", t.port);

		assert_string_equal(r.text, want);
		free(want);
	}
	deliver_reply_clear(&r);
	smtp_free(s);
	tsrv_stop(&t);

	tsrv_rmtree(pwdir);
	free(pwdir);
	free(pw);
	free(ca);
}

/* Even the debug log (touchbased -v) never shows the password, in clear
 * or in base64 (AUTH PLAIN "\0bob\0s3cret pass", AUTH LOGIN). */
static void
test_password_never_logged(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *pwdir, *pw, *ca, *logpath, *log;
	int saved, fd;

	(void)state;
	pwdir = tsrv_mkdtemp();
	pw = write_password(pwdir, "s3cret pass");
	ca = certfile(certs, "ca.pem");
	logpath = xasprintf("%s/log", pwdir);
	start_tls(&t, certs, (const char *[]){ "--auth-user", "bob",
	    "--auth-password-file", pw, NULL });
	p = params(&t);
	p.tls = true;
	p.ca_file = ca;
	p.username = "bob";
	p.password = "s3cret pass";
	fflush(stderr);
	saved = dup(2);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	log_init("test_smtp", 1);
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_init("test_smtp", 0);
	log = tsrv_read(logpath, NULL);
	assert_non_null(strstr(log, "smtp > MAIL FROM:<" FROM ">"));
	assert_non_null(strstr(log, "smtp < 235 2.7.0 Authentication "
	    "successful"));
	assert_null(strstr(log, "s3cret"));
	assert_null(strstr(log, "AGJvYgBzM2NyZXQgcGFzcw"));	/* PLAIN */
	assert_null(strstr(log, "czNjcmV0IHBhc3M"));		/* LOGIN */
	free(log);
	tsrv_stop(&t);
	tsrv_rmtree(pwdir);
	free(pwdir);
	free(pw);
	free(ca);
	free(logpath);
}

static void
test_no_starttls_is_config(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *ca = certfile(certs, "ca.pem"), *want;

	(void)state;
	start_tls(&t, certs, (const char *[]){ "--no-starttls", NULL });
	p = params(&t);
	p.tls = true;
	p.ca_file = ca;
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
	want = xasprintf("127.0.0.1:%d does not offer STARTTLS: refusing to "
	    "send in clear (tls = none is allowed only for a loopback host)",
	    t.port);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_int_equal(tsrv_count(&t), 0);
	want = tsrv_events_wait(&t, "disconnect 1\n");
	assert_string_equal(want, "connect 1\ndisconnect 1\n");
	free(want);
	tsrv_stop(&t);
	free(ca);
}

/* Verification is never off: without the CA the server is refused. */
static void
test_unknown_ca_is_config(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *ca2 = certfile(certs2, "ca.pem");

	(void)state;
	start_tls(&t, certs, NULL);
	p = params(&t);
	p.tls = true;
	s = new_smtp(&p);	/* system CAs only */
	assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
	assert_non_null(strstr(r.text, "cannot be verified"));
	assert_non_null(strstr(r.text, "set ca_file"));
	deliver_reply_clear(&r);
	smtp_free(s);
	p.ca_file = ca2;	/* the wrong CA */
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_int_equal(tsrv_count(&t), 0);
	tsrv_stop(&t);
	free(ca2);
}

/* ca_file adds to the CA folder (the system's, /etc/ssl/certs, by
 * default) rather than replacing it: here the folder holds the CA that
 * signed the server, ca_file an unrelated one. */
static void
test_ca_file_adds(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *ca2 = certfile(certs2, "ca.pem"), *cadir, *cmd;

	(void)state;
	cadir = xasprintf("%s/capath", certs);
	cmd = xasprintf("mkdir -p '%s' && cp '%s/ca.pem' '%s/' && "
	    "openssl rehash '%s' >/dev/null 2>&1", cadir, certs, cadir, cadir);
	if (tsrv_run((const char *[]){ "/bin/sh", "-c", cmd, NULL }) != 0)
		skip();
	start_tls(&t, certs, NULL);
	p = params(&t);
	p.tls = true;
	p.ca_file = ca2;
	p.ca_path = cadir;
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"tls\": true,");
	tsrv_stop(&t);
	free(ca2);
	free(cadir);
	free(cmd);
}

static void
test_smtps(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *ca = certfile(certs, "ca.pem");

	(void)state;
	start_tls(&t, certs, (const char *[]){ "--smtps", NULL });
	p = params(&t);
	p.implicit_tls = true;
	p.tls = true;
	p.ca_file = ca;
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"tls\": true,");
	tsrv_stop(&t);
	free(ca);
}

/* A TLS connection dropped after an error reply at DATA, then reused. */
static void
test_starttls_fault_then_fresh(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *ca = certfile(certs, "ca.pem");

	(void)state;
	start_tls(&t, certs, (const char *[]){ "--fail-data", "451:1",
	    NULL });
	p = params(&t);
	p.tls = true;
	p.ca_file = ca;
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_TEMPFAIL);
	assert_int_equal(r.code, 451);
	deliver_reply_clear(&r);
	assert_int_equal(send_one(s, 2, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	assert_int_equal(send_one(s, 3, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"connection\": 2,");
	assert_json_has(&t, 2, "\"connection\": 2,");
	assert_json_has(&t, 2, "\"tls\": true,");
	tsrv_stop(&t);
	free(ca);
}

/* tls = none to a loopback server that requires STARTTLS: 530. */
static void
test_plain_to_starttls_server(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;
	char *want;

	(void)state;
	start_tls(&t, certs, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "localhost",
	    .port = t.port, .timeout = 5 });
	assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
	assert_int_equal(r.code, 530);
	want = xasprintf("localhost:%d requires STARTTLS (530 Must issue a "
	    "STARTTLS command first): set tls = required", t.port);
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	smtp_free(s);
	tsrv_stop(&t);
}

/* The EHLO name is the one given, a host name or an address literal. */
static void
test_helo_name(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct tsrv t;
	struct smtp *s;

	(void)state;
	START(&t, NULL);
	s = new_smtp(&(struct smtp_params){ .helo = "lindgruen.example",
	    .host = "127.0.0.1", .port = t.port, .timeout = 5 });
	assert_int_equal(send_one(s, 1, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	s = new_smtp(&(struct smtp_params){ .helo = "[127.0.0.1]",
	    .host = "127.0.0.1", .port = t.port, .timeout = 5 });
	assert_int_equal(send_one(s, 2, &r), DELIVER_OK);
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_json_has(&t, 1, "\"helo\": \"lindgruen.example\",");
	assert_json_has(&t, 2, "\"helo\": \"[127.0.0.1]\",");
	tsrv_stop(&t);
}

static void
test_helo_required(void **state)
{
	char *err = NULL;

	(void)state;
	assert_null(smtp_new(&(struct smtp_params){ .host = "127.0.0.1",
	    .port = 25, .timeout = 5 }, &err));
	assert_string_equal(err, "no usable name for EHLO: set [delivery] "
	    "helo or the sender address");
	free(err);
	assert_null(smtp_new(&(struct smtp_params){ .helo = "a\r\nRSET",
	    .host = "127.0.0.1", .port = 25, .timeout = 5 }, &err));
	free(err);
}

/* A wrong password is tried once: one connection, one AUTH, no retry. */
static void
test_auth_refused_once(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *pwdir, *pw, *ca, *ev;

	(void)state;
	pwdir = tsrv_mkdtemp();
	pw = write_password(pwdir, "s3cret pass");
	ca = certfile(certs, "ca.pem");
	start_tls(&t, certs, (const char *[]){ "--auth-user", "bob",
	    "--auth-password-file", pw, NULL });
	p = params(&t);
	p.tls = true;
	p.ca_file = ca;
	p.username = "bob";
	p.password = "wrong";
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
	assert_int_equal(r.code, 535);
	deliver_reply_clear(&r);
	smtp_free(s);
	ev = tsrv_events_wait(&t, "disconnect 1\n");
	assert_string_equal(ev, "connect 1\nauth 1 bob fail\ndisconnect 1\n");
	free(ev);
	assert_int_equal(tsrv_count(&t), 0);
	tsrv_stop(&t);
	tsrv_rmtree(pwdir);
	free(pwdir);
	free(pw);
	free(ca);
}

/* A listener that accepts (the kernel's backlog) and never speaks. */
static void
test_no_greeting_is_session(void **state)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct deliver_reply r = { 0, NULL };
	struct smtp *s;
	char *want;
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	s = new_smtp(&(struct smtp_params){ .helo = HELO, .host = "127.0.0.1",
	    .port = ntohs(sin.sin_port), .timeout = 1, .final_timeout = 1 });
	assert_int_equal(send_one(s, 1, &r), DELIVER_SESSION);
	assert_int_equal(r.code, 0);
	want = xasprintf("timeout: 127.0.0.1:%d did not answer the greeting "
	    "within 1 s", ntohs(sin.sin_port));
	assert_string_equal(r.text, want);
	free(want);
	deliver_reply_clear(&r);
	smtp_free(s);
	close(fd);
}

/* TLS spoken to a server that does not: the handshake fails. */
static void
test_tls_handshake_failure_is_session(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *ca = certfile(certs, "ca.pem"), *ev;

	(void)state;
	START(&t, NULL);
	p = params(&t);
	p.implicit_tls = true;
	p.tls = true;
	p.ca_file = ca;
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_SESSION);
	assert_int_equal(r.code, 0);
	deliver_reply_clear(&r);
	smtp_free(s);
	ev = tsrv_events_wait(&t, "disconnect 1\n");
	assert_string_equal(ev, "connect 1\ndisconnect 1\n");
	free(ev);
	tsrv_stop(&t);
	free(ca);
}

/* A certificate from the right CA for another name: verification fails,
 * a configuration problem. */
static void
test_wrong_name_cert_is_config(void **state)
{
	struct deliver_reply r = { 0, NULL };
	struct smtp_params p;
	struct tsrv t;
	struct smtp *s;
	char *ca = certfile(certs, "ca.pem"), *ev;

	(void)state;
	start_tls(&t, other, NULL);
	p = params(&t);
	p.tls = true;
	p.ca_file = ca;
	s = new_smtp(&p);
	assert_int_equal(send_one(s, 1, &r), DELIVER_CONFIG);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.text, "cannot be verified"));
	deliver_reply_clear(&r);
	smtp_free(s);
	assert_int_equal(tsrv_count(&t), 0);
	ev = tsrv_events_wait(&t, "disconnect 1\n");
	assert_string_equal(ev, "connect 1\ndisconnect 1\n");
	free(ev);
	tsrv_stop(&t);
	free(ca);
}

/* other/server.pem for other.example, signed by the CA in certs. */
static int
make_other_cert(void)
{
	char *cmd;
	int rc;

	other = tsrv_mkdtemp();
	cmd = xasprintf("cd '%s' && cp '%s/ca.pem' ca.pem && "
	    "openssl req -newkey rsa:2048 -nodes -subj /CN=other.example "
	    "-keyout server.key -out server.csr >/dev/null 2>&1 && "
	    "printf 'subjectAltName=DNS:other.example\\n' >ext.cnf && "
	    "openssl x509 -req -in server.csr -CA '%s/ca.pem' "
	    "-CAkey '%s/ca.key' -CAcreateserial -days 2 -extfile ext.cnf "
	    "-out server.pem >/dev/null 2>&1", other, certs, certs, certs);
	rc = tsrv_run((const char *[]){ "/bin/sh", "-c", cmd, NULL });
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static int
group_setup(void **state)
{
	(void)state;
	certs = tsrv_mkdtemp();
	certs2 = tsrv_mkdtemp();
	if (tsrv_certs(certs) == -1 || tsrv_certs(certs2) == -1 ||
	    make_other_cert() == -1) {
		fprintf(stderr, "cannot make test certificates\n");
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	tsrv_rmtree(certs);
	tsrv_rmtree(certs2);
	tsrv_rmtree(other);
	free(certs);
	free(certs2);
	free(other);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_crlf, tsrv_stop_all),
		cmocka_unit_test_teardown(test_tls_none_needs_loopback,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_batch_one_connection,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_lf_and_dots, tsrv_stop_all),
		cmocka_unit_test_teardown(test_rcpt_550, tsrv_stop_all),
		cmocka_unit_test_teardown(test_rcpt_450, tsrv_stop_all),
		cmocka_unit_test_teardown(test_data_451, tsrv_stop_all),
		cmocka_unit_test_teardown(test_data_554, tsrv_stop_all),
		cmocka_unit_test_teardown(test_mail_553_is_config,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_mail_552_is_permfail,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_drop_during_data, tsrv_stop_all),
		cmocka_unit_test_teardown(test_late_reply_after_timeout,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_rcpt_timeout, tsrv_stop_all),
		cmocka_unit_test_teardown(test_crlf_in_recipient,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_bcc_is_extra_recipient,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_bcc_refused, tsrv_stop_all),
		cmocka_unit_test_teardown(test_primary_refused_copy_accepted,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_connection_refused,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_starttls_auth, tsrv_stop_all),
		cmocka_unit_test_teardown(test_password_never_logged,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_no_starttls_is_config,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_unknown_ca_is_config,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_ca_file_adds, tsrv_stop_all),
		cmocka_unit_test_teardown(test_smtps, tsrv_stop_all),
		cmocka_unit_test_teardown(test_starttls_fault_then_fresh,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_plain_to_starttls_server,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_helo_name, tsrv_stop_all),
		cmocka_unit_test_teardown(test_helo_required, tsrv_stop_all),
		cmocka_unit_test_teardown(test_auth_refused_once,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_no_greeting_is_session,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_tls_handshake_failure_is_session,
		    tsrv_stop_all),
		cmocka_unit_test_teardown(test_wrong_name_cert_is_config,
		    tsrv_stop_all),
	};

	/* These tests need the real server: without it they fail, loudly,
	 * rather than skip and look passed. */
	if (!tsrv_available()) {
		fprintf(stderr, "test_smtp: FAILED: cannot run the test SMTP "
		    "server tests/smtpd.py (see above); install python3 and "
		    "python3-aiosmtpd (tests/deps.sh)\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
