/*
 * tz.h - IANA time zones read from the system's tz database.
 *
 * Zones are read from TZif files under $TZDIR (default
 * /usr/share/zoneinfo), including the POSIX TZ rule in the footer that
 * covers instants after the last transition.  No use of TZ, tzset() or
 * any other process-global state, so any number of zones can be used at
 * once.  A struct tzdb caches each zone by name; the zones it returns
 * live as long as the tzdb.
 */
#ifndef TOUCHBASE_TZ_H
#define TOUCHBASE_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz;
struct tzdb;

struct tzdb	*tzdb_new(void);
void		 tzdb_free(struct tzdb *db);
/* Returns the zone named name (e.g. "Europe/Berlin", "UTC"), loading it
 * on first use, or NULL when no such zone exists; then *err (if not NULL)
 * gets an allocated explanation.  Names with "..", a leading '/' or
 * characters outside [A-Za-z0-9/_+-] are refused. */
const struct tz	*tzdb_get(struct tzdb *db, const char *name, char **err);

/* Offset from UTC in seconds (east positive) at instant utc; *abbr (if
 * not NULL) gets the abbreviation, e.g. "CET", valid as long as z. */
int		 tz_offset_at(const struct tz *z, int64_t utc,
		    const char **abbr);
/* The instant at which local wall-clock time (day number, seconds after
 * midnight) occurs in z.  In a gap (spring forward) the result is the
 * first valid instant after the gap, i.e. the transition itself; in a
 * fold (fall back) the earlier of the two instants. */
int64_t		 tz_local_to_utc(const struct tz *z, int64_t days, int sec);
/* The local day number and seconds after midnight of instant utc. */
void		 tz_utc_to_local(const struct tz *z, int64_t utc,
		    int64_t *days, int *sec);

/*
 * The same two conversions for callers that make many of them close
 * together (the planner: a year of 100,000 clients): m remembers the span
 * of time around the last answer in which the zone's offset does not
 * change, and answers inside it are arithmetic.  The results equal
 * tz_local_to_utc() and tz_utc_to_local()'s day.  Zero a memo before its
 * first use; it may serve any zone, and is best kept one per zone in use.
 */
struct tz_memo {
	const struct tz	*lz, *uz;	/* zones of the two spans; NULL: none */
	int64_t		 llo, lhi;	/* local times [llo, lhi): */
	int		 loff;		/*   UTC = local - loff */
	int64_t		 ulo, uhi;	/* instants [ulo, uhi): */
	int		 uoff;		/*   local = UTC + uoff */
};

int64_t		 tz_memo_local_to_utc(struct tz_memo *m, const struct tz *z,
		    int64_t days, int sec);
/* The local day number of instant utc. */
int64_t		 tz_memo_day(struct tz_memo *m, const struct tz *z,
		    int64_t utc);

/* Parses the bytes of a TZif file (version 1 to 4) into a new zone with
 * the empty name, for tzdb_get() and the fuzzer.  Returns 0, or -1 when
 * the data is not a well-formed TZif file. */
int		 tz_parse_tzif(const unsigned char *data, size_t len,
		    struct tz **out);
/* Frees a zone from tz_parse_tzif(); NULL is fine.  Zones from tzdb_get()
 * belong to the tzdb. */
void		 tz_free(struct tz *z);

#endif
