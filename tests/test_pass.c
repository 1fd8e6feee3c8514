/*
 * test_pass.c - one delivery pass end to end inside the process: plan,
 * queue, deliver (Maildir, or an SMTP port nobody listens on), record;
 * the retry schedule kept inside the send window; giving up; a
 * configuration problem never giving up; what reaches the disk, and when.
 */
/* LDWRAP: -Wl,--wrap=deliver_send */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "config.h"
#include "deliver.h"
#include "diag.h"
#include "ledger.h"
#include "outbox.h"
#include "pass.h"
#include "plancache.h"
#include "xalloc.h"

/* Berlin is UTC+1 in these weeks. */
#define SUN_0930	1803803400LL	/* 2027-02-28 09:30 local */
#define SUN_1658	1803830280LL	/* 2027-02-28 16:58 local */
#define MON_0900	1803888000LL	/* 2027-03-01 09:00 local */
#define WED_0930	1804062600LL	/* 2027-03-03 09:30 local */
#define WED_0945	1804063500LL	/* 2027-03-03 09:45 local */
#define WED_1650	1804089000LL	/* 2027-03-03 16:50 local */
#define WED_0900	1804060800LL	/* 2027-03-03 09:00 local */

static char dir[64];
static struct outbox *ob;
static int64_t clock_now;

/* The clock of the outbox: every attempt happens at the pass's moment. */
static int64_t
fake_clock(void *arg)
{
	(void)arg;
	return clock_now;
}

static int
pass_at(const struct config *c, struct ledger *l, int64_t now,
    struct pass_result *r, char **err)
{
	clock_now = now;
	return pass_run(c, l, ob, NULL, now, NULL, r, err);
}

static int
pass_cached_at(const struct config *c, struct ledger *l, struct plancache *pc,
    int64_t now, struct pass_result *r, char **err)
{
	clock_now = now;
	return pass_run(c, l, ob, pc, now, NULL, r, err);
}

static void
write_file(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(p);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_pass.XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file("clients.conf",
	    "occasions = ( { name = \"birthday\"; kind = \"birthday\"; "
	    "template = \"birthday\"; } );\n"
	    "clients = (\n"
	    "  { id = \"anna-mueller\"; name = \"Anna M\xc3\xbcller\"; "
	    "first_name = \"Anna\"; email = \"anna@example.de\"; "
	    "salutation = \"Liebe Anna\"; birthday = \"1984-02-29\"; },\n"
	    "  { id = \"bob\"; name = \"Bob Berg\"; email = \"bob@example.de\";"
	    " birthday = \"1970-02-28\"; paused = true; }\n"
	    ");\n");
	char *t = xasprintf("%s/templates", dir);
	assert_int_equal(mkdir(t, 0700), 0);
	free(t);
	write_file("templates/birthday.de.txt",
	    "Subject: Alles Gute, {{first_name|name}}!\n\n"
	    "{{salutation|\"Hallo\"}},\nalles Gute!\n{{sender_name}}\n");
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
load(const char *url_and_tls)
{
	struct config *c = NULL;
	struct diag d;
	char *ini = xasprintf("[sender]\nname = Atelier\n"
	    "address = hallo@atelier.example\nbasis = personal\n"
	    "[delivery]\n%s\n[paths]\ndatabase = tb.db\n", url_and_tls);
	char *path = xasprintf("%s/touchbase.ini", dir);

	write_file("touchbase.ini", ini);
	diag_init(&d);
	if (config_load(path, &c, &d) == -1) {
		diag_print(&d, stderr);
		fail_msg("config_load failed");
	}
	diag_free(&d);
	free(ini);
	free(path);
	return c;
}

static struct ledger *
ledger(void)
{
	struct ledger *l = NULL;
	char *p = xasprintf("%s/tb.db", dir), *err = NULL;

	struct outbox_clock clk = { fake_clock, NULL };

	if (ledger_open(p, LEDGER_READWRITE, &l, &err) == -1)
		fail_msg("%s", err);
	free(p);
	ob = outbox_new(l, &clk);
	return l;
}

static size_t
maildir_count(void)
{
	char *p = xasprintf("%s/outbox/new", dir);
	DIR *dp = opendir(p);
	struct dirent *de;
	size_t n = 0;

	free(p);
	if (dp == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void
list(struct ledger *l, struct ledger_entry **e, size_t *n)
{
	struct ledger_filter f = { HISTORY_NONE, HISTORY_NONE, NULL, false,
	    ST_SENT };
	char *err = NULL;

	if (ledger_list(l, &f, e, n, &err) == -1)
		fail_msg("%s", err);
}

static const struct ledger_entry *
row(struct ledger_entry *e, size_t n, const char *client)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].client, client) == 0)
			return &e[i];
	fail_msg("no row for %s", client);
	return NULL;
}

/* 2027-02-28, 09:30 in Berlin: Anna's birthday (29 Feb in a common year)
 * goes out once; paused Bob's birthday is logged skipped; a second pass
 * at the same moment does nothing. */
static void
test_birthday_sent_once_paused_skipped(void **state)
{
	struct config *c = load("url = maildir:outbox");
	struct ledger *l = ledger();
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL;

	(void)state;
	assert_int_equal(pass_at(c, l, SUN_0930, &r, &err), 0);
	assert_int_equal(r.n.sent, 1);
	assert_int_equal(r.n.skipped, 1);
	assert_int_equal(r.n.deferred + r.n.failed + r.missed, 0);
	assert_int_equal(maildir_count(), 1);
	pass_result_clear(&r);

	list(l, &e, &n);
	assert_int_equal(n, 2);
	assert_int_equal(row(e, n, "anna-mueller")->status, ST_SENT);
	assert_string_equal(row(e, n, "anna-mueller")->occurrence,
	    "birthday/2027");
	assert_string_equal(row(e, n, "anna-mueller")->subject,
	    "Alles Gute, Anna!");
	assert_int_equal(row(e, n, "anna-mueller")->attempts, 1);
	assert_int_equal(row(e, n, "bob")->status, ST_SKIPPED);
	assert_non_null(strstr(row(e, n, "bob")->reason, "paused"));
	ledger_entries_free(e, n);

	assert_int_equal(pass_at(c, l, SUN_0930 + 60, &r, &err), 0);
	assert_int_equal(r.n.sent + r.n.skipped + r.n.deferred, 0);
	assert_int_equal(maildir_count(), 1);
	pass_result_clear(&r);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* Nobody listens on port 1: the birthday is deferred at 16:58, and the
 * retry 5 minutes later would fall after the window (17:00), so it waits
 * for Monday 09:00.  On Wednesday 09:30 it is retried (deferred again,
 * next at 09:45); at 16:50 the next step (1h) leaves the window and
 * lands after give_up_after (3d from its due moment): failed. */
static void
test_retry_inside_window_then_give_up(void **state)
{
	struct config *c = load("url = smtp://127.0.0.1:1\ntls = none\n"
	    "timeout = 5s");
	struct ledger *l = ledger();
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL;

	(void)state;
	assert_int_equal(pass_at(c, l, SUN_1658, &r, &err), 0);
	assert_int_equal(r.n.deferred, 1);
	assert_int_equal(r.next, MON_0900);
	pass_result_clear(&r);
	list(l, &e, &n);
	assert_int_equal(row(e, n, "anna-mueller")->status, ST_DEFERRED);
	assert_int_equal(row(e, n, "anna-mueller")->next_attempt, MON_0900);
	assert_int_equal(row(e, n, "anna-mueller")->due, SUN_1658);
	ledger_entries_free(e, n);

	assert_int_equal(pass_at(c, l, WED_0930, &r, &err), 0);
	assert_int_equal(r.n.deferred, 1);
	pass_result_clear(&r);
	list(l, &e, &n);
	assert_int_equal(row(e, n, "anna-mueller")->next_attempt, WED_0945);
	assert_int_equal(row(e, n, "anna-mueller")->attempts, 2);
	ledger_entries_free(e, n);

	assert_int_equal(pass_at(c, l, WED_1650, &r, &err), 0);
	assert_int_equal(r.n.failed, 1);
	pass_result_clear(&r);
	list(l, &e, &n);
	assert_int_equal(row(e, n, "anna-mueller")->status, ST_FAILED);
	assert_string_equal(row(e, n, "anna-mueller")->reason,
	    "gave up after 3 attempts");
	ledger_entries_free(e, n);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* A configuration problem (here: a username but no password anywhere)
 * keeps the message deferred on the retry schedule, past give_up_after:
 * never failed because of it, and counted as a configuration problem
 * (touchbased --once then exits 1). */
static void
test_config_problem_never_fails(void **state)
{
	struct config *c = load("url = smtp://127.0.0.1:1\ntls = none\n"
	    "username = hallo\ngive_up_after = 1d");
	struct ledger *l = ledger();
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL;
	const struct ledger_entry *a;

	(void)state;
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(pass_at(c, l, SUN_1658, &r, &err), 0);
	assert_int_equal(r.n.deferred, 1);
	assert_int_equal(r.n.config_problems, 1);
	assert_int_equal(r.n.failed, 0);
	assert_int_equal(r.next, MON_0900);
	pass_result_clear(&r);

	/* Wednesday 16:50: two days past give_up_after. */
	assert_int_equal(pass_at(c, l, WED_1650, &r, &err), 0);
	assert_int_equal(r.n.deferred, 1);
	assert_int_equal(r.n.config_problems, 1);
	assert_int_equal(r.n.failed, 0);
	pass_result_clear(&r);
	list(l, &e, &n);
	a = row(e, n, "anna-mueller");
	assert_int_equal(a->status, ST_DEFERRED);
	assert_int_equal(a->attempts, 2);
	assert_int_equal(a->smtp_code, 0);
	assert_string_equal(a->smtp_reply, "username is set but there is no "
	    "password: set password_file in [delivery], or pass the systemd "
	    "credential smtp-password (LoadCredential=smtp-password:"
	    "/path/to/file)");
	ledger_entries_free(e, n);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* The book of setup() with anna changed by edit ("" keeps her as she
 * is, NULL removes her). */
static void
write_book(const char *edit)
{
	char *book = xasprintf(
	    "occasions = ( { name = \"birthday\"; kind = \"birthday\"; "
	    "template = \"birthday\"; } );\n"
	    "clients = (\n%s%s%s"
	    "  { id = \"bob\"; name = \"Bob Berg\"; email = \"bob@example.de\";"
	    " birthday = \"1970-02-28\"; paused = true; }\n"
	    ");\n", edit != NULL ? "  { id = \"anna-mueller\"; name = "
	    "\"Anna\"; first_name = \"Anna\"; email = \"anna@example.de\"; "
	    "birthday = \"1984-02-29\"; " : "", edit != NULL ? edit : "",
	    edit != NULL ? " },\n" : "");

	write_file("clients.conf", book);
	free(book);
}

/* A deferral, then the client objects, is paused or leaves the book
 * before the retry: the retry is not attempted, the row turns skipped
 * with the reason, and nothing reaches the Maildir. */
static void
check_no_retry_after(const char *how, const char *book_edit,
    const char *reason)
{
	struct config *c = load("url = smtp://127.0.0.1:1\ntls = none");
	struct ledger *l = ledger();
	struct pass_result r;
	struct ledger_entry *e = NULL, got;
	struct ledger_attempt *a = NULL;
	size_t n = 0, na = 0;
	char *err = NULL;

	assert_int_equal(pass_at(c, l, SUN_1658, &r, &err), 0);
	assert_int_equal(r.n.deferred, 1);
	pass_result_clear(&r);
	config_free(c);

	if (strcmp(how, "optout") == 0)
		assert_int_equal(ledger_optout(l, "anna-mueller", NULL, SUN_1658 + 60,
		    &err), 0);
	else
		write_book(book_edit);
	c = load("url = maildir:outbox");
	assert_int_equal(pass_at(c, l, MON_0900, &r, &err), 0);
	assert_int_equal(r.n.sent + r.n.deferred + r.n.failed, 0);
	assert_int_equal(r.n.skipped, 1);
	pass_result_clear(&r);
	assert_int_equal(maildir_count(), 0);
	list(l, &e, &n);
	assert_int_equal(ledger_get(l, row(e, n, "anna-mueller")->id, &got,
	    &a, &na, &err), 0);
	assert_int_equal(got.status, ST_SKIPPED);
	assert_string_equal(got.reason, reason);
	assert_int_equal(got.attempts, 1);	/* the deferral only */
	assert_int_equal(got.updated, MON_0900);
	assert_int_equal(na, 1);
	ledger_entry_clear(&got);
	ledger_attempts_free(a, na);
	ledger_entries_free(e, n);

	/* And it stays so: a later pass does not take it up again. */
	assert_int_equal(pass_at(c, l, WED_0930, &r, &err), 0);
	assert_int_equal(r.n.sent + r.n.deferred + r.n.skipped, 0);
	pass_result_clear(&r);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

static void
test_optout_before_retry(void **state)
{
	(void)state;
	check_no_retry_after("optout", NULL,
	    "skipped: opted out on 2027-02-28");
}

/* An objection outlives a new id: the owner renames anna-mueller (or
 * enters her again) with the same address in another case; her birthday
 * is skipped for the objection, nothing reaches the Maildir. */
static void
test_optout_outlives_a_new_id(void **state)
{
	struct config *c;
	struct ledger *l = ledger();
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL;

	(void)state;
	assert_int_equal(ledger_optout(l, "anna-mueller", "anna@example.de",
	    SUN_1658, &err), 0);
	write_file("clients.conf",
	    "occasions = ( { name = \"birthday\"; kind = \"birthday\"; "
	    "template = \"birthday\"; } );\n"
	    "clients = (\n"
	    "  { id = \"anna-m\"; name = \"Anna\"; first_name = \"Anna\"; "
	    "email = \"Anna@Example.de\"; birthday = \"1984-02-29\"; }\n"
	    ");\n");
	c = load("url = maildir:outbox");
	assert_int_equal(pass_at(c, l, SUN_1658, &r, &err), 0);
	pass_result_clear(&r);
	assert_int_equal(pass_at(c, l, MON_0900, &r, &err), 0);
	assert_int_equal(r.n.sent, 0);
	pass_result_clear(&r);
	assert_int_equal(maildir_count(), 0);
	list(l, &e, &n);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].client, "anna-m");
	assert_int_equal(e[0].status, ST_SKIPPED);
	assert_string_equal(e[0].reason, "skipped: opted out on 2027-02-28");
	ledger_entries_free(e, n);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

static void
test_pause_before_retry(void **state)
{
	(void)state;
	check_no_retry_after("book", "paused = true;", "skipped: paused");
}

static void
test_pause_until_before_retry(void **state)
{
	(void)state;
	check_no_retry_after("book", "paused_until = \"2027-03-01\";",
	    "skipped: paused until 2027-03-01");
}

static void
test_removed_before_retry(void **state)
{
	(void)state;
	check_no_retry_after("book", NULL, "skipped: no longer in the book");
}

/* Three birthdays due and no server: one connection attempt for the
 * round, the other two deferred untried with the same reason; within
 * the backoff the next round tries nothing; after it, once again. */
static void
test_session_failure_defers_the_round(void **state)
{
	struct config *c;
	struct ledger *l;
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0, tried = 0;
	char *err = NULL;

	(void)state;
	write_file("clients.conf",
	    "occasions = ( { name = \"birthday\"; kind = \"birthday\"; "
	    "template = \"birthday\"; } );\n"
	    "clients = (\n"
	    "  { id = \"a\"; name = \"A\"; email = \"a@example.de\"; "
	    "birthday = \"1980-03-03\"; },\n"
	    "  { id = \"b\"; name = \"B\"; email = \"b@example.de\"; "
	    "birthday = \"1981-03-03\"; },\n"
	    "  { id = \"c\"; name = \"C\"; email = \"c@example.de\"; "
	    "birthday = \"1982-03-03\"; }\n);\n");
	c = load("url = smtp://127.0.0.1:1\ntls = none\nretry = 5min 1h");
	l = ledger();
	assert_int_equal(pass_at(c, l, WED_0930, &r, &err), 0);
	assert_int_equal(r.n.deferred, 3);
	assert_int_equal(r.n.failed, 0);
	pass_result_clear(&r);
	list(l, &e, &n);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(e[i].status, ST_DEFERRED);
		assert_non_null(strstr(e[i].smtp_reply, "127.0.0.1:1"));
		/* 09:30 + the 5-minute backoff, which is also the first
		 * step of the retry schedule. */
		assert_int_equal(e[i].next_attempt, WED_0930 + 300);
		tried += (size_t)e[i].attempts;
	}
	assert_int_equal(tried, 1);
	ledger_entries_free(e, n);

	/* 09:33: the backoff has not passed; nothing is tried. */
	assert_int_equal(pass_at(c, l, WED_0930 + 180, &r, &err), 0);
	assert_int_equal(r.n.deferred + r.n.sent + r.n.failed, 0);
	pass_result_clear(&r);

	/* 09:35: one attempt again; the backoff doubles to 10 minutes,
	 * the retry schedule's next step (1h) is later still. */
	assert_int_equal(pass_at(c, l, WED_0930 + 300, &r, &err), 0);
	assert_int_equal(r.n.deferred, 3);
	pass_result_clear(&r);
	list(l, &e, &n);
	tried = 0;
	for (size_t i = 0; i < n; i++) {
		tried += (size_t)e[i].attempts;
		assert_int_equal(e[i].next_attempt, WED_0930 + 300 +
		    (e[i].attempts == 2 ? 3600 : 600));
	}
	assert_int_equal(tried, 2);
	ledger_entries_free(e, n);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* The server accepts, the `sent` commit fails (a trigger stands in for
 * a full disk): the outcome is kept, nothing more is sent in the round,
 * and the next round records it first: one file, one attempt, sent. */
static void
test_failed_commit_is_recorded_later(void **state)
{
	struct config *c = load("url = maildir:outbox");
	struct ledger *l = ledger();
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL, *dbp = xasprintf("%s/tb.db", dir);
	char *cmd = xasprintf("sqlite3 '%s' \"CREATE TRIGGER no_sent BEFORE "
	    "UPDATE OF status ON messages WHEN NEW.status = 'sent' BEGIN "
	    "SELECT RAISE(ABORT, 'injected: disk full'); END;\"", dbp);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(pass_at(c, l, SUN_0930, &r, &err), -1);
	assert_non_null(strstr(err, "injected: disk full"));
	free(err);
	err = NULL;
	pass_result_clear(&r);
	assert_int_equal(maildir_count(), 1);

	cmd = xasprintf("sqlite3 '%s' 'DROP TRIGGER no_sent'", dbp);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(pass_at(c, l, SUN_0930 + 60, &r, &err), 0);
	assert_int_equal(r.n.sent, 0);
	pass_result_clear(&r);
	assert_int_equal(maildir_count(), 1);
	list(l, &e, &n);
	assert_int_equal(row(e, n, "anna-mueller")->status, ST_SENT);
	assert_int_equal(row(e, n, "anna-mueller")->attempts, 1);
	assert_int_equal(row(e, n, "anna-mueller")->updated, SUN_0930);
	ledger_entries_free(e, n);
	free(dbp);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* A configuration problem from Sunday to Wednesday, fixed then; the
 * server is down at Wednesday's first try: deferred, not failed,
 * although Sunday + give_up_after (1d) is long past; the days lost to
 * the configuration do not count. */
static void
test_config_time_does_not_count(void **state)
{
	struct config *c = load("url = smtp://127.0.0.1:1\ntls = none\n"
	    "username = hallo\ngive_up_after = 1d");
	struct ledger *l = ledger();
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL;

	(void)state;
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(pass_at(c, l, SUN_1658, &r, &err), 0);
	assert_int_equal(r.n.config_problems, 1);
	pass_result_clear(&r);
	config_free(c);
	c = load("url = smtp://127.0.0.1:1\ntls = none\ngive_up_after = 1d");
	assert_int_equal(outbox_config_changed(ob, WED_0930, &err), 0);
	assert_int_equal(pass_at(c, l, WED_0930, &r, &err), 0);
	assert_int_equal(r.n.deferred, 1);
	assert_int_equal(r.n.failed, 0);
	pass_result_clear(&r);
	list(l, &e, &n);
	assert_int_equal(row(e, n, "anna-mueller")->status, ST_DEFERRED);
	assert_int_equal(row(e, n, "anna-mueller")->config_lost,
	    WED_0930 - SUN_1658);
	ledger_entries_free(e, n);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* A clock earlier than the send log (a board that booted in 1970): the
 * pass refuses to plan and says why; nothing is written. */
static void
test_clock_behind_the_log(void **state)
{
	struct config *c = load("url = maildir:outbox");
	struct ledger *l = ledger();
	struct pass_result r;
	char *err = NULL;

	(void)state;
	assert_int_equal(pass_at(c, l, SUN_0930, &r, &err), 0);
	pass_result_clear(&r);
	assert_int_equal(pass_at(c, l, 86400, &r, &err), -1);
	assert_string_equal(err, "the clock says 1970-01-02T00:00:00+00:00, "
	    "earlier than the newest entry of the send log "
	    "(2027-02-28T08:30:00+00:00): not planning until the clock is "
	    "right (is the time synchronised? timedatectl status)");
	free(err);
	pass_result_clear(&r);
	/* Five minutes back (time synchronisation stepping) is fine. */
	assert_int_equal(pass_at(c, l, SUN_0930 - 300, &r, &err), 0);
	pass_result_clear(&r);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* Five birthdays on Wednesday 3 March: spread from 09:00 two minutes
 * apart, c1 first. */
static void
five_birthdays(void)
{
	write_file("clients.conf",
	    "occasions = ( { name = \"birthday\"; kind = \"birthday\"; "
	    "template = \"birthday\"; } );\n"
	    "clients = (\n"
	    "  { id = \"c1\"; name = \"Clara Eins\"; email = \"c1@example.de\";"
	    " birthday = \"1980-03-03\"; },\n"
	    "  { id = \"c2\"; name = \"Carl Zwei\"; email = \"c2@example.de\";"
	    " birthday = \"1981-03-03\"; },\n"
	    "  { id = \"c3\"; name = \"Cem Drei\"; email = \"c3@example.de\";"
	    " birthday = \"1982-03-03\"; },\n"
	    "  { id = \"c4\"; name = \"Cora Vier\"; email = \"c4@example.de\";"
	    " birthday = \"1983-03-03\"; },\n"
	    "  { id = \"c5\"; name = \"Cleo F\xc3\xbcnf\"; email = "
	    "\"c5@example.de\"; birthday = \"1984-03-03\"; }\n"
	    ");\n");
}

static size_t
cached_left(const struct plancache *pc)
{
	size_t n;

	(void)plancache_items(pc, &n);
	return n;
}

/* The daemon's wake-ups through the plan cache: a quiet pass at 08:59
 * plans in full and keeps the day; the wake-ups at 09:00, 09:02, ...
 * carry out one cached birthday each, with the same due moments, send
 * log rows and next wake-up a full plan gives. */
static void
test_cache_carries_out_the_plan(void **state)
{
	struct config *c;
	struct ledger *l;
	struct plancache *pc = plancache_new();
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL, want[64];

	(void)state;
	five_birthdays();
	c = load("url = maildir:outbox");
	l = ledger();
	assert_int_equal(pass_cached_at(c, l, pc, WED_0900 - 60, &r, &err), 0);
	assert_int_equal(r.n.sent + r.n.skipped + r.missed, 0);
	assert_int_equal(r.next, WED_0900);
	assert_string_equal(r.next_desc,
	    "next: birthday for c1 at 2027-03-03 09:00 CET");
	assert_int_equal(cached_left(pc), 5);
	pass_result_clear(&r);
	for (int k = 0; k < 5; k++) {
		assert_int_equal(pass_cached_at(c, l, pc, WED_0900 + k * 120,
		    &r, &err), 0);
		assert_int_equal(r.n.sent, 1);
		assert_int_equal(r.n.skipped + r.n.deferred + r.n.failed +
		    r.missed, 0);
		/* Carried out from the cache: a full pass that sends
		 * keeps nothing. */
		assert_int_equal(cached_left(pc), 4 - k);
		if (k < 4) {
			snprintf(want, sizeof(want), "next: birthday for c%d "
			    "at 2027-03-03 09:%02d CET", k + 2, 2 * (k + 1));
			assert_string_equal(r.next_desc, want);
			assert_int_equal(r.next, WED_0900 + (k + 1) * 120);
		} else {
			/* What the full plan saw after the cache's day;
			 * the wake-up is at the cache's end. */
			assert_string_equal(r.next_desc, "next: birthday for "
			    "c1 at 2028-03-03 09:00 CET");
			assert_int_equal(r.next, WED_0900 - 60 + 86400);
		}
		pass_result_clear(&r);
	}
	assert_int_equal(maildir_count(), 5);
	list(l, &e, &n);
	assert_int_equal(n, 5);
	for (int k = 0; k < 5; k++) {
		char id[4];

		snprintf(id, sizeof(id), "c%d", k + 1);
		assert_int_equal(row(e, n, id)->status, ST_SENT);
		assert_string_equal(row(e, n, id)->occurrence,
		    "birthday/2027");
		assert_int_equal(row(e, n, id)->due, WED_0900 + k * 120);
		assert_int_equal(row(e, n, id)->attempts, 1);
	}
	ledger_entries_free(e, n);
	/* The cache's end: the day ahead is planned in full again. */
	assert_int_equal(pass_cached_at(c, l, pc, WED_0900 - 60 + 86400, &r,
	    &err), 0);
	assert_int_equal(r.n.sent, 0);
	assert_string_equal(r.next_desc,
	    "next: birthday for c1 at 2028-03-03 09:00 CET");
	pass_result_clear(&r);
	plancache_free(pc);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* The owner releases a held birthday from another process (`touchbase
 * release`) while the daemon sleeps on a cache that says "skipped: held":
 * the next wake-up sees the send log changed, plans in full and sends
 * it. */
static void
test_cache_dropped_when_another_writes(void **state)
{
	struct config *c;
	struct ledger *l, *l2 = NULL;
	struct plancache *pc = plancache_new();
	struct pass_result r;
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL, *path;
	int changes = 0;

	(void)state;
	five_birthdays();
	c = load("url = maildir:outbox");
	l = ledger();
	assert_int_equal(ledger_hold(l, "c2", "birthday/2027", "", WED_0900 -
	    3600, &err), 0);
	assert_int_equal(pass_cached_at(c, l, pc, WED_0900 - 60, &r, &err), 0);
	assert_int_equal(cached_left(pc), 5);
	pass_result_clear(&r);
	assert_int_equal(pass_cached_at(c, l, pc, WED_0900, &r, &err), 0);
	assert_int_equal(r.n.sent, 1);
	assert_int_equal(cached_left(pc), 4);
	pass_result_clear(&r);

	path = xasprintf("%s/tb.db", dir);
	if (ledger_open(path, LEDGER_READWRITE, &l2, &err) == -1)
		fail_msg("%s", err);
	assert_int_equal(ledger_release(l2, "c2", "birthday/2027", WED_0900 +
	    30, &changes, &err), 0);
	assert_int_equal(changes, 1);
	ledger_close(l2);
	free(path);

	assert_int_equal(pass_cached_at(c, l, pc, WED_0900 + 120, &r, &err),
	    0);
	assert_int_equal(r.n.sent, 1);
	assert_int_equal(r.n.skipped, 0);
	pass_result_clear(&r);
	list(l, &e, &n);
	assert_int_equal(row(e, n, "c2")->status, ST_SENT);
	assert_int_equal(row(e, n, "c2")->due, WED_0900 + 120);
	ledger_entries_free(e, n);
	assert_int_equal(maildir_count(), 2);
	plancache_free(pc);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* An outcome the plan did not foresee (nobody listens: deferred) ends the
 * cache's turn: the rest of the pass is planned in full, which knows the
 * deferral and wakes for its retry. */
static void
test_cache_dropped_on_a_deferral(void **state)
{
	struct config *c;
	struct ledger *l;
	struct plancache *pc = plancache_new();
	struct pass_result r;
	char *err = NULL;

	(void)state;
	five_birthdays();
	c = load("url = smtp://127.0.0.1:1\ntls = none\ntimeout = 5s");
	l = ledger();
	assert_int_equal(pass_cached_at(c, l, pc, WED_0900 - 60, &r, &err), 0);
	assert_int_equal(cached_left(pc), 5);
	pass_result_clear(&r);
	assert_int_equal(pass_cached_at(c, l, pc, WED_0900, &r, &err), 0);
	assert_int_equal(r.n.sent, 0);
	assert_int_equal(r.n.deferred, 1);
	/* Planned in full after the deferral: c2 at 09:02 is next, and the
	 * plan made then is kept for the wake-ups after. */
	assert_string_equal(r.next_desc,
	    "next: birthday for c2 at 2027-03-03 09:02 CET");
	assert_int_equal(cached_left(pc), 4);
	pass_result_clear(&r);
	plancache_free(pc);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* --- what reaches the disk, and when ------------------------------------
 *
 * SQLite runs on a VFS that forwards to "unix" and watches the WAL: a
 * write to it makes it dirty, an xSync makes it clean and is counted.
 * At each sync of the database or the WAL it keeps the file's content:
 * what a power cut would leave.  deliver_send() is wrapped to look at the
 * WAL, and keep those images, the moment a transaction would start.
 */

struct watched {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* the unix VFS's file, after us */
	bool		 wal;
	int		 kind;		/* IMG_DB, IMG_WAL or -1 */
};

/* What a power cut would leave of a file: its content at its last sync. */
struct image {
	unsigned char	*data;
	size_t		 len;
	bool		 have;
};

enum { IMG_DB, IMG_WAL, IMG_N };

static struct image durable[IMG_N];

static void
image_take(struct image *im, sqlite3_file *f)
{
	sqlite3_int64 size = 0;

	assert_int_equal(f->pMethods->xFileSize(f, &size), SQLITE_OK);
	im->data = xreallocarray(im->data, size > 0 ? (size_t)size : 1, 1);
	im->len = (size_t)size;
	if (size > 0)
		assert_int_equal(f->pMethods->xRead(f, im->data, (int)size, 0),
		    SQLITE_OK);
	im->have = true;
}

static void
image_copy(struct image *to, const struct image *from)
{
	free(to->data);
	*to = *from;
	to->data = xmalloc(from->len > 0 ? from->len : 1);
	if (from->len > 0)
		memcpy(to->data, from->data, from->len);
}

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs watch_vfs;
static sqlite3_io_methods watch_io;
static bool wal_dirty;			/* written since its last sync */
static size_t wal_syncs;
static bool wal_sync_fails;		/* a sync of the WAL fails (EIO) */

#define REAL(f)	(((struct watched *)(f))->real)

static int
w_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
w_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), b, n, off);
}

static int
w_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
	if (((struct watched *)f)->wal)
		wal_dirty = true;
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, off);
}

static int
w_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
w_sync(sqlite3_file *f, int flags)
{
	int rc;

	if (wal_sync_fails && ((struct watched *)f)->wal)
		return SQLITE_IOERR_FSYNC;
	rc = REAL(f)->pMethods->xSync(REAL(f), flags);

	if (rc == SQLITE_OK && ((struct watched *)f)->wal) {
		wal_dirty = false;
		wal_syncs++;
	}
	if (rc == SQLITE_OK && ((struct watched *)f)->kind >= 0)
		image_take(&durable[((struct watched *)f)->kind], REAL(f));
	return rc;
}

static int
w_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
w_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
w_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
w_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
w_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
w_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
w_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
w_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, p);
}

static int
w_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
w_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
w_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
w_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct watched *w = (struct watched *)f;
	int rc;

	(void)vfs;
	w->real = (sqlite3_file *)(w + 1);
	w->wal = (flags & SQLITE_OPEN_WAL) != 0;
	w->kind = w->wal ? IMG_WAL : (flags & SQLITE_OPEN_MAIN_DB) ? IMG_DB :
	    -1;
	rc = unix_vfs->xOpen(unix_vfs, name, w->real, flags, out);
	/* No methods: SQLite does not close a file it could not open. */
	w->base.pMethods = rc == SQLITE_OK ? &watch_io : NULL;
	return rc;
}

static void
watch_install(void)
{
	if (unix_vfs != NULL)
		return;
	unix_vfs = sqlite3_vfs_find("unix");
	assert_non_null(unix_vfs);
	watch_vfs = *unix_vfs;
	watch_vfs.zName = "watch";
	watch_vfs.szOsFile = (int)sizeof(struct watched) + unix_vfs->szOsFile;
	watch_vfs.xOpen = w_open;
	watch_vfs.pNext = NULL;
	/* Version 2: no xFetch, so SQLite reads through xRead. */
	watch_io.iVersion = 2;
	watch_io.xClose = w_close;
	watch_io.xRead = w_read;
	watch_io.xWrite = w_write;
	watch_io.xTruncate = w_truncate;
	watch_io.xSync = w_sync;
	watch_io.xFileSize = w_size;
	watch_io.xLock = w_lock;
	watch_io.xUnlock = w_unlock;
	watch_io.xCheckReservedLock = w_reserved;
	watch_io.xFileControl = w_control;
	watch_io.xSectorSize = w_sector;
	watch_io.xDeviceCharacteristics = w_device;
	watch_io.xShmMap = w_shm_map;
	watch_io.xShmLock = w_shm_lock;
	watch_io.xShmBarrier = w_shm_barrier;
	watch_io.xShmUnmap = w_shm_unmap;
	assert_int_equal(sqlite3_vfs_register(&watch_vfs, 1), SQLITE_OK);
}

/* --- the transaction's start --------------------------------------------- */

enum deliver_result __real_deliver_send(struct deliverer *d,
    const char *from, const char *const *rcpts, size_t nrcpts,
    const char *msg, size_t len, const char *key,
    struct deliver_reply *reply);
enum deliver_result __wrap_deliver_send(struct deliverer *d,
    const char *from, const char *const *rcpts, size_t nrcpts,
    const char *msg, size_t len, const char *key,
    struct deliver_reply *reply);

static size_t sends;
static size_t sends_dirty;		/* transactions begun unsynced */
static size_t syncs_fail_after;		/* WAL syncs fail from this send on */
static size_t syncs_at_send[16];	/* wal_syncs when each began */
static struct image cut_at_send[5][IMG_N];	/* durable then */

enum deliver_result
__wrap_deliver_send(struct deliverer *d, const char *from,
    const char *const *rcpts, size_t nrcpts, const char *msg, size_t len,
    const char *key, struct deliver_reply *reply)
{
	if (wal_dirty)
		sends_dirty++;
	if (sends < sizeof(syncs_at_send) / sizeof(syncs_at_send[0]))
		syncs_at_send[sends] = wal_syncs;
	for (size_t i = 0; sends < 5 && i < IMG_N; i++)
		image_copy(&cut_at_send[sends][i], &durable[i]);
	sends++;
	if (syncs_fail_after > 0 && sends >= syncs_fail_after)
		wal_sync_fails = true;
	return __real_deliver_send(d, from, rcpts, nrcpts, msg, len, key,
	    reply);
}

/* The five birthdays, on the watching VFS. */
static int
setup_watched(void **state)
{
	watch_install();
	sends = sends_dirty = syncs_fail_after = 0;
	wal_sync_fails = false;
	setup(state);
	five_birthdays();
	return 0;
}

/* Five birthdays in one pass: no transaction begins with anything
 * unsynced, exactly one sync between one message and the next (its
 * queueing, which also makes the last outcome durable), and the round
 * ends synced. */
static void
test_one_sync_per_message(void **state)
{
	struct config *c;
	struct ledger *l;
	struct pass_result r;
	char *err = NULL;

	(void)state;
	c = load("url = maildir:outbox");
	l = ledger();
	assert_int_equal(pass_at(c, l, WED_0930, &r, &err), 0);
	assert_int_equal(r.n.sent, 5);
	assert_int_equal(sends, 5);
	assert_int_equal(sends_dirty, 0);
	for (size_t i = 1; i < 5; i++)
		assert_int_equal(syncs_at_send[i] - syncs_at_send[i - 1], 1);
	assert_false(wal_dirty);
	pass_result_clear(&r);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* The five birthdays deferred (nobody listens on port 1), then retried
 * into the Maildir: a retried row is not queued again, so before each
 * transaction the last outcome is synced on its own. */
static void
test_retry_syncs_before_sending(void **state)
{
	struct config *c;
	struct ledger *l;
	struct pass_result r;
	char *err = NULL;

	(void)state;
	c = load("url = smtp://127.0.0.1:1\ntls = none\nretry = 5min 1h");
	l = ledger();
	assert_int_equal(pass_at(c, l, WED_0930, &r, &err), 0);
	assert_int_equal(r.n.deferred, 5);
	pass_result_clear(&r);
	config_free(c);
	sends = sends_dirty = 0;
	c = load("url = maildir:outbox\nretry = 5min 1h");
	assert_int_equal(pass_at(c, l, WED_0930 + 300, &r, &err), 0);
	assert_int_equal(r.n.sent, 5);
	assert_int_equal(sends, 5);
	assert_int_equal(sends_dirty, 0);
	assert_false(wal_dirty);
	pass_result_clear(&r);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* The outbox alone: after a submit the outcome is committed but not yet
 * synced (the next message's queueing would sync it); ending the round
 * syncs it. */
static void
test_round_ends_synced(void **state)
{
	struct config *c = load("url = maildir:outbox");
	struct ledger *l = ledger();
	struct outbox_counts n;
	struct ledger_new m;
	size_t before;
	char *err = NULL;

	(void)state;
	memset(&n, 0, sizeof(n));
	clock_now = WED_0930;
	assert_int_equal(outbox_begin(ob, c, WED_0930, &n, &err), 0);
	memset(&m, 0, sizeof(m));
	m.client = "c1";
	m.occasion = "birthday";
	m.occurrence = "birthday/2027";
	m.due = WED_0930;
	m.to = "c1@example.de";
	m.message_id = "<1@atelier.example>";
	m.bytes = (const unsigned char *)"Subject: x\r\n\r\nx\r\n";
	m.len = strlen((const char *)m.bytes);
	assert_int_equal(outbox_submit(ob, &m, &err), 0);
	assert_int_equal(n.sent, 1);
	assert_int_equal(sends_dirty, 0);
	assert_true(wal_dirty);
	before = wal_syncs;
	(void)outbox_end(ob, NULL);
	assert_false(wal_dirty);
	assert_int_equal(wal_syncs, before + 1);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* The last outcome of a round cannot be made durable (the disk fails the
 * sync at the round's end): outbox_end() says so, for the pass to fail
 * (--once exits 1, the daemon logs it) instead of ending as if all was
 * recorded; the outcome stays to be synced, and is by the next round. */
static void
test_round_end_fails_when_not_durable(void **state)
{
	struct config *c = load("url = maildir:outbox");
	struct ledger *l = ledger();
	struct outbox_counts n;
	struct ledger_new m;
	char *err = NULL;

	(void)state;
	memset(&n, 0, sizeof(n));
	clock_now = WED_0930;
	assert_int_equal(outbox_begin(ob, c, WED_0930, &n, &err), 0);
	memset(&m, 0, sizeof(m));
	m.client = "c1";
	m.occasion = "birthday";
	m.occurrence = "birthday/2027";
	m.due = WED_0930;
	m.to = "c1@example.de";
	m.message_id = "<1@atelier.example>";
	m.bytes = (const unsigned char *)"Subject: x\r\n\r\nx\r\n";
	m.len = strlen((const char *)m.bytes);
	syncs_fail_after = 1;		/* from the first transaction on */
	assert_int_equal(outbox_submit(ob, &m, &err), 0);
	assert_int_equal(n.sent, 1);
	assert_int_equal(outbox_end(ob, &err), -1);
	assert_non_null(err);
	assert_string_equal(strchr(err, ':'), ": cannot make the send log "
	    "durable: disk I/O error");
	free(err);
	err = NULL;
	assert_true(wal_dirty);

	wal_sync_fails = false;		/* the disk is back */
	syncs_fail_after = 0;
	assert_int_equal(outbox_begin(ob, c, WED_0930, &n, &err), 0);
	assert_int_equal(outbox_end(ob, &err), 0);
	assert_false(wal_dirty);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* The send log a power cut would have left: the files as last synced,
 * written to cut/ (no -shm: SQLite rebuilds it from the WAL). */
static struct ledger *
power_cut(const struct image im[IMG_N])
{
	static const char *const name[IMG_N] = { "tb.db", "tb.db-wal" };
	char *d = xasprintf("%s/cut", dir), *p, *err = NULL;
	struct ledger *l = NULL;
	int fd;

	(void)mkdir(d, 0700);
	for (size_t i = 0; i < 3; i++) {
		p = xasprintf("%s/tb.db%s", d, i == 0 ? "" : i == 1 ? "-wal" :
		    "-shm");
		(void)unlink(p);
		free(p);
	}
	for (size_t i = 0; i < IMG_N; i++) {
		if (!im[i].have)
			continue;
		p = xasprintf("%s/%s", d, name[i]);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, im[i].data, im[i].len),
		    (ssize_t)im[i].len);
		close(fd);
		free(p);
	}
	p = xasprintf("%s/tb.db", d);
	if (ledger_open(p, LEDGER_READWRITE, &l, &err) == -1)
		fail_msg("%s", err);
	free(p);
	free(d);
	return l;
}

/* A power cut while message k is in flight (its transaction begun, the
 * next message not yet queued) leaves what was synced then: the messages
 * before k sent, k queued (sent again after the restart with the same
 * Message-ID: the one message in flight), none after k.  After the
 * pass, all five sent. */
static void
test_power_cut_loses_only_the_one_in_flight(void **state)
{
	static const char *const id[5] = { "c1", "c2", "c3", "c4", "c5" };
	struct image end[IMG_N];
	struct config *c = load("url = maildir:outbox");
	struct ledger *l = ledger(), *cut;
	struct ledger_entry e;
	struct pass_result r;
	char *err = NULL;
	bool found;

	(void)state;
	memset(end, 0, sizeof(end));
	assert_int_equal(pass_at(c, l, WED_0930, &r, &err), 0);
	assert_int_equal(r.n.sent, 5);
	assert_int_equal(sends, 5);
	pass_result_clear(&r);
	for (size_t i = 0; i < IMG_N; i++)
		image_copy(&end[i], &durable[i]);
	for (size_t k = 0; k < 5; k++) {
		cut = power_cut(cut_at_send[k]);
		for (size_t i = 0; i < 5; i++) {
			assert_int_equal(ledger_find_occurrence(cut, id[i],
			    "birthday/2027", &e, &found, &err), 0);
			assert_int_equal(found, i <= k);
			if (found)
				assert_int_equal(e.status, i < k ? ST_SENT :
				    ST_QUEUED);
			ledger_entry_clear(&e);
		}
		ledger_close(cut);
	}
	cut = power_cut(end);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(ledger_find_occurrence(cut, id[i],
		    "birthday/2027", &e, &found, &err), 0);
		assert_true(found);
		assert_int_equal(e.status, ST_SENT);
		ledger_entry_clear(&e);
	}
	ledger_close(cut);
	for (size_t i = 0; i < IMG_N; i++) {
		free(end[i].data);
		for (size_t k = 0; k < 5; k++) {
			free(cut_at_send[k][i].data);
			memset(&cut_at_send[k][i], 0, sizeof(struct image));
		}
	}
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* The send log's own rules: an outcome is committed lazily (seen at
 * once, not yet synced); ledger_sync() syncs it once and then has nothing
 * to do; a new row's commit syncs it as well. */
static void
test_settle_is_lazy_until_synced(void **state)
{
	struct ledger *l = ledger();
	struct ledger_lease ls = { 7, WED_0930 + 600 };
	struct ledger_new m;
	struct ledger_outcome o;
	struct ledger_entry e;
	bool found;
	int64_t id;
	size_t before;
	char *err = NULL;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.client = "a";
	m.occasion = "birthday";
	m.occurrence = "birthday/2027";
	m.due = WED_0930;
	m.to = "a@example.de";
	m.message_id = "<1@atelier.example>";
	m.bytes = (const unsigned char *)"x";
	m.len = 1;
	assert_int_equal(ledger_queue(l, &m, WED_0930, &ls, &id, &err), 0);
	assert_false(wal_dirty);
	memset(&o, 0, sizeof(o));
	o.status = ST_SENT;
	o.at = WED_0930 + 1;
	o.attempted = true;
	o.smtp_code = 250;
	o.reply = "250 ok";
	before = wal_syncs;
	assert_int_equal(ledger_settle(l, id, ls.token, &o, &err), 0);
	assert_true(wal_dirty);
	assert_int_equal(wal_syncs, before);
	assert_int_equal(ledger_find_occurrence(l, "a", "birthday/2027", &e,
	    &found, &err), 0);
	assert_true(found);
	assert_int_equal(e.status, ST_SENT);
	ledger_entry_clear(&e);
	assert_int_equal(ledger_sync(l, &err), 0);
	assert_false(wal_dirty);
	assert_int_equal(wal_syncs, before + 1);
	assert_int_equal(ledger_sync(l, &err), 0);
	assert_int_equal(wal_syncs, before + 1);

	/* Settled again lazily, then a new row: its commit syncs both. */
	m.occurrence = "birthday/2028";
	m.message_id = "<2@atelier.example>";
	assert_int_equal(ledger_queue(l, &m, WED_0930, &ls, &id, &err), 0);
	assert_int_equal(ledger_settle(l, id, ls.token, &o, &err), 0);
	assert_true(wal_dirty);
	m.client = "b";
	m.occurrence = "birthday/2027";
	m.message_id = "<3@atelier.example>";
	before = wal_syncs;
	assert_int_equal(ledger_queue(l, &m, WED_0930, &ls, &id, &err), 0);
	assert_false(wal_dirty);
	assert_int_equal(wal_syncs, before + 1);
	assert_int_equal(ledger_sync(l, &err), 0);
	assert_int_equal(wal_syncs, before + 1);
	outbox_free(ob);
	ledger_close(l);
}

/* --- the switch back to synchronous = FULL failing once ----------------
 *
 * Every connection opened while the auto-extension is registered gets an
 * authorizer that, while deny_full is set, refuses "PRAGMA synchronous =
 * FULL": the way a failure of db_lazy(l, false) (a parse that must read a
 * changed schema and meets an I/O error or a lock, SQLITE_NOMEM) looks to
 * the ledger. */
static bool deny_full;

static int
deny_auth(void *arg, int code, const char *a, const char *b, const char *db,
    const char *trig)
{
	(void)arg;
	(void)db;
	(void)trig;
	if (deny_full && code == SQLITE_PRAGMA && a != NULL && b != NULL &&
	    strcasecmp(a, "synchronous") == 0 && strcasecmp(b, "FULL") == 0)
		return SQLITE_DENY;
	return SQLITE_OK;
}

static int
deny_ext(sqlite3 *db, const char **msg, const void *api)
{
	(void)msg;
	(void)api;
	sqlite3_set_authorizer(db, deny_auth, NULL);
	return SQLITE_OK;
}

static void
submit_one(const char *client, const char *occurrence, const char *mid)
{
	struct ledger_new m;
	char *err = NULL;

	memset(&m, 0, sizeof(m));
	m.client = client;
	m.occasion = "birthday";
	m.occurrence = occurrence;
	m.due = WED_0930;
	m.to = "someone@example.de";
	m.message_id = mid;
	m.bytes = (const unsigned char *)"Subject: x\r\n\r\nx\r\n";
	m.len = strlen((const char *)m.bytes);
	assert_int_equal(outbox_submit(ob, &m, &err), 0);
}

/* The last outcome of a round is settled while the switch back to FULL
 * fails once.  The round ends synced; in the next round the first
 * message's transaction must still begin with its own `queued` row on
 * disk, although its queueing may have been committed while the
 * connection was still lazy: otherwise a power cut leaves no trace of a
 * message that went out, and the next pass sends it again under a new
 * Message-ID.  (It did, before every lazy commit marked the log unsynced:
 * "sends begun unsynced: 1".) */
static void
test_failed_switch_back_still_syncs(void **state)
{
	struct config *c = load("url = maildir:outbox");
	struct ledger *l, *cut;
	struct outbox_counts n;
	struct ledger_entry e;
	bool found;
	char *err = NULL;

	(void)state;
	sqlite3_auto_extension((void (*)(void))deny_ext);
	l = ledger();
	sqlite3_reset_auto_extension();
	memset(&n, 0, sizeof(n));
	clock_now = WED_0930;

	assert_int_equal(outbox_begin(ob, c, WED_0930, &n, &err), 0);
	deny_full = true;
	submit_one("c1", "birthday/2027", "<1@atelier.example>");
	deny_full = false;		/* a failure of one moment */
	(void)outbox_end(ob, NULL);
	assert_false(wal_dirty);	/* the round ended synced */

	assert_int_equal(outbox_begin(ob, c, WED_0930, &n, &err), 0);
	submit_one("c2", "birthday/2027", "<2@atelier.example>");
	assert_int_equal(n.sent, 2);
	assert_int_equal(sends, 2);

	/* What a power cut during the second transaction leaves. */
	cut = power_cut(cut_at_send[1]);
	assert_int_equal(ledger_find_occurrence(cut, "c2", "birthday/2027",
	    &e, &found, &err), 0);
	if (found)
		ledger_entry_clear(&e);
	ledger_close(cut);
	for (size_t k = 0; k < 5; k++)
		for (size_t i = 0; i < IMG_N; i++) {
			free(cut_at_send[k][i].data);
			memset(&cut_at_send[k][i], 0, sizeof(struct image));
		}
	assert_int_equal(sends_dirty, 0);
	assert_true(found);

	(void)outbox_end(ob, NULL);
	outbox_free(ob);
	ledger_close(l);
	config_free(c);
}

/* A retried message costs one sync, as a first try does: the renewal of
 * its lease is lazy and the sync before sending makes it and the last
 * outcome durable.  (A FULL renewal synced too: two a retry, with a clock
 * that moves; test_retry_syncs_before_sending's stands still, and a
 * renewal to an unchanged lease_until writes no page and syncs nothing.)
 */
static void
test_retry_renewal_one_sync(void **state)
{
	struct ledger *l = ledger();
	struct ledger_lease ls = { 7, WED_0930 + 600 };
	struct ledger_new m;
	struct ledger_outcome o;
	int64_t id, id2;
	size_t b, renew_syncs, extra_syncs;
	char *err = NULL;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.client = "a";
	m.occasion = "birthday";
	m.occurrence = "birthday/2027";
	m.due = WED_0930;
	m.to = "a@example.de";
	m.message_id = "<1@x>";
	m.bytes = (const unsigned char *)"x";
	m.len = 1;
	assert_int_equal(ledger_queue(l, &m, WED_0930, &ls, &id, &err), 0);
	m.occurrence = "birthday/2028";
	m.message_id = "<2@x>";
	assert_int_equal(ledger_queue(l, &m, WED_0930, &ls, &id2, &err), 0);
	memset(&o, 0, sizeof(o));
	o.status = ST_DEFERRED;
	o.at = WED_0930 + 1;
	o.attempted = true;
	assert_int_equal(ledger_settle(l, id, ls.token, &o, &err), 0);
	assert_true(wal_dirty);

	ls.until += 30;			/* a later lease: the wall clock moved */
	b = wal_syncs;
	assert_int_equal(ledger_renew(l, id2, &ls, &err), 0);
	renew_syncs = wal_syncs - b;
	assert_true(wal_dirty);		/* lazy: nothing synced yet */
	b = wal_syncs;
	assert_int_equal(ledger_sync(l, &err), 0);
	extra_syncs = wal_syncs - b;
	assert_false(wal_dirty);	/* outcome and renewal durable */
	assert_int_equal(renew_syncs, 0);
	assert_int_equal(extra_syncs, 1);
	outbox_free(ob);
	ledger_close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_birthday_sent_once_paused_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_retry_inside_window_then_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_problem_never_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_optout_before_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_optout_outlives_a_new_id, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pause_before_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pause_until_before_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_removed_before_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_session_failure_defers_the_round, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_commit_is_recorded_later, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_time_does_not_count, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_clock_behind_the_log, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cache_carries_out_the_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cache_dropped_when_another_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cache_dropped_on_a_deferral, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_sync_per_message,
		    setup_watched, teardown),
		cmocka_unit_test_setup_teardown(
		    test_retry_syncs_before_sending, setup_watched, teardown),
		cmocka_unit_test_setup_teardown(test_round_ends_synced,
		    setup_watched, teardown),
		cmocka_unit_test_setup_teardown(
		    test_power_cut_loses_only_the_one_in_flight, setup_watched,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_settle_is_lazy_until_synced, setup_watched, teardown),
		cmocka_unit_test_setup_teardown(
		    test_round_end_fails_when_not_durable,
		    setup_watched, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_switch_back_still_syncs, setup_watched,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_retry_renewal_one_sync, setup_watched,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
