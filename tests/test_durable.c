/*
 * test_durable.c - what reaches the disk, and when: every SMTP (here
 * Maildir) transaction starts with everything recorded synced, and a pass
 * syncs the send log once per message.
 *
 * SQLite runs on a VFS that forwards to "unix" and watches the WAL: a
 * write to it makes it dirty, an xSync makes it clean and is counted.
 * deliver_send() is wrapped to look at the WAL the moment a transaction
 * would start.
 */
/* LDWRAP: -Wl,--wrap=deliver_send */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "config.h"
#include "deliver.h"
#include "diag.h"
#include "ledger.h"
#include "outbox.h"
#include "pass.h"
#include "xalloc.h"

#define WED_0930	1804062600LL	/* 2027-03-03 09:30 in Berlin */

/* --- a VFS that watches the WAL ----------------------------------------- */

struct watched {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* the unix VFS's file, after us */
	bool		 wal;
};

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs watch_vfs;
static sqlite3_io_methods watch_io;
static bool wal_dirty;			/* written since its last sync */
static size_t wal_syncs;

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
	int rc = REAL(f)->pMethods->xSync(REAL(f), flags);

	if (rc == SQLITE_OK && ((struct watched *)f)->wal) {
		wal_dirty = false;
		wal_syncs++;
	}
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
static size_t syncs_at_send[16];	/* wal_syncs when each began */

enum deliver_result
__wrap_deliver_send(struct deliverer *d, const char *from,
    const char *const *rcpts, size_t nrcpts, const char *msg, size_t len,
    const char *key, struct deliver_reply *reply)
{
	if (wal_dirty)
		sends_dirty++;
	if (sends < sizeof(syncs_at_send) / sizeof(syncs_at_send[0]))
		syncs_at_send[sends] = wal_syncs;
	sends++;
	return __real_deliver_send(d, from, rcpts, nrcpts, msg, len, key,
	    reply);
}

/* --- a book, a configuration, a pass ------------------------------------ */

static char dir[64];
static int64_t clock_now;

static int64_t
fake_clock(void *arg)
{
	(void)arg;
	return clock_now;
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

/* Five clients whose birthday is 3 March. */
static int
setup(void **state)
{
	char *t;

	(void)state;
	watch_install();
	snprintf(dir, sizeof(dir), "/tmp/test_durable.XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file("clients.conf",
	    "occasions = ( { name = \"birthday\"; kind = \"birthday\"; "
	    "template = \"birthday\"; } );\n"
	    "clients = (\n"
	    "  { id = \"a\"; name = \"A\"; email = \"a@example.de\"; "
	    "birthday = \"1980-03-03\"; },\n"
	    "  { id = \"b\"; name = \"B\"; email = \"b@example.de\"; "
	    "birthday = \"1981-03-03\"; },\n"
	    "  { id = \"c\"; name = \"C\"; email = \"c@example.de\"; "
	    "birthday = \"1982-03-03\"; },\n"
	    "  { id = \"d\"; name = \"D\"; email = \"d@example.de\"; "
	    "birthday = \"1983-03-03\"; },\n"
	    "  { id = \"e\"; name = \"E\"; email = \"e@example.de\"; "
	    "birthday = \"1984-03-03\"; }\n);\n");
	t = xasprintf("%s/templates", dir);
	assert_int_equal(mkdir(t, 0700), 0);
	free(t);
	write_file("templates/birthday.de.txt",
	    "Subject: Alles Gute, {{first_name|name}}!\n\n"
	    "Hallo,\nalles Gute!\n{{sender_name}}\n");
	sends = sends_dirty = 0;
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
load(const char *delivery)
{
	struct config *c = NULL;
	struct diag d;
	char *ini = xasprintf("[sender]\nname = Atelier\n"
	    "address = hallo@atelier.example\nbasis = personal\n"
	    "[delivery]\n%s\n[schedule]\ntimezone = Europe/Berlin\n"
	    "[paths]\ndatabase = tb.db\n", delivery);
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
open_log(void)
{
	struct ledger *l = NULL;
	char *p = xasprintf("%s/tb.db", dir), *err = NULL;

	if (ledger_open(p, LEDGER_READWRITE, &l, &err) == -1)
		fail_msg("%s", err);
	free(p);
	return l;
}

static void
pass(const struct config *c, struct ledger *l, struct outbox *ob,
    int64_t now, struct pass_result *r)
{
	char *err = NULL;

	clock_now = now;
	if (pass_run(c, l, ob, NULL, now, NULL, r, &err) == -1)
		fail_msg("%s", err);
}

/* Five birthdays in one pass: no transaction begins with anything
 * unsynced, exactly one sync between one message and the next (its
 * queueing, which also makes the last outcome durable), and the round
 * ends synced. */
static void
test_one_sync_per_message(void **state)
{
	struct outbox_clock clk = { fake_clock, NULL };
	struct config *c = load("url = maildir:outbox");
	struct ledger *l = open_log();
	struct outbox *ob = outbox_new(l, &clk);
	struct pass_result r;

	(void)state;
	pass(c, l, ob, WED_0930, &r);
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

/* Three birthdays deferred (nobody listens on port 1), then retried into
 * the Maildir: a retried row is not queued again, so before each
 * transaction the last outcome is synced on its own. */
static void
test_retry_syncs_before_sending(void **state)
{
	struct outbox_clock clk = { fake_clock, NULL };
	struct config *c = load("url = smtp://127.0.0.1:1\ntls = none\n"
	    "retry = 5min 1h");
	struct ledger *l = open_log();
	struct outbox *ob = outbox_new(l, &clk);
	struct pass_result r;

	(void)state;
	pass(c, l, ob, WED_0930, &r);
	assert_int_equal(r.n.deferred, 5);
	pass_result_clear(&r);
	config_free(c);
	sends = sends_dirty = 0;
	c = load("url = maildir:outbox\nretry = 5min 1h");
	pass(c, l, ob, WED_0930 + 300, &r);
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
	struct outbox_clock clk = { fake_clock, NULL };
	struct config *c = load("url = maildir:outbox");
	struct ledger *l = open_log();
	struct outbox *ob = outbox_new(l, &clk);
	struct outbox_counts n;
	struct ledger_new m;
	size_t before;
	char *err = NULL;

	(void)state;
	memset(&n, 0, sizeof(n));
	clock_now = WED_0930;
	assert_int_equal(outbox_begin(ob, c, WED_0930, &n, &err), 0);
	memset(&m, 0, sizeof(m));
	m.client = "a";
	m.occasion = "birthday";
	m.occurrence = "birthday/2027";
	m.due = WED_0930;
	m.to = "a@example.de";
	m.message_id = "<1@atelier.example>";
	m.bytes = (const unsigned char *)"Subject: x\r\n\r\nx\r\n";
	m.len = strlen((const char *)m.bytes);
	assert_int_equal(outbox_submit(ob, &m, &err), 0);
	assert_int_equal(n.sent, 1);
	assert_int_equal(sends_dirty, 0);
	assert_true(wal_dirty);
	before = wal_syncs;
	outbox_end(ob);
	assert_false(wal_dirty);
	assert_int_equal(wal_syncs, before + 1);
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
	struct ledger *l = open_log();
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
	ledger_close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_sync_per_message,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_retry_syncs_before_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_ends_synced,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_settle_is_lazy_until_synced, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
