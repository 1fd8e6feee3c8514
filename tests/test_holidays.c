/*
 * test_holidays.c - German public holidays against the published lists:
 * the yearly tables of statutory holidays per Land (as the Länder and the
 * Bundesministerium des Innern publish them) for 2025, 2026 and 2027,
 * in full for DE, BY, BE, SN, NW and TH, for every other Land in 2026.
 * Holidays of single municipalities (Augsburger Friedensfest,
 * Fronleichnam in parts of Saxony and Thuringia) are not holidays of a
 * Land and are left out; Mariä Himmelfahrt counts for Bavaria.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "holidays.h"
#include "timeutil.h"

static int
region(const char *name)
{
	int r = -1;

	assert_int_equal(holidays_parse_region(name, &r, NULL), 0);
	return r;
}

static bool
is_holiday(const char *reg, int y, int m, int d, const char **name)
{
	return holidays_is_holiday(region(reg), timeutil_days_from_civil(y, m,
	    d), name);
}

/* Every holiday of a year as "MM-DD Name" lines. */
static void
assert_year(const char *reg, int year, const char *want)
{
	struct buf b;
	struct civil_date d;
	int64_t day, end = timeutil_days_from_civil(year + 1, 1, 1);
	const char *name;
	int r = region(reg);

	buf_init(&b);
	buf_adds(&b, "");
	for (day = timeutil_days_from_civil(year, 1, 1); day < end; day++) {
		if (!holidays_is_holiday(r, day, &name))
			continue;
		timeutil_civil_from_days(day, &d);
		buf_addf(&b, "%02d-%02d %s\n", d.month, d.day, name);
	}
	if (strcmp(b.data, want) != 0)
		fail_msg("%s %d:\n%s\nwant:\n%s", reg, year, b.data, want);
	buf_free(&b);
}

#define NEW_YEAR	"01-01 Neujahr\n"
#define MAY_DAY		"05-01 Tag der Arbeit\n"
#define UNITY		"10-03 Tag der Deutschen Einheit\n"
#define CHRISTMAS	"12-25 1. Weihnachtstag\n12-26 2. Weihnachtstag\n"

static void
test_easter_sundays(void **state)
{
	(void)state;
	assert_int_equal(holidays_easter(2025),
	    timeutil_days_from_civil(2025, 4, 20));
	assert_int_equal(holidays_easter(2026),
	    timeutil_days_from_civil(2026, 4, 5));
	assert_int_equal(holidays_easter(2027),
	    timeutil_days_from_civil(2027, 3, 28));
	assert_int_equal(holidays_easter(2000),
	    timeutil_days_from_civil(2000, 4, 23));
	/* The earliest and latest possible dates. */
	assert_int_equal(holidays_easter(2285),
	    timeutil_days_from_civil(2285, 3, 22));
	assert_int_equal(holidays_easter(2038),
	    timeutil_days_from_civil(2038, 4, 25));
}

static void
test_de_2025_2026_2027(void **state)
{
	(void)state;
	assert_year("DE", 2025, NEW_YEAR "04-18 Karfreitag\n04-21 Ostermontag\n"
	    MAY_DAY "05-29 Christi Himmelfahrt\n06-09 Pfingstmontag\n" UNITY
	    CHRISTMAS);
	assert_year("DE", 2026, NEW_YEAR "04-03 Karfreitag\n04-06 Ostermontag\n"
	    MAY_DAY "05-14 Christi Himmelfahrt\n05-25 Pfingstmontag\n" UNITY
	    CHRISTMAS);
	assert_year("DE", 2027, NEW_YEAR "03-26 Karfreitag\n03-29 Ostermontag\n"
	    MAY_DAY "05-06 Christi Himmelfahrt\n05-17 Pfingstmontag\n" UNITY
	    CHRISTMAS);
}

static void
test_bavaria_2025_2026_2027(void **state)
{
	(void)state;
	assert_year("DE-BY", 2025, NEW_YEAR "01-06 Heilige Drei Könige\n"
	    "04-18 Karfreitag\n04-21 Ostermontag\n" MAY_DAY
	    "05-29 Christi Himmelfahrt\n06-09 Pfingstmontag\n"
	    "06-19 Fronleichnam\n08-15 Mariä Himmelfahrt\n" UNITY
	    "11-01 Allerheiligen\n" CHRISTMAS);
	assert_year("DE-BY", 2026, NEW_YEAR "01-06 Heilige Drei Könige\n"
	    "04-03 Karfreitag\n04-06 Ostermontag\n" MAY_DAY
	    "05-14 Christi Himmelfahrt\n05-25 Pfingstmontag\n"
	    "06-04 Fronleichnam\n08-15 Mariä Himmelfahrt\n" UNITY
	    "11-01 Allerheiligen\n" CHRISTMAS);
	assert_year("DE-BY", 2027, NEW_YEAR "01-06 Heilige Drei Könige\n"
	    "03-26 Karfreitag\n03-29 Ostermontag\n" MAY_DAY
	    "05-06 Christi Himmelfahrt\n05-17 Pfingstmontag\n"
	    "05-27 Fronleichnam\n08-15 Mariä Himmelfahrt\n" UNITY
	    "11-01 Allerheiligen\n" CHRISTMAS);
}

static void
test_berlin_2025_2026_2027(void **state)
{
	(void)state;
	assert_year("DE-BE", 2025, NEW_YEAR "03-08 Internationaler Frauentag\n"
	    "04-18 Karfreitag\n04-21 Ostermontag\n" MAY_DAY
	    "05-08 Tag der Befreiung\n05-29 Christi Himmelfahrt\n"
	    "06-09 Pfingstmontag\n" UNITY CHRISTMAS);
	assert_year("DE-BE", 2026, NEW_YEAR "03-08 Internationaler Frauentag\n"
	    "04-03 Karfreitag\n04-06 Ostermontag\n" MAY_DAY
	    "05-14 Christi Himmelfahrt\n05-25 Pfingstmontag\n" UNITY
	    CHRISTMAS);
	assert_year("DE-BE", 2027, NEW_YEAR "03-08 Internationaler Frauentag\n"
	    "03-26 Karfreitag\n03-29 Ostermontag\n" MAY_DAY
	    "05-06 Christi Himmelfahrt\n05-17 Pfingstmontag\n" UNITY
	    CHRISTMAS);
}

static void
test_saxony_2025_2026_2027(void **state)
{
	(void)state;
	assert_year("DE-SN", 2025, NEW_YEAR "04-18 Karfreitag\n"
	    "04-21 Ostermontag\n" MAY_DAY "05-29 Christi Himmelfahrt\n"
	    "06-09 Pfingstmontag\n" UNITY "10-31 Reformationstag\n"
	    "11-19 Buß- und Bettag\n" CHRISTMAS);
	assert_year("DE-SN", 2026, NEW_YEAR "04-03 Karfreitag\n"
	    "04-06 Ostermontag\n" MAY_DAY "05-14 Christi Himmelfahrt\n"
	    "05-25 Pfingstmontag\n" UNITY "10-31 Reformationstag\n"
	    "11-18 Buß- und Bettag\n" CHRISTMAS);
	assert_year("DE-SN", 2027, NEW_YEAR "03-26 Karfreitag\n"
	    "03-29 Ostermontag\n" MAY_DAY "05-06 Christi Himmelfahrt\n"
	    "05-17 Pfingstmontag\n" UNITY "10-31 Reformationstag\n"
	    "11-17 Buß- und Bettag\n" CHRISTMAS);
}

static void
test_north_rhine_westphalia_2025_2026_2027(void **state)
{
	(void)state;
	assert_year("DE-NW", 2025, NEW_YEAR "04-18 Karfreitag\n"
	    "04-21 Ostermontag\n" MAY_DAY "05-29 Christi Himmelfahrt\n"
	    "06-09 Pfingstmontag\n06-19 Fronleichnam\n" UNITY
	    "11-01 Allerheiligen\n" CHRISTMAS);
	assert_year("DE-NW", 2026, NEW_YEAR "04-03 Karfreitag\n"
	    "04-06 Ostermontag\n" MAY_DAY "05-14 Christi Himmelfahrt\n"
	    "05-25 Pfingstmontag\n06-04 Fronleichnam\n" UNITY
	    "11-01 Allerheiligen\n" CHRISTMAS);
	assert_year("DE-NW", 2027, NEW_YEAR "03-26 Karfreitag\n"
	    "03-29 Ostermontag\n" MAY_DAY "05-06 Christi Himmelfahrt\n"
	    "05-17 Pfingstmontag\n05-27 Fronleichnam\n" UNITY
	    "11-01 Allerheiligen\n" CHRISTMAS);
}

static void
test_thuringia_2025_2026_2027(void **state)
{
	(void)state;
	assert_year("DE-TH", 2025, NEW_YEAR "04-18 Karfreitag\n"
	    "04-21 Ostermontag\n" MAY_DAY "05-29 Christi Himmelfahrt\n"
	    "06-09 Pfingstmontag\n09-20 Weltkindertag\n" UNITY
	    "10-31 Reformationstag\n" CHRISTMAS);
	assert_year("DE-TH", 2026, NEW_YEAR "04-03 Karfreitag\n"
	    "04-06 Ostermontag\n" MAY_DAY "05-14 Christi Himmelfahrt\n"
	    "05-25 Pfingstmontag\n09-20 Weltkindertag\n" UNITY
	    "10-31 Reformationstag\n" CHRISTMAS);
	assert_year("DE-TH", 2027, NEW_YEAR "03-26 Karfreitag\n"
	    "03-29 Ostermontag\n" MAY_DAY "05-06 Christi Himmelfahrt\n"
	    "05-17 Pfingstmontag\n09-20 Weltkindertag\n" UNITY
	    "10-31 Reformationstag\n" CHRISTMAS);
}

/* 2026, the remaining Länder in full: Easter Sunday 2026-04-05, so
 * Karfreitag 04-03, Ostermontag 04-06, Christi Himmelfahrt 05-14,
 * Pfingstsonntag 05-24, Pfingstmontag 05-25, Fronleichnam 06-04; Buß- und
 * Bettag is only in Saxony. */
#define EASTER_2026	"04-03 Karfreitag\n04-06 Ostermontag\n"
#define ASCENSION_2026	"05-14 Christi Himmelfahrt\n"
#define WHIT_2026	"05-25 Pfingstmontag\n"
#define REFORMATION	"10-31 Reformationstag\n"

static void
test_remaining_laender_2026(void **state)
{
	(void)state;
	assert_year("DE-BW", 2026, NEW_YEAR "01-06 Heilige Drei Könige\n"
	    EASTER_2026 MAY_DAY ASCENSION_2026 WHIT_2026
	    "06-04 Fronleichnam\n" UNITY "11-01 Allerheiligen\n" CHRISTMAS);
	assert_year("DE-BB", 2026, NEW_YEAR "04-03 Karfreitag\n"
	    "04-05 Ostersonntag\n04-06 Ostermontag\n" MAY_DAY ASCENSION_2026
	    "05-24 Pfingstsonntag\n" WHIT_2026 UNITY REFORMATION CHRISTMAS);
	assert_year("DE-HB", 2026, NEW_YEAR EASTER_2026 MAY_DAY ASCENSION_2026
	    WHIT_2026 UNITY REFORMATION CHRISTMAS);
	assert_year("DE-HH", 2026, NEW_YEAR EASTER_2026 MAY_DAY ASCENSION_2026
	    WHIT_2026 UNITY REFORMATION CHRISTMAS);
	assert_year("DE-HE", 2026, NEW_YEAR EASTER_2026 MAY_DAY ASCENSION_2026
	    WHIT_2026 "06-04 Fronleichnam\n" UNITY CHRISTMAS);
	assert_year("DE-MV", 2026, NEW_YEAR "03-08 Internationaler Frauentag\n"
	    EASTER_2026 MAY_DAY ASCENSION_2026 WHIT_2026 UNITY REFORMATION
	    CHRISTMAS);
	assert_year("DE-NI", 2026, NEW_YEAR EASTER_2026 MAY_DAY ASCENSION_2026
	    WHIT_2026 UNITY REFORMATION CHRISTMAS);
	assert_year("DE-RP", 2026, NEW_YEAR EASTER_2026 MAY_DAY ASCENSION_2026
	    WHIT_2026 "06-04 Fronleichnam\n" UNITY "11-01 Allerheiligen\n"
	    CHRISTMAS);
	assert_year("DE-SL", 2026, NEW_YEAR EASTER_2026 MAY_DAY ASCENSION_2026
	    WHIT_2026 "06-04 Fronleichnam\n08-15 Mariä Himmelfahrt\n" UNITY
	    "11-01 Allerheiligen\n" CHRISTMAS);
	assert_year("DE-ST", 2026, NEW_YEAR "01-06 Heilige Drei Könige\n"
	    EASTER_2026 MAY_DAY ASCENSION_2026 WHIT_2026 UNITY REFORMATION
	    CHRISTMAS);
	assert_year("DE-SH", 2026, NEW_YEAR EASTER_2026 MAY_DAY ASCENSION_2026
	    WHIT_2026 UNITY REFORMATION CHRISTMAS);
}

static void
test_epiphany_2027_01_06_bavaria_not_nrw(void **state)
{
	const char *name = NULL;

	(void)state;
	assert_true(is_holiday("DE-BY", 2027, 1, 6, &name));
	assert_string_equal(name, "Heilige Drei Könige");
	assert_false(is_holiday("DE-NW", 2027, 1, 6, NULL));
	assert_false(is_holiday("DE", 2027, 1, 6, NULL));
	assert_true(is_holiday("DE-BW", 2027, 1, 6, NULL));
	assert_true(is_holiday("DE-ST", 2027, 1, 6, NULL));
	assert_false(holidays_is_holiday(HOLIDAYS_NONE,
	    timeutil_days_from_civil(2027, 1, 1), NULL));
}

static void
test_holidays_by_year_introduced(void **state)
{
	const char *name = NULL;

	(void)state;
	/* Reformationstag 2017-10-31: everywhere, once */
	assert_true(is_holiday("DE", 2017, 10, 31, &name));
	assert_string_equal(name, "Reformationstag");
	assert_true(is_holiday("DE-BY", 2017, 10, 31, NULL));
	assert_false(is_holiday("DE-BY", 2018, 10, 31, NULL));
	assert_false(is_holiday("DE", 2016, 10, 31, NULL));
	/* in the north from 2018, in the east always */
	assert_false(is_holiday("DE-HH", 2016, 10, 31, NULL));
	assert_true(is_holiday("DE-HH", 2018, 10, 31, NULL));
	assert_true(is_holiday("DE-NI", 2027, 10, 31, NULL));
	assert_true(is_holiday("DE-BB", 2016, 10, 31, NULL));
	/* Frauentag 03-08: Berlin from 2019, Mecklenburg from 2023 */
	assert_false(is_holiday("DE-BE", 2018, 3, 8, NULL));
	assert_true(is_holiday("DE-BE", 2019, 3, 8, NULL));
	assert_false(is_holiday("DE-MV", 2022, 3, 8, NULL));
	assert_true(is_holiday("DE-MV", 2023, 3, 8, NULL));
	/* Weltkindertag 09-20 in Thüringen from 2019 */
	assert_false(is_holiday("DE-TH", 2018, 9, 20, NULL));
	assert_true(is_holiday("DE-TH", 2019, 9, 20, NULL));
	/* Tag der Befreiung in Berlin: 2020-05-08 and 2025-05-08 only */
	assert_true(is_holiday("DE-BE", 2020, 5, 8, NULL));
	assert_false(is_holiday("DE-BE", 2021, 5, 8, NULL));
	assert_false(is_holiday("DE-BE", 2026, 5, 8, NULL));
	assert_false(is_holiday("DE-BB", 2025, 5, 8, NULL));
	/* Buß- und Bettag: nationwide until 1994-11-16 */
	assert_true(is_holiday("DE-HE", 1994, 11, 16, NULL));
	assert_false(is_holiday("DE-HE", 1995, 11, 22, NULL));
	assert_true(is_holiday("DE-SN", 1995, 11, 22, NULL));
	/* 2026-11-18 and 2027-11-17, Wednesdays before 23 November */
	assert_true(is_holiday("DE-SN", 2026, 11, 18, &name));
	assert_string_equal(name, "Buß- und Bettag");
	assert_true(is_holiday("DE-SN", 2027, 11, 17, NULL));
	assert_false(is_holiday("DE-SN", 2027, 11, 24, NULL));
	/* 2022-11-16: 23 November is itself a Wednesday that year */
	assert_true(is_holiday("DE-SN", 2022, 11, 16, NULL));
	assert_false(is_holiday("DE-SN", 2022, 11, 23, NULL));
}

static void
test_other_laender_2027(void **state)
{
	const char *name = NULL;

	(void)state;
	/* Ostersonntag 2027-03-28 and Pfingstsonntag 2027-05-16: BB only */
	assert_true(is_holiday("DE-BB", 2027, 3, 28, &name));
	assert_string_equal(name, "Ostersonntag");
	assert_true(is_holiday("DE-BB", 2027, 5, 16, &name));
	assert_string_equal(name, "Pfingstsonntag");
	assert_false(is_holiday("DE-HE", 2027, 3, 28, NULL));
	assert_false(is_holiday("DE", 2027, 5, 16, NULL));
	/* Fronleichnam 2027-05-27 */
	assert_true(is_holiday("DE-HE", 2027, 5, 27, NULL));
	assert_true(is_holiday("DE-RP", 2027, 5, 27, NULL));
	assert_true(is_holiday("DE-SL", 2027, 5, 27, NULL));
	assert_false(is_holiday("DE-SN", 2027, 5, 27, NULL));
	assert_false(is_holiday("DE-TH", 2027, 5, 27, NULL));
	/* Mariä Himmelfahrt 2027-08-15 */
	assert_true(is_holiday("DE-SL", 2027, 8, 15, &name));
	assert_string_equal(name, "Mariä Himmelfahrt");
	assert_false(is_holiday("DE-BW", 2027, 8, 15, NULL));
	/* Allerheiligen 2027-11-01 */
	assert_true(is_holiday("DE-RP", 2027, 11, 1, NULL));
	assert_false(is_holiday("DE-HB", 2027, 11, 1, NULL));
	/* A plain Tuesday, 2027-03-30, is nowhere a holiday. */
	assert_false(is_holiday("DE-BY", 2027, 3, 30, NULL));
}

static void
test_region_names(void **state)
{
	static const char *const names[] = {
		"none", "DE", "DE-BW", "DE-BY", "DE-BE", "DE-BB", "DE-HB",
		"DE-HH", "DE-HE", "DE-MV", "DE-NI", "DE-NW", "DE-RP", "DE-SL",
		"DE-SN", "DE-ST", "DE-SH", "DE-TH",
	};
	char *err = NULL;
	size_t i;
	int r;

	(void)state;
	int seen[sizeof(names) / sizeof(names[0])];

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(holidays_parse_region(names[i], &r, &err), 0);
		for (size_t j = 0; j < i; j++)	/* each name its own region */
			assert_int_not_equal(seen[j], r);
		seen[i] = r;
	}
	assert_int_equal(region("none"), HOLIDAYS_NONE);
	assert_int_equal(holidays_parse_region("DE-XX", &r, &err), -1);
	assert_string_equal(err, "'DE-XX' is not a holiday region: use none, "
	    "DE, DE-BW, DE-BY, DE-BE, DE-BB, DE-HB, DE-HH, DE-HE, DE-MV, "
	    "DE-NI, DE-NW, DE-RP, DE-SL, DE-SN, DE-ST, DE-SH or DE-TH");
	free(err);
	assert_int_equal(holidays_parse_region("de-by", &r, &err), -1);
	assert_string_equal(err, "'de-by' is not a holiday region: write it "
	    "as 'DE-BY' (names are case-sensitive; use none, DE, DE-BW, "
	    "DE-BY, DE-BE, DE-BB, DE-HB, DE-HH, DE-HE, DE-MV, DE-NI, DE-NW, "
	    "DE-RP, DE-SL, DE-SN, DE-ST, DE-SH or DE-TH)");
	free(err);
	assert_int_equal(holidays_parse_region("", &r, NULL), -1);
	assert_int_equal(holidays_parse_region("BY", &r, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_easter_sundays),
		cmocka_unit_test(test_de_2025_2026_2027),
		cmocka_unit_test(test_bavaria_2025_2026_2027),
		cmocka_unit_test(test_berlin_2025_2026_2027),
		cmocka_unit_test(test_saxony_2025_2026_2027),
		cmocka_unit_test(test_north_rhine_westphalia_2025_2026_2027),
		cmocka_unit_test(test_thuringia_2025_2026_2027),
		cmocka_unit_test(test_remaining_laender_2026),
		cmocka_unit_test(test_epiphany_2027_01_06_bavaria_not_nrw),
		cmocka_unit_test(test_holidays_by_year_introduced),
		cmocka_unit_test(test_other_laender_2027),
		cmocka_unit_test(test_region_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
