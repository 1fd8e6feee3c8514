/*
 * planner.c - who gets what, when.  Pure: no clock, no I/O.
 *
 * How the SPEC's rules are read here (the details it leaves open):
 *
 * Occurrences and keys.  birthday "birthday/YYYY": 29 Feb is 28 Feb in
 * common years, 1 Mar with feb29 = "mar1"; with a known birth year
 * {{age}} = {{years}} = full years, and the birth year itself has no
 * birthday.  yearly "<name>/YYYY": on date MM-DD (29 Feb as above), or on
 * the anniversary of the client's date `field` (client_since, birthday or
 * a YYYY-MM-DD in fields) with {{years}} full years; year 0 is skipped.
 * once "<name>/YYYY-MM-DD".  after_project "<name>/<project>/<offset>" at
 * ended + offset for each project and offset.  casual "<name>/YYYY-MM-DD"
 * on its nominal day: last contact + every + a jitter of 0..jitter days
 * from FNV-1a of (client id, occasion, last contact day), so it is the
 * same on every run.  The last contact is the latest of: a message sent
 * (or queued or deferred, counted at its due), the last touch, the book's
 * last_contact; with none of these (SPEC), the first-seen day.  The chain
 * is projected forward assuming every planned message of the client (any
 * kind) goes at its due: a check-in counts from the latest message before
 * its nominal day, so a birthday resets the clock.  A casual key already
 * in the send log (e.g. skipped while paused) moves the chain on from its
 * nominal day.
 *
 * Time.  Every message goes at the start of the send window on its local
 * day in the client's zone (tz_local_to_utc: a start inside a DST gap is
 * the transition instant).  Fixed kinds (birthday, yearly, once) never
 * change day.  Movable kinds (after_project, casual) move forward to the
 * next day in weekdays that is not a holiday of the region (both on the
 * client's local date), then until they are min_gap (date arithmetic on
 * local days) from every message to the client: sent, queued or deferred
 * ones in the send log and planned ones.  Two fixed on one local day: the
 * higher priority goes (ties: the occasion listed first), the other is
 * skipped, as is a fixed one on a day that already has a fixed message in
 * the send log.  A client's movable messages are placed in order of
 * (day, priority, occasion), re-queued whenever one moves, so on a
 * contested day the higher priority keeps it.
 *
 * daily_limit counts messages per local day of the sender's zone,
 * including the send log's.  Fixed messages always go.  Only when some
 * day is over the limit, a second pass counts again from the fixed ones
 * and takes the movable messages of all clients in order of (day,
 * priority, client, occasion): one that finds its day full moves to the
 * next day with room, then weekdays, holidays and min_gap (against every
 * other message of the client) apply again.  The check-in chain keeps the
 * days the first pass projected.  A note says where and why a message
 * moved: "moved from Sat 2027-02-27: weekday rule, Ostermontag",
 * "moved from Tue 2027-03-02: daily limit of 20".
 *
 * Past moments.  A message is late when its day's window closed before
 * `from`; one due earlier today while the window is still open simply
 * goes now.  Fixed and after_project: late by less than catch_up goes at
 * once (today while the window is open, else at the next window start,
 * movable ones on the next allowed day), "late by 2d: catch-up", `late`
 * set when that is after its own day; later than that it is reported
 * missed once.  The planner looks back max(catch_up, 31 days); older
 * occurrences not in the log are left alone (the daemon records missed
 * ones as it goes).  Nothing on a local day before the client's first-seen
 * day is caught up, missed or skipped (a client the history does not know
 * counts as first seen at `from`).  A casual check-in is never missed: an
 * overdue one takes the next allowed slot from `from` on.
 *
 * Paused (paused, or paused_until on or after the local day) and opted-out
 * clients (opt-out at or before the moment) get their occurrences as
 * PLAN_SKIP with the reason; the daemon logs those whose due has come,
 * later ones are a forecast for `preview`.  An occurrence already in the
 * send log, whatever its status, is never planned again.
 *
 * Spread.  Messages due at the same instant are spread over the first
 * half of the window: ranked by priority (high first), client id and key,
 * the k-th goes k * 2 min later, wrapping.  Messages of the send log due
 * in the same window (queued, sent, deferred, failed) keep their ranks, so
 * the ranks of the rest do not shift as the day's messages go out; a due
 * that has already passed while the window is open becomes `from`.
 *
 * Output.  PLAN_SEND with due in [from, until); PLAN_SKIP and PLAN_MISSED
 * with due before until (those before `from` are decisions for now).
 * Sorted by due, priority (high first), client id, key.  only_client
 * filters the output only: the daily limit is computed over all clients.
 *
 * Cost: one client at a time (its data stays in the cache), a small
 * heap per client; per-day counters with a next-day-with-room skip list;
 * radix-sorted order keys.  bench/planner.sh: about a second for a year
 * of 100,000 clients.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "holidays.h"
#include "planner.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define SPREAD_STEP	120
#define LOOKBACK_MIN	(31 * (int64_t)DAY_SECONDS)
#define NO_DAY		INT64_MIN

/* Notes are mostly empty: one shared "" instead of an allocation each. */
static char planner_empty[] = "";

/* A message to a client, sent or planned: its local day. */
struct pmsg {
	int64_t		 day;
	const char	*what;		/* occasion name */
	int		 prio;
	bool		 fixed;
};

struct pclient {
	const struct client *c;
	const struct history_client *hc;
	const struct tz	*tz;
	int64_t		 from_day;	/* local day of from */
	int64_t		 wend_today;	/* window end on from_day */
	int64_t		 fs_day;	/* first-seen local day */
	int64_t		 first_day;	/* earliest day looked at */
	int64_t		 last_day;	/* local day of until */
	int64_t		 contact_day;	/* last contact, NO_DAY: none */
	uint64_t	 bloom[4];	/* hashes of the send log's keys */
	int64_t		 memo_day[2];	/* window starts lately asked for */
	int64_t		 memo_at[2];
	struct pmsg	*msgs;
	size_t		 nmsgs, capmsgs;
};

struct work {
	struct plan_item it;
	int		 prio;
	uint32_t	 ci;
};

/* A movable occurrence on its way to a day. */
struct task {
	int64_t		 day;		/* candidate local day */
	int64_t		 nominal;	/* its own day */
	int64_t		 base;		/* casual: the last contact day */
	int64_t		 moved_from;	/* NO_DAY: not moved yet */
	char		*reasons;	/* why it moved, ", "-separated */
	char		*pre;		/* catch-up/overdue text */
	char		*key;		/* after_project: fixed at creation */
	bool		 checked;	/* known not to be in the send log */
	bool		 caught_up;
	int		 prio;
	uint32_t	 ci, oi, sub;
	size_t		 wi;		/* placed: its output item */
	size_t		 mi;		/* placed: its entry in pc->msgs */
};

/* Heap entries stay small: (day, priority) and (client, occasion, sub)
 * packed for the comparison, the task by index. */
struct hent {
	uint64_t	 k1, k2;
	uint32_t	 ti;
};

struct planner {
	const struct settings *s;
	const struct book *b;
	const struct history *h;
	const struct planner_opts *o;
	struct pclient	*pc;
	size_t		 npc;
	struct work	*w;
	size_t		 nw, capw;
	struct task	*tasks;
	size_t		 ntasks, captasks;
	uint32_t	*freet;		/* free task slots */
	size_t		 nfreet, capfreet;
	struct hent	*heap;
	size_t		 nheap, capheap;
	int		*count;		/* messages per sender day */
	int		*fixed;		/* of them fixed or in the send log;
					   the daily limit's running count */
	uint32_t	*next;		/* next index with room (skip list) */
	uint32_t	*placed;	/* tasks of movable messages */
	size_t		 nplaced, capplaced;
	size_t		 ncount;
	int64_t		 cbase;		/* sender day of count[0] */
	int64_t		 lookback;	/* seconds */
	int64_t		 gap_secs;	/* nominal length of min_gap */
	bool		 gap;		/* min_gap is not zero */
	char		*gap_text;	/* "21d gap after " */
	char		*limit_text;	/* "daily limit of 20" */
	struct buf	 kb;		/* key scratch */
	struct buf	 rb;		/* reason scratch */
};

/* --- small helpers ------------------------------------------------- */

static int64_t
planner_wstart(const struct planner *p, const struct tz *z, int64_t day)
{
	return tz_local_to_utc(z, day, p->s->window.start * 60);
}

static int64_t
planner_wend(const struct planner *p, const struct tz *z, int64_t day)
{
	if (p->s->window.end >= 1440)
		return tz_local_to_utc(z, day + 1, 0);
	return tz_local_to_utc(z, day, p->s->window.end * 60);
}

/* The window start on a local day of the client; the same few days are
 * asked for again and again while a message finds its day. */
static int64_t
planner_cstart(const struct planner *p, struct pclient *pc, int64_t day)
{
	int k = (int)(day & 1);

	if (pc->memo_day[k] != day) {
		pc->memo_day[k] = day;
		pc->memo_at[k] = planner_wstart(p, pc->tz, day);
	}
	return pc->memo_at[k];
}

/* Whether the window of the client's local day closed before `from`. */
static bool
planner_closed(const struct planner *p, const struct pclient *pc,
    int64_t day)
{
	return day < pc->from_day ||
	    (day == pc->from_day && pc->wend_today <= p->o->from);
}

static int64_t
planner_local_day(const struct tz *z, int64_t t)
{
	int64_t day;
	int sec;

	tz_utc_to_local(z, t, &day, &sec);
	return day;
}

/* "YYYY-MM-DD" without printf: keys and hashes are made by the million. */
static void
planner_fmt_date(int64_t day, char out[static 11])
{
	struct civil_date d;

	timeutil_civil_from_days(day, &d);
	if (d.year < 0 || d.year > 9999) {
		timeutil_format_date(day, out);
		return;
	}
	out[0] = (char)('0' + d.year / 1000);
	out[1] = (char)('0' + d.year / 100 % 10);
	out[2] = (char)('0' + d.year / 10 % 10);
	out[3] = (char)('0' + d.year % 10);
	out[4] = '-';
	out[5] = (char)('0' + d.month / 10);
	out[6] = (char)('0' + d.month % 10);
	out[7] = '-';
	out[8] = (char)('0' + d.day / 10);
	out[9] = (char)('0' + d.day % 10);
	out[10] = '\0';
}

/* timeutil_days_add(), short-cut for the common whole-day durations. */
static int64_t
planner_days_add(int64_t day, const struct duration *dur)
{
	if (dur->months == 0)
		return day + dur->seconds / DAY_SECONDS;
	return timeutil_days_add(day, dur);
}

/* "Sat 2027-02-27" */
static void
planner_fmt_wday(int64_t day, char out[static 16])
{
	char d[11];

	planner_fmt_date(day, d);
	snprintf(out, 16, "%s %s", timeutil_weekday_name(
	    timeutil_weekday(day)), d);
}

static char *
planner_fmt_duration(const struct duration *d)
{
	if (d->months != 0)
		return d->months % 12 == 0 ? xasprintf("%dy", d->months / 12) :
		    xasprintf("%dM", d->months);
	if (d->seconds % DAY_SECONDS == 0)
		return xasprintf("%lldd", (long long)(d->seconds / DAY_SECONDS));
	if (d->seconds % 3600 == 0)
		return xasprintf("%lldh", (long long)(d->seconds / 3600));
	if (d->seconds % 60 == 0)
		return xasprintf("%lldmin", (long long)(d->seconds / 60));
	return xasprintf("%llds", (long long)d->seconds);
}

/* A lateness as the largest whole unit: "8d", "5h", "12min". */
static char *
planner_fmt_span(int64_t secs)
{
	if (secs >= DAY_SECONDS)
		return xasprintf("%lldd", (long long)(secs / DAY_SECONDS));
	if (secs >= 3600)
		return xasprintf("%lldh", (long long)(secs / 3600));
	return xasprintf("%lldmin", (long long)(secs / 60));
}

static uint64_t
planner_fnv(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static bool
planner_is_fixed(enum occasion_kind k)
{
	return k == OCC_BIRTHDAY || k == OCC_YEARLY || k == OCC_ONCE;
}

/* The day of month/day in year; 29 Feb in a common year is 28 Feb, or
 * 1 Mar with mar1. */
static int64_t
planner_anniversary(int year, int month, int day, bool mar1)
{
	if (month == 2 && day == 29 && !timeutil_is_leap(year)) {
		if (mar1)
			return timeutil_days_from_civil(year, 3, 1);
		day = 28;
	}
	return timeutil_days_from_civil(year, month, day);
}

static int64_t
planner_civil_day(const struct civil_date *d)
{
	return timeutil_days_from_civil(d->year, d->month, d->day);
}

/* Builds "a/b" or "a/b/c" in the scratch buffer (valid until the next
 * call).  Keys are looked up far more often than kept. */
static const char *
planner_key(struct planner *p, const char *a, const char *b, const char *c)
{
	buf_reset(&p->kb);
	buf_adds(&p->kb, a);
	buf_addc(&p->kb, '/');
	buf_adds(&p->kb, b);
	if (c != NULL) {
		buf_addc(&p->kb, '/');
		buf_adds(&p->kb, c);
	}
	return p->kb.data;
}

/* The key of a dated occurrence: "<name>/YYYY" or "<name>/YYYY-MM-DD". */
static const char *
planner_date_key(struct planner *p, const char *name, int64_t day,
    int year)
{
	char d[11];

	if (year != 0) {
		d[0] = (char)('0' + year / 1000 % 10);
		d[1] = (char)('0' + year / 100 % 10);
		d[2] = (char)('0' + year / 10 % 10);
		d[3] = (char)('0' + year % 10);
		d[4] = '\0';
	} else
		planner_fmt_date(day, d);
	return planner_key(p, name, d, NULL);
}

static unsigned
planner_bloom_bit(const char *key)
{
	uint64_t h = planner_fnv(14695981039346656037ULL, key, strlen(key));

	return (unsigned)(h ^ h >> 32) & 255;
}

/* The send log's record of key for the client, or NULL.  Most keys are not there;
 * a small Bloom filter per client answers those without touching the
 * big table. */
static const struct history_record *
planner_in_log(const struct planner *p, const struct pclient *pc,
    const char *key)
{
	unsigned bit;

	if (pc->hc == NULL || pc->hc->nrecords == 0)
		return NULL;
	bit = planner_bloom_bit(key);
	if ((pc->bloom[bit / 64] & (1ULL << (bit % 64))) == 0)
		return NULL;
	return history_client_find(p->h, pc->hc, key);
}

/* "21d gap after birthday on 2027-02-10" in the reason scratch. */
static const char *
planner_gap_reason(struct planner *p, const struct pmsg *m)
{
	char d[11];

	planner_fmt_date(m->day, d);
	buf_reset(&p->rb);
	buf_adds(&p->rb, p->gap_text);
	buf_adds(&p->rb, m->what);
	buf_adds(&p->rb, " on ");
	buf_adds(&p->rb, d);
	return p->rb.data;
}

/* --- output -------------------------------------------------------- */

static struct work *
planner_emit(struct planner *p, uint32_t ci, const struct occasion *occ,
    enum plan_action action, const char *key, int64_t due, int64_t nominal)
{
	struct work *w;

	if (p->nw == p->capw) {
		p->capw = p->capw ? p->capw * 2 : 1024;
		p->w = xreallocarray(p->w, p->capw, sizeof(*p->w));
	}
	w = &p->w[p->nw++];
	memset(w, 0, sizeof(*w));
	w->it.action = action;
	w->it.due = due;
	w->it.nominal = nominal;
	w->it.client = p->pc[ci].c;
	w->it.occasion = occ;
	w->it.occurrence = xstrdup(key);
	/* The plan cannot outlive the book its items point into. */
	w->it.template = occ->template ? occ->template : planner_empty;
	w->it.note = planner_empty;
	w->prio = occ->priority;
	w->ci = ci;
	return w;
}

/* Whether the client gets nothing on local day, sent at moment at (or
 * `from`, if later: what is still due goes now); the reason into *note. */
static bool
planner_blocked(const struct planner *p, const struct pclient *pc,
    int64_t day, int64_t at, char **note)
{
	const struct client *c = pc->c;
	char d[11];

	if (at < p->o->from)
		at = p->o->from;
	if (pc->hc != NULL && pc->hc->optout != HISTORY_NONE &&
	    pc->hc->optout <= at) {
		planner_fmt_date(planner_local_day(pc->tz, pc->hc->optout),
		    d);
		*note = xasprintf("skipped: opted out on %s", d);
		return true;
	}
	if (c->paused) {
		*note = xstrdup("skipped: paused");
		return true;
	}
	if (c->has_paused_until && planner_civil_day(&c->paused_until) >= day) {
		planner_fmt_date(planner_civil_day(&c->paused_until), d);
		*note = xasprintf("skipped: paused until %s", d);
		return true;
	}
	return false;
}

/* --- per-client messages and counters ------------------------------ */

static void
planner_add_msg(struct pclient *pc, int64_t day, const char *what, int prio,
    bool fixed)
{
	if (pc->nmsgs == pc->capmsgs) {
		pc->capmsgs = pc->capmsgs ? pc->capmsgs * 2 : 8;
		pc->msgs = xreallocarray(pc->msgs, pc->capmsgs,
		    sizeof(*pc->msgs));
	}
	pc->msgs[pc->nmsgs].day = day;
	pc->msgs[pc->nmsgs].what = what;
	pc->msgs[pc->nmsgs].prio = prio;
	pc->msgs[pc->nmsgs].fixed = fixed;
	pc->nmsgs++;
}

static bool
planner_is_message(enum msg_status st)
{
	return st == ST_QUEUED || st == ST_SENT || st == ST_DEFERRED;
}

static int64_t
planner_record_at(const struct history_record *r)
{
	return r->status == ST_SENT && r->sent != HISTORY_NONE ? r->sent :
	    r->due;
}

static int64_t
planner_sender_day(const struct planner *p, int64_t t)
{
	return planner_local_day(p->b->sender_tz, t);
}

/* Counts a message at t; fixed ones (and the send log's) also into the
 * base the daily limit starts from. */
static void
planner_count(struct planner *p, int64_t t, bool fixed)
{
	int64_t i = planner_sender_day(p, t) - p->cbase;

	if (i < 0 || (size_t)i >= p->ncount)
		return;
	p->count[i]++;
	if (fixed)
		p->fixed[i]++;
}

/* The first counter index at or after i with room (ncount: beyond). */
static size_t
planner_room(struct planner *p, size_t i)
{
	size_t r = i;

	while (r < p->ncount && p->next[r] != r)
		r = p->next[r];
	/* Path compression keeps later look-ups short. */
	while (i < p->ncount && p->next[i] != i) {
		size_t n = p->next[i];

		p->next[i] = (uint32_t)r;
		i = n;
	}
	return r;
}

/* --- fixed kinds ---------------------------------------------------- */

struct focc {
	int64_t		 day;
	int		 year;		/* for the key; 0: once (full date) */
	uint32_t	 oi;
	int		 prio;
	bool		 has_years;
	int		 years;
	int		 age;
};

struct fvec {
	struct focc	*v;
	size_t		 n, cap;
};

static void
planner_fpush(struct fvec *f, int64_t day, int year, uint32_t oi, int prio,
    bool has_years, int years, int age)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = xreallocarray(f->v, f->cap, sizeof(*f->v));
	}
	f->v[f->n++] = (struct focc){ day, year, oi, prio, has_years, years,
	    age };
}

static int
planner_focc_cmp(const void *a, const void *b)
{
	const struct focc *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	return x->oi < y->oi ? -1 : x->oi > y->oi;
}

/* The date a yearly occasion by field counts from, or false. */
static bool
planner_field_date(const struct client *c, const char *field,
    struct civil_date *out)
{
	const char *v;

	if (strcmp(field, "client_since") == 0) {
		*out = c->client_since;
		return c->has_client_since;
	}
	if (strcmp(field, "birthday") == 0) {
		*out = c->birthday;
		return c->has_birthday && c->birthday.year != 0;
	}
	if ((v = book_field(c, field)) == NULL)
		return false;
	return timeutil_parse_date(v, out, NULL) == 0;
}

static void
planner_gen_fixed(struct planner *p, struct pclient *pc, int64_t first,
    int64_t last, struct fvec *f)
{
	const struct client *c = pc->c;
	struct civil_date cf, cl;

	timeutil_civil_from_days(first, &cf);
	timeutil_civil_from_days(last, &cl);
	for (size_t k = 0; k < c->noccasions; k++) {
		uint32_t oi = (uint32_t)c->occasions[k];
		const struct occasion *occ = &p->b->occasions[oi];
		struct civil_date fd;
		int64_t day;

		switch (occ->kind) {
		case OCC_BIRTHDAY:
			if (!c->has_birthday)
				break;
			for (int y = cf.year; y <= cl.year; y++) {
				int age = c->birthday.year ?
				    y - c->birthday.year : 0;

				if (c->birthday.year != 0 && age <= 0)
					continue;
				day = planner_anniversary(y, c->birthday.month,
				    c->birthday.day, occ->feb29_mar1);
				if (day < first || day > last)
					continue;
				planner_fpush(f, day, y, oi, occ->priority,
				    c->birthday.year != 0, age, age);
			}
			break;
		case OCC_YEARLY:
			if (occ->field != NULL) {
				if (!planner_field_date(c, occ->field, &fd))
					break;
			} else if (occ->has_date)
				fd = occ->date;
			else
				break;
			for (int y = cf.year; y <= cl.year; y++) {
				int years = fd.year ? y - fd.year : 0;

				if (occ->field != NULL && years <= 0)
					continue;
				day = planner_anniversary(y, fd.month, fd.day,
				    occ->feb29_mar1);
				if (day < first || day > last)
					continue;
				planner_fpush(f, day, y, oi, occ->priority,
				    occ->field != NULL, years, 0);
			}
			break;
		case OCC_ONCE:
			if (!occ->has_date)
				break;
			day = planner_civil_day(&occ->date);
			if (day < first || day > last)
				break;
			planner_fpush(f, day, 0, oi, occ->priority, false, 0, 0);
			break;
		default:
			break;
		}
	}
}

/*
 * Places the fixed occurrences of one client: same-day collisions, the
 * first-seen rule, pauses, catch-up.  Sent ones count towards the gap and
 * the daily limit of everything placed later.
 */
static void
planner_fixed(struct planner *p, uint32_t ci, struct fvec *f)
{
	struct pclient *pc = &p->pc[ci];
	const struct settings *s = p->s;
	int64_t from = p->o->from;
	int64_t last = pc->last_day + p->gap_secs / DAY_SECONDS +
	    (s->min_gap.months ? 31 : 0) + 2;

	f->n = 0;
	planner_gen_fixed(p, pc, pc->first_day, last, f);
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), planner_focc_cmp);
	for (size_t i = 0; i < f->n; i++) {
		struct focc *fo = &f->v[i];
		const struct occasion *occ = &p->b->occasions[fo->oi];
		int64_t moment, day = fo->day;
		const struct pmsg *clash = NULL;
		const char *key;
		struct work *w;
		char *note = NULL, *late2 = NULL;

		if (day < pc->fs_day)
			continue;
		moment = planner_cstart(p, pc, day);
		if (moment < from - p->lookback)
			continue;
		key = planner_date_key(p, occ->name, day, fo->year);
		if (planner_in_log(p, pc, key) != NULL)
			continue;
		for (size_t j = 0; j < pc->nmsgs; j++)
			if (pc->msgs[j].fixed && pc->msgs[j].day == day) {
				clash = &pc->msgs[j];
				break;
			}
		if (clash != NULL) {
			w = planner_emit(p, ci, occ, PLAN_SKIP, key, moment,
			    moment);
			w->it.note = xasprintf("skipped: same day as %s "
			    "(priority %d)", clash->what, clash->prio);
			continue;
		}
		if (planner_blocked(p, pc, day, moment, &note)) {
			w = planner_emit(p, ci, occ, PLAN_SKIP, key, moment,
			    moment);
			w->it.note = note;
			continue;
		}
		if (planner_closed(p, pc, day)) {
			char *late = planner_fmt_span(from - moment);

			if (from - moment < timeutil_duration_seconds(
			    &s->catch_up)) {
				note = xasprintf("late by %s: catch-up", late);
				day = from < pc->wend_today ? pc->from_day :
				    pc->from_day + 1;
				/* Caught up into a pause or past an opt-out. */
				if (planner_blocked(p, pc, day, planner_cstart(p,
				    pc, day), &late2)) {
					w = planner_emit(p, ci, occ, PLAN_SKIP,
					    key, moment, moment);
					w->it.note = late2;
					free(note);
					free(late);
					continue;
				}
			} else {
				char d[11], *cu;

				cu = planner_fmt_duration(&s->catch_up);
				planner_fmt_date(day, d);
				w = planner_emit(p, ci, occ, PLAN_MISSED, key,
				    moment, moment);
				w->it.note = xasprintf("missed: due %s, %s late "
				    "(catch_up %s)", d, late, cu);
				free(cu);
				free(late);
				continue;
			}
			free(late);
		}
		w = planner_emit(p, ci, occ, PLAN_SEND, key,
		    day == fo->day ? moment : planner_cstart(p, pc, day),
		    moment);
		if (note != NULL)
			w->it.note = note;
		w->it.late = day > fo->day;
		w->it.has_years = fo->has_years;
		w->it.years = fo->years;
		w->it.age = fo->age;
		planner_add_msg(pc, day, occ->name, occ->priority, true);
		planner_count(p, w->it.due, true);
	}
}

/* --- movable kinds: one heap for all clients ----------------------- */

static bool
planner_hent_less(const struct hent *a, const struct hent *b)
{
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2;
	return a->ti < b->ti;
}

/* Orders by day, priority (high first), client, occasion, sub. */
static struct hent
planner_hent(const struct planner *p, uint32_t ti)
{
	const struct task *t = &p->tasks[ti];
	struct hent e;

	e.k1 = (uint64_t)(t->day + ((int64_t)1 << 40)) << 16 |
	    (uint64_t)(0xffff - (t->prio & 0xffff));
	e.k2 = (uint64_t)t->ci << 32 | (uint64_t)(t->oi & 0xffff) << 16 |
	    (t->sub > 0xffff ? 0xffff : t->sub);
	e.ti = ti;
	return e;
}

static void
planner_push(struct planner *p, uint32_t ti)
{
	struct hent e = planner_hent(p, ti);
	size_t i;

	if (p->nheap == p->capheap) {
		p->capheap = p->capheap ? p->capheap * 2 : 1024;
		p->heap = xreallocarray(p->heap, p->capheap,
		    sizeof(*p->heap));
	}
	i = p->nheap++;
	while (i > 0) {
		size_t up = (i - 1) / 2;

		if (!planner_hent_less(&e, &p->heap[up]))
			break;
		p->heap[i] = p->heap[up];
		i = up;
	}
	p->heap[i] = e;
}

static uint32_t
planner_pop(struct planner *p)
{
	struct hent last;
	uint32_t ti = p->heap[0].ti;
	size_t i = 0;

	last = p->heap[--p->nheap];
	for (;;) {
		size_t l = 2 * i + 1, m;

		if (l >= p->nheap)
			break;
		m = l + 1 < p->nheap &&
		    planner_hent_less(&p->heap[l + 1], &p->heap[l]) ? l + 1 : l;
		if (!planner_hent_less(&p->heap[m], &last))
			break;
		p->heap[i] = p->heap[m];
		i = m;
	}
	if (p->nheap > 0)
		p->heap[i] = last;
	return ti;
}

static uint32_t
planner_task_new(struct planner *p)
{
	uint32_t ti;

	if (p->nfreet > 0)
		ti = p->freet[--p->nfreet];
	else {
		if (p->ntasks == p->captasks) {
			p->captasks = p->captasks ? p->captasks * 2 : 1024;
			p->tasks = xreallocarray(p->tasks, p->captasks,
			    sizeof(*p->tasks));
		}
		ti = (uint32_t)p->ntasks++;
	}
	memset(&p->tasks[ti], 0, sizeof(p->tasks[ti]));
	p->tasks[ti].moved_from = NO_DAY;
	return ti;
}

static void
planner_task_free(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];

	free(t->reasons);
	free(t->pre);
	free(t->key);
	if (p->nfreet == p->capfreet) {
		p->capfreet = p->capfreet ? p->capfreet * 2 : 1024;
		p->freet = xreallocarray(p->freet, p->capfreet,
		    sizeof(*p->freet));
	}
	p->freet[p->nfreet++] = ti;
}

/* Records a move of t to day for reason (kept once).  A reason starting
 * with prefix replaces an earlier one that does: of several gap moves the
 * note names the last. */
static void
planner_move(struct task *t, int64_t day, const char *reason,
    const char *prefix)
{
	char *old;

	if (t->moved_from == NO_DAY)
		t->moved_from = t->day;
	if (prefix != NULL && t->reasons != NULL &&
	    (old = strstr(t->reasons, prefix)) != NULL) {
		char *end = strstr(old, ", ");

		if (end != NULL)
			memmove(old, end + 2, strlen(end + 2) + 1);
		else if (old > t->reasons)
			old[-2] = '\0';
		else
			old[0] = '\0';
		if (t->reasons[0] == '\0') {
			free(t->reasons);
			t->reasons = NULL;
		}
	}
	if (t->reasons == NULL)
		t->reasons = xstrdup(reason);
	else if (strstr(t->reasons, reason) == NULL) {
		size_t a = strlen(t->reasons), b = strlen(reason);

		t->reasons = xreallocarray(t->reasons, a + b + 3, 1);
		memcpy(t->reasons + a, ", ", 2);
		memcpy(t->reasons + a + 2, reason, b + 1);
	}
	t->day = day;
}

/* The casual day after base: base + every + jitter. */
static int64_t
planner_casual_day(const struct client *c, const struct occasion *occ,
    int64_t base)
{
	int64_t day = planner_days_add(base, &occ->every), span;
	uint64_t h = 14695981039346656037ULL;
	char d[11];

	if (day <= base)
		day = base + 1;
	span = planner_days_add(day, &occ->jitter) - day;
	if (span <= 0)
		return day;
	planner_fmt_date(base, d);
	h = planner_fnv(h, c->id, strlen(c->id) + 1);
	h = planner_fnv(h, occ->name, strlen(occ->name) + 1);
	h = planner_fnv(h, d, strlen(d));
	return day + (int64_t)(h % (uint64_t)(span + 1));
}

static void
planner_casual_next(struct planner *p, uint32_t ci, uint32_t oi,
    int64_t base, uint32_t seq)
{
	const struct occasion *occ = &p->b->occasions[oi];
	uint32_t ti = planner_task_new(p);
	struct task *t = &p->tasks[ti];

	t->base = base;
	t->nominal = t->day = planner_casual_day(p->pc[ci].c, occ, base);
	t->prio = occ->priority;
	t->ci = ci;
	t->oi = oi;
	t->sub = seq;
	if (t->day > p->pc[ci].last_day) {
		planner_task_free(p, ti);
		return;
	}
	planner_push(p, ti);
}

/* The latest message day of the client strictly inside (lo, hi), or
 * NO_DAY. */
static int64_t
planner_msg_between(const struct pclient *pc, int64_t lo, int64_t hi)
{
	int64_t best = NO_DAY;

	for (size_t i = 0; i < pc->nmsgs; i++)
		if (pc->msgs[i].day > lo && pc->msgs[i].day < hi &&
		    pc->msgs[i].day > best)
			best = pc->msgs[i].day;
	return best;
}

/* The day day must move to for min_gap, or day itself; *why the reason. */
static int64_t
planner_gap(const struct planner *p, const struct pclient *pc, int64_t day,
    const struct pmsg **why)
{
	int64_t to = day;

	*why = NULL;
	if (!p->gap)
		return day;
	for (size_t i = 0; i < pc->nmsgs; i++) {
		const struct pmsg *m = &pc->msgs[i];
		int64_t after;

		if (m->day > day + p->gap_secs / DAY_SECONDS + 31 ||
		    m->day + p->gap_secs / DAY_SECONDS + 31 < day)
			continue;	/* far away either way */
		after = planner_days_add(m->day, &p->s->min_gap);
		if ((m->day <= day && day < after) || (day <= m->day &&
		    m->day < planner_days_add(day, &p->s->min_gap))) {
			if (after > to) {
				to = after;
				*why = m;
			}
		}
	}
	return to;
}

static bool
planner_allowed(const struct planner *p, int64_t day, const char **why)
{
	unsigned mask = p->s->weekdays ? p->s->weekdays : 0x7fu;
	const char *name = NULL;

	if ((mask & WEEKDAY_BIT(timeutil_weekday(day))) == 0) {
		*why = "weekday rule";
		return false;
	}
	if (holidays_is_holiday(p->s->holidays, day, &name)) {
		*why = name ? name : "public holiday";
		return false;
	}
	return true;
}

static char *
planner_task_note(const struct task *t)
{
	struct buf b;
	size_t len;
	char d[16];

	if (t->pre == NULL && t->moved_from == NO_DAY)
		return planner_empty;
	buf_init(&b);
	if (t->pre != NULL)
		buf_adds(&b, t->pre);
	if (t->moved_from != NO_DAY) {
		planner_fmt_wday(t->moved_from, d);
		buf_addf(&b, "%smoved from %s: %s", b.len ? "; " : "", d,
		    t->reasons);
	}
	return buf_detach(&b, &len);
}

static const char *
planner_task_key(struct planner *p, const struct task *t)
{
	if (t->key != NULL)
		return t->key;
	return planner_date_key(p, p->b->occasions[t->oi].name, t->nominal, 0);
}

static const char *
planner_task_project(const struct planner *p, const struct task *t)
{
	const struct occasion *occ = &p->b->occasions[t->oi];

	if (t->key == NULL)
		return NULL;
	return p->pc[t->ci].c->projects[t->sub /
	    (occ->noffsets ? occ->noffsets : 1)].name;
}

/*
 * One step for the movable task ti: either it is decided (sent, skipped,
 * missed, dropped) or it moves to a later day and goes back on the heap,
 * so every day's room goes to the highest priority first.
 */
static void
planner_step(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	const struct occasion *occ = &p->b->occasions[t->oi];
	const struct settings *s = p->s;
	int64_t from = p->o->from, moment, to, m;
	const struct pmsg *gapm;
	const char *why;
	struct work *w;
	char *note = NULL;
	bool casual = occ->kind == OCC_CASUAL;

	if (t->day > pc->last_day)
		goto drop;
	if (casual && (m = planner_msg_between(pc, t->base, t->nominal)) !=
	    NO_DAY) {
		/* A planned message before the check-in resets its clock. */
		planner_casual_next(p, t->ci, t->oi, m, t->sub);
		goto drop;
	}
	if (!t->checked) {
		const struct history_record *hr;

		t->checked = true;
		if ((hr = planner_in_log(p, pc, planner_task_key(p, t))) !=
		    NULL) {
			/* Logged already, e.g. skipped while paused: the
			 * chain goes on from the day it was dealt with. */
			if (casual) {
				m = planner_local_day(pc->tz, hr->due);
				planner_casual_next(p, t->ci, t->oi,
				    m > t->nominal ? m : t->nominal,
				    t->sub + 1);
			}
			goto drop;
		}
	}
	moment = planner_cstart(p, pc, t->day);
	if (casual && !t->caught_up && planner_closed(p, pc, t->day)) {
		char d[11];

		planner_fmt_date(t->nominal, d);
		t->pre = xasprintf("overdue since %s", d);
		t->caught_up = true;
		t->day = from < pc->wend_today ? pc->from_day :
		    pc->from_day + 1;
		goto again;
	}
	if (!casual && (t->day < pc->fs_day || moment < from - p->lookback))
		goto drop;
	if (planner_blocked(p, pc, t->day, moment, &note)) {
		w = planner_emit(p, t->ci, occ, PLAN_SKIP,
		    planner_task_key(p, t), moment,
		    planner_cstart(p, pc, t->nominal));
		w->it.note = note;
		w->it.project = planner_task_project(p, t);
		/* One skip per check-in, from the day it was due (or, when
		 * overdue, today): a long pause is not logged many times. */
		if (casual)
			planner_casual_next(p, t->ci, t->oi, t->day,
			    t->sub + 1);
		goto drop;
	}
	if (!planner_allowed(p, t->day, &why)) {
		/* Days nothing movable may use are passed in one go. */
		do
			planner_move(t, t->day + 1, why, NULL);
		while (t->day <= pc->last_day && !planner_allowed(p, t->day,
		    &why));
		goto again;
	}
	if ((to = planner_gap(p, pc, t->day, &gapm)) != t->day) {
		planner_move(t, to, planner_gap_reason(p, gapm), p->gap_text);
		goto again;
	}
	if (!t->caught_up && planner_closed(p, pc, t->day)) {
		char *late = planner_fmt_span(from - moment);

		if (from - moment < timeutil_duration_seconds(&s->catch_up)) {
			free(t->pre);
			t->pre = xasprintf("late by %s: catch-up", late);
			t->caught_up = true;
			free(late);
			/* Moves from here on are counted from the new day. */
			free(t->reasons);
			t->reasons = NULL;
			t->moved_from = NO_DAY;
			t->day = from < pc->wend_today ? pc->from_day :
			    pc->from_day + 1;
			goto again;
		} else {
			char d[11], *cu = planner_fmt_duration(&s->catch_up);

			planner_fmt_date(t->day, d);
			w = planner_emit(p, t->ci, occ, PLAN_MISSED,
			    planner_task_key(p, t), moment,
			    planner_cstart(p, pc, t->nominal));
			w->it.note = xasprintf("missed: due %s, %s late "
			    "(catch_up %s)", d, late, cu);
			w->it.project = planner_task_project(p, t);
			free(cu);
			free(late);
			goto drop;
		}
	}
	w = planner_emit(p, t->ci, occ, PLAN_SEND, planner_task_key(p, t),
	    moment, planner_cstart(p, pc, t->nominal));
	w->it.note = planner_task_note(t);
	w->it.late = !casual && t->caught_up && t->day > t->nominal;
	w->it.project = planner_task_project(p, t);
	t->wi = p->nw - 1;
	t->mi = pc->nmsgs;
	planner_add_msg(pc, t->day, occ->name, occ->priority, false);
	planner_count(p, moment, false);
	/* Kept for the daily limit, which may still move it. */
	if (p->nplaced == p->capplaced) {
		p->capplaced = p->capplaced ? p->capplaced * 2 : 1024;
		p->placed = xreallocarray(p->placed, p->capplaced,
		    sizeof(*p->placed));
	}
	p->placed[p->nplaced++] = ti;
	if (casual)
		planner_casual_next(p, t->ci, t->oi, t->day, t->sub + 1);
	return;
drop:
	planner_task_free(p, ti);
	return;
again:
	if (t->day > pc->last_day)
		goto drop;
	planner_push(p, ti);
}

static void
planner_movable(struct planner *p, uint32_t ci)
{
	struct pclient *pc = &p->pc[ci];
	const struct client *c = pc->c;

	for (size_t k = 0; k < c->noccasions; k++) {
		uint32_t oi = (uint32_t)c->occasions[k];
		const struct occasion *occ = &p->b->occasions[oi];

		if (occ->kind == OCC_CASUAL) {
			int64_t base = pc->contact_day != NO_DAY ?
			    pc->contact_day : pc->fs_day;

			planner_casual_next(p, ci, oi, base, 0);
			continue;
		}
		if (occ->kind != OCC_AFTER_PROJECT)
			continue;
		for (size_t j = 0; j < c->nprojects; j++) {
			for (size_t q = 0; q < occ->noffsets; q++) {
				struct civil_date d;
				const char *key;
				struct task *t;
				int64_t day;
				uint32_t ti;

				d = timeutil_date_add(c->projects[j].ended,
				    &occ->offsets[q]);
				day = planner_civil_day(&d);
				if (day < pc->first_day || day > pc->last_day)
					continue;
				key = planner_key(p, occ->name,
				    c->projects[j].name, occ->offset_texts[q]);
				if (planner_in_log(p, pc, key) != NULL)
					continue;
				ti = planner_task_new(p);
				t = &p->tasks[ti];
				t->day = t->nominal = day;
				t->key = xstrdup(key);
				t->checked = true;
				t->prio = occ->priority;
				t->ci = ci;
				t->oi = oi;
				t->sub = (uint32_t)(j * occ->noffsets + q);
				planner_push(p, ti);
			}
		}
	}
}

/* --- the daily limit ------------------------------------------------ */

static int
planner_hent_cmp(const void *a, const void *b)
{
	return planner_hent_less(a, b) ? -1 : planner_hent_less(b, a);
}

/*
 * A movable message whose sender day is full moves to the next day with
 * room; weekdays, holidays and min_gap apply again from there.
 */
static bool
planner_limit_step(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	struct work *w = &p->w[t->wi];
	int64_t moment = planner_cstart(p, pc, t->day), i, to;
	const struct pmsg *gapm;
	const char *why;
	size_t r;

	i = planner_sender_day(p, moment) - p->cbase;
	/* Outside the counted days there is no limit to apply. */
	if (i < 0 || (size_t)i >= p->ncount ||
	    (r = planner_room(p, (size_t)i)) == (size_t)i) {
		char *note = NULL;

		if (t->moved_from != NO_DAY) {
			w->it.due = moment;
			if (w->it.note != planner_empty)
				free(w->it.note);
			/* Moved into a pause or past an opt-out. */
			if (planner_blocked(p, pc, t->day, moment, &note)) {
				w->it.action = PLAN_SKIP;
				w->it.note = note;
				pc->msgs[t->mi].day = NO_DAY / 2;
				return true;
			}
			w->it.note = planner_task_note(t);
		}
		if (i >= 0 && (size_t)i < p->ncount &&
		    ++p->fixed[i] >= p->s->daily_limit)
			p->next[i] = (uint32_t)i + 1;
		pc->msgs[t->mi].day = t->day;
		return true;
	}
	planner_move(t, t->day + (int64_t)(r - (size_t)i), p->limit_text,
	    NULL);
	/* Out of its own way while it looks for a new day. */
	pc->msgs[t->mi].day = NO_DAY / 2;
	for (;;) {
		if (t->day > pc->last_day) {
			w->it.due = INT64_MAX;	/* beyond the range now */
			return true;
		}
		if (!planner_allowed(p, t->day, &why))
			planner_move(t, t->day + 1, why, NULL);
		else if ((to = planner_gap(p, pc, t->day, &gapm)) != t->day)
			planner_move(t, to, planner_gap_reason(p, gapm),
			    p->gap_text);
		else {
			/* Others of the client keep their gap to it while it
			 * waits for its turn. */
			pc->msgs[t->mi].day = t->day;
			return false;
		}
	}
}

static void
planner_limit(struct planner *p)
{
	struct hent *order;
	size_t k = 0;
	bool over = false;

	for (size_t i = 0; i < p->ncount && !over; i++)
		over = p->count[i] > p->s->daily_limit;
	if (!over)
		return;
	/* Room is counted again from the fixed messages up, movable ones
	 * in the order of their days, priority first. */
	p->next = xcalloc(p->ncount, sizeof(*p->next));
	for (size_t i = 0; i < p->ncount; i++)
		p->next[i] = (uint32_t)(p->fixed[i] >= p->s->daily_limit ?
		    i + 1 : i);
	order = xcalloc(p->nplaced ? p->nplaced : 1, sizeof(*order));
	for (size_t i = 0; i < p->nplaced; i++)
		order[i] = planner_hent(p, p->placed[i]);
	if (p->nplaced > 1)
		qsort(order, p->nplaced, sizeof(*order), planner_hent_cmp);
	/* The moved ones wait in the heap, merged with the sorted rest. */
	p->nheap = 0;
	while (k < p->nplaced || p->nheap > 0) {
		uint32_t ti;

		if (p->nheap > 0 && (k == p->nplaced ||
		    planner_hent_less(&p->heap[0], &order[k])))
			ti = planner_pop(p);
		else
			ti = order[k++].ti;
		if (!planner_limit_step(p, ti))
			planner_push(p, ti);
	}
	free(order);
}

/* --- set-up --------------------------------------------------------- */

/* Loads what the history knows of the client: messages near the range,
 * the last contact, the first-seen day. */
static void
planner_client_init(struct planner *p, uint32_t ci, const struct client *c,
    const struct tz *z)
{
	struct pclient *pc = &p->pc[ci];
	const struct history_client *hc = history_client(p->h, c->id);
	int64_t from = p->o->from, horizon, contact = NO_DAY, d;
	int sec;

	pc->c = c;
	pc->hc = hc;
	pc->tz = z;
	pc->memo_day[0] = pc->memo_day[1] = NO_DAY;
	tz_utc_to_local(z, from, &pc->from_day, &sec);
	pc->wend_today = planner_wend(p, z, pc->from_day);
	pc->first_day = planner_local_day(z, from - p->lookback) - 1;
	pc->last_day = planner_local_day(z, p->o->until);
	pc->fs_day = hc != NULL && hc->first_seen != HISTORY_NONE ?
	    planner_local_day(z, hc->first_seen) : pc->from_day;
	if (c->has_last_contact)
		contact = planner_civil_day(&c->last_contact);
	if (hc == NULL) {
		pc->contact_day = contact;
		return;
	}
	if (hc->last_touch != HISTORY_NONE &&
	    (d = planner_local_day(z, hc->last_touch)) > contact)
		contact = d;
	for (size_t i = 0; i < hc->nrecords; i++) {
		unsigned bit = planner_bloom_bit(hc->records[i].occurrence);

		pc->bloom[bit / 64] |= 1ULL << (bit % 64);
	}
	/* Older messages cannot reach a planned one through min_gap. */
	horizon = from - p->lookback - p->gap_secs - 32 * DAY_SECONDS;
	for (size_t i = hc->nrecords; i-- > 0;) {
		const struct history_record *r = &hc->records[i];
		const struct occasion *occ;

		if (!planner_is_message(r->status))
			continue;
		d = planner_local_day(z, planner_record_at(r));
		if (d > contact)
			contact = d;
		if (planner_record_at(r) < horizon && r->due < horizon)
			continue;
		occ = book_occasion(p->b, r->occasion);
		planner_add_msg(pc, d, r->occasion, occ ? occ->priority : 0,
		    occ != NULL && planner_is_fixed(occ->kind));
		if (r->due >= from - 2 * (int64_t)DAY_SECONDS)
			planner_count(p, planner_record_at(r), true);
	}
	pc->contact_day = contact;
}

/* --- spread and order ----------------------------------------------- */

/* What items are ordered by: due, priority (high first), client, key.
 * Small, so sorting 100,000 clients' year moves little memory. */
struct okey {
	int64_t		 due;
	int		 prio;
	uint32_t	 ci;
	const char	*key;
	size_t		 wi;		/* SIZE_MAX: a send-log entry */
};

static int
planner_okey_cmp(const void *a, const void *b)
{
	const struct okey *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	if (x->ci != y->ci)
		return x->ci < y->ci ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * Sorts keys in planner_okey_cmp order.  For books that fit (dues within
 * 500 years of each other, priorities up to 1000, a million clients) the
 * first three fields pack into 64 bits and an LSD radix sort does the
 * work; equal packed keys (one client, one moment) are then ordered by
 * key.  Otherwise qsort.
 */
struct rkey {
	uint64_t	 k;
	uint32_t	 i;
};

static void
planner_sort(struct okey *a, size_t n)
{
	struct rkey *r, *tmp;
	struct okey *sorted;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	size_t cnt[2048];
	bool fits = n < UINT32_MAX;

	for (size_t i = 0; i < n && fits; i++) {
		if (a[i].due < lo)
			lo = a[i].due;
		if (a[i].due > hi)
			hi = a[i].due;
		fits = a[i].prio >= 0 && a[i].prio <= 1000 &&
		    a[i].ci < (1u << 20);
	}
	if (n < 2)
		return;
	if (!fits || (uint64_t)(hi - lo) >= (1ULL << 34)) {
		qsort(a, n, sizeof(*a), planner_okey_cmp);
		return;
	}
	r = xcalloc(n, sizeof(*r));
	tmp = xcalloc(n, sizeof(*tmp));
	for (size_t i = 0; i < n; i++) {
		r[i].k = (uint64_t)(a[i].due - lo) << 30 |
		    (uint64_t)(1000 - a[i].prio) << 20 | a[i].ci;
		r[i].i = (uint32_t)i;
	}
	for (int shift = 0; shift < 64; shift += 11) {
		struct rkey *sw;
		size_t sum = 0;

		memset(cnt, 0, sizeof(cnt));
		for (size_t i = 0; i < n; i++)
			cnt[r[i].k >> shift & 2047]++;
		if (cnt[r[0].k >> shift & 2047] == n)
			continue;	/* all alike in this digit */
		for (size_t d = 0; d < 2048; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[cnt[r[i].k >> shift & 2047]++] = r[i];
		sw = r;
		r = tmp;
		tmp = sw;
	}
	sorted = xcalloc(n, sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = a[r[i].i];
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && r[j].k == r[i].k; j++)
			;
		if (j - i > 1)
			qsort(sorted + i, j - i, sizeof(*sorted),
			    planner_okey_cmp);
	}
	memcpy(a, sorted, n * sizeof(*a));
	free(sorted);
	free(r);
	free(tmp);
}

/*
 * Spreads the messages due at one instant and returns them as order keys
 * with their final dues in *out (the items keep the unspread ones).
 */
static size_t
planner_spread(struct planner *p, struct okey **out)
{
	struct okey *r;
	size_t n = 0, cap = p->nw + 16;
	int64_t half = (int64_t)(p->s->window.end - p->s->window.start) * 30;
	const struct tz *span_tz = NULL;
	int64_t span = 0, span_at = 0;
	size_t k = 0;

	r = xreallocarray(NULL, cap, sizeof(*r));
	for (size_t i = 0; i < p->nw; i++) {
		struct work *w = &p->w[i];

		if (w->it.action != PLAN_SEND || w->it.due >= p->o->until)
			continue;
		r[n++] = (struct okey){ w->it.due, w->prio, w->ci,
		    w->it.occurrence, i };
	}
	for (uint32_t ci = 0; ci < p->npc; ci++) {
		const struct pclient *pc = &p->pc[ci];

		if (pc->hc == NULL)
			continue;
		for (size_t i = pc->hc->nrecords; i-- > 0;) {
			const struct history_record *hr = &pc->hc->records[i];
			const struct occasion *occ;

			if (hr->due < p->o->from - 2 * (int64_t)DAY_SECONDS)
				break;
			if (!planner_is_message(hr->status) &&
			    hr->status != ST_FAILED)
				continue;
			occ = book_occasion(p->b, hr->occasion);
			if (n == cap) {
				cap *= 2;
				r = xreallocarray(r, cap, sizeof(*r));
			}
			r[n++] = (struct okey){ planner_wstart(p, pc->tz,
			    planner_local_day(pc->tz, hr->due)),
			    occ ? occ->priority : 0, ci, hr->occurrence,
			    SIZE_MAX };
		}
	}
	planner_sort(r, n);
	/* Ranks are counted on the unspread dues; k <= i, so the kept
	 * keys are compacted in place. */
	for (size_t i = 0, rank = 0, base = 0; i < n; i++) {
		const struct tz *z;
		int64_t at = r[i].due;

		rank = i > 0 && base == (size_t)at ? rank + 1 : 0;
		base = (size_t)at;
		if (r[i].wi == SIZE_MAX)
			continue;
		z = p->pc[r[i].ci].tz;
		if (rank > 0 && (z != span_tz || at != span_at)) {
			/* The same for the whole group, as a rule. */
			span = planner_wend(p, z, planner_local_day(z, at)) -
			    at;
			if (span > half)
				span = half;
			span -= span % SPREAD_STEP;
			span_tz = z;
			span_at = at;
		}
		if (rank > 0 && span >= SPREAD_STEP)
			r[i].due += (int64_t)(rank * SPREAD_STEP) % span;
		if (r[i].due < p->o->from)
			r[i].due = p->o->from;
		r[k++] = r[i];
	}
	*out = r;
	return k;
}

static void
planner_item_clear(struct plan_item *it)
{
	free(it->occurrence);
	if (it->note != planner_empty)
		free(it->note);
}

int
planner_plan(const struct settings *s, const struct book *b,
    const struct history *h, const struct planner_opts *o,
    struct plan *out, char **err)
{
	struct planner p;
	struct fvec f = { NULL, 0, 0 };
	struct okey *keys;
	size_t nk;
	char *keep;
	int64_t cend, gap_days;
	size_t n = 0;

	out->items = NULL;
	out->n = 0;
	memset(&p, 0, sizeof(p));
	p.s = s;
	p.b = b;
	p.h = h;
	p.o = o;
	if (b->sender_tz == NULL) {
		if (err != NULL)
			*err = xstrdup("planner: the book has no sender time "
			    "zone");
		return -1;
	}
	buf_init(&p.kb);
	buf_init(&p.rb);
	{
		char *g = planner_fmt_duration(&s->min_gap);

		p.gap_text = xasprintf("%s gap after ", g);
		free(g);
	}
	p.limit_text = xasprintf("daily limit of %d", s->daily_limit);
	p.lookback = timeutil_duration_seconds(&s->catch_up);
	if (p.lookback < LOOKBACK_MIN)
		p.lookback = LOOKBACK_MIN;
	p.gap_secs = timeutil_duration_seconds(&s->min_gap);
	p.gap = s->min_gap.months != 0 || s->min_gap.seconds >= DAY_SECONDS;
	gap_days = p.gap_secs / DAY_SECONDS + (s->min_gap.months ? 31 : 0) + 2;

	p.cbase = planner_sender_day(&p, o->from) - 2;
	cend = planner_sender_day(&p, o->until > o->from ? o->until : o->from)
	    + gap_days + 8;
	p.ncount = (size_t)(cend - p.cbase + 1);
	p.count = xcalloc(p.ncount, sizeof(*p.count));
	p.fixed = xcalloc(p.ncount, sizeof(*p.fixed));

	p.npc = b->nclients;
	p.pc = xcalloc(p.npc ? p.npc : 1, sizeof(*p.pc));
	/* One client at a time keeps its data in the cache. */
	for (uint32_t ci = 0; ci < p.npc; ci++) {
		const struct client *c = &b->clients[ci];

		planner_client_init(&p, ci, c, c->tz ? c->tz : b->sender_tz);
		planner_fixed(&p, ci, &f);
		planner_movable(&p, ci);
		while (p.nheap > 0)
			planner_step(&p, planner_pop(&p));
	}
	planner_limit(&p);
	for (size_t i = 0; i < p.nplaced; i++)
		planner_task_free(&p, p.placed[i]);
	nk = planner_spread(&p, &keys);

	/* Keep what the caller asked for, then order it. */
	keep = xcalloc(p.nw ? p.nw : 1, 1);
	for (size_t i = 0; i < nk; i++) {
		if (keys[i].due < o->until && (o->only_client == NULL ||
		    strcmp(p.pc[keys[i].ci].c->id, o->only_client) == 0)) {
			keep[keys[i].wi] = 1;
			keys[n++] = keys[i];
		}
	}
	for (size_t i = 0; i < p.nw; i++) {
		struct work *w = &p.w[i];

		if (w->it.action != PLAN_SEND && w->it.due < o->until &&
		    (o->only_client == NULL ||
		    strcmp(w->it.client->id, o->only_client) == 0)) {
			if (n == nk) {
				nk = nk ? nk * 2 : 16;
				keys = xreallocarray(keys, nk, sizeof(*keys));
			}
			keep[i] = 1;
			keys[n++] = (struct okey){ w->it.due, w->prio, w->ci,
			    w->it.occurrence, i };
		}
		if (!keep[i])
			planner_item_clear(&w->it);
	}
	planner_sort(keys, n);
	out->items = xcalloc(n ? n : 1, sizeof(*out->items));
	for (size_t i = 0; i < n; i++) {
		struct plan_item *it = &out->items[i];

		*it = p.w[keys[i].wi].it;
		it->due = keys[i].due;
		if (i > 0 && it->due == out->items[i - 1].due &&
		    p.pc[keys[i].ci].tz == p.pc[keys[i - 1].ci].tz)
			it->utc_offset = out->items[i - 1].utc_offset;
		else
			it->utc_offset = tz_offset_at(p.pc[keys[i].ci].tz,
			    it->due, NULL);
	}
	out->n = n;
	free(keys);
	free(keep);

	for (size_t i = 0; i < p.npc; i++)
		free(p.pc[i].msgs);
	free(p.pc);
	free(p.w);
	free(p.tasks);
	free(p.freet);
	free(p.heap);
	free(p.count);
	free(p.fixed);
	free(p.next);
	free(p.placed);
	free(f.v);
	buf_free(&p.kb);
	buf_free(&p.rb);
	free(p.gap_text);
	free(p.limit_text);
	return 0;
}

void
plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		planner_item_clear(&p->items[i]);
	free(p->items);
	p->items = NULL;
	p->n = 0;
}
