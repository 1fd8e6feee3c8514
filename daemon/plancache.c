/*
 * plancache.c - the near part of a plan, kept between wake-ups.
 */
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "plancache.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

struct plancache {
	struct plan_item *items;
	size_t		  n, next;	/* items[next..n) remain */
	bool		  full;		/* filled and not dropped */
	int64_t		  until;
	int64_t		  last;		/* the latest moment it was used at */
	const void	 *owner;
	struct plancache_stamp stamp;
	struct plan_item  after;	/* the first message after until */
	bool		  has_after;
};

struct plancache *
plancache_new(void)
{
	return xcalloc(1, sizeof(struct plancache));
}

void
plancache_drop(struct plancache *pc)
{
	for (size_t i = 0; i < pc->n; i++) {
		free(pc->items[i].occurrence);
		free(pc->items[i].template);
		free(pc->items[i].note);
	}
	free(pc->items);
	pc->items = NULL;
	pc->n = pc->next = 0;
	pc->full = false;
	if (pc->has_after) {
		free(pc->after.occurrence);
		free(pc->after.template);
		free(pc->after.note);
		pc->has_after = false;
	}
}

void
plancache_free(struct plancache *pc)
{
	if (pc == NULL)
		return;
	plancache_drop(pc);
	free(pc);
}

static void
plancache_copy(struct plan_item *to, const struct plan_item *it)
{
	*to = *it;
	to->occurrence = xstrdup(it->occurrence);
	to->template = it->template != NULL ? xstrdup(it->template) : NULL;
	to->note = it->note != NULL ? xstrdup(it->note) : NULL;
}

/* When the send window of client c's local day of t closes (the
 * planner's "closed" day: a message of a closed day is late). */
static int64_t
plancache_wend(const struct settings *s, const struct client *c, int64_t t)
{
	const struct window *w = c->cal != NULL ? &c->cal->window :
	    &s->window;
	int64_t day;
	int sec;

	tz_utc_to_local(c->tz, t, &day, &sec);
	if (w->end >= 1440)
		return tz_local_to_utc(c->tz, day + 1, 0);
	return tz_local_to_utc(c->tz, day, w->end * 60);
}

/* The first moment after now at which a late message of a day from the
 * local day of it's unmoved moment to that of its due stops being in
 * time: catch_up after its day's window start (the planner measures the
 * lateness from the day a message was moved to, which this plan does not
 * tell). */
static int64_t
plancache_in_time_end(const struct settings *s, const struct plan_item *it,
    int64_t now)
{
	const struct client *c = it->client;
	const struct window *w = c->cal != NULL ? &c->cal->window :
	    &s->window;
	int64_t cu = timeutil_duration_seconds(&s->catch_up);
	int64_t d0, d1, d;
	int sec;

	tz_utc_to_local(c->tz, it->nominal, &d0, &sec);
	tz_utc_to_local(c->tz, it->due, &d1, &sec);
	tz_utc_to_local(c->tz, now - cu, &d, &sec);
	if (d < d0)
		d = d0;
	for (; d <= d1 + 1; d++) {
		int64_t t = tz_local_to_utc(c->tz, d, w->start * 60) + cu;

		if (t > now)
			return t;
	}
	return INT64_MAX;
}

/* Whether it goes on a later local day than its unmoved moment's. */
static bool
plancache_moved_day(const struct plan_item *it)
{
	int64_t d0, d1;
	int sec;

	tz_utc_to_local(it->client->tz, it->nominal, &d0, &sec);
	tz_utc_to_local(it->client->tz, it->due, &d1, &sec);
	return d1 > d0;
}

/* Where the cache must end for the item it of a plan made at now: where
 * a plan made later could decide it otherwise.  A message moved to a
 * later day (weekday, holiday, min_gap, the daily limit) becomes late
 * when its own day's window closes, and a late one is placed by the
 * catch-up rules of the plan made then; one late already is placed from
 * the catch-up day (today while the client's window is open, else
 * tomorrow), and stops being in time catch_up after its moment. */
static int64_t
plancache_item_end(const struct settings *s, const struct plan_item *it,
    int64_t now, int64_t until)
{
	int64_t wend;

	if (it->due <= now || it->nominal == HISTORY_NONE)
		return until;
	wend = plancache_wend(s, it->client, it->nominal);
	if (wend > now && plancache_moved_day(it) && wend < until)
		until = wend;
	if (wend <= now || it->late) {
		int64_t in_time = plancache_in_time_end(s, it, now);
		/* The catch-up day: today while the window is open, else
		 * tomorrow; it changes when today's window closes. */
		int64_t close = plancache_wend(s, it->client, now);

		if (close <= now)
			close = plancache_wend(s, it->client,
			    now + DAY_SECONDS);
		if (in_time < until)
			until = in_time;
		if (close > now && close < until)
			until = close;
	}
	return until;
}

/* Where the cache must end for plan: until, or earlier where a plan made
 * later could decide an item otherwise (plancache_item_end), or when a
 * message awaiting approval comes due (its wait is recorded then) or
 * runs out. */
static int64_t
plancache_end(const struct settings *s, const struct plan *plan,
    int64_t now, int64_t until)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];

		until = plancache_item_end(s, it, now, until);
		if (it->say != PLAN_SAY_AWAITING || it->action != PLAN_SEND)
			continue;
		if (it->due > now && it->due < until)
			until = it->due;
		if (it->approve_by < until)
			until = it->approve_by;
	}
	return until > now ? until : now + 1;
}

/* Whether the plan sends something at or before now: a message caught
 * up at now is placed after the daily limit was shared out, so this plan
 * does not count it where the send log will count it once sent. */
static bool
plancache_sends_now(const struct plan *plan, int64_t now)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].due <= now &&
		    plan->items[i].action == PLAN_SEND &&
		    plan->items[i].say != PLAN_SAY_AWAITING)
			return true;
	return false;
}

bool
plancache_fill(struct plancache *pc, const struct settings *s,
    const struct plan *plan, int64_t now, int64_t until, const void *owner,
    const struct plancache_stamp *st)
{
	size_t k = 0;

	plancache_drop(pc);
	if (plancache_sends_now(plan, now))
		return false;
	until = plancache_end(s, plan, now, until);
	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].due > now && plan->items[i].due < until)
			k++;
	pc->items = xcalloc(k > 0 ? k : 1, sizeof(*pc->items));
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];

		if (it->due <= now || it->due >= until)
			continue;
		if (it->say == PLAN_SAY_AWAITING && it->action == PLAN_SEND)
			continue;
		plancache_copy(&pc->items[pc->n++], it);
	}
	for (size_t i = 0; i < plan->n && !pc->has_after; i++) {
		const struct plan_item *it = &plan->items[i];

		if (it->due >= until && it->action == PLAN_SEND &&
		    it->say != PLAN_SAY_AWAITING) {
			plancache_copy(&pc->after, it);
			pc->has_after = true;
		}
	}
	pc->full = true;
	pc->until = until;
	pc->last = now;
	pc->owner = owner;
	pc->stamp = *st;
	return true;
}

bool
plancache_usable(struct plancache *pc, int64_t now, const void *owner,
    const struct plancache_stamp *st)
{
	if (!pc->full || pc->owner != owner ||
	    pc->stamp.data_version != st->data_version ||
	    pc->stamp.changes != st->changes ||
	    now < pc->last || now >= pc->until)
		return false;
	if (pc->next < pc->n && pc->items[pc->next].due < now - PLANCACHE_LATE)
		return false;
	pc->last = now;
	return true;
}

void
plancache_restamp(struct plancache *pc, const struct plancache_stamp *st)
{
	pc->stamp = *st;
}

const struct plan_item *
plancache_due(const struct plancache *pc, int64_t now)
{
	if (!pc->full || pc->next >= pc->n || pc->items[pc->next].due > now)
		return NULL;
	return &pc->items[pc->next];
}

void
plancache_pop(struct plancache *pc)
{
	if (pc->next < pc->n)
		pc->next++;
}

const struct plan_item *
plancache_items(const struct plancache *pc, size_t *n)
{
	*n = pc->full ? pc->n - pc->next : 0;
	return pc->full ? pc->items + pc->next : NULL;
}

const struct plan_item *
plancache_after(const struct plancache *pc)
{
	return pc->full && pc->has_after ? &pc->after : NULL;
}

int64_t
plancache_until(const struct plancache *pc)
{
	return pc->full ? pc->until : HISTORY_NONE;
}
