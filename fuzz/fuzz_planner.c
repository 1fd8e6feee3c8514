/*
 * fuzz_planner.c - the planner on books, histories and ranges built from
 * fuzz bytes.
 *
 * What reaches the planner from outside is the owner's book (dates,
 * durations, priorities, zones, pauses), the send log and the moment of
 * the run.  A tiny constructor turns the input into those, plans, and
 * checks what must hold for any input:
 *   - items are in send order; sent ones lie in [from, until), inside the
 *     send window of the client's local day;
 *   - a movable one goes on an allowed weekday that is no holiday and at
 *     least min_gap from every other message to the client;
 *   - nothing is sent to a paused or opted-out client;
 *   - no key is planned twice or when the send log already has it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "history.h"
#include "holidays.h"
#include "planner.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

#define MAXC	8
#define MAXR	6
#define NOCC	6

struct rd {
	const uint8_t	*p;
	size_t		 n;
};

static unsigned
u8(struct rd *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static unsigned
u16(struct rd *r)
{
	unsigned hi = u8(r);

	return hi << 8 | u8(r);
}

static const char *const zones[] = {
	"Europe/Berlin", "America/New_York", "Pacific/Auckland",
	"Asia/Kolkata", "UTC", "Australia/Lord_Howe", "America/St_Johns",
	"Pacific/Chatham"
};
static const char *const regions[] = {
	"none", "DE", "DE-BY", "DE-BE", "DE-SN", "DE-TH"
};

static struct tzdb *db;

static struct duration
days_or_months(struct rd *r, unsigned maxd)
{
	struct duration d = { 0, 0 };
	unsigned v = u8(r);

	if (v & 0x80)
		d.months = (int)(v & 0x7f) % 25;
	else
		d.seconds = (int64_t)(v % (maxd + 1)) * DAY_SECONDS;
	return d;
}

static int64_t
day_near(struct rd *r, int64_t base, int span)
{
	return base + (int64_t)(u16(r) % (unsigned)(2 * span + 1)) - span;
}

static struct civil_date
civil(int64_t day)
{
	struct civil_date c;

	timeutil_civil_from_days(day, &c);
	return c;
}

static void
check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static bool
movable(const struct occasion *o)
{
	return o->kind == OCC_AFTER_PROJECT || o->kind == OCC_CASUAL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	struct settings s;
	struct book b;
	struct occasion occ[NOCC];
	struct client cl[MAXC];
	struct project proj[MAXC][2];
	struct duration offs[3];
	char *offtexts[3] = { "a", "b", "c" };
	char ids[MAXC][8], keybuf[MAXC][MAXR][24];
	size_t occl[MAXC][NOCC];
	struct history *h;
	struct plan p = { NULL, 0 };
	struct planner_opts o;
	int64_t base, fromday;
	char *err = NULL;
	size_t nc;

	if (db == NULL)
		db = tzdb_new();
	memset(&s, 0, sizeof(s));
	memset(&b, 0, sizeof(b));
	memset(occ, 0, sizeof(occ));
	memset(cl, 0, sizeof(cl));

	s.window.start = (int)(u8(&r) % 24) * 60;
	s.window.end = s.window.start + 30 + (int)(u8(&r) % 8) * 60;
	if (s.window.end > 1440)
		s.window.end = 1440;
	s.weekdays = u8(&r) & 0x7f;
	if (s.weekdays == 0)
		s.weekdays = WEEKDAYS_MON_FRI;
	holidays_parse_region(regions[u8(&r) % 6], &s.holidays, NULL);
	s.min_gap = days_or_months(&r, 40);
	s.daily_limit = 1 + (int)(u8(&r) % 5);
	s.catch_up = days_or_months(&r, 40);
	s.language = (char *)"de";

	/* 2024-01-01 .. about 2033, so leap years and DST rules vary. */
	base = timeutil_days_from_civil(2024, 1, 1);
	fromday = base + u16(&r) % 3500;

	for (int i = 0; i < 3; i++)
		offs[i] = days_or_months(&r, 200);
	occ[0] = (struct occasion){ .name = "birthday", .kind = OCC_BIRTHDAY,
	    .template = "b", .priority = (int)u8(&r) % 101,
	    .feb29_mar1 = u8(&r) & 1 };
	occ[1] = (struct occasion){ .name = "followup",
	    .kind = OCC_AFTER_PROJECT, .template = "f",
	    .priority = (int)u8(&r) % 101, .offsets = offs,
	    .offset_texts = offtexts, .noffsets = 1 + u8(&r) % 3 };
	occ[2] = (struct occasion){ .name = "checkin", .kind = OCC_CASUAL,
	    .template = "c", .priority = (int)u8(&r) % 101 };
	occ[2].every = days_or_months(&r, 120);
	occ[2].jitter = days_or_months(&r, 30);
	occ[3] = (struct occasion){ .name = "advent", .kind = OCC_YEARLY,
	    .template = "a", .priority = (int)u8(&r) % 101, .has_date = true };
	occ[3].date = civil(timeutil_days_from_civil(2024, 1, 1) +
	    u16(&r) % 366);
	occ[3].date.year = 0;
	occ[4] = (struct occasion){ .name = "jubilee", .kind = OCC_YEARLY,
	    .template = "j", .priority = (int)u8(&r) % 101,
	    .field = "client_since" };
	occ[5] = (struct occasion){ .name = "launch", .kind = OCC_ONCE,
	    .template = "l", .priority = (int)u8(&r) % 101, .has_date = true };
	occ[5].date = civil(day_near(&r, fromday, 60));
	b.occasions = occ;
	b.noccasions = NOCC;
	b.tzdb = db;
	b.sender_tz = tzdb_get(db, zones[u8(&r) % 8], NULL);
	if (b.sender_tz == NULL)
		return 0;

	h = history_new();
	nc = 1 + u8(&r) % MAXC;
	for (size_t i = 0; i < nc; i++) {
		struct client *c = &cl[i];
		unsigned mask = u8(&r), flags = u8(&r);

		/* ids in sorted order, as the book keeps them */
		ids[i][0] = 'c';
		ids[i][1] = (char)('0' + i);
		ids[i][2] = '\0';
		c->id = ids[i];
		c->name = ids[i];
		c->language = "de";
		c->tz = tzdb_get(db, zones[u8(&r) % 8], NULL);
		if (c->tz == NULL)
			c->tz = b.sender_tz;
		c->occasions = occl[i];
		for (size_t k = 0; k < NOCC; k++)
			if (mask & (1u << k))
				c->occasions[c->noccasions++] = k;
		if (flags & 1) {
			c->has_birthday = true;
			c->birthday = civil(day_near(&r, fromday - 365 * 30,
			    365 * 20));
			if (flags & 2)
				c->birthday.year = 0;
			if (u8(&r) % 4 == 0) {	/* 29 February */
				c->birthday.month = 2;
				c->birthday.day = 29;
				if (c->birthday.year != 0)
					c->birthday.year = 1984;
			}
		}
		if (flags & 4) {
			c->has_client_since = true;
			c->client_since = civil(day_near(&r, fromday - 2000,
			    1900));
		}
		if (flags & 8) {
			c->has_last_contact = true;
			c->last_contact = civil(day_near(&r, fromday, 200));
		}
		c->paused = (flags & 0x30) == 0x30;
		if ((flags & 0x30) == 0x10) {
			c->has_paused_until = true;
			c->paused_until = civil(day_near(&r, fromday, 60));
		}
		c->projects = proj[i];
		c->nprojects = u8(&r) % 3;
		for (size_t j = 0; j < c->nprojects; j++) {
			proj[i][j].name = j ? "P2" : "P1";
			proj[i][j].ended = civil(day_near(&r, fromday, 400));
		}
		if (flags & 0x40)
			history_set_first_seen(h, c->id,
			    day_near(&r, fromday, 90) * DAY_SECONDS +
			    u16(&r));
		if (flags & 0x80)
			history_add_touch(h, c->id, day_near(&r, fromday, 90) *
			    DAY_SECONDS);
		if (u8(&r) % 8 == 0)
			history_set_optout(h, c->id, day_near(&r, fromday, 90) *
			    DAY_SECONDS);
		for (size_t k = 0, nr = u8(&r) % MAXR; k < nr; k++) {
			struct history_record rec;
			int64_t due = day_near(&r, fromday, 60) * DAY_SECONDS +
			    (int64_t)u16(&r);
			char d[11];

			timeutil_format_date(due / DAY_SECONDS, d);
			memset(&rec, 0, sizeof(rec));
			rec.occasion = occ[u8(&r) % NOCC].name;
			/* Keys like the planner's, so some collide. */
			snprintf(keybuf[i][k], sizeof(keybuf[i][k]), "%s/%.4s",
			    rec.occasion, d);
			if (u8(&r) & 1)
				snprintf(keybuf[i][k], sizeof(keybuf[i][k]),
				    "%s/%s", rec.occasion, d);
			rec.occurrence = keybuf[i][k];
			rec.status = (enum msg_status)(u8(&r) % 6);
			rec.due = due;
			rec.sent = rec.status == ST_SENT ? due + u8(&r) :
			    HISTORY_NONE;
			history_add_record(h, c->id, &rec);
		}
	}
	b.clients = cl;
	b.nclients = nc;

	memset(&o, 0, sizeof(o));	/* no carried_until, no owner's say */
	o.from = tz_local_to_utc(b.sender_tz, fromday, (int)(u16(&r) % 86400));
	o.until = o.from + (int64_t)(1 + u8(&r) % 120) * DAY_SECONDS;
	o.only_client = NULL;
	if (planner_plan(&s, &b, h, &o, &p, &err) != 0)
		__builtin_trap();

	for (size_t i = 0; i < p.n; i++) {
		const struct plan_item *it = &p.items[i];
		int64_t day;
		int sec;

		check(it->occurrence != NULL && it->note != NULL);
		check(history_client_find(h, history_client(h, it->client->id),
		    it->occurrence) == NULL);
		if (i > 0)
			check(p.items[i - 1].due <= it->due);
		for (size_t j = 0; j < i; j++)
			check(p.items[j].client != it->client ||
			    strcmp(p.items[j].occurrence, it->occurrence) != 0);
		check(it->due < o.until);
		if (it->action != PLAN_SEND)
			continue;
		check(it->due >= o.from);
		tz_utc_to_local(it->client->tz, it->due, &day, &sec);
		check(sec >= s.window.start * 60 - 3600 &&
		    sec < s.window.end * 60 + 3600);
		check(!it->client->paused);
		check(!it->client->has_paused_until ||
		    timeutil_days_from_civil(it->client->paused_until.year,
		    it->client->paused_until.month,
		    it->client->paused_until.day) < day);
		{
			const struct history_client *hc =
			    history_client(h, it->client->id);

			check(hc == NULL || hc->optout == HISTORY_NONE ||
			    hc->optout > it->due);
		}
		if (!movable(it->occasion))
			continue;
		check((s.weekdays & WEEKDAY_BIT(timeutil_weekday(day))) != 0);
		check(!holidays_is_holiday(s.holidays, day, NULL));
		for (size_t j = 0; j < p.n; j++) {
			const struct plan_item *o2 = &p.items[j];
			int64_t d2;
			int s2;

			if (j == i || o2->client != it->client ||
			    o2->action != PLAN_SEND)
				continue;
			tz_utc_to_local(o2->client->tz, o2->due, &d2, &s2);
			if (s.min_gap.months == 0 &&
			    s.min_gap.seconds < DAY_SECONDS)
				continue;
			check(day >= timeutil_days_add(d2, &s.min_gap) ||
			    d2 >= timeutil_days_add(day, &s.min_gap));
		}
	}
	plan_free(&p);
	history_free(h);
	return 0;
}
