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
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

#define NBOOKS		120
#define MAXCLIENTS	40
#define MOMENTS		12
#define FULL		(400 * (int64_t)DAY_SECONDS)	/* the pass's before */

enum { O_BIRTHDAY, O_ADVENT, O_FOLLOWUP, O_CHECKIN, O_LAUNCH, NOCC };

static const char *const zones[] = {
	"Europe/Berlin", "America/New_York", "Pacific/Auckland",
	"Asia/Kolkata", "UTC", "Australia/Lord_Howe"
};
static const char *const regions[] = { "none", "DE", "DE-BY", "DE-SN" };
static const char *const gaps[] = { "0d", "3d", "10d", "21d", "1M" };

static struct tzdb *db;
static struct settings S;
static struct book B;
static struct occasion occs[NOCC];
static struct client cl[MAXCLIENTS];
static struct project proj[MAXCLIENTS];
static size_t occlist[MAXCLIENTS][NOCC];
static struct duration offs[2];
static char *offtexts[2] = { "14d", "2M" };
static char ids[MAXCLIENTS][8];
static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng >> 33) % n;
}

static struct duration
dur(const char *s)
{
	struct duration d;

	assert_int_equal(timeutil_parse_duration(s, &d, NULL), 0);
	return d;
}

static int
setup(void **state)
{
	(void)state;
	db = tzdb_new();
	S.timezone = (char *)"Europe/Berlin";
	S.language = (char *)"de";
	offs[0] = dur("14d");
	offs[1] = dur("2M");
	occs[O_BIRTHDAY] = (struct occasion){ .name = (char *)"birthday",
	    .kind = OCC_BIRTHDAY, .template = (char *)"b", .priority = 100 };
	occs[O_ADVENT] = (struct occasion){ .name = (char *)"advent",
	    .kind = OCC_YEARLY, .template = (char *)"a", .priority = 80,
	    .has_date = true };
	occs[O_FOLLOWUP] = (struct occasion){ .name = (char *)"followup",
	    .kind = OCC_AFTER_PROJECT, .template = (char *)"f",
	    .priority = 60, .offsets = offs, .offset_texts = offtexts,
	    .noffsets = 2 };
	occs[O_CHECKIN] = (struct occasion){ .name = (char *)"checkin",
	    .kind = OCC_CASUAL, .template = (char *)"c", .priority = 20 };
	occs[O_LAUNCH] = (struct occasion){ .name = (char *)"launch",
	    .kind = OCC_ONCE, .template = (char *)"l", .priority = 70,
	    .has_date = true };
	B.occasions = occs;
	B.noccasions = NOCC;
	B.clients = cl;
	B.tzdb = db;
	B.sender_tz = tzdb_get(db, "Europe/Berlin", NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tzdb_free(db);
	return 0;
}

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
random_client(size_t i, int64_t now_day)
{
	struct client *c = &cl[i];
	struct civil_date d;

	memset(c, 0, sizeof(*c));
	snprintf(ids[i], sizeof(ids[i]), "c%zu", i);
	c->id = c->name = ids[i];
	c->email = (char *)"x@example.de";
	c->language = (char *)"de";
	c->timezone = (char *)zones[rnd(6)];
	c->tz = tzdb_get(db, c->timezone, NULL);
	assert_non_null(c->tz);
	c->occasions = occlist[i];
	for (size_t k = 0; k < NOCC; k++)
		if (rnd(3) != 0)
			c->occasions[c->noccasions++] = k;
	c->has_birthday = true;
	timeutil_civil_from_days(now_day - 10 + rnd(365), &d);
	c->birthday = d;
	c->birthday.year = rnd(2) ? 1980 : 0;
	timeutil_civil_from_days(now_day - 40 + rnd(300), &d);
	proj[i].name = (char *)"P";
	proj[i].ended = d;
	c->projects = &proj[i];
	c->nprojects = 1;
	if (rnd(2)) {
		c->has_last_contact = true;
		timeutil_civil_from_days(now_day - rnd(40), &c->last_contact);
	}
	if (rnd(8) == 0) {
		c->has_paused_until = true;
		timeutil_civil_from_days(now_day + rnd(120),
		    &c->paused_until);
	}
}

/* A random book around now, with a send log of the weeks before. */
static void
random_book(int64_t now_day, int64_t now, struct history *h)
{
	struct civil_date d;

	random_settings();
	timeutil_civil_from_days(now_day + rnd(365), &occs[O_ADVENT].date);
	occs[O_ADVENT].date.year = 0;
	timeutil_civil_from_days(now_day + rnd(200), &occs[O_LAUNCH].date);
	occs[O_CHECKIN].every = dur(rnd(2) ? "3w" : "5w");
	occs[O_CHECKIN].jitter = dur(rnd(2) ? "0d" : "4d");
	occs[O_FOLLOWUP].has_max_delay = rnd(3) == 0;
	occs[O_FOLLOWUP].max_delay = dur("40d");
	B.nclients = 2 + rnd(MAXCLIENTS - 1);
	for (size_t i = 0; i < B.nclients; i++) {
		random_client(i, now_day);
		history_set_first_seen(h, cl[i].id, now -
		    (int64_t)rnd(90) * DAY_SECONDS);
		if (rnd(3) == 0)
			history_add_touch(h, cl[i].id, now -
			    (int64_t)rnd(30 * 24) * 3600);
		if (rnd(2) == 0) {
			struct history_record r = { 0 };
			char key[32];

			timeutil_civil_from_days(now_day - 1 - rnd(20), &d);
			snprintf(key, sizeof(key), "checkin/old%zu", i);
			r.occurrence = key;
			r.occasion = (char *)"checkin";
			r.status = ST_SENT;
			r.due = tz_local_to_utc(cl[i].tz, timeutil_days_from_civil(
			    d.year, d.month, d.day), 10 * 3600);
			r.sent = r.due;
			history_add_record(h, cl[i].id, &r);
		}
	}
}

static bool
str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Everything a pass acts on, records or shows. */
static bool
same_item(const struct plan_item *a, const struct plan_item *b)
{
	return a->client == b->client && a->occasion == b->occasion &&
	    a->action == b->action && a->due == b->due &&
	    a->utc_offset == b->utc_offset && a->nominal == b->nominal &&
	    a->late == b->late && a->years == b->years && a->age == b->age &&
	    a->has_years == b->has_years && a->say == b->say &&
	    a->approve_by == b->approve_by &&
	    str_same(a->project, b->project) &&
	    str_same(a->occurrence, b->occurrence) &&
	    str_same(a->template, b->template) && str_same(a->note, b->note);
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
		if (k >= near.n || !same_item(it, &near.items[k])) {
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
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
