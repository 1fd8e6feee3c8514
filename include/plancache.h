/*
 * plancache.h - the near part of a plan, kept between the daemon's
 * wake-ups.
 *
 * The planner is pure and a plan carried out as planned does not change
 * the rest of it: a message sent on the day of its due counts where the
 * plan counted it (min_gap, the check-in chain, the daily limit).  So
 * after a full plan the daemon keeps the items due before a near horizon
 * and, at a wake-up, carries out those that have come due instead of
 * planning every client again.  Whatever the plan did not foresee (a
 * reload, another process writing the send log, an outcome other than
 * the planned one, the clock stepping) drops the cache, and the next
 * wake-up plans in full.
 *
 * Pure: no clock, no I/O.  The cached items point into the book the plan
 * was made from (its clients and occasions): drop the cache before that
 * book is freed.
 */
#ifndef TOUCHBASE_PLANCACHE_H
#define TOUCHBASE_PLANCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner.h"
#include "settings.h"
#include "timeutil.h"

/* How far ahead of a full plan the cache reaches at most: a day, well
 * inside the days the pass plans (PASS_NEAR), which are exactly those of
 * a plan to any later end (planner_plan_near()). */
#define PLANCACHE_SPAN		(1 * (int64_t)DAY_SECONDS)
/* A cached item due longer ago than this is not carried out from the
 * cache (the daemon woke late: a suspend, the clock stepped forward):
 * the catch-up rules decide, in a full plan. */
#define PLANCACHE_LATE		60

struct plancache;

/* The state of the send log a cache was made or last used at: another
 * connection's commits (ledger_data_version()) and this connection's own
 * changes (ledger_changes()).  Either moving means someone wrote what
 * the plan did not foresee (`touchbase touch`, approve, hold, import, an
 * objection the inbox found). */
struct plancache_stamp {
	int64_t		 data_version;
	int64_t		 changes;
};

struct plancache *plancache_new(void);
void		 plancache_free(struct plancache *pc);
/* Forgets the items: the next question is answered by a full plan.  The
 * daemon drops the cache before it frees the configuration its items
 * point into. */
void		 plancache_drop(struct plancache *pc);
/* Keeps plan's items (planned at now, carried out up to now) due after
 * now and before until; an item awaiting the owner's approval is not
 * kept, and the cache ends when one comes due or is skipped unapproved.
 * owner is what the plan was made for (the configuration), st the send
 * log's state after the pass that made it, s the settings planned with.
 * Returns false (and keeps nothing) when the plan sends a message at or
 * before now: one caught up at now is placed after the daily limit was
 * shared out, so the plan does not count it where the send log will;
 * the next full plan does. */
bool		 plancache_fill(struct plancache *pc,
		    const struct settings *s, const struct plan *plan,
		    int64_t now, int64_t until, const void *owner,
		    const struct plancache_stamp *st);
/* Whether the cache may stand in for a full plan at now for owner, with
 * the send log in state st: filled for the same owner, nobody wrote to
 * the send log since its last use, now not earlier than that use and
 * before its end, and its first item not overdue by more than
 * PLANCACHE_LATE. */
bool		 plancache_usable(struct plancache *pc, int64_t now,
		    const void *owner, const struct plancache_stamp *st);
/* After a pass carried out cached items as planned: the send log's state
 * with its own writes, for the next plancache_usable(). */
void		 plancache_restamp(struct plancache *pc,
		    const struct plancache_stamp *st);
/* The first item not yet carried out, if it is due at now; NULL
 * otherwise.  plancache_pop() marks it carried out. */
const struct plan_item *plancache_due(const struct plancache *pc,
		    int64_t now);
void		 plancache_pop(struct plancache *pc);
/* The items not yet carried out, in send order (*n of them). */
const struct plan_item *plancache_items(const struct plancache *pc,
		    size_t *n);
/* The first message the plan sends after the cache's end, as the plan
 * saw it (for saying what comes next), or NULL. */
const struct plan_item *plancache_after(const struct plancache *pc);
/* Where the cache ends: a full plan is due at this moment. */
int64_t		 plancache_until(const struct plancache *pc);

#endif
