/*
 * cmd_holidays.c - `touchbase holidays`: the public holidays touchbase
 * keeps free in a region, so the owner can check what it believes.
 *
 * The region defaults to [schedule] holidays, the year to the current one
 * in the schedule's time zone; with both given no configuration is read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "holidays.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define HOLIDAYS_USAGE \
	"usage: touchbase [-c FILE] holidays [--region R] [--year Y]\n" \
	"                 [--format table|json|ics]\n"

enum holidays_format { FMT_TABLE, FMT_JSON, FMT_ICS };

static const char *const holidays_formats[] = {
	"table", "json", "ics", NULL
};

struct hday {
	int64_t		 day;
	const char	*name;
};

struct hlist {
	struct hday	 days[64];
	size_t		 n;
	const char	*region;
};

static void
holidays_collect(int region, int year, struct hlist *l)
{
	int64_t day = timeutil_days_from_civil(year, 1, 1);
	int64_t end = timeutil_days_from_civil(year + 1, 1, 1);
	const char *name;

	l->n = 0;
	l->region = holidays_region_name(region);
	for (; day < end && l->n < sizeof(l->days) / sizeof(l->days[0]);
	    day++)
		if (holidays_is_holiday(region, day, &name))
			l->days[l->n++] = (struct hday){ day, name };
}

static const char *const holidays_fields[] = {
	"date", "weekday", "name", "region"
};

static char *
holidays_field(const void *ctx, size_t row, size_t i, bool *number)
{
	const struct hlist *l = ctx;
	char d[11];

	*number = false;
	switch (i) {
	case 0:
		timeutil_format_date(l->days[row].day, d);
		return xstrdup(d);
	case 1:
		return xstrdup(timeutil_weekday_name(timeutil_weekday(
		    l->days[row].day)));
	case 2:
		return xstrdup(l->days[row].name);
	default:
		return xstrdup(l->region);
	}
}

static void
holidays_table(const struct hlist *l, int year)
{
	char d[11];

	printf("%s %d: %zu public holiday%s kept free\n", l->region, year,
	    l->n, l->n == 1 ? "" : "s");
	for (size_t i = 0; i < l->n; i++) {
		timeutil_format_date(l->days[i].day, d);
		printf("%s  %s  %s\n", d, timeutil_weekday_name(
		    timeutil_weekday(l->days[i].day)), l->days[i].name);
	}
}

static void
holidays_ics(const struct hlist *l, int year, int64_t now)
{
	struct buf b, v;
	struct civil_date c;
	char stamp[32], start[16], end[16];

	buf_init(&b);
	buf_init(&v);
	timeutil_civil_from_days(timeutil_day_of(now), &c);
	snprintf(stamp, sizeof(stamp), "%04d%02d%02dT%02d%02d%02dZ", c.year,
	    c.month, c.day, (int)(now - timeutil_day_of(now) * DAY_SECONDS) /
	    3600, (int)(now % 3600) / 60, (int)(now % 60));
	cmd_ics_prop(&b, "BEGIN", "VCALENDAR", false);
	cmd_ics_prop(&b, "VERSION", "2.0", false);
	cmd_ics_prop(&b, "PRODID", "-//touchbase//touchbase "
	    TOUCHBASE_VERSION "//EN", false);
	cmd_ics_prop(&b, "CALSCALE", "GREGORIAN", false);
	buf_addf(&v, "touchbase holidays %s %d", l->region, year);
	cmd_ics_prop(&b, "X-WR-CALNAME", v.data, true);
	for (size_t i = 0; i < l->n; i++) {
		timeutil_civil_from_days(l->days[i].day, &c);
		snprintf(start, sizeof(start), "%04d%02d%02d", c.year, c.month,
		    c.day);
		timeutil_civil_from_days(l->days[i].day + 1, &c);
		snprintf(end, sizeof(end), "%04d%02d%02d", c.year, c.month,
		    c.day);
		cmd_ics_prop(&b, "BEGIN", "VEVENT", false);
		buf_reset(&v);
		buf_addf(&v, "%s.%s@touchbase", start, l->region);
		cmd_ics_prop(&b, "UID", v.data, true);
		cmd_ics_prop(&b, "DTSTAMP", stamp, false);
		cmd_ics_prop(&b, "DTSTART;VALUE=DATE", start, false);
		cmd_ics_prop(&b, "DTEND;VALUE=DATE", end, false);
		buf_reset(&v);
		buf_addf(&v, "%s (%s)", l->days[i].name, l->region);
		cmd_ics_prop(&b, "SUMMARY", v.data, true);
		cmd_ics_prop(&b, "TRANSP", "TRANSPARENT", false);
		cmd_ics_prop(&b, "END", "VEVENT", false);
	}
	cmd_ics_prop(&b, "END", "VCALENDAR", false);
	buf_free(&b);
	buf_free(&v);
}

static int
holidays_parse_year(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1583 || v > 9999) {
		fprintf(stderr, "touchbase holidays: --year: '%s' is not a "
		    "year from 1583 to 9999\n", s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* The schedule's region and the current year in its zone, from config;
 * -1 after printing the problems. */
static int
holidays_defaults(const char *config, int64_t now, int *region, int *year)
{
	struct settings *s = NULL;
	struct tzdb *db;
	const struct tz *z;
	struct civil_date c;
	struct diag d;
	int64_t day;
	int sec, rc = -1;

	diag_init(&d);
	if (settings_load(config, &s, &d) == -1) {
		diag_print(&d, stderr);
		fprintf(stderr, "touchbase holidays: %s has errors; run "
		    "'touchbase check', or give --region and --year\n", config);
		diag_free(&d);
		return -1;
	}
	db = tzdb_new();
	if ((z = tzdb_get(db, s->timezone, NULL)) != NULL) {
		tz_utc_to_local(z, now, &day, &sec);
		timeutil_civil_from_days(day, &c);
		if (*year == 0)
			*year = c.year;
		if (*region == -1)
			*region = s->holidays;
		rc = 0;
	}
	tzdb_free(db);
	settings_free(s);
	diag_free(&d);
	return rc;
}

int
cmd_holidays(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "year", required_argument, NULL, 'y' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *fmt = "table";
	struct hlist l;
	int64_t now = time(NULL);
	char *err = NULL;
	int ch, region = -1, year = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (holidays_parse_region(optarg, &region, &err) == -1) {
				fprintf(stderr, "touchbase holidays: --region: "
				    "%s\n", err);
				free(err);
				return 2;
			}
			break;
		case 'y':
			if (holidays_parse_year(optarg, &year) == -1)
				return 2;
			break;
		case 'f':
			fmt = optarg;
			break;
		case 'h':
			printf(HOLIDAYS_USAGE
			    "Lists the public holidays on which nothing "
			    "movable is sent in region R\n"
			    "(default: [schedule] holidays) in year Y "
			    "(default: this year), with their\n"
			    "names in the region's language.\n");
			return 0;
		default:
			fprintf(stderr, HOLIDAYS_USAGE);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "touchbase holidays: unexpected argument '%s'\n"
		    HOLIDAYS_USAGE, argv[optind]);
		return 2;
	}
	if ((ch = cmd_parse_format("holidays", fmt, holidays_formats)) == -1)
		return 2;
	if ((region == -1 || year == 0) &&
	    holidays_defaults(config, now, &region, &year) == -1)
		return 1;
	holidays_collect(region, year, &l);
	switch ((enum holidays_format)ch) {
	case FMT_TABLE:
		holidays_table(&l, year);
		break;
	case FMT_JSON:
		cmd_print_json(stdout, holidays_fields, 4, l.n, holidays_field,
		    &l);
		break;
	case FMT_ICS:
		holidays_ics(&l, year, now);
		break;
	}
	return cmd_flush_stdout("holidays");
}
