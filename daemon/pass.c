/*
 * pass.c - one delivery pass: plan, compose, hand to the outbox.
 *
 * The planner says what is due; skipped and missed occurrences are
 * logged here; every message to send is composed and handed to the
 * outbox, which owns its life in the send log (outbox.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "history.h"
#include "log.h"
#include "message.h"
#include "outbox.h"
#include "overview.h"
#include "owner.h"
#include "pass.h"
#include "plancache.h"
#include "planner.h"
#include "report.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

/* How far ahead a pass plans to find the next due moment. */
#define PASS_HORIZON	(400 * (int64_t)DAY_SECONDS)
/* A pass acts on what is due now and wakes for the next message; with
 * many clients both lie in the next days, and the year need not be
 * planned (pass_plan).  A week and a day: a digest period and its day. */
#define PASS_NEAR	(8 * (int64_t)DAY_SECONDS)
/* How much earlier than the send log's newest entry the clock may be
 * (a small step back by time synchronisation is no reason to stop). */

struct pass {
	const struct config	*c;
	const struct settings	*s;
	struct ledger		*l;
	struct outbox		*ob;
	int64_t			 now;
	struct pass_result	*res;
	struct owner		 say;
	struct planner_opts	 o;
	bool			 year;	/* the plan covers PASS_HORIZON */
};

void
pass_result_clear(struct pass_result *r)
{
	free(r->next_desc);
	memset(r, 0, sizeof(r[0]));
	r->next = HISTORY_NONE;
}

static int
pass_record(struct pass *p, const struct plan_item *it, char **err)
{
	enum msg_status st = it->action == PLAN_SKIP ? ST_SKIPPED : ST_MISSED;
	int r;

	r = ledger_record_outcome(p->l, it->client->id, it->occasion->name,
	    it->occurrence, it->due, it->utc_offset, st, it->note, p->now,
	    err);
	if (r != 0)
		return r == -1 ? -1 : 0;
	if (st == ST_SKIPPED)
		p->res->n.skipped++;
	else
		p->res->missed++;
	/* Like "sent X to Y": the status first.  The planner's note starts
	 * with it too ("skipped: paused"); say it once. */
	const char *why = it->note;
	size_t sl = strlen(history_status_name(st));

	if (strncmp(why, history_status_name(st), sl) == 0 &&
	    strncmp(why + sl, ": ", 2) == 0)
		why += sl + 2;
	log_notice("%s %s for %s: %s", history_status_name(st),
	    it->occurrence, it->client->id, why);
	return 0;
}

static int
pass_send_new(struct pass *p, const struct history *h,
    const struct plan_item *it, char **err)
{
	const struct settings *s = p->s;
	struct composed m = { 0 };
	struct ledger_new n;
	struct diag d;
	char *mid;
	int rc = 0;

	diag_init(&d);
	mid = message_new_id(s->sender_domain);
	if (compose_message(s, p->c->templates, it,
	    history_client(h, it->client->id), mid, p->now, &m, &d) == -1) {
		char *why = d.n > 0 ? diag_format(&d, 0) :
		    xstrdup("cannot compose the message");

		/* Logged `failed` rather than retried: the same templates
		 * would fail the same way; the owner must fix them. */
		rc = ledger_record_outcome(p->l, it->client->id,
		    it->occasion->name, it->occurrence, it->due,
		    it->utc_offset, ST_FAILED, why, p->now, err);
		if (rc == 0) {
			log_err("failed %s for %s: %s", it->occurrence,
			    it->client->id, why);
			p->res->n.failed++;
		}
		rc = rc == -1 ? -1 : 0;
		free(why);
		goto out;
	}
	memset(&n, 0, sizeof(n));
	n.client = it->client->id;
	n.occasion = it->occasion->name;
	n.occurrence = it->occurrence;
	n.due = it->due;
	n.due_offset = it->utc_offset;
	n.to = it->client->email;
	n.subject = m.subject;
	n.template_file = m.template_file;
	n.message_id = mid;
	n.bytes = (const unsigned char *)m.bytes;
	n.len = m.len;
	rc = outbox_submit(p->ob, &n, err);
out:
	composed_free(&m);
	free(mid);
	diag_free(&d);
	return rc;
}

static void
pass_describe_next(struct pass *p, const struct plan_item *it)
{
	const char *abbr = "";
	char day[11];
	int64_t ld;
	int sec;

	tz_offset_at(it->client->tz, it->due, &abbr);
	tz_utc_to_local(it->client->tz, it->due, &ld, &sec);
	timeutil_format_date(ld, day);
	p->res->next = it->due;
	free(p->res->next_desc);
	p->res->next_desc = xasprintf("next: %s for %s at %s %02d:%02d %s",
	    it->occasion->name, it->client->id, day, sec / 3600,
	    sec / 60 % 60, abbr);
}

/* chrony's sanity check of its own clock: a clock earlier than what the
 * send log has already recorded (a board that booted in 1970, a wrong
 * RTC) would plan on a wrong day and store wrong first-seen days. */
static int
pass_clock_sane(struct ledger *l, int64_t now, char **err)
{
	char a[26], b[26];
	int64_t newest;

	if (ledger_newest(l, &newest, err) == -1)
		return -1;
	if (newest == HISTORY_NONE || now + LEDGER_CLOCK_SLACK >= newest)
		return 0;
	timeutil_format_iso(now, 0, a);
	timeutil_format_iso(newest, 0, b);
	*err = xasprintf("the clock says %s, earlier than the newest entry of "
	    "the send log (%s): not planning until the clock is right (is "
	    "the time synchronised? timedatectl status)", a, b);
	return -1;
}

/* Marks the clients the send log has not seen yet as first seen now. */
static int
pass_mark_seen(struct pass *p, struct history *h, char **err)
{
	const struct book *b = p->c->book;
	const char **unseen;
	size_t nunseen = 0;
	int rc = 0;

	unseen = xcalloc(b->nclients, sizeof(*unseen));
	for (size_t i = 0; i < b->nclients; i++) {
		const struct history_client *hc;

		hc = history_client(h, b->clients[i].id);
		if (hc == NULL || hc->first_seen == HISTORY_NONE) {
			unseen[nunseen++] = b->clients[i].id;
			history_set_first_seen(h, b->clients[i].id, p->now);
		}
	}
	if (nunseen > 0)
		rc = ledger_mark_seen(p->l, unseen, nunseen, p->now, err);
	free(unseen);
	return rc;
}

static void
pass_next(struct pass *p, int64_t at, const char *desc)
{
	if (at <= p->now || (p->res->next != HISTORY_NONE &&
	    p->res->next <= at))
		return;
	p->res->next = at;
	free(p->res->next_desc);
	p->res->next_desc = xstrdup(desc);
}

/* A message that awaits the owner's approval is not sent: the moment it
 * first came due is recorded (it waits from then, planner.h), and the
 * daemon wakes when it would be skipped. */
static int
pass_await(struct pass *p, const struct plan_item *it, char **err)
{
	if (it->due <= p->now && ledger_approval_wait(p->l, it->client->id,
	    it->occurrence, it->due, err) == -1)
		return -1;
	pass_next(p, it->approve_by, "next: a message awaiting approval "
	    "runs out");
	return 0;
}

/*
 * The plan a pass acts on: the planner's for the next PASS_HORIZON, of
 * which a pass needs what is due by now and the next message to wake
 * for.  The next PASS_NEAR days are the same in a plan to their end
 * (planner_plan_near), much cheaper with a big book; they do when they
 * hold a message to send after now, as then nothing later can be the
 * next (an approval running out is never before its message's due).
 * Otherwise, and for the digest's look at the year, the whole plan.
 */
static int
pass_plan(struct pass *p, const struct history *h, bool year,
    struct plan *plan, char **err)
{
	p->o.until = p->now + PASS_HORIZON;
	if (!year) {
		if (planner_plan_near(p->s, p->c->book, h, &p->o, p->now +
		    PASS_NEAR, plan, err) == -1)
			return -1;
		for (size_t i = 0; i < plan->n; i++) {
			const struct plan_item *it = &plan->items[i];

			if (it->action == PLAN_SEND && it->due > p->now &&
			    it->say != PLAN_SAY_AWAITING) {
				p->year = false;
				return 0;
			}
		}
		plan_free(plan);
	}
	p->year = true;
	return planner_plan(p->s, p->c->book, h, &p->o, plan, err);
}

/* --- the owner's digest --------------------------------------------- */

/* "2027-W09": the ISO 8601 week of day. */
static void
pass_iso_week(int64_t day, char out[static 16])
{
	int64_t thu = day - timeutil_weekday(day) + 3;
	struct civil_date cd;
	int64_t jan1;

	timeutil_civil_from_days(thu, &cd);
	jan1 = timeutil_days_from_civil(cd.year, 1, 1);
	snprintf(out, 16, "%04d-W%02d", cd.year % 10000,
	    (int)((thu - jan1) / 7 + 1) % 100);
}

/* The digest of the period that began last, before or at now: its key,
 * its start (*due), its first local day and its length in days. */
static void
pass_digest_period(const struct settings *s, const struct tz *z,
    int64_t now, char key[static 32], int64_t *due, int64_t *day0,
    int *len)
{
	const struct settings_digest *dg = &s->digest;
	char name[16];
	int64_t today;
	int sec;

	tz_utc_to_local(z, now, &today, &sec);
	*day0 = today;
	*len = dg->weekday < 0 ? 1 : 7;
	if (dg->weekday >= 0)
		*day0 -= (timeutil_weekday(today) - dg->weekday + 7) % 7;
	if (tz_local_to_utc(z, *day0, dg->minute * 60) > now)
		*day0 -= *len;
	*due = tz_local_to_utc(z, *day0, dg->minute * 60);
	if (dg->weekday < 0)
		timeutil_format_date(*day0, name);
	else
		pass_iso_week(*day0, name);
	snprintf(key, 32, "digest/%s", name);
}

/* When the next digest period begins, or HISTORY_NONE without digests. */
static int64_t
pass_digest_next(const struct pass *p)
{
	const struct settings *s = p->s;
	const struct tz *z = p->c->book->sender_tz;
	char key[32];
	int64_t due, day0;
	int len;

	if (!s->digest.on)
		return HISTORY_NONE;
	pass_digest_period(s, z, p->now, key, &due, &day0, &len);
	return tz_local_to_utc(z, day0 + len, s->digest.minute * 60);
}

/* Composes the digest of one period (from due, len days) into m. */
static int
pass_digest_compose(struct pass *p, const struct history *h,
    const struct plan *plan, const char *key, int64_t due, int len,
    const char *mid, struct buf *m, char **subject, char **err)
{
	const struct settings *s = p->s;
	struct ledger_entry *log = NULL;
	struct ledger_filter f;
	struct overview_in in;
	struct report r;
	struct message_in mi;
	struct buf text, html;
	size_t nlog = 0;
	int rc;

	buf_init(&text);
	buf_init(&html);
	memset(&f, 0, sizeof(f));
	f.since = due - len * (int64_t)DAY_SECONDS - DAY_SECONDS;
	f.until = HISTORY_NONE;
	if (ledger_list(p->l, &f, &log, &nlog, err) == -1)
		return -1;
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.b = p->c->book;
	in.h = h;
	in.plan = plan;
	in.log = log;
	in.nlog = nlog;
	in.say = &p->say;
	in.now = p->now;
	in.from = due;
	in.days = len;
	in.last_from = due - len * (int64_t)DAY_SECONDS;
	in.last_until = due;
	overview_build(&in, &r);
	report_digest_text(&r, key + 7, &text);
	report_digest_html(&r, key + 7, &html);
	*subject = report_digest_subject(&r, key + 7);
	memset(&mi, 0, sizeof(mi));
	mi.from_name = "touchbase";
	mi.from_addr = s->sender_address;
	mi.to_addr = s->owner_address;
	mi.subject = *subject;
	mi.text = text.data != NULL ? text.data : "";
	mi.html = html.data;
	mi.date = p->now;
	mi.utc_offset = tz_offset_at(p->c->book->sender_tz, p->now, NULL);
	mi.message_id = mid;
	rc = message_build(&mi, m, err);
	report_clear(&r);
	ledger_entries_free(log, nlog);
	buf_free(&text);
	buf_free(&html);
	return rc;
}

/* The owner's digest: one per period, recorded in the send log under
 * the owner's own id (never a client's), caught up like any message. */
static int
pass_digest(struct pass *p, const struct history *h, struct plan *plan,
    char **err)
{
	const struct settings *s = p->s;
	const struct tz *z = p->c->book->sender_tz;
	const struct history_client *hc;
	struct ledger_new n;
	struct buf m;
	char key[32], *subject = NULL, *mid;
	int64_t due, day0;
	int len, rc;

	if (!s->digest.on)
		return 0;
	pass_digest_period(s, z, p->now, key, &due, &day0, &len);
	pass_next(p, pass_digest_next(p), "next: the owner's digest");
	hc = history_client(h, OWNER_CLIENT);
	if (history_client_find(h, hc, key) != NULL)
		return 0;
	if (p->now - due >= timeutil_duration_seconds(&s->catch_up)) {
		/* Missed only once digests have been going: a new
		 * installation does not log the periods before it. */
		if (hc == NULL || hc->nrecords == 0)
			return 0;
		rc = ledger_record_outcome(p->l, OWNER_CLIENT, "digest", key,
		    due, tz_offset_at(z, due, NULL), ST_MISSED, "missed: the "
		    "daemon was not running (catch_up)", p->now, err);
		if (rc == 0)
			p->res->missed++;
		return rc == -1 ? -1 : 0;
	}
	/* Its overview counts the year ahead: the plan the pass began
	 * with, had it planned the year (the send log it reads is the
	 * same). */
	if (!p->year) {
		plan_free(plan);
		if (pass_plan(p, h, true, plan, err) == -1)
			return -1;
	}
	buf_init(&m);
	mid = message_new_id(s->sender_domain);
	rc = pass_digest_compose(p, h, plan, key, due, len, mid, &m, &subject,
	    err);
	if (rc == -1)
		goto out;
	memset(&n, 0, sizeof(n));
	n.client = OWNER_CLIENT;
	n.occasion = "digest";
	n.occurrence = key;
	n.due = due;
	n.due_offset = tz_offset_at(z, due, NULL);
	n.to = s->owner_address;
	n.subject = subject;
	n.message_id = mid;
	n.bytes = (const unsigned char *)m.data;
	n.len = m.len;
	rc = outbox_submit(p->ob, &n, err);
out:
	free(mid);
	buf_free(&m);
	free(subject);
	return rc;
}

static int
pass_due(struct pass *p, const struct history *h, const struct plan *plan,
    volatile sig_atomic_t *stop, char **err)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];
		int rc;

		if (stop != NULL && *stop)
			break;
		if (it->say == PLAN_SAY_AWAITING && it->action == PLAN_SEND) {
			if (pass_await(p, it, err) == -1)
				return -1;
			continue;
		}
		if (it->due > p->now) {
			if (it->action == PLAN_SEND && (p->res->next ==
			    HISTORY_NONE || it->due < p->res->next))
				pass_describe_next(p, it);
			continue;
		}
		if (it->action == PLAN_SEND)
			rc = pass_send_new(p, h, it, err);
		else
			rc = pass_record(p, it, err);
		if (rc == -1)
			return -1;
	}
	if (stop == NULL || !*stop)
		return outbox_retry(p->ob, stop, err);
	return 0;
}

/* --- the plan cache ------------------------------------------------- */

static int
pass_stamp(struct ledger *l, struct plancache_stamp *st, char **err)
{
	st->changes = ledger_changes(l);
	return ledger_data_version(l, &st->data_version, err);
}

/* Whether carrying out it did what the plan said: one more sent, skipped
 * or missed, and nothing else (not deferred, failed, refused at the last
 * moment, or already taken by another pass). */
static bool
pass_as_planned(const struct plan_item *it, const struct outbox_counts *n0,
    size_t missed0, const struct pass_result *r)
{
	struct outbox_counts want = *n0;
	size_t missed = missed0;

	if (it->action == PLAN_SEND)
		want.sent++;
	else if (it->action == PLAN_SKIP)
		want.skipped++;
	else
		missed++;
	return memcmp(&want, &r->n, sizeof(want)) == 0 && r->missed == missed;
}

/* What comes after a pass's messages, cached or planned: the retries
 * that are due, the next moment to wake (the earlier of *next's and a
 * retry's), and, unless stopped, the moment the plan was carried out
 * to. */
static int
pass_finish(struct pass *p, volatile sig_atomic_t *stop, char **err)
{
	int64_t retry;

	if (ledger_next_retry(p->l, &retry, err) == -1)
		return -1;
	/* Everything due up to now has its record: the next pass looks
	 * back to here. */
	if ((stop == NULL || !*stop) && ledger_state_set(p->l,
	    PLANNER_STATE_CARRIED, p->now, NULL, err) == -1)
		return -1;
	if (retry != HISTORY_NONE && (p->res->next == HISTORY_NONE ||
	    retry < p->res->next)) {
		p->res->next = retry;
		free(p->res->next_desc);
		p->res->next_desc = xstrdup("next: a retry of a deferred "
		    "message");
	}
	return 0;
}

/*
 * A wake-up from the plan cache (plancache.h).  When nobody wrote to the
 * send log since the last pass and the cache still holds, what came due
 * is what the last full plan foresaw: it is carried out without loading
 * every client's history and planning them all again.  Returns 1 when
 * the pass is done so; 0 when it must plan: the cache does not hold, or
 * an outcome was not the planned one (a deferral, a refusal at the last
 * moment), after which the full plan at now takes over (what was just
 * recorded is in the send log, so it is not planned again); -1 on a send
 * log error.
 */
static int
pass_cached(struct pass *p, struct plancache *pc, volatile sig_atomic_t *stop,
    char **err)
{
	struct plancache_stamp st;
	struct outbox_counts n0;
	const struct plan_item *it;
	size_t nleft;
	int64_t end;
	int rc;

	if (pass_stamp(p->l, &st, err) == -1)
		return -1;
	if (!plancache_usable(pc, p->now, p->c, &st)) {
		if (plancache_until(pc) != HISTORY_NONE)
			log_debug("the kept plan no longer holds (the send log "
			    "changed, or the clock left it): planning in full");
		plancache_drop(pc);
		return 0;
	}
	log_debug("carrying out the kept plan");
	while ((it = plancache_due(pc, p->now)) != NULL) {
		size_t missed0 = p->res->missed;

		if (stop != NULL && *stop)
			break;
		n0 = p->res->n;
		if (it->action == PLAN_SEND) {
			/* The message reads the client's own history. */
			struct history *h = history_new();

			rc = ledger_load_client(p->l, it->client->id, h, err);
			if (rc == 0)
				rc = pass_send_new(p, h, it, err);
			history_free(h);
		} else
			rc = pass_record(p, it, err);
		plancache_pop(pc);
		if (rc == -1 || !pass_as_planned(it, &n0, missed0, p->res)) {
			plancache_drop(pc);
			return rc;
		}
	}
	if (stop != NULL && *stop) {
		plancache_drop(pc);
		return pass_finish(p, stop, err) == -1 ? -1 : 1;
	}
	n0 = p->res->n;
	if (outbox_retry(p->ob, stop, err) == -1) {
		plancache_drop(pc);
		return -1;
	}
	/* The next message, as a full pass would say; the wake-up comes
	 * at the cache's end if that is earlier. */
	for (it = plancache_items(pc, &nleft); nleft > 0; it++, nleft--) {
		if (it->action == PLAN_SEND)
			break;
	}
	if (nleft == 0)
		it = plancache_after(pc);
	if (it != NULL)
		pass_describe_next(p, it);
	end = plancache_until(pc);
	if (p->res->next == HISTORY_NONE || end < p->res->next)
		p->res->next = end;
	if (pass_finish(p, stop, err) == -1 || pass_stamp(p->l, &st,
	    err) == -1) {
		plancache_drop(pc);
		return -1;
	}
	/* A retry's outcome moves a message the plan counted at its due. */
	if (memcmp(&n0, &p->res->n, sizeof(n0)) != 0 || (stop != NULL &&
	    *stop))
		plancache_drop(pc);
	else
		plancache_restamp(pc, &st);
	return 1;
}

/* After a full pass: its plan's next day, for the wake-ups to come.  Not
 * past the next digest, which a full pass writes.  The plan must show
 * the message after that day too (what a pass at the cache's last
 * wake-up says is next): the year's plan when the near days do not. */
static int
pass_fill(struct pass *p, struct plancache *pc, const struct history *h,
    struct plan *plan, char **err)
{
	struct plancache_stamp st;
	int64_t until = p->now + PLANCACHE_SPAN, dg = pass_digest_next(p);
	bool after = false;

	if (dg != HISTORY_NONE && dg < until)
		until = dg;
	for (size_t i = 0; i < plan->n && !after; i++)
		after = plan->items[i].action == PLAN_SEND &&
		    plan->items[i].say != PLAN_SAY_AWAITING &&
		    plan->items[i].due >= until;
	if (!after && !p->year) {
		plan_free(plan);
		if (pass_plan(p, h, true, plan, err) == -1)
			return -1;
	}
	if (pass_stamp(p->l, &st, err) == -1)
		return -1;
	if (plancache_fill(pc, p->s, plan, p->now, until, p->c, &st)) {
		char at[26];
		size_t n;

		(void)plancache_items(pc, &n);
		until = plancache_until(pc);
		timeutil_format_iso(until, tz_offset_at(p->c->book->sender_tz,
		    until, NULL), at);
		log_debug("keeping the plan until %s: %zu item%s", at, n,
		    n == 1 ? "" : "s");
	}
	return 0;
}

int
pass_run(const struct config *c, struct ledger *l, struct outbox *ob,
    struct plancache *pc, int64_t now, volatile sig_atomic_t *stop,
    struct pass_result *res, char **err)
{
	struct pass p;
	struct history *h;
	struct plan plan = { NULL, 0 };
	int rc = -1;
	bool found;

	memset(res, 0, sizeof(*res));
	res->next = HISTORY_NONE;
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.s = c->settings;
	p.l = l;
	p.ob = ob;
	p.now = now;
	p.res = res;

	owner_init(&p.say);
	h = history_new();
	if (pass_clock_sane(l, now, err) == -1 ||
	    outbox_begin(ob, c, now, &res->n, err) == -1)
		goto out;
	if (pc != NULL && (rc = pass_cached(&p, pc, stop, err)) != 0) {
		rc = rc == 1 ? 0 : -1;
		goto out;
	}
	rc = -1;
	if (ledger_load_history(l, h, err) == -1 ||
	    ledger_load_owner(l, &p.say, err) == -1 ||
	    pass_mark_seen(&p, h, err) == -1)
		goto out;
	p.o.from = now;
	p.o.say = &p.say;
	if (ledger_state_get(l, PLANNER_STATE_CARRIED, &found,
	    &p.o.carried_until, NULL, err) == -1 ||
	    pass_plan(&p, h, false, &plan, err) == -1 ||
	    pass_due(&p, h, &plan, stop, err) == -1 ||
	    ((stop == NULL || !*stop) &&
	    pass_digest(&p, h, &plan, err) == -1) ||
	    pass_finish(&p, stop, err) == -1)
		goto out;
	if (pc != NULL && (stop == NULL || !*stop) &&
	    pass_fill(&p, pc, h, &plan, err) == -1)
		goto out;
	rc = 0;
out:
	/* A round whose outcomes cannot be made durable failed. */
	if (outbox_end(ob, rc == 0 ? err : NULL) == -1)
		rc = -1;
	if (rc == -1 && pc != NULL)
		plancache_drop(pc);
	if (!ledger_damaged(l))
		ledger_checkpoint(l);
	plan_free(&plan);
	owner_free(&p.say);
	history_free(h);
	return rc;
}
