/*
 * pass.h - one delivery pass: plan, record, send, record.
 *
 * pass_run() is everything `touchbased --once` does and what the daemon
 * does at each wake-up: load the history from the ledger, mark new
 * clients as seen, plan at now, log skipped and missed occurrences,
 * claim and send what is due (catch-up included) and retry deferred rows
 * whose time has come, recording `queued` before and the outcome after
 * every SMTP transaction.  It stops between two messages when *stop
 * becomes non-zero (a transaction in progress is finished and recorded).
 */
#ifndef TOUCHBASE_PASS_H
#define TOUCHBASE_PASS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ledger.h"

struct pass_result {
	size_t		 sent, deferred, failed, skipped, missed;
	size_t		 config_problems;	/* DELIVER_CONFIG outcomes */
	int64_t		 next;		/* next planned send or retry (UTC),
					   HISTORY_NONE when nothing */
	char		*next_desc;	/* "birthday for anna-mueller at
					   2027-02-28 09:00 CET", or NULL */
};

/* *res is filled from scratch (its old contents are not read); the
 * caller releases it with pass_result_clear(). */
int	 pass_run(const struct config *c, struct ledger *l, int64_t now,
	    volatile sig_atomic_t *stop, struct pass_result *res, char **err);
void	 pass_result_clear(struct pass_result *r);

#endif
