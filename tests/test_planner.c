/*
 * test_planner.c - who gets what, when: each test names the dates it
 * checks, with the exact local due and note a user would see.
 *
 * Settings and books are built by hand: a Berlin sender, window
 * 09:00-17:00, Mon-Fri, holidays DE, min_gap 21d, daily_limit 20,
 * catch_up 3d, unless a test changes them.
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
#include "owner.h"
#include "holidays.h"
#include "planner.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

enum { O_BIRTHDAY, O_FOLLOWUP, O_CHECKIN, O_ADVENT, O_JUBILEE, O_LAUNCH,
    O_BIRTHDAY_MAR1, O_FOLLOWUP1, NOCC };

static struct tzdb *db;
static struct settings S;
static struct book B;
static struct occasion occs[NOCC];
static struct client cl[8];
static struct project proj[8];
static struct duration followup_offsets[3];
static char *followup_texts[3] = { "14d", "3M", "1y" };
static struct duration followup1_offsets[1];
static char *followup1_texts[1] = { "14d" };
static size_t occlist[8][NOCC];
static struct history *H;
static struct plan P;
static int64_t Carried;	/* planner_opts.carried_until */

static struct duration
dur(const char *s)
{
	struct duration d;

	assert_int_equal(timeutil_parse_duration(s, &d, NULL), 0);
	return d;
}

static struct civil_date
date(const char *s)
{
	struct civil_date d;

	assert_int_equal(timeutil_parse_birthday(s, &d, NULL), 0);
	return d;
}

/* The instant of local "YYYY-MM-DD HH:MM" in zone. */
static int64_t
at(const char *zone, const char *when)
{
	int64_t days;
	int sec;

	assert_int_equal(timeutil_parse_datetime(when, &days, &sec, NULL), 0);
	return tz_local_to_utc(tzdb_get(db, zone, NULL), days, sec);
}

static int
setup(void **state)
{
	(void)state;
	memset(&S, 0, sizeof(S));
	memset(&B, 0, sizeof(B));
	memset(occs, 0, sizeof(occs));
	memset(cl, 0, sizeof(cl));
	memset(proj, 0, sizeof(proj));
	memset(&P, 0, sizeof(P));
	db = tzdb_new();
	S.timezone = (char *)"Europe/Berlin";
	S.language = (char *)"de";
	S.window.start = 9 * 60;
	S.window.end = 17 * 60;
	S.weekdays = WEEKDAYS_MON_FRI;
	assert_int_equal(holidays_parse_region("DE", &S.holidays, NULL), 0);
	S.min_gap = dur("21d");
	S.daily_limit = 20;
	S.catch_up = dur("3d");

	occs[O_BIRTHDAY] = (struct occasion){ .name = (char *)"birthday",
	    .kind = OCC_BIRTHDAY, .template = (char *)"birthday",
	    .priority = 100 };
	followup_offsets[0] = dur("14d");
	followup_offsets[1] = dur("3M");
	followup_offsets[2] = dur("1y");
	occs[O_FOLLOWUP] = (struct occasion){ .name = (char *)"followup",
	    .kind = OCC_AFTER_PROJECT, .template = (char *)"project-checkin",
	    .priority = 60, .offsets = followup_offsets,
	    .offset_texts = followup_texts, .noffsets = 3 };
	occs[O_CHECKIN] = (struct occasion){ .name = (char *)"checkin",
	    .kind = OCC_CASUAL, .template = (char *)"how-are-you",
	    .priority = 20, .every = dur("10w"), .jitter = dur("0d") };
	occs[O_ADVENT] = (struct occasion){ .name = (char *)"advent",
	    .kind = OCC_YEARLY, .template = (char *)"season", .priority = 80,
	    .date = { 0, 12, 18 }, .has_date = true };
	occs[O_JUBILEE] = (struct occasion){ .name = (char *)"jubilee",
	    .kind = OCC_YEARLY, .template = (char *)"jubilee", .priority = 80,
	    .field = (char *)"client_since" };
	occs[O_LAUNCH] = (struct occasion){ .name = (char *)"launch",
	    .kind = OCC_ONCE, .template = (char *)"launch", .priority = 70,
	    .date = { 2027, 7, 1 }, .has_date = true };
	occs[O_BIRTHDAY_MAR1] = occs[O_BIRTHDAY];
	occs[O_BIRTHDAY_MAR1].name = (char *)"bday";
	occs[O_BIRTHDAY_MAR1].feb29_mar1 = true;
	followup1_offsets[0] = dur("14d");
	occs[O_FOLLOWUP1] = occs[O_FOLLOWUP];
	occs[O_FOLLOWUP1].offsets = followup1_offsets;
	occs[O_FOLLOWUP1].offset_texts = followup1_texts;
	occs[O_FOLLOWUP1].noffsets = 1;
	B.occasions = occs;
	B.noccasions = NOCC;
	B.clients = cl;
	B.tzdb = db;
	B.sender_tz = tzdb_get(db, "Europe/Berlin", NULL);
	assert_non_null(B.sender_tz);
	H = history_new();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	plan_free(&P);
	Carried = 0;
	history_free(H);
	tzdb_free(db);
	return 0;
}

/* Adds client i (ids must be added in sorted order) with the given
 * occasions (terminated by -1). */
static struct client *
client(const char *id, const char *zone, ...)
{
	struct client *c = &cl[B.nclients];
	va_list ap;
	int o;

	memset(c, 0, sizeof(*c));
	c->id = (char *)id;
	c->name = (char *)id;
	c->email = (char *)"x@example.de";
	c->language = (char *)"de";
	c->timezone = (char *)zone;
	c->tz = tzdb_get(db, zone, NULL);
	assert_non_null(c->tz);
	c->occasions = occlist[B.nclients];
	va_start(ap, zone);
	while ((o = va_arg(ap, int)) != -1)
		c->occasions[c->noccasions++] = (size_t)o;
	va_end(ap);
	B.nclients++;
	return c;
}

static void
project(struct client *c, const char *name, const char *ended)
{
	struct project *p = &proj[c - cl];

	p->name = (char *)name;
	p->ended = date(ended);
	c->projects = p;
	c->nprojects = 1;
}

static void
plan(const char *from, const char *until, const char *only)
{
	struct planner_opts o = { at("Europe/Berlin", from),
	    at("Europe/Berlin", until), only, Carried, NULL };
	char *err = NULL;

	plan_free(&P);
	assert_int_equal(planner_plan(&S, &B, H, &o, &P, &err), 0);
	assert_null(err);
}

static const struct plan_item *
item(const char *client_id, const char *key)
{
	for (size_t i = 0; i < P.n; i++)
		if (strcmp(P.items[i].client->id, client_id) == 0 &&
		    strcmp(P.items[i].occurrence, key) == 0)
			return &P.items[i];
	return NULL;
}

/* The item's due as local ISO 8601, e.g. "2027-02-28T09:00:00+01:00". */
static const char *
due(const struct plan_item *it)
{
	static char out[26];

	assert_non_null(it);
	timeutil_format_iso(it->due, it->utc_offset, out);
	return out;
}

/* Asserts client_id gets key sent at local when with note. */
static void
expect_send(const char *client_id, const char *key, const char *when,
    const char *note)
{
	const struct plan_item *it = item(client_id, key);

	if (it == NULL)
		fail_msg("no item %s for %s", key, client_id);
	assert_int_equal(it->action, PLAN_SEND);
	assert_string_equal(due(it), when);
	assert_string_equal(it->note, note);
}

static void
expect_none(const char *client_id, const char *key)
{
	if (item(client_id, key) != NULL)
		fail_msg("unexpected item %s for %s: %s", key, client_id,
		    item(client_id, key)->note);
}

static const struct plan_item *
expect_item(const char *client_id, const char *key, enum plan_action a,
    const char *when, const char *note)
{
	const struct plan_item *it = item(client_id, key);

	if (it == NULL)
		fail_msg("no item %s for %s", key, client_id);
	if (it->action != a)
		fail_msg("%s: action %d, due %s, note %s", key, it->action,
		    due(it), it->note);
	assert_string_equal(due(it), when);
	assert_string_equal(it->note, note);
	return it;
}

static void
sent(const char *client_id, const char *occasion, const char *key,
    int64_t when)
{
	struct history_record r = { (char *)key, (char *)occasion, ST_SENT,
	    when, when, NULL };

	history_add_record(H, client_id, &r);
}

/* --- birthdays ------------------------------------------------------ */

/* 29 Feb: 2027-02-28 (common year), 2028-02-29 (leap year); with
 * feb29 = "mar1" 2027-03-01. */
static void
test_feb29(void **state)
{
	const struct plan_item *it;

	(void)state;
	client("anna", "Europe/Berlin", O_BIRTHDAY, -1)->birthday =
	    date("1984-02-29");
	cl[0].has_birthday = true;
	client("bert", "Europe/Berlin", O_BIRTHDAY_MAR1, -1)->birthday =
	    date("1984-02-29");
	cl[1].has_birthday = true;
	plan("2027-01-01", "2029-01-01", NULL);
	expect_send("anna", "birthday/2027", "2027-02-28T09:00:00+01:00", "");
	expect_send("anna", "birthday/2028", "2028-02-29T09:00:00+01:00", "");
	expect_send("bert", "bday/2027", "2027-03-01T09:00:00+01:00", "");
	expect_send("bert", "bday/2028", "2028-02-29T09:02:00+01:00", "");
	it = item("anna", "birthday/2027");
	assert_true(it->has_years);
	assert_int_equal(it->age, 43);
	assert_int_equal(it->years, 43);
	assert_false(it->late);
	assert_int_equal(it->nominal, it->due);
	assert_string_equal(it->template, "birthday");
	assert_int_equal(item("anna", "birthday/2028")->age, 44);
	assert_int_equal(P.n, 4);
}

/* "--07-14": 2027-07-14 (a Wednesday) at 09:00 CEST, no age. */
static void
test_yearless_birthday(void **state)
{
	const struct plan_item *it;

	(void)state;
	client("anna", "Europe/Berlin", O_BIRTHDAY, -1)->birthday =
	    date("--07-14");
	cl[0].has_birthday = true;
	plan("2027-01-01", "2028-01-01", NULL);
	expect_send("anna", "birthday/2027", "2027-07-14T09:00:00+02:00", "");
	it = item("anna", "birthday/2027");
	assert_false(it->has_years);
	assert_int_equal(it->utc_offset, 7200);
	assert_int_equal(P.n, 1);
}

/* 2027-03-20: New York is already on EDT (since 03-14), Berlin still on
 * CET (until 03-28).  09:00 EDT = 13:00 UTC = 14:00 in Berlin. */
static void
test_new_york_between_dst_changes(void **state)
{
	const struct plan_item *it;

	(void)state;
	client("nina", "America/New_York", O_BIRTHDAY, -1)->birthday =
	    date("1990-03-20");
	cl[0].has_birthday = true;
	plan("2027-03-01", "2027-04-01", NULL);
	expect_send("nina", "birthday/2027", "2027-03-20T09:00:00-04:00", "");
	it = item("nina", "birthday/2027");
	assert_int_equal(it->due, at("UTC", "2027-03-20 13:00"));
	assert_int_equal(it->utc_offset, -4 * 3600);
}

/* --- moving days ----------------------------------------------------- */

/* Project ended 2027-02-13; +14d = Sat 2027-02-27 -> Mon 2027-03-01. */
static void
test_followup_saturday(void **state)
{
	const struct plan_item *it;

	(void)state;
	project(client("anna", "Europe/Berlin", O_FOLLOWUP1, -1), "Logo",
	    "2027-02-13");
	plan("2027-02-01", "2027-04-01", NULL);
	expect_send("anna", "followup/Logo/14d", "2027-03-01T09:00:00+01:00",
	    "moved from Sat 2027-02-27: weekday rule");
	it = item("anna", "followup/Logo/14d");
	assert_string_equal(it->project, "Logo");
	assert_int_equal(it->nominal, at("Europe/Berlin", "2027-02-27 09:00"));
}

/* Easter 2027 is 03-28: Karfreitag Fri 03-26, the weekend, Ostermontag
 * Mon 03-29 -> Tue 2027-03-30.  And a nominal Ostermontag alone. */
static void
test_followup_easter(void **state)
{
	(void)state;
	project(client("anna", "Europe/Berlin", O_FOLLOWUP1, -1), "Logo",
	    "2027-03-12");
	project(client("bert", "Europe/Berlin", O_FOLLOWUP1, -1), "Web",
	    "2027-03-15");
	plan("2027-03-01", "2027-05-01", NULL);
	expect_send("anna", "followup/Logo/14d", "2027-03-30T09:00:00+02:00",
	    "moved from Fri 2027-03-26: Karfreitag (DE), weekday rule, "
	    "Ostermontag (DE)");
	expect_send("bert", "followup/Web/14d", "2027-03-30T09:02:00+02:00",
	    "moved from Mon 2027-03-29: Ostermontag (DE)");
}

/* Fronleichnam, Thu 2027-05-27, is a holiday in Bavaria, not in Berlin. */
static void
test_followup_regional_holiday(void **state)
{
	(void)state;
	project(client("anna", "Europe/Berlin", O_FOLLOWUP1, -1), "Logo",
	    "2027-05-13");
	assert_int_equal(holidays_parse_region("DE-BY", &S.holidays, NULL), 0);
	plan("2027-05-01", "2027-07-01", NULL);
	expect_send("anna", "followup/Logo/14d", "2027-05-28T09:00:00+02:00",
	    "moved from Thu 2027-05-27: Fronleichnam (DE-BY)");
	assert_int_equal(holidays_parse_region("DE-BE", &S.holidays, NULL), 0);
	plan("2027-05-01", "2027-07-01", NULL);
	expect_send("anna", "followup/Logo/14d", "2027-05-27T09:00:00+02:00",
	    "");
}

/* Birthday Wed 2027-02-10; follow-up nominal Mon 2027-02-15 moves to
 * 21 days after the birthday, Wed 2027-03-03.  The 3M one, Sat
 * 2027-05-01, goes on Mon 2027-05-03. */
static void
test_min_gap_after_birthday(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, O_FOLLOWUP, -1);
	c->has_birthday = true;
	c->birthday = date("1980-02-10");
	project(c, "Logo", "2027-02-01");
	/* Issue 12: 16 days is beyond the default max_delay of 14d. */
	plan("2027-02-01", "2027-06-01", NULL);
	expect_item("anna", "followup/Logo/14d", PLAN_SKIP,
	    "2027-03-02T09:00:00+01:00", "skipped: no room within 14d of "
	    "2027-02-15: 21d gap after birthday on 2027-02-10");
	occs[O_FOLLOWUP].max_delay = dur("60d");
	occs[O_FOLLOWUP].has_max_delay = true;
	plan("2027-02-01", "2027-06-01", NULL);
	expect_send("anna", "birthday/2027", "2027-02-10T09:00:00+01:00", "");
	expect_send("anna", "followup/Logo/14d", "2027-03-03T09:00:00+01:00",
	    "moved from Mon 2027-02-15: 21d gap after birthday on 2027-02-10");
	expect_send("anna", "followup/Logo/3M", "2027-05-03T09:00:00+02:00",
	    "moved from Sat 2027-05-01: weekday rule");
}

/* A message sent outside the plan (in the history) counts too: sent
 * Tue 2027-03-09, follow-up nominal Mon 2027-03-15 -> Tue 2027-03-30. */
static void
test_min_gap_after_sent(void **state)
{
	(void)state;
	project(client("anna", "Europe/Berlin", O_FOLLOWUP1, -1), "Logo",
	    "2027-03-01");
	sent("anna", "advent", "advent/2026", at("Europe/Berlin",
	    "2027-03-09 10:00"));
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01"));
	/* Issue 12: 15 days is beyond the default max_delay of 14d. */
	plan("2027-03-10", "2027-05-01", NULL);
	expect_item("anna", "followup/Logo/14d", PLAN_SKIP,
	    "2027-03-30T09:00:00+02:00", "skipped: no room within 14d of "
	    "2027-03-15: 21d gap after advent on 2027-03-09");
	occs[O_FOLLOWUP1].max_delay = dur("60d");
	occs[O_FOLLOWUP1].has_max_delay = true;
	plan("2027-03-10", "2027-05-01", NULL);
	expect_send("anna", "followup/Logo/14d", "2027-03-30T09:00:00+02:00",
	    "moved from Mon 2027-03-15: 21d gap after advent on 2027-03-09");
}

/* Birthday and advent both on Sat 2027-12-18: the birthday (100) goes,
 * advent (80) is skipped with the reason. */
static void
test_two_fixed_one_day(void **state)
{
	const struct plan_item *it;
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, O_ADVENT, -1);
	c->has_birthday = true;
	c->birthday = date("--12-18");
	plan("2027-12-01", "2028-01-01", NULL);
	expect_send("anna", "birthday/2027", "2027-12-18T09:00:00+01:00", "");
	it = item("anna", "advent/2027");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_SKIP);
	assert_string_equal(it->note,
	    "skipped: same day as birthday (priority 100)");
	assert_int_equal(P.n, 2);
}

/* daily_limit 3: four follow-ups nominal Tue 2027-03-02; the first three
 * (by client id) go that day, d-dora on Wed 2027-03-03.  With a message
 * already sent that day in the send log (to e-emil), c-carl moves too. */
static void
test_daily_limit(void **state)
{
	const char *ids[] = { "a-anna", "b-bert", "c-carl", "d-dora" };

	(void)state;
	for (int i = 0; i < 4; i++)
		project(client(ids[i], "Europe/Berlin", O_FOLLOWUP1, -1), "P",
		    "2027-02-16");
	S.daily_limit = 3;
	plan("2027-02-20", "2027-04-01", NULL);
	expect_send("a-anna", "followup/P/14d", "2027-03-02T09:00:00+01:00",
	    "");
	expect_send("b-bert", "followup/P/14d", "2027-03-02T09:02:00+01:00",
	    "");
	expect_send("c-carl", "followup/P/14d", "2027-03-02T09:04:00+01:00",
	    "");
	expect_send("d-dora", "followup/P/14d", "2027-03-03T09:00:00+01:00",
	    "moved from Tue 2027-03-02: daily limit of 3");

	/* e-emil is in the book; his message of that morning ranks first
	 * (priority 80) in the spread. */
	client("e-emil", "Europe/Berlin", -1);
	sent("e-emil", "advent", "advent/2026", at("Europe/Berlin",
	    "2027-03-02 09:00"));
	plan("2027-02-20", "2027-04-01", NULL);
	expect_send("a-anna", "followup/P/14d", "2027-03-02T09:02:00+01:00",
	    "");
	expect_send("b-bert", "followup/P/14d", "2027-03-02T09:04:00+01:00",
	    "");
	expect_send("c-carl", "followup/P/14d", "2027-03-03T09:00:00+01:00",
	    "moved from Tue 2027-03-02: daily limit of 3");
	expect_send("d-dora", "followup/P/14d", "2027-03-03T09:02:00+01:00",
	    "moved from Tue 2027-03-02: daily limit of 3");
}

/* A fixed message always goes: five birthdays on 2027-06-15 with a
 * limit of 3, and the follow-up of that day moves to 06-16. */
static void
test_daily_limit_fixed_go(void **state)
{
	const char *ids[] = { "a", "b", "c", "d", "e" };
	struct client *c;

	(void)state;
	for (int i = 0; i < 5; i++) {
		c = client(ids[i], "Europe/Berlin", O_BIRTHDAY, -1);
		c->has_birthday = true;
		c->birthday = date("--06-15");
	}
	project(client("f", "Europe/Berlin", O_FOLLOWUP1, -1), "P",
	    "2027-06-01");
	S.daily_limit = 3;
	plan("2027-06-01", "2027-07-01", NULL);
	for (int i = 0; i < 5; i++)
		assert_int_equal(item(ids[i], "birthday/2027")->action,
		    PLAN_SEND);
	expect_send("e", "birthday/2027", "2027-06-15T09:08:00+02:00", "");
	expect_send("f", "followup/P/14d", "2027-06-16T09:00:00+02:00",
	    "moved from Tue 2027-06-15: daily limit of 3");
}

/* A message moved by the limit keeps min_gap: with a limit of 1 a-anna's
 * follow-up takes Tue 2027-03-02 (first by client id); b-bert's would go
 * on Wed 03-03, 20 days before his birthday on Tue 2027-03-23, so it goes
 * 21 days after the birthday instead, Tue 2027-04-13. */
static void
test_daily_limit_then_gap(void **state)
{
	struct client *c;

	(void)state;
	project(client("a-anna", "Europe/Berlin", O_FOLLOWUP1, -1), "P",
	    "2027-02-16");
	c = client("b-bert", "Europe/Berlin", O_BIRTHDAY, O_FOLLOWUP1, -1);
	project(c, "P", "2027-02-16");
	c->has_birthday = true;
	c->birthday = date("--03-23");
	S.daily_limit = 1;
	/* Issue 12: 42 days is beyond the default max_delay of 14d. */
	plan("2027-02-20", "2027-05-01", NULL);
	expect_item("b-bert", "followup/P/14d", PLAN_SKIP,
	    "2027-03-17T09:00:00+01:00", "skipped: no room within 14d of "
	    "2027-03-02: daily limit of 1, 21d gap after birthday on "
	    "2027-03-23");
	occs[O_FOLLOWUP1].max_delay = dur("60d");
	occs[O_FOLLOWUP1].has_max_delay = true;
	plan("2027-02-20", "2027-05-01", NULL);
	expect_send("a-anna", "followup/P/14d", "2027-03-02T09:00:00+01:00",
	    "");
	expect_send("b-bert", "birthday/2027", "2027-03-23T09:00:00+01:00",
	    "");
	expect_send("b-bert", "followup/P/14d", "2027-04-13T09:00:00+02:00",
	    "moved from Tue 2027-03-02: daily limit of 1, 21d gap after "
	    "birthday on 2027-03-23");
}

/* A message the limit moves past the client's opt-out is skipped: with a
 * limit of 1 b-bert's follow-up leaves Tue 2027-03-02 for Wed 03-03, and
 * he opted out at noon on 03-02. */
static void
test_daily_limit_into_optout(void **state)
{
	const struct plan_item *it;

	(void)state;
	project(client("a-anna", "Europe/Berlin", O_FOLLOWUP1, -1), "P",
	    "2027-02-16");
	project(client("b-bert", "Europe/Berlin", O_FOLLOWUP1, -1), "P",
	    "2027-02-16");
	history_set_optout(H, "b-bert", at("Europe/Berlin",
	    "2027-03-02 12:00"));
	S.daily_limit = 1;
	plan("2027-02-20", "2027-04-01", NULL);
	expect_send("a-anna", "followup/P/14d", "2027-03-02T09:00:00+01:00",
	    "");
	it = item("b-bert", "followup/P/14d");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_SKIP);
	assert_string_equal(due(it), "2027-03-03T09:00:00+01:00");
	assert_string_equal(it->note, "skipped: opted out on 2027-03-02");
}

/* A message the limit moves beyond the range is not planned in it. */
static void
test_daily_limit_beyond_range(void **state)
{
	(void)state;
	project(client("a-anna", "Europe/Berlin", O_FOLLOWUP1, -1), "P",
	    "2027-02-16");
	project(client("b-bert", "Europe/Berlin", O_FOLLOWUP1, -1), "P",
	    "2027-02-16");
	S.daily_limit = 1;
	plan("2027-02-20", "2027-03-02 23:00", NULL);
	expect_send("a-anna", "followup/P/14d", "2027-03-02T09:00:00+01:00",
	    "");
	expect_none("b-bert", "followup/P/14d");
	assert_int_equal(P.n, 1);
}

/* A check-in already in the send log (skipped while paused) is not
 * planned again; the chain goes on from its day: 2027-02-09 + 10w =
 * Tue 2027-04-20. */
static void
test_casual_logged_key(void **state)
{
	struct client *c;
	struct history_record r = { (char *)"checkin/2027-02-09",
	    (char *)"checkin", ST_SKIPPED, 0, HISTORY_NONE, NULL };

	(void)state;
	c = client("anna", "Europe/Berlin", O_CHECKIN, -1);
	c->has_last_contact = true;
	c->last_contact = date("2026-12-01");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2026-06-01"));
	r.due = at("Europe/Berlin", "2027-02-09 09:00");
	history_add_record(H, "anna", &r);
	plan("2027-02-10", "2027-05-01", NULL);
	expect_none("anna", "checkin/2027-02-09");
	expect_send("anna", "checkin/2027-04-20", "2027-04-20T09:00:00+02:00",
	    "");
	assert_int_equal(P.n, 1);
}

/* --- pauses and opt-outs -------------------------------------------- */

/* paused_until 2027-06-30: the birthday of 2027-06-15 is skipped; the
 * launch on 2027-07-01 goes. */
static void
test_paused_until(void **state)
{
	const struct plan_item *it;
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, O_LAUNCH, -1);
	c->has_birthday = true;
	c->birthday = date("1970-06-15");
	c->has_paused_until = true;
	c->paused_until = date("2027-06-30");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01"));
	plan("2027-06-15 10:00", "2027-08-01", NULL);
	it = item("anna", "birthday/2027");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_SKIP);
	assert_string_equal(it->note, "skipped: paused until 2027-06-30");
	/* Due now: the daemon logs it on this pass. */
	assert_true(it->due <= at("Europe/Berlin", "2027-06-15 10:00"));
	expect_send("anna", "launch/2027-07-01", "2027-07-01T09:00:00+02:00",
	    "");
	assert_int_equal(P.n, 2);
}

/* Opted out Tue 2027-06-15 at 10:00, after the birthday's 09:00 slot but
 * before it went (the daemon runs at 11:00): nothing goes after an
 * opt-out, whether due that morning or caught up from Sun 06-13. */
static void
test_opted_out_before_catch_up(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1970-06-15");
	c = client("bert", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1970-06-13");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01"));
	history_set_first_seen(H, "bert", at("Europe/Berlin", "2027-01-01"));
	history_set_optout(H, "anna", at("Europe/Berlin", "2027-06-15 10:00"));
	history_set_optout(H, "bert", at("Europe/Berlin", "2027-06-15 10:00"));
	plan("2027-06-15 11:00", "2027-07-01", NULL);
	assert_int_equal(P.n, 2);
	assert_int_equal(item("anna", "birthday/2027")->action, PLAN_SKIP);
	assert_string_equal(item("anna", "birthday/2027")->note,
	    "skipped: opted out on 2027-06-15");
	assert_int_equal(item("bert", "birthday/2027")->action, PLAN_SKIP);
	assert_string_equal(item("bert", "birthday/2027")->note,
	    "skipped: opted out on 2027-06-15");
}

/* Paused, with the last contact in 2025: one check-in is skipped now
 * (Mon 2027-03-01), not one for every 10 weeks since; the next would be
 * 10 weeks on, Mon 2027-05-10. */
static void
test_paused_casual_once(void **state)
{
	const struct plan_item *it;
	struct client *c;
	size_t skips = 0;

	(void)state;
	c = client("anna", "Europe/Berlin", O_CHECKIN, -1);
	c->has_last_contact = true;
	c->last_contact = date("2025-01-06");
	c->paused = true;
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2025-01-01"));
	plan("2027-03-01 10:00", "2027-05-01", NULL);
	for (size_t i = 0; i < P.n; i++)
		skips += P.items[i].action == PLAN_SKIP;
	assert_int_equal(skips, 1);
	it = item("anna", "checkin/2025-03-17");
	assert_non_null(it);
	assert_string_equal(it->note, "skipped: paused");
	assert_int_equal(it->due, at("Europe/Berlin", "2027-03-01 09:00"));
	/* Logged: the next run goes on from the day it was logged. */
	{
		struct history_record r = { (char *)"checkin/2025-03-17",
		    (char *)"checkin", ST_SKIPPED, it->due, HISTORY_NONE,
		    NULL };

		history_add_record(H, "anna", &r);
	}
	plan("2027-03-01 10:00", "2027-06-01", NULL);
	assert_int_equal(P.n, 1);
	assert_non_null(item("anna", "checkin/2027-05-10"));
}

/* Opted out on 2027-01-10: the birthday of 2027-02-03 is skipped. */
static void
test_opted_out(void **state)
{
	const struct plan_item *it;
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1970-02-03");
	history_set_optout(H, "anna", at("Europe/Berlin", "2027-01-10 15:00"));
	plan("2027-01-01", "2027-03-01", NULL);
	it = item("anna", "birthday/2027");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_SKIP);
	assert_string_equal(it->note, "skipped: opted out on 2027-01-10");
}

/* The address objected under another id (the client was renamed): her
 * birthday is skipped all the same, whatever the case of the address. */
static void
test_opted_out_address(void **state)
{
	const struct plan_item *it;
	struct client *c;

	(void)state;
	c = client("anna-neu", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1970-02-03");
	c->email = (char *)"Anna@Example.de";
	history_add_address_optout(H, "anna@example.DE", at("Europe/Berlin",
	    "2027-01-10 15:00"));
	history_add_address_optout(H, "bert@example.de", at("Europe/Berlin",
	    "2027-01-01 15:00"));
	plan("2027-01-01", "2027-03-01", NULL);
	it = item("anna-neu", "birthday/2027");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_SKIP);
	assert_string_equal(it->note, "skipped: opted out on 2027-01-10");
}

/* --- catch-up, missed, first seen ----------------------------------- */

/* Birthday Sun 2027-02-28, daemon back Tue 2027-03-02 10:00: 2 days late,
 * under catch_up 3d: goes at once, belated. */
static void
test_catch_up_inside(void **state)
{
	const struct plan_item *it;
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1984-02-28");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01"));
	plan("2027-03-02 10:00", "2027-04-01", NULL);
	expect_send("anna", "birthday/2027", "2027-03-02T10:00:00+01:00",
	    "late by 2d: catch-up");
	it = item("anna", "birthday/2027");
	assert_true(it->late);
	assert_int_equal(it->nominal, at("Europe/Berlin", "2027-02-28 09:00"));

	/* Back Mon 2027-03-01 at 18:00, after the window: next morning. */
	plan("2027-03-01 18:00", "2027-04-01", NULL);
	expect_send("anna", "birthday/2027", "2027-03-02T09:00:00+01:00",
	    "late by 1d: catch-up");
	/* Back Sun 2027-02-28 at 16:00: on the day, not late at all. */
	plan("2027-02-28 16:00", "2027-04-01", NULL);
	expect_send("anna", "birthday/2027", "2027-02-28T16:00:00+01:00", "");
	assert_false(item("anna", "birthday/2027")->late);
}

/* Birthday Sat 2027-02-20, back Sun 2027-02-28 10:00: 8 days late is
 * beyond catch_up 3d: missed, reported once now. */
static void
test_catch_up_beyond(void **state)
{
	const struct plan_item *it;
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1984-02-20");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01"));
	plan("2027-02-28 10:00", "2027-04-01", NULL);
	it = item("anna", "birthday/2027");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_MISSED);
	assert_string_equal(it->note,
	    "missed: due 2027-02-20, 8d late (catch_up 3d)");
	assert_int_equal(it->due, at("Europe/Berlin", "2027-02-20 09:00"));
	/* Once logged, it is never planned again. */
	{
		struct history_record r = { (char *)"birthday/2027",
		    (char *)"birthday", ST_MISSED, it->due, HISTORY_NONE,
		    NULL };

		history_add_record(H, "anna", &r);
	}
	plan("2027-02-28 10:00", "2027-04-01", NULL);
	assert_int_equal(P.n, 0);
}

/* A follow-up is caught up too, on the next allowed day: nominal Thu
 * 2027-02-25, back Sat 2027-02-27 -> Mon 2027-03-01. */
static void
test_catch_up_movable(void **state)
{
	(void)state;
	project(client("anna", "Europe/Berlin", O_FOLLOWUP1, -1), "Logo",
	    "2027-02-11");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01"));
	plan("2027-02-27 11:00", "2027-04-01", NULL);
	expect_send("anna", "followup/Logo/14d", "2027-03-01T09:00:00+01:00",
	    "late by 2d: catch-up; moved from Sat 2027-02-27: weekday rule");
}

/* First seen Mon 2027-03-01 12:00: the birthday of Sun 2027-02-28 is
 * neither caught up nor missed; the same holds with no history at all
 * (first seen = from). */
static void
test_first_seen(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1984-02-28");
	plan("2027-03-01 12:00", "2027-04-01", NULL);
	expect_none("anna", "birthday/2027");
	assert_int_equal(P.n, 0);
	history_set_first_seen(H, "anna", at("Europe/Berlin",
	    "2027-03-01 12:00"));
	plan("2027-03-02 10:00", "2027-04-01", NULL);
	assert_int_equal(P.n, 0);
	/* First seen on the day itself: still goes (2027-02-28 12:00). */
	history_set_first_seen(H, "anna", at("Europe/Berlin",
	    "2027-02-28 12:00"));
	plan("2027-03-02 10:00", "2027-04-01", NULL);
	expect_send("anna", "birthday/2027", "2027-03-02T10:00:00+01:00",
	    "late by 2d: catch-up");
}

/* --- casual --------------------------------------------------------- */

/* last_contact 2026-12-01 + 10w = Tue 2027-02-09; a touch on 2027-01-20
 * moves it to Wed 2027-03-31. */
static void
test_casual_reset_by_touch(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_CHECKIN, -1);
	c->has_last_contact = true;
	c->last_contact = date("2026-12-01");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2026-06-01"));
	plan("2027-01-25", "2027-05-01", NULL);
	expect_send("anna", "checkin/2027-02-09", "2027-02-09T09:00:00+01:00",
	    "");
	history_add_touch(H, "anna", at("Europe/Berlin", "2027-01-20 15:00"));
	plan("2027-01-25", "2027-05-01", NULL);
	expect_none("anna", "checkin/2027-02-09");
	expect_send("anna", "checkin/2027-03-31", "2027-03-31T09:00:00+02:00",
	    "");
	assert_int_equal(P.n, 1);
}

/* A planned birthday Mon 2027-02-01 resets the clock too: the check-in
 * goes 10w later, Mon 2027-04-12, then Mon 2027-06-21. */
static void
test_casual_reset_by_birthday(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, O_CHECKIN, -1);
	c->has_birthday = true;
	c->birthday = date("--02-01");
	c->has_last_contact = true;
	c->last_contact = date("2026-12-01");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2026-06-01"));
	plan("2027-01-25", "2027-07-01", NULL);
	expect_send("anna", "birthday/2027", "2027-02-01T09:00:00+01:00", "");
	expect_none("anna", "checkin/2027-02-09");
	expect_send("anna", "checkin/2027-04-12", "2027-04-12T09:00:00+02:00",
	    "");
	expect_send("anna", "checkin/2027-06-21", "2027-06-21T09:00:00+02:00",
	    "");
	assert_int_equal(P.n, 3);
}

/* Overdue (last contact 2026-06-01, due 2026-08-10): never missed, it
 * goes at the next allowed slot, Mon 2027-03-01 10:00 itself. */
static void
test_casual_overdue(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_CHECKIN, -1);
	c->has_last_contact = true;
	c->last_contact = date("2026-06-01");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2026-06-01"));
	plan("2027-03-01 10:00", "2027-04-01", NULL);
	expect_send("anna", "checkin/2026-08-10", "2027-03-01T10:00:00+01:00",
	    "overdue since 2026-08-10");
	/* Sun 2027-02-28 10:00: the weekday rule still applies. */
	plan("2027-02-28 10:00", "2027-04-01", NULL);
	expect_send("anna", "checkin/2026-08-10", "2027-03-01T09:00:00+01:00",
	    "overdue since 2026-08-10; moved from Sun 2027-02-28: "
	    "weekday rule");
}

/* FNV-1a, written again here, so the test checks the contract (the day
 * is last contact + every + hash % (jitter + 1)) and not the code. */
static int64_t
expected_jitter(const char *id, const char *occ, const char *base, int span)
{
	uint64_t h = 14695981039346656037ULL;
	const char *parts[3] = { id, occ, base };

	for (int p = 0; p < 3; p++) {
		size_t len = strlen(parts[p]) + (p < 2);

		for (size_t i = 0; i < len; i++) {
			h ^= (unsigned char)parts[p][i];
			h *= 1099511628211ULL;
		}
	}
	return (int64_t)(h % (uint64_t)(span + 1));
}

/* Jitter 2w after last contact 2027-01-04 + 10w = 2027-03-15: the same
 * day on every run and from any `from`, inside [03-15, 03-29]. */
static void
test_casual_jitter_stable(void **state)
{
	const char *ids[] = { "anna", "bert", "carl", "dora" };
	char keys[4][32];
	int64_t base = timeutil_days_from_civil(2027, 3, 15);

	(void)state;
	occs[O_CHECKIN].jitter = dur("2w");
	S.weekdays = 0x7f;	/* every day: the key's day is the due day */
	S.holidays = HOLIDAYS_NONE;
	for (int i = 0; i < 4; i++) {
		struct client *c = client(ids[i], "Europe/Berlin", O_CHECKIN,
		    -1);
		char d[11];

		c->has_last_contact = true;
		c->last_contact = date("2027-01-04");
		timeutil_format_date(base + expected_jitter(ids[i], "checkin",
		    "2027-01-04", 14), d);
		snprintf(keys[i], sizeof(keys[i]), "checkin/%s", d);
	}
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2026-01-01"));
	for (int run = 0; run < 3; run++) {
		plan(run == 0 ? "2027-01-05" : run == 1 ? "2027-02-20" :
		    "2027-03-10", "2027-04-15", NULL);
		for (int i = 0; i < 4; i++) {
			const struct plan_item *it = item(ids[i], keys[i]);

			if (it == NULL)
				fail_msg("run %d: no %s for %s", run, keys[i],
				    ids[i]);
			assert_int_equal(timeutil_day_of(it->nominal + 3600),
			    timeutil_days_from_civil(atoi(keys[i] + 8),
			    atoi(keys[i] + 13), atoi(keys[i] + 16)));
		}
	}
}

/* --- spread --------------------------------------------------------- */

/* Five birthdays on Tue 2027-06-15 in Berlin: 09:00, 09:02 … 09:08 by
 * client id.  After the first two went out, the others keep their slots;
 * one whose slot has passed goes at `from`. */
static void
test_spread(void **state)
{
	const char *ids[] = { "a", "b", "c", "d", "e" };
	char when[32];

	(void)state;
	for (int i = 0; i < 5; i++) {
		struct client *c = client(ids[i], "Europe/Berlin", O_BIRTHDAY,
		    -1);

		c->has_birthday = true;
		c->birthday = date("--06-15");
		history_set_first_seen(H, ids[i], at("Europe/Berlin",
		    "2027-01-01"));
	}
	plan("2027-06-01", "2027-07-01", NULL);
	for (int i = 0; i < 5; i++) {
		snprintf(when, sizeof(when), "2027-06-15T09:%02d:00+02:00",
		    2 * i);
		expect_send(ids[i], "birthday/2027", when, "");
		assert_string_equal(P.items[i].client->id, ids[i]);
	}
	sent("a", "birthday", "birthday/2027", at("Europe/Berlin",
	    "2027-06-15 09:00"));
	sent("b", "birthday", "birthday/2027", at("Europe/Berlin",
	    "2027-06-15 09:02"));
	plan("2027-06-15 09:03", "2027-07-01", NULL);
	assert_int_equal(P.n, 3);
	expect_send("c", "birthday/2027", "2027-06-15T09:04:00+02:00", "");
	expect_send("d", "birthday/2027", "2027-06-15T09:06:00+02:00", "");
	expect_send("e", "birthday/2027", "2027-06-15T09:08:00+02:00", "");
	plan("2027-06-15 09:05", "2027-07-01", NULL);
	expect_send("c", "birthday/2027", "2027-06-15T09:05:00+02:00", "");
	expect_send("d", "birthday/2027", "2027-06-15T09:06:00+02:00", "");
}

/* --- range, order, filters ------------------------------------------ */

/* Items are in send order; only_client keeps one client; until is
 * exclusive (advent 2027-12-18 09:00 is out when until is that instant). */
static void
test_range_and_order(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, O_ADVENT, -1);
	c->has_birthday = true;
	c->birthday = date("--12-01");
	c = client("bert", "Europe/Berlin", O_BIRTHDAY, O_ADVENT, -1);
	c->has_birthday = true;
	c->birthday = date("--11-30");
	plan("2027-11-01", "2027-12-18 09:00", NULL);
	assert_int_equal(P.n, 2);
	assert_string_equal(P.items[0].occurrence, "birthday/2027");
	assert_string_equal(P.items[0].client->id, "bert");
	assert_string_equal(P.items[1].client->id, "anna");
	plan("2027-11-01", "2027-12-18 09:01", "anna");
	assert_int_equal(P.n, 2);
	assert_string_equal(P.items[0].client->id, "anna");
	assert_string_equal(P.items[1].occurrence, "advent/2027");
	assert_string_equal(due(&P.items[1]), "2027-12-18T09:00:00+01:00");
}

/* Jubilee by client_since 2019-05-02: 2027-05-02 with years = 8; the
 * year of the date itself has none. */
static void
test_yearly_by_field(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_JUBILEE, -1);
	c->has_client_since = true;
	c->client_since = date("2019-05-02");
	plan("2027-01-01", "2028-01-01", NULL);
	expect_send("anna", "jubilee/2027", "2027-05-02T09:00:00+02:00", "");
	assert_true(item("anna", "jubilee/2027")->has_years);
	assert_int_equal(item("anna", "jubilee/2027")->years, 8);
	c->client_since = date("2027-05-02");
	plan("2027-01-01", "2028-01-01", NULL);
	assert_int_equal(P.n, 0);
}

/* A window start in the spring-forward gap: 02:30 on Sun 2027-03-28 in
 * Berlin does not exist; the message goes at 03:00 CEST. */
static void
test_window_in_dst_gap(void **state)
{
	struct client *c;

	(void)state;
	S.window.start = 2 * 60 + 30;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("--03-28");
	plan("2027-03-01", "2027-04-01", NULL);
	expect_send("anna", "birthday/2027", "2027-03-28T03:00:00+02:00", "");
}

/* Clocks change in Berlin on Sun 2027-03-28 and Sun 2027-10-31: 09:00 is
 * 09:00 local on both sides, at +01:00 or +02:00 (Sat 2027-03-27, Mon
 * 2027-03-29, Sat 2027-10-30, Mon 2027-11-01). */
static void
test_same_local_hour_across_dst(void **state)
{
	const char *ids[] = { "a", "b", "c", "d" };
	const char *days[] = { "--03-27", "--03-29", "--10-30", "--11-01" };
	struct client *c;

	(void)state;
	for (int i = 0; i < 4; i++) {
		c = client(ids[i], "Europe/Berlin", O_BIRTHDAY, -1);
		c->has_birthday = true;
		c->birthday = date(days[i]);
	}
	plan("2027-03-01", "2027-12-01", NULL);
	expect_send("a", "birthday/2027", "2027-03-27T09:00:00+01:00", "");
	expect_send("b", "birthday/2027", "2027-03-29T09:00:00+02:00", "");
	expect_send("c", "birthday/2027", "2027-10-30T09:00:00+02:00", "");
	expect_send("d", "birthday/2027", "2027-11-01T09:00:00+01:00", "");
	assert_int_equal(item("b", "birthday/2027")->due -
	    item("a", "birthday/2027")->due, 2 * 86400 - 3600);
	assert_int_equal(item("d", "birthday/2027")->due -
	    item("c", "birthday/2027")->due, 2 * 86400 + 3600);
}

/* A window start in the autumn fold: 02:30 on Sun 2027-10-31 comes twice
 * in Berlin; the message goes at the first, 02:30 CEST (00:30 UTC). */
static void
test_window_in_dst_fold(void **state)
{
	struct client *c;

	(void)state;
	S.window.start = 2 * 60 + 30;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("--10-31");
	plan("2027-10-01", "2027-11-15", NULL);
	expect_send("anna", "birthday/2027", "2027-10-31T02:30:00+02:00", "");
	assert_int_equal(item("anna", "birthday/2027")->due,
	    at("UTC", "2027-10-31 00:30"));
}

/* --- issue 12: one consistent story --------------------------------- */


/* Birthday --12-19, advent 12-18, down on Sat 2027-12-18, a pass on Sun
 * 2027-12-19 08:00: the birthday keeps its own day whatever the
 * priorities, the late advent takes Mon 2027-12-20; with the birthday
 * already sent that morning, still Monday. */
static void
test_lateness_rank(void **state)
{
	const struct plan_item *it;
	struct client *c;

	(void)state;
	occs[O_ADVENT].priority = 150;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, O_ADVENT, -1);
	c->has_birthday = true;
	c->birthday = date("--12-19");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-12-01"));
	plan("2027-12-19 08:00", "2027-12-31", NULL);
	expect_send("anna", "birthday/2027", "2027-12-19T09:00:00+01:00", "");
	it = expect_item("anna", "advent/2027", PLAN_SEND,
	    "2027-12-20T09:00:00+01:00", "late by 23h: catch-up; moved from "
	    "Sun 2027-12-19: same day as birthday");
	assert_true(it->late);
	sent("anna", "birthday", "birthday/2027",
	    at("Europe/Berlin", "2027-12-19 09:00"));
	plan("2027-12-19 10:00", "2027-12-31", NULL);
	expect_none("anna", "birthday/2027");
	expect_item("anna", "advent/2027", PLAN_SEND,
	    "2027-12-20T09:00:00+01:00", "late by 1d: catch-up; moved from "
	    "Sun 2027-12-19: same day as birthday");
}

/* With catch_up 1d there is no free day in time: missed, and why. */
static void
test_lateness_missed(void **state)
{
	struct client *c;

	(void)state;
	S.catch_up = dur("1d");
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, O_ADVENT, -1);
	c->has_birthday = true;
	c->birthday = date("--12-19");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-12-01"));
	plan("2027-12-19 08:00", "2027-12-31", NULL);
	expect_send("anna", "birthday/2027", "2027-12-19T09:00:00+01:00", "");
	expect_item("anna", "advent/2027", PLAN_MISSED,
	    "2027-12-18T09:00:00+01:00", "missed: due 2027-12-18, 23h late "
	    "(catch_up 1d): no day free of fixed messages (birthday on "
	    "2027-12-19)");
}

/* Down from 2027-02-10 to 2027-04-15 (64 days): the birthday of
 * 2027-02-20 is recorded missed, not forgotten. */
static void
test_carried_until(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1984-02-20");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01"));
	plan("2027-04-15 10:00", "2027-05-01", NULL);
	expect_none("anna", "birthday/2027");
	Carried = at("Europe/Berlin", "2027-02-10 12:00");
	plan("2027-04-15 10:00", "2027-05-01", NULL);
	expect_item("anna", "birthday/2027", PLAN_MISSED,
	    "2027-02-20T09:00:00+01:00",
	    "missed: due 2027-02-20, 54d late (catch_up 3d)");
}

/* First seen at 18:00 on the birthday: its 09:00 moment came before, so
 * nothing is caught up the next morning. */
static void
test_first_seen_moment(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, -1);
	c->has_birthday = true;
	c->birthday = date("1984-02-24");
	history_set_first_seen(H, "anna", at("Europe/Berlin",
	    "2027-02-24 18:00"));
	plan("2027-02-25 08:00", "2027-04-01", NULL);
	expect_none("anna", "birthday/2027");
	assert_int_equal(P.n, 0);
}

/* Follow-up 14d after 2027-02-12 = Fri 2027-02-26; the birthday of
 * 2027-02-20 pushes it to 2027-03-13, beyond max_delay 14d: skipped
 * after its last chance (Sat 2027-03-13).  With max_delay 30d it goes on
 * Mon 2027-03-15. */
static void
test_max_delay(void **state)
{
	struct client *c;

	(void)state;
	c = client("anna", "Europe/Berlin", O_BIRTHDAY, O_FOLLOWUP1, -1);
	c->has_birthday = true;
	c->birthday = date("1984-02-20");
	project(c, "Logo", "2027-02-12");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01"));
	plan("2027-02-01", "2027-04-01", NULL);
	expect_item("anna", "followup/Logo/14d", PLAN_SKIP,
	    "2027-03-13T09:00:00+01:00", "skipped: no room within 14d of "
	    "2027-02-26: 21d gap after birthday on 2027-02-20");
	occs[O_FOLLOWUP1].max_delay = dur("30d");
	occs[O_FOLLOWUP1].has_max_delay = true;
	plan("2027-02-01", "2027-04-01", NULL);
	expect_send("anna", "followup/Logo/14d", "2027-03-15T09:00:00+01:00",
	    "moved from Fri 2027-02-26: 21d gap after birthday on 2027-02-20, "
	    "weekday rule");
}

/* Retries follow the calendar: a movable one deferred on Fri 16:50 is
 * retried Mon 09:00, a birthday Sat 09:00; over Easter 2027 the next
 * allowed day after Thu 2027-03-25 is Tue 2027-03-30. */
static void
test_next_moment(void **state)
{
	struct client *c;
	const struct tz *z;

	(void)state;
	c = client("anna", "Europe/Berlin", O_FOLLOWUP1, -1);
	z = c->tz;
	assert_int_equal(planner_next_moment(&S, c, z, true,
	    at("Europe/Berlin", "2027-03-05 17:20")),
	    at("Europe/Berlin", "2027-03-08 09:00"));
	assert_int_equal(planner_next_moment(&S, c, z, false,
	    at("Europe/Berlin", "2027-03-05 17:20")),
	    at("Europe/Berlin", "2027-03-06 09:00"));
	assert_int_equal(planner_next_moment(&S, c, z, true,
	    at("Europe/Berlin", "2027-03-05 16:50")),
	    at("Europe/Berlin", "2027-03-05 16:50"));
	assert_int_equal(planner_next_moment(&S, c, z, true,
	    at("Europe/Berlin", "2027-03-25 17:20")),
	    at("Europe/Berlin", "2027-03-30 09:00"));
	assert_int_equal(planner_next_moment(&S, c, z, false,
	    at("Europe/Berlin", "2027-04-02 07:00")),
	    at("Europe/Berlin", "2027-04-02 09:00"));
}

/* --- the owner's say ---------------------------------------------- */

static struct owner SAY;

static void
plan_say(const char *from, const char *until)
{
	struct planner_opts o = { at("Europe/Berlin", from),
	    at("Europe/Berlin", until), NULL, 0, &SAY };
	char *err = NULL;

	plan_free(&P);
	assert_int_equal(planner_plan(&S, &B, H, &o, &P, &err), 0);
	assert_null(err);
}

/* approval = required, a fixed message: it waits through its day and is
 * skipped "not approved" once the window closed; approved it goes; a
 * hold wins over the approval. */
static void
test_approval_fixed(void **state)
{
	const struct plan_item *it;

	(void)state;
	owner_init(&SAY);
	S.approval_required = true;
	client("anna", "Europe/Berlin", O_BIRTHDAY, -1)->birthday =
	    date("--07-14");
	cl[0].has_birthday = true;
	/* Known since before its day, so a plan made after 09:00 still
	 * has the birthday (first-seen compares moments). */
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-07-01"));
	plan_say("2027-07-14 08:00", "2027-08-01");
	it = item("anna", "birthday/2027");
	assert_int_equal(it->action, PLAN_SEND);
	assert_int_equal(it->say, PLAN_SAY_AWAITING);
	assert_int_equal(it->approve_by, at("Europe/Berlin", "2027-07-14 17:00"));
	plan_say("2027-07-14 16:59", "2027-08-01");
	assert_int_equal(item("anna", "birthday/2027")->action, PLAN_SEND);
	plan_say("2027-07-14 17:00", "2027-08-01");
	it = item("anna", "birthday/2027");
	assert_int_equal(it->action, PLAN_SKIP);
	assert_string_equal(it->note, "skipped: not approved");
	assert_int_equal(it->due, at("Europe/Berlin", "2027-07-14 17:00"));

	owner_get(&SAY, "anna", "birthday/2027")->approved = 1;
	plan_say("2027-07-14 08:00", "2027-08-01");
	expect_send("anna", "birthday/2027", "2027-07-14T09:00:00+02:00", "");
	assert_int_equal(item("anna", "birthday/2027")->say, PLAN_SAY_APPROVED);

	owner_get(&SAY, "anna", "birthday/2027")->held = 2;
	owner_get(&SAY, "anna", "birthday/2027")->note = strdup("Karte");
	plan_say("2027-07-14 08:00", "2027-08-01");
	it = item("anna", "birthday/2027");
	assert_int_equal(it->action, PLAN_SKIP);
	assert_int_equal(it->say, PLAN_SAY_HELD);
	assert_string_equal(it->note, "skipped: held by the owner: Karte");
	assert_string_equal(due(it), "2027-07-14T09:00:00+02:00");
	S.approval_required = false;
	plan_say("2027-07-14 08:00", "2027-08-01");
	assert_int_equal(item("anna", "birthday/2027")->action, PLAN_SKIP);
	owner_free(&SAY);
}

/* A movable message waits from the moment it first came due (the send
 * log's wait) up to catch_up, re-planned day by day, then is skipped;
 * even when the planner would report it missed. */
static void
test_approval_movable(void **state)
{
	const struct plan_item *it;

	(void)state;
	owner_init(&SAY);
	S.approval_required = true;
	project(client("anna", "Europe/Berlin", O_FOLLOWUP1, -1), "Logo",
	    "2027-02-13");
	history_set_first_seen(H, "anna", at("Europe/Berlin", "2027-01-01 00:00"));
	plan_say("2027-02-01", "2027-04-01");
	it = item("anna", "followup/Logo/14d");
	assert_non_null(it);
	assert_int_equal(it->say, PLAN_SAY_AWAITING);
	assert_int_equal(it->approve_by, at("Europe/Berlin", "2027-03-04 09:00"));
	owner_get(&SAY, "anna", "followup/Logo/14d")->waiting =
	    at("Europe/Berlin", "2027-03-01 09:00");
	plan_say("2027-03-03 10:00", "2027-04-01");
	it = item("anna", "followup/Logo/14d");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_SEND);
	assert_int_equal(it->say, PLAN_SAY_AWAITING);
	assert_string_equal(due(it), "2027-03-03T10:00:00+01:00");
	plan_say("2027-03-04 09:00", "2027-04-01");
	it = item("anna", "followup/Logo/14d");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_SKIP);
	assert_string_equal(it->note, "skipped: not approved");
	plan_say("2027-03-20 09:00", "2027-04-01");
	it = item("anna", "followup/Logo/14d");
	assert_non_null(it);
	assert_int_equal(it->action, PLAN_SKIP);
	assert_string_equal(it->note, "skipped: not approved");
	S.approval_required = false;
	owner_free(&SAY);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_feb29),
		T(test_approval_fixed),
		T(test_approval_movable),
		T(test_yearless_birthday),
		T(test_new_york_between_dst_changes),
		T(test_followup_saturday),
		T(test_followup_easter),
		T(test_followup_regional_holiday),
		T(test_min_gap_after_birthday),
		T(test_min_gap_after_sent),
		T(test_two_fixed_one_day),
		T(test_daily_limit),
		T(test_daily_limit_fixed_go),
		T(test_daily_limit_then_gap),
		T(test_daily_limit_into_optout),
		T(test_opted_out_address),
		T(test_daily_limit_beyond_range),
		T(test_casual_logged_key),
		T(test_paused_until),
		T(test_opted_out),
		T(test_paused_casual_once),
		T(test_opted_out_before_catch_up),
		T(test_catch_up_inside),
		T(test_catch_up_beyond),
		T(test_catch_up_movable),
		T(test_first_seen),
		T(test_casual_reset_by_touch),
		T(test_casual_reset_by_birthday),
		T(test_casual_overdue),
		T(test_casual_jitter_stable),
		T(test_spread),
		T(test_range_and_order),
		T(test_yearly_by_field),
		T(test_window_in_dst_gap),
		T(test_same_local_hour_across_dst),
		T(test_window_in_dst_fold),
		T(test_lateness_rank),
		T(test_lateness_missed),
		T(test_carried_until),
		T(test_first_seen_moment),
		T(test_max_delay),
		T(test_next_moment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
