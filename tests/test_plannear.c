/*
 * test_plannear.c - the daemon's near plan is the full plan's beginning
 * (issue 17, P4).
 *
 * A pass needs the next days, not the year: planner_plan_near() plans to
 * a little beyond its end and cuts there.  On random books (clients in
 * several zones, birthdays, yearly and once dates, project follow-ups,
 * check-ins, holidays by region, daily limits down to one a day, gaps up
 * to a month, pauses, approval, a send log of earlier messages and
 * touches, the owner's approvals, holds and messages waiting for
 * approval) and at random moments over a year, the near plan for the next
 * hour, day, week or month must be, item for item and note for note, the
 * part of the pass's 400-day plan due before that end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "book.h"
#include "history.h"
#include "holidays.h"
#include "owner.h"
#include "planner.h"
#include "randbook.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

#define NBOOKS		120
#define MOMENTS		12
#define FULL		(400 * (int64_t)DAY_SECONDS)	/* the pass's before */

static const char *const gaps[] = { "0d", "3d", "10d", "21d", "1M" };

static void
random_settings(void)
{
	S.window.start = (7 + (int)rnd(4)) * 60;
	S.window.end = S.window.start + (2 + (int)rnd(8)) * 60;
	S.weekdays = rnd(3) ? WEEKDAYS_MON_FRI : 0x7f;
	assert_int_equal(holidays_parse_region(regions[rnd(4)], &S.holidays,
	    NULL), 0);
	S.min_gap = dur(gaps[rnd(5)]);
	S.catch_up = dur(rnd(2) ? "3d" : "1d");
	/* Tight limits push messages days and weeks on: the cascades a
	 * near plan must see the end of. */
	S.daily_limit = rnd(4) == 0 ? 1000 : 1 + (int)rnd(3);
	S.approval_required = rnd(4) == 0;
}

static void
random_book(int64_t now_day, int64_t now, struct history *h)
{
	random_settings();
	randbook_fill(now_day, now, h, 0);
}

static void
show(const char *what, const struct plan_item *it)
{
	print_error("  %s: %s %s %s due %lld nominal %lld note '%s'\n", what,
	    it->client->id, it->occurrence, it->action == PLAN_SEND ? "send" :
	    it->action == PLAN_SKIP ? "skip" : "missed", (long long)it->due,
	    (long long)it->nominal, it->note);
}

struct counts {
	size_t	 compared, items, moved, waiting;
};

/* The near plan to until against the full plan's items due before it,
 * in the same order. */
static void
compare(const struct history *h, int64_t from, int64_t until, int book,
    struct counts *n)
{
	struct planner_opts o;
	struct plan full, near;
	struct owner say;
	char *err = NULL;
	size_t k = 0;

	memset(&o, 0, sizeof(o));
	o.from = from;
	o.until = from + FULL;
	owner_init(&say);
	if (rnd(2)) {
		/* The owner's say over some planned messages: approved,
		 * held, or waiting for approval since they first came due
		 * (the daily limit may have moved them far since). */
		assert_int_equal(planner_plan(&S, &B, h, &o, &full, &err), 0);
		for (size_t i = 0; i < full.n; i++) {
			const struct plan_item *it = &full.items[i];
			struct owner_say *e;

			if (rnd(6) != 0)
				continue;
			e = owner_get(&say, it->client->id, it->occurrence);
			switch (rnd(3)) {
			case 0:
				e->approved = from - 60;
				break;
			case 1:
				e->held = from - 60;
				break;
			default:
				e->waiting = from - (int64_t)rnd(4 * 24) * 3600;
				n->waiting++;
			}
		}
		plan_free(&full);
		o.say = &say;
	}
	assert_int_equal(planner_plan(&S, &B, h, &o, &full, &err), 0);
	assert_int_equal(planner_plan_near(&S, &B, h, &o, until, &near, &err),
	    0);
	assert_null(err);
	for (size_t i = 0; i < full.n; i++) {
		const struct plan_item *it = &full.items[i];

		if (it->due >= until)
			continue;
		if (k >= near.n || !same_item(it, &near.items[k], true)) {
			print_error("book %d, from %lld, until %lld (limit %d, "
			    "gap %lld s): item %zu differs\n", book,
			    (long long)from, (long long)until, S.daily_limit,
			    (long long)timeutil_duration_seconds(&S.min_gap),
			    k);
			show("full", it);
			if (k < near.n)
				show("near", &near.items[k]);
			fail();
		}
		if (strstr(it->note, "daily limit") != NULL)
			n->moved++;
		k++;
	}
	if (k != near.n) {
		print_error("book %d: the near plan has %zu more items\n",
		    book, near.n - k);
		show("near", &near.items[k]);
		fail();
	}
	n->items += k;
	n->compared++;
	plan_free(&full);
	plan_free(&near);
	owner_free(&say);
}

static void
test_near_is_full_beginning(void **state)
{
	static const int64_t spans[] = { 3600, DAY_SECONDS,
	    8 * DAY_SECONDS, 30 * DAY_SECONDS };
	struct counts n = { 0 };

	(void)state;
	for (int book = 0; book < NBOOKS; book++) {
		int64_t day0 = timeutil_days_from_civil(2027, 1, 1) +
		    book * 29 % 365;
		int64_t now = tz_local_to_utc(B.sender_tz, day0, 8 * 3600);
		struct history *h = history_new();

		rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)book;
		random_book(day0, now, h);
		for (int m = 0; m < MOMENTS; m++) {
			int64_t from = now + (int64_t)rnd(300 * 24) * 3600 +
			    rnd(3600);

			compare(h, from, from + spans[rnd(4)], book, &n);
		}
		history_free(h);
	}
	print_message("%zu plans compared, %zu items, %zu moved by the "
	    "daily limit, %zu waiting for approval\n", n.compared, n.items,
	    n.moved, n.waiting);
	/* Not vacuous: the books plan plenty, and the limit moves some. */
	assert_true(n.items > 10 * n.compared);
	assert_true(n.moved > 100);
	assert_true(n.waiting > 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_near_is_full_beginning,
		    randbook_setup, randbook_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
