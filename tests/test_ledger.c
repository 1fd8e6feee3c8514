/*
 * test_ledger.c - the send log in SQLite: states, uniqueness, leases,
 * migration, history, opt-outs.
 *
 * Includes ledger.c to reach its connection: the test writes a version 1
 * database by hand, holds write locks from a second connection and
 * fills 100,000 rows quickly.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ledger.c"

/* 2027-02-28 08:00:00 UTC (09:00 in Berlin). */
#define NOW	1803801600LL
#define MSG	"Date: Sun, 28 Feb 2027 09:00:00 +0100\r\n" \
	"Subject: Alles Gute\r\n\r\nLiebe Anna,\r\n"

/* A record through the real path: the client, then its occurrence. */
static const struct history_record *
find(const struct history *h, const char *client, const char *occurrence)
{
	return history_client_find(h, history_client(h, client), occurrence);
}

/* The latest instant a message to the client was accepted, from its
 * records (what the planner counts as the last contact by mail). */
static int64_t
last_sent(const struct history_client *hc)
{
	int64_t last = HISTORY_NONE;

	for (size_t i = 0; hc != NULL && i < hc->nrecords; i++)
		if (hc->records[i].status == ST_SENT &&
		    hc->records[i].sent > last)
			last = hc->records[i].sent;
	return last;
}

static char dir[64], path[96];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_ledger.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/touchbase.db", dir);
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

static struct ledger *
open_rw(void)
{
	struct ledger *l = NULL;
	char *err = NULL;

	if (ledger_open(path, LEDGER_READWRITE, &l, &err) == -1)
		fail_msg("%s", err);
	return l;
}

static struct ledger_new
msg(const char *client, const char *occurrence)
{
	struct ledger_new m = {
		.client = client,
		.occasion = "birthday",
		.occurrence = occurrence,
		.due = NOW,
		.due_offset = 3600,
		.to = "anna@example.de",
		.subject = "Alles Gute",
		.template_file = "birthday.de.txt",
		.message_id = "<20270228090000.1@lindgruen.example>",
		.bytes = (const unsigned char *)MSG,
		.len = sizeof(MSG) - 1,
	};

	return m;
}

/* This test's lease token, and a lease for it until u. */
#define TOKEN		4242
#define LEASE(u)	(&(struct ledger_lease){ TOKEN, (u) })

static void sql(struct ledger *l, const char *s);

/* One attempt on row id as the outbox records it, after a claim of the
 * row by TOKEN (rows settled before are claimed again). */
static int
record_attempt(struct ledger *l, int64_t id, int64_t at, enum msg_status st,
    int code, const char *reply, int64_t next, const char *reason,
    char **err)
{
	struct ledger_outcome o;
	char *claim = xasprintf("UPDATE messages SET lease_token = %d"
	    " WHERE id = %lld AND status IN ('queued', 'deferred')", TOKEN,
	    (long long)id);

	sql(l, claim);
	free(claim);
	memset(&o, 0, sizeof(o));
	o.status = st;
	o.at = at;
	o.attempted = true;
	o.smtp_code = code;
	o.reply = reply;
	o.next_attempt = next;
	o.reason = reason;
	return ledger_settle(l, id, TOKEN, &o, err);
}

static int64_t
queue(struct ledger *l, const char *client, const char *occurrence,
    int64_t lease_until)
{
	struct ledger_new m = msg(client, occurrence);
	char *err = NULL;
	int64_t id = 0;

	if (ledger_queue(l, &m, NOW, LEASE(lease_until), &id, &err) != 0)
		fail_msg("queue %s %s: %s", client, occurrence,
		    err ? err : "exists");
	return id;
}

static void
attempt(struct ledger *l, int64_t id, int64_t at, enum msg_status st,
    int code, const char *reply, int64_t next)
{
	char *err = NULL;

	if (record_attempt(l, id, at, st, code, reply, next, NULL,
	    &err) == -1)
		fail_msg("%s", err);
}

static void
sql(struct ledger *l, const char *s)
{
	char *err = NULL;

	if (sqlite3_exec(l->db, s, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", s, err);
}

static int64_t
sql_int(struct ledger *l, const char *s)
{
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(l->db, s, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The first column of the first row, in a static buffer. */
static const char *
sql_text(struct ledger *l, const char *s)
{
	static char out[64];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(l->db, s, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void
test_open_creates_private_wal(void **state)
{
	struct ledger *l, *r = NULL;
	struct stat sb;
	char *err = NULL, *want;
	mode_t old = umask(022);

	(void)state;
	l = open_rw();
	umask(old);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sql_int(l, "PRAGMA user_version"), 6);
	assert_int_equal(sql_int(l, "PRAGMA synchronous"), 2);	/* FULL */
	assert_int_equal(sql_int(l, "PRAGMA foreign_keys"), 1);
	/* The write-ahead log is as private as the database. */
	assert_int_equal(ledger_touch(l, "anna-mueller", NOW, NULL, &err), 0);
	want = xasprintf("%s-wal", path);
	assert_int_equal(stat(want, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	free(want);
	ledger_close(l);

	/* Reopening the current version changes nothing. */
	l = open_rw();
	assert_int_equal(sql_int(l, "PRAGMA user_version"), 6);
	ledger_close(l);

	assert_int_equal(ledger_open(path, LEDGER_READONLY, &r, &err), 0);
	assert_string_equal(sql_text(r, "PRAGMA journal_mode"), "wal");
	ledger_close(r);

	/* A missing folder is an error for writers too, naming the path. */
	want = xasprintf("%s/no/such/t.db", dir);
	assert_int_equal(ledger_open(want, LEDGER_READWRITE, &r, &err), -1);
	free(want);
	want = xasprintf("%s/no/such/t.db: No such file or directory (its "
	    "folder must exist)", dir);
	assert_string_equal(err, want);
	free(want);
	free(err);
}

/* Root (`touchbase touch` before the daemon's first start) creates the
 * file for the owner of the state folder, so the daemon can open it. */
static void
test_root_creates_for_folder_owner(void **state)
{
	struct ledger *l;
	struct stat sb;
	char *sub, *db, *wal;

	(void)state;
	if (geteuid() != 0)
		skip();
	sub = xasprintf("%s/state", dir);
	db = xasprintf("%s/touchbase.db", sub);
	wal = xasprintf("%s-wal", db);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chown(sub, 4242, 4343), 0);
	assert_int_equal(ledger_open(db, LEDGER_READWRITE, &l, NULL), 0);
	assert_int_equal(ledger_touch(l, "anna-mueller", NOW, NULL, NULL), 0);
	assert_int_equal(stat(db, &sb), 0);
	assert_int_equal(sb.st_uid, 4242);
	assert_int_equal(sb.st_gid, 4343);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_uid, 4242);
	ledger_close(l);
	/* An existing file keeps its owner. */
	assert_int_equal(chown(db, 0, 0), 0);
	assert_int_equal(ledger_open(db, LEDGER_READWRITE, &l, NULL), 0);
	ledger_close(l);
	assert_int_equal(stat(db, &sb), 0);
	assert_int_equal(sb.st_uid, 0);
	free(sub);
	free(db);
	free(wal);
}

static void
test_readonly_missing_names_path(void **state)
{
	struct ledger *r = NULL;
	char *err = NULL, *want;

	(void)state;
	assert_int_equal(ledger_open(path, LEDGER_READONLY, &r, &err), -1);
	assert_null(r);
	want = xasprintf("%s: No such file or directory", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static void
test_queue_is_unique(void **state)
{
	struct ledger *l = open_rw();
	struct ledger_new m = msg("anna-mueller", "birthday/2027");
	struct ledger_entry e;
	struct ledger_attempt *a;
	size_t na;
	char *err = NULL;
	int64_t id = 0, id2 = -5;

	(void)state;
	assert_int_equal(ledger_queue(l, &m, NOW, LEASE(NOW + 60), &id, &err), 0);
	assert_int_equal(id, 1);
	/* The second pass must not send: the occurrence is taken. */
	m.subject = "other";
	assert_int_equal(ledger_queue(l, &m, NOW + 5, LEASE(NOW + 65), &id2, &err),
	    1);
	assert_int_equal(id2, -5);
	assert_int_equal(ledger_record_outcome(l, "anna-mueller", "birthday",
	    "birthday/2027", NOW, 3600, ST_SKIPPED, "paused", NOW, &err), 1);
	/* Another client's same occurrence is its own row. */
	assert_int_equal(queue(l, "bernd", "birthday/2027", NOW + 60), 2);

	assert_int_equal(ledger_get(l, 1, &e, &a, &na, &err), 0);
	assert_string_equal(e.subject, "Alles Gute");
	assert_int_equal(e.status, ST_QUEUED);
	assert_int_equal(e.attempts, 0);
	assert_int_equal(e.due, NOW);
	assert_int_equal(e.due_offset, 3600);
	assert_int_equal(e.updated, NOW);
	assert_string_equal(e.message_id,
	    "<20270228090000.1@lindgruen.example>");
	assert_int_equal(e.len, sizeof(MSG) - 1);
	assert_memory_equal(e.bytes, MSG, sizeof(MSG) - 1);
	assert_int_equal(na, 0);
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);
	assert_int_equal(sql_int(l, "SELECT lease_pid FROM messages "
	    "WHERE id = 1"), getpid());
	ledger_close(l);
}

static void
test_transitions_and_sent_is_final(void **state)
{
	struct ledger *l = open_rw();
	struct ledger_entry e;
	struct ledger_attempt *a;
	size_t na;
	char *err = NULL, *want;
	int64_t id, when;

	(void)state;
	id = queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	attempt(l, id, NOW + 3, ST_DEFERRED, 451, "4.3.0 try later",
	    NOW + 303);
	assert_int_equal(ledger_next_retry(l, &when, &err), 0);
	assert_int_equal(when, NOW + 303);
	assert_int_equal(ledger_get(l, id, &e, &a, &na, &err), 0);
	assert_int_equal(e.status, ST_DEFERRED);
	assert_int_equal(e.attempts, 1);
	assert_int_equal(e.smtp_code, 451);
	assert_string_equal(e.smtp_reply, "4.3.0 try later");
	assert_int_equal(e.next_attempt, NOW + 303);
	assert_int_equal(e.updated, NOW + 3);
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);
	assert_int_equal(sql_int(l, "SELECT lease_until FROM messages"), 0);

	attempt(l, id, NOW + 310, ST_SENT, 250, "2.0.0 Ok: queued as 4F2A",
	    0);
	assert_int_equal(ledger_next_retry(l, &when, &err), 0);
	assert_int_equal(when, HISTORY_NONE);

	/* Sent is final: a late "failed" or a second "sent" is refused and
	 * leaves no trace. */
	assert_int_equal(record_attempt(l, id, NOW + 400, ST_FAILED,
	    550, "no", 0, "gave up", &err), -1);
	want = xasprintf("%s: message 1 (anna-mueller birthday/2027) is "
	    "already recorded sent; not recording it failed", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	assert_int_equal(record_attempt(l, id, NOW + 401, ST_SENT,
	    250, "again", 0, NULL, &err), -1);
	free(err);

	assert_int_equal(ledger_get(l, id, &e, &a, &na, &err), 0);
	assert_int_equal(e.status, ST_SENT);
	assert_int_equal(e.attempts, 2);
	assert_int_equal(e.smtp_code, 250);
	assert_string_equal(e.smtp_reply, "2.0.0 Ok: queued as 4F2A");
	assert_int_equal(e.next_attempt, 0);
	assert_int_equal(e.updated, NOW + 310);
	assert_int_equal(na, 2);
	assert_int_equal(a[0].at, NOW + 3);
	assert_int_equal(a[0].outcome, ST_DEFERRED);
	assert_int_equal(a[0].smtp_code, 451);
	assert_string_equal(a[0].reply, "4.3.0 try later");
	assert_int_equal(a[1].at, NOW + 310);
	assert_int_equal(a[1].outcome, ST_SENT);
	assert_string_equal(a[1].reply, "2.0.0 Ok: queued as 4F2A");
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);

	/* A failed row is recorded, with its reason. */
	id = queue(l, "bernd", "followup/Logo/14d", NOW + 60);
	assert_int_equal(record_attempt(l, id, NOW + 5, ST_FAILED,
	    550, "5.1.1 no such user", 0, "permanent failure", &err), 0);
	assert_int_equal(ledger_get(l, id, &e, &a, &na, &err), 0);
	assert_int_equal(e.status, ST_FAILED);
	assert_string_equal(e.reason, "permanent failure");
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);

	/* Wrong uses name what is valid. */
	assert_int_equal(record_attempt(l, 99, NOW, ST_SENT, 250, "",
	    0, NULL, &err), -1);
	want = xasprintf("%s: no message 99", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	assert_int_equal(record_attempt(l, id, NOW, ST_MISSED, 0,
	    NULL, 0, NULL, &err), -1);
	want = xasprintf("%s: message 2: an attempt ends sent, deferred, "
	    "failed or skipped, not missed", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	assert_int_equal(ledger_record_outcome(l, "c", "o", "o/1", NOW, 0,
	    ST_SENT, NULL, NOW, &err), -1);
	want = xasprintf("%s: c o/1: only skipped, missed or failed can be "
	    "recorded without a message, not sent", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	assert_int_equal(ledger_get(l, 42, &e, &a, &na, &err), -1);
	want = xasprintf("%s: no message 42", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	ledger_close(l);
}

static void
test_skipped_and_missed(void **state)
{
	struct ledger *l = open_rw();
	struct ledger_entry e;
	struct ledger_attempt *a;
	size_t na;
	char *err = NULL;

	(void)state;
	assert_int_equal(ledger_record_outcome(l, "carla", "checkin",
	    "checkin/2027-02-26", NOW - 86400, 3600, ST_SKIPPED,
	    "paused until 2027-06-30", NOW, &err), 0);
	assert_int_equal(ledger_record_outcome(l, "carla", "birthday",
	    "birthday/2027", NOW - 5 * 86400, 3600, ST_MISSED,
	    "due 2027-02-23 09:00, beyond catch_up 3d", NOW, &err), 0);
	assert_int_equal(ledger_get(l, 2, &e, &a, &na, &err), 0);
	assert_int_equal(e.status, ST_MISSED);
	assert_string_equal(e.reason,
	    "due 2027-02-23 09:00, beyond catch_up 3d");
	assert_null(e.bytes);
	assert_null(e.to);
	assert_null(e.message_id);
	assert_int_equal(e.attempts, 0);
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);
	/* A message that could not be composed fails without an attempt. */
	assert_int_equal(ledger_record_outcome(l, "carla", "advent",
	    "advent/2026", NOW, 3600, ST_FAILED,
	    "templates/season.de.txt:3: unknown variable 'projekt'", NOW,
	    &err), 0);
	assert_int_equal(ledger_get(l, 3, &e, &a, &na, &err), 0);
	assert_int_equal(e.status, ST_FAILED);
	assert_string_equal(e.reason,
	    "templates/season.de.txt:3: unknown variable 'projekt'");
	assert_int_equal(na, 0);
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);
	/* Skipped and missed rows are never claimed for sending. */
	struct ledger_entry *c;
	size_t n;

	assert_int_equal(ledger_claim_ready(l, NOW + 86400, LEASE(NOW + 86460), &c,
	    &n, &err), 0);
	assert_int_equal(n, 0);
	free(c);
	ledger_close(l);
}

static void
test_crashed_queued_row_is_reclaimed(void **state)
{
	struct ledger *l = open_rw();
	struct ledger_entry *c;
	size_t n;
	char *err = NULL;
	int64_t id, when;

	(void)state;
	id = queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	assert_int_equal(ledger_next_retry(l, &when, &err), 0);
	assert_int_equal(when, NOW + 61);
	/* The pass that queued it still holds it. */
	assert_int_equal(ledger_claim_ready(l, NOW + 30, LEASE(NOW + 90), &c, &n,
	    &err), 0);
	assert_int_equal(n, 0);
	free(c);
	ledger_close(l);

	/* That pass crashed; after the lease the row comes back whole, with
	 * its Message-ID and bytes, to be sent again. */
	l = open_rw();
	assert_int_equal(ledger_claim_ready(l, NOW + 61, LEASE(NOW + 121), &c, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].id, id);
	assert_int_equal(c[0].status, ST_QUEUED);
	assert_string_equal(c[0].message_id,
	    "<20270228090000.1@lindgruen.example>");
	assert_string_equal(c[0].to, "anna@example.de");
	assert_int_equal(c[0].len, sizeof(MSG) - 1);
	assert_memory_equal(c[0].bytes, MSG, sizeof(MSG) - 1);
	ledger_entries_free(c, n);
	/* Re-leased: not handed out twice. */
	assert_int_equal(ledger_claim_ready(l, NOW + 62, LEASE(NOW + 122), &c, &n,
	    &err), 0);
	assert_int_equal(n, 0);
	free(c);
	assert_int_equal(sql_int(l, "SELECT lease_until FROM messages"),
	    NOW + 121);
	attempt(l, id, NOW + 63, ST_SENT, 250, "2.0.0 Ok", 0);
	assert_int_equal(ledger_claim_ready(l, NOW + 200, LEASE(NOW + 260), &c, &n,
	    &err), 0);
	assert_int_equal(n, 0);
	free(c);
	assert_int_equal(sql_int(l, "SELECT COUNT(*) FROM messages WHERE "
	    "status = 'sent'"), 1);
	ledger_close(l);
}

static void
test_claim_deferred_when_due(void **state)
{
	struct ledger *l = open_rw();
	struct ledger_entry *c;
	size_t n;
	char *err = NULL;
	int64_t a, b;

	(void)state;
	a = queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	b = queue(l, "bernd", "birthday/2027", NOW + 60);
	attempt(l, a, NOW + 1, ST_DEFERRED, 451, "later", NOW + 900);
	attempt(l, b, NOW + 2, ST_DEFERRED, 0, "connection refused",
	    NOW + 300);
	assert_int_equal(ledger_claim_ready(l, NOW + 299, LEASE(NOW + 400), &c, &n,
	    &err), 0);
	assert_int_equal(n, 0);
	free(c);
	assert_int_equal(ledger_claim_ready(l, NOW + 300, LEASE(NOW + 400), &c, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].id, b);
	assert_int_equal(c[0].status, ST_DEFERRED);
	assert_int_equal(c[0].attempts, 1);
	ledger_entries_free(c, n);
	/* b is leased until NOW+400: the next retry is a's. */
	assert_int_equal(ledger_next_retry(l, &a, &err), 0);
	assert_int_equal(a, NOW + 401);
	ledger_close(l);
}

/* A pass that died with rows leased (one queued, one deferred and
 * re-claimed): the next pass takes them at once, without waiting for the
 * lease, while a live holder keeps its rows. */
static void
test_claim_from_dead_holder(void **state)
{
	struct ledger *l;
	struct ledger_entry *c;
	size_t n;
	char *err = NULL;
	int status;
	pid_t pid;

	(void)state;
	l = open_rw();
	ledger_close(l);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ledger_entry *e;
		size_t k;
		int64_t b;

		l = open_rw();
		queue(l, "anna-mueller", "birthday/2027", NOW + 3600);
		b = queue(l, "bernd", "birthday/2027", NOW + 3600);
		attempt(l, b, NOW + 1, ST_DEFERRED, 451, "later", NOW + 300);
		if (ledger_claim_ready(l, NOW + 300, LEASE(NOW + 3900), &e, &k,
		    &err) != 0 || k != 1)
			_exit(2);
		ledger_entries_free(e, k);
		/* A row of a holder that is alive (this test's parent). */
		sqlite3_exec(l->db, "UPDATE messages SET lease_pid = 1 WHERE"
		    " client = 'anna-mueller'", NULL, NULL, NULL);
		queue(l, "carla", "birthday/2027", NOW + 3600);
		ledger_close(l);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	l = open_rw();
	assert_int_equal(sql_int(l, "SELECT COUNT(*) FROM messages WHERE "
	    "lease_until > 0"), 3);
	assert_int_equal(ledger_claim_ready(l, NOW + 310, LEASE(NOW + 400), &c, &n,
	    &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].client, "bernd");
	assert_int_equal(c[0].status, ST_DEFERRED);
	assert_string_equal(c[1].client, "carla");
	assert_int_equal(c[1].status, ST_QUEUED);
	ledger_entries_free(c, n);
	/* Now ours: not handed out again. */
	assert_int_equal(ledger_claim_ready(l, NOW + 311, LEASE(NOW + 400), &c, &n,
	    &err), 0);
	assert_int_equal(n, 0);
	free(c);
	ledger_close(l);
}

/* Four processes claim at the same moment: every row goes to exactly
 * one of them.  Each stays alive until all have claimed: rows leased to a
 * process that is gone are free to take (see test_claim_from_dead_holder). */
static void
test_concurrent_claims_never_share(void **state)
{
	enum { ROWS = 40, PROCS = 4 };
	struct ledger *l = open_rw();
	int fds[2], rel[2], seen[ROWS + 1] = { 0 }, total = 0, done = 0;
	int status;
	pid_t pids[PROCS];
	int64_t id;

	(void)state;
	for (int i = 0; i < ROWS; i++) {
		char occ[32];

		snprintf(occ, sizeof(occ), "checkin/%d", i);
		id = queue(l, "anna-mueller", occ, NOW + 60);
		attempt(l, id, NOW + 1, ST_DEFERRED, 451, "later", NOW + 10);
	}
	ledger_close(l);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pipe(rel), 0);
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] != -1);
		if (pids[p] == 0) {
			struct ledger *cl;
			struct ledger_entry *c;
			size_t n;
			char *err = NULL, b;
			int end = -1;

			close(fds[0]);
			close(rel[1]);
			/* A failing child still says it is done, or the
			 * parent would wait for it forever. */
			if (ledger_open(path, LEDGER_READWRITE, &cl, &err) ||
			    ledger_claim_ready(cl, NOW + 20, LEASE(NOW + 80), &c, &n,
			    &err)) {
				(void)!write(fds[1], &end, sizeof(end));
				_exit(1);
			}
			for (size_t i = 0; i < n; i++) {
				int v = (int)c[i].id;

				if (write(fds[1], &v, sizeof(v)) != sizeof(v))
					_exit(1);
			}
			if (write(fds[1], &end, sizeof(end)) != sizeof(end))
				_exit(1);
			/* Hold the leases until the parent has every claim. */
			(void)!read(rel[0], &b, 1);
			_exit(0);
		}
	}
	close(fds[1]);
	close(rel[0]);
	for (int v; done < PROCS && read(fds[0], &v, sizeof(v)) ==
	    sizeof(v);) {
		if (v == -1) {
			done++;
			continue;
		}
		assert_true(v >= 1 && v <= ROWS);
		assert_int_equal(seen[v], 0);
		seen[v] = 1;
		total++;
	}
	close(rel[1]);
	for (int p = 0; p < PROCS; p++) {
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(fds[0]);
	assert_int_equal(done, PROCS);
	assert_int_equal(total, ROWS);
}

/* A send log with a bit of everything: anna and bernd first seen,
 * anna's two touches and two messages (one sent), bernd's opt-out,
 * carla's missed advent greeting. */
static void
history_rows(struct ledger *l)
{
	const char *const seen[] = { "anna-mueller", "bernd" };
	char *err = NULL;
	int64_t id;

	assert_int_equal(ledger_mark_seen(l, seen, 2, NOW - 1000, &err), 0);
	assert_int_equal(ledger_mark_seen(l, seen, 1, NOW, &err), 0);
	assert_int_equal(ledger_touch(l, "anna-mueller", NOW - 500, "Kaffee",
	    &err), 0);
	assert_int_equal(ledger_touch(l, "anna-mueller", NOW - 700, NULL,
	    &err), 0);
	assert_int_equal(ledger_optout(l, "bernd", NULL, NOW - 100, &err), 0);
	id = queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	attempt(l, id, NOW + 42, ST_SENT, 250, "Ok", 0);
	queue(l, "anna-mueller", "checkin/2027-03-04", NOW + 60);
	assert_int_equal(ledger_record_outcome(l, "carla", "advent",
	    "advent/2026", NOW - 70 * 86400, 3600, ST_MISSED, "too late",
	    NOW, &err), 0);
}

static void
test_history(void **state)
{
	struct ledger *l = open_rw();
	struct history *h = history_new();
	const struct history_client *hc;
	const struct history_record *r;
	char *err = NULL;

	(void)state;
	history_rows(l);

	assert_int_equal(ledger_load_history(l, h, &err), 0);
	hc = history_client(h, "anna-mueller");
	assert_non_null(hc);
	assert_int_equal(hc->first_seen, NOW - 1000);
	assert_int_equal(hc->last_touch, NOW - 500);
	assert_int_equal(hc->optout, HISTORY_NONE);
	assert_int_equal(hc->nrecords, 2);
	assert_int_equal(last_sent(hc), NOW + 42);
	r = find(h, "anna-mueller", "birthday/2027");
	assert_non_null(r);
	assert_int_equal(r->status, ST_SENT);
	assert_int_equal(r->sent, NOW + 42);
	assert_int_equal(r->due, NOW);
	assert_string_equal(r->occasion, "birthday");
	assert_string_equal(r->template_file, "birthday.de.txt");
	r = find(h, "anna-mueller", "checkin/2027-03-04");
	assert_non_null(r);
	assert_int_equal(r->status, ST_QUEUED);
	assert_int_equal(r->sent, HISTORY_NONE);

	hc = history_client(h, "bernd");
	assert_non_null(hc);
	assert_int_equal(hc->first_seen, NOW - 1000);
	assert_int_equal(hc->optout, NOW - 100);
	assert_int_equal(hc->last_touch, HISTORY_NONE);
	assert_int_equal(hc->nrecords, 0);

	hc = history_client(h, "carla");
	assert_non_null(hc);
	assert_int_equal(hc->first_seen, HISTORY_NONE);
	r = find(h, "carla", "advent/2026");
	assert_non_null(r);
	assert_int_equal(r->status, ST_MISSED);
	assert_null(r->template_file);
	assert_null(history_client(h, "dora"));
	history_free(h);
	ledger_close(l);
}

static void
test_optouts(void **state)
{
	struct ledger *l = open_rw();
	char **clients, *err = NULL;
	int64_t *at, when;
	size_t n;

	(void)state;
	assert_int_equal(ledger_optout_of(l, "bernd", NULL, &when, &err), 0);
	assert_int_equal(when, HISTORY_NONE);
	assert_int_equal(ledger_list_optouts(l, &clients, &at, &n, &err), 0);
	assert_int_equal(n, 0);
	free(clients);
	free(at);

	assert_int_equal(ledger_optout(l, "bernd", NULL, NOW, &err), 0);
	assert_int_equal(ledger_optout(l, "anna-mueller", NULL, NOW + 5, &err), 0);
	/* The earliest objection stands. */
	assert_int_equal(ledger_optout(l, "bernd", NULL, NOW + 100, &err), 0);
	assert_int_equal(ledger_optout_of(l, "bernd", NULL, &when, &err), 0);
	assert_int_equal(when, NOW);
	assert_int_equal(ledger_optout(l, "bernd", NULL, NOW - 100, &err), 0);
	assert_int_equal(ledger_optout_of(l, "bernd", NULL, &when, &err), 0);
	assert_int_equal(when, NOW - 100);

	assert_int_equal(ledger_list_optouts(l, &clients, &at, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(clients[0], "anna-mueller");
	assert_int_equal(at[0], NOW + 5);
	assert_string_equal(clients[1], "bernd");
	assert_int_equal(at[1], NOW - 100);
	for (size_t i = 0; i < n; i++)
		free(clients[i]);
	free(clients);
	free(at);
	ledger_close(l);
}

/* An objection is the person's: it holds for the address under any id (a
 * renamed client, a second entry), without regard to case, in the check
 * before a send, in the history the planner reads (everyone's and one
 * client's) and in what `history` shows. */
static void
test_optout_by_address(void **state)
{
	struct ledger *l = open_rw();
	struct history *h = history_new(), *one = history_new();
	char *err = NULL, *source, *as;
	int64_t when;

	(void)state;
	assert_int_equal(ledger_optout(l, "bernd", "Bernd@Example.DE", NOW,
	    &err), 0);
	assert_int_equal(ledger_optout_of(l, "bernd-neu", "bernd@example.de",
	    &when, &err), 0);
	assert_int_equal(when, NOW);
	assert_int_equal(ledger_optout_of(l, "bernd-neu", "BERND@EXAMPLE.DE",
	    &when, &err), 0);
	assert_int_equal(when, NOW);
	assert_int_equal(ledger_optout_of(l, "bernd-neu", "anna@example.de",
	    &when, &err), 0);
	assert_int_equal(when, HISTORY_NONE);
	assert_int_equal(ledger_optout_of(l, "bernd-neu", NULL, &when, &err),
	    0);
	assert_int_equal(when, HISTORY_NONE);
	/* A later objection of the new id does not move the date. */
	assert_int_equal(ledger_optout(l, "bernd-neu", "bernd@example.de",
	    NOW + 50, &err), 0);
	assert_int_equal(ledger_optout_of(l, "bernd-neu", "bernd@example.de",
	    &when, &err), 0);
	assert_int_equal(when, NOW);

	assert_int_equal(ledger_load_history(l, h, &err), 0);
	assert_null(history_client(h, "zora"));
	assert_int_equal(history_optout(h, NULL, "bERnd@example.de"), NOW);
	assert_int_equal(history_optout(h, NULL, "zora@example.de"),
	    HISTORY_NONE);
	assert_int_equal(history_optout(h, history_client(h, "bernd-neu"),
	    "other@example.de"), NOW + 50);
	assert_int_equal(ledger_load_client(l, "zora", one, &err), 0);
	assert_int_equal(history_optout(one, history_client(one, "zora"),
	    "Bernd@example.de"), NOW);

	assert_int_equal(ledger_optout_source(l, "zora", "bernd@EXAMPLE.de",
	    &when, &source, &as, &err), 0);
	assert_int_equal(when, NOW);
	assert_null(source);
	assert_string_equal(as, "bernd");
	free(as);
	assert_int_equal(ledger_optout_source(l, "bernd", NULL, &when,
	    &source, &as, &err), 0);
	assert_int_equal(when, NOW);
	assert_null(as);
	history_free(h);
	history_free(one);
	ledger_close(l);
}

/* A permanent refusal that names the address (550 5.1.1 at RCPT) is a
 * bounce of that address, dated by the refusal, for the last-moment check,
 * the planner's history and check; a refusal for another reason (5.7.1),
 * a temporary one or one without an enhanced status is not. */
static void
test_refused_address_is_a_bounce(void **state)
{
	struct ledger *l = open_rw();
	struct history *h = history_new();
	char **clients, **addrs, *err = NULL;
	int64_t *at, when, id;
	size_t n;

	(void)state;
	id = queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	attempt(l, id, NOW + 10, ST_FAILED, 550,
	    "5.1.1 <anna@example.de>: Recipient address rejected", 0);
	id = queue(l, "anna-mueller", "checkin/2027-03-04", NOW + 60);
	attempt(l, id, NOW + 20, ST_FAILED, 554, "5.7.1 Spam detected", 0);
	id = queue(l, "bernd", "birthday/2027", NOW + 60);
	attempt(l, id, NOW + 30, ST_FAILED, 550, "No such user here", 0);

	assert_int_equal(ledger_bounced_of(l, "anna-mueller", "anna@example.de",
	    &when, &err), 0);
	assert_int_equal(when, NOW + 10);
	assert_int_equal(ledger_bounced_of(l, "bernd", "anna@example.de",
	    &when, &err), 0);
	assert_int_equal(when, HISTORY_NONE);
	assert_int_equal(ledger_load_history(l, h, &err), 0);
	assert_int_equal(history_bounced(history_client(h, "anna-mueller"),
	    "anna@example.de"), NOW + 10);
	assert_int_equal(history_bounced(history_client(h, "bernd"),
	    "anna@example.de"), HISTORY_NONE);
	assert_int_equal(ledger_list_bounces(l, &clients, &addrs, &at, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(clients[0], "anna-mueller");
	assert_string_equal(addrs[0], "anna@example.de");
	assert_int_equal(at[0], NOW + 10);
	free(clients[0]);
	free(addrs[0]);
	free(clients);
	free(addrs);
	free(at);
	history_free(h);
	ledger_close(l);
}

/* A log of version 5 gets each opt-out's address from the last message
 * its client was written to (none: NULL, the id alone). */
static void
test_migration_5_to_6_backfills_address(void **state)
{
	struct ledger *l = open_rw();
	char *err = NULL;
	int64_t when;

	(void)state;
	sql(l, "INSERT INTO messages (client, occasion, occurrence, status,"
	    " due, created, updated, to_addr) VALUES"
	    " ('bernd', 'birthday', 'birthday/2025', 'sent', 1, 1, 1,"
	    " 'old@example.de'),"
	    " ('bernd', 'birthday', 'birthday/2026', 'sent', 2, 2, 2,"
	    " 'Bernd@Example.DE');"
	    "INSERT INTO optouts (client, at) VALUES ('bernd', 1000),"
	    " ('carla', 2000);"
	    "DROP INDEX optouts_address;"
	    "ALTER TABLE optouts DROP COLUMN address;"
	    "PRAGMA user_version = 5;");
	ledger_close(l);
	l = open_rw();
	assert_int_equal(sql_int(l, "PRAGMA user_version"), 6);
	assert_int_equal(ledger_optout_of(l, "bernd-2", "bernd@example.de",
	    &when, &err), 0);
	assert_int_equal(when, 1000);
	assert_int_equal(ledger_optout_of(l, "bernd-2", "old@example.de",
	    &when, &err), 0);
	assert_int_equal(when, HISTORY_NONE);
	assert_int_equal(sql_int(l, "SELECT count(*) FROM optouts WHERE"
	    " client = 'carla' AND address IS NULL"), 1);
	ledger_close(l);
}

static void
test_list_filters_newest_first(void **state)
{
	struct ledger *l = open_rw(), *r;
	struct ledger_filter f = { HISTORY_NONE, HISTORY_NONE, NULL, false,
	    ST_QUEUED };
	struct ledger_entry *e;
	size_t n;
	char *err = NULL;
	int64_t a, b, c;

	(void)state;
	a = queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	b = queue(l, "bernd", "birthday/2027", NOW + 60);
	c = queue(l, "anna-mueller", "checkin/2027-03-04", NOW + 60);
	attempt(l, a, NOW + 100, ST_SENT, 250, "Ok", 0);
	attempt(l, b, NOW + 300, ST_SENT, 250, "Ok", 0);
	attempt(l, c, NOW + 200, ST_DEFERRED, 421, "busy", NOW + 600);
	ledger_close(l);

	assert_int_equal(ledger_open(path, LEDGER_READONLY, &r, &err), 0);
	assert_int_equal(ledger_list(r, &f, &e, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].id, b);
	assert_int_equal(e[1].id, c);
	assert_int_equal(e[2].id, a);
	assert_null(e[0].bytes);
	ledger_entries_free(e, n);

	f.client = "anna-mueller";
	assert_int_equal(ledger_list(r, &f, &e, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].id, c);
	assert_int_equal(e[1].id, a);
	ledger_entries_free(e, n);

	f.has_status = true;
	f.status = ST_SENT;
	assert_int_equal(ledger_list(r, &f, &e, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].id, a);
	ledger_entries_free(e, n);

	/* since inclusive, until exclusive, on the last update. */
	f.client = NULL;
	f.has_status = false;
	f.since = NOW + 200;
	f.until = NOW + 300;
	assert_int_equal(ledger_list(r, &f, &e, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].id, c);
	ledger_entries_free(e, n);
	/* A reader cannot write. */
	assert_int_equal(ledger_touch(r, "anna-mueller", NOW, NULL, &err),
	    -1);
	free(err);
	ledger_close(r);
}

/* Readers are not blocked by a writer; a writer waits, then names the
 * file. */
static void
test_locked_and_reading_while_writing(void **state)
{
	struct ledger *l = open_rw(), *w = open_rw(), *r;
	struct ledger_filter f = { HISTORY_NONE, HISTORY_NONE, NULL, false,
	    ST_QUEUED };
	struct ledger_entry *e;
	size_t n;
	char *err = NULL, *want;

	(void)state;
	queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	sql(w, "BEGIN IMMEDIATE");
	sql(w, "UPDATE messages SET subject = 'uncommitted'");

	assert_int_equal(ledger_open(path, LEDGER_READONLY, &r, &err), 0);
	assert_int_equal(ledger_list(r, &f, &e, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].subject, "Alles Gute");
	ledger_entries_free(e, n);
	ledger_close(r);

	sqlite3_busy_timeout(l->db, 50);
	assert_int_equal(ledger_touch(l, "anna-mueller", NOW, NULL, &err),
	    -1);
	want = xasprintf("%s: database is locked (another process kept it "
	    "locked beyond the busy timeout)", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	sql(w, "COMMIT");
	assert_int_equal(ledger_touch(l, "anna-mueller", NOW, NULL, &err), 0);
	ledger_close(w);
	ledger_close(l);
}

/* Exactly the schema version 1 shipped, with rows as it wrote them. */
static const char v1_schema[] =
	"CREATE TABLE messages (id INTEGER PRIMARY KEY, client TEXT NOT NULL,"
	" occasion TEXT NOT NULL, occurrence TEXT NOT NULL,"
	" status TEXT NOT NULL, due INTEGER NOT NULL,"
	" due_offset INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,"
	" updated INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" to_addr TEXT, subject TEXT, message_id TEXT, template_file TEXT,"
	" bytes BLOB, smtp_code INTEGER NOT NULL DEFAULT 0, smtp_reply TEXT,"
	" reason TEXT, next_attempt INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (client, occurrence));"
	"CREATE INDEX messages_updated ON messages (updated);"
	"CREATE TABLE clients_seen (client TEXT PRIMARY KEY,"
	" first_seen INTEGER NOT NULL);"
	"CREATE TABLE touches (client TEXT NOT NULL, at INTEGER NOT NULL,"
	" note TEXT);"
	"CREATE INDEX touches_client ON touches (client, at);"
	"CREATE TABLE optouts (client TEXT PRIMARY KEY, at INTEGER NOT NULL);"
	"INSERT INTO messages VALUES (1, 'anna-mueller', 'birthday',"
	" 'birthday/2026', 'sent', 1772265600, 3600, 1772265600, 1772265905,"
	" 2, 'anna@example.de', 'Alles Gute', '<a@x>', 'birthday.de.txt',"
	" X'48690d0a', 250, '2.0.0 Ok', NULL, 0);"
	"INSERT INTO messages VALUES (2, 'anna-mueller', 'checkin',"
	" 'checkin/2026-05-04', 'queued', 1777878000, 7200, 1777878000,"
	" 1777878000, 0, 'anna@example.de', 'Wie geht''s?', '<b@x>',"
	" 'how-are-you.de.txt', X'4f4b0d0a', 0, NULL, NULL, 0);"
	"INSERT INTO messages VALUES (3, 'bernd', 'advent', 'advent/2026',"
	" 'skipped', 1797584400, 3600, 1797584400, 1797584400, 0, NULL, NULL,"
	" NULL, NULL, NULL, 0, NULL, 'opted out', 0);"
	"INSERT INTO clients_seen VALUES ('anna-mueller', 1770000000);"
	"INSERT INTO touches VALUES ('anna-mueller', 1775000000, 'Anruf');"
	"INSERT INTO optouts VALUES ('bernd', 1790000000);"
	"PRAGMA user_version = 1;";

static void
make_v1(void)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, v1_schema, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void
test_migration_from_v1(void **state)
{
	struct ledger *l, *r;
	struct history *h = history_new();
	const struct history_client *hc;
	struct ledger_entry e, *c;
	struct ledger_attempt *a;
	size_t na, n;
	char *err = NULL, *want;

	(void)state;
	make_v1();
	/* A reader never migrates; it says who will. */
	assert_int_equal(ledger_open(path, LEDGER_READONLY, &r, &err), -1);
	want = xasprintf("%s: schema version 1 was written by an older "
	    "touchbase; touchbased upgrades it to 6 when it next starts",
	    path);
	assert_string_equal(err, want);
	free(want);
	free(err);

	l = open_rw();
	assert_int_equal(sql_int(l, "PRAGMA user_version"), 6);
	assert_int_equal(ledger_get(l, 1, &e, &a, &na, &err), 0);
	assert_int_equal(e.status, ST_SENT);
	assert_int_equal(e.attempts, 2);
	assert_int_equal(e.len, 4);
	assert_memory_equal(e.bytes, "Hi\r\n", 4);
	/* v1 kept only the last reply: it becomes the one known attempt. */
	assert_int_equal(na, 1);
	assert_int_equal(a[0].at, 1772265905);
	assert_int_equal(a[0].smtp_code, 250);
	assert_string_equal(a[0].reply, "2.0.0 Ok");
	assert_int_equal(a[0].outcome, ST_SENT);
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);

	assert_int_equal(ledger_load_history(l, h, &err), 0);
	hc = history_client(h, "anna-mueller");
	assert_non_null(hc);
	assert_int_equal(hc->first_seen, 1770000000);
	assert_int_equal(hc->last_touch, 1775000000);
	assert_int_equal(hc->nrecords, 2);
	assert_int_equal(last_sent(hc), 1772265905);
	hc = history_client(h, "bernd");
	assert_non_null(hc);
	assert_int_equal(hc->optout, 1790000000);
	assert_int_equal(hc->records[0].status, ST_SKIPPED);
	history_free(h);

	/* A v1 row left queued by a crash has no lease: it is due again,
	 * with its Message-ID. */
	assert_int_equal(ledger_claim_ready(l, NOW, LEASE(NOW + 60), &c, &n, &err),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].id, 2);
	assert_string_equal(c[0].message_id, "<b@x>");
	assert_string_equal(c[0].subject, "Wie geht's?");
	ledger_entries_free(c, n);
	/* And the new schema is enforced: sent stays sent. */
	assert_int_equal(record_attempt(l, 1, NOW, ST_DEFERRED, 451,
	    "x", NOW + 60, NULL, &err), -1);
	free(err);
	ledger_close(l);

	/* Opening again does not migrate twice. */
	l = open_rw();
	assert_int_equal(sql_int(l, "SELECT COUNT(*) FROM attempts"), 1);
	ledger_close(l);
}

static void
test_newer_schema_is_refused(void **state)
{
	struct ledger *l = open_rw();
	char *err = NULL, *want;

	(void)state;
	sql(l, "PRAGMA user_version = 7");
	ledger_close(l);
	want = xasprintf("%s: schema version 7 was written by a newer "
	    "touchbase (this one knows up to 6); upgrade touchbase", path);
	assert_int_equal(ledger_open(path, LEDGER_READWRITE, &l, &err), -1);
	assert_string_equal(err, want);
	free(err);
	assert_int_equal(ledger_open(path, LEDGER_READONLY, &l, &err), -1);
	assert_string_equal(err, want);
	free(err);
	free(want);
}

static void
test_not_a_database(void **state)
{
	struct ledger *l;
	char *err = NULL, *want;
	FILE *fp = fopen(path, "w");

	(void)state;
	assert_non_null(fp);
	fputs("this is a text file, not a send log\n", fp);
	fclose(fp);
	assert_int_equal(ledger_open(path, LEDGER_READWRITE, &l, &err), -1);
	want = xasprintf("%s is damaged (file is not a database); touchbased "
	    "will not write to it. Stop touchbased, move the file aside and "
	    "copy the newest backup from %s/backup/ in its place (see "
	    "\"Restoring from a backup\" in touchbased(8))", path, dir);
	assert_string_equal(err, want);
	free(want);
	free(err);
	/* The reading commands say the same. */
	assert_int_equal(ledger_open(path, LEDGER_READONLY, &l, &err), -1);
	assert_non_null(strstr(err, "is damaged (file is not a database)"));
	free(err);
}

/* 100,000 clients with a row each load whole (one query per table); how
 * fast is bench/'s question, not a test's. */
static void
test_history_of_100000_clients(void **state)
{
	struct ledger *l = open_rw();
	struct history *h = history_new();
	sqlite3_stmt *st;
	char *err = NULL;

	(void)state;
	sql(l, "BEGIN");
	assert_int_equal(sqlite3_prepare_v2(l->db, "INSERT INTO messages"
	    " (client, occasion, occurrence, status, due, created, updated,"
	    " template_file) VALUES ('c' || ?1, 'birthday', 'birthday/2027',"
	    " 'sent', ?2, ?2, ?2, 'birthday.de.txt')", -1, &st, NULL),
	    SQLITE_OK);
	for (int i = 0; i < 100000; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_int64(st, 2, NOW + i);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sql(l, "INSERT INTO clients_seen SELECT client, created FROM messages");
	sql(l, "INSERT INTO touches SELECT client, created, NULL "
	    "FROM messages");
	sql(l, "COMMIT");

	assert_int_equal(ledger_load_history(l, h, &err), 0);
	assert_int_equal(last_sent(history_client(h, "c99999")),
	    NOW + 99999);
	assert_int_equal(history_client(h, "c5")->first_seen, NOW + 5);
	history_free(h);
	ledger_close(l);
}

/* A pass whose transaction ran long (900 s) renews its lease before
 * the send and keeps the row: a concurrent claim gets nothing.  A holder
 * that did not renew loses the row to the next claim, and then its late
 * outcome is refused, so the new holder's outcome stands. */
static void
test_lease_renewed_and_taken_over(void **state)
{
	struct ledger *l = open_rw();
	struct ledger_lease a = { 11, NOW + 960 }, b = { 22, 0 };
	struct ledger_outcome o;
	struct ledger_entry *c = NULL, e;
	struct ledger_attempt *at = NULL;
	size_t n = 0, na = 0;
	char *err = NULL;
	int64_t id = 0;
	struct ledger_new m = msg("anna-mueller", "birthday/2027");

	(void)state;
	assert_int_equal(ledger_queue(l, &m, NOW, &a, &id, &err), 0);
	/* 900 s later (another message's slow transaction): A renews. */
	a.until = NOW + 900 + 960;
	assert_int_equal(ledger_renew(l, id, &a, &err), 0);
	b.until = NOW + 961 + 960;
	assert_int_equal(ledger_claim_ready(l, NOW + 961, &b, &c, &n, &err),
	    0);
	assert_int_equal(n, 0);

	/* A stalls beyond its lease: B takes the row over. */
	assert_int_equal(ledger_claim_ready(l, NOW + 900 + 961, &b, &c, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	ledger_entries_free(c, n);
	assert_int_equal(ledger_renew(l, id, &a, &err), 1);
	memset(&o, 0, sizeof(o));
	o.status = ST_SENT;
	o.at = NOW + 2000;
	o.attempted = true;
	o.smtp_code = 250;
	o.reply = "2.0.0 A";
	assert_int_equal(ledger_settle(l, id, a.token, &o, &err), 1);
	assert_non_null(strstr(err, "message 1 (anna-mueller birthday/2027) "
	    "is no longer leased to this pass (another pass took it over); "
	    "not recording it sent"));
	free(err);
	err = NULL;
	o.reply = "2.0.0 B";
	assert_int_equal(ledger_settle(l, id, b.token, &o, &err), 0);
	assert_int_equal(ledger_get(l, id, &e, &at, &na, &err), 0);
	assert_int_equal(e.status, ST_SENT);
	assert_string_equal(e.smtp_reply, "2.0.0 B");
	assert_int_equal(na, 1);
	ledger_entry_clear(&e);
	ledger_attempts_free(at, na);
	ledger_close(l);
}

/* The small state table, the newest moment, and an online backup that
 * refuses to overwrite. */
static void
test_state_newest_backup(void **state)
{
	struct ledger *l = open_rw(), *r = NULL;
	char *err = NULL, *text = NULL, *bk = xasprintf("%s/copy.db", dir);
	const char *seen[] = { "bert", "carla" };
	int64_t v = 0, rows = 0;
	bool found = true;

	(void)state;
	assert_int_equal(ledger_newest(l, &v, &err), 0);
	assert_int_equal(v, HISTORY_NONE);
	assert_int_equal(ledger_state_get(l, "k", &found, &v, &text, &err),
	    0);
	assert_false(found);
	assert_int_equal(ledger_state_set(l, "k", 7, "seven", &err), 0);
	assert_int_equal(ledger_state_set(l, "k", 8, NULL, &err), 0);
	assert_int_equal(ledger_state_get(l, "k", &found, &v, &text, &err),
	    0);
	assert_true(found);
	assert_int_equal(v, 8);
	assert_null(text);
	queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	attempt(l, 1, NOW + 42, ST_SENT, 250, "ok", 0);
	assert_int_equal(ledger_newest(l, &v, &err), 0);
	assert_int_equal(v, NOW + 42);

	/* Clients first seen later count, kept without a scan; an earlier
	 * marking does not lower it. */
	assert_int_equal(ledger_mark_seen(l, seen, 1, NOW + 100, &err), 0);
	assert_int_equal(ledger_mark_seen(l, seen + 1, 1, NOW + 90, &err), 0);
	assert_int_equal(ledger_newest(l, &v, &err), 0);
	assert_int_equal(v, NOW + 100);
	assert_int_equal(sql_int(l, "SELECT value FROM state WHERE key ="
	    " 'clients.newest_seen'"), NOW + 100);
	/* A log from before that was kept: computed once, then stored. */
	sql(l, "DELETE FROM state WHERE key = 'clients.newest_seen'");
	assert_int_equal(ledger_newest(l, &v, &err), 0);
	assert_int_equal(v, NOW + 100);
	assert_int_equal(sql_int(l, "SELECT value FROM state WHERE key ="
	    " 'clients.newest_seen'"), NOW + 100);

	assert_int_equal(ledger_backup(l, bk, &rows, &err), 0);
	assert_int_equal(rows, 1);
	assert_int_equal(ledger_backup(l, bk, &rows, &err), -1);
	assert_non_null(strstr(err, "File exists (a backup never overwrites "
	    "a file; choose a new name)"));
	free(err);
	assert_int_equal(ledger_open(bk, LEDGER_READONLY, &r, &err), 0);
	assert_int_equal(ledger_check(r, &err), 0);
	ledger_close(r);
	free(bk);
	ledger_close(l);
}

/* Reading needs no write permission: a database whose folder is not
 * writable, without -shm and -wal, opens read-only (as immutable). */
static void
test_read_only_folder(void **state)
{
	struct ledger *l = open_rw(), *r = NULL;
	struct ledger_entry *e = NULL;
	struct ledger_filter f = { HISTORY_NONE, HISTORY_NONE, NULL, false,
	    ST_SENT };
	size_t n = 0;
	char *err = NULL;

	(void)state;
	queue(l, "anna-mueller", "birthday/2027", NOW + 60);
	ledger_close(l);	/* the last connection removes -wal, -shm */
	if (geteuid() == 0) {
		/* root ignores permissions: use the immutable path by
		 * making the folder's -shm impossible to create. */
		char *shm = xasprintf("%s-shm", path);

		assert_int_equal(mkdir(shm, 0700), 0);
		assert_int_equal(ledger_open(path, LEDGER_READONLY, &r, &err),
		    0);
		rmdir(shm);
		free(shm);
	} else {
		assert_int_equal(chmod(dir, 0500), 0);
		assert_int_equal(ledger_open(path, LEDGER_READONLY, &r, &err),
		    0);
		chmod(dir, 0700);
	}
	assert_int_equal(ledger_list(r, &f, &e, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].occurrence, "birthday/2027");
	ledger_entries_free(e, n);
	ledger_close(r);
}

/* In a folder shared with a group (0750, the package's state folder)
 * the send log and its -wal are readable by that group, whatever the
 * umask; others get nothing. */
static void
test_group_folder_gives_0640(void **state)
{
	struct ledger *l;
	struct stat sb;
	char *err = NULL, *wal = xasprintf("%s-wal", path);
	mode_t old = umask(077);

	(void)state;
	assert_int_equal(chmod(dir, 0750), 0);
	l = open_rw();
	umask(old);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	assert_int_equal(ledger_touch(l, "anna-mueller", NOW, NULL, &err), 0);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	ledger_close(l);
	free(wal);
}

static bool
same_text(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* One client's history read alone (the daemon's cached wake-ups compose
 * from it) is what the whole send log's history holds for that client:
 * first seen, touches, opt-out, messages, the mailbox's contacts and
 * bounces. */
static void
test_load_client_as_history(void **state)
{
	struct ledger *l = open_rw();
	const char *const who[] = { "anna-mueller", "bernd", "carla",
	    "nobody" };
	char *err = NULL;
	int64_t id;

	(void)state;
	history_rows(l);
	id = queue(l, "bernd", "birthday/2027", NOW + 60);
	attempt(l, id, NOW + 50, ST_SENT, 250, "Ok", 0);
	sql(l, "UPDATE messages SET status = 'bounced', dsn_at = 1803805000,"
	    " to_addr = 'bernd@example.de' WHERE client = 'bernd'");
	sql(l, "INSERT INTO mail_events (client, kind, at, mail_key) VALUES"
	    " ('anna-mueller', 'contact', 1803700000, 'k1'),"
	    " ('anna-mueller', 'contact', 1803790000, 'k2'),"
	    " ('carla', 'reply', 1803790000, 'k3')");

	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
		struct history *all = history_new(), *one = history_new();
		const struct history_client *a, *o;

		assert_int_equal(ledger_load_history(l, all, &err), 0);
		assert_int_equal(ledger_load_client(l, who[i], one, &err), 0);
		a = history_client(all, who[i]);
		o = history_client(one, who[i]);
		if (a == NULL) {
			assert_null(o);
			history_free(all);
			history_free(one);
			continue;
		}
		assert_non_null(o);
		assert_int_equal(o->first_seen, a->first_seen);
		assert_int_equal(o->last_touch, a->last_touch);
		assert_int_equal(o->optout, a->optout);
		assert_int_equal(o->last_mail, a->last_mail);
		assert_int_equal(o->nrecords, a->nrecords);
		for (size_t k = 0; k < a->nrecords; k++) {
			const struct history_record *x = &a->records[k];
			const struct history_record *y = &o->records[k];

			assert_string_equal(y->occurrence, x->occurrence);
			assert_string_equal(y->occasion, x->occasion);
			assert_int_equal(y->status, x->status);
			assert_int_equal(y->due, x->due);
			assert_int_equal(y->sent, x->sent);
			assert_true(same_text(y->template_file,
			    x->template_file));
		}
		assert_int_equal(o->nbounces, a->nbounces);
		for (size_t k = 0; k < a->nbounces; k++) {
			assert_string_equal(o->bounces[k].address,
			    a->bounces[k].address);
			assert_int_equal(o->bounces[k].at, a->bounces[k].at);
		}
		history_free(all);
		history_free(one);
	}
	/* Not vacuous: each kind of fact is there for someone. */
	{
		struct history *one = history_new();
		const struct history_client *o;

		assert_int_equal(ledger_load_client(l, "anna-mueller", one,
		    &err), 0);
		o = history_client(one, "anna-mueller");
		assert_int_equal(o->last_touch, NOW - 500);
		assert_int_equal(o->last_mail, 1803790000);
		assert_int_equal(o->nrecords, 2);
		history_free(one);
		one = history_new();
		assert_int_equal(ledger_load_client(l, "bernd", one, &err), 0);
		o = history_client(one, "bernd");
		assert_int_equal(o->optout, NOW - 100);
		assert_int_equal(o->nbounces, 1);
		assert_int_equal(o->records[0].status, ST_BOUNCED);
		history_free(one);
	}
	ledger_close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_open_creates_private_wal),
		T(test_group_folder_gives_0640),
		T(test_root_creates_for_folder_owner),
		T(test_readonly_missing_names_path),
		T(test_queue_is_unique),
		T(test_transitions_and_sent_is_final),
		T(test_skipped_and_missed),
		T(test_crashed_queued_row_is_reclaimed),
		T(test_claim_deferred_when_due),
		T(test_claim_from_dead_holder),
		T(test_concurrent_claims_never_share),
		T(test_history),
		T(test_optouts),
		T(test_optout_by_address),
		T(test_refused_address_is_a_bounce),
		T(test_migration_5_to_6_backfills_address),
		T(test_list_filters_newest_first),
		T(test_locked_and_reading_while_writing),
		T(test_migration_from_v1),
		T(test_newer_schema_is_refused),
		T(test_not_a_database),
		T(test_history_of_100000_clients),
		T(test_lease_renewed_and_taken_over),
		T(test_state_newest_backup),
		T(test_read_only_folder),
		T(test_load_client_as_history),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
