/*
 * ledger.h - the send log and all state, in SQLite (WAL).
 *
 * The only module that includes sqlite3.h.  One row per (client,
 * occurrence), UNIQUE, so an occurrence can never be recorded twice; one
 * row per delivery attempt; first-seen days, touches and opt-outs.
 * Readers (`touchbase log`, `show`) work while the daemon writes.
 * Every function returns 0 on success and -1 on failure with *err (when
 * err is not NULL) allocated, naming the database file.
 */
#ifndef TOUCHBASE_LEDGER_H
#define TOUCHBASE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "owner.h"

struct ledger;

enum ledger_mode {
	LEDGER_READONLY,	/* fails when the file does not exist */
	LEDGER_READWRITE	/* creates the file and migrates the schema */
};

/* A message row as `log` and `show` see it. */
struct ledger_entry {
	int64_t		 id;
	char		*client;
	char		*occasion;
	char		*occurrence;
	enum msg_status	 status;
	int64_t		 due;		/* UTC */
	int		 due_offset;	/* client's UTC offset at due */
	int64_t		 updated;	/* UTC */
	int		 attempts;
	char		*to;		/* recipient address */
	char		*subject;
	char		*message_id;
	char		*template_file;
	int		 smtp_code;	/* last, 0 when none */
	char		*smtp_reply;	/* last, may be NULL */
	char		*reason;	/* skipped/missed/failed reason */
	int64_t		 next_attempt;	/* deferred: earliest retry, else 0 */
	int64_t		 config_lost;	/* seconds spent deferred for a
					   configuration problem */
	bool		 config_deferred; /* deferred for one now */
	int64_t		 replied;	/* first reply seen, or HISTORY_NONE */
	char		*dsn_status;	/* bounced: the failure's Status;
					   sent: a delay's; else NULL */
	char		*dsn_diag;	/* its Diagnostic-Code, may be NULL */
	int64_t		 dsn_at;	/* when it was reported, or NONE */
	int64_t		 sent_at;	/* sent: the accepted attempt, UTC;
					   else HISTORY_NONE */
	unsigned char	*bytes;		/* `show`: the message; else NULL */
	size_t		 len;
};

struct ledger_attempt {
	int64_t		 at;
	int		 smtp_code;
	char		*reply;
	enum msg_status	 outcome;
};

/* since/until bound `updated`, the moment of the row's latest event. */
struct ledger_filter {
	int64_t		 since;		/* HISTORY_NONE: no bound */
	int64_t		 until;		/* exclusive; HISTORY_NONE */
	const char	*client;	/* NULL: all */
	bool		 has_status;
	enum msg_status	 status;
};

/*
 * LEDGER_READONLY never writes: not the file, not its folder.  When the
 * folder is not writable and no -shm file exists (the daemon is stopped),
 * the file is opened as immutable, which SQLite allows only when no -wal
 * file is left either; a missing permission is named with the way to get
 * it (membership of the group that owns the file, `touchbase` in the
 * package).  A damaged file is refused with ledger_damaged_text().
 */
int	 ledger_open(const char *path, enum ledger_mode mode,
	    struct ledger **out, char **err);
void	 ledger_close(struct ledger *l);
/* Whether the last failure was the busy timeout (another process kept
 * the database locked), or a damaged file. */
bool	 ledger_busy(const struct ledger *l);
bool	 ledger_damaged(const struct ledger *l);
/* "PATH is damaged (WHAT); touchbased will not write to it. Stop ...":
 * the words for a damaged database, with the way back (allocated). */
char	*ledger_damaged_text(const char *path, const char *what);
/* PRAGMA quick_check: 0 when the file is sound, else -1 with *err from
 * ledger_damaged_text(). */
int	 ledger_check(struct ledger *l, char **err);
/* An online backup into dest, a file that must not exist yet (it is
 * created 0600, or 0640 like the database when that is group-readable);
 * consistent while another process writes.  *rows gets the number of
 * send-log rows copied. */
int	 ledger_backup(struct ledger *l, const char *dest, int64_t *rows,
	    char **err);
/* The newest moment the send log has recorded (a message created or
 * updated, an attempt, a client first seen), or HISTORY_NONE.  Every
 * pass asks: it reads two index entries, not the tables. */
int	 ledger_newest(struct ledger *l, int64_t *when, char **err);
/* How far the clock may be behind the newest entry before a pass
 * refuses to plan (seconds). */
#define LEDGER_CLOCK_SLACK	300
/* A small persistent key-value store (delivery backoff, last backup):
 * *found false when key has no value; *text may be NULL (allocated). */
int	 ledger_state_get(struct ledger *l, const char *key, bool *found,
	    int64_t *value, char **text, char **err);
int	 ledger_state_set(struct ledger *l, const char *key, int64_t value,
	    const char *text, char **err);

/* Fills h with everything the planner needs. */
int	 ledger_load_history(struct ledger *l, struct history *h, char **err);
/* Records now as the first-seen instant of each client not yet known. */
int	 ledger_mark_seen(struct ledger *l, const char *const *clients,
	    size_t n, int64_t now, char **err);
int	 ledger_touch(struct ledger *l, const char *client, int64_t when,
	    const char *note, char **err);
/* Records client's objection at when, for the client and for its
 * address (may be NULL): the address stays opted out under any id. */
int	 ledger_optout(struct ledger *l, const char *client,
	    const char *address, int64_t when, char **err);
/* The opt-out instant of client or of its address (may be NULL; compared
 * without regard to case), or HISTORY_NONE.  Recording an opt-out for a
 * client already opted out keeps the earlier instant. */
int	 ledger_optout_of(struct ledger *l, const char *client,
	    const char *address, int64_t *when, char **err);
/* A contact recorded by `touchbase touch`. */
struct ledger_touch {
	char		*client;
	int64_t		 at;		/* UTC */
	char		*note;		/* NULL when none */
};

/* Every touch, newest first: *out allocated (free with
 * ledger_touches_free), *n entries. */
int	 ledger_list_touches(struct ledger *l, struct ledger_touch **out,
	    size_t *n, char **err);
void	 ledger_touches_free(struct ledger_touch *t, size_t n);
/* Every opt-out, sorted by client id: *clients (each string and the
 * array allocated) and *at (allocated), *n entries. */
int	 ledger_list_optouts(struct ledger *l, char ***clients, int64_t **at,
	    size_t *n, char **err);
/* The same with each opt-out's address (lower case; NULL when unknown),
 * *addresses allocated as *clients is. */
int	 ledger_list_optouts_with(struct ledger *l, char ***clients,
	    char ***addresses, int64_t **at, size_t *n, char **err);

/*
 * Leases.  A row being worked on is leased to one holder: a random
 * token (never 0) and a moment until which the holder may still write
 * its outcome.  Claiming takes rows whose lease ran out, or whose holder
 * (its PID on this machine) is gone; renewing extends the lease before
 * each transaction; settling checks the token, so a holder whose row was
 * taken over cannot write over the new holder's outcome.
 */
struct ledger_lease {
	int64_t		 token;
	int64_t		 until;		/* UTC */
};

/* A random non-zero lease token. */
int64_t	 ledger_new_token(void);

/*
 * ledger_queue() inserts (client, occurrence) as `queued` with the
 * message bytes and Message-ID, leased to ls, in one transaction.  It
 * returns 0 with *id set when this caller now owns the row, 1 when the
 * occurrence already exists (another pass claimed it, or it is already
 * logged): the caller must not send.
 */
struct ledger_new {
	const char	*client;
	const char	*occasion;
	const char	*occurrence;
	int64_t		 due;
	int		 due_offset;
	const char	*to;
	const char	*subject;
	const char	*template_file;
	const char	*message_id;
	const unsigned char *bytes;
	size_t		 len;
};
int	 ledger_queue(struct ledger *l, const struct ledger_new *m,
	    int64_t now, const struct ledger_lease *ls, int64_t *id,
	    char **err);
/* Records a skipped or missed occurrence, or one that failed before any
 * attempt (e.g. it could not be composed), with st and reason and no
 * message bytes.  Returns 1 when the occurrence is already logged. */
int	 ledger_record_outcome(struct ledger *l, const char *client,
	    const char *occasion, const char *occurrence, int64_t due,
	    int due_offset, enum msg_status st, const char *reason,
	    int64_t now, char **err);
/* Rows ready for a (re)try at now: `deferred` whose next_attempt has
 * come, and `queued` whose lease expired or whose lease holder (by its
 * PID, on this machine) no longer exists: a crashed pass.  Each is
 * leased to ls before it is returned, so two passes never take the same
 * row.  Entries carry their bytes. */
int	 ledger_claim_ready(struct ledger *l, int64_t now,
	    const struct ledger_lease *ls, struct ledger_entry **out,
	    size_t *n, char **err);
/* Extends the lease of row id to ls->until.  Returns 0, or 1 when the row
 * is no longer leased to ls->token (taken over, or already settled): the
 * caller must not send it.  The commit is lazy (as ledger_settle()'s): a
 * caller about to send calls ledger_sync() after it. */
int	 ledger_renew(struct ledger *l, int64_t id,
	    const struct ledger_lease *ls, char **err);

/* Why a deferral happened: the message itself (4xx), the session (no
 * connection, TLS), or the configuration (AUTH, certificate, password). */
enum ledger_defer {
	LEDGER_DEFER_MESSAGE,
	LEDGER_DEFER_SESSION,
	LEDGER_DEFER_CONFIG
};

/* The end of one round of work on a leased row. */
struct ledger_outcome {
	enum msg_status	 status;	/* sent, deferred, failed, skipped */
	int64_t		 at;		/* UTC */
	bool		 attempted;	/* a delivery attempt: counted and
					   kept in the attempt history */
	int		 smtp_code;	/* 0 when none */
	const char	*reply;		/* server reply or local text */
	int64_t		 next_attempt;	/* deferred: earliest retry */
	enum ledger_defer defer;	/* deferred: why */
	int64_t		 config_lost;	/* seconds to add to the row's
					   configuration time */
	const char	*reason;	/* failed/skipped: why, else NULL */
};
/*
 * Moves row id, leased to token, to o->status and ends the lease.
 * Returns 0; 1 when the row is leased to another holder (the outcome is
 * not recorded: *err says so); -1 with *err on a database error, for an
 * unknown row, a row already `sent` (never changed again) or a status an
 * outcome cannot have.
 *
 * The commit is lazy: seen at once by every reader and kept across a
 * crash of this process, it is durable against a power loss once the
 * next durable commit (any write but a lease renewal: the next
 * message's queueing) or ledger_sync() has synced the log.  A power loss before that leaves the
 * row queued, sent again with the same Message-ID: the window the crash
 * of a pass leaves anyway.
 */
int	 ledger_settle(struct ledger *l, int64_t id, int64_t token,
	    const struct ledger_outcome *o, char **err);
/* The reads between ledger_read_begin() and ledger_read_end() see one
 * snapshot of the log (one read transaction, not one per query). */
int	 ledger_read_begin(struct ledger *l, char **err);
void	 ledger_read_end(struct ledger *l);
/* Copies what the write-ahead log holds into the database file, as far as
 * no reader needs it (passive: never waits), so that the pages a pass
 * wrote are not copied by the commit of the next message to go.  Called
 * when a pass ends; a checkpoint that cannot be made now is made later. */
void	 ledger_checkpoint(struct ledger *l);
/* Makes every lazy commit of this connection durable; 0 when there was
 * none.  -1 with *err when the log cannot be synced. */
int	 ledger_sync(struct ledger *l, char **err);
/* A reload may have fixed the configuration: rows deferred for it are
 * due again at now.  *n gets their number. */
int	 ledger_release_config(struct ledger *l, int64_t now, size_t *n,
	    char **err);
/* The earliest moment ledger_claim_ready() would return a row: the
 * next_attempt of a deferred row, or just after the lease of a queued row
 * left behind by a crashed pass; HISTORY_NONE when there is none. */
int	 ledger_next_retry(struct ledger *l, int64_t *when, char **err);

/* `log`: newest first.  `show`: one row with bytes and attempts. */
int	 ledger_list(struct ledger *l, const struct ledger_filter *f,
	    struct ledger_entry **out, size_t *n, char **err);
int	 ledger_get(struct ledger *l, int64_t id, struct ledger_entry *out,
	    struct ledger_attempt **attempts, size_t *nattempts, char **err);
void	 ledger_entries_free(struct ledger_entry *e, size_t n);
void	 ledger_entry_clear(struct ledger_entry *e);
void	 ledger_attempts_free(struct ledger_attempt *a, size_t n);

/*
 * The mailbox (inbox.c).  A mail is recorded once, ever, under its key
 * (its Message-ID, else a hash of what was read of it): recording it
 * writes the key, the events it causes and their effects on the send
 * log, the opt-outs and the last contact in one transaction.
 */
enum ledger_mail_kind {
	LEDGER_MAIL_CONTACT,	/* the client wrote, or the owner wrote to
				   the client: the casual clock restarts */
	LEDGER_MAIL_REPLY,	/* message row `message` got a reply */
	LEDGER_MAIL_BOUNCE,	/* row `message` bounced (5.x.x): `bounced` */
	LEDGER_MAIL_DELAY,	/* row `message` is delayed: only noted */
	LEDGER_MAIL_OBJECTION	/* an opt-out, marked as from the mailbox */
};

struct ledger_mail_event {
	enum ledger_mail_kind kind;
	const char	*client;
	int64_t		 at;		/* dated by the mail, UTC */
	int64_t		 message;	/* send-log row id, or 0 */
	const char	*address;	/* objection: the client's address */
	const char	*status;	/* bounce/delay: "5.1.1" */
	const char	*diag;		/* bounce/delay: Diagnostic-Code */
};

/* A send-log row found by Message-ID or recipient. */
struct ledger_msgref {
	int64_t		 id;
	char		*client;
	char		*occurrence;
	char		*to;
	enum msg_status	 status;
	int64_t		 updated;
};

const char *ledger_mail_kind_name(enum ledger_mail_kind k);
/* Whether key was recorded by an earlier scan. */
int	 ledger_mail_seen(struct ledger *l, const char *key, bool *seen,
	    char **err);
/* Records key and its events (none: the mail is only remembered).
 * Returns 1, recording nothing, when key is already recorded.  A bounce
 * or delay changes only a `sent` row; a reply keeps the first reply's
 * moment; an objection keeps an earlier opt-out. */
int	 ledger_record_mail(struct ledger *l, const char *key, int64_t now,
	    const struct ledger_mail_event *ev, size_t n, char **err);
/* The send-log row whose Message-ID is mid ("<...>"); *found false when
 * none.  Clear r with ledger_msgref_clear(). */
int	 ledger_find_message(struct ledger *l, const char *mid,
	    struct ledger_msgref *r, bool *found, char **err);
/* The latest `sent` (or `bounced`) row to addr (valid_address_same) whose
 * moment is within [since, until]: a DSN without the original headers. */
int	 ledger_find_sent_to(struct ledger *l, const char *addr, int64_t since,
	    int64_t until, struct ledger_msgref *r, bool *found, char **err);
void	 ledger_msgref_clear(struct ledger_msgref *r);
/* When the client's address addr bounced (the latest such report, or a
 * permanent refusal of the address at the SMTP transaction: 5.1.1, 5.1.2,
 * 5.1.3, 5.1.6), or HISTORY_NONE: the outbox's re-check before every
 * attempt. */
int	 ledger_bounced_of(struct ledger *l, const char *client,
	    const char *addr, int64_t *when, char **err);
/* Every bounced (client, address, instant), for `check`. */
int	 ledger_list_bounces(struct ledger *l, char ***clients, char ***addrs,
	    int64_t **at, size_t *n, char **err);
/* Maildir names already read in folder. */
int	 ledger_mail_name_seen(struct ledger *l, const char *folder,
	    const char *name, bool *seen, char **err);
/* Adds n names read in folder, in one transaction. */
int	 ledger_mail_names_add(struct ledger *l, const char *folder,
	    const char *const *names, size_t n, char **err);
/* One client's mail events, oldest first (`history`). */
struct ledger_mail_row {
	enum ledger_mail_kind kind;
	int64_t		 at;
	int64_t		 message;
	char		*detail;
};
int	 ledger_mail_events(struct ledger *l, const char *client,
	    struct ledger_mail_row **out, size_t *n, char **err);
void	 ledger_mail_rows_free(struct ledger_mail_row *r, size_t n);
/* One client's touches (`touchbase touch`), oldest first: *at and
 * *notes (a note may be NULL) allocated, *n entries. */
int	 ledger_touches(struct ledger *l, const char *client, int64_t **at,
	    char ***notes, size_t *n, char **err);
/* The client's opt-out, or its address's (may be NULL), the earliest,
 * with its source: *source "mailbox" or NULL (a command), and *as the id
 * it was made under when another (else NULL), both allocated. */
int	 ledger_optout_source(struct ledger *l, const char *client,
	    const char *address, int64_t *when, char **source, char **as,
	    char **err);

/*
 * The owner's say (owner.h).  ledger_load_owner() adds every approval,
 * every hold in force and every approval wait to o; a database older
 * than these tables, opened read-only, has none.  ledger_approve()
 * approves (client, occurrence) at now (*changes, may be NULL: 0 when it
 * was approved already).  ledger_hold() holds it with note (may be NULL),
 * replacing a hold in force; ledger_release() ends the hold in force
 * (*changes 0: there was none).  ledger_approval_wait() records since as
 * the moment an unapproved message first came due (the first one
 * counts).  ledger_held() tells whether a hold is in force, with its
 * note (allocated, may be NULL).  ledger_find_occurrence() fills *out
 * (clear with ledger_entry_clear) when the send log holds (client,
 * occurrence).
 */
int	 ledger_load_owner(struct ledger *l, struct owner *o, char **err);
int	 ledger_approve(struct ledger *l, const char *client,
	    const char *occurrence, int64_t now, int *changes, char **err);
int	 ledger_hold(struct ledger *l, const char *client,
	    const char *occurrence, const char *note, int64_t now, char **err);
int	 ledger_release(struct ledger *l, const char *client,
	    const char *occurrence, int64_t now, int *changes, char **err);
int	 ledger_approval_wait(struct ledger *l, const char *client,
	    const char *occurrence, int64_t since, char **err);
int	 ledger_held(struct ledger *l, const char *client,
	    const char *occurrence, bool *held, char **note, char **err);
int	 ledger_find_occurrence(struct ledger *l, const char *client,
	    const char *occurrence, struct ledger_entry *out, bool *found,
	    char **err);

/*
 * For the daemon's plan cache (plancache.h).  ledger_data_version()
 * changes when another connection committed to the send log since the
 * last call (SQLite's PRAGMA data_version: `touchbase touch`, approve,
 * hold, import...), never for this connection's own writes.
 * ledger_changes() counts the rows this connection has changed (to tell
 * whether a step wrote anything).  ledger_load_client() adds to h what
 * ledger_load_history() would for that one client (an indexed query).
 */
int	 ledger_data_version(struct ledger *l, int64_t *version, char **err);
int64_t	 ledger_changes(const struct ledger *l);
int	 ledger_load_client(struct ledger *l, const char *client,
	    struct history *h, char **err);

#endif
