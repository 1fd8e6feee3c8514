/*
 * test_plan_views.c - the plan, the preview and the render agree (issue
 * 12): over 1,000 random books (fixed seeds), for every future day D of
 * the plan computed from now, `preview --from D --days 1` lists exactly
 * the plan's items of D with the same due moments, and `render CLIENT
 * OCCASION --date D` finds the plan's occurrence of D.  Both through the
 * functions the commands call (cmd_preview_plan, cmd_render_find).
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
#include "cmd.h"
#include "history.h"
#include "holidays.h"
#include "planner.h"
#include "randbook.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

#define NBOOKS		1000
#define NCLIENTS	4
#define HORIZON		75	/* days planned */

static int
setup(void **state)
{
	randbook_setup(state);
	S.window.start = 9 * 60;
	S.window.end = 17 * 60;
	S.weekdays = WEEKDAYS_MON_FRI;
	assert_int_equal(holidays_parse_region("DE", &S.holidays, NULL), 0);
	S.min_gap = dur("10d");
	S.catch_up = dur("3d");
	return 0;
}

/* A random book around now: dates within a few weeks of it. */
static void
random_book(int64_t now_day)
{
	struct civil_date d;

	S.daily_limit = 1 + (int)rnd(3);
	timeutil_civil_from_days(now_day + rnd(60), &occs[O_ADVENT].date);
	occs[O_ADVENT].date.year = 0;
	timeutil_civil_from_days(now_day + rnd(60), &occs[O_LAUNCH].date);
	occs[O_CHECKIN].every = dur(rnd(2) ? "3w" : "5w");
	occs[O_CHECKIN].jitter = dur(rnd(2) ? "0d" : "4d");
	occs[O_FOLLOWUP].has_max_delay = rnd(3) == 0;
	occs[O_FOLLOWUP].max_delay = dur("40d");
	B.nclients = NCLIENTS;
	for (size_t i = 0; i < NCLIENTS; i++) {
		struct client *c = &cl[i];

		memset(c, 0, sizeof(*c));
		snprintf(ids[i], sizeof(ids[i]), "c%zu", i);
		c->id = c->name = ids[i];
		c->email = (char *)"x@example.de";
		c->language = (char *)"de";
		c->timezone = (char *)"Europe/Berlin";
		c->tz = B.sender_tz;
		c->occasions = occlist[i];
		for (size_t k = 0; k < NOCC; k++)
			if (rnd(3) != 0)
				c->occasions[c->noccasions++] = k;
		c->has_birthday = true;
		timeutil_civil_from_days(now_day - 10 + rnd(70), &d);
		c->birthday = d;
		c->birthday.year = rnd(2) ? 1980 : 0;
		timeutil_civil_from_days(now_day - 40 + rnd(60), &d);
		proj[i].name = (char *)"P";
		proj[i].ended = d;
		c->projects = &proj[i];
		c->nprojects = 1;
		if (rnd(2)) {
			c->has_last_contact = true;
			timeutil_civil_from_days(now_day - rnd(40),
			    &c->last_contact);
		}
	}
}

/* Day D of the plan p: preview's window and render agree with it. */
static void
check_day(const struct history *h, const struct plan *p, int64_t now,
    int64_t day, size_t *checked)
{
	const struct tz *z = B.sender_tz;
	int64_t start = tz_local_to_utc(z, day, 0);
	int64_t end = tz_local_to_utc(z, day + 1, 0);
	struct plan w = { NULL, 0 }, r = { NULL, 0 };
	size_t first, k, n = 0;
	char *err = NULL;

	assert_int_equal(cmd_preview_plan(&S, &B, h, now, 0, start, 1, NULL, NULL,
	    &w, &first, &err), 0);
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];
		struct plan_item *ri;

		if (it->due < start || it->due >= end)
			continue;
		k = first + n++;
		if (k >= w.n || !same_item(it, &w.items[k], true))
			fail_msg("preview --from day %lld: item %zu %s/%s "
			    "differs", (long long)day, n, it->client->id,
			    it->occurrence);
		ri = cmd_render_find(&S, &B, h, it->client, it->occasion, now,
		    0, start, end, &r, &err);
		assert_null(err);
		if (ri == NULL || (it->action == PLAN_SEND &&
		    !same_item(it, ri, true)))
			fail_msg("render --date day %lld: %s %s not found",
			    (long long)day, it->client->id, it->occurrence);
		(*checked)++;
	}
	if (w.n - first != n)
		fail_msg("preview --from day %lld: %zu items, the plan has %zu "
		    "(first extra: %s %s %d %s)", (long long)day, w.n - first, n,
		    w.items[first + (n < w.n - first ? n : 0)].client->id,
		    w.items[first + (n < w.n - first ? n : 0)].occurrence,
		    w.items[first + (n < w.n - first ? n : 0)].action,
		    w.items[first + (n < w.n - first ? n : 0)].note);
	plan_free(&w);
	plan_free(&r);
}

static void
test_views_agree(void **state)
{
	size_t checked = 0;

	(void)state;
	for (int book = 0; book < NBOOKS; book++) {
		int64_t now_day = timeutil_days_from_civil(2027, 1, 1) +
		    book % 365, now;
		struct planner_opts o;
		struct history *h = history_new();
		struct plan p = { NULL, 0 };
		char *err = NULL;

		rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)book;
		random_book(now_day);
		now = tz_local_to_utc(B.sender_tz, now_day, 7 * 3600 +
		    (int)rnd(12) * 3600);
		for (size_t i = 0; i < NCLIENTS; i++)
			history_set_first_seen(h, cl[i].id, now -
			    (int64_t)rnd(90) * DAY_SECONDS);
		memset(&o, 0, sizeof(o));
		o.from = now;
		o.until = now + (HORIZON + CMD_PLAN_MARGIN) * (int64_t)DAY_SECONDS;
		assert_int_equal(planner_plan(&S, &B, h, &o, &p, &err), 0);
		for (int64_t d = now_day + 1; d < now_day + HORIZON - 1; d++)
			check_day(h, &p, now, d, &checked);
		plan_free(&p);
		history_free(h);
	}
	/* The books are not empty. */
	assert_true(checked > 5 * NBOOKS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_views_agree, setup,
		    randbook_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
