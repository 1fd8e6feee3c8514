/*
 * timeutil.h - civil dates, durations, send windows and weekday sets.
 *
 * Pure functions: no clock reads, no globals, no locale.  A "day number"
 * counts days since 1970-01-01 (proleptic Gregorian, may be negative).
 * An instant is seconds since the epoch in UTC (int64_t).
 *
 * Parsers return 0 on success and -1 on bad input; on failure, when err is
 * not NULL, *err receives an allocated sentence saying what would be valid
 * (e.g. "'2027-02-30' is not a date: February 2027 has 28 days").
 */
#ifndef TOUCHBASE_TIMEUTIL_H
#define TOUCHBASE_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define DAY_SECONDS	86400

/* year == 0 means "year unknown" (a birthday written --MM-DD). */
struct civil_date {
	int	year;
	int	month;		/* 1..12 */
	int	day;		/* 1..31 */
};

/* A duration of the systemd.time(7) units of the SPEC: s, min, h, d, w
 * go into seconds; M/month and y/year go into months (calendar months,
 * the day clamped to the month's end).  Only one term, e.g. "21d". */
struct duration {
	int64_t	seconds;
	int	months;
};

/* A send window in minutes after local midnight, start < end. */
struct window {
	int	start;		/* 0..1439 */
	int	end;		/* 1..1440 */
};

/* Weekday numbering: 0 = Monday … 6 = Sunday; sets are bit masks. */
#define WEEKDAY_BIT(wd)	(1u << (wd))
#define WEEKDAYS_MON_FRI 0x1fu

bool	 timeutil_is_leap(int year);
int	 timeutil_days_in_month(int year, int month);
bool	 timeutil_valid_date(int year, int month, int day);
int64_t	 timeutil_days_from_civil(int year, int month, int day);
void	 timeutil_civil_from_days(int64_t days, struct civil_date *out);
int	 timeutil_weekday(int64_t days);		/* 0 = Monday */
/* "Mon" … "Sun". */
const char *timeutil_weekday_name(int wd);
/* floor(t / 86400), correct for negative t. */
int64_t	 timeutil_day_of(int64_t utc);

/* "YYYY-MM-DD", a real date. */
int	 timeutil_parse_date(const char *s, struct civil_date *out, char **err);
/* "YYYY-MM-DD" or "--MM-DD" (year 0); --02-29 is allowed. */
int	 timeutil_parse_birthday(const char *s, struct civil_date *out,
	    char **err);
/* "MM-DD" (year 0), a day that exists in some year. */
int	 timeutil_parse_month_day(const char *s, struct civil_date *out,
	    char **err);
/* "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" or "YYYY-MM-DD HH:MM[:SS]"
 * as a local date-time: *days and *sec (seconds after midnight). */
int	 timeutil_parse_datetime(const char *s, int64_t *days, int *sec,
	    char **err);
int	 timeutil_parse_duration(const char *s, struct duration *out,
	    char **err);
/* "09:00-17:00". */
int	 timeutil_parse_window(const char *s, struct window *out, char **err);
/* "Mon-Fri", "Mon,Wed,Fri", "Sat-Mon" (wraps), "Mon-Wed,Fri". */
int	 timeutil_parse_weekdays(const char *s, unsigned *mask, char **err);

/* Date arithmetic.  Adding months clamps the day to the month's end
 * (01-31 + 1M = 02-28); seconds are added as whole days (truncated). */
struct civil_date timeutil_date_add(struct civil_date d,
	    const struct duration *dur);
int64_t	 timeutil_days_add(int64_t days, const struct duration *dur);
/* An instant plus a duration; months are calendar months in UTC. */
int64_t	 timeutil_time_add(int64_t utc, const struct duration *dur);
/* A duration's nominal length in seconds (a month counts 30 days). */
int64_t	 timeutil_duration_seconds(const struct duration *dur);

/* Formats "YYYY-MM-DD" into out (at least 11 bytes). */
void	 timeutil_format_date(int64_t days, char out[static 11]);
/* Formats an instant with a UTC offset in seconds as ISO 8601,
 * "2027-02-28T09:00:00+01:00" (at least 26 bytes). */
void	 timeutil_format_iso(int64_t utc, int offset, char out[static 26]);

#endif
