/*
 * holidays.h - public holidays of Germany, Austria and Switzerland,
 * computed for any year.
 *
 * Regions (ISO 3166-2, case-sensitive):
 *   none;
 *   DE (the nationwide holidays only) and the sixteen Länder DE-BW, DE-BY,
 *   DE-BE, DE-BB, DE-HB, DE-HH, DE-HE, DE-MV, DE-NI, DE-NW, DE-RP, DE-SL,
 *   DE-SN, DE-ST, DE-SH, DE-TH;
 *   AT and the nine Länder AT-1 (Burgenland) … AT-9 (Wien): the thirteen
 *   days of § 7 Arbeitsruhegesetz, the same in every Land;
 *   CH (the days every canton keeps: Neujahr, Auffahrt, 1 August,
 *   Weihnachten) and the 26 cantons CH-AG, CH-AI, CH-AR, CH-BE, CH-BL,
 *   CH-BS, CH-FR, CH-GE, CH-GL, CH-GR, CH-JU, CH-LU, CH-NE, CH-NW, CH-OW,
 *   CH-SG, CH-SH, CH-SO, CH-SZ, CH-TG, CH-TI, CH-UR, CH-VD, CH-VS, CH-ZG,
 *   CH-ZH: 1 August and the days the canton treats like Sundays in the
 *   whole canton.
 * Each honours the year a holiday was introduced (or ended) where that is
 * after 1970.  What is left out, and why, is in holidays.c and
 * touchbase.ini(5).  Names are in the region's language (German; French
 * in CH-FR, CH-GE, CH-JU, CH-NE, CH-VD, CH-VS; Italian in CH-TI).
 */
#ifndef TOUCHBASE_HOLIDAYS_H
#define TOUCHBASE_HOLIDAYS_H

#include <stdbool.h>
#include <stdint.h>

#define HOLIDAYS_NONE	0

/* Parses a region name into *region (an opaque small integer, 0 = none).
 * Returns 0, or -1 with *err (when err is not NULL) set to an allocated
 * message naming the valid codes of that country, e.g. "'AT-10' is not
 * a holiday region: use none, AT, AT-1, …, AT-8 or AT-9". */
int	 holidays_parse_region(const char *s, int *region, char **err);
/* The code of region as written in the files ("DE-BE", "none"). */
const char *holidays_region_name(int region);
/* "DE", "AT" or "CH"; NULL for none. */
const char *holidays_region_country(int region);
/* The country whose holidays a time zone's people keep: "DE" for
 * Europe/Berlin, Europe/Busingen and Germany, "AT" for Europe/Vienna,
 * "CH" for Europe/Zurich; NULL for any other zone. */
const char *holidays_zone_country(const char *zone);
/* Whether a client in zone may sensibly keep region's holidays: region is
 * none or zone lies in region's country (holidays_zone_country). */
bool	 holidays_zone_fits(int region, const char *zone);
/* Whether day (day number, see timeutil.h) is a public holiday in region;
 * *name (if not NULL) gets its name in the region's language, e.g.
 * "Karfreitag", "Jeûne genevois". */
bool	 holidays_is_holiday(int region, int64_t day, const char **name);
/* Easter Sunday of year (Gregorian), as a day number. */
int64_t	 holidays_easter(int year);

#endif
