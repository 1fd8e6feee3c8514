/*
 * test_timeutil.c - dates, durations, windows and weekday sets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "timeutil.h"

static int64_t
day(int y, int m, int d)
{
	return timeutil_days_from_civil(y, m, d);
}

/* Asserts that parsing fails with exactly the message want. */
#define assert_duration_error(in, want) do {				\
	struct duration d_;						\
	char *e_ = NULL;						\
	assert_int_equal(timeutil_parse_duration((in), &d_, &e_), -1);	\
	assert_non_null(e_);						\
	assert_string_equal(e_, (want));				\
	free(e_);							\
} while (0)

static void
test_leap_years(void **state)
{
	(void)state;
	assert_true(timeutil_is_leap(2024));
	assert_true(timeutil_is_leap(2000));
	assert_false(timeutil_is_leap(1900));
	assert_false(timeutil_is_leap(2027));
	assert_false(timeutil_is_leap(2100));
	assert_int_equal(timeutil_days_in_month(2024, 2), 29);
	assert_int_equal(timeutil_days_in_month(2027, 2), 28);
	assert_int_equal(timeutil_days_in_month(2027, 4), 30);
	assert_true(timeutil_valid_date(2024, 2, 29));
	assert_false(timeutil_valid_date(2027, 2, 29));
}

static void
test_day_numbers_round_trip(void **state)
{
	struct civil_date d;
	int64_t n;

	(void)state;
	assert_int_equal(day(1970, 1, 1), 0);
	assert_int_equal(day(1969, 12, 31), -1);
	assert_int_equal(day(2000, 3, 1), 11017);
	/* 2027-03-28, the Sunday Europe springs forward. */
	assert_int_equal(day(2027, 3, 28), 20905);
	assert_int_equal(timeutil_weekday(day(2027, 3, 28)), 6);
	assert_string_equal(timeutil_weekday_name(
	    timeutil_weekday(day(1970, 1, 1))), "Thu");
	assert_int_equal(timeutil_weekday(day(1969, 12, 29)), 0);
	for (n = day(1600, 1, 1); n < day(2401, 1, 1); n += 13) {
		timeutil_civil_from_days(n, &d);
		assert_true(timeutil_valid_date(d.year, d.month, d.day));
		assert_int_equal(day(d.year, d.month, d.day), n);
	}
	timeutil_civil_from_days(day(2024, 2, 29), &d);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 29);
	assert_int_equal(timeutil_day_of(-1), -1);
	assert_int_equal(timeutil_day_of(-86400), -1);
	assert_int_equal(timeutil_day_of(-86401), -2);
	assert_int_equal(timeutil_day_of(86399), 0);
}

static void
test_parse_date(void **state)
{
	struct civil_date d;
	char *err = NULL;

	(void)state;
	assert_int_equal(timeutil_parse_date("2024-02-29", &d, &err), 0);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 29);

	assert_int_equal(timeutil_parse_date("2027-02-30", &d, &err), -1);
	assert_string_equal(err,
	    "'2027-02-30' is not a date: February 2027 has 28 days");
	free(err);
	assert_int_equal(timeutil_parse_date("2027-02-29", &d, &err), -1);
	assert_string_equal(err,
	    "'2027-02-29' is not a date: February 2027 has 28 days");
	free(err);
	assert_int_equal(timeutil_parse_date("2027-04-31", &d, &err), -1);
	assert_string_equal(err,
	    "'2027-04-31' is not a date: April 2027 has 30 days");
	free(err);
	assert_int_equal(timeutil_parse_date("2027-13-01", &d, &err), -1);
	assert_string_equal(err,
	    "'2027-13-01' is not a date: the month must be 01 to 12");
	free(err);
	assert_int_equal(timeutil_parse_date("2027-03-00", &d, &err), -1);
	assert_string_equal(err,
	    "'2027-03-00' is not a date: the day must be 01 to 31");
	free(err);
	assert_int_equal(timeutil_parse_date("2027-3-14", &d, &err), -1);
	assert_string_equal(err,
	    "'2027-3-14' is not a date: use YYYY-MM-DD (e.g. 2027-03-14)");
	free(err);
	assert_int_equal(timeutil_parse_date("", &d, NULL), -1);
	assert_int_equal(timeutil_parse_date("2027-03-14 ", &d, NULL), -1);
	assert_int_equal(timeutil_parse_date("14.03.2027", &d, NULL), -1);
	assert_int_equal(timeutil_parse_date("0000-01-01", &d, NULL), -1);
}

static void
test_parse_birthday(void **state)
{
	struct civil_date d;
	char *err = NULL;

	(void)state;
	assert_int_equal(timeutil_parse_birthday("--02-29", &d, &err), 0);
	assert_int_equal(d.year, 0);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 29);
	assert_int_equal(timeutil_parse_birthday("1984-02-29", &d, &err), 0);
	assert_int_equal(d.year, 1984);

	assert_int_equal(timeutil_parse_birthday("1985-02-29", &d, &err), -1);
	assert_string_equal(err,
	    "'1985-02-29' is not a birthday: February 1985 has 28 days");
	free(err);
	assert_int_equal(timeutil_parse_birthday("--02-30", &d, &err), -1);
	assert_string_equal(err,
	    "'--02-30' is not a birthday: February has at most 29 days");
	free(err);
	assert_int_equal(timeutil_parse_birthday("02-29", &d, &err), -1);
	assert_string_equal(err, "'02-29' is not a birthday: use YYYY-MM-DD, "
	    "or --MM-DD when the year is unknown (e.g. 1984-02-29 or "
	    "--02-29)");
	free(err);
	assert_int_equal(timeutil_parse_birthday("--2-29", &d, NULL), -1);
	assert_int_equal(timeutil_parse_birthday("--02-29x", &d, NULL), -1);
}

static void
test_parse_month_day(void **state)
{
	struct civil_date d;
	char *err = NULL;

	(void)state;
	assert_int_equal(timeutil_parse_month_day("12-18", &d, &err), 0);
	assert_int_equal(d.year, 0);
	assert_int_equal(d.month, 12);
	assert_int_equal(d.day, 18);
	assert_int_equal(timeutil_parse_month_day("02-29", &d, &err), 0);
	assert_int_equal(timeutil_parse_month_day("04-31", &d, &err), -1);
	assert_string_equal(err,
	    "'04-31' is not a day of the year: April has at most 30 days");
	free(err);
	assert_int_equal(timeutil_parse_month_day("2027-12-18", &d, &err), -1);
	assert_string_equal(err,
	    "'2027-12-18' is not a day of the year: use MM-DD (e.g. 12-18)");
	free(err);
}

static void
test_parse_datetime(void **state)
{
	int64_t days;
	int sec;
	char *err = NULL;

	(void)state;
	assert_int_equal(timeutil_parse_datetime("2027-03-28", &days, &sec,
	    &err), 0);
	assert_int_equal(days, day(2027, 3, 28));
	assert_int_equal(sec, 0);
	assert_int_equal(timeutil_parse_datetime("2027-03-28T09:30", &days,
	    &sec, &err), 0);
	assert_int_equal(sec, 9 * 3600 + 30 * 60);
	assert_int_equal(timeutil_parse_datetime("2027-03-28 23:59:59", &days,
	    &sec, &err), 0);
	assert_int_equal(sec, 86399);
	assert_int_equal(timeutil_parse_datetime("2027-03-28T24:00", &days,
	    &sec, &err), -1);
	assert_string_equal(err, "'2027-03-28T24:00' is not a date and time: "
	    "the time must be 00:00:00 to 23:59:59");
	free(err);
	assert_int_equal(timeutil_parse_datetime("2027-02-29T09:00", &days,
	    &sec, &err), -1);
	assert_string_equal(err, "'2027-02-29T09:00' is not a date and time: "
	    "February 2027 has 28 days");
	free(err);
	assert_int_equal(timeutil_parse_datetime("2027-03-28T9:00", &days,
	    &sec, NULL), -1);
	assert_int_equal(timeutil_parse_datetime("2027-03-28T09:00:", &days,
	    &sec, NULL), -1);
	assert_int_equal(timeutil_parse_datetime("2027-03-28T09:00Z", &days,
	    &sec, NULL), -1);
}

static void
test_durations_every_unit(void **state)
{
	static const struct {
		const char	*in;
		int64_t		 seconds;
		int		 months;
	} ok[] = {
		{ "30s", 30, 0 }, { "30sec", 30, 0 }, { "5min", 300, 0 },
		{ "2h", 7200, 0 }, { "21d", 21 * 86400, 0 },
		{ "10w", 70 * 86400, 0 }, { "3M", 0, 3 }, { "1month", 0, 1 },
		{ "6months", 0, 6 }, { "1y", 0, 12 }, { "1year", 0, 12 },
		{ "2years", 0, 24 }, { "0s", 0, 0 }, { "5 min", 300, 0 },
		{ "10000y", 0, 120000 },
	};
	struct duration d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(timeutil_parse_duration(ok[i].in, &d, NULL),
		    0);
		assert_int_equal(d.seconds, ok[i].seconds);
		assert_int_equal(d.months, ok[i].months);
	}
	assert_int_equal(timeutil_parse_duration("3M", &d, NULL), 0);
	assert_int_equal(timeutil_duration_seconds(&d), 90 * 86400);
	assert_int_equal(timeutil_parse_duration("21d", &d, NULL), 0);
	assert_int_equal(timeutil_duration_seconds(&d), 21 * 86400);
}

static void
test_durations_bad(void **state)
{
	(void)state;
	assert_duration_error("3x", "'3x' is not a duration: use an integer "
	    "and one of s, min, h, d, w, M, y (e.g. 21d)");
	assert_duration_error("", "'' is not a duration: it is empty; use an "
	    "integer and one of s, min, h, d, w, M, y (e.g. 21d)");
	assert_duration_error("-3d", "'-3d' is not a duration: it must not be "
	    "negative; use an integer and one of s, min, h, d, w, M, y "
	    "(e.g. 21d)");
	assert_duration_error("21", "'21' is not a duration: it needs a unit; "
	    "use an integer and one of s, min, h, d, w, M, y (e.g. 21d)");
	assert_duration_error("5m", "'5m' is not a duration: 'm' could mean "
	    "minutes or months; use min or M");
	assert_duration_error("d", "'d' is not a duration: use an integer and "
	    "one of s, min, h, d, w, M, y (e.g. 21d)");
	assert_duration_error("3 days", "'3 days' is not a duration: use an "
	    "integer and one of s, min, h, d, w, M, y (e.g. 21d)");
	assert_duration_error("1d12h", "'1d12h' is not a duration: use an "
	    "integer and one of s, min, h, d, w, M, y (e.g. 21d)");
	assert_duration_error("99999999999999999999999s", "'9999999999999999"
	    "9999999s' is not a duration: it is longer than 10000 years");
	assert_duration_error("10001y", "'10001y' is not a duration: it is "
	    "longer than 10000 years");
	assert_duration_error(" 3d", "' 3d' is not a duration: use an integer "
	    "and one of s, min, h, d, w, M, y (e.g. 21d)");
	assert_duration_error("+3d", "'+3d' is not a duration: use an integer "
	    "and one of s, min, h, d, w, M, y (e.g. 21d)");
	assert_duration_error("3D", "'3D' is not a duration: use an integer "
	    "and one of s, min, h, d, w, M, y (e.g. 21d)");
}

static void
test_month_clamp(void **state)
{
	struct civil_date d = { 2027, 1, 31 };
	struct duration one_month = { 0, 1 }, one_year = { 0, 12 };
	struct duration fourteen_days = { 14 * 86400, 0 };
	struct duration minus_month = { 0, -1 };

	(void)state;
	/* 2027-01-31 + 1M = 2027-02-28 */
	d = timeutil_date_add(d, &one_month);
	assert_int_equal(d.year, 2027);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 28);
	/* 2024-01-31 + 1M = 2024-02-29 */
	assert_int_equal(timeutil_days_add(day(2024, 1, 31), &one_month),
	    day(2024, 2, 29));
	/* 2024-02-29 + 1y = 2025-02-28 */
	assert_int_equal(timeutil_days_add(day(2024, 2, 29), &one_year),
	    day(2025, 2, 28));
	/* 2026-12-15 + 1M = 2027-01-15 */
	assert_int_equal(timeutil_days_add(day(2026, 12, 15), &one_month),
	    day(2027, 1, 15));
	/* 2027-03-31 - 1M = 2027-02-28 */
	assert_int_equal(timeutil_days_add(day(2027, 3, 31), &minus_month),
	    day(2027, 2, 28));
	/* 2026-10-15 + 14d = 2026-10-29 */
	assert_int_equal(timeutil_days_add(day(2026, 10, 15), &fourteen_days),
	    day(2026, 10, 29));
	/* 2027-01-31T10:00Z + 1M = 2027-02-28T10:00Z */
	assert_int_equal(timeutil_time_add(day(2027, 1, 31) * 86400 + 36000,
	    &one_month), day(2027, 2, 28) * 86400 + 36000);
}

static void
test_formatting(void **state)
{
	char date[11], iso[26];

	(void)state;
	timeutil_format_date(day(2027, 2, 28), date);
	assert_string_equal(date, "2027-02-28");
	timeutil_format_date(day(1969, 12, 31), date);
	assert_string_equal(date, "1969-12-31");
	timeutil_format_iso(day(2027, 2, 28) * 86400 + 8 * 3600, 3600, iso);
	assert_string_equal(iso, "2027-02-28T09:00:00+01:00");
	timeutil_format_iso(day(2027, 3, 20) * 86400 + 13 * 3600, -4 * 3600,
	    iso);
	assert_string_equal(iso, "2027-03-20T09:00:00-04:00");
	timeutil_format_iso(day(2027, 1, 1) * 86400, 5 * 3600 + 1800, iso);
	assert_string_equal(iso, "2027-01-01T05:30:00+05:30");
	timeutil_format_iso(day(2027, 12, 31) * 86400 + 86399, -9 * 3600 - 1800,
	    iso);
	assert_string_equal(iso, "2027-12-31T14:29:59-09:30");
	timeutil_format_date(day(12000, 1, 1), date);	/* clamped */
	assert_string_equal(date, "9999-01-01");
}

/* The digits written by hand agree with gmtime_r() and strftime() over
 * a sweep of instants from 1900 to 2400 and offsets of whole quarters. */
static void
test_formatting_sweep(void **state)
{
	char iso[26], date[11], want[40];

	(void)state;
	for (int64_t t = -2208988800LL; t < 13569465600LL; t += 9876543) {
		for (int off = -12 * 3600; off <= 14 * 3600; off += 3 * 900) {
			time_t local = (time_t)(t + off);
			struct tm tm;
			unsigned a = (unsigned)(off < 0 ? -off : off) / 60;
			size_t n;

			assert_non_null(gmtime_r(&local, &tm));
			n = strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S",
			    &tm);
			snprintf(want + n, sizeof(want) - n, "%c%02u:%02u",
			    off < 0 ? '-' : '+', a / 60, a % 60);
			timeutil_format_iso(t, off, iso);
			assert_string_equal(iso, want);
			timeutil_format_date(timeutil_day_of(t + off), date);
			want[10] = '\0';
			assert_string_equal(date, want);
		}
	}
}

static void
test_windows(void **state)
{
	struct window w;
	char *err = NULL;

	(void)state;
	assert_int_equal(timeutil_parse_window("09:00-17:00", &w, &err), 0);
	assert_int_equal(w.start, 540);
	assert_int_equal(w.end, 1020);
	assert_int_equal(timeutil_parse_window("9:30 - 12:00", &w, &err), 0);
	assert_int_equal(w.start, 570);
	assert_int_equal(timeutil_parse_window("18:00-24:00", &w, &err), 0);
	assert_int_equal(w.end, 1440);

	assert_int_equal(timeutil_parse_window("17:00-09:00", &w, &err), -1);
	assert_string_equal(err, "'17:00-09:00' is not a send window: the "
	    "start must be before the end, within one day (e.g. "
	    "09:00-17:00)");
	free(err);
	assert_int_equal(timeutil_parse_window("09:00-09:00", &w, NULL), -1);
	assert_int_equal(timeutil_parse_window("09:00-25:00", &w, &err), -1);
	assert_string_equal(err, "'09:00-25:00' is not a send window: hours "
	    "go from 00 to 23 and minutes from 00 to 59 (24:00 only as the "
	    "end)");
	free(err);
	assert_int_equal(timeutil_parse_window("09:60-17:00", &w, NULL), -1);
	assert_int_equal(timeutil_parse_window("24:00-24:00", &w, NULL), -1);
	assert_int_equal(timeutil_parse_window("24:30-23:00", &w, NULL), -1);
	assert_int_equal(timeutil_parse_window("9-17", &w, &err), -1);
	assert_string_equal(err, "'9-17' is not a send window: use "
	    "HH:MM-HH:MM in local time (e.g. 09:00-17:00)");
	free(err);
	assert_int_equal(timeutil_parse_window("", &w, NULL), -1);
	assert_int_equal(timeutil_parse_window("09:00-17:00x", &w, NULL), -1);
}

static void
test_weekdays(void **state)
{
	unsigned m;
	char *err = NULL;

	(void)state;
	assert_int_equal(timeutil_parse_weekdays("Mon-Fri", &m, &err), 0);
	assert_int_equal(m, WEEKDAYS_MON_FRI);
	assert_int_equal(timeutil_parse_weekdays("Mon,Wed,Fri", &m, &err), 0);
	assert_int_equal(m, WEEKDAY_BIT(0) | WEEKDAY_BIT(2) | WEEKDAY_BIT(4));
	assert_int_equal(timeutil_parse_weekdays("Sat-Mon", &m, &err), 0);
	assert_int_equal(m, WEEKDAY_BIT(5) | WEEKDAY_BIT(6) | WEEKDAY_BIT(0));
	assert_int_equal(timeutil_parse_weekdays("mon-wed, FRI", &m, &err), 0);
	assert_int_equal(m, 0x17u);
	assert_int_equal(timeutil_parse_weekdays("Tue", &m, &err), 0);
	assert_int_equal(m, WEEKDAY_BIT(1));
	assert_int_equal(timeutil_parse_weekdays("Mon-Sun", &m, &err), 0);
	assert_int_equal(m, 0x7fu);

	assert_int_equal(timeutil_parse_weekdays("Mon-Fre", &m, &err), -1);
	assert_string_equal(err, "'Mon-Fre' is not a set of weekdays: 'Fre' "
	    "is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun, a range "
	    "like Mon-Fri or Sat-Mon, or a list like Mon,Wed,Fri");
	free(err);
	assert_int_equal(timeutil_parse_weekdays("Monday", &m, &err), -1);
	assert_string_equal(err, "'Monday' is not a set of weekdays: 'Monday' "
	    "is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun, a range "
	    "like Mon-Fri or Sat-Mon, or a list like Mon,Wed,Fri");
	free(err);
	assert_int_equal(timeutil_parse_weekdays("", &m, &err), -1);
	assert_string_equal(err, "'' is not a set of weekdays: it is empty; "
	    "use Mon, Tue, Wed, Thu, Fri, Sat or Sun, a range like Mon-Fri "
	    "or Sat-Mon, or a list like Mon,Wed,Fri");
	free(err);
	assert_int_equal(timeutil_parse_weekdays("Mon,,Fri", &m, &err), -1);
	assert_string_equal(err, "'Mon,,Fri' is not a set of weekdays: a day "
	    "is missing; use Mon, Tue, Wed, Thu, Fri, Sat or Sun, a range "
	    "like Mon-Fri or Sat-Mon, or a list like Mon,Wed,Fri");
	free(err);
	assert_int_equal(timeutil_parse_weekdays("Mon-", &m, NULL), -1);
	assert_int_equal(timeutil_parse_weekdays("Mon-Tue-Wed", &m, NULL), -1);
	assert_int_equal(timeutil_parse_weekdays("Mon,", &m, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_day_numbers_round_trip),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_parse_birthday),
		cmocka_unit_test(test_parse_month_day),
		cmocka_unit_test(test_parse_datetime),
		cmocka_unit_test(test_durations_every_unit),
		cmocka_unit_test(test_durations_bad),
		cmocka_unit_test(test_month_clamp),
		cmocka_unit_test(test_formatting),
		cmocka_unit_test(test_formatting_sweep),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_weekdays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
