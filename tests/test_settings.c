/*
 * test_settings.c - touchbase.ini: every key, every default, every
 * refusal with its exact message and line.
 *
 * Run from the repository root (as `make unit` does): the fixtures are
 * read from tests/fixtures/settings/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "holidays.h"
#include "settings.h"
#include "xalloc.h"

#define FIXTURES "tests/fixtures/settings"

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	if (b.data == NULL)
		buf_addc(&b, '\0'), b.len = 0;
	return buf_detach(&b, len);
}

/* All problems of d, one per line. */
static char *
diag_text(const struct diag *d)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(d, i);

		buf_addf(&b, "%s\n", s);
		free(s);
	}
	buf_adds(&b, "");
	return buf_detach(&b, NULL);
}

/* Loads text as "touchbase.ini"; returns the problems, *rc the result. */
static char *
load_text(const char *text, struct settings **out, int *rc)
{
	struct diag d;
	char *t;

	diag_init(&d);
	*rc = settings_load_buffer("touchbase.ini", text, strlen(text), out, &d);
	t = diag_text(&d);
	diag_free(&d);
	return t;
}

/* Expects text to fail with exactly the problems in want. */
static void
expect_fail(const char *text, const char *want)
{
	struct settings *s = (struct settings *)&s;	/* must stay untouched */
	int rc;
	char *got = load_text(text, &s, &rc);

	assert_int_equal(rc, -1);
	assert_ptr_equal(s, (struct settings *)&s);
	assert_string_equal(got, want);
	free(got);
}

static struct settings *
expect_ok(const char *text)
{
	struct settings *s = NULL;
	int rc;
	char *got = load_text(text, &s, &rc);

	assert_string_equal(got, "");
	assert_int_equal(rc, 0);
	assert_non_null(s);
	free(got);
	return s;
}

static void
test_good_every_key(void **state)
{
	struct settings *s = NULL;
	struct diag d;
	int region;

	(void)state;
	diag_init(&d);
	assert_int_equal(settings_load(FIXTURES "/good.ini", &s, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(s->path, FIXTURES "/good.ini");
	assert_string_equal(s->dir, FIXTURES);

	assert_string_equal(s->sender_name, "Atelier Lindgrün");
	assert_string_equal(s->sender_address, "hallo@lindgruen.example");
	assert_string_equal(s->sender_domain, "lindgruen.example");
	assert_string_equal(s->reply_to, "antwort@lindgruen.example");
	assert_string_equal(s->bcc, "archiv@lindgruen.example");
	assert_string_equal(s->language, "en");
	assert_int_equal(s->basis, BASIS_CONSENT);
	/* ';' right after a word is text, not a comment. */
	assert_string_equal(s->objection_notice,
	    "Keine Grüße mehr? Antworten Sie einfach;wir tragen Sie aus.");

	assert_string_equal(s->url, "smtps://mail.lindgruen.example:2465");
	assert_int_equal(s->delivery, DELIVERY_SMTPS);
	assert_null(s->maildir);
	assert_string_equal(s->smtp_host, "mail.lindgruen.example");
	assert_int_equal(s->smtp_port, 2465);
	assert_int_equal(s->tls, TLS_REQUIRED);
	assert_string_equal(s->username, "hallo@lindgruen.example");
	assert_string_equal(s->password_file, FIXTURES "/secret/smtp-password");
	assert_string_equal(s->ca_file, FIXTURES "/ca.pem");
	assert_int_equal(s->timeout, 45);
	assert_int_equal(s->nretry, 3);
	assert_int_equal(s->retry[0].seconds, 60);
	assert_int_equal(s->retry[1].seconds, 600);
	assert_int_equal(s->retry[2].seconds, 7200);	/* after a TAB */
	assert_int_equal(s->retry[2].months, 0);
	assert_int_equal(s->give_up_after, 2 * 86400);

	assert_string_equal(s->timezone, "America/New_York");
	assert_int_equal(s->window.start, 10 * 60 + 30);
	assert_int_equal(s->window.end, 16 * 60);
	assert_int_equal(s->weekdays, WEEKDAY_BIT(0) | WEEKDAY_BIT(2) |
	    WEEKDAY_BIT(4));
	assert_int_equal(holidays_parse_region("DE-BY", &region, NULL), 0);
	assert_int_equal(s->holidays, region);
	assert_int_equal(s->min_gap.seconds, 14 * 86400);
	assert_int_equal(s->min_gap.months, 0);
	assert_int_equal(s->daily_limit, 5);
	assert_int_equal(s->catch_up.seconds, 86400);

	assert_string_equal(s->clients, FIXTURES "/book/clients.conf");
	assert_string_equal(s->templates, "/srv/touchbase/templates");
	assert_string_equal(s->database, FIXTURES "/state/touchbase.db");

	assert_int_equal(s->line_password_file, 16);
	assert_int_equal(s->line_timezone, 23);
	assert_int_equal(s->line_language, 7);
	settings_free(s);
	diag_free(&d);
}

static void
test_defaults(void **state)
{
	struct settings *s = NULL;
	struct diag d;
	int region;

	(void)state;
	diag_init(&d);
	assert_int_equal(settings_load(FIXTURES "/minimal.ini", &s, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(s->sender_name, "");
	assert_string_equal(s->sender_address, "hallo@lindgruen.example");
	assert_null(s->reply_to);
	assert_null(s->bcc);
	assert_string_equal(s->language, "de");
	assert_int_equal(s->basis, BASIS_CUSTOMER);
	assert_null(s->objection_notice);
	assert_string_equal(s->url, "maildir:outbox");
	assert_int_equal(s->delivery, DELIVERY_MAILDIR);
	assert_string_equal(s->maildir, FIXTURES "/outbox");
	assert_null(s->smtp_host);
	assert_int_equal(s->tls, TLS_REQUIRED);
	assert_null(s->username);
	assert_null(s->password_file);
	assert_null(s->ca_file);
	assert_int_equal(s->timeout, 30);
	assert_null(s->helo);
	assert_int_equal(s->nretry, 5);
	assert_int_equal(s->retry[0].seconds, 5 * 60);
	assert_int_equal(s->retry[1].seconds, 15 * 60);
	assert_int_equal(s->retry[2].seconds, 3600);
	assert_int_equal(s->retry[3].seconds, 4 * 3600);
	assert_int_equal(s->retry[4].seconds, 12 * 3600);
	assert_int_equal(s->give_up_after, 3 * 86400);
	assert_string_equal(s->timezone, "Europe/Berlin");
	assert_int_equal(s->window.start, 9 * 60);
	assert_int_equal(s->window.end, 17 * 60);
	assert_int_equal(s->weekdays, WEEKDAYS_MON_FRI);
	assert_int_equal(holidays_parse_region("DE", &region, NULL), 0);
	assert_int_equal(s->holidays, region);
	assert_int_equal(s->min_gap.seconds, 21 * 86400);
	assert_int_equal(s->daily_limit, 20);
	assert_int_equal(s->catch_up.seconds, 3 * 86400);
	assert_string_equal(s->clients, FIXTURES "/clients.conf");
	assert_string_equal(s->templates, FIXTURES "/templates");
	assert_string_equal(s->database, "/var/lib/touchbase/touchbase.db");
	assert_int_equal(s->line_password_file, 0);
	assert_int_equal(s->line_timezone, 0);
	assert_int_equal(s->line_language, 0);
	settings_free(s);
	diag_free(&d);
}

/* Empty values are "not set": the defaults apply. */
static void
test_empty_values_are_defaults(void **state)
{
	struct settings *s;

	(void)state;
	s = expect_ok("[sender]\naddress = a@example.de\nreply_to =\n"
	    "language =   ; the default\n[delivery]\nurl =\nretry =\n"
	    "password_file = \n[schedule]\ndaily_limit =\n");
	assert_null(s->reply_to);
	assert_string_equal(s->language, "de");
	assert_string_equal(s->maildir, "outbox");
	assert_int_equal(s->nretry, 5);
	assert_null(s->password_file);
	assert_int_equal(s->line_password_file, 8);
	assert_int_equal(s->daily_limit, 20);
	settings_free(s);
}

static void
test_example_configuration(void **state)
{
	struct settings *s = NULL;
	struct diag d;
	int region;

	(void)state;
	diag_init(&d);
	assert_int_equal(settings_load("conf/touchbase.ini", &s, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(s->sender_name, "Atelier Lindgrün");
	assert_int_equal(s->delivery, DELIVERY_MAILDIR);
	assert_string_equal(s->maildir, "/var/lib/touchbase/outbox");
	assert_null(s->password_file);
	assert_null(s->reply_to);
	assert_string_equal(s->clients, "conf/clients.conf");
	assert_string_equal(s->templates, "conf/templates");
	assert_int_equal(holidays_parse_region("DE-BE", &region, NULL), 0);
	assert_int_equal(s->holidays, region);
	settings_free(s);
	diag_free(&d);
}

static void
test_inline_comments(void **state)
{
	struct settings *s;

	(void)state;
	s = expect_ok("[sender] ; the sender\n"
	    "name = Atelier ; Lindgrün\n"
	    "address = a@example.de ; me\n"
	    "language = en\t; English\n");
	assert_string_equal(s->sender_name, "Atelier");
	assert_string_equal(s->sender_address, "a@example.de");
	assert_string_equal(s->language, "en");
	settings_free(s);
	/* A ';' not after a blank is part of the value, so it is refused. */
	expect_fail("[sender]\naddress = a@example.de;b\n",
	    "touchbase.ini:2: address: 'a@example.de;b' is not an e-mail "
	    "address: ';' is not allowed in the domain\n");
	/* A '#' after a value is no comment (only ';' is). */
	expect_fail("[sender]\naddress = a@example.de # me\n",
	    "touchbase.ini:2: address: 'a@example.de # me' is not a plain "
	    "e-mail address: write only local@domain, without a display "
	    "name, quotes, spaces or <>\n");
}

static void
test_relative_paths(void **state)
{
	struct settings *s = NULL;
	struct diag d;
	const char *ini = "[sender]\naddress = a@example.de\n"
	    "[delivery]\nurl = maildir:../spool/out\n"
	    "password_file = pw\nca_file = /etc/ssl/certs/ca-certificates.crt\n"
	    "[paths]\nclients = sub/clients.conf\ntemplates = /srv/t\n";

	(void)state;
	diag_init(&d);
	assert_int_equal(settings_load_buffer("/etc/touchbase/touchbase.ini",
	    ini, strlen(ini), &s, &d), 0);
	assert_string_equal(s->dir, "/etc/touchbase");
	assert_string_equal(s->maildir, "/etc/touchbase/../spool/out");
	assert_string_equal(s->password_file, "/etc/touchbase/pw");
	assert_string_equal(s->ca_file, "/etc/ssl/certs/ca-certificates.crt");
	assert_string_equal(s->clients, "/etc/touchbase/sub/clients.conf");
	assert_string_equal(s->templates, "/srv/t");
	assert_string_equal(s->database, "/var/lib/touchbase/touchbase.db");
	settings_free(s);

	assert_int_equal(settings_load_buffer("/touchbase.ini", ini,
	    strlen(ini), &s, &d), 0);
	assert_string_equal(s->dir, "/");
	assert_string_equal(s->clients, "/sub/clients.conf");
	settings_free(s);

	assert_int_equal(settings_load_buffer("touchbase.ini", ini,
	    strlen(ini), &s, &d), 0);
	assert_string_equal(s->dir, ".");
	assert_string_equal(s->clients, "sub/clients.conf");
	settings_free(s);
	assert_int_equal(d.n, 0);
	diag_free(&d);
}

static void
test_tls_none(void **state)
{
	static const char *const loopback[] = {
		"smtp://127.0.0.1:2525", "smtp://[::1]:2525", "smtp://localhost",
		"smtp://LOCALHOST:25", "smtp://127.0.0.2:25", "smtp://localhost.",
		"smtp://127.255.0.1"
	};
	struct settings *s;
	char *ini;

	(void)state;
	for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
		ini = xasprintf("[sender]\naddress = a@example.de\n[delivery]\n"
		    "url = %s\ntls = none\n", loopback[i]);
		s = expect_ok(ini);
		assert_int_equal(s->tls, TLS_NONE);
		assert_int_equal(s->delivery, DELIVERY_SMTP);
		free(ini);
		settings_free(s);
	}
	s = expect_ok("[sender]\naddress = a@example.de\n[delivery]\n"
	    "url = smtp://[::1]:2525\ntls = none\n");
	assert_string_equal(s->smtp_host, "::1");
	assert_int_equal(s->smtp_port, 2525);
	settings_free(s);
	s = expect_ok("[sender]\naddress = a@example.de\n[delivery]\n"
	    "url = smtp://mail.example.de\n");
	assert_int_equal(s->smtp_port, 587);
	settings_free(s);
	s = expect_ok("[sender]\naddress = a@example.de\n[delivery]\n"
	    "url = smtps://mail.example.de\n");
	assert_int_equal(s->smtp_port, 465);
	settings_free(s);

	/* The order of url and tls does not matter; the line is tls's. */
	expect_fail("[sender]\naddress = a@example.de\n[delivery]\n"
	    "tls = none\nurl = smtp://10.0.0.1:25\n",
	    "touchbase.ini:4: tls = none is only allowed for a loopback host "
	    "(127.0.0.1, ::1 or localhost): messages and the password for "
	    "'10.0.0.1' would cross the network unencrypted; use tls = "
	    "required\n");
	expect_fail("[sender]\naddress = a@example.de\n[delivery]\n"
	    "url = smtp://localhost.example.de\ntls = none\n",
	    "touchbase.ini:5: tls = none is only allowed for a loopback host "
	    "(127.0.0.1, ::1 or localhost): messages and the password for "
	    "'localhost.example.de' would cross the network unencrypted; "
	    "use tls = required\n");
}

static void
test_unknown_key_suggestion(void **state)
{
	(void)state;
	expect_fail("[sender]\naddress = a@example.de\n\n[delivery]\n"
	    "pasword_file = /etc/touchbase/pw\n",
	    "touchbase.ini:5: unknown key 'pasword_file' in [delivery] "
	    "(did you mean 'password_file'?)\n");
	expect_fail("[sender]\nAddress = a@example.de\naddress = a@example.de\n",
	    "touchbase.ini:2: unknown key 'Address' in [sender] (did you "
	    "mean 'address'?)\n");
	expect_fail("[Sender]\naddress = a@example.de\n",
	    "touchbase.ini:1: unknown section [Sender] (did you mean "
	    "[sender]?)\n"
	    "touchbase.ini: [sender] address is missing; touchbase needs the "
	    "sender's e-mail address, e.g. address = hallo@example.de\n");
}

/* [delivery] helo: a DNS name or an address literal, nothing else. */
static void
test_helo(void **state)
{
	static const char *const good[] = { "mail.example.de", "localhost",
	    "xn--grn-ioa.example", "a-b.c", "[192.0.2.1]",
	    "[IPv6:2001:db8::1]" };
	static const char *const bad[] = { "mail server", "-a.example",
	    "a-.example", "a..b", "x.example.", ".x", "a_b.example",
	    "[1.2.3]", "[2001:db8::1]", "[IPv6:1.2.3.4]", "grün.example",
	    "a.b]" };
	struct settings *s;
	size_t i;
	char *text, *want;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		text = xasprintf("[sender]\naddress = a@example.de\n"
		    "[delivery]\nhelo = %s\n", good[i]);
		s = expect_ok(text);
		assert_string_equal(s->helo, good[i]);
		settings_free(s);
		free(text);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = xasprintf("[sender]\naddress = a@example.de\n"
		    "[delivery]\nhelo = %s\n", bad[i]);
		want = xasprintf("touchbase.ini:4: helo '%s' is not a host "
		    "name: write a DNS name such as mail.example.de, or an "
		    "address literal such as [192.0.2.1]\n", bad[i]);
		expect_fail(text, want);
		free(text);
		free(want);
	}
}

/* [inbox]: the three kinds of url, their defaults, and what is refused. */
static void
test_inbox(void **state)
{
	static const struct {
		const char *url;
		const char *want;
	} bad[] = {
		{ "pop3://mail.example.net", "touchbase.ini:4: [inbox] url "
		    "'pop3://mail.example.net' is not valid: use maildir:PATH, "
		    "imaps://host[:port]/FOLDER or imap://host[:port]/FOLDER "
		    "(STARTTLS)\n" },
		{ "imaps://anna:secret@mail.example.net/INBOX",
		    "touchbase.ini:4: [inbox] url must not contain a user name "
		    "or password (the part before '@'); set username and "
		    "password_file instead\n" },
		{ "imaps://mail.example.net:0/INBOX", "touchbase.ini:4: [inbox] "
		    "url 'imaps://mail.example.net:0/INBOX': the port must be a "
		    "number from 1 to 65535\n" },
		{ "imaps://mail.example.net/IN*BOX", "touchbase.ini:4: [inbox] "
		    "url 'imaps://mail.example.net/IN*BOX': folder 'IN*BOX' is "
		    "not usable: write 1-200 printable ASCII characters without "
		    "'\"', '\\', '*' or '%' (a name with other characters in "
		    "its modified UTF-7 form, as the server lists it)\n" },
		{ "maildir:", "touchbase.ini:4: [inbox] url 'maildir:' has no "
		    "folder; write maildir:PATH, e.g. maildir:/home/anna/"
		    "Maildir\n" },
	};
	struct settings *s;
	char *text;

	(void)state;
	s = expect_ok("[sender]\naddress = a@example.de\n");
	assert_int_equal(s->inbox, INBOX_NONE);
	assert_int_equal(s->inbox_every, 15 * 60);
	settings_free(s);

	s = expect_ok("[sender]\naddress = a@example.de\n[inbox]\n"
	    "url = imaps://[::1]/Archiv.2026\nusername = anna\n"
	    "check_every = 5min\nlookback = 30d\nsent = Gesendet\n");
	assert_int_equal(s->inbox, INBOX_IMAPS);
	assert_string_equal(s->inbox_host, "::1");
	assert_int_equal(s->inbox_port, 993);
	assert_string_equal(s->inbox_folder, "Archiv.2026");
	assert_string_equal(s->inbox_sent, "Gesendet");
	assert_false(s->inbox_sent_auto);
	assert_int_equal(s->inbox_every, 300);
	assert_int_equal(s->inbox_lookback, 30 * 86400);
	settings_free(s);

	s = expect_ok("[sender]\naddress = a@example.de\n[inbox]\n"
	    "url = imap://mail.example.net:1143\nusername = anna\n");
	assert_int_equal(s->inbox, INBOX_IMAP);
	assert_int_equal(s->inbox_port, 1143);
	assert_string_equal(s->inbox_folder, "INBOX");
	assert_true(s->inbox_sent_auto);
	assert_null(s->inbox_sent);
	settings_free(s);

	s = expect_ok("[sender]\naddress = a@example.de\n[inbox]\n"
	    "url = maildir:/srv/mail/anna\nsent =\n");
	assert_int_equal(s->inbox, INBOX_MAILDIR);
	assert_string_equal(s->inbox_maildir, "/srv/mail/anna");
	assert_false(s->inbox_sent_auto);
	assert_null(s->inbox_sent);
	settings_free(s);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = xasprintf("[sender]\naddress = a@example.de\n[inbox]\n"
		    "url = %s\nusername = anna\n", bad[i].url);
		expect_fail(text, bad[i].want);
		free(text);
	}
	expect_fail("[sender]\naddress = a@example.de\n[inbox]\n"
	    "url = imaps://mail.example.net\n",
	    "touchbase.ini:4: [inbox] url names an IMAP server but username "
	    "is not set; set username (and password_file, or the systemd "
	    "credential imap-password)\n");
	expect_fail("[sender]\naddress = a@example.de\n[inbox]\n"
	    "url = maildir:m\ncheck_every = 10s\nlookback = 2h\n",
	    "touchbase.ini:5: check_every must be from 1min to 7d\n"
	    "touchbase.ini:6: lookback must be from 1d to 10 years (3660d)\n");
}

/* Every problem is reported, each with its own line. */
static void
test_all_problems_reported(void **state)
{
	(void)state;
	expect_fail("[sender]\n"
	    "address = a@example.de\n"
	    "langauge = de\n"
	    "[delivery]\n"
	    "timeout = 0s\n"
	    "[schedule]\n"
	    "daily_limit = -3\n"
	    "timezone = Mars/Olympus\n"
	    "[paths]\n"
	    "clients = a.conf\n"
	    "clients = b.conf\n",
	    "touchbase.ini:3: unknown key 'langauge' in [sender] (did you "
	    "mean 'language'?)\n"
	    "touchbase.ini:11: 'clients' in [paths] is set twice (first on "
	    "line 10)\n"
	    "touchbase.ini:5: timeout must be from 1s to 1h\n"
	    "touchbase.ini:8: timezone: unknown time zone 'Mars/Olympus' (no "
	    "file /usr/share/zoneinfo/Mars/Olympus); use an IANA name such "
	    "as Europe/Berlin\n"
	    "touchbase.ini:7: daily_limit '-3' is not valid: use a whole "
	    "number of at least 1\n");
}

/* A BOM, CRLF line ends and a last line without a newline. */
static void
test_bom_crlf(void **state)
{
	struct settings *s;

	(void)state;
	s = expect_ok("\xef\xbb\xbf[sender]\r\nname = Atelier\r\n"
	    "address = a@example.de\r\n[schedule]\r\ndaily_limit = 7");
	assert_string_equal(s->sender_name, "Atelier");
	assert_int_equal(s->daily_limit, 7);
	settings_free(s);
	expect_fail("\xef\xbb\xbf[sender]\r\naddress = a@example.de\r\n"
	    "frob = 1\r\n",
	    "touchbase.ini:3: unknown key 'frob' in [sender]; valid keys: "
	    "name, address, reply_to, bcc, language, basis, "
	    "objection_notice, form\n");
}

/* Lines longer than inih's buffer (200 bytes) keep their value and do
 * not shift the line numbers after them. */
static void
test_long_line(void **state)
{
	struct settings *s;
	struct buf b, notice;
	char *got;
	int rc;

	(void)state;
	buf_init(&notice);
	for (int i = 0; i < 30; i++)
		buf_addf(&notice, "Satz %02d. ", i);
	notice.data[--notice.len] = '\0';
	buf_init(&b);
	buf_addf(&b, "[sender]\naddress = a@example.de\n; %s\n"
	    "objection_notice = %s   ; long\n", notice.data, notice.data);
	s = expect_ok(b.data);
	assert_true(strlen(s->objection_notice) > 250);
	assert_string_equal(s->objection_notice, notice.data);
	settings_free(s);

	buf_adds(&b, "bcc = nope\n");
	got = load_text(b.data, &s, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "touchbase.ini:5: bcc: 'nope' is not an "
	    "e-mail address: it needs exactly one '@', as in "
	    "anna@example.de\n");
	free(got);
	buf_free(&b);
	buf_free(&notice);
}

/* bcc is for SMTP: with a Maildir, which keeps every message already,
 * check says so (a warning; the settings load). */
static void
test_bcc_maildir(void **state)
{
	struct settings *s = NULL;
	char *got;
	int rc;

	(void)state;
	got = load_text("[sender]\naddress = a@example.de\n"
	    "bcc = archiv@example.de\n[delivery]\nurl = maildir:out\n", &s,
	    &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "touchbase.ini:3: warning: bcc has no effect "
	    "with maildir: delivery: every message is already kept in the "
	    "Maildir (bcc applies to smtp:// and smtps://)\n");
	assert_string_equal(s->bcc, "archiv@example.de");
	free(got);
	settings_free(s);
	s = NULL;
	got = load_text("[sender]\naddress = a@example.de\n"
	    "bcc = archiv@example.de\n[delivery]\n"
	    "url = smtp://mail.example.de\n", &s, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "");
	free(got);
	settings_free(s);
}

/* Every tests/fixtures/settings/bad-*.ini fails with exactly the lines of
 * its .expect file; these files also drive tests/e2e/check_fixtures.sh. */
static void
test_bad_fixtures(void **state)
{
	DIR *dir;
	struct dirent *e;
	int count = 0;

	(void)state;
	if ((dir = opendir(FIXTURES)) == NULL)
		fail_msg("cannot open %s (run from the repository root)",
		    FIXTURES);
	while ((e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name), len;
		struct settings *s = (struct settings *)&s;
		struct diag d;
		char *ini, *want, *got, *path;

		if (strncmp(e->d_name, "bad-", 4) != 0 || n < 5 ||
		    strcmp(e->d_name + n - 4, ".ini") != 0)
			continue;
		path = xasprintf("%s/%s", FIXTURES, e->d_name);
		ini = slurp(path, &len);
		free(path);
		path = xasprintf("%s/%.*s.expect", FIXTURES, (int)(n - 4),
		    e->d_name);
		want = slurp(path, NULL);
		free(path);
		diag_init(&d);
		if (settings_load_buffer("touchbase.ini", ini, len, &s, &d) != -1)
			fail_msg("%s loaded", e->d_name);
		assert_ptr_equal(s, (struct settings *)&s);
		got = diag_text(&d);
		if (strcmp(got, want) != 0)
			fail_msg("%s:\n got: %s want: %s", e->d_name, got, want);
		assert_int_equal(d.n, 1);	/* one problem per fixture */
		diag_free(&d);
		free(got);
		free(want);
		free(ini);
		count++;
	}
	closedir(dir);
	assert_true(count >= 45);
}

/* Every tests/fixtures/settings/pw-MODE.ini names a password file that
 * is made here with that mode: check reports exactly its .expect line
 * (tests/e2e/check_fixtures.sh runs the same files through check). */
static void
test_password_fixtures(void **state)
{
	char tmp[] = "/tmp/test_settings.XXXXXX", cwd[4096];
	DIR *dir;
	struct dirent *e;
	int count = 0;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(tmp));
	assert_non_null(dir = opendir(FIXTURES));
	while ((e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name), len;
		struct settings *s = NULL;
		struct diag d;
		char *ini, *want, *got, *path;
		FILE *fp;

		if (strncmp(e->d_name, "pw-", 3) != 0 || n != 11 ||
		    strcmp(e->d_name + 7, ".ini") != 0)
			continue;
		path = xasprintf("%s/%s", FIXTURES, e->d_name);
		ini = slurp(path, &len);
		free(path);
		path = xasprintf("%s/%.7s.expect", FIXTURES, e->d_name);
		want = slurp(path, NULL);
		free(path);
		assert_int_equal(chdir(tmp), 0);
		assert_non_null(fp = fopen("smtp-password", "w"));
		fputs("geheim\n", fp);
		fclose(fp);
		assert_int_equal(chmod("smtp-password",
		    (mode_t)strtol(e->d_name + 3, NULL, 8)), 0);
		diag_init(&d);
		assert_int_equal(settings_load_buffer("touchbase.ini", ini, len,
		    &s, &d), 0);
		assert_int_equal(settings_check_password_file(s, &d), -1);
		got = diag_text(&d);
		assert_string_equal(got, want);
		assert_int_equal(chmod("smtp-password", 0600), 0);
		assert_int_equal(settings_check_password_file(s, &d), 0);
		assert_int_equal(d.n, 1);
		unlink("smtp-password");
		assert_int_equal(chdir(cwd), 0);
		settings_free(s);
		diag_free(&d);
		free(got);
		free(want);
		free(ini);
		count++;
	}
	closedir(dir);
	rmdir(tmp);
	assert_true(count >= 5);
}

static void
test_load_missing_file(void **state)
{
	struct settings *s = NULL;
	struct diag d;
	char *t;

	(void)state;
	diag_init(&d);
	assert_int_equal(settings_load(FIXTURES "/no-such.ini", &s, &d), -1);
	assert_null(s);
	t = diag_text(&d);
	assert_string_equal(t, FIXTURES "/no-such.ini: cannot read: No such "
	    "file or directory\n");
	free(t);
	diag_free(&d);
}

static void
test_password_file(void **state)
{
	char dir[] = "/tmp/test_settings.XXXXXX";
	struct settings s;
	struct diag d;
	char *pw, *t, *want;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	pw = xasprintf("%s/pw", dir);
	memset(&s, 0, sizeof(s));
	s.path = "touchbase.ini";
	s.line_password_file = 16;
	diag_init(&d);

	assert_int_equal(settings_check_password_file(&s, &d), 0);
	assert_int_equal(d.n, 0);

	s.password_file = pw;
	assert_int_equal(settings_check_password_file(&s, &d), -1);
	t = diag_text(&d);
	want = xasprintf("touchbase.ini:16: password file %s cannot be "
	    "used: No such file or directory\n", pw);
	assert_string_equal(t, want);
	free(t);
	free(want);
	diag_free(&d);

	assert_non_null(fp = fopen(pw, "w"));
	fputs("geheim\n", fp);
	fclose(fp);
	static const struct {
		mode_t mode;
		const char *what;
	} cases[] = {
		{ 0644, "is readable by others than its owner (mode 0644)" },
		{ 0604, "is readable by others than its owner (mode 0604)" },
		{ 0640, "is readable by others than its owner (mode 0640)" },
		{ 0602, "grants access to group or others (mode 0602)" },
		{ 0620, "grants access to group or others (mode 0620)" },
		{ 0610, "grants access to group or others (mode 0610)" },
		{ 0601, "grants access to group or others (mode 0601)" },
		{ 0700 | 01, "grants access to group or others (mode 0701)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(chmod(pw, cases[i].mode), 0);
		diag_init(&d);
		assert_int_equal(settings_check_password_file(&s, &d), -1);
		t = diag_text(&d);
		want = xasprintf("touchbase.ini:16: password file %s %s: "
		    "chmod 600 %s\n", pw, cases[i].what, pw);
		assert_string_equal(t, want);
		free(t);
		free(want);
		diag_free(&d);
	}
	for (mode_t m = 0400; m <= 0700; m += 0100) {
		assert_int_equal(chmod(pw, m), 0);
		diag_init(&d);
		assert_int_equal(settings_check_password_file(&s, &d), 0);
		assert_int_equal(d.n, 0);
		diag_free(&d);
	}

	s.password_file = dir;
	diag_init(&d);
	assert_int_equal(settings_check_password_file(&s, &d), -1);
	t = diag_text(&d);
	want = xasprintf("touchbase.ini:16: password file %s is not a "
	    "regular file\n", dir);
	assert_string_equal(t, want);
	free(t);
	free(want);
	diag_free(&d);

	unlink(pw);
	rmdir(dir);
	free(pw);
}

static void
test_basis(void **state)
{
	enum basis b;

	(void)state;
	assert_int_equal(settings_parse_basis("consent", &b), 0);
	assert_int_equal(b, BASIS_CONSENT);
	assert_int_equal(settings_parse_basis("personal", &b), 0);
	assert_int_equal(b, BASIS_PERSONAL);
	assert_int_equal(settings_parse_basis("customer", &b), 0);
	assert_int_equal(b, BASIS_CUSTOMER);
	assert_int_equal(settings_parse_basis("Customer", &b), -1);
	assert_string_equal(settings_basis_name(BASIS_CONSENT), "consent");
	assert_string_equal(settings_basis_name(BASIS_CUSTOMER), "customer");
	assert_string_equal(settings_basis_name(BASIS_PERSONAL), "personal");
}

static void
test_default_path(void **state)
{
	(void)state;
	setenv("TOUCHBASE_CONFIG", "/srv/tb.ini", 1);
	assert_string_equal(settings_default_path("x.ini"), "x.ini");
	assert_string_equal(settings_default_path(NULL), "/srv/tb.ini");
	setenv("TOUCHBASE_CONFIG", "", 1);
	assert_string_equal(settings_default_path(NULL),
	    SYSCONFDIR "/touchbase/touchbase.ini");
	unsetenv("TOUCHBASE_CONFIG");
	assert_string_equal(settings_default_path(NULL),
	    SYSCONFDIR "/touchbase/touchbase.ini");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_every_key),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_values_are_defaults),
		cmocka_unit_test(test_example_configuration),
		cmocka_unit_test(test_inline_comments),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_tls_none),
		cmocka_unit_test(test_unknown_key_suggestion),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_helo),
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_password_fixtures),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_basis),
		cmocka_unit_test(test_bcc_maildir),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_inbox),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
