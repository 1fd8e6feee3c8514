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
 * moved: "moved from Sat 2027-02-27: weekday rule, Ostermontag (DE)",
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
 * The file reads in the SPEC's order: after the helpers come the six
 * policies, each as functions named after it (planner_paused,
 * planner_time_of_day, planner_day, planner_min_gap, planner_daily_limit,
 * planner_catch_up), then the drivers that apply them to fixed and to
 * movable occurrences, then set-up and output.
 *
 * Cost: one client at a time (its data stays in the cache), movable
 * occurrences in a heap (pqueue.c), the send log's keys behind a Bloom
 * filter per client (bloom.c), per-day counters with a next-day-with-room
 * skip list (daybudget.c), radix-sorted order keys (sortkey.c).
 * bench/planner.sh: about a second for a year of 100,000 clients.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bloom.h"
#include "buf.h"
#include "consent.h"
#include "daybudget.h"
#include "holidays.h"
#include "planner.h"
#include "pqueue.h"
#include "sortkey.h"
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
	const struct calendar *cal;	/* the client's window, weekdays,
					   holidays */
	int64_t		 from_day;	/* local day of from */
	int64_t		 wend_today;	/* window end on from_day */
	int64_t		 fs_day;	/* first-seen local day */
	int64_t		 fs_at;		/* first-seen moment */
	int64_t		 first_day;	/* earliest day looked at */
	int64_t		 last_day;	/* local day of until */
	int64_t		 contact_day;	/* last contact, NO_DAY: none */
	struct bloom	 log_keys;	/* the send log's keys */
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
	int64_t		 limit_from;	/* max_delay counts from this day */
	int		 prio;
	uint32_t	 ci, oi, sub;
	size_t		 wi;		/* placed: its output item */
	size_t		 mi;		/* placed: its entry in pc->msgs */
};

/* What a policy did with a movable task. */
enum step {
	STEP_ON,		/* not its business: the next policy */
	STEP_MOVED,		/* moved to a later day: back on the heap */
	STEP_DROP,		/* decided, or out of range: the task goes */
	STEP_PLACED		/* planned to go: kept for the daily limit */
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
	struct pqueue	*heap;		/* movable tasks by (day, priority) */
	struct daybudget *days;		/* messages per sender day */
	uint32_t	*placed;	/* tasks of movable messages */
	size_t		 nplaced, capplaced;
	int64_t		 lookback;	/* seconds */
	int64_t		 gap_secs;	/* nominal length of min_gap */
	bool		 gap;		/* min_gap is not zero */
	char		*gap_text;	/* "21d gap after " */
	char		*limit_text;	/* "daily limit of 20" */
	char		**max_delay_text; /* per occasion: "14d" */
	struct buf	 kb;		/* key scratch */
	struct buf	 rb;		/* reason scratch */
	struct calendar	 cal;		/* the schedule's, for clients
					   without one */
	struct tz_memo	*memo;		/* PLANNER_MEMOS, by zone */
};

/* Conversions between UTC and a zone's local time go through a memo of
 * the zone's (tz.h): a few zones serve 100,000 clients. */
#define PLANNER_MEMOS	64

/* A reason for a day a movable message may not use: a holiday's name
 * and its region. */
#define PLANNER_WHY_LEN	96

/* --- small helpers ------------------------------------------------- */

/* The schedule as it applies to a client: every read of the send
 * window, the weekdays and the holidays goes through one of these. */
static const struct window *
planner_window(const struct settings *s, const struct client *c)
{
	return c != NULL && c->cal != NULL ? &c->cal->window : &s->window;
}

static unsigned
planner_weekdays(const struct settings *s, const struct client *c)
{
	unsigned w = c != NULL && c->cal != NULL ? c->cal->weekdays :
	    s->weekdays;

	return w ? w : 0x7fu;
}

static int
planner_holidays(const struct settings *s, const struct client *c)
{
	return c != NULL && c->cal != NULL ? c->cal->holidays : s->holidays;
}

static int64_t
planner_wstart_of(const struct settings *s, const struct client *c,
    const struct tz *z, int64_t day)
{
	return tz_local_to_utc(z, day, planner_window(s, c)->start * 60);
}

static struct tz_memo *
planner_memo(const struct planner *p, const struct tz *z)
{
	return &p->memo[((uintptr_t)z >> 4) % PLANNER_MEMOS];
}

/* The local day of instant t in zone z. */
static int64_t
planner_zone_day(const struct planner *p, const struct tz *z, int64_t t)
{
	return tz_memo_day(planner_memo(p, z), z, t);
}

/* planner_wstart_of() and planner_wend_of() for a client. */
static int64_t
planner_wstart(const struct planner *p, const struct pclient *pc,
    int64_t day)
{
	return tz_memo_local_to_utc(planner_memo(p, pc->tz), pc->tz, day,
	    planner_window(p->s, pc->c)->start * 60);
}

static int64_t
planner_wend(const struct planner *p, const struct pclient *pc, int64_t day)
{
	const struct window *w = planner_window(p->s, pc->c);

	if (w->end >= 1440)
		return tz_memo_local_to_utc(planner_memo(p, pc->tz), pc->tz,
		    day + 1, 0);
	return tz_memo_local_to_utc(planner_memo(p, pc->tz), pc->tz, day,
	    w->end * 60);
}

/* Whether the window of the client's local day closed before `from`. */
static bool
planner_closed(const struct planner *p, const struct pclient *pc,
    int64_t day)
{
	return day < pc->from_day ||
	    (day == pc->from_day && pc->wend_today <= p->o->from);
}

/* Whether the window of the local day closed before the client was
 * first seen: nothing of that day is caught up, missed or skipped. */
static bool
planner_before_seen(const struct planner *p, const struct pclient *pc,
    int64_t day)
{
	return day < pc->fs_day || (day == pc->fs_day &&
	    planner_wend(p, pc, day) <= pc->fs_at);
}

static int64_t
planner_sender_day(const struct planner *p, int64_t t)
{
	return planner_zone_day(p, p->b->sender_tz, t);
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
	const char *name = timeutil_weekday_name(timeutil_weekday(day));
	char d[11];
	size_t n = 0;

	/* snprintf(out, 16, "%s %s", name, d) without printf. */
	planner_fmt_date(day, d);
	for (const char *s = name; *s != '\0' && n < 15; s++)
		out[n++] = *s;
	if (n < 15)
		out[n++] = ' ';
	for (const char *s = d; *s != '\0' && n < 15; s++)
		out[n++] = *s;
	out[n] = '\0';
}

/* The strings parts[0..n) joined, in one allocation: notes are made by
 * the ten thousand, and printf is slow at it. */
static char *
planner_join(const char *const *parts, size_t n)
{
	size_t len = 1, at = 0, l;
	char *out;

	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]);
	out = xmalloc(len);
	for (size_t i = 0; i < n; i++) {
		l = strlen(parts[i]);
		memcpy(out + at, parts[i], l);
		at += l;
	}
	out[at] = '\0';
	return out;
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

bool
planner_kind_movable(enum occasion_kind k)
{
	return k == OCC_AFTER_PROJECT || k == OCC_CASUAL;
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

/* The send log's record of key for the client, or NULL.  Most keys are
 * not there; the client's Bloom filter answers those without touching
 * the big table. */
static const struct history_record *
planner_in_log(const struct planner *p, const struct pclient *pc,
    const char *key)
{
	if (pc->hc == NULL || pc->hc->nrecords == 0)
		return NULL;
	if (!bloom_maybe(&pc->log_keys, key))
		return NULL;
	return history_client_find(p->h, pc->hc, key);
}

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
	return st == ST_QUEUED || st == ST_SENT || st == ST_DEFERRED ||
	    st == ST_BOUNCED;
}

static int64_t
planner_record_at(const struct history_record *r)
{
	return (r->status == ST_SENT || r->status == ST_BOUNCED) &&
	    r->sent != HISTORY_NONE ? r->sent :
	    r->due;
}

/* Counts a message at t on its sender day; fixed ones (and the send
 * log's) also into the base the daily limit starts from. */
static void
planner_count(struct planner *p, int64_t t, bool fixed)
{
	daybudget_count(p->days, planner_sender_day(p, t), fixed);
}

/* --- movable tasks and their heap ----------------------------------- */

/* Orders by day, priority (high first), client, occasion, sub. */
static struct pqueue_entry
planner_task_entry(const struct planner *p, uint32_t ti)
{
	const struct task *t = &p->tasks[ti];
	struct pqueue_entry e;

	e.k1 = (uint64_t)(t->day + ((int64_t)1 << 40)) << 16 |
	    (uint64_t)(0xffff - (t->prio & 0xffff));
	e.k2 = (uint64_t)t->ci << 32 | (uint64_t)(t->oi & 0xffff) << 16 |
	    (t->sub > 0xffff ? 0xffff : t->sub);
	e.id = ti;
	return e;
}

static void
planner_push(struct planner *p, uint32_t ti)
{
	pqueue_push(p->heap, planner_task_entry(p, ti));
}

static uint32_t
planner_pop(struct planner *p)
{
	return pqueue_pop(p->heap).id;
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

/* Drops an earlier reason of t starting with prefix. */
static void
planner_unreason(struct task *t, const char *prefix)
{
	char *old, *end;

	if (t->reasons == NULL || (old = strstr(t->reasons, prefix)) == NULL)
		return;
	if ((end = strstr(old, ", ")) != NULL)
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

/* Records a move of t to day for reason (kept once).  A reason starting
 * with prefix replaces an earlier one that does: of several gap moves the
 * note names the last. */
static void
planner_move(struct task *t, int64_t day, const char *reason,
    const char *prefix)
{
	if (t->moved_from == NO_DAY)
		t->moved_from = t->day;
	if (prefix != NULL)
		planner_unreason(t, prefix);
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

static char *
planner_task_note(const struct task *t)
{
	const char *parts[6];
	size_t n = 0;
	char d[16];

	if (t->pre == NULL && t->moved_from == NO_DAY)
		return planner_empty;
	if (t->pre != NULL)
		parts[n++] = t->pre;
	if (t->moved_from != NO_DAY) {
		planner_fmt_wday(t->moved_from, d);
		if (n > 0 && t->pre[0] != '\0')
			parts[n++] = "; ";
		parts[n++] = "moved from ";
		parts[n++] = d;
		parts[n++] = ": ";
		/* printf's "%s" of NULL */
		parts[n++] = t->reasons != NULL ? t->reasons : "(null)";
	}
	return planner_join(parts, n);
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

/* Queues the check-in after base.  May move p->tasks: a caller's task
 * pointer is stale afterwards. */
static void
planner_casual_next(struct planner *p, uint32_t ci, uint32_t oi,
    int64_t base, uint32_t seq)
{
	const struct occasion *occ = &p->b->occasions[oi];
	uint32_t ti = planner_task_new(p);
	struct task *t = &p->tasks[ti];

	t->base = base;
	t->nominal = t->day = planner_casual_day(p->pc[ci].c, occ, base);
	t->limit_from = t->nominal;
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

/* --- the policies, in the order of the SPEC ------------------------- */

static int64_t planner_time_of_day(const struct planner *p,
    struct pclient *pc, int64_t day);

/* 1. Paused and opted-out clients.  Whether the client gets nothing on
 * local day, sent at moment at (or `from`, if later: what is still due
 * goes now); the reason into *note. */
static bool
planner_paused(const struct planner *p, const struct pclient *pc,
    int64_t day, int64_t at, char **note)
{
	char *why;

	if (at < p->o->from)
		at = p->o->from;
	why = consent_blocked(pc->c, pc->tz, history_optout(p->h, pc->hc,
	    pc->c->email), history_bounced(pc->hc, pc->c->email), day, at);
	if (why == NULL)
		return false;
	*note = xasprintf("skipped: %s", why);
	free(why);
	return true;
}

/* 1b. The owner's say, after the plan is made (a held or unapproved
 * message keeps its place: a release or an approval sends it as
 * planned).  A hold stops a message in any mode.  With approval =
 * required an unapproved message waits: a fixed one until the window of
 * its day closes, a movable one up to catch_up after it first came due
 * (the send log's approval wait, else its due); then it is skipped "not
 * approved", and so is one the planner would report missed while it
 * waited. */
static void
planner_approval(const struct planner *p, const struct pclient *pc,
    struct plan_item *it)
{
	const struct owner_say *say;
	int64_t since;
	bool waited;

	if (it->action == PLAN_SKIP)
		return;
	say = owner_find(p->o->say, it->client->id, it->occurrence);
	if (say != NULL && say->held != HISTORY_NONE) {
		if (it->action != PLAN_SEND)
			return;
		it->action = PLAN_SKIP;
		it->say = PLAN_SAY_HELD;
		if (it->note != planner_empty)
			free(it->note);
		it->note = say->note != NULL && *say->note != '\0' ?
		    xasprintf("skipped: held by the owner: %s", say->note) :
		    xstrdup("skipped: held by the owner");
		return;
	}
	if (!p->s->approval_required)
		return;
	if (say != NULL && say->approved != HISTORY_NONE) {
		it->say = PLAN_SAY_APPROVED;
		return;
	}
	waited = say != NULL && say->waiting != HISTORY_NONE;
	/* A fixed message counts from its own day, even caught up. */
	since = waited ? say->waiting : planner_is_fixed(
	    it->occasion->kind) ? it->nominal : it->due;
	if (it->action == PLAN_MISSED && !waited)
		return;
	it->say = PLAN_SAY_AWAITING;
	if (planner_is_fixed(it->occasion->kind))
		it->approve_by = planner_wend(p, pc,
		    planner_zone_day(p, pc->tz, since));
	else
		it->approve_by = since + timeutil_duration_seconds(
		    &p->s->catch_up);
	if (it->action == PLAN_SEND && p->o->from < it->approve_by)
		return;
	it->action = PLAN_SKIP;
	if (it->note != planner_empty)
		free(it->note);
	it->note = xstrdup("skipped: not approved");
	if (it->due > it->approve_by)
		it->due = it->approve_by;
}

/* A movable message to a paused client is logged skipped. */
static enum step
planner_paused_movable(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	const struct occasion *occ = &p->b->occasions[t->oi];
	int64_t moment = planner_time_of_day(p, pc, t->day);
	struct work *w;
	char *note = NULL;

	if (!planner_paused(p, pc, t->day, moment, &note))
		return STEP_ON;
	w = planner_emit(p, t->ci, occ, PLAN_SKIP, planner_task_key(p, t),
	    moment, planner_time_of_day(p, pc, t->nominal));
	w->it.note = note;
	w->it.project = planner_task_project(p, t);
	/* One skip per check-in, from the day it was due (or, when overdue,
	 * today): a long pause is not logged many times. */
	if (occ->kind == OCC_CASUAL)
		planner_casual_next(p, t->ci, t->oi, t->day, t->sub + 1);
	return STEP_DROP;
}

/* 2. Time of day: the start of the send window on a local day of the
 * client.  The same few days are asked for again and again while a
 * message finds its day. */
static int64_t
planner_time_of_day(const struct planner *p, struct pclient *pc,
    int64_t day)
{
	(void)p;	/* the window is the client's (pc->cal) */
	int k = (int)(day & 1);

	if (pc->memo_day[k] != day) {
		pc->memo_day[k] = day;
		pc->memo_at[k] = planner_wstart(p, pc, day);
	}
	return pc->memo_at[k];
}

/* A movable message that passed every other policy goes at the start of
 * the window of its day. */
static enum step
planner_time_of_day_movable(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	const struct occasion *occ = &p->b->occasions[t->oi];
	int64_t moment = planner_time_of_day(p, pc, t->day);
	bool casual = occ->kind == OCC_CASUAL;
	struct work *w;

	w = planner_emit(p, t->ci, occ, PLAN_SEND, planner_task_key(p, t),
	    moment, planner_time_of_day(p, pc, t->nominal));
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
	return STEP_PLACED;
}

/*
 * Messages due at the same instant spread over the first half of the
 * window, k * 2 min apart.  r holds the keys in send order, with the
 * send log's (wi == SIZE_MAX) among them: they keep their ranks.  The
 * planned ones get their final dues and are compacted to the front;
 * returns how many.
 */
static size_t
planner_time_of_day_spread(const struct planner *p, struct sortkey *r,
    size_t n)
{
	const struct pclient *span_pc = NULL;
	int64_t span = 0, span_at = 0;
	size_t k = 0;

	/* Ranks are counted on the unspread dues; k <= i. */
	for (size_t i = 0, rank = 0, base = 0; i < n; i++) {
		const struct pclient *pc;
		int64_t at = r[i].due, half;

		rank = i > 0 && base == (size_t)at ? rank + 1 : 0;
		base = (size_t)at;
		if (r[i].wi == SIZE_MAX)
			continue;
		pc = &p->pc[r[i].ci];
		if (rank > 0 && (span_pc == NULL || pc->tz != span_pc->tz ||
		    pc->cal != span_pc->cal || at != span_at)) {
			/* The same for the whole group, as a rule: the first
			 * half of each client's own window. */
			half = (int64_t)(pc->cal->window.end -
			    pc->cal->window.start) * 30;
			span = planner_wend(p, pc, planner_zone_day(p, pc->tz,
			    at)) - at;
			if (span > half)
				span = half;
			span -= span % SPREAD_STEP;
			span_pc = pc;
			span_at = at;
		}
		if (rank > 0 && span >= SPREAD_STEP)
			r[i].due += (int64_t)(rank * SPREAD_STEP) % span;
		if (r[i].due < p->o->from)
			r[i].due = p->o->from;
		r[k++] = r[i];
	}
	return k;
}

/* How far policies 3 to 5 may push a movable message: the occasion's
 * max_delay, else 14d (a casual's jitter when that is longer). */
static struct duration
planner_max_delay(const struct occasion *occ)
{
	struct duration d = { 14 * DAY_SECONDS, 0 };

	if (occ->has_max_delay)
		return occ->max_delay;
	if (occ->kind == OCC_CASUAL && timeutil_duration_seconds(&occ->jitter) >
	    timeutil_duration_seconds(&d))
		return occ->jitter;
	return d;
}

/* The last day the task may go on. */
static int64_t
planner_max_delay_day(const struct planner *p, const struct task *t)
{
	struct duration d = planner_max_delay(&p->b->occasions[t->oi]);

	return planner_days_add(t->limit_from, &d);
}

/* "skipped: no room within 14d of 2027-02-26: 21d gap after …" */
static char *
planner_max_delay_note(const struct planner *p, const struct task *t)
{
	char day[11];
	const char *parts[] = { "skipped: no room within ",
	    p->max_delay_text[t->oi], " of ", day, ": ",
	    t->reasons != NULL ? t->reasons : "no allowed day" };

	planner_fmt_date(t->limit_from, day);
	return planner_join(parts, sizeof(parts) / sizeof(parts[0]));
}

/* A task pushed past its last day is skipped; the decision falls on the
 * day after its last chance (so a shorter plan shows the same). */
static enum step
planner_max_delay_skip(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	const struct occasion *occ = &p->b->occasions[t->oi];
	int64_t after = planner_max_delay_day(p, t) + 1;
	struct work *w;

	if (t->day < after)
		return STEP_MOVED;
	w = planner_emit(p, t->ci, occ, PLAN_SKIP, planner_task_key(p, t),
	    planner_time_of_day(p, pc, after),
	    planner_time_of_day(p, pc, t->nominal));
	w->it.note = planner_max_delay_note(p, t);
	w->it.project = planner_task_project(p, t);
	if (occ->kind == OCC_CASUAL)
		planner_casual_next(p, t->ci, t->oi, after, t->sub + 1);
	return STEP_DROP;
}

/* 3. Day: whether a movable message may go on day of the client's own
 * calendar (weekdays, public holidays); if not, the reason into *why,
 * "weekday rule" or the holiday and its region ("Nationalfeiertag
 * (AT-9)", written into buf). */
static bool
planner_day(const struct settings *s, const struct client *c, int64_t day,
    const char **why, char buf[static PLANNER_WHY_LEN])
{
	const char *name = NULL;
	int region = planner_holidays(s, c);

	if ((planner_weekdays(s, c) & WEEKDAY_BIT(timeutil_weekday(day))) ==
	    0) {
		*why = "weekday rule";
		return false;
	}
	if (holidays_is_holiday(region, day, &name)) {
		if (snprintf(buf, PLANNER_WHY_LEN, "%s (%s)", name != NULL ?
		    name : "public holiday", holidays_region_name(region)) >=
		    PLANNER_WHY_LEN)
			snprintf(buf, PLANNER_WHY_LEN, "public holiday (%s)",
			    holidays_region_name(region));
		*why = buf;
		return false;
	}
	return true;
}

int64_t
planner_next_moment(const struct settings *s, const struct client *c,
    const struct tz *z, bool movable, int64_t t)
{
	const struct window *w = planner_window(s, c);
	char buf[PLANNER_WHY_LEN];
	const char *why;
	int64_t day, at = t;
	int sec;

	tz_utc_to_local(z, t, &day, &sec);
	if (sec < w->start * 60)
		at = planner_wstart_of(s, c, z, day);
	else if (sec >= w->end * 60)
		at = planner_wstart_of(s, c, z, ++day);
	/* A year of forbidden days is a configuration no one has. */
	for (int i = 0; movable && i < 400 &&
	    !planner_day(s, c, day, &why, buf); i++)
		at = planner_wstart_of(s, c, z, ++day);
	return at;
}

/* Moves t past the days nothing movable may use, in one go; whether it
 * moved. */
static bool
planner_day_move(struct planner *p, struct task *t, int64_t last_day)
{
	const struct client *c = p->pc[t->ci].c;
	char buf[PLANNER_WHY_LEN];
	const char *why;

	if (planner_day(p->s, c, t->day, &why, buf))
		return false;
	do
		planner_move(t, t->day + 1, why, NULL);
	while (t->day <= last_day &&
	    !planner_day(p->s, c, t->day, &why, buf));
	return true;
}

static enum step
planner_day_movable(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];

	return planner_day_move(p, t, p->pc[t->ci].last_day) ? STEP_MOVED :
	    STEP_ON;
}

/* 4. min_gap: the day a message on day must move to so that it is min_gap
 * from every other message to the client, or day itself; *why the
 * message in the way. */
static int64_t
planner_min_gap(const struct planner *p, const struct pclient *pc,
    int64_t day, const struct pmsg **why)
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

/* "21d gap after birthday on 2027-02-10" in the reason scratch. */
static const char *
planner_min_gap_reason(struct planner *p, const struct pmsg *m)
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

/* Two fixed messages on one day: the fixed message already there (sent
 * or placed first, so of higher priority), or NULL. */
static const struct pmsg *
planner_min_gap_same_day(const struct pclient *pc, int64_t day)
{
	for (size_t i = 0; i < pc->nmsgs; i++)
		if (pc->msgs[i].fixed && pc->msgs[i].day == day)
			return &pc->msgs[i];
	return NULL;
}

/* Moves t by min_gap when it needs to; whether it moved. */
static bool
planner_min_gap_move(struct planner *p, struct task *t)
{
	const struct pmsg *m;
	int64_t to = planner_min_gap(p, &p->pc[t->ci], t->day, &m);

	if (to == t->day)
		return false;
	planner_move(t, to, planner_min_gap_reason(p, m), p->gap_text);
	return true;
}

static enum step
planner_min_gap_movable(struct planner *p, uint32_t ti)
{
	return planner_min_gap_move(p, &p->tasks[ti]) ? STEP_MOVED : STEP_ON;
}

/* 5. daily_limit.  A placed movable message whose sender day has room
 * takes it, unless the day it was moved to is paused; returns true. */
static bool
planner_daily_limit_take(struct planner *p, struct task *t, int64_t moment,
    int64_t sday)
{
	struct pclient *pc = &p->pc[t->ci];
	struct work *w = &p->w[t->wi];
	char *note = NULL;

	if (t->moved_from != NO_DAY) {
		w->it.due = moment;
		if (w->it.note != planner_empty)
			free(w->it.note);
		/* Moved into a pause or past an opt-out. */
		if (planner_paused(p, pc, t->day, moment, &note)) {
			w->it.action = PLAN_SKIP;
			w->it.note = note;
			pc->msgs[t->mi].day = NO_DAY / 2;
			return true;
		}
		w->it.note = planner_task_note(t);
	}
	daybudget_take(p->days, sday);
	pc->msgs[t->mi].day = t->day;
	return true;
}

/* Pushed past max_delay by the limit: skipped after its last chance. */
static void
planner_daily_limit_give_up(struct planner *p, struct task *t)
{
	struct work *w = &p->w[t->wi];

	if (w->it.note != planner_empty)
		free(w->it.note);
	w->it.action = PLAN_SKIP;
	w->it.due = planner_time_of_day(p, &p->pc[t->ci],
	    planner_max_delay_day(p, t) + 1);
	w->it.note = planner_max_delay_note(p, t);
}

/*
 * A movable message whose sender day is full moves to the next day with
 * room; weekdays, holidays and min_gap apply again from there.  Returns
 * true when it is decided, false when it waits on the heap for its new
 * day.
 */
static bool
planner_daily_limit_step(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	int64_t moment = planner_time_of_day(p, pc, t->day);
	int64_t sday = planner_sender_day(p, moment);
	int64_t room = daybudget_room(p->days, sday);

	/* Outside the counted days there is no limit to apply. */
	if (room == sday)
		return planner_daily_limit_take(p, t, moment, sday);
	planner_move(t, t->day + (room - sday), p->limit_text, NULL);
	/* Out of its own way while it looks for a new day. */
	pc->msgs[t->mi].day = NO_DAY / 2;
	for (;;) {
		if (t->day > planner_max_delay_day(p, t)) {
			planner_daily_limit_give_up(p, t);
			return true;
		}
		if (t->day > pc->last_day) {
			p->w[t->wi].it.due = INT64_MAX;	/* beyond the range */
			return true;
		}
		if (planner_day_move(p, t, INT64_MIN) ||
		    planner_min_gap_move(p, t))
			continue;
		/* Others of the client keep their gap to it while it waits
		 * for its turn. */
		pc->msgs[t->mi].day = t->day;
		return false;
	}
}

/* Only when some day is over the limit: room is counted again from the
 * fixed messages up, movable ones in the order of their days, priority
 * first; the moved ones wait in the heap, merged with the sorted rest. */
static void
planner_daily_limit(struct planner *p)
{
	struct pqueue_entry *order;
	const struct pqueue_entry *top;
	size_t k = 0;

	if (!daybudget_over(p->days, p->s->daily_limit))
		return;
	daybudget_restart(p->days, p->s->daily_limit);
	order = xcalloc(p->nplaced ? p->nplaced : 1, sizeof(*order));
	for (size_t i = 0; i < p->nplaced; i++)
		order[i] = planner_task_entry(p, p->placed[i]);
	if (p->nplaced > 1)
		qsort(order, p->nplaced, sizeof(*order), pqueue_cmp);
	pqueue_clear(p->heap);
	while (k < p->nplaced || pqueue_len(p->heap) > 0) {
		uint32_t ti;

		top = pqueue_peek(p->heap);
		if (top != NULL && (k == p->nplaced ||
		    pqueue_less(top, &order[k])))
			ti = planner_pop(p);
		else
			ti = order[k++].id;
		if (!planner_daily_limit_step(p, ti))
			planner_push(p, ti);
	}
	free(order);
}

/* 6. Catch-up.  The day a late message goes: today while the window is
 * still open, else tomorrow. */
static int64_t
planner_catch_up_day(const struct planner *p, const struct pclient *pc)
{
	return p->o->from < pc->wend_today ? pc->from_day : pc->from_day + 1;
}

/* Whether a message at moment, late by late, is still caught up. */
static bool
planner_catch_up_in_time(const struct planner *p, int64_t moment)
{
	return p->o->from - moment < timeutil_duration_seconds(
	    &p->s->catch_up);
}

/* "missed: due 2027-02-10, 8d late (catch_up 3d)" */
static char *
planner_catch_up_missed(const struct planner *p, int64_t day,
    const char *late)
{
	char d[11], *cu = planner_fmt_duration(&p->s->catch_up), *note;

	planner_fmt_date(day, d);
	note = xasprintf("missed: due %s, %s late (catch_up %s)", d, late, cu);
	free(cu);
	return note;
}

/* The first day from day on without a fixed message to the client,
 * planned or in the send log; *clash the first one in the way. */
static int64_t
planner_catch_up_free_day(const struct pclient *pc, int64_t day,
    const struct pmsg **clash)
{
	const struct pmsg *m;

	*clash = NULL;
	while ((m = planner_min_gap_same_day(pc, day)) != NULL) {
		if (*clash == NULL)
			*clash = m;
		day++;
	}
	return day;
}

/*
 * A fixed message whose window closed before `from` on *day: caught up
 * on the next day free of fixed messages within catch_up (*day becomes
 * that day, *note the reason) and false, or decided here (missed, or
 * caught up into a pause) and true.  A message on its own day has taken
 * its day already: lateness ranks last.
 */
static bool
planner_catch_up_fixed(struct planner *p, uint32_t ci,
    const struct occasion *occ, const char *key, int64_t moment,
    int64_t *day, char **note)
{
	struct pclient *pc = &p->pc[ci];
	char *late = planner_fmt_span(p->o->from - moment), *why = NULL;
	const struct pmsg *clash = NULL;
	int64_t own = *day;
	char d[16], od[11];
	struct work *w;
	bool decided = true;

	if (planner_catch_up_in_time(p, moment))
		*day = planner_catch_up_free_day(pc,
		    planner_catch_up_day(p, pc), &clash);
	if (!planner_catch_up_in_time(p, moment) ||
	    !planner_catch_up_in_time(p, moment + p->o->from -
	    planner_time_of_day(p, pc, *day))) {
		w = planner_emit(p, ci, occ, PLAN_MISSED, key, moment, moment);
		w->it.note = planner_catch_up_missed(p, own, late);
		if (clash != NULL) {
			planner_fmt_date(clash->day, od);
			why = xasprintf("%s: no day free of fixed messages "
			    "(%s on %s)", w->it.note, clash->what, od);
			free(w->it.note);
			w->it.note = why;
		}
	} else if (planner_paused(p, pc, *day, planner_time_of_day(p, pc,
	    *day), &why)) {
		/* Caught up into a pause or past an opt-out. */
		w = planner_emit(p, ci, occ, PLAN_SKIP, key, moment, moment);
		w->it.note = why;
	} else if (clash != NULL) {
		planner_fmt_wday(clash->day, d);
		*note = xasprintf("late by %s: catch-up; moved from %s: same "
		    "day as %s", late, d, clash->what);
		decided = false;
	} else {
		*note = xasprintf("late by %s: catch-up", late);
		decided = false;
	}
	free(late);
	return decided;
}

/* A casual check-in is never missed: overdue, it takes the next allowed
 * slot from today on. */
static enum step
planner_catch_up_overdue(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	char d[11];

	if (p->b->occasions[t->oi].kind != OCC_CASUAL || t->caught_up ||
	    !planner_closed(p, pc, t->day))
		return STEP_ON;
	planner_fmt_date(t->nominal, d);
	t->pre = xasprintf("overdue since %s", d);
	t->caught_up = true;
	t->day = t->limit_from = planner_catch_up_day(p, pc);
	return STEP_MOVED;
}

/* Nothing due before the client was first seen, or before the look-back,
 * is caught up (check-ins excepted: they are overdue instead). */
static enum step
planner_catch_up_first_seen(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];

	if (p->b->occasions[t->oi].kind == OCC_CASUAL)
		return STEP_ON;
	if (planner_before_seen(p, pc, t->day) ||
	    planner_time_of_day(p, pc, t->day) < p->o->from - p->lookback)
		return STEP_DROP;
	return STEP_ON;
}

/* A movable message whose window closed: caught up from today when less
 * than catch_up late, else missed. */
static enum step
planner_catch_up_movable(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	int64_t moment = planner_time_of_day(p, pc, t->day);
	char *late;
	struct work *w;

	if (t->caught_up || !planner_closed(p, pc, t->day))
		return STEP_ON;
	late = planner_fmt_span(p->o->from - moment);
	if (!planner_catch_up_in_time(p, moment)) {
		w = planner_emit(p, t->ci, &p->b->occasions[t->oi],
		    PLAN_MISSED, planner_task_key(p, t), moment,
		    planner_time_of_day(p, pc, t->nominal));
		w->it.note = planner_catch_up_missed(p, t->day, late);
		w->it.project = planner_task_project(p, t);
		free(late);
		return STEP_DROP;
	}
	free(t->pre);
	t->pre = xasprintf("late by %s: catch-up", late);
	t->caught_up = true;
	free(late);
	/* Moves from here on are counted from the new day. */
	free(t->reasons);
	t->reasons = NULL;
	t->moved_from = NO_DAY;
	t->day = t->limit_from = planner_catch_up_day(p, pc);
	return STEP_MOVED;
}

/* --- movable kinds: the policies applied, one step at a time -------- */

/* Whether the task is still to be decided: within range, not reset by an
 * earlier planned message (a check-in counts from the latest), not in
 * the send log already. */
static enum step
planner_pending(struct planner *p, uint32_t ti)
{
	struct task *t = &p->tasks[ti];
	struct pclient *pc = &p->pc[t->ci];
	bool casual = p->b->occasions[t->oi].kind == OCC_CASUAL;
	const struct history_record *hr;
	int64_t m;

	if (t->day > pc->last_day)
		return STEP_DROP;
	if (casual && (m = planner_msg_between(pc, t->base, t->nominal)) !=
	    NO_DAY) {
		planner_casual_next(p, t->ci, t->oi, m, t->sub);
		return STEP_DROP;
	}
	if (t->checked)
		return STEP_ON;
	t->checked = true;
	if ((hr = planner_in_log(p, pc, planner_task_key(p, t))) == NULL)
		return STEP_ON;
	/* Logged already, e.g. skipped while paused: the chain goes on from
	 * the day it was dealt with. */
	if (casual) {
		m = planner_zone_day(p, pc->tz, hr->due);
		planner_casual_next(p, t->ci, t->oi,
		    m > t->nominal ? m : t->nominal, t->sub + 1);
	}
	return STEP_DROP;
}

/*
 * One step for the movable task ti: either it is decided (sent, skipped,
 * missed, dropped) or it moves to a later day and goes back on the heap,
 * so every day's room goes to the highest priority first.  A check-in's
 * lateness is settled first (it decides the day the rest look at), then
 * the policies apply as in the SPEC; the first that acts ends the step.
 */
static void
planner_step(struct planner *p, uint32_t ti)
{
	enum step r = planner_pending(p, ti);

	if (r == STEP_ON)
		r = planner_catch_up_overdue(p, ti);
	if (r == STEP_ON)
		r = planner_catch_up_first_seen(p, ti);
	if (r == STEP_ON)
		r = planner_paused_movable(p, ti);
	if (r == STEP_ON)
		r = planner_day_movable(p, ti);
	if (r == STEP_ON)
		r = planner_min_gap_movable(p, ti);
	if (r == STEP_ON)
		r = planner_catch_up_movable(p, ti);
	if (r == STEP_ON)
		r = planner_time_of_day_movable(p, ti);
	if (r == STEP_MOVED)
		r = planner_max_delay_skip(p, ti);
	if (r == STEP_MOVED &&
	    p->tasks[ti].day <= p->pc[p->tasks[ti].ci].last_day) {
		planner_push(p, ti);
		return;
	}
	if (r != STEP_PLACED)
		planner_task_free(p, ti);
}

/* Queues the client's movable occurrences: the first check-in of each
 * casual occasion, every after_project one not in the send log. */
static void
planner_movable(struct planner *p, uint32_t ci)
{
	struct pclient *pc = &p->pc[ci];
	const struct client *c = pc->c;

	for (size_t k = 0; k < c->noccasions; k++) {
		uint32_t oi = (uint32_t)c->occasions[k];
		const struct occasion *occ = &p->b->occasions[oi];

		if (occ->kind == OCC_CASUAL) {
			planner_casual_next(p, ci, oi, pc->contact_day !=
			    NO_DAY ? pc->contact_day : pc->fs_day, 0);
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
				t->day = t->nominal = t->limit_from = day;
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

/* --- fixed kinds: the policies applied ------------------------------ */

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
planner_gen_birthday(const struct client *c, const struct occasion *occ,
    uint32_t oi, int64_t first, int64_t last, struct fvec *f)
{
	struct civil_date cf, cl;

	if (!c->has_birthday)
		return;
	timeutil_civil_from_days(first, &cf);
	timeutil_civil_from_days(last, &cl);
	for (int y = cf.year; y <= cl.year; y++) {
		int age = c->birthday.year ? y - c->birthday.year : 0;
		int64_t day;

		if (c->birthday.year != 0 && age <= 0)
			continue;
		day = planner_anniversary(y, c->birthday.month,
		    c->birthday.day, occ->feb29_mar1);
		if (day < first || day > last)
			continue;
		planner_fpush(f, day, y, oi, occ->priority,
		    c->birthday.year != 0, age, age);
	}
}

static void
planner_gen_yearly(const struct client *c, const struct occasion *occ,
    uint32_t oi, int64_t first, int64_t last, struct fvec *f)
{
	struct civil_date cf, cl, fd;

	if (occ->field != NULL) {
		if (!planner_field_date(c, occ->field, &fd))
			return;
	} else if (occ->has_date)
		fd = occ->date;
	else
		return;
	timeutil_civil_from_days(first, &cf);
	timeutil_civil_from_days(last, &cl);
	for (int y = cf.year; y <= cl.year; y++) {
		int years = fd.year ? y - fd.year : 0;
		int64_t day;

		if (occ->field != NULL && years <= 0)
			continue;
		day = planner_anniversary(y, fd.month, fd.day,
		    occ->feb29_mar1);
		if (day < first || day > last)
			continue;
		planner_fpush(f, day, y, oi, occ->priority, occ->field != NULL,
		    years, 0);
	}
}

/* The client's fixed occurrences on local days first..last, in f. */
static void
planner_gen_fixed(const struct planner *p, const struct pclient *pc,
    int64_t first, int64_t last, struct fvec *f)
{
	const struct client *c = pc->c;

	for (size_t k = 0; k < c->noccasions; k++) {
		uint32_t oi = (uint32_t)c->occasions[k];
		const struct occasion *occ = &p->b->occasions[oi];
		int64_t day;

		switch (occ->kind) {
		case OCC_BIRTHDAY:
			planner_gen_birthday(c, occ, oi, first, last, f);
			break;
		case OCC_YEARLY:
			planner_gen_yearly(c, occ, oi, first, last, f);
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

/* Places one fixed occurrence: first-seen, send log, same day, pause,
 * catch-up; it goes on its own day unless caught up.  The on-time ones
 * are placed first (late false), then the late ones (late true), which
 * take the days left free. */
static void
planner_fixed_one(struct planner *p, uint32_t ci, const struct focc *fo,
    bool late)
{
	struct pclient *pc = &p->pc[ci];
	const struct occasion *occ = &p->b->occasions[fo->oi];
	int64_t moment, day = fo->day;
	const struct pmsg *clash;
	const char *key;
	struct work *w;
	char *note = NULL;

	if (planner_closed(p, pc, day) != late ||
	    planner_before_seen(p, pc, day))
		return;
	moment = planner_time_of_day(p, pc, day);
	if (moment < p->o->from - p->lookback)
		return;
	key = planner_date_key(p, occ->name, day, fo->year);
	if (planner_in_log(p, pc, key) != NULL)
		return;
	if (!late && (clash = planner_min_gap_same_day(pc, day)) != NULL) {
		w = planner_emit(p, ci, occ, PLAN_SKIP, key, moment, moment);
		w->it.note = xasprintf("skipped: same day as %s "
		    "(priority %d)", clash->what, clash->prio);
		return;
	}
	if (planner_paused(p, pc, day, moment, &note)) {
		w = planner_emit(p, ci, occ, PLAN_SKIP, key, moment, moment);
		w->it.note = note;
		return;
	}
	if (late && planner_catch_up_fixed(p, ci, occ, key, moment, &day,
	    &note))
		return;
	w = planner_emit(p, ci, occ, PLAN_SEND, key, day == fo->day ?
	    moment : planner_time_of_day(p, pc, day), moment);
	if (note != NULL)
		w->it.note = note;
	w->it.late = day > fo->day;
	w->it.has_years = fo->has_years;
	w->it.years = fo->years;
	w->it.age = fo->age;
	planner_add_msg(pc, day, occ->name, occ->priority, true);
	planner_count(p, w->it.due, true);
}

/* Places the fixed occurrences of one client, by day and priority, so
 * the higher priority keeps a contested day, and a message on its own
 * day keeps it against a caught-up one.  They count towards the gap and
 * the daily limit of everything placed later. */
static void
planner_fixed(struct planner *p, uint32_t ci, struct fvec *f)
{
	struct pclient *pc = &p->pc[ci];
	int64_t last = pc->last_day + p->gap_secs / DAY_SECONDS +
	    (p->s->min_gap.months ? 31 : 0) + 2;

	f->n = 0;
	planner_gen_fixed(p, pc, pc->first_day, last, f);
	/* A handful a client: an insertion sort, stable as glibc's
	 * qsort() (a merge sort) is. */
	for (size_t i = 1; i < f->n; i++) {
		struct focc x = f->v[i];
		size_t j = i;

		for (; j > 0 && planner_focc_cmp(&f->v[j - 1], &x) > 0; j--)
			f->v[j] = f->v[j - 1];
		f->v[j] = x;
	}
	for (size_t i = 0; i < f->n; i++)
		planner_fixed_one(p, ci, &f->v[i], false);
	for (size_t i = 0; i < f->n; i++)
		planner_fixed_one(p, ci, &f->v[i], true);
}

/* --- set-up --------------------------------------------------------- */

/* Loads the client's send log: its keys, messages near the range, the
 * last contact. */
static void
planner_client_log(struct planner *p, struct pclient *pc, int64_t contact)
{
	const struct history_client *hc = pc->hc;
	int64_t horizon, d;

	if (hc->last_touch != HISTORY_NONE &&
	    (d = planner_zone_day(p, pc->tz, hc->last_touch)) > contact)
		contact = d;
	if (hc->last_mail != HISTORY_NONE &&
	    (d = planner_zone_day(p, pc->tz, hc->last_mail)) > contact)
		contact = d;
	for (size_t i = 0; i < hc->nrecords; i++)
		bloom_add(&pc->log_keys, hc->records[i].occurrence);
	/* Older messages cannot reach a planned one through min_gap. */
	horizon = p->o->from - p->lookback - p->gap_secs - 32 * DAY_SECONDS;
	for (size_t i = hc->nrecords; i-- > 0;) {
		const struct history_record *r = &hc->records[i];
		const struct occasion *occ;

		if (!planner_is_message(r->status))
			continue;
		d = planner_zone_day(p, pc->tz, planner_record_at(r));
		if (d > contact)
			contact = d;
		if (planner_record_at(r) < horizon && r->due < horizon)
			continue;
		occ = book_occasion(p->b, r->occasion);
		planner_add_msg(pc, d, r->occasion, occ ? occ->priority : 0,
		    occ != NULL && planner_is_fixed(occ->kind));
		if (r->due >= p->o->from - 2 * (int64_t)DAY_SECONDS)
			planner_count(p, planner_record_at(r), true);
	}
	pc->contact_day = contact;
}

/* Loads what the history knows of the client: messages near the range,
 * the last contact, the first-seen day. */
static void
planner_client_init(struct planner *p, uint32_t ci, const struct client *c,
    const struct tz *z)
{
	struct pclient *pc = &p->pc[ci];
	const struct history_client *hc = history_client(p->h, c->id);
	int64_t from = p->o->from;
	pc->c = c;
	pc->hc = hc;
	pc->tz = z;
	pc->cal = c->cal != NULL ? c->cal : &p->cal;
	pc->memo_day[0] = pc->memo_day[1] = NO_DAY;
	pc->from_day = planner_zone_day(p, z, from);
	pc->wend_today = planner_wend(p, pc, pc->from_day);
	pc->first_day = planner_zone_day(p, z, from - p->lookback) - 1;
	pc->last_day = planner_zone_day(p, z, p->o->until);
	pc->fs_at = hc != NULL && hc->first_seen != HISTORY_NONE ?
	    hc->first_seen : from;
	pc->fs_day = planner_zone_day(p, z, pc->fs_at);
	pc->contact_day = c->has_last_contact ?
	    planner_civil_day(&c->last_contact) : NO_DAY;
	if (hc != NULL)
		planner_client_log(p, pc, pc->contact_day);
}

static int
planner_init(struct planner *p, const struct settings *s,
    const struct book *b, const struct history *h,
    const struct planner_opts *o, char **err)
{
	char *g;
	int64_t first, last, gap_days;

	memset(p, 0, sizeof(*p));
	p->s = s;
	p->b = b;
	p->h = h;
	p->o = o;
	p->cal.window = s->window;
	p->cal.weekdays = s->weekdays;
	p->cal.holidays = s->holidays;
	if (b->sender_tz == NULL) {
		if (err != NULL)
			*err = xstrdup("planner: the book has no sender time "
			    "zone");
		return -1;
	}
	buf_init(&p->kb);
	buf_init(&p->rb);
	p->memo = xcalloc(PLANNER_MEMOS, sizeof(*p->memo));
	g = planner_fmt_duration(&s->min_gap);
	p->gap_text = xasprintf("%s gap after ", g);
	free(g);
	p->limit_text = xasprintf("daily limit of %d", s->daily_limit);
	p->max_delay_text = xcalloc(b->noccasions ? b->noccasions : 1,
	    sizeof(*p->max_delay_text));
	for (size_t i = 0; i < b->noccasions; i++) {
		struct duration md = planner_max_delay(&b->occasions[i]);

		p->max_delay_text[i] = planner_fmt_duration(&md);
	}
	p->lookback = timeutil_duration_seconds(&s->catch_up);
	if (p->lookback < LOOKBACK_MIN)
		p->lookback = LOOKBACK_MIN;
	/* Back to where the plan was last carried out: nothing since then
	 * goes without a record. */
	if (o->carried_until > 0 && o->carried_until < o->from &&
	    o->from - o->carried_until + DAY_SECONDS > p->lookback)
		p->lookback = o->from - o->carried_until + DAY_SECONDS;
	p->gap_secs = timeutil_duration_seconds(&s->min_gap);
	p->gap = s->min_gap.months != 0 || s->min_gap.seconds >= DAY_SECONDS;
	gap_days = p->gap_secs / DAY_SECONDS + (s->min_gap.months ? 31 : 0) +
	    2;
	first = planner_sender_day(p, o->from) - 2;
	last = planner_sender_day(p, o->until > o->from ? o->until : o->from)
	    + gap_days + 8;
	p->days = daybudget_new(first, last);
	p->heap = pqueue_new();
	p->npc = b->nclients;
	p->pc = xcalloc(p->npc ? p->npc : 1, sizeof(*p->pc));
	return 0;
}

static void
planner_item_clear(struct plan_item *it)
{
	free(it->occurrence);
	if (it->note != planner_empty)
		free(it->note);
}

/* Frees what planner_init() and the passes made (the output's items
 * excepted). */
static void
planner_done(struct planner *p)
{
	for (size_t i = 0; i < p->npc; i++)
		free(p->pc[i].msgs);
	free(p->pc);
	free(p->w);
	free(p->tasks);
	free(p->freet);
	pqueue_free(p->heap);
	daybudget_free(p->days);
	free(p->placed);
	buf_free(&p->kb);
	buf_free(&p->rb);
	free(p->gap_text);
	free(p->limit_text);
	for (size_t i = 0; p->max_delay_text != NULL &&
	    i < p->b->noccasions; i++)
		free(p->max_delay_text[i]);
	free(p->max_delay_text);
	free(p->memo);
}

/* --- output --------------------------------------------------------- */

/* The order keys of the planned messages in [.., until) and of the send
 * log's messages due in the same windows (wi == SIZE_MAX), sorted; *cap
 * the array's size. */
static struct sortkey *
planner_sendkeys(const struct planner *p, size_t *np, size_t *cap)
{
	struct sortkey *r;
	size_t n = 0;

	*cap = p->nw + 16;
	r = xreallocarray(NULL, *cap, sizeof(*r));
	for (size_t i = 0; i < p->nw; i++) {
		const struct work *w = &p->w[i];

		if (w->it.action != PLAN_SEND || w->it.due >= p->o->until)
			continue;
		r[n++] = (struct sortkey){ w->it.due, w->prio, w->ci,
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
			if (n == *cap) {
				*cap *= 2;
				r = xreallocarray(r, *cap, sizeof(*r));
			}
			r[n++] = (struct sortkey){ planner_wstart(p, pc,
			    planner_zone_day(p, pc->tz, hr->due)),
			    occ ? occ->priority : 0, ci, hr->occurrence,
			    SIZE_MAX };
		}
	}
	sortkey_sort(r, n);
	*np = n;
	return r;
}

static bool
planner_wanted(const struct planner *p, int64_t due, const struct client *c)
{
	return due < p->o->until && (p->o->only_client == NULL ||
	    strcmp(c->id, p->o->only_client) == 0);
}

/* The keys of what the caller asked for, in send order; the rest of the
 * work items are freed. */
static struct sortkey *
planner_select(struct planner *p, size_t *np)
{
	struct sortkey *keys;
	size_t nk, cap, n = 0;
	char *keep = xcalloc(p->nw ? p->nw : 1, 1);

	keys = planner_sendkeys(p, &nk, &cap);
	nk = planner_time_of_day_spread(p, keys, nk);
	for (size_t i = 0; i < nk; i++) {
		if (planner_wanted(p, keys[i].due, p->pc[keys[i].ci].c)) {
			keep[keys[i].wi] = 1;
			keys[n++] = keys[i];
		}
	}
	for (size_t i = 0; i < p->nw; i++) {
		struct work *w = &p->w[i];

		if (w->it.action != PLAN_SEND &&
		    planner_wanted(p, w->it.due, w->it.client)) {
			if (n == nk) {
				nk = nk ? nk * 2 : 16;
				keys = xreallocarray(keys, nk, sizeof(*keys));
			}
			keep[i] = 1;
			keys[n++] = (struct sortkey){ w->it.due, w->prio, w->ci,
			    w->it.occurrence, i };
		}
		if (!keep[i])
			planner_item_clear(&w->it);
	}
	free(keep);
	sortkey_sort(keys, n);
	*np = n;
	return keys;
}

static void
planner_output(struct planner *p, struct plan *out)
{
	size_t n;
	struct sortkey *keys = planner_select(p, &n);

	out->items = xcalloc(n ? n : 1, sizeof(*out->items));
	for (size_t i = 0; i < n; i++) {
		struct plan_item *it = &out->items[i];
		const struct tz *z = p->pc[keys[i].ci].tz;

		*it = p->w[keys[i].wi].it;
		it->due = keys[i].due;
		if (i > 0 && it->due == out->items[i - 1].due &&
		    z == p->pc[keys[i - 1].ci].tz)
			it->utc_offset = out->items[i - 1].utc_offset;
		else
			it->utc_offset = tz_offset_at(z, it->due, NULL);
		if (p->o->say != NULL || p->s->approval_required) {
			planner_approval(p, &p->pc[keys[i].ci], it);
			it->utc_offset = tz_offset_at(z, it->due, NULL);
		}
	}
	out->n = n;
	free(keys);
}

int
planner_plan(const struct settings *s, const struct book *b,
    const struct history *h, const struct planner_opts *o,
    struct plan *out, char **err)
{
	struct planner p;
	struct fvec f = { NULL, 0, 0 };

	out->items = NULL;
	out->n = 0;
	if (planner_init(&p, s, b, h, o, err) != 0)
		return -1;
	/* One client at a time keeps its data in the cache. */
	for (uint32_t ci = 0; ci < p.npc; ci++) {
		const struct client *c = &b->clients[ci];

		planner_client_init(&p, ci, c, c->tz ? c->tz : b->sender_tz);
		planner_fixed(&p, ci, &f);
		planner_movable(&p, ci);
		while (pqueue_len(p.heap) > 0)
			planner_step(&p, planner_pop(&p));
	}
	free(f.v);
	planner_daily_limit(&p);
	for (size_t i = 0; i < p.nplaced; i++)
		planner_task_free(&p, p.placed[i]);
	planner_output(&p, out);
	planner_done(&p);
	return 0;
}

/*
 * A plan's part before until depends on what lies a little beyond it: the
 * fixed messages within min_gap after a movable one (generated up to
 * min_gap past until), and messages the daily limit pushed past until,
 * which keep their gap to a client's other messages while they wait.
 * Neither reaches back further than the gap and a day or two of zone
 * difference between a client's day and the sender's: every move is
 * forward, and the policies take the days in order.  So a plan made to
 * until + this margin, cut at until, is the part before until of a plan
 * to any later end (test_plannear compares them on random books).
 */
static int64_t
planner_near_margin(const struct settings *s)
{
	int64_t gap_days = timeutil_duration_seconds(&s->min_gap) /
	    DAY_SECONDS + (s->min_gap.months ? 31 : 0) + 2;

	return (gap_days + 4) * DAY_SECONDS;
}

/* Whether a message waits for approval: its skip "not approved" comes
 * catch_up after it first came due, however far the plan moved it. */
static bool
planner_any_waiting(const struct settings *s, const struct owner *say)
{
	if (!s->approval_required || say == NULL)
		return false;
	for (size_t i = 0; i < say->n; i++)
		if (say->v[i].waiting != HISTORY_NONE)
			return true;
	return false;
}

int
planner_plan_near(const struct settings *s, const struct book *b,
    const struct history *h, const struct planner_opts *o, int64_t near,
    struct plan *out, char **err)
{
	struct planner_opts cut = *o;
	size_t n = 0;

	if (!planner_any_waiting(s, o->say) &&
	    near + planner_near_margin(s) < o->until)
		cut.until = near + planner_near_margin(s);
	if (planner_plan(s, b, h, &cut, out, err) == -1)
		return -1;
	/* Not a suffix: an unapproved message's due is its skip. */
	for (size_t i = 0; i < out->n; i++) {
		if (out->items[i].due < near)
			out->items[n++] = out->items[i];
		else
			planner_item_clear(&out->items[i]);
	}
	out->n = n;
	return 0;
}

void
plan_item_drop_last(struct plan *p)
{
	planner_item_clear(&p->items[--p->n]);
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
