/*
 * tz.c - IANA time zones read from TZif files (RFC 8536).
 *
 * A zone is its list of transitions plus the POSIX TZ rule of the file's
 * footer, which covers every instant after the last transition.  "Slim"
 * files stop their transitions early and rely on that rule; "fat" ones
 * list them up to 2037.  Both are read the same way.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define TZDIR_DEFAULT	"/usr/share/zoneinfo"
#define TZIF_MAX_SIZE	(1024 * 1024)
#define ABBR_MAX	15

/* RFC 8536 3.2: offsets are within these bounds. */
#define UTOFF_MIN	(-89999)
#define UTOFF_MAX	93599

/* Instants are clamped to about 140 million years either side of 1970:
 * far enough for anything, near enough that no sum below overflows. */
#define INSTANT_LIMIT	(INT64_C(1) << 52)

/* How many years of the footer rule are computed when a zone is loaded;
 * later years are computed on each lookup. */
#define RULE_CACHE_YEARS 256

struct ttinfo {
	int32_t		 off;
	bool		 isdst;
	const char	*abbr;
};

/* One end of daylight saving time in a POSIX TZ rule. */
struct rule_date {
	char		 kind;		/* 'J' (Jn), 'n' (n) or 'M' (Mm.w.d) */
	int		 n, month, week, wday;
	int32_t		 time;		/* seconds after local midnight */
};

struct posix_rule {
	int32_t		 std_off, dst_off;	/* east positive */
	char		 std_abbr[ABBR_MAX + 1], dst_abbr[ABBR_MAX + 1];
	bool		 has_dst;
	struct rule_date start, end;
};

struct tz {
	char		*name;
	size_t		 ntrans;
	int64_t		*trans;
	uint8_t		*trans_type;
	size_t		 ntypes;
	struct ttinfo	*types;
	char		*abbrs;
	bool		 has_rule;
	struct posix_rule rule;
	int		 cache_year;	/* first year in cache */
	int64_t		(*cache)[2];	/* UTC start and end of DST */
};

struct tzdb {
	char		*dir;
	struct tz	**slots;	/* open addressing, power of two */
	size_t		 cap, count;
};

/* Big-endian reader over the file's bytes; a short read sets bad. */
struct reader {
	const unsigned char *p, *end;
	bool		 bad;
};

static const unsigned char *
take(struct reader *r, uint64_t n)
{
	const unsigned char *p = r->p;

	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return p;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int64_t
clamp_instant(int64_t t)
{
	return t < -INSTANT_LIMIT ? -INSTANT_LIMIT :
	    t > INSTANT_LIMIT ? INSTANT_LIMIT : t;
}

/*
 * POSIX TZ strings (the footer), e.g. "CET-1CEST,M3.5.0,M10.5.0/3" or
 * "<+0330>-3:30".  Each scanner advances *sp and returns -1 on error.
 */
static int
scan_abbr(const char **sp, char out[ABBR_MAX + 1])
{
	const char *s = *sp, *b;
	size_t n;

	if (*s == '<') {
		b = ++s;
		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '+' || *s == '-')
			s++;
		if (*s != '>')
			return -1;
		n = (size_t)(s++ - b);
	} else {
		b = s;
		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			s++;
		n = (size_t)(s - b);
	}
	if (n < 3 || n > ABBR_MAX)
		return -1;
	memcpy(out, b, n);
	out[n] = '\0';
	*sp = s;
	return 0;
}

static int
scan_num(const char **sp, int max, int *out)
{
	const char *s = *sp;
	int v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	*sp = s;
	return 0;
}

/* [+-]hh[:mm[:ss]]; hours up to max_hours. */
static int
scan_hms(const char **sp, int max_hours, int32_t *out)
{
	const char *s = *sp;
	int sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (scan_num(&s, max_hours, &h) == -1)
		return -1;
	if (*s == ':') {
		s++;
		if (scan_num(&s, 59, &m) == -1)
			return -1;
		if (*s == ':') {
			s++;
			if (scan_num(&s, 59, &sec) == -1)
				return -1;
		}
	}
	*out = sign * (h * 3600 + m * 60 + sec);
	*sp = s;
	return 0;
}

static int
scan_rule_date(const char **sp, struct rule_date *rd)
{
	const char *s = *sp;

	memset(rd, 0, sizeof(*rd));
	if (*s == 'J') {
		s++;
		rd->kind = 'J';
		if (scan_num(&s, 365, &rd->n) == -1 || rd->n < 1)
			return -1;
	} else if (*s == 'M') {
		s++;
		rd->kind = 'M';
		if (scan_num(&s, 12, &rd->month) == -1 || rd->month < 1 ||
		    *s++ != '.' || scan_num(&s, 5, &rd->week) == -1 ||
		    rd->week < 1 || *s++ != '.' ||
		    scan_num(&s, 6, &rd->wday) == -1)
			return -1;
	} else {
		rd->kind = 'n';
		if (scan_num(&s, 365, &rd->n) == -1)
			return -1;
	}
	rd->time = 2 * 3600;
	/* RFC 8536 extends the hours of a rule's time to -167..167. */
	if (*s == '/') {
		s++;
		if (scan_hms(&s, 167, &rd->time) == -1)
			return -1;
	}
	*sp = s;
	return 0;
}

static int
parse_posix_rule(const char *s, struct posix_rule *r)
{
	int32_t off;

	memset(r, 0, sizeof(*r));
	/* POSIX offsets count west of Greenwich: "CET-1" is UTC+1. */
	if (scan_abbr(&s, r->std_abbr) == -1 || scan_hms(&s, 24, &off) == -1)
		return -1;
	r->std_off = -off;
	if (*s == '\0')
		return 0;
	if (scan_abbr(&s, r->dst_abbr) == -1)
		return -1;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (scan_hms(&s, 24, &off) == -1)
			return -1;
		r->dst_off = -off;
	}
	if (*s == '\0') {
		/* No rule given: POSIX leaves it to the implementation;
		 * tzcode and glibc use the US rules. */
		s = ",M3.2.0,M11.1.0";
	}
	if (*s++ != ',' || scan_rule_date(&s, &r->start) == -1 ||
	    *s++ != ',' || scan_rule_date(&s, &r->end) == -1 || *s != '\0')
		return -1;
	return 0;
}

/* The day number on which a rule date falls in year. */
static int64_t
rule_day(const struct rule_date *rd, int year)
{
	int64_t jan1 = timeutil_days_from_civil(year, 1, 1), first, day;
	int want;

	switch (rd->kind) {
	case 'J':
		/* Jn never counts 29 February. */
		return jan1 + rd->n - 1 +
		    (timeutil_is_leap(year) && rd->n >= 60);
	case 'n':
		return jan1 + rd->n;
	default:
		first = timeutil_days_from_civil(year, rd->month, 1);
		want = (rd->wday + 6) % 7;	/* POSIX 0 = Sunday */
		day = first + (want - timeutil_weekday(first) + 7) % 7 +
		    (int64_t)(rd->week - 1) * 7;
		while (day >= first +
		    timeutil_days_in_month(year, rd->month))
			day -= 7;
		return day;
	}
}

static void
rule_year(const struct posix_rule *r, int year, int64_t out[2])
{
	/* The start is written in standard time, the end in DST. */
	out[0] = rule_day(&r->start, year) * DAY_SECONDS + r->start.time -
	    r->std_off;
	out[1] = rule_day(&r->end, year) * DAY_SECONDS + r->end.time -
	    r->dst_off;
}

static bool
rule_is_dst(const struct tz *z, int64_t t)
{
	const struct posix_rule *r = &z->rule;
	struct civil_date d;
	int64_t own[2];
	const int64_t *se;

	if (!r->has_dst)
		return false;
	timeutil_civil_from_days(timeutil_day_of(t + r->std_off), &d);
	if (z->cache != NULL && d.year >= z->cache_year &&
	    d.year - z->cache_year < RULE_CACHE_YEARS)
		se = z->cache[d.year - z->cache_year];
	else {
		rule_year(r, d.year, own);
		se = own;
	}
	if (se[0] < se[1])
		return t >= se[0] && t < se[1];
	/* Southern hemisphere: DST spans the turn of the year. */
	return !(t >= se[1] && t < se[0]);
}

/* The time type in force at t, or NULL when the footer rule applies. */
static const struct ttinfo *
type_at(const struct tz *z, int64_t t)
{
	size_t lo, hi, mid;

	if (z->ntrans == 0)
		return z->has_rule ? NULL : &z->types[0];
	/* RFC 8536 3.2: before the first transition, type 0 applies. */
	if (t < z->trans[0])
		return &z->types[0];
	if (t >= z->trans[z->ntrans - 1] && z->has_rule)
		return NULL;
	lo = 0;
	hi = z->ntrans;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return &z->types[z->trans_type[lo]];
}

int
tz_offset_at(const struct tz *z, int64_t utc, const char **abbr)
{
	const struct ttinfo *tt;
	bool dst;

	utc = clamp_instant(utc);
	if ((tt = type_at(z, utc)) != NULL) {
		if (abbr != NULL)
			*abbr = tt->abbr;
		return tt->off;
	}
	dst = rule_is_dst(z, utc);
	if (abbr != NULL)
		*abbr = dst ? z->rule.dst_abbr : z->rule.std_abbr;
	return dst ? z->rule.dst_off : z->rule.std_off;
}

/* The footer rule's offset at t and, into [*start, *end), instants
 * around it in which it does not change: from the year's rule or the
 * latest DST start or end, to the next one or the next year's rule. */
static int
rule_span(const struct tz *z, int64_t t, int64_t *start, int64_t *end)
{
	const struct posix_rule *r = &z->rule;
	struct civil_date d;
	int64_t own[2];
	const int64_t *se;
	bool dst;

	if (!r->has_dst)
		return r->std_off;
	/* As rule_is_dst() reads it. */
	timeutil_civil_from_days(timeutil_day_of(t + r->std_off), &d);
	if (z->cache != NULL && d.year >= z->cache_year &&
	    d.year - z->cache_year < RULE_CACHE_YEARS)
		se = z->cache[d.year - z->cache_year];
	else {
		rule_year(r, d.year, own);
		se = own;
	}
	*start = timeutil_days_from_civil(d.year, 1, 1) * DAY_SECONDS -
	    r->std_off;
	*end = timeutil_days_from_civil(d.year + 1, 1, 1) * DAY_SECONDS -
	    r->std_off;
	for (int i = 0; i < 2; i++) {
		if (se[i] > t && se[i] < *end)
			*end = se[i];
		if (se[i] <= t && se[i] > *start)
			*start = se[i];
	}
	if (se[0] < se[1])
		dst = t >= se[0] && t < se[1];
	else
		dst = !(t >= se[1] && t < se[0]);
	return dst ? r->dst_off : r->std_off;
}

/*
 * tz_offset_at(z, t) for t within INSTANT_LIMIT, and into [*start, *end)
 * instants around t in which the offset stays the same: from the last
 * transition to the next one, or less.
 */
static int
offset_span(const struct tz *z, int64_t t, int64_t *start, int64_t *end)
{
	size_t lo, hi, mid;
	int off;

	*start = -INSTANT_LIMIT;
	*end = INSTANT_LIMIT;
	if (z->ntrans == 0)
		return z->has_rule ? rule_span(z, t, start, end) :
		    z->types[0].off;
	if (t < z->trans[0]) {
		*end = z->trans[0];
		return z->types[0].off;
	}
	if (t >= z->trans[z->ntrans - 1] && z->has_rule) {
		off = rule_span(z, t, start, end);
		if (*start < z->trans[z->ntrans - 1])
			*start = z->trans[z->ntrans - 1];
		return off;
	}
	lo = 0;
	hi = z->ntrans;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	*start = z->trans[lo];
	if (lo + 1 < z->ntrans)
		*end = z->trans[lo + 1];
	return z->types[z->trans_type[lo]].off;
}

int64_t
tz_local_to_utc(const struct tz *z, int64_t days, int sec)
{
	int64_t local, u, best = 0, lo, hi, mid;
	int off[4], before, after, i;
	bool found = false;

	if (days > INSTANT_LIMIT / DAY_SECONDS)
		days = INSTANT_LIMIT / DAY_SECONDS;
	if (days < -INSTANT_LIMIT / DAY_SECONDS)
		days = -INSTANT_LIMIT / DAY_SECONDS;
	local = days * DAY_SECONDS + sec;

	/*
	 * Offsets never exceed 26 hours, so every candidate instant lies
	 * within a day of local - 0, and the offsets in force two days
	 * either side are the ones the wall-clock time can have.  Each
	 * candidate that maps back to local is valid; in a fold two are,
	 * and the earlier wins.
	 */
	if (local - 2 * DAY_SECONDS > -INSTANT_LIMIT &&
	    local + 2 * DAY_SECONDS < INSTANT_LIMIT) {
		/* The common case, in one lookup: no transition within two
		 * days of local, which is what the lookups below find. */
		int64_t start, end;

		before = offset_span(z, local - 2 * DAY_SECONDS, &start, &end);
		if (local + 2 * DAY_SECONDS < end)
			return local - before;
	}
	before = tz_offset_at(z, local - 2 * DAY_SECONDS, NULL);
	after = tz_offset_at(z, local + 2 * DAY_SECONDS, NULL);
	if (before == after && tz_offset_at(z, local - before, NULL) == before)
		return local - before;
	off[0] = before;
	off[1] = after;
	off[2] = tz_offset_at(z, local - before, NULL);
	off[3] = tz_offset_at(z, local - after, NULL);
	for (i = 0; i < 4; i++) {
		u = local - off[i];
		if (tz_offset_at(z, u, NULL) == off[i] && (!found || u < best)) {
			best = u;
			found = true;
		}
	}
	if (found)
		return best;

	/*
	 * A gap: the clocks jumped from before to after, past local.  The
	 * transition lies in (local - after, local - before]; find it.
	 */
	lo = local - after;
	hi = local - before;
	if (after <= before || tz_offset_at(z, lo, NULL) != before ||
	    tz_offset_at(z, hi, NULL) == before)
		return local - before;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (tz_offset_at(z, mid, NULL) == before)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

void
tz_utc_to_local(const struct tz *z, int64_t utc, int64_t *days, int *sec)
{
	int64_t local = clamp_instant(utc) + tz_offset_at(z, utc, NULL);

	*days = timeutil_day_of(local);
	*sec = (int)(local - *days * DAY_SECONDS);
}

/*
 * tz_local_to_utc() answers local - before when the offset before at
 * local - 2 days holds until past local + 2 days: for every local time
 * from (the offset's start) + 2 days to (its end) - 2 days the same is
 * true, with the same offset, so that range is remembered.
 */
int64_t
tz_memo_local_to_utc(struct tz_memo *m, const struct tz *z, int64_t days,
    int sec)
{
	int64_t local, start, end;
	int off;

	if (days > INSTANT_LIMIT / DAY_SECONDS ||
	    days < -INSTANT_LIMIT / DAY_SECONDS)
		return tz_local_to_utc(z, days, sec);
	local = days * DAY_SECONDS + sec;
	if (m->lz == z && local >= m->llo && local < m->lhi)
		return local - m->loff;
	if (local - 2 * DAY_SECONDS <= -INSTANT_LIMIT ||
	    local + 2 * DAY_SECONDS >= INSTANT_LIMIT)
		return tz_local_to_utc(z, days, sec);
	off = offset_span(z, local - 2 * DAY_SECONDS, &start, &end);
	if (local + 2 * DAY_SECONDS >= end)
		return tz_local_to_utc(z, days, sec);
	m->lz = z;
	m->llo = start + 2 * DAY_SECONDS;
	m->lhi = end - 2 * DAY_SECONDS;
	m->loff = off;
	return local - off;
}

int64_t
tz_memo_day(struct tz_memo *m, const struct tz *z, int64_t utc)
{
	int64_t start, end;

	if (m->uz != z || utc < m->ulo || utc >= m->uhi) {
		if (utc <= -INSTANT_LIMIT || utc >= INSTANT_LIMIT) {
			int64_t day;
			int sec;

			tz_utc_to_local(z, utc, &day, &sec);
			return day;
		}
		m->uoff = offset_span(z, utc, &start, &end);
		m->uz = z;
		m->ulo = start;
		m->uhi = end;
	}
	return timeutil_day_of(utc + m->uoff);
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->trans);
	free(z->trans_type);
	free(z->types);
	free(z->abbrs);
	free(z->cache);
	free(z);
}

struct tzif_counts {
	uint32_t	isut, isstd, leap, time, type, chars;
};

static int
read_header(struct reader *r, char *version, struct tzif_counts *c)
{
	const unsigned char *h;

	if ((h = take(r, 44)) == NULL || memcmp(h, "TZif", 4) != 0)
		return -1;
	*version = (char)h[4];
	c->isut = be32(h + 20);
	c->isstd = be32(h + 24);
	c->leap = be32(h + 28);
	c->time = be32(h + 32);
	c->type = be32(h + 36);
	c->chars = be32(h + 40);
	if (c->type < 1 || c->type > 256 || c->chars < 1 ||
	    (c->isut != 0 && c->isut != c->type) ||
	    (c->isstd != 0 && c->isstd != c->type))
		return -1;
	return 0;
}

/* The data block after a header; timesize is 4 (v1) or 8 (v2+). */
static int
read_block(struct reader *r, const struct tzif_counts *c, int timesize,
    struct tz *z)
{
	const unsigned char *times, *idx, *types, *chars;
	uint32_t i;

	times = take(r, (uint64_t)c->time * timesize);
	idx = take(r, c->time);
	types = take(r, (uint64_t)c->type * 6);
	chars = take(r, c->chars);
	take(r, (uint64_t)c->leap * (timesize + 4) + c->isstd + c->isut);
	if (r->bad)
		return -1;

	z->ntrans = c->time;
	z->trans = xcalloc(c->time, sizeof(*z->trans));
	z->trans_type = xcalloc(c->time, 1);
	z->ntypes = c->type;
	z->types = xcalloc(c->type, sizeof(*z->types));
	z->abbrs = xmalloc((size_t)c->chars + 1);
	memcpy(z->abbrs, chars, c->chars);
	z->abbrs[c->chars] = '\0';

	for (i = 0; i < c->time; i++) {
		z->trans[i] = timesize == 8 ? be64(times + 8 * i) :
		    (int32_t)be32(times + 4 * i);
		if ((i > 0 && z->trans[i] <= z->trans[i - 1]) ||
		    idx[i] >= c->type)
			return -1;
		z->trans_type[i] = idx[i];
	}
	for (i = 0; i < c->type; i++) {
		const unsigned char *tt = types + 6 * i;
		int32_t off = (int32_t)be32(tt);

		if (off < UTOFF_MIN || off > UTOFF_MAX || tt[4] > 1 ||
		    tt[5] >= c->chars)
			return -1;
		z->types[i].off = off;
		z->types[i].isdst = tt[4];
		z->types[i].abbr = z->abbrs + tt[5];
	}
	return 0;
}

int
tz_parse_tzif(const unsigned char *data, size_t len, struct tz **out)
{
	struct reader r = { data, data + len, false };
	struct tzif_counts c;
	struct tz *z = xcalloc(1, sizeof(*z));
	const unsigned char *nl;
	char version, *footer = NULL;
	int year, i;

	if (read_header(&r, &version, &c) == -1)
		goto bad;
	if (version != '\0') {
		/* Skip the 32-bit block; the 64-bit one says it all. */
		take(&r, (uint64_t)c.time * 5 + (uint64_t)c.type * 6 +
		    c.chars + (uint64_t)c.leap * 8 + c.isstd + c.isut);
		if (read_header(&r, &version, &c) == -1 ||
		    read_block(&r, &c, 8, z) == -1)
			goto bad;
		/* The footer: "\n" TZ string "\n". */
		if (r.p < r.end) {
			if (*r.p != '\n' || (nl = memchr(r.p + 1, '\n',
			    (size_t)(r.end - r.p - 1))) == NULL)
				goto bad;
			footer = xstrndup((const char *)r.p + 1,
			    (size_t)(nl - r.p - 1));
		}
	} else if (read_block(&r, &c, 4, z) == -1)
		goto bad;

	if (footer != NULL && footer[0] != '\0') {
		if (parse_posix_rule(footer, &z->rule) == -1 ||
		    z->rule.std_off < UTOFF_MIN || z->rule.std_off > UTOFF_MAX ||
		    z->rule.dst_off < UTOFF_MIN || z->rule.dst_off > UTOFF_MAX)
			goto bad;
		z->has_rule = true;
	}
	free(footer);
	footer = NULL;

	if (z->has_rule && z->rule.has_dst) {
		year = 1970;
		if (z->ntrans > 0) {
			struct civil_date d;

			timeutil_civil_from_days(timeutil_day_of(
			    z->trans[z->ntrans - 1]), &d);
			year = d.year - 1;
		}
		z->cache_year = year;
		z->cache = xcalloc(RULE_CACHE_YEARS, sizeof(*z->cache));
		for (i = 0; i < RULE_CACHE_YEARS; i++)
			rule_year(&z->rule, year + i, z->cache[i]);
	}
	z->name = xstrdup("");
	*out = z;
	return 0;
bad:
	free(footer);
	tz_free(z);
	return -1;
}

static bool
valid_name(const char *name)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL ||
	    strlen(name) > 255)
		return false;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
		    *p == '+' || *p == '-'))
			return false;
	return true;
}

/* Reads a whole regular file of at most TZIF_MAX_SIZE bytes. */
static int
read_file(const char *path, unsigned char **data, size_t *len)
{
	struct buf b;

	buf_init(&b);
	if (buf_read_regular(&b, path, TZIF_MAX_SIZE) != 0) {
		buf_free(&b);
		return -1;
	}
	*data = (unsigned char *)buf_detach(&b, len);
	return 0;
}

static uint64_t
hash_name(const char *s)
{
	uint64_t h = 14695981039346656037u;	/* FNV-1a */

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211u;
	}
	return h;
}

static struct tz **
slot_for(struct tz **slots, size_t cap, const char *name)
{
	size_t i = (size_t)hash_name(name) & (cap - 1);

	while (slots[i] != NULL && strcmp(slots[i]->name, name) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void
insert(struct tzdb *db, struct tz *z)
{
	struct tz **old = db->slots;
	size_t oldcap = db->cap, i;

	if ((db->count + 1) * 2 > db->cap) {
		db->cap *= 2;
		db->slots = xcalloc(db->cap, sizeof(*db->slots));
		for (i = 0; i < oldcap; i++)
			if (old[i] != NULL)
				*slot_for(db->slots, db->cap, old[i]->name) =
				    old[i];
		free(old);
	}
	*slot_for(db->slots, db->cap, z->name) = z;
	db->count++;
}

struct tzdb *
tzdb_new(void)
{
	struct tzdb *db = xcalloc(1, sizeof(*db));
	const char *dir = getenv("TZDIR");

	db->dir = xstrdup(dir != NULL && dir[0] != '\0' ? dir : TZDIR_DEFAULT);
	db->cap = 32;
	db->slots = xcalloc(db->cap, sizeof(*db->slots));
	return db;
}

void
tzdb_free(struct tzdb *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->cap; i++)
		tz_free(db->slots[i]);
	free(db->slots);
	free(db->dir);
	free(db);
}

const struct tz *
tzdb_get(struct tzdb *db, const char *name, char **err)
{
	struct tz *z;
	unsigned char *data = NULL;
	size_t len;
	char *path;

	if (!valid_name(name)) {
		if (err != NULL)
			*err = xasprintf("'%s' is not a time zone name: use an "
			    "IANA name such as Europe/Berlin or "
			    "America/New_York", name);
		return NULL;
	}
	if ((z = *slot_for(db->slots, db->cap, name)) != NULL)
		return z;

	path = xasprintf("%s/%s", db->dir, name);
	if (read_file(path, &data, &len) == -1) {
		if (err != NULL)
			*err = xasprintf("unknown time zone '%s' (no file %s); "
			    "use an IANA name such as Europe/Berlin", name,
			    path);
		goto out;
	}
	if (tz_parse_tzif(data, len, &z) == -1) {
		if (err != NULL)
			*err = xasprintf("time zone '%s': %s is not a valid "
			    "TZif file", name, path);
		goto out;
	}
	free(z->name);
	z->name = xstrdup(name);
	insert(db, z);
out:
	free(data);
	free(path);
	return z;
}
