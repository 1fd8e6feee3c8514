/*
 * bench_planner.c - plans a year for many clients and reports the cost
 * per client, next to a peer measured in the same run: glibc mktime()
 * with TZ=Europe/Berlin, the libc way of turning a local time into an
 * instant.  The ratio says how many mktime() calls one client's year of
 * planning costs.  Prints numbers only; it asserts nothing.
 *
 *	bench_planner [CLIENTS] [ROUNDS]	(default 100000 3)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "book.h"
#include "history.h"
#include "holidays.h"
#include "planner.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static struct civil_date
civil(int64_t day)
{
	struct civil_date c;

	timeutil_civil_from_days(day, &c);
	return c;
}

static double
bench_plan(const struct settings *s, const struct book *b,
    const struct history *h, int64_t from, int rounds, size_t *items)
{
	struct planner_opts o = { .from = from,
	    .until = from + 365 * (int64_t)DAY_SECONDS };
	double best = 0;

	for (int r = 0; r < rounds; r++) {
		struct plan p;
		char *err = NULL;
		double t0 = now_ns(), t;

		if (planner_plan(s, b, h, &o, &p, &err) != 0) {
			fprintf(stderr, "planner: %s\n", err);
			exit(1);
		}
		t = now_ns() - t0;
		*items = p.n;
		plan_free(&p);
		if (r == 0 || t < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	static const char *const zones[] = { "Europe/Berlin", "Europe/Berlin",
	    "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC" };
	struct duration offs[3];
	char *offtexts[3] = { "14d", "3M", "1y" };
	size_t all[5] = { 0, 1, 2, 3, 4 };
	struct occasion occ[5];
	struct settings s;
	struct book b;
	struct client *cl;
	struct project *pj;
	struct history *h;
	struct tzdb *db = tzdb_new();
	int64_t from, fromday;
	double t_lim, t_free, t_mk, t_loop;
	size_t items_lim = 0, items_free = 0;
	volatile long long sink = 0;

	if (n == 0 || rounds < 1) {
		fprintf(stderr, "usage: bench_planner [CLIENTS] [ROUNDS]\n");
		return 2;
	}
	memset(&s, 0, sizeof(s));
	s.window = (struct window){ 9 * 60, 17 * 60 };
	s.weekdays = WEEKDAYS_MON_FRI;
	holidays_parse_region("DE-BY", &s.holidays, NULL);
	timeutil_parse_duration("21d", &s.min_gap, NULL);
	timeutil_parse_duration("3d", &s.catch_up, NULL);
	s.language = "de";

	memset(occ, 0, sizeof(occ));
	for (int i = 0; i < 3; i++)
		timeutil_parse_duration(offtexts[i], &offs[i], NULL);
	occ[0] = (struct occasion){ .name = "birthday", .kind = OCC_BIRTHDAY,
	    .template = "birthday", .priority = 100 };
	occ[1] = (struct occasion){ .name = "followup",
	    .kind = OCC_AFTER_PROJECT, .template = "project-checkin",
	    .priority = 60, .offsets = offs, .offset_texts = offtexts,
	    .noffsets = 3 };
	occ[2] = (struct occasion){ .name = "checkin", .kind = OCC_CASUAL,
	    .template = "how-are-you", .priority = 20 };
	timeutil_parse_duration("10w", &occ[2].every, NULL);
	timeutil_parse_duration("2w", &occ[2].jitter, NULL);
	occ[3] = (struct occasion){ .name = "advent", .kind = OCC_YEARLY,
	    .template = "season", .priority = 80, .date = { 0, 12, 18 },
	    .has_date = true };
	occ[4] = (struct occasion){ .name = "jubilee", .kind = OCC_YEARLY,
	    .template = "jubilee", .priority = 80, .field = "client_since" };

	fromday = timeutil_days_from_civil(2027, 1, 1);
	memset(&b, 0, sizeof(b));
	b.occasions = occ;
	b.noccasions = 5;
	b.tzdb = db;
	b.sender_tz = tzdb_get(db, "Europe/Berlin", NULL);
	from = tz_local_to_utc(b.sender_tz, fromday, 0);
	cl = xcalloc(n, sizeof(*cl));
	pj = xcalloc(n, sizeof(*pj));
	h = history_new();
	for (size_t i = 0; i < n; i++) {
		struct client *c = &cl[i];
		struct history_record r;

		c->id = xasprintf("client-%07zu", i);	/* sorted */
		c->name = c->id;
		c->language = "de";
		c->tz = tzdb_get(db, zones[rnd(6)], NULL);
		c->occasions = all;
		c->noccasions = 5;
		c->has_birthday = true;
		c->birthday = civil(fromday - 365 * 20 - rnd(365 * 40));
		c->has_client_since = true;
		c->client_since = civil(fromday - 30 - rnd(3000));
		c->has_last_contact = rnd(2);
		c->last_contact = civil(fromday - rnd(120));
		pj[i].name = "Projekt";
		pj[i].ended = civil(fromday - 200 + rnd(500));
		c->projects = &pj[i];
		c->nprojects = 1;
		history_set_first_seen(h, c->id, from - 400 * DAY_SECONDS);
		memset(&r, 0, sizeof(r));
		r.occurrence = "advent/2026";
		r.occasion = "advent";
		r.status = ST_SENT;
		r.due = r.sent = tz_local_to_utc(c->tz, fromday - 14, 9 * 3600);
		r.template_file = "season.de.txt";
		history_add_record(h, c->id, &r);
	}
	b.clients = cl;
	b.nclients = n;

	s.daily_limit = 1000000;
	t_free = bench_plan(&s, &b, h, from, rounds, &items_free);
	s.daily_limit = 20;
	t_lim = bench_plan(&s, &b, h, from, rounds, &items_lim);

	/* The peer: as many mktime() calls as clients, 12 per client (one
	 * local time a month), with the zone set through TZ. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	{
		double t0 = now_ns();

		for (size_t i = 0; i < n * 12; i++) {
			struct tm tm;

			memset(&tm, 0, sizeof(tm));
			tm.tm_year = 127;
			tm.tm_mon = (int)(i % 12);
			tm.tm_mday = 1 + (int)(i % 28);
			tm.tm_hour = 9;
			tm.tm_isdst = -1;
			sink += (long long)mktime(&tm);
		}
		t_mk = (now_ns() - t0) / (double)(n * 12);
		t0 = now_ns();
		for (size_t i = 0; i < n * 12; i++)
			sink += (long long)timeutil_days_from_civil(2027,
			    (int)(i % 12) + 1, 1 + (int)(i % 28));
		t_loop = (now_ns() - t0) / (double)(n * 12);
	}

	printf("planner: %zu clients, a year from 2027-01-01, best of %d\n",
	    n, rounds);
	printf("  daily_limit unlimited: %8.0f ns/client  %6.1f ms  "
	    "%zu items\n", t_free / (double)n, t_free / 1e6, items_free);
	printf("  daily_limit 20:        %8.0f ns/client  %6.1f ms  "
	    "%zu items\n", t_lim / (double)n, t_lim / 1e6, items_lim);
	printf("peer: glibc mktime(), TZ=Europe/Berlin: %6.1f ns/call\n",
	    t_mk);
	printf("      timeutil_days_from_civil():       %6.1f ns/call\n",
	    t_loop);
	printf("ratio: one client's year of planning = %.1f mktime() calls "
	    "(unlimited), %.1f (limit 20)\n", t_free / (double)n / t_mk,
	    t_lim / (double)n / t_mk);
	(void)sink;

	for (size_t i = 0; i < n; i++)
		free(cl[i].id);
	free(cl);
	free(pj);
	history_free(h);
	tzdb_free(db);
	return 0;
}
