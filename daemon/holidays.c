/*
 * holidays.c - public holidays of Germany, Austria and Switzerland,
 * computed for any year from rules: fixed dates, Easter, weekdays.
 *
 * Germany.  Only holidays that apply across a whole Land are counted.
 * Left out, because they hold only in some municipalities: Fronleichnam
 * in parts of Sachsen and Thüringen, the Augsburger Friedensfest (8
 * August, city of Augsburg).  Mariä Himmelfahrt is a holiday in the
 * roughly 1700 Bavarian communities with a Catholic majority, which is
 * most of Bavaria and most of its people; DE-BY counts it, so that nothing
 * movable goes out on a day most Bavarian clients have off.  Ostersonntag
 * and Pfingstsonntag are listed as holidays only by Brandenburg's law;
 * elsewhere (e.g. § 1 HFeiertagsG in Hessen) they are protected as
 * Sundays.  The rules are those of the present Länder, which exist since
 * 3 October 1990; earlier years are computed by the same rules, apart
 * from the nationwide Buß- und Bettag, which ended after 1994.
 *
 * Austria.  The thirteen Feiertage of § 7 Abs. 2 Arbeitsruhegesetz, with
 * the law's names, the same in every Land.  The Nationalfeiertag (26
 * October) is a day off since 1967.  Karfreitag is not counted: until 2018
 * it was a day off only for members of the Protestant, Old Catholic and
 * Methodist churches (§ 7 Abs. 3, repealed in 2019), never for everybody.
 * The Länder's patron days (Josef, Florian, Rupert, Martin, Leopold) and
 * 10 October in Kärnten are not statutory days off and are not counted.
 *
 * Switzerland.  1 August (a day off by the Federal Constitution since
 * 1994) and, per canton, the days treated like Sundays (Art. 20a ArG) as
 * the Federal Office of Justice lists the cantonal holidays: only days
 * kept in the whole canton, only full days.  Left out: half days (e.g.
 * the afternoon of 1 May in Solothurn), days kept only in some parts of a
 * canton (the Catholic feasts in Catholic communes of Aargau, Fribourg,
 * Solothurn, Glarus or St. Gallen; Karfreitag in Protestant parts of
 * Graubünden and Valais; Berchtoldstag where only custom keeps it) and
 * days a canton merely allows (Sechseläuten, Knabenschiessen, Christmas
 * Eve).  Weekday rules as the cantons write them: Neuchâtel keeps 2
 * January and 26 December only when they fall on a Monday; Appenzell
 * Ausserrhoden, Appenzell Innerrhoden and Uri do not keep 26 December
 * when it falls on a Tuesday or a Saturday.  The canton of Jura exists
 * since 1979; its holidays are computed for earlier years too, its
 * Commémoration du plébiscite from 1979.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "holidays.h"
#include "timeutil.h"
#include "xalloc.h"

enum region {
	R_NONE,
	R_DE, R_BW, R_BY, R_BE, R_BB, R_HB, R_HH, R_HE, R_MV, R_NI, R_NW,
	R_RP, R_SL, R_SN, R_ST, R_SH, R_TH,
	R_AT, R_AT1, R_AT2, R_AT3, R_AT4, R_AT5, R_AT6, R_AT7, R_AT8, R_AT9,
	R_CH, C_AG, C_AI, C_AR, C_BE, C_BL, C_BS, C_FR, C_GE, C_GL, C_GR,
	C_JU, C_LU, C_NE, C_NW, C_OW, C_SG, C_SH, C_SO, C_SZ, C_TG, C_TI,
	C_UR, C_VD, C_VS, C_ZG, C_ZH,
	R_COUNT
};

static const char *const region_names[R_COUNT] = {
	"none",
	"DE", "DE-BW", "DE-BY", "DE-BE", "DE-BB", "DE-HB", "DE-HH",
	"DE-HE", "DE-MV", "DE-NI", "DE-NW", "DE-RP", "DE-SL", "DE-SN",
	"DE-ST", "DE-SH", "DE-TH",
	"AT", "AT-1", "AT-2", "AT-3", "AT-4", "AT-5", "AT-6", "AT-7", "AT-8",
	"AT-9",
	"CH", "CH-AG", "CH-AI", "CH-AR", "CH-BE", "CH-BL", "CH-BS", "CH-FR",
	"CH-GE", "CH-GL", "CH-GR", "CH-JU", "CH-LU", "CH-NE", "CH-NW",
	"CH-OW", "CH-SG", "CH-SH", "CH-SO", "CH-SZ", "CH-TG", "CH-TI",
	"CH-UR", "CH-VD", "CH-VS", "CH-ZG", "CH-ZH"
};

static const struct country {
	const char	*code;
	int		 first, last;	/* regions, inclusive */
} countries[] = {
	{ "DE", R_DE, R_TH },
	{ "AT", R_AT, R_AT9 },
	{ "CH", R_CH, C_ZH },
};

#define B(r)		(UINT64_C(1) << (r))
#define SPAN(a, z)	((B(z) << 1) - B(a))
#define DE_ALL		SPAN(R_DE, R_TH)
#define AT_ALL		SPAN(R_AT, R_AT9)
/* Cantons by the language of their holidays' names (CH: German). */
#define CH_FRENCH	(B(C_FR) | B(C_GE) | B(C_JU) | B(C_NE) | B(C_VD) | \
			 B(C_VS))
#define CH_ITALIAN	B(C_TI)
#define CH_GERMAN	(SPAN(R_CH, C_ZH) & ~CH_FRENCH & ~CH_ITALIAN)

enum when {
	FIXED,		/* month, day */
	EASTER,		/* day: offset from Easter Sunday */
	NTH,		/* the day-th weekday wday of month, plus off days */
	BUSSTAG,	/* the Wednesday before 23 November */
	NAEFELS		/* first Thursday of April, not in Holy Week */
};

#define ON(m, d)		FIXED, m, d, 0, 0
#define EAS(o)			EASTER, 0, o, 0, 0
#define NTH_OF(m, n, wd, o)	NTH, m, n, wd, o
#define MON	0
#define TUE	1
#define SAT	5
#define SUN	6

static const struct holiday {
	const char	*name;
	enum when	 when;
	int		 month, day, wday, off;
	uint64_t	 regions;
	int		 from, until;	/* years, inclusive; 0 = open */
	unsigned	 only;		/* weekdays it is kept on; 0 = any */
} holidays[] = {
	/* Germany */
	{ "Neujahr", ON(1, 1), DE_ALL, 0, 0, 0 },
	{ "Heilige Drei Könige", ON(1, 6), B(R_BW) | B(R_BY) | B(R_ST),
	    0, 0, 0 },
	{ "Internationaler Frauentag", ON(3, 8), B(R_BE), 2019, 0, 0 },
	{ "Internationaler Frauentag", ON(3, 8), B(R_MV), 2023, 0, 0 },
	{ "Karfreitag", EAS(-2), DE_ALL, 0, 0, 0 },
	{ "Ostersonntag", EAS(0), B(R_BB), 0, 0, 0 },
	{ "Ostermontag", EAS(1), DE_ALL, 0, 0, 0 },
	{ "Tag der Arbeit", ON(5, 1), DE_ALL, 0, 0, 0 },
	/* One-off holidays by Berlin law, for the 75th and 80th year. */
	{ "Tag der Befreiung", ON(5, 8), B(R_BE), 2020, 2020, 0 },
	{ "Tag der Befreiung", ON(5, 8), B(R_BE), 2025, 2025, 0 },
	{ "Christi Himmelfahrt", EAS(39), DE_ALL, 0, 0, 0 },
	{ "Pfingstsonntag", EAS(49), B(R_BB), 0, 0, 0 },
	{ "Pfingstmontag", EAS(50), DE_ALL, 0, 0, 0 },
	{ "Fronleichnam", EAS(60), B(R_BW) | B(R_BY) | B(R_HE) | B(R_NW) |
	    B(R_RP) | B(R_SL), 0, 0, 0 },
	{ "Mariä Himmelfahrt", ON(8, 15), B(R_BY) | B(R_SL), 0, 0, 0 },
	{ "Weltkindertag", ON(9, 20), B(R_TH), 2019, 0, 0 },
	{ "Tag der Deutschen Einheit", ON(10, 3), DE_ALL, 1990, 0, 0 },
	/* 500 years of the Reformation: once, everywhere. */
	{ "Reformationstag", ON(10, 31), DE_ALL, 2017, 2017, 0 },
	{ "Reformationstag", ON(10, 31), B(R_BB) | B(R_MV) | B(R_SN) |
	    B(R_ST) | B(R_TH), 0, 0, 0 },
	{ "Reformationstag", ON(10, 31), B(R_HB) | B(R_HH) | B(R_NI) |
	    B(R_SH), 2018, 0, 0 },
	{ "Allerheiligen", ON(11, 1), B(R_BW) | B(R_BY) | B(R_NW) |
	    B(R_RP) | B(R_SL), 0, 0, 0 },
	/* Given up in 1995 to fund the care insurance; Sachsen kept it. */
	{ "Buß- und Bettag", BUSSTAG, 0, 0, 0, 0, DE_ALL, 0, 1994, 0 },
	{ "Buß- und Bettag", BUSSTAG, 0, 0, 0, 0, B(R_SN), 0, 0, 0 },
	{ "1. Weihnachtstag", ON(12, 25), DE_ALL, 0, 0, 0 },
	{ "2. Weihnachtstag", ON(12, 26), DE_ALL, 0, 0, 0 },

	/* Austria: § 7 Abs. 2 ARG */
	{ "Neujahr", ON(1, 1), AT_ALL, 0, 0, 0 },
	{ "Heilige Drei Könige", ON(1, 6), AT_ALL, 0, 0, 0 },
	{ "Ostermontag", EAS(1), AT_ALL, 0, 0, 0 },
	{ "Staatsfeiertag", ON(5, 1), AT_ALL, 0, 0, 0 },
	{ "Christi Himmelfahrt", EAS(39), AT_ALL, 0, 0, 0 },
	{ "Pfingstmontag", EAS(50), AT_ALL, 0, 0, 0 },
	{ "Fronleichnam", EAS(60), AT_ALL, 0, 0, 0 },
	{ "Mariä Himmelfahrt", ON(8, 15), AT_ALL, 0, 0, 0 },
	{ "Nationalfeiertag", ON(10, 26), AT_ALL, 1967, 0, 0 },
	{ "Allerheiligen", ON(11, 1), AT_ALL, 0, 0, 0 },
	{ "Mariä Empfängnis", ON(12, 8), AT_ALL, 0, 0, 0 },
	{ "Weihnachten", ON(12, 25), AT_ALL, 0, 0, 0 },
	{ "Stephanstag", ON(12, 26), AT_ALL, 0, 0, 0 },

	/* Switzerland */
	{ "Neujahrstag", ON(1, 1), CH_GERMAN, 0, 0, 0 },
	{ "Nouvel An", ON(1, 1), CH_FRENCH, 0, 0, 0 },
	{ "Capodanno", ON(1, 1), CH_ITALIAN, 0, 0, 0 },
	{ "Berchtoldstag", ON(1, 2), B(C_BE) | B(C_LU) | B(C_TG), 0, 0, 0 },
	{ "Saint-Berchtold", ON(1, 2), B(C_JU) | B(C_VD), 0, 0, 0 },
	{ "Saint-Berchtold", ON(1, 2), B(C_NE), 0, 0, WEEKDAY_BIT(MON) },
	{ "Heilige Drei Könige", ON(1, 6), B(C_SZ) | B(C_UR), 0, 0, 0 },
	{ "Epifania", ON(1, 6), B(C_TI), 0, 0, 0 },
	{ "Instauration de la République", ON(3, 1), B(C_NE), 0, 0, 0 },
	{ "Josefstag", ON(3, 19), B(C_NW) | B(C_SZ) | B(C_UR), 0, 0, 0 },
	{ "Saint-Joseph", ON(3, 19), B(C_VS), 0, 0, 0 },
	{ "San Giuseppe", ON(3, 19), B(C_TI), 0, 0, 0 },
	{ "Näfelser Fahrt", NAEFELS, 4, 0, 0, 0, B(C_GL), 0, 0, 0 },
	{ "Karfreitag", EAS(-2), B(C_AG) | B(C_AI) | B(C_AR) | B(C_BE) |
	    B(C_BL) | B(C_BS) | B(C_GL) | B(C_LU) | B(C_NW) | B(C_OW) |
	    B(C_SG) | B(C_SH) | B(C_SO) | B(C_SZ) | B(C_TG) | B(C_UR) |
	    B(C_ZG) | B(C_ZH), 0, 0, 0 },
	{ "Vendredi saint", EAS(-2), B(C_FR) | B(C_GE) | B(C_JU) | B(C_NE) |
	    B(C_VD), 0, 0, 0 },
	{ "Ostermontag", EAS(1), B(C_AG) | B(C_AI) | B(C_AR) | B(C_BE) |
	    B(C_BL) | B(C_BS) | B(C_GL) | B(C_GR) | B(C_LU) | B(C_SG) |
	    B(C_SH) | B(C_SZ) | B(C_TG) | B(C_UR) | B(C_ZH), 0, 0, 0 },
	{ "Lundi de Pâques", EAS(1), B(C_GE) | B(C_JU) | B(C_NE) | B(C_VD),
	    0, 0, 0 },
	{ "Lunedì di Pasqua", EAS(1), B(C_TI), 0, 0, 0 },
	{ "Tag der Arbeit", ON(5, 1), B(C_BL) | B(C_BS) | B(C_SH) | B(C_TG) |
	    B(C_ZH), 0, 0, 0 },
	{ "Fête du travail", ON(5, 1), B(C_JU), 0, 0, 0 },
	{ "Festa del lavoro", ON(5, 1), B(C_TI), 0, 0, 0 },
	{ "Auffahrt", EAS(39), CH_GERMAN, 0, 0, 0 },
	{ "Ascension", EAS(39), CH_FRENCH, 0, 0, 0 },
	{ "Ascensione", EAS(39), CH_ITALIAN, 0, 0, 0 },
	{ "Pfingstmontag", EAS(50), B(C_AG) | B(C_AI) | B(C_AR) | B(C_BE) |
	    B(C_BL) | B(C_BS) | B(C_GL) | B(C_GR) | B(C_LU) | B(C_SG) |
	    B(C_SH) | B(C_SZ) | B(C_TG) | B(C_UR) | B(C_ZH), 0, 0, 0 },
	{ "Lundi de Pentecôte", EAS(50), B(C_GE) | B(C_JU) | B(C_NE) |
	    B(C_VD), 0, 0, 0 },
	{ "Lunedì di Pentecoste", EAS(50), B(C_TI), 0, 0, 0 },
	{ "Fronleichnam", EAS(60), B(C_AI) | B(C_LU) | B(C_NW) | B(C_OW) |
	    B(C_SZ) | B(C_UR) | B(C_ZG), 0, 0, 0 },
	{ "Fête-Dieu", EAS(60), B(C_JU) | B(C_VS), 0, 0, 0 },
	{ "Corpus Domini", EAS(60), B(C_TI), 0, 0, 0 },
	{ "Commémoration du plébiscite jurassien", ON(6, 23), B(C_JU), 1979,
	    0, 0 },
	{ "Santi Pietro e Paolo", ON(6, 29), B(C_TI), 0, 0, 0 },
	{ "Bundesfeiertag", ON(8, 1), CH_GERMAN, 1994, 0, 0 },
	{ "Fête nationale", ON(8, 1), CH_FRENCH, 1994, 0, 0 },
	{ "Festa nazionale", ON(8, 1), CH_ITALIAN, 1994, 0, 0 },
	{ "Mariä Himmelfahrt", ON(8, 15), B(C_AI) | B(C_LU) | B(C_NW) |
	    B(C_OW) | B(C_SZ) | B(C_UR) | B(C_ZG), 0, 0, 0 },
	{ "Assomption", ON(8, 15), B(C_JU) | B(C_VS), 0, 0, 0 },
	{ "Assunzione", ON(8, 15), B(C_TI), 0, 0, 0 },
	/* The Thursday after the first Sunday of September. */
	{ "Jeûne genevois", NTH_OF(9, 1, SUN, 4), B(C_GE), 0, 0, 0 },
	/* The Monday after the Federal Day of Prayer (third Sunday). */
	{ "Lundi du Jeûne fédéral", NTH_OF(9, 3, SUN, 1), B(C_VD), 0, 0,
	    0 },
	{ "Bruder Klaus", ON(9, 25), B(C_OW), 0, 0, 0 },
	{ "Allerheiligen", ON(11, 1), B(C_AI) | B(C_GL) | B(C_LU) |
	    B(C_NW) | B(C_OW) | B(C_SG) | B(C_SZ) | B(C_UR) | B(C_ZG), 0, 0,
	    0 },
	{ "Toussaint", ON(11, 1), B(C_JU) | B(C_VS), 0, 0, 0 },
	{ "Ognissanti", ON(11, 1), B(C_TI), 0, 0, 0 },
	{ "Mariä Empfängnis", ON(12, 8), B(C_AI) | B(C_LU) | B(C_NW) |
	    B(C_OW) | B(C_SZ) | B(C_UR) | B(C_ZG), 0, 0, 0 },
	{ "Immaculée Conception", ON(12, 8), B(C_VS), 0, 0, 0 },
	{ "Immacolata Concezione", ON(12, 8), B(C_TI), 0, 0, 0 },
	{ "Weihnachtstag", ON(12, 25), CH_GERMAN, 0, 0, 0 },
	{ "Noël", ON(12, 25), CH_FRENCH, 0, 0, 0 },
	{ "Natale", ON(12, 25), CH_ITALIAN, 0, 0, 0 },
	{ "Stephanstag", ON(12, 26), B(C_AG) | B(C_BE) | B(C_BL) | B(C_BS) |
	    B(C_GL) | B(C_GR) | B(C_LU) | B(C_SG) | B(C_SH) | B(C_SZ) |
	    B(C_TG) | B(C_ZH), 0, 0, 0 },
	{ "Stephanstag", ON(12, 26), B(C_AI) | B(C_AR) | B(C_UR), 0, 0,
	    0x7fu & ~WEEKDAY_BIT(TUE) & ~WEEKDAY_BIT(SAT) },
	{ "Saint-Étienne", ON(12, 26), B(C_NE), 0, 0, WEEKDAY_BIT(MON) },
	{ "Santo Stefano", ON(12, 26), B(C_TI), 0, 0, 0 },
	{ "Restauration de la République", ON(12, 31), B(C_GE), 0, 0, 0 },
};

/* holidays_is_holiday() keeps a rule's index + 1 in a byte. */
_Static_assert(sizeof(holidays) / sizeof(holidays[0]) < 255,
    "too many holiday rules for a byte");

static const struct country *
country_of(int r)
{
	for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		if (r >= countries[i].first && r <= countries[i].last)
			return &countries[i];
	return NULL;
}

/* The country whose code s starts with, ignoring case, or NULL. */
static const struct country *
country_named(const char *s)
{
	for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		if (strncasecmp(s, countries[i].code, 2) == 0 &&
		    (s[2] == '\0' || s[2] == '-'))
			return &countries[i];
	return NULL;
}

/* "none, AT, AT-1, …, AT-8 or AT-9" for one country, or every country's
 * codes in short when co is NULL. */
static void
region_list(struct buf *b, const struct country *co)
{
	if (co == NULL) {
		buf_adds(b, "none, DE, DE-BW … DE-TH (the Länder), AT, AT-1 "
		    "… AT-9 (the Länder), CH or CH-AG … CH-ZH (the cantons)");
		return;
	}
	buf_adds(b, "none");
	for (int r = co->first; r <= co->last; r++)
		buf_addf(b, "%s%s", r == co->last ? " or " : ", ",
		    region_names[r]);
}

int
holidays_parse_region(const char *s, int *region, char **err)
{
	const char *hint = NULL;
	const struct country *co;
	struct buf b;
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
	co = country_named(hint != NULL ? hint : s);
	buf_init(&b);
	if (hint != NULL) {
		buf_addf(&b, "'%s' is not a holiday region: write it as '%s' "
		    "(names are case-sensitive; use ", s, hint);
		region_list(&b, co);
		buf_addc(&b, ')');
	} else {
		buf_addf(&b, "'%s' is not a holiday region: use ", s);
		region_list(&b, co);
	}
	*err = buf_detach(&b, NULL);
	return -1;
}

const char *
holidays_region_name(int region)
{
	if (region < 0 || region >= R_COUNT)
		return "none";
	return region_names[region];
}

const char *
holidays_region_country(int region)
{
	const struct country *co = country_of(region);

	return co != NULL ? co->code : NULL;
}

const char *
holidays_zone_country(const char *zone)
{
	static const struct {
		const char *zone, *country;
	} zones[] = {
		{ "Europe/Berlin", "DE" },
		{ "Europe/Busingen", "DE" },
		{ "Germany", "DE" },
		{ "Europe/Vienna", "AT" },
		{ "Europe/Zurich", "CH" },
	};

	if (zone == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strcmp(zone, zones[i].zone) == 0)
			return zones[i].country;
	return NULL;
}

bool
holidays_zone_fits(int region, const char *zone)
{
	const char *rc = holidays_region_country(region);
	const char *zc = holidays_zone_country(zone);

	return rc == NULL || (zc != NULL && strcmp(rc, zc) == 0);
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

/* The n-th weekday wd (0 = Monday) of month in year. */
static int64_t
nth_weekday(int year, int month, int n, int wd)
{
	int64_t first = timeutil_days_from_civil(year, month, 1);

	return first + (wd - timeutil_weekday(first) + 7) % 7 + 7 * (n - 1);
}

/* Whether h falls on day (civil date d); *easter is computed once. */
static bool
holiday_on(const struct holiday *h, int64_t day, const struct civil_date *d,
    int64_t *easter)
{
	int64_t t;

	switch (h->when) {
	case FIXED:
		return d->month == h->month && d->day == h->day;
	case EASTER:
		if (d->month < 3 || d->month > 6)
			return false;
		if (*easter == INT64_MIN)
			*easter = holidays_easter(d->year);
		return day == *easter + h->day;
	case NTH:
		if (d->month != h->month && d->month != h->month + 1)
			return false;
		return day == nth_weekday(d->year, h->month, h->day, h->wday) +
		    h->off;
	case BUSSTAG:
		/* 16..22 November holds exactly one Wednesday. */
		return d->month == 11 && d->day >= 16 && d->day <= 22 &&
		    timeutil_weekday(day) == 2;
	case NAEFELS:
		if (d->month != 4)
			return false;
		t = nth_weekday(d->year, 4, 1, 3);
		if (*easter == INT64_MIN)
			*easter = holidays_easter(d->year);
		if (t == *easter - 3)	/* Maundy Thursday: a week later */
			t += 7;
		return day == t;
	}
	return false;
}

/* Whether day is a holiday in region, by the rules: every rule looked
 * at.  The first rule in the table that holds names the day. */
static const struct holiday *
holiday_find(int region, int64_t day)
{
	const struct holiday *h;
	struct civil_date d;
	int64_t easter = INT64_MIN;
	size_t i;

	timeutil_civil_from_days(day, &d);
	for (i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++) {
		h = &holidays[i];
		if (!(h->regions & B(region)) ||
		    (h->from != 0 && d.year < h->from) ||
		    (h->until != 0 && d.year > h->until) ||
		    !holiday_on(h, day, &d, &easter))
			continue;
		if (h->only != 0 &&
		    !(h->only & WEEKDAY_BIT(timeutil_weekday(day))))
			continue;
		return h;
	}
	return NULL;
}

/*
 * The planner asks about the same few hundred days of a region again and
 * again (100,000 clients, a year each): a region's year is worked out once
 * by the rules, one byte a day (0: no holiday, else the rule's index + 1),
 * and kept in one of a few slots per region.  No locking: the programs
 * are single-threaded.
 */
#define YEAR_SLOTS	4

struct year_slot {
	int64_t		 first;		/* day number of 1 January */
	int		 len;		/* days in the year; 0: slot empty */
	uint8_t		 rule[366];
};

static struct year_slot *year_cache[R_COUNT];

static const struct year_slot *
holiday_year(int region, int64_t day)
{
	struct year_slot *slots = year_cache[region], *s;
	struct civil_date d;

	if (slots != NULL)
		for (int i = 0; i < YEAR_SLOTS; i++)
			if (slots[i].len != 0 && day >= slots[i].first &&
			    day < slots[i].first + slots[i].len)
				return &slots[i];
	if (day < -(INT64_C(1) << 28) || day > INT64_C(1) << 28)
		return NULL;
	timeutil_civil_from_days(day, &d);
	if (slots == NULL)
		slots = year_cache[region] = xcalloc(YEAR_SLOTS,
		    sizeof(*slots));
	s = &slots[(unsigned)d.year % YEAR_SLOTS];
	s->first = timeutil_days_from_civil(d.year, 1, 1);
	s->len = timeutil_is_leap(d.year) ? 366 : 365;
	for (int i = 0; i < s->len; i++) {
		const struct holiday *h = holiday_find(region, s->first + i);

		s->rule[i] = h != NULL ? (uint8_t)(h - holidays + 1) : 0;
	}
	return s;
}

bool
holidays_is_holiday(int region, int64_t day, const char **name)
{
	const struct year_slot *ys;
	const struct holiday *h;

	if (region <= R_NONE || region >= R_COUNT)
		return false;
	if ((ys = holiday_year(region, day)) == NULL)
		h = holiday_find(region, day);
	else if (ys->rule[day - ys->first] == 0)
		h = NULL;
	else
		h = &holidays[ys->rule[day - ys->first] - 1];
	if (h == NULL)
		return false;
	if (name != NULL)
		*name = h->name;
	return true;
}
