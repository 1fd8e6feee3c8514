/*
 * outbox.h - the life of a send-log row, in one place.
 *
 * A message goes queued -> sent | deferred | failed | skipped, and only
 * this module moves it (OpenSMTPD's queue and scheduler have the same
 * shape).  Before every attempt, the first and every retry, it
 * 
 *   - re-checks that the client is still in the book, not paused and has
 *     not objected (the row turns `skipped` with the reason otherwise);
 *   - renews the row's lease for one whole transaction, and gives the row
 *     up if another holder took it over (a row it queued a moment ago has
 *     a whole lease already);
 *   - makes sure everything recorded is synced to disk;
 * 
 * and after the server's answer it records the outcome under the same
 * lease, retrying a failed commit a few times; when the outcome still
 * cannot be recorded it keeps it in memory, sends nothing more, and
 * records it first at the next round.  The outcome is synced with the
 * next message's queueing, or when the round ends (ledger_settle()).
 *
 * A failure of the delivery session rather than of one message (no
 * connection, TLS, AUTH, the password) defers every other message of the
 * round at once, with one log line: one attempt per round, never one per
 * message.  The next attempt waits for a backoff that starts at 5 minutes
 * and doubles up to the largest step of [delivery] retry, kept in the
 * send log so that `touchbased --once` from a timer honours it too; a
 * success resets it, and so does a reload.  Time lost to a configuration
 * problem does not count toward give_up_after.
 *
 * The clock is passed in: every instant recorded comes from it.
 */
#ifndef TOUCHBASE_OUTBOX_H
#define TOUCHBASE_OUTBOX_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ledger.h"

/* The first step of the session backoff, in seconds. */
#define OUTBOX_BACKOFF_FIRST	300

struct outbox_clock {
	int64_t		(*now)(void *arg);	/* UTC seconds */
	void		 *arg;
};

/* What a round did, for the log line and the exit status. */
struct outbox_counts {
	size_t		 sent, deferred, failed, skipped;
	size_t		 config_problems;	/* configuration deferrals */
};

struct outbox;

/* One outbox lives as long as the process: it holds the lease token and
 * any outcome the ledger would not take yet.  The clock is copied. */
struct outbox	*outbox_new(struct ledger *l, const struct outbox_clock *clk);
void		 outbox_free(struct outbox *o);
/* The clock of the process: time(2). */
extern const struct outbox_clock outbox_wall_clock;

/* Starts a round at now with configuration c: records what the last
 * round could not, and reads the session backoff.  Returns 0, or -1 with
 * *err when the send log cannot be written (nothing is to be sent). */
int	 outbox_begin(struct outbox *o, const struct config *c, int64_t now,
	    struct outbox_counts *counts, char **err);
/* Ends the round: syncs the last outcome, closes the delivery session.
 * Returns 0, or -1 when the outcomes recorded could not be made durable:
 * why in *err, or logged when err is NULL. */
int	 outbox_end(struct outbox *o, char **err);
/* Whether the round may go on: false once the send log would not take a
 * write (busy beyond its timeout, full disk, I/O error). */
bool	 outbox_ok(const struct outbox *o);

/* Queues m (client in the book, composed bytes) and attempts it.
 * Returns 0 (also when the occurrence was logged already), -1 when the
 * send log failed, now or earlier in the round: the round stops, *err
 * says why. */
int	 outbox_submit(struct outbox *o, const struct ledger_new *m,
	    char **err);
/* Claims the rows whose retry has come (or left behind by a crashed
 * pass) and attempts each, until *stop (may be NULL) is set.  Returns 0,
 * or -1 as outbox_submit(). */
int	 outbox_retry(struct outbox *o, volatile sig_atomic_t *stop,
	    char **err);
/* After a reload: configuration deferrals are due again and the session
 * backoff is forgotten. */
int	 outbox_config_changed(struct outbox *o, int64_t now, char **err);

#endif
