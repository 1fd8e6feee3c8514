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

/*
 * Austria: § 7 Abs. 2 Arbeitsruhegesetz, the same thirteen days in every
 * Land.  Easter Sunday 2025-04-20, 2026-04-05, 2027-03-28.
 */
#define AT_HEAD		"01-01 Neujahr\n01-06 Heilige Drei Könige\n"
#define AT_TAIL		"08-15 Mariä Himmelfahrt\n10-26 Nationalfeiertag\n" \
			"11-01 Allerheiligen\n12-08 Mariä Empfängnis\n" \
			"12-25 Weihnachten\n12-26 Stephanstag\n"
#define AT_2025	AT_HEAD "04-21 Ostermontag\n05-01 Staatsfeiertag\n" \
		"05-29 Christi Himmelfahrt\n06-09 Pfingstmontag\n" \
		"06-19 Fronleichnam\n" AT_TAIL
#define AT_2026	AT_HEAD "04-06 Ostermontag\n05-01 Staatsfeiertag\n" \
		"05-14 Christi Himmelfahrt\n05-25 Pfingstmontag\n" \
		"06-04 Fronleichnam\n" AT_TAIL
#define AT_2027	AT_HEAD "03-29 Ostermontag\n05-01 Staatsfeiertag\n" \
		"05-06 Christi Himmelfahrt\n05-17 Pfingstmontag\n" \
		"05-27 Fronleichnam\n" AT_TAIL

static void
test_austria_2025_2026_2027(void **state)
{
	(void)state;
	assert_year("AT", 2025, AT_2025);
	assert_year("AT", 2026, AT_2026);
	assert_year("AT", 2027, AT_2027);
}

static void
test_austrian_laender(void **state)
{
	const char *name = NULL;

	(void)state;
	assert_year("AT-9", 2027, AT_2027);	/* Wien */
	assert_year("AT-2", 2026, AT_2026);	/* Kärnten */
	assert_year("AT-4", 2025, AT_2025);	/* Oberösterreich */
	assert_year("AT-7", 2027, AT_2027);	/* Tirol */
	assert_year("AT-1", 2026, AT_2026);	/* Burgenland */
	assert_year("AT-5", 2026, AT_2026);	/* Salzburg */
	/* Patron days are no statutory days off: Josef 03-19 in Kärnten,
	 * Florian 05-04 in Oberösterreich, Rupert 09-24 in Salzburg, Martin
	 * 11-11 in Burgenland, Leopold 11-15 in Wien; nor 10-10 in Kärnten. */
	assert_false(is_holiday("AT-2", 2027, 3, 19, NULL));
	assert_false(is_holiday("AT-4", 2027, 5, 4, NULL));
	assert_false(is_holiday("AT-5", 2027, 9, 24, NULL));
	assert_false(is_holiday("AT-1", 2027, 11, 11, NULL));
	assert_false(is_holiday("AT-9", 2027, 11, 15, NULL));
	assert_false(is_holiday("AT-2", 2027, 10, 11, NULL));
	/* Karfreitag is no day off for everybody, before 2019 or after. */
	assert_false(is_holiday("AT-9", 2018, 3, 30, NULL));
	assert_false(is_holiday("AT-9", 2019, 4, 19, NULL));
	/* The Nationalfeiertag is a day off since 1967. */
	assert_false(is_holiday("AT", 1966, 10, 26, NULL));
	assert_true(is_holiday("AT", 1967, 10, 26, &name));
	assert_string_equal(name, "Nationalfeiertag");
	/* Germany's Tag der Deutschen Einheit is not Austria's. */
	assert_false(is_holiday("AT", 2027, 10, 3, NULL));
}

/*
 * Switzerland: 1 August and the days each canton treats like Sundays in
 * the whole canton (Art. 20a ArG; the Federal Office of Justice's list of
 * cantonal holidays), names in the canton's language.
 */
static void
test_switzerland_2025_2026_2027(void **state)
{
	(void)state;
	assert_year("CH", 2025, "01-01 Neujahrstag\n05-29 Auffahrt\n"
	    "08-01 Bundesfeiertag\n12-25 Weihnachtstag\n");
	assert_year("CH", 2026, "01-01 Neujahrstag\n05-14 Auffahrt\n"
	    "08-01 Bundesfeiertag\n12-25 Weihnachtstag\n");
	assert_year("CH", 2027, "01-01 Neujahrstag\n05-06 Auffahrt\n"
	    "08-01 Bundesfeiertag\n12-25 Weihnachtstag\n");
	/* 1 August is a federal day off since 1994. */
	assert_false(is_holiday("CH-ZH", 1993, 8, 1, NULL));
	assert_true(is_holiday("CH-ZH", 1994, 8, 1, NULL));
}

/* Zürich: § 1 Ruhetags- und Ladenöffnungsgesetz. */
static void
test_zurich_2026_2027(void **state)
{
	(void)state;
	assert_year("CH-ZH", 2026, "01-01 Neujahrstag\n04-03 Karfreitag\n"
	    "04-06 Ostermontag\n05-01 Tag der Arbeit\n05-14 Auffahrt\n"
	    "05-25 Pfingstmontag\n08-01 Bundesfeiertag\n"
	    "12-25 Weihnachtstag\n12-26 Stephanstag\n");
	assert_year("CH-ZH", 2027, "01-01 Neujahrstag\n03-26 Karfreitag\n"
	    "03-29 Ostermontag\n05-01 Tag der Arbeit\n05-06 Auffahrt\n"
	    "05-17 Pfingstmontag\n08-01 Bundesfeiertag\n"
	    "12-25 Weihnachtstag\n12-26 Stephanstag\n");
}

/* Genève: the Jeûne genevois is the Thursday after the first Sunday of
 * September (2026-09-06, 2027-09-05); the Restauration on 31 December. */
static void
test_geneva_2026_2027(void **state)
{
	(void)state;
	assert_year("CH-GE", 2026, "01-01 Nouvel An\n04-03 Vendredi saint\n"
	    "04-06 Lundi de Pâques\n05-14 Ascension\n"
	    "05-25 Lundi de Pentecôte\n08-01 Fête nationale\n"
	    "09-10 Jeûne genevois\n12-25 Noël\n"
	    "12-31 Restauration de la République\n");
	assert_year("CH-GE", 2027, "01-01 Nouvel An\n03-26 Vendredi saint\n"
	    "03-29 Lundi de Pâques\n05-06 Ascension\n"
	    "05-17 Lundi de Pentecôte\n08-01 Fête nationale\n"
	    "09-09 Jeûne genevois\n12-25 Noël\n"
	    "12-31 Restauration de la République\n");
}

static void
test_bern_lucerne_ticino_2026(void **state)
{
	(void)state;
	assert_year("CH-BE", 2026, "01-01 Neujahrstag\n01-02 Berchtoldstag\n"
	    "04-03 Karfreitag\n04-06 Ostermontag\n05-14 Auffahrt\n"
	    "05-25 Pfingstmontag\n08-01 Bundesfeiertag\n"
	    "12-25 Weihnachtstag\n12-26 Stephanstag\n");
	assert_year("CH-LU", 2026, "01-01 Neujahrstag\n01-02 Berchtoldstag\n"
	    "04-03 Karfreitag\n04-06 Ostermontag\n05-14 Auffahrt\n"
	    "05-25 Pfingstmontag\n06-04 Fronleichnam\n"
	    "08-01 Bundesfeiertag\n08-15 Mariä Himmelfahrt\n"
	    "11-01 Allerheiligen\n12-08 Mariä Empfängnis\n"
	    "12-25 Weihnachtstag\n12-26 Stephanstag\n");
	assert_year("CH-TI", 2026, "01-01 Capodanno\n01-06 Epifania\n"
	    "03-19 San Giuseppe\n04-06 Lunedì di Pasqua\n"
	    "05-01 Festa del lavoro\n05-14 Ascensione\n"
	    "05-25 Lunedì di Pentecoste\n06-04 Corpus Domini\n"
	    "06-29 Santi Pietro e Paolo\n08-01 Festa nazionale\n"
	    "08-15 Assunzione\n11-01 Ognissanti\n"
	    "12-08 Immacolata Concezione\n12-25 Natale\n"
	    "12-26 Santo Stefano\n");
}

/* Vaud: the Monday after the Federal Day of Prayer, the third Sunday of
 * September (2027-09-19).  Glarus: the Näfelser Fahrt, first Thursday of
 * April, a week later when that is Maundy Thursday (2026-04-02). */
static void
test_vaud_glarus(void **state)
{
	const char *name = NULL;

	(void)state;
	assert_year("CH-VD", 2027, "01-01 Nouvel An\n01-02 Saint-Berchtold\n"
	    "03-26 Vendredi saint\n03-29 Lundi de Pâques\n05-06 Ascension\n"
	    "05-17 Lundi de Pentecôte\n08-01 Fête nationale\n"
	    "09-20 Lundi du Jeûne fédéral\n12-25 Noël\n");
	assert_year("CH-GL", 2026, "01-01 Neujahrstag\n04-03 Karfreitag\n"
	    "04-06 Ostermontag\n04-09 Näfelser Fahrt\n05-14 Auffahrt\n"
	    "05-25 Pfingstmontag\n08-01 Bundesfeiertag\n"
	    "11-01 Allerheiligen\n12-25 Weihnachtstag\n"
	    "12-26 Stephanstag\n");
	assert_false(is_holiday("CH-GL", 2026, 4, 2, NULL));
	assert_true(is_holiday("CH-GL", 2027, 4, 1, &name));
	assert_string_equal(name, "Näfelser Fahrt");
	assert_true(is_holiday("CH-GL", 2025, 4, 3, NULL));
	assert_true(is_holiday("CH-VD", 2026, 9, 21, &name));
	assert_string_equal(name, "Lundi du Jeûne fédéral");
}

/* Rules that depend on the weekday. */
static void
test_swiss_weekday_rules(void **state)
{
	const char *name = NULL;

	(void)state;
	/* Neuchâtel: 2 January and 26 December only on a Monday. */
	assert_year("CH-NE", 2023, "01-01 Nouvel An\n01-02 Saint-Berchtold\n"
	    "03-01 Instauration de la République\n04-07 Vendredi saint\n"
	    "04-10 Lundi de Pâques\n05-18 Ascension\n"
	    "05-29 Lundi de Pentecôte\n08-01 Fête nationale\n12-25 Noël\n");
	assert_year("CH-NE", 2026, "01-01 Nouvel An\n"
	    "03-01 Instauration de la République\n04-03 Vendredi saint\n"
	    "04-06 Lundi de Pâques\n05-14 Ascension\n"
	    "05-25 Lundi de Pentecôte\n08-01 Fête nationale\n12-25 Noël\n");
	assert_true(is_holiday("CH-NE", 2022, 12, 26, &name));
	assert_string_equal(name, "Saint-Étienne");
	/* Appenzell and Uri: no 26 December on a Tuesday or Saturday. */
	assert_false(is_holiday("CH-AR", 2026, 12, 26, NULL));	/* Sat */
	assert_false(is_holiday("CH-AI", 2028, 12, 26, NULL));	/* Tue */
	assert_false(is_holiday("CH-UR", 2026, 12, 26, NULL));
	assert_true(is_holiday("CH-AR", 2025, 12, 26, NULL));	/* Fri */
	assert_true(is_holiday("CH-UR", 2027, 12, 26, NULL));	/* Sun */
	/* Zürich keeps it whatever the weekday. */
	assert_true(is_holiday("CH-ZH", 2026, 12, 26, NULL));
	/* Jura: the plebiscite since the canton exists (1979). */
	assert_true(is_holiday("CH-JU", 2027, 6, 23, NULL));
	assert_false(is_holiday("CH-JU", 1978, 6, 23, NULL));
}

static void
test_zones_and_countries(void **state)
{
	(void)state;
	assert_string_equal(holidays_region_name(region("AT-9")), "AT-9");
	assert_string_equal(holidays_region_name(region("CH-ZH")), "CH-ZH");
	assert_string_equal(holidays_region_name(HOLIDAYS_NONE), "none");
	assert_string_equal(holidays_region_country(region("DE-BE")), "DE");
	assert_string_equal(holidays_region_country(region("AT")), "AT");
	assert_string_equal(holidays_region_country(region("CH-GE")), "CH");
	assert_null(holidays_region_country(HOLIDAYS_NONE));
	assert_true(holidays_zone_fits(region("DE-BE"), "Europe/Berlin"));
	assert_true(holidays_zone_fits(region("DE-BW"), "Europe/Busingen"));
	assert_true(holidays_zone_fits(region("AT-9"), "Europe/Vienna"));
	assert_true(holidays_zone_fits(region("CH-GE"), "Europe/Zurich"));
	assert_true(holidays_zone_fits(HOLIDAYS_NONE, "America/New_York"));
	assert_false(holidays_zone_fits(region("DE-BE"), "America/New_York"));
	assert_false(holidays_zone_fits(region("DE"), "Europe/Vienna"));
	assert_false(holidays_zone_fits(region("AT-9"), "Europe/Berlin"));
	assert_false(holidays_zone_fits(region("CH"), "Europe/Paris"));
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
	assert_int_equal(holidays_parse_region("AT-10", &r, &err), -1);
	assert_string_equal(err, "'AT-10' is not a holiday region: use none, "
	    "AT, AT-1, AT-2, AT-3, AT-4, AT-5, AT-6, AT-7, AT-8 or AT-9");
	free(err);
	assert_int_equal(holidays_parse_region("ch-ge", &r, &err), -1);
	assert_string_equal(err, "'ch-ge' is not a holiday region: write it "
	    "as 'CH-GE' (names are case-sensitive; use none, CH, CH-AG, "
	    "CH-AI, CH-AR, CH-BE, CH-BL, CH-BS, CH-FR, CH-GE, CH-GL, CH-GR, "
	    "CH-JU, CH-LU, CH-NE, CH-NW, CH-OW, CH-SG, CH-SH, CH-SO, CH-SZ, "
	    "CH-TG, CH-TI, CH-UR, CH-VD, CH-VS, CH-ZG or CH-ZH)");
	free(err);
	assert_int_equal(holidays_parse_region("FR", &r, &err), -1);
	assert_string_equal(err, "'FR' is not a holiday region: use none, DE, "
	    "DE-BW … DE-TH (the Länder), AT, AT-1 … AT-9 (the Länder), CH "
	    "or CH-AG … CH-ZH (the cantons)");
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
		cmocka_unit_test(test_austria_2025_2026_2027),
		cmocka_unit_test(test_austrian_laender),
		cmocka_unit_test(test_switzerland_2025_2026_2027),
		cmocka_unit_test(test_zurich_2026_2027),
		cmocka_unit_test(test_geneva_2026_2027),
		cmocka_unit_test(test_bern_lucerne_ticino_2026),
		cmocka_unit_test(test_vaud_glarus),
		cmocka_unit_test(test_swiss_weekday_rules),
		cmocka_unit_test(test_zones_and_countries),
		cmocka_unit_test(test_region_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
