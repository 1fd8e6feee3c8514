/*
 * pass.h - one delivery pass: plan, record, send, record.
 *
 * pass_run() is everything `touchbased --once` does and what the daemon
 * does at each wake-up: load the history from the ledger, mark new
 * clients as seen, plan at now, log skipped and missed occurrences,
 * claim and send what is due (catch-up included) and retry deferred rows
 * whose time has come, through the outbox (which records `queued` before
 * and the outcome after every SMTP transaction).  It stops between two
 * messages when *stop becomes non-zero (a transaction in progress is
 * finished and recorded).
 *
 * The daemon passes a plan cache (plancache.h, NULL for --once): a pass
 * that planned in full and sent nothing keeps its plan's next day there,
 * and the wake-ups after it carry out what the cache says is due while
 * nobody else writes to the send log and every outcome is the planned
 * one; anything else drops the cache and the pass plans in full.
 */
#ifndef TOUCHBASE_PASS_H
#define TOUCHBASE_PASS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ledger.h"
#include "outbox.h"
#include "plancache.h"

struct pass_result {
	struct outbox_counts n;		/* sent, deferred, failed, skipped */
	size_t		 missed;
	int64_t		 next;		/* next planned send or retry (UTC),
					   HISTORY_NONE when nothing */
	char		*next_desc;	/* "birthday for anna-mueller at
					   2027-02-28 09:00 CET", or NULL */
};

/* Plans at now and hands what is due to ob (whose clock times every
 * attempt).  *res is filled from scratch (its old contents are not
 * read); the caller releases it with pass_result_clear().  Returns -1
 * with *err when the round could not finish: the clock is earlier than
 * the send log, or the send log could not be read or written (busy
 * beyond its timeout, full, damaged: ledger_busy()/ledger_damaged() tell
 * which); the caller tries again soon. */
int	 pass_run(const struct config *c, struct ledger *l,
	    struct outbox *ob, struct plancache *pc, int64_t now,
	    volatile sig_atomic_t *stop, struct pass_result *res, char **err);
void	 pass_result_clear(struct pass_result *r);

#endif
