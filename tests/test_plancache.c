/*
 * test_plancache.c - the daemon's incremental path agrees with a full
 * re-plan (issue 17, P4).
 *
 * On random books (clients in several zones, birthdays, yearly and once
 * dates, project follow-ups, check-ins, holidays by region, daily limits,
 * pauses, a send log of earlier messages and touches): plan in full at
 * t0, keep the near part (plancache_fill), carry out what comes due up to
 * t1 as the daemon does (sent at due, skipped and missed recorded) and
 * compare the cache's remainder with a fresh full plan at t1, item for
 * item, for many t1 over a year.  Then the same with failures injected
 * (failed, deferred, an opt-out at send time): there the daemon drops the
 * cache and plans in full, and the stale cache is shown to differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "book.h"
#include "history.h"
#include "holidays.h"
#include "plancache.h"
#include "planner.h"
#include "randbook.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

#define NBOOKS		24
#define NCLIENTS	6
#define HORIZON		(400 * (int64_t)DAY_SECONDS)	/* the pass's */
#define YEAR		365

static void
random_settings(void)
{
	S.window.start = (7 + (int)rnd(4)) * 60;
	S.window.end = S.window.start + (2 + (int)rnd(8)) * 60;
	S.weekdays = rnd(3) ? WEEKDAYS_MON_FRI : 0x7f;
	assert_int_equal(holidays_parse_region(regions[rnd(4)], &S.holidays,
	    NULL), 0);
	S.min_gap = dur(rnd(2) ? "10d" : "3d");
	S.catch_up = dur(rnd(2) ? "3d" : "1d");
	S.daily_limit = rnd(4) == 0 ? 20 : 1 + (int)rnd(3);
}

static void
random_book(int64_t now_day, int64_t now, struct history *h)
{
	random_settings();
	randbook_fill(now_day, now, h, NCLIENTS);
}

static void
plan_at(const struct history *h, int64_t now, int64_t carried,
    struct plan *p)
{
	struct planner_opts o;
	char *err = NULL;

	memset(&o, 0, sizeof(o));
	o.from = now;
	o.until = now + HORIZON;
	o.carried_until = carried;
	assert_int_equal(planner_plan(&S, &B, h, &o, p, &err), 0);
	assert_null(err);
}

/* Whether the cache's remainder is the fresh plan's part before its end
 * (nothing the fresh plan holds is due at or before now). */
static bool
cache_agrees(const struct plancache *pc, const struct plan *fresh,
    int64_t now, bool report)
{
	int64_t until = plancache_until(pc);
	const struct plan_item *ci;
	size_t n, k = 0;

	ci = plancache_items(pc, &n);
	for (size_t i = 0; i < fresh->n; i++) {
		const struct plan_item *it = &fresh->items[i];

		if (it->say == PLAN_SAY_AWAITING || it->due >= until)
			continue;
		if (k >= n || it->due <= now || !same_item(it, &ci[k], false)) {
			if (report)
				print_error("at %lld: fresh %s %s due %lld "
				    "action %d note '%s'; cached %s\n",
				    (long long)now, it->client->id,
				    it->occurrence, (long long)it->due,
				    it->action, it->note, k < n ?
				    ci[k].occurrence : "(none)");
			if (report && k < n)
				print_error("cached due %lld note '%s'\n",
				    (long long)ci[k].due, ci[k].note);
			return false;
		}
		k++;
	}
	if (k != n && report)
		print_error("at %lld: the cache has %zu more items (%s %s due "
		    "%lld)\n", (long long)now, n - k, ci[k].client->id,
		    ci[k].occurrence, (long long)ci[k].due);
	return k == n;
}

/* The outcome of one carried-out item as the daemon records it; fault:
 * a send fails, is deferred, or its client objects at send time. */
static void
carry_one(struct history *h, const struct plan_item *it, int fault)
{
	struct history_record r = { 0 };

	r.occurrence = it->occurrence;
	r.occasion = it->occasion->name;
	r.due = it->due;
	r.sent = HISTORY_NONE;
	r.status = it->action == PLAN_SKIP ? ST_SKIPPED : ST_MISSED;
	if (it->action == PLAN_SEND) {
		r.status = fault == 1 ? ST_FAILED : fault == 2 ? ST_DEFERRED :
		    fault == 3 ? ST_SKIPPED : ST_SENT;
		r.sent = r.status == ST_SENT ? it->due : HISTORY_NONE;
		if (fault == 3)
			history_set_optout(h, it->client->id, it->due);
	}
	history_add_record(h, it->client->id, &r);
}

struct counts {
	size_t	 compared, carried, faults, stale;
};

/* One book over a year: wake-ups at random moments; a full plan when the
 * cache ran out or (faults) an outcome differed from the plan. */
static void
run_book(int book, bool faults, struct counts *n)
{
	int64_t day0 = timeutil_days_from_civil(2027, 1, 1) + book * 29 % 365;
	int64_t now = tz_local_to_utc(B.sender_tz, day0, 8 * 3600);
	int64_t end = now + YEAR * (int64_t)DAY_SECONDS, carried = 0;
	struct history *h = history_new();
	struct plancache *pc = plancache_new();
	struct plancache_stamp stamp = { 0, 0 };
	struct plan p = { NULL, 0 };

	rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)book ^ (faults ? 0x55 : 0);
	random_book(day0, now, h);
	while (now < end) {
		const struct plan_item *it;
		bool dropped = false;

		if (!plancache_usable(pc, now, &B, &stamp)) {
			plan_at(h, now, carried, &p);
			/* The full pass carries out what is due. */
			for (size_t i = 0; i < p.n; i++)
				if (p.items[i].due <= now &&
				    p.items[i].say != PLAN_SAY_AWAITING)
					carry_one(h, &p.items[i], 0);
			(void)plancache_fill(pc, &S, &p, now,
			    now + PLANCACHE_SPAN, &B, &stamp);
			plan_free(&p);
		}
		carried = now;
		/* The next wake-up: an item's due (the daemon's), or a
		 * random moment before the cache's end. */
		it = plancache_due(pc, INT64_MAX);
		if (it != NULL && rnd(2))
			now = it->due;
		else
			now += 60 + (int64_t)rnd(6 * 3600);
		if (!plancache_usable(pc, now, &B, &stamp))
			continue;
		while ((it = plancache_due(pc, now)) != NULL) {
			int fault = faults && it->action == PLAN_SEND &&
			    rnd(4) == 0 ? 1 + (int)rnd(3) : 0;

			carry_one(h, it, fault);
			plancache_pop(pc);
			n->carried++;
			if (fault != 0) {
				n->faults++;
				dropped = true;
			}
		}
		/* What a full pass at now would plan: the plan was carried
		 * out up to the last pass. */
		plan_at(h, now, carried, &p);
		carried = now;
		if (!dropped) {
			if (!cache_agrees(pc, &p, now, true))
				fail_msg("book %d: the cache differs from a "
				    "full plan at %lld", book, (long long)now);
			n->compared++;
		} else {
			/* The daemon re-plans: the stale cache may differ. */
			if (!cache_agrees(pc, &p, now, false))
				n->stale++;
			plancache_drop(pc);
		}
		plan_free(&p);
		/* The pass after this wake-up keeps using the cache (or
		 * plans in full at the loop's top); now stays. */
		now++;
	}
	plancache_free(pc);
	history_free(h);
}

static void
test_cache_agrees(void **state)
{
	struct counts n = { 0 };

	(void)state;
	for (int book = 0; book < NBOOKS; book++)
		run_book(book, false, &n);
	print_message("%zu wake-ups compared, %zu items carried out\n", n.compared, n.carried);
	/* Not empty: many wake-ups carried something out. */
	assert_true(n.compared > 100 * NBOOKS);
	assert_true(n.carried > 20 * NBOOKS);
}

static void
test_cache_faults(void **state)
{
	struct counts n = { 0 };

	(void)state;
	for (int book = 0; book < NBOOKS; book++)
		run_book(book, true, &n);
	print_message("%zu faults, %zu stale caches\n", n.faults, n.stale);
	assert_true(n.faults > 0);
	/* An outcome other than the plan's does change the rest of the
	 * plan: without the re-plan the daemon would go wrong. */
	assert_true(n.stale > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cache_agrees, randbook_setup,
		    randbook_teardown),
		cmocka_unit_test_setup_teardown(test_cache_faults, randbook_setup,
		    randbook_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
