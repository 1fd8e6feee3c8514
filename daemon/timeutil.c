/*
 * timeutil.c - civil dates, durations, send windows and weekday sets.
 *
 * The calendar arithmetic follows Howard Hinnant's days_from_civil /
 * civil_from_days (eras of 400 years), which is exact for the proleptic
 * Gregorian calendar and needs no tables.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timeutil.h"
#include "xalloc.h"

#define DURATION_HELP	"use an integer and one of s, min, h, d, w, M, y " \
			"(e.g. 21d)"
#define WEEKDAYS_HELP	"use Mon, Tue, Wed, Thu, Fri, Sat or Sun, a range " \
			"like Mon-Fri or Sat-Mon, or a list like Mon,Wed,Fri"
#define WINDOW_HELP	"use HH:MM-HH:MM in local time (e.g. 09:00-17:00)"

/* Durations stop at 10000 years so that adding one to any date or
 * instant the daemon handles cannot overflow. */
#define DURATION_MAX_MONTHS	(10000LL * 12)
#define DURATION_MAX_SECONDS	(10000LL * 366 * DAY_SECONDS)

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

static const char *const weekday_names[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

static void
set_err(char **err, char *msg)
{
	if (err != NULL)
		*err = msg;
	else
		free(msg);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

bool
timeutil_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
timeutil_days_in_month(int year, int month)
{
	static const int dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && timeutil_is_leap(year))
		return 29;
	return dim[month - 1];
}

bool
timeutil_valid_date(int year, int month, int day)
{
	return month >= 1 && month <= 12 && day >= 1 &&
	    day <= timeutil_days_in_month(year, month);
}

int64_t
timeutil_days_from_civil(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;			/* [0, 399] */
	int64_t mp = (month + 9) % 12;			/* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + day - 1;	/* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
timeutil_civil_from_days(int64_t days, struct civil_date *out)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;			/* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t month = mp < 10 ? mp + 3 : mp - 9;

	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (int)month;
	out->year = (int)(yoe + era * 400 + (month <= 2));
}

int
timeutil_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(days + 3 - floor_div(days + 3, 7) * 7);
}

const char *
timeutil_weekday_name(int wd)
{
	if (wd < 0 || wd > 6)
		return "???";
	return weekday_names[wd];
}

int64_t
timeutil_day_of(int64_t utc)
{
	return floor_div(utc, DAY_SECONDS);
}

/* Exactly n ASCII digits (isdigit() would follow the locale). */
static bool
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * Checks month and day, with year 0 meaning "some year" (a leap year, so
 * that --02-29 passes).  Returns NULL or the reason, to follow "is not
 * a date: ".
 */
static char *
date_problem(int year, int month, int day, bool year_known)
{
	int dim;

	if (month < 1 || month > 12)
		return xasprintf("the month must be 01 to 12");
	dim = timeutil_days_in_month(year_known ? year : 2000, month);
	if (day >= 1 && day <= dim)
		return NULL;
	if (day < 1)
		return xasprintf("the day must be 01 to %02d", dim);
	if (!year_known)
		return xasprintf("%s has at most %d days",
		    month_names[month - 1], dim);
	return xasprintf("%s %d has %d days", month_names[month - 1], year,
	    dim);
}

/* "YYYY-MM-DD" at s; sets *end past it.  Only the shape is checked. */
static bool
scan_ymd(const char *s, struct civil_date *d, const char **end)
{
	if (!digits(s, 4, &d->year) || s[4] != '-' ||
	    !digits(s + 5, 2, &d->month) || s[7] != '-' ||
	    !digits(s + 8, 2, &d->day))
		return false;
	*end = s + 10;
	return true;
}

static int
check_ymd(const char *s, const char *what, struct civil_date *d, char **err)
{
	char *why;

	if (d->year == 0) {
		set_err(err, xasprintf("'%s' is not %s: years start at 0001",
		    s, what));
		return -1;
	}
	if ((why = date_problem(d->year, d->month, d->day, true)) != NULL) {
		set_err(err, xasprintf("'%s' is not %s: %s", s, what, why));
		free(why);
		return -1;
	}
	return 0;
}

int
timeutil_parse_date(const char *s, struct civil_date *out, char **err)
{
	struct civil_date d;
	const char *end;

	if (!scan_ymd(s, &d, &end) || *end != '\0') {
		set_err(err, xasprintf("'%s' is not a date: use YYYY-MM-DD "
		    "(e.g. 2027-03-14)", s));
		return -1;
	}
	if (check_ymd(s, "a date", &d, err) == -1)
		return -1;
	*out = d;
	return 0;
}

/* "MM-DD" at s, year unknown; what names the thing for messages. */
static int
parse_md(const char *s, const char *whole, const char *what,
    const char *help, struct civil_date *out, char **err)
{
	struct civil_date d = { 0, 0, 0 };
	char *why;

	if (!digits(s, 2, &d.month) || s[2] != '-' ||
	    !digits(s + 3, 2, &d.day) || s[5] != '\0') {
		set_err(err, xasprintf("'%s' is not %s: %s", whole, what,
		    help));
		return -1;
	}
	if ((why = date_problem(0, d.month, d.day, false)) != NULL) {
		set_err(err, xasprintf("'%s' is not %s: %s", whole, what, why));
		free(why);
		return -1;
	}
	*out = d;
	return 0;
}

int
timeutil_parse_birthday(const char *s, struct civil_date *out, char **err)
{
	static const char help[] =
	    "use YYYY-MM-DD, or --MM-DD when the year is unknown "
	    "(e.g. 1984-02-29 or --02-29)";
	struct civil_date d;
	const char *end;

	if (s[0] == '-' && s[1] == '-')
		return parse_md(s + 2, s, "a birthday", help, out, err);
	if (!scan_ymd(s, &d, &end) || *end != '\0') {
		set_err(err, xasprintf("'%s' is not a birthday: %s", s, help));
		return -1;
	}
	if (check_ymd(s, "a birthday", &d, err) == -1)
		return -1;
	*out = d;
	return 0;
}

int
timeutil_parse_month_day(const char *s, struct civil_date *out, char **err)
{
	return parse_md(s, s, "a day of the year",
	    "use MM-DD (e.g. 12-18)", out, err);
}

int
timeutil_parse_datetime(const char *s, int64_t *days, int *sec, char **err)
{
	struct civil_date d;
	const char *p;
	int h = 0, m = 0, ss = 0;

	if (!scan_ymd(s, &d, &p))
		goto bad;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &m))
			goto bad;
		p += 5;
		if (*p == ':') {
			if (!digits(p + 1, 2, &ss))
				goto bad;
			p += 3;
		}
	}
	if (*p != '\0')
		goto bad;
	if (check_ymd(s, "a date and time", &d, err) == -1)
		return -1;
	if (h > 23 || m > 59 || ss > 59) {
		set_err(err, xasprintf("'%s' is not a date and time: the time "
		    "must be 00:00:00 to 23:59:59", s));
		return -1;
	}
	*days = timeutil_days_from_civil(d.year, d.month, d.day);
	*sec = h * 3600 + m * 60 + ss;
	return 0;
bad:
	set_err(err, xasprintf("'%s' is not a date and time: use YYYY-MM-DD, "
	    "YYYY-MM-DDTHH:MM[:SS] or YYYY-MM-DD HH:MM[:SS] "
	    "(e.g. 2027-03-14T09:30)", s));
	return -1;
}

int
timeutil_parse_duration(const char *s, struct duration *out, char **err)
{
	static const struct {
		const char	*name;
		int64_t		 seconds;
		int		 months;
	} units[] = {
		{ "s", 1, 0 }, { "sec", 1, 0 }, { "min", 60, 0 },
		{ "h", 3600, 0 }, { "d", DAY_SECONDS, 0 },
		{ "w", 7 * DAY_SECONDS, 0 },
		{ "M", 0, 1 }, { "month", 0, 1 }, { "months", 0, 1 },
		{ "y", 0, 12 }, { "year", 0, 12 }, { "years", 0, 12 },
	};
	const char *p = s;
	int64_t n = 0;
	size_t i;

	if (*p == '\0') {
		set_err(err, xasprintf("'' is not a duration: it is empty; "
		    DURATION_HELP));
		return -1;
	}
	if (*p == '-') {
		set_err(err, xasprintf("'%s' is not a duration: it must not be "
		    "negative; " DURATION_HELP, s));
		return -1;
	}
	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > DURATION_MAX_SECONDS)
			goto too_large;
	}
	/* systemd.time(7) allows "5 min". */
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		set_err(err, xasprintf("'%s' is not a duration: it needs a "
		    "unit; " DURATION_HELP, s));
		return -1;
	}
	if (strcmp(p, "m") == 0) {
		set_err(err, xasprintf("'%s' is not a duration: 'm' could mean "
		    "minutes or months; use min or M", s));
		return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].name) != 0)
			continue;
		if (n * units[i].seconds > DURATION_MAX_SECONDS ||
		    n * units[i].months > DURATION_MAX_MONTHS)
			goto too_large;
		out->seconds = n * units[i].seconds;
		out->months = (int)(n * units[i].months);
		return 0;
	}
bad:
	set_err(err, xasprintf("'%s' is not a duration: " DURATION_HELP, s));
	return -1;
too_large:
	set_err(err, xasprintf("'%s' is not a duration: it is longer than "
	    "10000 years", s));
	return -1;
}

/*
 * "H:MM" or "HH:MM" at s, minutes after midnight; 24:00 is accepted here
 * and refused by the caller where it cannot be.  Returns the end of the
 * time, or NULL.
 */
static const char *
scan_hhmm(const char *s, int *minutes, bool *range_ok)
{
	int h, m, n;

	if (digits(s, 2, &h))
		n = 2;
	else if (digits(s, 1, &h))
		n = 1;
	else
		return NULL;
	if (s[n] != ':' || !digits(s + n + 1, 2, &m))
		return NULL;
	*range_ok = m <= 59 && (h <= 23 || (h == 24 && m == 0));
	*minutes = h * 60 + m;
	return s + n + 3;
}

int
timeutil_parse_window(const char *s, struct window *out, char **err)
{
	const char *p = s;
	bool ok_start, ok_end;
	int start, end;

	if ((p = scan_hhmm(p, &start, &ok_start)) == NULL)
		goto bad;
	while (*p == ' ')
		p++;
	if (*p++ != '-')
		goto bad;
	while (*p == ' ')
		p++;
	if ((p = scan_hhmm(p, &end, &ok_end)) == NULL || *p != '\0')
		goto bad;
	if (!ok_start || !ok_end || start == 24 * 60) {
		set_err(err, xasprintf("'%s' is not a send window: hours go "
		    "from 00 to 23 and minutes from 00 to 59 (24:00 only as "
		    "the end)", s));
		return -1;
	}
	if (start >= end) {
		set_err(err, xasprintf("'%s' is not a send window: the start "
		    "must be before the end, within one day (e.g. "
		    "09:00-17:00)", s));
		return -1;
	}
	out->start = start;
	out->end = end;
	return 0;
bad:
	set_err(err, xasprintf("'%s' is not a send window: " WINDOW_HELP, s));
	return -1;
}

/* A three-letter English day name at s, any case; -1 if none. */
static int
weekday_at(const char *s, size_t len)
{
	int wd;

	if (len != 3)
		return -1;
	for (wd = 0; wd < 7; wd++)
		if (strncasecmp(s, weekday_names[wd], 3) == 0)
			return wd;
	return -1;
}

static void
trim(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

int
timeutil_parse_weekdays(const char *s, unsigned *mask, char **err)
{
	const char *tok = s, *comma, *end, *dash, *b, *e;
	unsigned m = 0;
	int from, to, wd;

	for (;;) {
		comma = strchr(tok, ',');
		end = comma != NULL ? comma : tok + strlen(tok);
		b = tok;
		e = end;
		trim(&b, &e);
		if (b == e) {
			set_err(err, xasprintf("'%s' is not a set of weekdays: "
			    "%s; " WEEKDAYS_HELP, s, *s == '\0' ?
			    "it is empty" : "a day is missing"));
			return -1;
		}
		dash = memchr(b, '-', (size_t)(e - b));
		if (dash == NULL) {
			dash = e;
			from = to = weekday_at(b, (size_t)(e - b));
		} else {
			const char *b2 = dash + 1, *e1 = dash;

			trim(&b, &e1);
			trim(&b2, &e);
			from = weekday_at(b, (size_t)(e1 - b));
			to = weekday_at(b2, (size_t)(e - b2));
			if (from == -1)
				e = e1;
			else if (to != -1)
				e = dash;
			else
				b = b2;
		}
		if (from == -1 || to == -1) {
			set_err(err, xasprintf("'%s' is not a set of weekdays: "
			    "'%.*s' is not a day; " WEEKDAYS_HELP, s,
			    (int)(e - b), b));
			return -1;
		}
		/* A range may wrap past Sunday: Sat-Mon. */
		for (wd = from;; wd = (wd + 1) % 7) {
			m |= WEEKDAY_BIT(wd);
			if (wd == to)
				break;
		}
		if (comma == NULL)
			break;
		tok = comma + 1;
	}
	*mask = m;
	return 0;
}

struct civil_date
timeutil_date_add(struct civil_date d, const struct duration *dur)
{
	int64_t months, days;
	int dim;

	if (dur->months != 0) {
		months = (int64_t)d.year * 12 + (d.month - 1) + dur->months;
		d.year = (int)floor_div(months, 12);
		d.month = (int)(months - (int64_t)d.year * 12) + 1;
		dim = timeutil_days_in_month(d.year, d.month);
		if (d.day > dim)
			d.day = dim;
	}
	if (dur->seconds / DAY_SECONDS != 0) {
		days = timeutil_days_from_civil(d.year, d.month, d.day) +
		    dur->seconds / DAY_SECONDS;
		timeutil_civil_from_days(days, &d);
	}
	return d;
}

int64_t
timeutil_days_add(int64_t days, const struct duration *dur)
{
	struct civil_date d;

	timeutil_civil_from_days(days, &d);
	d = timeutil_date_add(d, dur);
	return timeutil_days_from_civil(d.year, d.month, d.day);
}

int64_t
timeutil_time_add(int64_t utc, const struct duration *dur)
{
	int64_t day = timeutil_day_of(utc);
	int64_t sec = utc - day * DAY_SECONDS;
	struct duration months = { 0, dur->months };

	if (dur->months != 0)
		day = timeutil_days_add(day, &months);
	return day * DAY_SECONDS + sec + dur->seconds;
}

int64_t
timeutil_duration_seconds(const struct duration *dur)
{
	return dur->seconds + (int64_t)dur->months * 30 * DAY_SECONDS;
}

/* Years outside 0..9999 do not fit "YYYY"; they are clamped rather than
 * overflowing the caller's buffer. */
static unsigned
year4(int year)
{
	return year < 0 ? 0 : year > 9999 ? 9999 : (unsigned)year;
}

/* Writes v as width decimal digits with leading zeros at p; returns the
 * end.  The formatters below run once per row of a year's preview:
 * plain digits instead of snprintf(). */
static char *
put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* YYYY-MM-DD of d at p (10 characters, no NUL); returns the end. */
static char *
put_date(char *p, const struct civil_date *d)
{
	p = put_digits(p, year4(d->year), 4);
	*p++ = '-';
	p = put_digits(p, (unsigned)d->month % 100, 2);
	*p++ = '-';
	return put_digits(p, (unsigned)d->day % 100, 2);
}

void
timeutil_format_date(int64_t days, char out[static 11])
{
	struct civil_date d;

	timeutil_civil_from_days(days, &d);
	*put_date(out, &d) = '\0';
}

void
timeutil_format_iso(int64_t utc, int offset, char out[static 26])
{
	int64_t local = utc + offset, day = timeutil_day_of(local);
	unsigned sec = (unsigned)(local - day * DAY_SECONDS) % DAY_SECONDS;
	unsigned off = (unsigned)((offset < 0 ? -(int64_t)offset : offset) /
	    60 % (100 * 60));
	struct civil_date d;
	char *p;

	timeutil_civil_from_days(day, &d);
	p = put_date(out, &d);
	*p++ = 'T';
	p = put_digits(p, sec / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sec / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sec % 60, 2);
	*p++ = offset < 0 ? '-' : '+';
	p = put_digits(p, off / 60, 2);
	*p++ = ':';
	p = put_digits(p, off % 60, 2);
	*p = '\0';
}
