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

int	 ledger_open(const char *path, enum ledger_mode mode,
	    struct ledger **out, char **err);
void	 ledger_close(struct ledger *l);

/* Fills h with everything the planner needs. */
int	 ledger_load_history(struct ledger *l, struct history *h, char **err);
/* Records now as the first-seen instant of each client not yet known. */
int	 ledger_mark_seen(struct ledger *l, const char *const *clients,
	    size_t n, int64_t now, char **err);
int	 ledger_touch(struct ledger *l, const char *client, int64_t when,
	    const char *note, char **err);
int	 ledger_optout(struct ledger *l, const char *client, int64_t when,
	    char **err);
/* The opt-out instant of client, or HISTORY_NONE.  Recording an opt-out
 * for a client already opted out keeps the earlier instant. */
int	 ledger_optout_of(struct ledger *l, const char *client,
	    int64_t *when, char **err);
/* Every opt-out, sorted by client id: *clients (each string and the
 * array allocated) and *at (allocated), *n entries. */
int	 ledger_list_optouts(struct ledger *l, char ***clients, int64_t **at,
	    size_t *n, char **err);

/*
 * Claiming work.  ledger_queue() inserts (client, occurrence) as `queued`
 * with the message bytes and Message-ID and a lease for this process
 * until lease_until, in one transaction.  It returns 0 with *id set when
 * this caller now owns the row, 1 when the occurrence already exists
 * (another pass claimed it, or it is already logged): the caller must
 * not send.
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
	    int64_t now, int64_t lease_until, int64_t *id, char **err);
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
 * re-leased to the caller until lease_until before it is returned, so two
 * passes never take the same row.  Entries carry their bytes. */
int	 ledger_claim_ready(struct ledger *l, int64_t now,
	    int64_t lease_until, struct ledger_entry **out, size_t *n,
	    char **err);
/* Records one attempt on row id and moves it to st (sent, deferred with
 * next_attempt, failed); also ends the lease.  A row already `sent` is
 * never changed: that is an error and nothing is recorded. */
int	 ledger_record_attempt(struct ledger *l, int64_t id, int64_t at,
	    enum msg_status st, int smtp_code, const char *reply,
	    int64_t next_attempt, const char *reason, char **err);
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

#endif
