/*
 * holidays.h - German public holidays, computed for any year.
 *
 * Regions: "none", "DE" (the nationwide holidays only) and "DE-XX" for the
 * sixteen Länder (DE-BW, DE-BY, DE-BE, DE-BB, DE-HB, DE-HH, DE-HE, DE-MV,
 * DE-NI, DE-NW, DE-RP, DE-SL, DE-SN, DE-ST, DE-SH, DE-TH), each with the
 * nationwide and its own statewide holidays, honouring the year each
 * holiday was introduced.  Holidays that apply only in some municipalities
 * (Fronleichnam in parts of SN and TH, Mariä Himmelfahrt in Bavaria's
 * Catholic communities, Augsburger Friedensfest) are documented in
 * holidays.c and touchbase.ini(5).
 */
#ifndef TOUCHBASE_HOLIDAYS_H
#define TOUCHBASE_HOLIDAYS_H

#include <stdbool.h>
#include <stdint.h>

#define HOLIDAYS_NONE	0

/* Parses a region name into *region (an opaque small integer, 0 = none).
 * Case-sensitive as written above.  Returns 0, or -1 with *err set to an
 * allocated message listing the valid names. */
int	 holidays_parse_region(const char *s, int *region, char **err);
/* Whether day (day number, see timeutil.h) is a public holiday in region;
 * *name (if not NULL) gets its German name, e.g. "Karfreitag". */
bool	 holidays_is_holiday(int region, int64_t day, const char **name);
/* Easter Sunday of year (Gregorian), as a day number. */
int64_t	 holidays_easter(int year);

#endif
