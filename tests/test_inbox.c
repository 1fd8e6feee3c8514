/*
 * test_inbox.c - what a mail makes touchbase record, mail by mail.
 *
 * Every tests/fixtures/mail/NAME.eml is scanned alone (a Maildir of its
 * own) against one send log and one book, in the order below, and must
 * print exactly the lines of NAME.expect (empty: no record).  Then the
 * pure parser (mailparse.h) on its own: dates, subjects, addresses, DSN
 * fields, huge and hostile headers.
 *
 * Run from the repository root (as `make unit` does).
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "inbox.h"
#include "ledger.h"
#include "mailparse.h"
#include "xalloc.h"

#define FIXTURES	"tests/fixtures/mail"
#define NOW		1796299200LL	/* 2026-12-03 12:00 UTC */
#define SENT		1795165200LL	/* 2026-11-20 09:00 UTC */

static char dir[64];

static void
write_file(const char *name, const char *text, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
	free(p);
}

static int
setup(void **state)
{
	static const char ini[] =
	    "[sender]\nname = Atelier\naddress = hallo@lindgruen.example\n"
	    "[delivery]\nurl = maildir:outbox\n"
	    "[paths]\ndatabase = tb.db\n"
	    "[inbox]\nurl = maildir:mail\n";
	static const char book[] =
	    "occasions = ( { name = \"checkin\"; kind = \"casual\"; "
	    "every = \"4w\"; template = \"t\"; } );\n"
	    "defaults = { occasions = [\"checkin\"]; };\n"
	    "clients = (\n"
	    "  { id = \"anna\"; name = \"Anna\"; email = \"anna@example.org\"; },\n"
	    "  { id = \"dora\"; name = \"Dora\"; email = \"dora@example.org\"; },\n"
	    "  { id = \"emil\"; name = \"Emil\"; email = \"emil@example.org\"; }\n"
	    ");\n";
	char *t;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_inbox.XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file("touchbase.ini", ini, sizeof(ini) - 1);
	write_file("clients.conf", book, sizeof(book) - 1);
	t = xasprintf("%s/templates", dir);
	assert_int_equal(mkdir(t, 0700), 0);
	free(t);
	write_file("templates/t.de.txt", "Subject: Hallo\n\nHallo\n", 22);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static struct config *
load(void)
{
	struct config *c = NULL;
	struct diag d;
	char *path = xasprintf("%s/touchbase.ini", dir);

	diag_init(&d);
	if (config_load(path, &c, &d) == -1) {
		diag_print(&d, stderr);
		fail_msg("config_load failed");
	}
	diag_free(&d);
	free(path);
	return c;
}

/* The send log: greetings to anna (1), dora (2) and emil (3). */
static struct ledger *
ledger_with_rows(void)
{
	struct ledger *l = NULL;
	char *p = xasprintf("%s/tb.db", dir), *err = NULL, *sql;
	sqlite3 *db;

	if (ledger_open(p, LEDGER_READWRITE, &l, &err) == -1)
		fail_msg("%s", err);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	sql = xasprintf("INSERT INTO messages (client, occasion, occurrence,"
	    " status, due, created, updated, attempts, to_addr, message_id)"
	    " VALUES ('anna', 'checkin', 'checkin/2026-11-20', 'sent', %lld,"
	    " %lld, %lld, 1, 'anna@example.org', '<a1@lindgruen.example>'),"
	    " ('dora', 'checkin', 'checkin/2026-11-20', 'sent', %lld, %lld,"
	    " %lld, 1, 'dora@example.org', '<d1@lindgruen.example>'),"
	    " ('emil', 'checkin', 'checkin/2026-11-20', 'sent', %lld, %lld,"
	    " %lld, 1, 'emil@example.org', '<e1@lindgruen.example>')",
	    SENT, SENT, SENT, SENT, SENT, SENT, SENT, SENT, SENT);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	sqlite3_close(db);
	free(p);
	return l;
}

/* Scans a Maildir holding only data; returns the printed lines. */
static char *
scan_one(struct config *c, struct ledger *l, const char *name,
    const char *data, size_t len)
{
	struct inbox_result res;
	enum inbox_fail fail;
	struct buf out;
	char *err = NULL, *md, *sub;

	md = xasprintf("%s/md-%s", dir, name);
	assert_int_equal(mkdir(md, 0700), 0);
	for (int i = 0; i < 3; i++) {
		sub = xasprintf("%s/%s", md, i == 0 ? "cur" : i == 1 ? "new" :
		    "tmp");
		assert_int_equal(mkdir(sub, 0700), 0);
		free(sub);
	}
	sub = xasprintf("md-%s/cur/1.M1P1.test:2,S", name);
	write_file(sub, data, len);
	free(sub);
	free(c->settings->inbox_maildir);
	c->settings->inbox_maildir = md;
	c->settings->inbox_sent_auto = false;
	if (inbox_scan(c, l, NOW, false, &res, &fail, &err) == -1)
		fail_msg("%s: %s", name, err);
	buf_init(&out);
	buf_adds(&out, "");
	for (size_t i = 0; i < res.nlines; i++)
		buf_addf(&out, "%s\n", res.lines[i]);
	inbox_result_clear(&res);
	return buf_detach(&out, NULL);
}

static void
test_fixtures(void **state)
{
	static const char *const names[] = {
		"encoded-8bit", "encoded-unsubscribe", "no-message-id",
		"duplicate-message-id", "duplicate-message-id-again",
		"folded", "malformed-mime", "malformed-mime-unclosed",
		"dsn-not-in-send-log", "dsn-by-recipient", "dsn-delivered",
		"auto-reply", "bad-date", "future-date", "stranger",
		"stranger-unsubscribe", "header-injection", "own-message",
		NULL
	};
	struct config *c = load();
	struct ledger *l = ledger_with_rows();

	(void)state;
	for (size_t i = 0; names[i] != NULL; i++) {
		struct buf eml, want;
		char *p, *got;

		buf_init(&eml);
		buf_init(&want);
		p = xasprintf(FIXTURES "/%s.eml", names[i]);
		assert_int_equal(buf_read_file(&eml, p, 1 << 20), 0);
		free(p);
		p = xasprintf(FIXTURES "/%s.expect", names[i]);
		assert_int_equal(buf_read_file(&want, p, 1 << 20), 0);
		free(p);
		buf_addc(&want, '\0');
		got = scan_one(c, l, names[i], eml.data, eml.len);
		if (strcmp(got, want.data) != 0)
			fail_msg("%s: got\n%s\nwant\n%s", names[i], got,
			    want.data);
		free(got);
		buf_free(&eml);
		buf_free(&want);
	}

	/* What the fixtures left in the send log. */
	struct ledger_entry e;
	struct ledger_attempt *a = NULL;
	size_t na = 0;
	char *err = NULL;
	int64_t when;

	assert_int_equal(ledger_get(l, 2, &e, &a, &na, &err), 0);
	assert_int_equal(e.status, ST_BOUNCED);
	assert_string_equal(e.dsn_status, "5.1.1");
	assert_string_equal(e.dsn_diag, "smtp; 550 no such user");
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);
	assert_int_equal(ledger_get(l, 1, &e, &a, &na, &err), 0);
	assert_int_equal(e.status, ST_SENT);
	/* folded.eml, 2026-12-02 11:00 +0100. */
	assert_int_equal(e.replied, 1796205600LL);
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);
	assert_int_equal(ledger_bounced_of(l, "dora", "dora@EXAMPLE.ORG",
	    &when, &err), 0);
	assert_int_equal(when, 1796212800LL);	/* 2026-12-02 12:00 UTC */
	assert_int_equal(ledger_bounced_of(l, "dora", "Dora@example.org",
	    &when, &err), 0);
	assert_int_equal(when, HISTORY_NONE);	/* another local part */
	assert_int_equal(ledger_optout_of(l, "dora", NULL, &when, &err), 0);
	assert_int_equal(when, 1796119200LL);	/* 2026-12-01 11:00 +0100 */

	ledger_close(l);
	config_free(c);
}

/* --- the parser alone ------------------------------------------------ */

static void
parse(const char *text, struct mail *m)
{
	mailparse_message(text, strlen(text), m);
}

static void
test_dates(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(mailparse_date("Thu, 3 Dec 2026 12:00:00 +0000", &t),
	    0);
	assert_int_equal(t, NOW);
	assert_int_equal(mailparse_date("3 Dec 2026 13:00 +0100", &t), 0);
	assert_int_equal(t, NOW);
	assert_int_equal(mailparse_date("Thu, 03 Dec 26 07:00:00 EST", &t), 0);
	assert_int_equal(t, NOW);
	assert_int_equal(mailparse_date("Thu,  3 Dec 2026 12:00:00 GMT "
	    "(comment)", &t), 0);
	assert_int_equal(t, NOW);
	assert_int_equal(mailparse_date("Thu, 31 Feb 2026 12:00:00 +0000",
	    &t), -1);
	assert_int_equal(mailparse_date("Thu, 3 Dez 2026 12:00:00 +0000", &t),
	    -1);
	assert_int_equal(mailparse_date("", &t), -1);
	assert_int_equal(mailparse_date("Thu, 3 Dec 2026 25:00:00 +0000", &t),
	    -1);
}

static void
test_unsubscribe(void **state)
{
	(void)state;
	assert_true(mailparse_is_unsubscribe("unsubscribe"));
	assert_true(mailparse_is_unsubscribe(" UNSUBSCRIBE "));
	assert_true(mailparse_is_unsubscribe("Re: AW: Fwd: unsubscribe"));
	assert_true(mailparse_is_unsubscribe("re:unsubscribe"));
	assert_true(mailparse_is_unsubscribe("=?UTF-8?Q?unsubscribe?="));
	assert_false(mailparse_is_unsubscribe("unsubscribe me"));
	assert_false(mailparse_is_unsubscribe("Please unsubscribe"));
	assert_false(mailparse_is_unsubscribe(""));
	assert_false(mailparse_is_unsubscribe("Re: "));
}

static void
test_addresses_and_ids(void **state)
{
	struct mail m;

	(void)state;
	parse("From: \"Müller, Anna\" (privat) <anna@example.org>\r\n"
	    "To: a@example.org, \"b, c\" <b@example.org>, undisclosed:;,\r\n"
	    "  team: x@example.org, y@example.org;\r\n"
	    "Cc: (nobody) z@example.org (at home)\r\n"
	    "Message-ID: <  not an id >, <ok-1@example.org>\r\n"
	    "In-Reply-To: <r1@x.example> (the first)\r\n"
	    "References: <r0@x.example> <r1@x.example> <noat>\r\n"
	    "\r\nbody", &m);
	assert_string_equal(m.from, "anna@example.org");
	assert_int_equal(m.nto, 5);
	assert_string_equal(m.to[0], "a@example.org");
	assert_string_equal(m.to[1], "b@example.org");
	assert_string_equal(m.to[2], "x@example.org");
	assert_string_equal(m.to[3], "y@example.org");
	assert_string_equal(m.to[4], "z@example.org");
	assert_string_equal(m.message_id, "<ok-1@example.org>");
	assert_false(m.message_id_dup);
	assert_int_equal(m.nrefs, 2);
	assert_string_equal(m.refs[0], "<r1@x.example>");
	assert_string_equal(m.refs[1], "<r0@x.example>");
	assert_false(m.is_dsn);
	assert_int_equal(m.date, INT64_MIN);
	mailparse_clear(&m);

	/* Nothing printable-less survives: an address with a control or
	 * 8-bit byte is no address. */
	parse("From: <an\x01na@example.org>\nTo: <b\xc3\xa4r@example.org>\n"
	    "Message-ID: <a\x7f@b>\n\n", &m);
	assert_null(m.from);
	assert_int_equal(m.nto, 0);
	assert_null(m.message_id);
	mailparse_clear(&m);
}

static void
test_dsn_fields(void **state)
{
	struct mail m;

	(void)state;
	parse("Content-Type: Multipart/Report; Report-Type=\"delivery-status\";"
	    " boundary=\"=_b\"\n\n"
	    "preamble\n--=_b\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx\nOriginal-Envelope-Id: env-7\n\n"
	    "Final-Recipient: rfc822; a@example.org\nAction: FAILED\n"
	    "Status: 5.7.1 (refused)\nDiagnostic-Code: smtp; 550\n 5.7.1 no\n\n"
	    "Final-Recipient: rfc822; b@example.org\nAction: delayed\n"
	    "Status: 4.4.7\n\n"
	    "Final-Recipient: rfc822; c@example.org\nAction: failed\n"
	    "Status: 5.1\n\n"
	    /* an action with nothing before its ';': no recipient kept */
	    "Final-Recipient: rfc822; d@example.org\nAction: ;o1\n"
	    "--=_b\nContent-Type: message/rfc822\n\nMessage-ID: <o@x.example>\n"
	    "\n--=_b--\n", &m);
	assert_true(m.is_dsn);
	assert_string_equal(m.orig_envelope_id, "env-7");
	assert_string_equal(m.orig_message_id, "<o@x.example>");
	assert_int_equal(m.nrcpts, 3);
	assert_string_equal(m.rcpts[0].recipient, "a@example.org");
	assert_string_equal(m.rcpts[0].action, "failed");
	assert_string_equal(m.rcpts[0].status, "5.7.1");
	assert_string_equal(m.rcpts[0].diagnostic, "smtp; 550 5.7.1 no");
	assert_string_equal(m.rcpts[1].status, "4.4.7");
	assert_null(m.rcpts[1].diagnostic);
	assert_null(m.rcpts[2].status);		/* "5.1" is no status */
	mailparse_clear(&m);
}

/* A 1 MiB header block: one field of 600 KiB and 5000 references. */
static void
test_huge_headers(void **state)
{
	struct buf b;
	struct mail m;

	(void)state;
	buf_init(&b);
	buf_adds(&b, "From: anna@example.org\r\nSubject: ");
	for (int i = 0; i < 60000; i++)
		buf_adds(&b, "unsubscri ");
	buf_adds(&b, "\r\nReferences:");
	for (int i = 0; i < 5000; i++)
		buf_addf(&b, "\r\n <ref-%d@example.org>", i);
	buf_adds(&b, "\r\nMessage-ID: <huge@example.org>\r\n\r\n");
	mailparse_message(b.data, b.len, &m);
	assert_string_equal(m.from, "anna@example.org");
	assert_string_equal(m.message_id, "<huge@example.org>");
	assert_false(m.unsubscribe);
	/* The field is cut: only the references of its first 16 KiB. */
	assert_int_equal(m.nrefs, MAILPARSE_MAX_REFS);
	assert_string_equal(m.refs[0], "<ref-0@example.org>");
	mailparse_clear(&m);
	buf_free(&b);
}

/* The daemon's schedule: check_every after a good scan; after failures a
 * pause doubling from a minute up to an hour (or check_every). */
static void
test_next_scan(void **state)
{
	struct settings s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.inbox_every = 900;
	assert_int_equal(inbox_next_scan(&s, NOW, true, 0), NOW + 900);
	assert_int_equal(inbox_next_scan(&s, NOW, false, 1), NOW + 60);
	assert_int_equal(inbox_next_scan(&s, NOW, false, 2), NOW + 120);
	assert_int_equal(inbox_next_scan(&s, NOW, false, 6), NOW + 1920);
	assert_int_equal(inbox_next_scan(&s, NOW, false, 7), NOW + 3600);
	assert_int_equal(inbox_next_scan(&s, NOW, false, 500), NOW + 3600);
	s.inbox_every = 6 * 3600;
	assert_int_equal(inbox_next_scan(&s, NOW, false, 500), NOW + 6 * 3600);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fixtures, setup,
		    teardown),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_unsubscribe),
		cmocka_unit_test(test_addresses_and_ids),
		cmocka_unit_test(test_dsn_fields),
		cmocka_unit_test(test_huge_headers),
		cmocka_unit_test(test_next_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
