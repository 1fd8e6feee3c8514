/*
 * holidays.c - German public holidays, computed for any year.
 *
 * Only holidays that apply across a whole Land are counted.  Left out,
 * because they hold only in some municipalities: Fronleichnam in parts of
 * Sachsen and Thüringen, the Augsburger Friedensfest (8 August, city of
 * Augsburg).  Mariä Himmelfahrt is a holiday in the roughly 1700 Bavarian
 * communities with a Catholic majority, which is most of Bavaria and most
 * of its people; DE-BY counts it, so that nothing movable goes out on a
 * day most Bavarian clients have off.  Ostersonntag and Pfingstsonntag are
 * listed as holidays only by Brandenburg's law; elsewhere (e.g. § 1
 * HFeiertagsG in Hessen) they are protected as Sundays.
 *
 * The rules are those of the present Länder, which exist since 3 October
 * 1990; earlier years are computed by the same rules, apart from the
 * nationwide Buß- und Bettag, which ended after 1994.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "holidays.h"
#include "timeutil.h"
#include "xalloc.h"

enum region {
	R_NONE, R_DE, R_BW, R_BY, R_BE, R_BB, R_HB, R_HH, R_HE, R_MV, R_NI,
	R_NW, R_RP, R_SL, R_SN, R_ST, R_SH, R_TH, R_COUNT
};

static const char *const region_names[R_COUNT] = {
	"none", "DE", "DE-BW", "DE-BY", "DE-BE", "DE-BB", "DE-HB", "DE-HH",
	"DE-HE", "DE-MV", "DE-NI", "DE-NW", "DE-RP", "DE-SL", "DE-SN",
	"DE-ST", "DE-SH", "DE-TH"
};

#define REGION_LIST "none, DE, DE-BW, DE-BY, DE-BE, DE-BB, DE-HB, DE-HH, " \
	"DE-HE, DE-MV, DE-NI, DE-NW, DE-RP, DE-SL, DE-SN, DE-ST, DE-SH or DE-TH"

#define B(r)	(1u << (r))
/* Nationwide: "DE" and every Land. */
#define ALL	(((1u << R_COUNT) - 1) & ~B(R_NONE))

enum when {
	FIXED,		/* month, day */
	EASTER,		/* offset days from Easter Sunday */
	BUSSTAG		/* the Wednesday before 23 November */
};

static const struct holiday {
	const char	*name;
	enum when	 when;
	int		 month, day;	/* FIXED: the date; EASTER: day offset */
	unsigned	 regions;
	int		 from, until;	/* years, inclusive; 0 = open */
} holidays[] = {
	{ "Neujahr", FIXED, 1, 1, ALL, 0, 0 },
	{ "Heilige Drei Könige", FIXED, 1, 6, B(R_BW) | B(R_BY) | B(R_ST),
	    0, 0 },
	{ "Internationaler Frauentag", FIXED, 3, 8, B(R_BE), 2019, 0 },
	{ "Internationaler Frauentag", FIXED, 3, 8, B(R_MV), 2023, 0 },
	{ "Karfreitag", EASTER, 0, -2, ALL, 0, 0 },
	{ "Ostersonntag", EASTER, 0, 0, B(R_BB), 0, 0 },
	{ "Ostermontag", EASTER, 0, 1, ALL, 0, 0 },
	{ "Tag der Arbeit", FIXED, 5, 1, ALL, 0, 0 },
	/* One-off holidays by Berlin law, for the 75th and 80th year. */
	{ "Tag der Befreiung", FIXED, 5, 8, B(R_BE), 2020, 2020 },
	{ "Tag der Befreiung", FIXED, 5, 8, B(R_BE), 2025, 2025 },
	{ "Christi Himmelfahrt", EASTER, 0, 39, ALL, 0, 0 },
	{ "Pfingstsonntag", EASTER, 0, 49, B(R_BB), 0, 0 },
	{ "Pfingstmontag", EASTER, 0, 50, ALL, 0, 0 },
	{ "Fronleichnam", EASTER, 0, 60, B(R_BW) | B(R_BY) | B(R_HE) |
	    B(R_NW) | B(R_RP) | B(R_SL), 0, 0 },
	{ "Mariä Himmelfahrt", FIXED, 8, 15, B(R_BY) | B(R_SL), 0, 0 },
	{ "Weltkindertag", FIXED, 9, 20, B(R_TH), 2019, 0 },
	{ "Tag der Deutschen Einheit", FIXED, 10, 3, ALL, 1990, 0 },
	/* 500 years of the Reformation: once, everywhere. */
	{ "Reformationstag", FIXED, 10, 31, ALL, 2017, 2017 },
	{ "Reformationstag", FIXED, 10, 31, B(R_BB) | B(R_MV) | B(R_SN) |
	    B(R_ST) | B(R_TH), 0, 0 },
	{ "Reformationstag", FIXED, 10, 31, B(R_HB) | B(R_HH) | B(R_NI) |
	    B(R_SH), 2018, 0 },
	{ "Allerheiligen", FIXED, 11, 1, B(R_BW) | B(R_BY) | B(R_NW) |
	    B(R_RP) | B(R_SL), 0, 0 },
	/* Given up in 1995 to fund the care insurance; Sachsen kept it. */
	{ "Buß- und Bettag", BUSSTAG, 0, 0, ALL, 0, 1994 },
	{ "Buß- und Bettag", BUSSTAG, 0, 0, B(R_SN), 0, 0 },
	{ "1. Weihnachtstag", FIXED, 12, 25, ALL, 0, 0 },
	{ "2. Weihnachtstag", FIXED, 12, 26, ALL, 0, 0 },
};

int
holidays_parse_region(const char *s, int *region, char **err)
{
	const char *hint = NULL;
	int r;

	for (r = 0; r < R_COUNT; r++) {
		if (strcmp(s, region_names[r]) == 0) {
			*region = r;
			return 0;
		}
	}
	for (r = 0; r < R_COUNT; r++)
		if (strcasecmp(s, region_names[r]) == 0)
			hint = region_names[r];
	if (err == NULL)
		return -1;
	if (hint != NULL)
		*err = xasprintf("'%s' is not a holiday region: write it as "
		    "'%s' (names are case-sensitive; use " REGION_LIST ")", s,
		    hint);
	else
		*err = xasprintf("'%s' is not a holiday region: use "
		    REGION_LIST, s);
	return -1;
}

int64_t
holidays_easter(int year)
{
	/* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return timeutil_days_from_civil(year, month, day);
}

bool
holidays_is_holiday(int region, int64_t day, const char **name)
{
	const struct holiday *h;
	struct civil_date d;
	int64_t easter = 0;
	bool have_easter = false;
	size_t i;

	if (region <= R_NONE || region >= R_COUNT)
		return false;
	timeutil_civil_from_days(day, &d);
	for (i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++) {
		h = &holidays[i];
		if (!(h->regions & B(region)) ||
		    (h->from != 0 && d.year < h->from) ||
		    (h->until != 0 && d.year > h->until))
			continue;
		switch (h->when) {
		case FIXED:
			if (d.month != h->month || d.day != h->day)
				continue;
			break;
		case EASTER:
			if (d.month < 3 || d.month > 6)
				continue;
			if (!have_easter) {
				easter = holidays_easter(d.year);
				have_easter = true;
			}
			if (day != easter + h->day)
				continue;
			break;
		case BUSSTAG:
			if (d.month != 11 || d.day < 16 || d.day > 22)
				continue;
			/* 16..22 November holds exactly one Wednesday. */
			if (timeutil_weekday(day) != 2)
				continue;
			break;
		}
		if (name != NULL)
			*name = h->name;
		return true;
	}
	return false;
}
