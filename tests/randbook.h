/*
 * randbook.h - random books for the planner's property tests
 * (test_plannear, test_plancache, test_plan_views): the five kinds of
 * occasion, clients in zones from Auckland to New York with birthdays,
 * a project, check-ins and pauses, and a send log of the weeks before,
 * from a seeded generator so that a failure names its book.
 *
 * Header-only, like smtpd_helper.h: a test program includes it once and
 * uses its globals S (the settings), B (the book) and rng.
 */
#ifndef TOUCHBASE_RANDBOOK_H
#define TOUCHBASE_RANDBOOK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "book.h"
#include "history.h"
#include "holidays.h"
#include "planner.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

#define RB_MAXCLIENTS	40

enum { O_BIRTHDAY, O_ADVENT, O_FOLLOWUP, O_CHECKIN, O_LAUNCH, NOCC };

static const char *const zones[] = {
	"Europe/Berlin", "America/New_York", "Pacific/Auckland",
	"Asia/Kolkata", "UTC", "Australia/Lord_Howe"
};
static const char *const regions[] = { "none", "DE", "DE-BY", "DE-SN" };

static struct tzdb *db;
static struct settings S;
static struct book B;
static struct occasion occs[NOCC];
static struct client cl[RB_MAXCLIENTS];
static struct project proj[RB_MAXCLIENTS];
static size_t occlist[RB_MAXCLIENTS][NOCC];
static struct duration offs[2];
static char *offtexts[2] = { "14d", "2M" };
static char ids[RB_MAXCLIENTS][8];
static uint64_t rng;

static __attribute__((unused)) uint32_t
rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng >> 33) % n;
}

static __attribute__((unused)) struct duration
dur(const char *s)
{
	struct duration d;

	assert_int_equal(timeutil_parse_duration(s, &d, NULL), 0);
	return d;
}

/* The occasions and the book around the clients; S has the sender's zone
 * and language, the rest is each test's. */
static __attribute__((unused)) int
randbook_setup(void **state)
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

static __attribute__((unused)) int
randbook_teardown(void **state)
{
	(void)state;
	tzdb_free(db);
	return 0;
}

static __attribute__((unused)) void
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

/* A random book of nclients clients (0: 2 to RB_MAXCLIENTS) around now,
 * with a send log of the weeks before, into B and h; the settings are
 * the caller's. */
static __attribute__((unused)) void
randbook_fill(int64_t now_day, int64_t now, struct history *h,
    size_t nclients)
{
	struct civil_date d;

	timeutil_civil_from_days(now_day + rnd(365), &occs[O_ADVENT].date);
	occs[O_ADVENT].date.year = 0;
	timeutil_civil_from_days(now_day + rnd(200), &occs[O_LAUNCH].date);
	occs[O_CHECKIN].every = dur(rnd(2) ? "3w" : "5w");
	occs[O_CHECKIN].jitter = dur(rnd(2) ? "0d" : "4d");
	occs[O_FOLLOWUP].has_max_delay = rnd(3) == 0;
	occs[O_FOLLOWUP].max_delay = dur("40d");
	B.nclients = nclients > 0 ? nclients : 2 + rnd(RB_MAXCLIENTS - 1);
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

static __attribute__((unused)) bool
str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether two plan items say the same: everything a pass acts on,
 * records or shows; a message's note (why it moved) only with
 * send_notes, as it tells the moment of planning ("moved from Sun
 * 2027-02-14: weekday rule" before that Sunday, "overdue since
 * 2027-02-14" after it) and is not recorded for a message sent. */
static __attribute__((unused)) bool
same_item(const struct plan_item *a, const struct plan_item *b,
    bool send_notes)
{
	return a->client == b->client && a->occasion == b->occasion &&
	    a->action == b->action && a->due == b->due &&
	    a->utc_offset == b->utc_offset && a->nominal == b->nominal &&
	    a->late == b->late && a->years == b->years && a->age == b->age &&
	    a->has_years == b->has_years && a->say == b->say &&
	    a->approve_by == b->approve_by &&
	    str_same(a->project, b->project) &&
	    str_same(a->occurrence, b->occurrence) &&
	    str_same(a->template, b->template) &&
	    ((a->action == PLAN_SEND && !send_notes) ||
	    str_same(a->note, b->note));
}

#endif
