/*
 * ledger.c - the send log and all state, in SQLite (WAL).
 *
 * Every write is one BEGIN IMMEDIATE transaction, so two processes (the
 * daemon and `touchbase touch`, or two passes) serialise on the write
 * lock and wait up to LEDGER_BUSY_MS for each other.  Readers use WAL
 * snapshots and never block the writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "history.h"
#include "ledger.h"
#include "valid.h"
#include "xalloc.h"

#define LEDGER_VERSION	6
#define LEDGER_BUSY_MS	5000

/* The newest first_seen of clients_seen, kept by ledger_mark_seen() so
 * that ledger_newest() needs no scan. */
#define KEY_NEWEST_SEEN	"clients.newest_seen"

/*
 * The statements of one delivery, prepared once per connection and reset
 * after each use (db_hot(), db_done()): a pass runs them for every message.
 */
enum ledger_hot {
	HOT_BEGIN,
	HOT_BEGIN_READ,
	HOT_COMMIT,
	HOT_SYNC_FULL,
	HOT_SYNC_NORMAL,
	HOT_INSERT_MESSAGE,
	HOT_RENEW,
	HOT_SETTLE,
	HOT_ATTEMPT,
	HOT_OPTOUT_OF,
	HOT_BOUNCED_OF,
	HOT_HELD,
	HOT_DATA_VERSION,
	HOT_N
};

struct ledger {
	sqlite3		*db;
	char		*path;
	enum ledger_mode mode;
	int		 last_error;	/* SQLite's primary code of the last
					   failure, SQLITE_OK after success */
	bool		 lazy;		/* commits are lazy (db_lazy()) */
	bool		 unsynced;	/* a lazy commit is not yet durable */
	sqlite3_stmt	*hot[HOT_N];
};

/*
 * Schema history.  migrations[v] takes a database from version v to v+1;
 * a new file runs all of them, so the upgrade path is the path every
 * installation takes.
 *
 * Version 1 kept one row per occurrence with only the last server reply
 * and no leases: a crashed pass's `queued` row could not be told from one
 * in progress, and the attempt history was lost.  Version 2 adds the
 * lease columns and the attempts table; each v1 row that had been tried
 * keeps its last reply as its one known attempt.
 */
static const char *const migrations[LEDGER_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE messages ("
	" id INTEGER PRIMARY KEY,"
	" client TEXT NOT NULL,"
	" occasion TEXT NOT NULL,"
	" occurrence TEXT NOT NULL,"
	" status TEXT NOT NULL,"
	" due INTEGER NOT NULL,"
	" due_offset INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" to_addr TEXT,"
	" subject TEXT,"
	" message_id TEXT,"
	" template_file TEXT,"
	" bytes BLOB,"
	" smtp_code INTEGER NOT NULL DEFAULT 0,"
	" smtp_reply TEXT,"
	" reason TEXT,"
	" next_attempt INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (client, occurrence));"
	"CREATE INDEX messages_updated ON messages (updated);"
	"CREATE TABLE clients_seen ("
	" client TEXT PRIMARY KEY,"
	" first_seen INTEGER NOT NULL);"
	"CREATE TABLE touches ("
	" client TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" note TEXT);"
	"CREATE INDEX touches_client ON touches (client, at);"
	"CREATE TABLE optouts ("
	" client TEXT PRIMARY KEY,"
	" at INTEGER NOT NULL);",

	/* 1 -> 2 */
	"ALTER TABLE messages ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN lease_pid INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX messages_ready ON messages (status, next_attempt);"
	"CREATE TABLE attempts ("
	" id INTEGER PRIMARY KEY,"
	" message_id INTEGER NOT NULL REFERENCES messages (id),"
	" at INTEGER NOT NULL,"
	" smtp_code INTEGER NOT NULL DEFAULT 0,"
	" reply TEXT,"
	" outcome TEXT NOT NULL);"
	"CREATE INDEX attempts_message ON attempts (message_id, at);"
	"INSERT INTO attempts (message_id, at, smtp_code, reply, outcome)"
	" SELECT id, updated, smtp_code, smtp_reply, status FROM messages"
	" WHERE attempts > 0 AND status IN ('sent', 'deferred', 'failed');",

	/* 2 -> 3: the lease names its holder by a random token (a PID may be
	 * reused, and two passes of one process must not share a row); a
	 * deferral says whether configuration or the session was to blame,
	 * and a row counts the seconds lost to configuration problems, which
	 * give_up_after does not count; a small key-value table keeps the
	 * delivery session's backoff and the day of the last backup. */
	"ALTER TABLE messages ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN defer_kind TEXT;"
	"ALTER TABLE messages ADD COLUMN config_lost INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE state ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL,"
	" text TEXT);",

	/* 3 -> 4: what the owner's mailbox said.  A row shows when the
	 * client replied and what a delivery status notification reported
	 * (`bounced` rows: the failure; `sent` rows: a delay); an opt-out
	 * says where it came from; every mail read is remembered by its
	 * Message-ID so it is recorded once; Maildir names read; the events
	 * a mail caused, for the planner's last contact and `history`. */
	"ALTER TABLE messages ADD COLUMN replied INTEGER;"
	"ALTER TABLE messages ADD COLUMN dsn_status TEXT;"
	"ALTER TABLE messages ADD COLUMN dsn_diag TEXT;"
	"ALTER TABLE messages ADD COLUMN dsn_at INTEGER;"
	"CREATE INDEX messages_message_id ON messages (message_id);"
	"ALTER TABLE optouts ADD COLUMN source TEXT;"
	"CREATE TABLE mail_seen ("
	" key TEXT PRIMARY KEY,"
	" at INTEGER NOT NULL);"
	"CREATE TABLE mail_names ("
	" folder TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" PRIMARY KEY (folder, name)) WITHOUT ROWID;"
	"CREATE TABLE mail_events ("
	" id INTEGER PRIMARY KEY,"
	" client TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" message INTEGER,"
	" mail_key TEXT NOT NULL,"
	" detail TEXT);"
	"CREATE INDEX mail_events_client ON mail_events (client, at);",

	/* 4 -> 5: the owner's say.  An approval is for one occurrence; a
	 * hold is in force until released (kept for the history); a wait
	 * is when an unapproved message first came due. */
	"CREATE TABLE approvals ("
	" client TEXT NOT NULL,"
	" occurrence TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (client, occurrence));"
	"CREATE TABLE holds ("
	" id INTEGER PRIMARY KEY,"
	" client TEXT NOT NULL,"
	" occurrence TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" note TEXT,"
	" released INTEGER);"
	"CREATE INDEX holds_key ON holds (client, occurrence);"
	"CREATE TABLE approval_waits ("
	" client TEXT NOT NULL,"
	" occurrence TEXT NOT NULL,"
	" since INTEGER NOT NULL,"
	" PRIMARY KEY (client, occurrence));",

	/* 5 -> 6: an objection is the person's, not the book's key: it
	 * keeps the address it concerns (lower case), which stays opted out
	 * under any id (a renamed client, a second entry).  An older row
	 * gets the last address its client was written to. */
	"ALTER TABLE optouts ADD COLUMN address TEXT;"
	"UPDATE optouts SET address = (SELECT lower(to_addr) FROM messages"
	" WHERE messages.client = optouts.client AND to_addr IS NOT NULL"
	" ORDER BY id DESC LIMIT 1);"
	"CREATE INDEX optouts_address ON optouts (address);"
};

/* The columns of a struct ledger_entry, in entry_from_row()'s order. */
#define ENTRY_COLS \
	"id, client, occasion, occurrence, status, due, due_offset, " \
	"updated, attempts, to_addr, subject, message_id, template_file, " \
	"smtp_code, smtp_reply, reason, next_attempt, config_lost, " \
	"defer_kind = 'config', replied, dsn_status, dsn_diag, dsn_at, " \
	"CASE WHEN status = 'sent' THEN COALESCE((SELECT MAX(a.at) " \
	"FROM attempts a WHERE a.message_id = messages.id " \
	"AND a.outcome = 'sent'), updated) END"
#define ENTRY_NCOLS 24

static void
set_err(char **err, char *msg)
{
	if (err != NULL)
		*err = msg;
	else
		free(msg);
}

/*
 * Takes SQLite's message before anything else can replace it.  Two cases
 * get words an owner can act on: a damaged file (touchbased leaves it
 * alone; the way back is the newest backup) and a file another process
 * keeps locked beyond the busy timeout.
 */
static int
db_fail(struct ledger *l, char **err)
{
	int code = sqlite3_errcode(l->db) & 0xff;

	l->last_error = code;
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		set_err(err, ledger_damaged_text(l->path,
		    sqlite3_errmsg(l->db)));
	else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		set_err(err, xasprintf("%s: %s (another process kept it "
		    "locked beyond the busy timeout)", l->path,
		    sqlite3_errmsg(l->db)));
	else if ((code == SQLITE_IOERR || code == SQLITE_FULL ||
	    code == SQLITE_CANTOPEN) && sqlite3_system_errno(l->db) != 0)
		set_err(err, xasprintf("%s: %s (%s)", l->path,
		    sqlite3_errmsg(l->db),
		    strerror(sqlite3_system_errno(l->db))));
	else
		set_err(err, xasprintf("%s: %s", l->path,
		    sqlite3_errmsg(l->db)));
	return -1;
}

char *
ledger_damaged_text(const char *path, const char *what)
{
	char *dir = xstrdup(path), *w = xstrdup(what), *s;

	/* quick_check reports one problem a line. */
	for (char *p = w; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	s = xasprintf("%s is damaged (%s); touchbased will not write to it. "
	    "Stop touchbased, move the file aside and copy the newest backup "
	    "from %s/backup/ in its place (see \"Restoring from a backup\" "
	    "in touchbased(8))", path, w, dirname(dir));
	free(w);
	free(dir);
	return s;
}

static bool
ledger_damaged_code(sqlite3 *db)
{
	int code = sqlite3_errcode(db) & 0xff;

	return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

bool
ledger_busy(const struct ledger *l)
{
	return l->last_error == SQLITE_BUSY || l->last_error == SQLITE_LOCKED;
}

bool
ledger_damaged(const struct ledger *l)
{
	return l->last_error == SQLITE_CORRUPT ||
	    l->last_error == SQLITE_NOTADB;
}

static int
db_exec(struct ledger *l, const char *sql, char **err)
{
	if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(l, err);
	return 0;
}

static int
db_prepare(struct ledger *l, const char *sql, sqlite3_stmt **st, char **err)
{
	if (sqlite3_prepare_v2(l->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return db_fail(l, err);
	}
	return 0;
}

/* Prepares sql and steps to its one row; on -1 there is no statement
 * left to finalize. */
static int
db_one_row(struct ledger *l, const char *sql, sqlite3_stmt **st, char **err)
{
	if (db_prepare(l, sql, st, err) == -1)
		return -1;
	if (sqlite3_step(*st) != SQLITE_ROW) {
		db_fail(l, err);
		sqlite3_finalize(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

/* A query whose one row holds one instant, NULL for none. */
static int
db_one_time(struct ledger *l, const char *sql, int64_t *when, char **err)
{
	sqlite3_stmt *st;

	if (db_one_row(l, sql, &st, err) == -1)
		return -1;
	*when = sqlite3_column_type(st, 0) == SQLITE_NULL ? HISTORY_NONE :
	    sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* The cached statement `which` (for sql), prepared at its first use. */
static int
db_hot(struct ledger *l, enum ledger_hot which, const char *sql,
    sqlite3_stmt **st, char **err)
{
	if (l->hot[which] == NULL && sqlite3_prepare_v3(l->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &l->hot[which], NULL) != SQLITE_OK) {
		l->hot[which] = NULL;
		*st = NULL;
		return db_fail(l, err);
	}
	*st = l->hot[which];
	return 0;
}

/* Done with a cached statement: its read ends, its bindings go. */
static void
db_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs the cached statement `which`, which returns no row. */
static int
db_run_hot(struct ledger *l, enum ledger_hot which, const char *sql,
    char **err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (db_hot(l, which, sql, &st, err) == -1)
		return -1;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(l, err);
	db_done(st);
	return rc;
}

static int
db_begin(struct ledger *l, char **err)
{
	l->last_error = SQLITE_OK;
	return db_run_hot(l, HOT_BEGIN, "BEGIN IMMEDIATE", err);
}

/* A commit that wrote is durable (synchronous = FULL: the WAL is synced),
 * and so is every lazy commit before it; one that changed no page syncs
 * nothing.  A commit made while the connection is lazy (db_lazy()) is
 * durable only with ledger_sync(). */
static int
db_commit(struct ledger *l, char **err)
{
	if (db_run_hot(l, HOT_COMMIT, "COMMIT", err) == -1) {
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (l->lazy)
		l->unsynced = true;
	return 0;
}

/*
 * Lazy commits: between db_lazy(l, true) and db_lazy(l, false) (outside
 * a transaction; SQLite refuses the change inside one), commits are made
 * with synchronous = NORMAL: at once for every reader and across a crash
 * of this process, but durable against a power loss only with the next
 * durable commit or ledger_sync().  Checkpoints still sync (WAL with
 * NORMAL cannot be corrupted, only lose its last commits).  Should the
 * switch back fail, l->lazy stays set: every commit still marks the log
 * unsynced (db_commit()), and ledger_sync() tries the switch again.
 */
static int
db_lazy(struct ledger *l, bool on, char **err)
{
	int rc;

	if (on)
		rc = db_run_hot(l, HOT_SYNC_NORMAL,
		    "PRAGMA synchronous = NORMAL", err);
	else
		rc = db_run_hot(l, HOT_SYNC_FULL,
		    "PRAGMA synchronous = FULL", err);
	if (rc == -1)
		return -1;
	l->lazy = on;
	return 0;
}

static void
db_rollback(struct ledger *l)
{
	if (!sqlite3_get_autocommit(l->db))
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

static void
bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == HISTORY_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

static char *
col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int
parse_status(struct ledger *l, const char *s, int64_t id,
    enum msg_status *out, char **err)
{
	if (s != NULL && history_parse_status(s, out) == 0)
		return 0;
	set_err(err, xasprintf("%s: message %lld has an unknown status '%s'",
	    l->path, (long long)id, s != NULL ? s : "(null)"));
	return -1;
}

static int
entry_from_row(struct ledger *l, sqlite3_stmt *st, bool with_bytes,
    struct ledger_entry *e, char **err)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, 0);
	if (parse_status(l, col_text(st, 4), e->id, &e->status, err) == -1)
		return -1;
	e->client = col_strdup(st, 1);
	e->occasion = col_strdup(st, 2);
	e->occurrence = col_strdup(st, 3);
	e->due = sqlite3_column_int64(st, 5);
	e->due_offset = sqlite3_column_int(st, 6);
	e->updated = sqlite3_column_int64(st, 7);
	e->attempts = sqlite3_column_int(st, 8);
	e->to = col_strdup(st, 9);
	e->subject = col_strdup(st, 10);
	e->message_id = col_strdup(st, 11);
	e->template_file = col_strdup(st, 12);
	e->smtp_code = sqlite3_column_int(st, 13);
	e->smtp_reply = col_strdup(st, 14);
	e->reason = col_strdup(st, 15);
	e->next_attempt = sqlite3_column_int64(st, 16);
	e->config_lost = sqlite3_column_int64(st, 17);
	e->config_deferred = e->status == ST_DEFERRED &&
	    sqlite3_column_int(st, 18) == 1;
	e->replied = sqlite3_column_type(st, 19) == SQLITE_NULL ?
	    HISTORY_NONE : sqlite3_column_int64(st, 19);
	e->dsn_status = col_strdup(st, 20);
	e->dsn_diag = col_strdup(st, 21);
	e->dsn_at = sqlite3_column_type(st, 22) == SQLITE_NULL ?
	    HISTORY_NONE : sqlite3_column_int64(st, 22);
	e->sent_at = sqlite3_column_type(st, 23) == SQLITE_NULL ?
	    HISTORY_NONE : sqlite3_column_int64(st, 23);
	if (with_bytes && sqlite3_column_type(st, ENTRY_NCOLS) != SQLITE_NULL) {
		const void *p = sqlite3_column_blob(st, ENTRY_NCOLS);
		size_t n = (size_t)sqlite3_column_bytes(st, ENTRY_NCOLS);

		/* One spare NUL so a caller may treat the bytes as text. */
		e->bytes = xmalloc(n + 1);
		if (n > 0)
			memcpy(e->bytes, p, n);
		e->bytes[n] = '\0';
		e->len = n;
	}
	return 0;
}

static int
user_version(struct ledger *l, int *v, char **err)
{
	sqlite3_stmt *st;

	if (db_one_row(l, "PRAGMA user_version", &st, err) == -1)
		return -1;
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int
too_new(struct ledger *l, int v, char **err)
{
	set_err(err, xasprintf("%s: schema version %d was written by a newer "
	    "touchbase (this one knows up to %d); upgrade touchbase",
	    l->path, v, LEDGER_VERSION));
	return -1;
}

static int
migrate(struct ledger *l, char **err)
{
	char *sql;
	int v;

	if (user_version(l, &v, err) == -1)
		return -1;
	if (v == LEDGER_VERSION)
		return 0;
	if (v > LEDGER_VERSION)
		return too_new(l, v, err);
	/* Read again under the write lock: another process may have
	 * migrated in between. */
	if (db_begin(l, err) == -1)
		return -1;
	if (user_version(l, &v, err) == -1)
		goto fail;
	if (v > LEDGER_VERSION) {
		too_new(l, v, err);
		goto fail;
	}
	for (; v < LEDGER_VERSION; v++)
		if (db_exec(l, migrations[v], err) == -1)
			goto fail;
	sql = xasprintf("PRAGMA user_version = %d", LEDGER_VERSION);
	v = db_exec(l, sql, err);
	free(sql);
	if (v == -1)
		goto fail;
	return db_commit(l, err);
fail:
	db_rollback(l);
	return -1;
}

static int
set_wal(struct ledger *l, char **err)
{
	sqlite3_stmt *st;
	const char *mode;
	int rc = -1;

	if (db_one_row(l, "PRAGMA journal_mode = WAL", &st, err) == -1)
		return -1;
	mode = col_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		set_err(err, xasprintf("%s: cannot use write-ahead logging "
		    "(journal mode stays '%s'); the folder must be on a local "
		    "file system", l->path, mode != NULL ? mode : "?"));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/*
 * Creates the database file ourselves so the send log (addresses, server
 * replies) starts private whatever the umask (0600, or 0640 in a folder
 * shared with a group); SQLite gives the -wal and
 * -shm files the mode of the database, and when running as root also its
 * owner.  A file root creates (`touchbase touch` before the daemon's first
 * start) goes to the owner of its folder, the daemon's state directory,
 * or the daemon could not open it.
 */
static int
create_private(struct ledger *l, char **err)
{
	struct stat sb;
	char *dir = xstrdup(l->path);
	bool have_dir = stat(dirname(dir), &sb) == 0;
	mode_t mode = 0600;
	int fd;

	free(dir);
	/* A folder its group may enter but others may not (the package's
	 * /var/lib/touchbase, 0750 touchbase:touchbase) shares the send log
	 * with that group, for the reading commands: 0640, whatever the
	 * umask. */
	if (have_dir && (sb.st_mode & (S_IXGRP | S_IXOTH)) == S_IXGRP)
		mode = 0640;
	fd = open(l->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1 && errno == EEXIST)
		return 0;
	if (fd == -1) {
		set_err(err, xasprintf("%s: %s%s", l->path, strerror(errno),
		    errno == ENOENT ? " (its folder must exist)" : ""));
		return -1;
	}
	if (fchmod(fd, mode) == -1 || (geteuid() == 0 && have_dir &&
	    (sb.st_uid != 0 || sb.st_gid != 0) &&
	    fchown(fd, sb.st_uid, sb.st_gid) == -1)) {
		set_err(err, xasprintf("%s: cannot give it the mode and owner "
		    "of its folder: %s", l->path, strerror(errno)));
		close(fd);
		unlink(l->path);
		return -1;
	}
	close(fd);
	return 0;
}

/* What a reader lacks to open path, with the way to get it. */
static char *
readonly_denied(const char *path, int errnum)
{
	char *dir = xstrdup(path), *s;
	const char *folder = dirname(dir);
	struct group *gr;
	struct stat sb;
	char gid[32];

	if (stat(path, &sb) == -1) {
		s = xasprintf("%s: %s", path, strerror(errnum));
		goto out;
	}
	gr = getgrgid(sb.st_gid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)sb.st_gid);
	s = xasprintf("%s: %s: reading the send log needs read permission "
	    "on the file (mode %04o, group %s) and search permission on %s; "
	    "ask the administrator to add you to that group (the package "
	    "uses the group 'touchbase': adduser YOU touchbase), then log in "
	    "again", path, strerror(errnum), (unsigned)(sb.st_mode & 07777),
	    gr != NULL ? gr->gr_name : gid, folder);
out:
	free(dir);
	return s;
}

/* "file:PATH?immutable=1" with PATH percent-encoded where a URI needs
 * it. */
static char *
immutable_uri(const char *path)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "file:");
	for (const char *p = path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			buf_addf(&b, "%%%02X", (unsigned char)*p);
		else
			buf_addc(&b, *p);
	}
	buf_adds(&b, "?immutable=1");
	return buf_detach(&b, NULL);
}

/* Whether a write-ahead log with content lies beside path: then the
 * database cannot be read as immutable without losing its newest rows. */
static bool
wal_present(const char *path)
{
	char *wal = xasprintf("%s-wal", path);
	struct stat sb;
	bool r = stat(wal, &sb) == 0 && sb.st_size > 0;

	free(wal);
	return r;
}

static int
open_readonly(struct ledger *l, char **err)
{
	int v;

	if (access(l->path, R_OK) == -1) {
		set_err(err, readonly_denied(l->path, errno));
		return -1;
	}
	if (sqlite3_open_v2(l->path, &l->db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && user_version(l, &v, NULL) == 0)
		return 0;
	/* Without write permission on the folder, SQLite cannot create the
	 * -shm file a WAL reader needs.  With no -wal content left (the
	 * daemon stopped cleanly), the file alone is the whole database and
	 * may be read as immutable. */
	if (l->db != NULL && ledger_damaged_code(l->db)) {
		db_fail(l, err);
		return -1;
	}
	sqlite3_close(l->db);
	l->db = NULL;
	if (!wal_present(l->path)) {
		char *uri = immutable_uri(l->path);
		int rc = sqlite3_open_v2(uri, &l->db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_URI, NULL);

		free(uri);
		if (rc == SQLITE_OK && user_version(l, &v, err) == 0)
			return 0;
		if (l->db != NULL && ledger_damaged_code(l->db))
			return -1;
	}
	sqlite3_close(l->db);
	l->db = NULL;
	set_err(err, readonly_denied(l->path, EACCES));
	return -1;
}

int
ledger_open(const char *path, enum ledger_mode mode, struct ledger **out,
    char **err)
{
	struct ledger *l;
	struct stat sb;
	int v;

	l = xcalloc(1, sizeof(*l));
	l->path = xstrdup(path);
	l->mode = mode;
	if (mode == LEDGER_READWRITE) {
		if (create_private(l, err) == -1)
			goto fail;
		if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE,
		    NULL) != SQLITE_OK) {
			if (l->db == NULL)
				set_err(err, xasprintf("%s: out of memory",
				    path));
			else
				db_fail(l, err);
			goto fail;
		}
	} else {
		if (stat(path, &sb) == -1) {
			set_err(err, errno == EACCES ?
			    readonly_denied(path, errno) :
			    xasprintf("%s: %s", path, strerror(errno)));
			goto fail;
		}
		if (open_readonly(l, err) == -1)
			goto fail;
	}
	sqlite3_busy_timeout(l->db, LEDGER_BUSY_MS);
	if (mode == LEDGER_READWRITE) {
		if (set_wal(l, err) == -1 ||
		    db_exec(l, "PRAGMA synchronous = FULL", err) == -1 ||
		    db_exec(l, "PRAGMA foreign_keys = ON", err) == -1 ||
		    migrate(l, err) == -1)
			goto fail;
	} else {
		if (db_exec(l, "PRAGMA query_only = ON", err) == -1 ||
		    user_version(l, &v, err) == -1)
			goto fail;
		if (v == 0) {
			set_err(err, xasprintf("%s: not a touchbase database "
			    "(no schema yet; touchbased creates it)", path));
			goto fail;
		}
		if (v > LEDGER_VERSION) {
			too_new(l, v, err);
			goto fail;
		}
		if (v < LEDGER_VERSION) {
			set_err(err, xasprintf("%s: schema version %d was "
			    "written by an older touchbase; touchbased "
			    "upgrades it to %d when it next starts", path, v,
			    LEDGER_VERSION));
			goto fail;
		}
	}
	*out = l;
	return 0;
fail:
	ledger_close(l);
	return -1;
}

void
ledger_close(struct ledger *l)
{
	if (l == NULL)
		return;
	if (l->db != NULL)
		ledger_sync(l, NULL);
	for (size_t i = 0; i < HOT_N; i++)
		sqlite3_finalize(l->hot[i]);
	sqlite3_close(l->db);
	free(l->path);
	free(l);
}

/* A row whose address the recipient's system refused for good: a
 * delivery status notification (`bounced`), or a permanent refusal at
 * the SMTP transaction with a status that names the address (RFC 3463:
 * 5.1.1 no such mailbox, 5.1.2 no such system, 5.1.3 bad syntax, 5.1.6
 * moved), which is the same news a moment earlier.  When: the report's
 * date, or the refusal's. */
#define BOUNCED_ROW \
	"status IN ('bounced', 'failed') AND (status = 'bounced' OR" \
	" (smtp_code BETWEEN 550 AND 553 AND (smtp_reply LIKE '5.1.1 %'" \
	" OR smtp_reply LIKE '5.1.2 %' OR smtp_reply LIKE '5.1.3 %'" \
	" OR smtp_reply LIKE '5.1.6 %')))"
#define BOUNCED_AT "COALESCE(dsn_at, updated)"

/* The queries of a history, everyone's or (?1) one client's: each row
 * starts with the client; ledger_history_read() reads them alike. */
static const char *const ledger_history_all[] = {
	"SELECT client, first_seen FROM clients_seen",
	"SELECT client, MAX(at) FROM touches GROUP BY client",
	"SELECT client, at FROM optouts",
	("SELECT client, occurrence, occasion, status, due, updated,"
	" template_file, id FROM messages ORDER BY client, due, id"),
	("SELECT client, MAX(at) FROM mail_events WHERE kind ="
	" 'contact' GROUP BY client"),
	("SELECT client, " BOUNCED_AT ", to_addr FROM messages WHERE "
	BOUNCED_ROW " AND to_addr IS NOT NULL"),
	("SELECT client, at, address FROM optouts WHERE address IS NOT NULL"
	" ORDER BY address")
};
/* The same for one client, each on an index that starts with it. */
static const char *const ledger_history_one[] = {
	"SELECT client, first_seen FROM clients_seen WHERE client = ?1",
	"SELECT client, MAX(at) FROM touches WHERE client = ?1 GROUP BY client",
	"SELECT client, at FROM optouts WHERE client = ?1",
	("SELECT client, occurrence, occasion, status, due, updated,"
	" template_file, id FROM messages WHERE client = ?1"
	" ORDER BY due, id"),
	("SELECT client, MAX(at) FROM mail_events WHERE client = ?1 AND"
	" kind = 'contact' GROUP BY client"),
	("SELECT client, " BOUNCED_AT ", to_addr FROM messages WHERE"
	" client = ?1 AND " BOUNCED_ROW " AND to_addr IS NOT NULL"),
	/* every objecting address: a client's may be opted out under
	 * another id */
	("SELECT client, at, address FROM optouts WHERE address IS NOT NULL"
	" ORDER BY address")
};

/* Runs the seven queries of sql (binding client to ?1 when not NULL) in
 * one snapshot and adds what they find to h. */
static int
ledger_history_read(struct ledger *l, const char *const sql[7],
    const char *client, struct history *h, char **err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	if (db_exec(l, "BEGIN", err) == -1)
		return -1;
	for (size_t q = 0; q < 7; q++) {
		if (db_prepare(l, sql[q], &st, err) == -1)
			goto out;
		if (client != NULL)
			sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			const char *who = col_text(st, 0);
			int64_t t = sqlite3_column_int64(st, 1);
			struct history_record r;

			switch (q) {
			case 0:
				history_set_first_seen(h, who, t);
				break;
			case 1:
				history_add_touch(h, who, t);
				break;
			case 2:
				history_set_optout(h, who, t);
				break;
			case 4:
				history_add_mail_contact(h, who, t);
				break;
			case 5:
				history_add_bounce(h, who, col_text(st, 2), t);
				break;
			case 6:
				history_add_address_optout(h, col_text(st, 2),
				    t);
				break;
			default:
				memset(&r, 0, sizeof(r));
				if (parse_status(l, col_text(st, 3),
				    sqlite3_column_int64(st, 7), &r.status,
				    err) == -1)
					goto out;
				r.occurrence = (char *)col_text(st, 1);
				r.occasion = (char *)col_text(st, 2);
				r.due = sqlite3_column_int64(st, 4);
				r.sent = r.status == ST_SENT ||
				    r.status == ST_BOUNCED ?
				    sqlite3_column_int64(st, 5) : HISTORY_NONE;
				r.template_file = (char *)col_text(st, 6);
				history_add_record(h, who, &r);
				break;
			}
		}
		if (step != SQLITE_DONE) {
			db_fail(l, err);
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	db_rollback(l);
	return rc;
}

int
ledger_load_history(struct ledger *l, struct history *h, char **err)
{
	return ledger_history_read(l, ledger_history_all, NULL, h, err);
}

int
ledger_load_client(struct ledger *l, const char *client, struct history *h,
    char **err)
{
	return ledger_history_read(l, ledger_history_one, client, h, err);
}

/* Raises the newest first_seen kept in the state table to when (never
 * lowers it). */
static int
newest_seen_stmt(struct ledger *l, int64_t when, sqlite3_stmt **st,
    char **err)
{
	if (db_prepare(l, "INSERT INTO state (key, value)"
	    " VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE"
	    " SET value = MAX(value, excluded.value)", st, err) == -1)
		return -1;
	sqlite3_bind_text(*st, 1, KEY_NEWEST_SEEN, -1, SQLITE_STATIC);
	sqlite3_bind_int64(*st, 2, when);
	return 0;
}

int
ledger_mark_seen(struct ledger *l, const char *const *clients, size_t n,
    int64_t now, char **err)
{
	sqlite3_stmt *st = NULL;

	if (db_begin(l, err) == -1)
		return -1;
	if (db_prepare(l, "INSERT INTO clients_seen (client, first_seen)"
	    " VALUES (?1, ?2) ON CONFLICT (client) DO NOTHING", &st, err) == -1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, clients[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(l, err);
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (n > 0 && (newest_seen_stmt(l, now, &st, err) == -1 ||
	    sqlite3_step(st) != SQLITE_DONE)) {
		if (st != NULL)
			db_fail(l, err);
		goto fail;
	}
	sqlite3_finalize(st);
	return db_commit(l, err);
fail:
	sqlite3_finalize(st);
	db_rollback(l);
	return -1;
}

/* One statement in its own IMMEDIATE transaction; *changes (if not NULL)
 * gets the number of rows it changed. */
static int
write_one(struct ledger *l, sqlite3_stmt *st, int *changes, char **err)
{
	if (db_begin(l, err) == -1)
		return -1;
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(l, err);
		db_rollback(l);
		return -1;
	}
	if (changes != NULL)
		*changes = sqlite3_changes(l->db);
	return db_commit(l, err);
}

int
ledger_touch(struct ledger *l, const char *client, int64_t when,
    const char *note, char **err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(l, "INSERT INTO touches (client, at, note)"
	    " VALUES (?1, ?2, ?3)", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when);
	sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
	rc = write_one(l, st, NULL, err);
	sqlite3_finalize(st);
	return rc;
}

int
ledger_optout(struct ledger *l, const char *client, const char *address,
    int64_t when, char **err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(l, "INSERT INTO optouts (client, at, address)"
	    " VALUES (?1, ?2, lower(?3)) ON CONFLICT (client) DO UPDATE"
	    " SET at = MIN(at, excluded.at),"
	    " address = COALESCE(excluded.address, address)", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when);
	sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
	rc = write_one(l, st, NULL, err);
	sqlite3_finalize(st);
	return rc;
}

int
ledger_optout_of(struct ledger *l, const char *client, const char *address,
    int64_t *when, char **err)
{
	sqlite3_stmt *st;
	int rc = -1, step;

	if (db_hot(l, HOT_OPTOUT_OF, "SELECT MIN(at) FROM optouts"
	    " WHERE client = ?1 OR address = lower(?2)", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*when = sqlite3_column_int64(st, 0);
	else if (step == SQLITE_ROW)
		*when = HISTORY_NONE;
	else {
		db_fail(l, err);
		goto out;
	}
	rc = 0;
out:
	db_done(st);
	return rc;
}

int
ledger_list_optouts(struct ledger *l, char ***clients, int64_t **at,
    size_t *n, char **err)
{
	return ledger_list_optouts_with(l, clients, NULL, at, n, err);
}

int
ledger_list_optouts_with(struct ledger *l, char ***clients,
    char ***addresses, int64_t **at, size_t *n, char **err)
{
	sqlite3_stmt *st;
	char **c = NULL, **a = NULL;
	int64_t *t = NULL;
	size_t cnt = 0, cap = 0;
	int step;

	if (db_prepare(l, "SELECT client, at, address FROM optouts"
	    " ORDER BY client", &st, err) == -1)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			c = xreallocarray(c, cap, sizeof(*c));
			a = xreallocarray(a, cap, sizeof(*a));
			t = xreallocarray(t, cap, sizeof(*t));
		}
		c[cnt] = col_strdup(st, 0);
		t[cnt] = sqlite3_column_int64(st, 1);
		a[cnt] = addresses != NULL ? col_strdup(st, 2) : NULL;
		cnt++;
	}
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		sqlite3_finalize(st);
		for (size_t i = 0; i < cnt; i++) {
			free(c[i]);
			free(a[i]);
		}
		free(c);
		free(a);
		free(t);
		return -1;
	}
	sqlite3_finalize(st);
	*clients = c;
	if (addresses != NULL)
		*addresses = a;
	else
		free(a);
	*at = t;
	*n = cnt;
	return 0;
}

int
ledger_list_touches(struct ledger *l, struct ledger_touch **out,
    size_t *n, char **err)
{
	sqlite3_stmt *st;
	struct ledger_touch *t = NULL;
	size_t cnt = 0, cap = 0;
	int step;

	*out = NULL;
	*n = 0;
	if (db_prepare(l, "SELECT client, at, note FROM touches"
	    " ORDER BY at DESC, rowid DESC", &st, err) == -1)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			t = xreallocarray(t, cap, sizeof(*t));
		}
		t[cnt].client = col_strdup(st, 0);
		t[cnt].at = sqlite3_column_int64(st, 1);
		t[cnt].note = col_strdup(st, 2);
		cnt++;
	}
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		sqlite3_finalize(st);
		ledger_touches_free(t, cnt);
		return -1;
	}
	sqlite3_finalize(st);
	*out = t;
	*n = cnt;
	return 0;
}

void
ledger_touches_free(struct ledger_touch *t, size_t n)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(t[i].client);
		free(t[i].note);
	}
	free(t);
}

static int
insert_message(struct ledger *l, const struct ledger_new *m,
    enum msg_status status, const char *reason, int64_t now,
    const struct ledger_lease *ls, int64_t *id, char **err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (m->len > INT_MAX) {
		set_err(err, xasprintf("%s: message for %s %s is too large "
		    "(%zu bytes)", l->path, m->client, m->occurrence, m->len));
		return -1;
	}
	if (db_begin(l, err) == -1)
		return -1;
	if (db_hot(l, HOT_INSERT_MESSAGE, "INSERT INTO messages (client,"
	    " occasion, occurrence, status, due, due_offset, created, updated,"
	    " to_addr, subject, message_id, template_file, bytes, reason,"
	    " lease_until, lease_pid, lease_token) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
	    " ON CONFLICT (client, occurrence) DO NOTHING", &st, err) == -1)
		goto out;
	sqlite3_bind_text(st, 1, m->client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->occasion, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->occurrence, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, history_status_name(status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, m->due);
	sqlite3_bind_int(st, 6, m->due_offset);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_text(st, 8, m->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, m->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, m->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, m->template_file, -1, SQLITE_STATIC);
	if (m->bytes != NULL)
		sqlite3_bind_blob(st, 12, m->bytes, (int)m->len,
		    SQLITE_STATIC);
	sqlite3_bind_text(st, 13, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, ls != NULL ? ls->until : 0);
	sqlite3_bind_int64(st, 15, ls != NULL ? (int64_t)getpid() : 0);
	sqlite3_bind_int64(st, 16, ls != NULL ? ls->token : 0);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(l, err);
		goto out;
	}
	if (sqlite3_changes(l->db) == 0) {
		rc = 1;
	} else {
		if (id != NULL)
			*id = sqlite3_last_insert_rowid(l->db);
		rc = 0;
	}
	db_done(st);
	st = NULL;
	if (db_commit(l, err) == -1)
		rc = -1;
	else if (rc == 0 && !l->lazy)
		l->unsynced = false;	/* a new row: the WAL was synced */
out:
	db_done(st);
	db_rollback(l);
	return rc;
}

int
ledger_queue(struct ledger *l, const struct ledger_new *m, int64_t now,
    const struct ledger_lease *ls, int64_t *id, char **err)
{
	return insert_message(l, m, ST_QUEUED, NULL, now, ls, id, err);
}

int
ledger_record_outcome(struct ledger *l, const char *client,
    const char *occasion, const char *occurrence, int64_t due,
    int due_offset, enum msg_status st, const char *reason, int64_t now,
    char **err)
{
	struct ledger_new m;

	if (st != ST_SKIPPED && st != ST_MISSED && st != ST_FAILED) {
		set_err(err, xasprintf("%s: %s %s: only skipped, missed or "
		    "failed can be recorded without a message, not %s",
		    l->path, client, occurrence, history_status_name(st)));
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.client = client;
	m.occasion = occasion;
	m.occurrence = occurrence;
	m.due = due;
	m.due_offset = due_offset;
	return insert_message(l, &m, st, reason, now, NULL, NULL, err);
}

/* Whether the process holding a lease may still be working on it.  Only
 * "no such process" counts as gone: a PID reused by another process, or
 * one we may not signal, keeps the lease until it runs out. */
static bool
lease_holder_alive(int64_t pid)
{
	if (pid <= 0 || pid > INT_MAX)
		return true;
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

int
ledger_claim_ready(struct ledger *l, int64_t now,
    const struct ledger_lease *ls, struct ledger_entry **out, size_t *n,
    char **err)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct ledger_entry *e = NULL;
	size_t cnt = 0, cap = 0;
	int step;

	*out = NULL;
	*n = 0;
	if (db_begin(l, err) == -1)
		return -1;
	/* Besides rows whose lease ran out: rows still leased to a process
	 * that no longer exists (a crashed pass on this machine), so a
	 * restarted daemon resends at once rather than an hour late. */
	if (db_prepare(l, "SELECT " ENTRY_COLS ", bytes, lease_pid,"
	    " lease_until FROM messages"
	    " WHERE (status = 'deferred' AND next_attempt <= ?1"
	    "  AND lease_until < ?1)"
	    " OR (status = 'queued' AND lease_until < ?1)"
	    " OR (lease_pid NOT IN (0, ?2) AND lease_until >= ?1"
	    "  AND (status = 'queued' OR (status = 'deferred'"
	    "  AND next_attempt <= ?1)))"
	    " ORDER BY due, id", &sel, err) == -1 ||
	    db_prepare(l, "UPDATE messages SET lease_until = ?1,"
	    " lease_pid = ?2, lease_token = ?4 WHERE id = ?3", &upd,
	    err) == -1)
		goto fail;
	sqlite3_bind_int64(sel, 1, now);
	sqlite3_bind_int64(sel, 2, (int64_t)getpid());
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		if (sqlite3_column_int64(sel, ENTRY_NCOLS + 2) >= now &&
		    lease_holder_alive(sqlite3_column_int64(sel,
		    ENTRY_NCOLS + 1)))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			e = xreallocarray(e, cap, sizeof(*e));
		}
		if (entry_from_row(l, sel, true, &e[cnt], err) == -1)
			goto fail;
		cnt++;
		sqlite3_bind_int64(upd, 1, ls->until);
		sqlite3_bind_int64(upd, 2, (int64_t)getpid());
		sqlite3_bind_int64(upd, 3, e[cnt - 1].id);
		sqlite3_bind_int64(upd, 4, ls->token);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			db_fail(l, err);
			goto fail;
		}
		sqlite3_reset(upd);
	}
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		goto fail;
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	sel = upd = NULL;
	if (db_commit(l, err) == -1)
		goto fail;
	*out = e;
	*n = cnt;
	return 0;
fail:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	db_rollback(l);
	ledger_entries_free(e, cnt);
	return -1;
}

int64_t
ledger_new_token(void)
{
	int64_t t = 0;

	while (t <= 0) {
		sqlite3_randomness(sizeof(t), &t);
		t &= INT64_MAX;
	}
	return t;
}

int
ledger_renew(struct ledger *l, int64_t id, const struct ledger_lease *ls,
    char **err)
{
	sqlite3_stmt *st = NULL;
	int changes = 0, rc;

	if (db_hot(l, HOT_RENEW, "UPDATE messages SET lease_until = ?3"
	    " WHERE id = ?1 AND lease_token = ?2"
	    " AND status IN ('queued', 'deferred')", &st, err) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ls->token);
	sqlite3_bind_int64(st, 3, ls->until);
	/* Lazy: the caller syncs before it sends (one sync, not two). */
	if ((rc = db_lazy(l, true, err)) == 0)
		rc = write_one(l, st, &changes, err);
	db_done(st);
	(void)db_lazy(l, false, NULL);
	if (rc == -1)
		return -1;
	return changes == 0 ? 1 : 0;
}

/* Why settling row id changed nothing: taken over (1), or an error. */
static int
settle_refused(struct ledger *l, int64_t id, const char *status, char **err)
{
	sqlite3_stmt *st = NULL;
	int step, rc = -1;

	if (db_prepare(l, "SELECT client, occurrence, status FROM messages"
	    " WHERE id = ?1", &st, err) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && strcmp(col_text(st, 2), "sent") == 0)
		set_err(err, xasprintf("%s: message %lld (%s %s) is already "
		    "recorded sent; not recording it %s", l->path,
		    (long long)id, col_text(st, 0), col_text(st, 1), status));
	else if (step == SQLITE_ROW) {
		set_err(err, xasprintf("%s: message %lld (%s %s) is no longer "
		    "leased to this pass (another pass took it over); not "
		    "recording it %s", l->path, (long long)id,
		    col_text(st, 0), col_text(st, 1), status));
		rc = 1;
	} else if (step == SQLITE_DONE)
		set_err(err, xasprintf("%s: no message %lld", l->path,
		    (long long)id));
	else
		db_fail(l, err);
	sqlite3_finalize(st);
	return rc;
}

static const char *
defer_name(const struct ledger_outcome *o)
{
	if (o->status != ST_DEFERRED)
		return NULL;
	switch (o->defer) {
	case LEDGER_DEFER_SESSION:
		return "session";
	case LEDGER_DEFER_CONFIG:
		return "config";
	case LEDGER_DEFER_MESSAGE:
		break;
	}
	return "message";
}

int
ledger_settle(struct ledger *l, int64_t id, int64_t token,
    const struct ledger_outcome *o, char **err)
{
	sqlite3_stmt *st = NULL;
	const char *status = history_status_name(o->status);
	int rc = -1;

	if (o->status != ST_SENT && o->status != ST_DEFERRED &&
	    o->status != ST_FAILED && o->status != ST_SKIPPED) {
		set_err(err, xasprintf("%s: message %lld: an attempt ends "
		    "sent, deferred, failed or skipped, not %s", l->path,
		    (long long)id, status));
		return -1;
	}
	if (db_lazy(l, true, err) == -1)
		return -1;
	if (db_begin(l, err) == -1)
		goto out;
	/* The status guard is what makes "never recorded sent twice" hold;
	 * the token guard keeps a holder whose lease was taken over from
	 * writing over the new holder's outcome. */
	if (db_hot(l, HOT_SETTLE, "UPDATE messages SET status = ?2,"
	    " attempts = attempts + ?9, smtp_code = ?3, smtp_reply = ?4,"
	    " next_attempt = ?5, reason = ?6, updated = ?7, lease_until = 0,"
	    " lease_pid = 0, lease_token = 0, defer_kind = ?10,"
	    " config_lost = config_lost + ?11"
	    " WHERE id = ?1 AND lease_token = ?8"
	    " AND status IN ('queued', 'deferred')", &st, err) == -1)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, o->smtp_code);
	sqlite3_bind_text(st, 4, o->reply, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, o->status == ST_DEFERRED ?
	    o->next_attempt : 0);
	sqlite3_bind_text(st, 6, o->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, o->at);
	sqlite3_bind_int64(st, 8, token);
	sqlite3_bind_int(st, 9, o->attempted ? 1 : 0);
	sqlite3_bind_text(st, 10, defer_name(o), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, o->config_lost > 0 ? o->config_lost : 0);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(l, err);
		goto out;
	}
	db_done(st);
	st = NULL;
	if (sqlite3_changes(l->db) == 0) {
		rc = settle_refused(l, id, status, err);
		goto out;
	}
	if (o->attempted) {
		if (db_hot(l, HOT_ATTEMPT, "INSERT INTO attempts (message_id, at,"
		    " smtp_code, reply, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
		    &st, err) == -1)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, o->at);
		sqlite3_bind_int(st, 3, o->smtp_code);
		sqlite3_bind_text(st, 4, o->reply, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(l, err);
			goto out;
		}
		db_done(st);
		st = NULL;
	}
	rc = db_commit(l, err);
out:
	db_done(st);
	db_rollback(l);
	(void)db_lazy(l, false, NULL);	/* see db_lazy() on a failure */
	return rc;
}

void
ledger_checkpoint(struct ledger *l)
{
	int frames = 0, copied = 0;

	if (l->mode == LEDGER_READWRITE)
		(void)sqlite3_wal_checkpoint_v2(l->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
}

int
ledger_read_begin(struct ledger *l, char **err)
{
	return db_run_hot(l, HOT_BEGIN_READ, "BEGIN", err);
}

void
ledger_read_end(struct ledger *l)
{
	if (!sqlite3_get_autocommit(l->db) &&
	    db_run_hot(l, HOT_COMMIT, "COMMIT", NULL) == -1)
		db_rollback(l);
}

int
ledger_sync(struct ledger *l, char **err)
{
	sqlite3_file *wal = NULL;
	int rc;

	if (l->lazy)		/* a switch back that failed (db_lazy()) */
		(void)db_lazy(l, false, NULL);
	if (!l->unsynced)
		return 0;
	rc = sqlite3_file_control(l->db, "main",
	    SQLITE_FCNTL_JOURNAL_POINTER, &wal);
	if (rc == SQLITE_OK && (wal == NULL || wal->pMethods == NULL)) {
		set_err(err, xasprintf("%s: cannot make the send log durable: "
		    "its write-ahead log is not open", l->path));
		return -1;
	}
	if (rc == SQLITE_OK)
		rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
	if (rc != SQLITE_OK) {
		l->last_error = rc & 0xff;
		set_err(err, xasprintf("%s: cannot make the send log durable: "
		    "%s", l->path, sqlite3_errstr(rc)));
		return -1;
	}
	l->unsynced = false;
	return 0;
}

int
ledger_release_config(struct ledger *l, int64_t now, size_t *n, char **err)
{
	sqlite3_stmt *st = NULL;
	int changes = 0, rc;

	*n = 0;
	if (db_prepare(l, "UPDATE messages SET next_attempt = ?1"
	    " WHERE status = 'deferred' AND defer_kind = 'config'"
	    " AND next_attempt > ?1", &st, err) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	rc = write_one(l, st, &changes, err);
	sqlite3_finalize(st);
	*n = (size_t)changes;
	return rc;
}

int
ledger_state_get(struct ledger *l, const char *key, bool *found,
    int64_t *value, char **text, char **err)
{
	sqlite3_stmt *st = NULL;
	int step;

	*found = false;
	if (text != NULL)
		*text = NULL;
	if (db_prepare(l, "SELECT value, text FROM state WHERE key = ?1",
	    &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*found = true;
		*value = sqlite3_column_int64(st, 0);
		if (text != NULL)
			*text = col_strdup(st, 1);
	} else if (step != SQLITE_DONE) {
		db_fail(l, err);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
ledger_state_set(struct ledger *l, const char *key, int64_t value,
    const char *text, char **err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (db_prepare(l, "INSERT INTO state (key, value, text)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE"
	    " SET value = ?2, text = ?3", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, value);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	rc = write_one(l, st, NULL, err);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Without a scan, as every pass asks: a message's newest moment is its
 * `updated` (a row is created before it is updated, and an attempt's
 * instant is written to its row's `updated` in the same statement), read
 * from its index; the newest first_seen is what ledger_mark_seen() keeps
 * in the state table.  A log from before it kept that has it computed
 * once (the one scan) and, on a writable log, stored.
 */
int
ledger_newest(struct ledger *l, int64_t *when, char **err)
{
	sqlite3_stmt *st = NULL;
	int64_t updated, seen;
	bool found;
	int rc = 0;

	if (db_one_time(l, "SELECT MAX(updated) FROM messages", &updated,
	    err) == -1 ||
	    ledger_state_get(l, KEY_NEWEST_SEEN, &found, &seen, NULL,
	    err) == -1)
		return -1;
	if (!found) {
		if (db_one_time(l, "SELECT MAX(first_seen) FROM clients_seen",
		    &seen, err) == -1)
			return -1;
		if (seen != HISTORY_NONE && l->mode == LEDGER_READWRITE &&
		    ((rc = newest_seen_stmt(l, seen, &st, err)) == 0))
			rc = write_one(l, st, NULL, err);
		sqlite3_finalize(st);
		if (rc == -1)
			return -1;
	}
	*when = updated > seen ? updated : seen;
	return 0;
}

int
ledger_check(struct ledger *l, char **err)
{
	sqlite3_stmt *st;
	const char *r;
	int rc = 0;

	if (db_one_row(l, "PRAGMA quick_check(1)", &st, err) == -1)
		return -1;
	r = col_text(st, 0);
	if (r == NULL || strcmp(r, "ok") != 0) {
		set_err(err, ledger_damaged_text(l->path,
		    r != NULL ? r : "quick_check failed"));
		l->last_error = SQLITE_CORRUPT;
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int
ledger_backup(struct ledger *l, const char *dest, int64_t *rows,
    char **err)
{
	sqlite3 *db = NULL;
	sqlite3_backup *b;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	mode_t mode = 0600;
	int fd, rc = -1, step;

	*rows = 0;
	if (stat(l->path, &sb) == 0 && (sb.st_mode & S_IRGRP))
		mode = 0640;
	/* O_EXCL: an existing file (an older backup) is never overwritten. */
	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1) {
		set_err(err, xasprintf("%s: %s%s", dest, strerror(errno),
		    errno == EEXIST ? " (a backup never overwrites a file; "
		    "choose a new name)" : ""));
		return -1;
	}
	close(fd);
	if (sqlite3_open_v2(dest, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		set_err(err, xasprintf("%s: %s", dest, db != NULL ?
		    sqlite3_errmsg(db) : "out of memory"));
		goto out;
	}
	sqlite3_busy_timeout(db, LEDGER_BUSY_MS);
	/* One step of all pages: the copy is one snapshot of the source,
	 * taken under a read transaction that never blocks the writer. */
	b = sqlite3_backup_init(db, "main", l->db, "main");
	if (b == NULL) {
		set_err(err, xasprintf("%s: %s", dest, sqlite3_errmsg(db)));
		goto out;
	}
	step = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE) {
		set_err(err, xasprintf("%s: backup of %s failed: %s", dest,
		    l->path, sqlite3_errstr(step)));
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM messages", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		set_err(err, xasprintf("%s: %s", dest, sqlite3_errmsg(db)));
		goto out;
	}
	*rows = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rc == -1)
		unlink(dest);
	return rc;
}

int
ledger_next_retry(struct ledger *l, int64_t *when, char **err)
{
	return db_one_time(l, "SELECT MIN(CASE status"
	    " WHEN 'deferred' THEN MAX(next_attempt, lease_until + 1)"
	    " ELSE lease_until + 1 END) FROM messages"
	    " WHERE status IN ('deferred', 'queued')", when, err);
}

int
ledger_list(struct ledger *l, const struct ledger_filter *f,
    struct ledger_entry **out, size_t *n, char **err)
{
	sqlite3_stmt *st;
	struct ledger_entry *e = NULL;
	size_t cnt = 0, cap = 0;
	int step;

	*out = NULL;
	*n = 0;
	if (db_prepare(l, "SELECT " ENTRY_COLS " FROM messages"
	    " WHERE (?1 IS NULL OR updated >= ?1)"
	    " AND (?2 IS NULL OR updated < ?2)"
	    " AND (?3 IS NULL OR client = ?3)"
	    " AND (?4 IS NULL OR status = ?4)"
	    " ORDER BY updated DESC, id DESC", &st, err) == -1)
		return -1;
	bind_time(st, 1, f->since);
	bind_time(st, 2, f->until);
	sqlite3_bind_text(st, 3, f->client, -1, SQLITE_STATIC);
	if (f->has_status)
		sqlite3_bind_text(st, 4, history_status_name(f->status), -1,
		    SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			e = xreallocarray(e, cap, sizeof(*e));
		}
		if (entry_from_row(l, st, false, &e[cnt], err) == -1)
			goto fail;
		cnt++;
	}
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = e;
	*n = cnt;
	return 0;
fail:
	sqlite3_finalize(st);
	ledger_entries_free(e, cnt);
	return -1;
}

int
ledger_get(struct ledger *l, int64_t id, struct ledger_entry *out,
    struct ledger_attempt **attempts, size_t *nattempts, char **err)
{
	sqlite3_stmt *st = NULL;
	struct ledger_attempt *a = NULL;
	size_t cnt = 0, cap = 0;
	int step, rc = -1;

	memset(out, 0, sizeof(*out));
	*attempts = NULL;
	*nattempts = 0;
	/* The row and its attempts from one snapshot. */
	if (db_exec(l, "BEGIN", err) == -1)
		return -1;
	if (db_prepare(l, "SELECT " ENTRY_COLS ", bytes FROM messages"
	    " WHERE id = ?1", &st, err) == -1)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		set_err(err, xasprintf("%s: no message %lld", l->path,
		    (long long)id));
		goto out;
	}
	if (step != SQLITE_ROW) {
		db_fail(l, err);
		goto out;
	}
	if (entry_from_row(l, st, true, out, err) == -1)
		goto out;
	sqlite3_finalize(st);
	if (db_prepare(l, "SELECT at, smtp_code, reply, outcome FROM attempts"
	    " WHERE message_id = ?1 ORDER BY at, id", &st, err) == -1)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 4;
			a = xreallocarray(a, cap, sizeof(*a));
		}
		if (parse_status(l, col_text(st, 3), id, &a[cnt].outcome,
		    err) == -1)
			goto out;
		a[cnt].at = sqlite3_column_int64(st, 0);
		a[cnt].smtp_code = sqlite3_column_int(st, 1);
		a[cnt].reply = col_strdup(st, 2);
		cnt++;
	}
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		goto out;
	}
	*attempts = a;
	*nattempts = cnt;
	a = NULL;
	rc = 0;
out:
	sqlite3_finalize(st);
	db_rollback(l);
	if (rc == -1) {
		ledger_attempts_free(a, cnt);
		ledger_entry_clear(out);
	}
	return rc;
}

void
ledger_entry_clear(struct ledger_entry *e)
{
	if (e == NULL)
		return;
	free(e->client);
	free(e->occasion);
	free(e->occurrence);
	free(e->to);
	free(e->subject);
	free(e->message_id);
	free(e->template_file);
	free(e->smtp_reply);
	free(e->reason);
	free(e->dsn_status);
	free(e->dsn_diag);
	free(e->bytes);
	memset(e, 0, sizeof(*e));
}

void
ledger_entries_free(struct ledger_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ledger_entry_clear(&e[i]);
	free(e);
}

void
ledger_attempts_free(struct ledger_attempt *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].reply);
	free(a);
}

/* --- the mailbox ------------------------------------------------------ */

static const char *const mail_kinds[] = {
	[LEDGER_MAIL_CONTACT] = "contact",
	[LEDGER_MAIL_REPLY] = "reply",
	[LEDGER_MAIL_BOUNCE] = "bounce",
	[LEDGER_MAIL_DELAY] = "delay",
	[LEDGER_MAIL_OBJECTION] = "objection",
};

const char *
ledger_mail_kind_name(enum ledger_mail_kind k)
{
	return (unsigned)k < sizeof(mail_kinds) / sizeof(mail_kinds[0]) ?
	    mail_kinds[k] : "unknown";
}

static int
mail_kind_parse(const char *s, enum ledger_mail_kind *k)
{
	for (size_t i = 0; i < sizeof(mail_kinds) / sizeof(mail_kinds[0]);
	    i++)
		if (s != NULL && strcmp(s, mail_kinds[i]) == 0) {
			*k = (enum ledger_mail_kind)i;
			return 0;
		}
	return -1;
}

/* Runs st (bound by the caller) to its end; finalizes it. */
static int
db_run(struct ledger *l, sqlite3_stmt *st, char **err)
{
	int rc = 0;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(l, err);
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int
ledger_mail_seen(struct ledger *l, const char *key, bool *seen, char **err)
{
	sqlite3_stmt *st;
	int step;

	if (db_prepare(l, "SELECT 1 FROM mail_seen WHERE key = ?1", &st,
	    err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	*seen = step == SQLITE_ROW;
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(l, err);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static int
mail_event(struct ledger *l, const char *key,
    const struct ledger_mail_event *e, char **err)
{
	sqlite3_stmt *st = NULL;
	char *detail = NULL;
	int rc;

	if (e->status != NULL)
		detail = xasprintf("%s%s%s", e->status, e->diag ? " " : "",
		    e->diag ? e->diag : "");
	if (db_prepare(l, "INSERT INTO mail_events (client, kind, at, message,"
	    " mail_key, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st,
	    err) == -1) {
		free(detail);
		return -1;
	}
	sqlite3_bind_text(st, 1, e->client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ledger_mail_kind_name(e->kind), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, e->at);
	if (e->message != 0)
		sqlite3_bind_int64(st, 4, e->message);
	sqlite3_bind_text(st, 5, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
	rc = db_run(l, st, err);
	free(detail);
	if (rc == -1)
		return -1;
	st = NULL;
	switch (e->kind) {
	case LEDGER_MAIL_CONTACT:
		return 0;
	case LEDGER_MAIL_REPLY:
		if (db_prepare(l, "UPDATE messages SET replied ="
		    " MIN(COALESCE(replied, ?2), ?2) WHERE id = ?1", &st,
		    err) == -1)
			return -1;
		break;
	case LEDGER_MAIL_BOUNCE:
		if (db_prepare(l, "UPDATE messages SET status = 'bounced',"
		    " dsn_status = ?3, dsn_diag = ?4, dsn_at = ?2"
		    " WHERE id = ?1 AND status = 'sent'", &st, err) == -1)
			return -1;
		break;
	case LEDGER_MAIL_DELAY:
		if (db_prepare(l, "UPDATE messages SET dsn_status = ?3,"
		    " dsn_diag = ?4, dsn_at = ?2 WHERE id = ?1"
		    " AND status = 'sent'", &st, err) == -1)
			return -1;
		break;
	case LEDGER_MAIL_OBJECTION:
		if (db_prepare(l, "INSERT INTO optouts (client, at, source,"
		    " address) VALUES (?1, ?2, 'mailbox', lower(?3))"
		    " ON CONFLICT (client) DO"
		    " UPDATE SET source = CASE WHEN excluded.at < at THEN"
		    " excluded.source ELSE source END,"
		    " at = MIN(at, excluded.at),"
		    " address = COALESCE(excluded.address, address)", &st,
		    err) == -1)
			return -1;
		sqlite3_bind_text(st, 1, e->client, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, e->at);
		sqlite3_bind_text(st, 3, e->address, -1, SQLITE_STATIC);
		return db_run(l, st, err);
	}
	sqlite3_bind_int64(st, 1, e->message);
	sqlite3_bind_int64(st, 2, e->at);
	if (e->kind != LEDGER_MAIL_REPLY) {
		sqlite3_bind_text(st, 3, e->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, e->diag, -1, SQLITE_STATIC);
	}
	return db_run(l, st, err);
}

int
ledger_record_mail(struct ledger *l, const char *key, int64_t now,
    const struct ledger_mail_event *ev, size_t n, char **err)
{
	sqlite3_stmt *st = NULL;
	int changes;

	if (db_begin(l, err) == -1)
		return -1;
	if (db_prepare(l, "INSERT INTO mail_seen (key, at) VALUES (?1, ?2)"
	    " ON CONFLICT (key) DO NOTHING", &st, err) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (db_run(l, st, err) == -1)
		goto fail;
	changes = sqlite3_changes(l->db);
	if (changes == 0) {
		db_rollback(l);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (mail_event(l, key, &ev[i], err) == -1)
			goto fail;
	return db_commit(l, err);
fail:
	db_rollback(l);
	return -1;
}

/* The current row of st (id, client, to_addr, status, updated). */
static int
msgref_fill(struct ledger *l, sqlite3_stmt *st, struct ledger_msgref *r,
    bool *found, char **err)
{
	r->id = sqlite3_column_int64(st, 0);
	if (parse_status(l, col_text(st, 3), r->id, &r->status, err) == -1)
		return -1;
	r->client = col_strdup(st, 1);
	r->to = col_strdup(st, 2);
	r->updated = sqlite3_column_int64(st, 4);
	r->occurrence = col_strdup(st, 5);
	*found = true;
	return 0;
}

static int
msgref_from(struct ledger *l, sqlite3_stmt *st, struct ledger_msgref *r,
    bool *found, char **err)
{
	int step = sqlite3_step(st);

	memset(r, 0, sizeof(*r));
	*found = false;
	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW) {
		db_fail(l, err);
		return -1;
	}
	return msgref_fill(l, st, r, found, err);
}

int
ledger_find_message(struct ledger *l, const char *mid,
    struct ledger_msgref *r, bool *found, char **err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(l, "SELECT id, client, to_addr, status, updated,"
	    " occurrence FROM messages WHERE message_id = ?1"
	    " ORDER BY id LIMIT 1", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
	rc = msgref_from(l, st, r, found, err);
	sqlite3_finalize(st);
	return rc;
}

int
ledger_find_sent_to(struct ledger *l, const char *addr, int64_t since,
    int64_t until, struct ledger_msgref *r, bool *found, char **err)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	memset(r, 0, sizeof(*r));
	*found = false;
	if (db_prepare(l, "SELECT id, client, to_addr, status, updated,"
	    " occurrence FROM messages WHERE status IN ('sent', 'bounced') AND updated >= ?1"
	    " AND updated <= ?2 ORDER BY updated DESC, id DESC", &st,
	    err) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!valid_address_same(col_text(st, 2), addr))
			continue;
		rc = msgref_fill(l, st, r, found, err);
		break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(l, err);
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

void
ledger_msgref_clear(struct ledger_msgref *r)
{
	if (r == NULL)
		return;
	free(r->client);
	free(r->to);
	free(r->occurrence);
	memset(r, 0, sizeof(*r));
}

int
ledger_bounced_of(struct ledger *l, const char *client, const char *addr,
    int64_t *when, char **err)
{
	sqlite3_stmt *st;
	int step;

	*when = HISTORY_NONE;
	if (db_hot(l, HOT_BOUNCED_OF, "SELECT to_addr, " BOUNCED_AT
	    " FROM messages WHERE client = ?1 AND " BOUNCED_ROW, &st,
	    err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t t = sqlite3_column_int64(st, 1);

		if (valid_address_same(col_text(st, 0), addr) &&
		    (*when == HISTORY_NONE || t > *when))
			*when = t;
	}
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		db_done(st);
		return -1;
	}
	db_done(st);
	return 0;
}

int
ledger_list_bounces(struct ledger *l, char ***clients, char ***addrs,
    int64_t **at, size_t *n, char **err)
{
	sqlite3_stmt *st;
	size_t cnt = 0;
	int step;

	*clients = NULL;
	*addrs = NULL;
	*at = NULL;
	*n = 0;
	if (db_prepare(l, "SELECT client, to_addr, MAX(" BOUNCED_AT ")"
	    " FROM messages WHERE " BOUNCED_ROW " AND to_addr IS NOT NULL"
	    " GROUP BY client, to_addr ORDER BY client, to_addr", &st,
	    err) == -1)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*clients = xreallocarray(*clients, cnt + 1, sizeof(**clients));
		*addrs = xreallocarray(*addrs, cnt + 1, sizeof(**addrs));
		*at = xreallocarray(*at, cnt + 1, sizeof(**at));
		(*clients)[cnt] = col_strdup(st, 0);
		(*addrs)[cnt] = col_strdup(st, 1);
		(*at)[cnt] = sqlite3_column_int64(st, 2);
		cnt++;
	}
	sqlite3_finalize(st);
	*n = cnt;
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		return -1;
	}
	return 0;
}

int
ledger_mail_name_seen(struct ledger *l, const char *folder, const char *name,
    bool *seen, char **err)
{
	sqlite3_stmt *st;
	int step;

	if (db_prepare(l, "SELECT 1 FROM mail_names WHERE folder = ?1 AND"
	    " name = ?2", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, folder, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	*seen = step == SQLITE_ROW;
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(l, err);
		return -1;
	}
	return 0;
}

int
ledger_mail_names_add(struct ledger *l, const char *folder,
    const char *const *names, size_t n, char **err)
{
	sqlite3_stmt *st = NULL;

	if (n == 0)
		return 0;
	if (db_begin(l, err) == -1)
		return -1;
	if (db_prepare(l, "INSERT INTO mail_names (folder, name) VALUES"
	    " (?1, ?2) ON CONFLICT DO NOTHING", &st, err) == -1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, folder, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(l, err);
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return db_commit(l, err);
fail:
	sqlite3_finalize(st);
	db_rollback(l);
	return -1;
}

int
ledger_mail_events(struct ledger *l, const char *client,
    struct ledger_mail_row **out, size_t *n, char **err)
{
	sqlite3_stmt *st;
	struct ledger_mail_row *r = NULL;
	size_t cnt = 0;
	int step;

	*out = NULL;
	*n = 0;
	if (db_prepare(l, "SELECT kind, at, message, detail FROM mail_events"
	    " WHERE client = ?1 ORDER BY at, id", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		enum ledger_mail_kind k;

		if (mail_kind_parse(col_text(st, 0), &k) == -1)
			continue;
		r = xreallocarray(r, cnt + 1, sizeof(*r));
		r[cnt].kind = k;
		r[cnt].at = sqlite3_column_int64(st, 1);
		r[cnt].message = sqlite3_column_int64(st, 2);
		r[cnt].detail = col_strdup(st, 3);
		cnt++;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		ledger_mail_rows_free(r, cnt);
		return -1;
	}
	*out = r;
	*n = cnt;
	return 0;
}

void
ledger_mail_rows_free(struct ledger_mail_row *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].detail);
	free(r);
}

int
ledger_optout_source(struct ledger *l, const char *client,
    const char *address, int64_t *when, char **source, char **as,
    char **err)
{
	sqlite3_stmt *st;
	int step;

	*when = HISTORY_NONE;
	*source = *as = NULL;
	if (db_prepare(l, "SELECT at, source, client FROM optouts"
	    " WHERE client = ?1 OR address = lower(?2)"
	    " ORDER BY at, client != ?1 LIMIT 1", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*when = sqlite3_column_int64(st, 0);
		*source = col_strdup(st, 1);
		if (strcmp(col_text(st, 2), client) != 0)
			*as = col_strdup(st, 2);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(l, err);
		return -1;
	}
	return 0;
}

int
ledger_touches(struct ledger *l, const char *client, int64_t **at,
    char ***notes, size_t *n, char **err)
{
	sqlite3_stmt *st;
	size_t cnt = 0;
	int step;

	*at = NULL;
	*notes = NULL;
	*n = 0;
	if (db_prepare(l, "SELECT at, note FROM touches WHERE client = ?1"
	    " ORDER BY at", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*at = xreallocarray(*at, cnt + 1, sizeof(**at));
		*notes = xreallocarray(*notes, cnt + 1, sizeof(**notes));
		(*at)[cnt] = sqlite3_column_int64(st, 0);
		(*notes)[cnt] = col_strdup(st, 1);
		cnt++;
	}
	sqlite3_finalize(st);
	*n = cnt;
	if (step != SQLITE_DONE) {
		db_fail(l, err);
		return -1;
	}
	return 0;
}

/* --- the owner's say: approvals and holds ----------------------------- */

/* Whether the schema has the owner's tables: a database of an older
 * version opened read-only has none (nothing approved, nothing held). */
static int
owner_tables(struct ledger *l, bool *have, char **err)
{
	sqlite3_stmt *st;
	int rc = -1, step;

	/* The daemon's and every writer's schema is the newest. */
	if (l->mode == LEDGER_READWRITE) {
		*have = true;
		return 0;
	}
	if (db_prepare(l, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
	    " AND name = 'holds'", &st, err) == -1)
		return -1;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW || step == SQLITE_DONE) {
		*have = step == SQLITE_ROW;
		rc = 0;
	} else
		db_fail(l, err);
	sqlite3_finalize(st);
	return rc;
}

int
ledger_load_owner(struct ledger *l, struct owner *o, char **err)
{
	static const char *const sql[] = {
		"SELECT client, occurrence, at FROM approvals",
		("SELECT client, occurrence, at, note FROM holds"
		" WHERE released IS NULL ORDER BY id"),
		"SELECT client, occurrence, since FROM approval_waits"
	};
	sqlite3_stmt *st = NULL;
	bool have;
	int rc = -1, step;

	if (owner_tables(l, &have, err) == -1)
		return -1;
	if (!have)
		return 0;
	if (db_exec(l, "BEGIN", err) == -1)
		return -1;
	for (size_t q = 0; q < sizeof(sql) / sizeof(sql[0]); q++) {
		if (db_prepare(l, sql[q], &st, err) == -1)
			goto out;
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			struct owner_say *s = owner_get(o, col_text(st, 0),
			    col_text(st, 1));
			int64_t t = sqlite3_column_int64(st, 2);

			if (q == 0)
				s->approved = t;
			else if (q == 2)
				s->waiting = t;
			else {
				s->held = t;
				free(s->note);
				s->note = col_strdup(st, 3);
			}
		}
		if (step != SQLITE_DONE) {
			db_fail(l, err);
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	db_rollback(l);
	return rc;
}

/* One statement on (client, occurrence) and an instant, ?1 ?2 ?3, in its
 * own transaction; *changes (may be NULL) as write_one(). */
static int
write_key_at(struct ledger *l, const char *sql, const char *client,
    const char *occurrence, int64_t t, int *changes, char **err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(l, sql, &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, occurrence, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t);
	rc = write_one(l, st, changes, err);
	sqlite3_finalize(st);
	return rc;
}

int
ledger_approve(struct ledger *l, const char *client, const char *occurrence,
    int64_t now, int *changes, char **err)
{
	return write_key_at(l, "INSERT INTO approvals (client, occurrence, at)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", client, occurrence,
	    now, changes, err);
}

int
ledger_hold(struct ledger *l, const char *client, const char *occurrence,
    const char *note, int64_t now, char **err)
{
	sqlite3_stmt *st = NULL;

	if (db_begin(l, err) == -1)
		return -1;
	if (db_prepare(l, "UPDATE holds SET released = ?3 WHERE client = ?1"
	    " AND occurrence = ?2 AND released IS NULL", &st, err) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, occurrence, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(l, err);
		goto fail;
	}
	sqlite3_finalize(st);
	if (db_prepare(l, "INSERT INTO holds (client, occurrence, at, note)"
	    " VALUES (?1, ?2, ?3, ?4)", &st, err) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, occurrence, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(l, err);
		goto fail;
	}
	sqlite3_finalize(st);
	return db_commit(l, err);
fail:
	sqlite3_finalize(st);
	db_rollback(l);
	return -1;
}

int
ledger_release(struct ledger *l, const char *client, const char *occurrence,
    int64_t now, int *changes, char **err)
{
	return write_key_at(l, "UPDATE holds SET released = ?3 WHERE client = ?1"
	    " AND occurrence = ?2 AND released IS NULL", client, occurrence,
	    now, changes, err);
}

int
ledger_approval_wait(struct ledger *l, const char *client,
    const char *occurrence, int64_t since, char **err)
{
	return write_key_at(l, "INSERT INTO approval_waits (client, occurrence,"
	    " since) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", client,
	    occurrence, since, NULL, err);
}

int
ledger_held(struct ledger *l, const char *client, const char *occurrence,
    bool *held, char **note, char **err)
{
	sqlite3_stmt *st;
	bool have;
	int rc = -1, step;

	*held = false;
	*note = NULL;
	if (owner_tables(l, &have, err) == -1)
		return -1;
	if (!have)
		return 0;
	if (db_hot(l, HOT_HELD, "SELECT note FROM holds WHERE client = ?1 AND"
	    " occurrence = ?2 AND released IS NULL ORDER BY id DESC LIMIT 1",
	    &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, occurrence, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*held = true;
		*note = col_strdup(st, 0);
		rc = 0;
	} else if (step == SQLITE_DONE)
		rc = 0;
	else
		db_fail(l, err);
	db_done(st);
	return rc;
}

int
ledger_find_occurrence(struct ledger *l, const char *client,
    const char *occurrence, struct ledger_entry *out, bool *found,
    char **err)
{
	sqlite3_stmt *st;
	int rc = -1, step;

	*found = false;
	if (db_prepare(l, "SELECT " ENTRY_COLS " FROM messages WHERE"
	    " client = ?1 AND occurrence = ?2", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, occurrence, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (entry_from_row(l, st, false, out, err) == -1)
			goto out;
		*found = true;
	} else if (step != SQLITE_DONE) {
		db_fail(l, err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* --- the daemon's plan cache (plancache.h): whether anyone wrote --- */

int
ledger_data_version(struct ledger *l, int64_t *version, char **err)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (db_hot(l, HOT_DATA_VERSION, "PRAGMA data_version", &st,
	    err) == -1)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		db_fail(l, err);
	db_done(st);
	return rc;
}

int64_t
ledger_changes(const struct ledger *l)
{
	return sqlite3_total_changes64(l->db);
}

