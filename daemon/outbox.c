/*
 * outbox.c - the life of a send-log row, in one place.
 *
 * The order of writes is what makes the send log trustworthy: a row is
 * committed `queued` (with its bytes and Message-ID) before the SMTP
 * transaction starts and moved to its outcome right after the server's
 * reply.  A crash in between leaves a `queued` row whose holder is gone;
 * the next round sends those exact bytes again, so nothing due is lost
 * and only the message in flight can arrive twice.
 *
 * One sync of the log per message: the outcome's commit is lazy (seen at
 * once, kept across a crash of the process) and becomes durable against
 * a power cut with the next message's queueing; no transaction begins
 * before everything recorded is synced, nor does a round end.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consent.h"
#include "deliver.h"
#include "history.h"
#include "log.h"
#include "notify.h"
#include "outbox.h"
#include "planner.h"
#include "owner.h"
#include "smtp.h"
#include "tz.h"
#include "xalloc.h"

/* Tries of a commit the ledger refused, and the waits between them. */
static const long outbox_commit_wait_ms[] = { 100, 500, 2000 };
#define OUTBOX_COMMIT_TRIES \
	(sizeof(outbox_commit_wait_ms) / sizeof(outbox_commit_wait_ms[0]))

/* deliver_send() takes keys of up to 200 bytes. */
#define OUTBOX_KEY_MAX	200

#define KEY_FAILURES	"session.failures"
#define KEY_RETRY_AT	"session.retry_at"

/* The part of a row an attempt needs. */
struct outbox_row {
	int64_t		 id;
	const char	*client;
	const char	*occurrence;
	const char	*to;
	const char	*message_id;
	int		 attempts;	/* earlier attempts */
	int64_t		 due;
	int64_t		 config_lost;	/* seconds lost to configuration */
	int64_t		 config_since;	/* deferred for configuration at,
					   or 0 */
	const unsigned char *bytes;
	size_t		 len;
	bool		 leased;	/* queued by this round a moment ago,
					   with a whole lease */
};

/* An outcome the ledger would not take; recorded first next round. */
struct outbox_pending {
	int64_t		 id;
	struct ledger_outcome o;
	char		*reply;
	char		*reason;
	char		*what;		/* "birthday/2027 for anna (<mid>)" */
};

enum outbox_state {
	OUTBOX_OPEN,		/* attempts go out */
	OUTBOX_DOWN,		/* the session failed: defer, do not try */
	OUTBOX_STOPPED		/* the send log failed: do nothing */
};

struct outbox {
	struct ledger		*l;
	struct outbox_clock	 clk;
	int64_t			 token;
	struct outbox_pending	*pending;
	size_t			 npending;

	/* One round. */
	const struct config	*c;
	const struct settings	*s;
	struct outbox_counts	*n;
	struct deliverer	*dlv;
	char			*dlv_err;	/* why there is no deliverer */
	enum outbox_state	 state;
	char			*stop_err;	/* why the round stopped */
	enum ledger_defer	 down_kind;
	char			*down_why;
	int64_t			 down_until;
	int64_t			 failures;	/* session failures in a row */
	int			 watchdog;
};

static int64_t
outbox_time(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

const struct outbox_clock outbox_wall_clock = { outbox_time, NULL };

static int64_t
outbox_now(const struct outbox *o)
{
	return o->clk.now(o->clk.arg);
}

struct outbox *
outbox_new(struct ledger *l, const struct outbox_clock *clk)
{
	struct outbox *o = xcalloc(1, sizeof(*o));

	o->l = l;
	o->clk = *clk;
	o->token = ledger_new_token();
	return o;
}

static void
outbox_pending_clear(struct outbox_pending *p)
{
	free(p->reply);
	free(p->reason);
	free(p->what);
}

void
outbox_free(struct outbox *o)
{
	if (o == NULL)
		return;
	(void)outbox_end(o, NULL);
	for (size_t i = 0; i < o->npending; i++) {
		log_err("the outcome of %s (%s) was never recorded; it stays "
		    "queued and is sent again", o->pending[i].what,
		    history_status_name(o->pending[i].o.status));
		outbox_pending_clear(&o->pending[i]);
	}
	free(o->pending);
	free(o);
}

bool
outbox_ok(const struct outbox *o)
{
	return o->state != OUTBOX_STOPPED;
}

/* A lease long enough for one whole transaction (smtp.h: the reply to
 * the final dot may take SMTP_FINAL_TIMEOUT, the rest is capped at ten
 * timeouts), plus a minute for the two commits around it. */
static struct ledger_lease
outbox_lease(const struct outbox *o)
{
	struct ledger_lease ls;

	ls.token = o->token;
	ls.until = outbox_now(o) + SMTP_FINAL_TIMEOUT + 10 * o->s->timeout +
	    60;
	return ls;
}

/* The send log failed with err (taken): the round stops; the first
 * error is handed to the caller by outbox_submit() or outbox_retry(). */
static void
outbox_stop(struct outbox *o, char *err)
{
	o->state = OUTBOX_STOPPED;
	if (o->stop_err == NULL)
		o->stop_err = err;
	else
		free(err);
}

static int
outbox_result(struct outbox *o, char **err)
{
	if (o->state != OUTBOX_STOPPED)
		return 0;
	*err = o->stop_err != NULL ? o->stop_err :
	    xstrdup("the send log cannot be written");
	o->stop_err = NULL;
	return -1;
}

/* --- the session backoff ---------------------------------------------- */

static int64_t
outbox_backoff(const struct outbox *o, int64_t failures)
{
	int64_t cap = 0, b = OUTBOX_BACKOFF_FIRST;

	for (size_t i = 0; i < o->s->nretry; i++) {
		int64_t step = timeutil_duration_seconds(&o->s->retry[i]);

		if (step > cap)
			cap = step;
	}
	for (int64_t i = 1; i < failures && b < cap; i++)
		b *= 2;
	return cap > 0 && b > cap ? cap : b;
}

static int
outbox_save_session(struct outbox *o, char **err)
{
	if (ledger_state_set(o->l, KEY_FAILURES, o->failures,
	    o->down_kind == LEDGER_DEFER_CONFIG ? "config" : "session",
	    err) == -1 ||
	    ledger_state_set(o->l, KEY_RETRY_AT, o->down_until, o->down_why,
	    err) == -1)
		return -1;
	return 0;
}

/* The session failed at `at` with result r: one line that says what is
 * wrong and what to do, and every other message of the round deferred. */
static void
outbox_session_failed(struct outbox *o, enum deliver_result r,
    const char *why, int64_t at)
{
	char *err = NULL;
	int64_t wait;

	o->state = OUTBOX_DOWN;
	o->down_kind = r == DELIVER_CONFIG ? LEDGER_DEFER_CONFIG :
	    LEDGER_DEFER_SESSION;
	free(o->down_why);
	o->down_why = xstrdup(why != NULL ? why : "delivery failed");
	o->failures++;
	wait = outbox_backoff(o, o->failures);
	o->down_until = at + wait;
	log_err("delivery %s: %s; every message of this round is deferred, "
	    "the next attempt in %lld min at the earliest%s",
	    r == DELIVER_CONFIG ? "is not configured correctly" :
	    "session failed", o->down_why,
	    (long long)(wait / 60), r == DELIVER_CONFIG ?
	    " (or at once after 'systemctl reload touchbased')" :
	    " (check [delivery] url and that the server is up)");
	if (outbox_save_session(o, &err) == -1)
		outbox_stop(o, err);
}

static void
outbox_session_worked(struct outbox *o)
{
	char *err = NULL;

	if (o->failures == 0)
		return;
	log_info("delivery works again after %lld failed session%s",
	    (long long)o->failures, o->failures == 1 ? "" : "s");
	o->failures = 0;
	o->down_until = 0;
	free(o->down_why);
	o->down_why = NULL;
	if (outbox_save_session(o, &err) == -1)
		outbox_stop(o, err);
}

/* --- recording ---------------------------------------------------------- */

/* Records o for row r, trying again a few times: a commit that fails
 * after the server accepted a message must not turn into a resend. */
static void
outbox_settle(struct outbox *ob, const struct outbox_row *r,
    const struct ledger_outcome *o)
{
	struct outbox_pending *p;
	char *err = NULL, *line;
	int rc;

	for (size_t i = 0;; i++) {
		rc = ledger_settle(ob->l, r->id, ob->token, o, &err);
		if (rc != -1 || ledger_damaged(ob->l) ||
		    i == OUTBOX_COMMIT_TRIES)
			break;
		free(err);
		err = NULL;
		struct timespec ts = { 0,
		    outbox_commit_wait_ms[i] * 1000000L };
		while (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	if (rc == 1)
		log_warnx("%s", err);
	if (rc != -1) {
		free(err);
		return;
	}
	ob->pending = xreallocarray(ob->pending, ob->npending + 1,
	    sizeof(*ob->pending));
	p = &ob->pending[ob->npending++];
	p->id = r->id;
	p->o = *o;
	p->reply = o->reply != NULL ? xstrdup(o->reply) : NULL;
	p->reason = o->reason != NULL ? xstrdup(o->reason) : NULL;
	p->o.reply = p->reply;
	p->o.reason = p->reason;
	p->what = xasprintf("%s for %s (Message-ID %s)", r->occurrence,
	    r->client, r->message_id != NULL ? r->message_id : "none");
	/* Said once: as the error that stops the round, or logged when
	 * the round is stopping for another reason already. */
	line = xasprintf("cannot record that %s is %s: %s; it is kept and "
	    "recorded first, and nothing more is sent until then", p->what,
	    history_status_name(o->status), err);
	free(err);
	if (ob->stop_err != NULL)
		log_err("%s", line);
	outbox_stop(ob, line);
}

static int
outbox_flush(struct outbox *o, char **err)
{
	size_t done = 0;
	int rc = 0;

	for (; done < o->npending; done++) {
		struct outbox_pending *p = &o->pending[done];
		int r = ledger_settle(o->l, p->id, o->token, &p->o, err);

		if (r == -1) {
			rc = -1;
			break;
		}
		if (r == 1) {
			log_warnx("%s", *err);
			free(*err);
			*err = NULL;
		} else
			log_notice("recorded at last: %s is %s", p->what,
			    history_status_name(p->o.status));
		outbox_pending_clear(p);
	}
	if (done > 0 && done < o->npending)
		memmove(o->pending, o->pending + done,
		    (o->npending - done) * sizeof(*o->pending));
	o->npending -= done;
	return rc;
}

/* --- one attempt ---------------------------------------------------------- */

/* A retry follows the client's calendar: the next moment inside the
 * send window, and for a movable occasion on an allowed day (weekdays,
 * holidays), by the rule the planner places by. */
static int64_t
outbox_in_window(const struct outbox *o, const struct client *cl,
    const char *occurrence, int64_t t)
{
	const struct occasion *occ;
	size_t len = strcspn(occurrence, "/");
	char *name;

	/* The owner's digest: the window in the sender's zone. */
	if (cl == NULL)
		return planner_next_moment(o->s, NULL, o->c->book->sender_tz,
		    false, t);
	name = xasprintf("%.*s", (int)len, occurrence);
	occ = book_occasion(o->c->book, name);
	free(name);
	return planner_next_moment(o->s, cl, cl->tz, occ != NULL &&
	    planner_kind_movable(occ->kind), t);
}

/* What the send log says against sending r to cl now (*why NULL when
 * nothing), read from one snapshot.  -1 when it cannot be read: the round
 * stops. */
static int
outbox_consent(struct outbox *o, const struct outbox_row *r,
    const struct client *cl, int64_t at, char **why)
{
	int64_t optout, bounced = HISTORY_NONE;
	char *err = NULL, *note = NULL;
	bool held = false;

	*why = NULL;
	if (ledger_read_begin(o->l, &err) == -1 ||
	    ledger_optout_of(o->l, r->client, r->to, &optout, &err) == -1 ||
	    ledger_bounced_of(o->l, r->client, cl->email, &bounced,
	    &err) == -1 ||
	    ledger_held(o->l, r->client, r->occurrence, &held, &note,
	    &err) == -1) {
		ledger_read_end(o->l);
		outbox_stop(o, err);
		return -1;
	}
	ledger_read_end(o->l);
	*why = consent_blocked(cl, cl->tz, optout, bounced,
	    consent_local_day(cl->tz, at), at);
	if (*why == NULL && held)
		*why = note != NULL && *note != '\0' ?
		    xasprintf("held by the owner: %s", note) :
		    xstrdup("held by the owner");
	free(note);
	return 0;
}

/* Whether the row may still go: the client is in the book, not paused,
 * has not objected, and the owner holds no hold on it.  Otherwise the
 * row is settled `skipped`.  The owner's own mail (the digest) goes to
 * no client: it may always go, with *cl NULL. */
static bool
outbox_may_send(struct outbox *o, const struct outbox_row *r,
    const struct client **cl)
{
	struct ledger_outcome oc;
	char *why = NULL, *reason;
	int64_t at = outbox_now(o);

	*cl = NULL;
	if (strcmp(r->client, OWNER_CLIENT) == 0)
		return true;
	*cl = book_client(o->c->book, r->client);
	if (*cl == NULL)
		why = xstrdup("no longer in the book");
	else if (outbox_consent(o, r, *cl, at, &why) == -1)
		return false;
	if (why == NULL)
		return true;
	memset(&oc, 0, sizeof(oc));
	oc.status = ST_SKIPPED;
	oc.at = at;
	reason = xasprintf("skipped: %s", why);
	oc.reason = reason;
	outbox_settle(o, r, &oc);
	o->n->skipped++;
	log_notice("skipped %s for %s: %s (not sent)", r->occurrence,
	    r->client, why);
	free(reason);
	free(why);
	return false;
}

static struct deliverer *
outbox_deliverer(struct outbox *o)
{
	if (o->dlv == NULL && o->dlv_err == NULL)
		o->dlv = deliver_new(o->s, &o->dlv_err);
	return o->dlv;
}

static bool
outbox_session_result(enum deliver_result r)
{
	return r == DELIVER_CONFIG || r == DELIVER_SESSION;
}

/* The row's stable name for the delivery (a Maildir file name): its id
 * and its Message-ID, in the characters deliver_send() accepts. */
static char *
outbox_key(const struct outbox_row *r)
{
	char *k = xasprintf("%lld.%s", (long long)r->id,
	    r->message_id != NULL ? r->message_id : "");
	size_t n = 0;

	for (char *p = k; *p != '\0'; p++) {
		if (*p == '<' || *p == '>')
			continue;
		k[n++] = (isalnum((unsigned char)*p) || *p == '.' ||
		    *p == '-') ? *p : '_';
	}
	k[n < OUTBOX_KEY_MAX ? n : OUTBOX_KEY_MAX] = '\0';
	return k;
}

/* The time row r has waited for configuration since its last deferral
 * for it, up to at: it is added to the row's total when the row moves. */
static int64_t
outbox_lost(const struct outbox_row *r, int64_t at)
{
	return r->config_since > 0 && at > r->config_since ?
	    at - r->config_since : 0;
}

/* Fills oc for a deferral at `at` of kind k, not before earliest, or
 * turns it into a failure once give_up_after has passed, not counting
 * the time lost to configuration problems. */
static void
outbox_defer(struct outbox *o, const struct outbox_row *r,
    const struct client *cl, enum ledger_defer k, int64_t earliest,
    int64_t at, struct ledger_outcome *oc, char **reason)
{
	const struct settings *s = o->s;
	size_t i = (size_t)r->attempts < s->nretry ? (size_t)r->attempts :
	    s->nretry - 1;
	int64_t next = timeutil_time_add(at, &s->retry[i]);

	if (next < earliest)
		next = earliest;
	next = outbox_in_window(o, cl, r->occurrence, next);
	oc->status = ST_DEFERRED;
	oc->defer = k;
	oc->next_attempt = next;
	if (k == LEDGER_DEFER_CONFIG)
		return;
	if (next > r->due + s->give_up_after + r->config_lost +
	    oc->config_lost) {
		oc->status = ST_FAILED;
		oc->next_attempt = 0;
		*reason = xasprintf("gave up after %d attempts",
		    r->attempts + (oc->attempted ? 1 : 0));
	}
}

static void
outbox_count(struct outbox *o, const struct outbox_row *r,
    const struct ledger_outcome *oc, const char *text)
{
	const char *t = text != NULL ? text : "";

	switch (oc->status) {
	case ST_SENT:
		o->n->sent++;
		log_info("sent %s to %s <%s>: %s", r->occurrence, r->client,
		    r->to, t);
		break;
	case ST_FAILED:
		o->n->failed++;
		log_err("failed %s to %s <%s>: %s (%s)", r->occurrence,
		    r->client, r->to, t, oc->reason);
		break;
	case ST_DEFERRED:
		o->n->deferred++;
		if (oc->defer == LEDGER_DEFER_CONFIG)
			o->n->config_problems++;
		/* A failed session was said once, for the whole round. */
		if (oc->defer == LEDGER_DEFER_MESSAGE)
			log_warnx("deferred %s to %s <%s>: %s", r->occurrence,
			    r->client, r->to, t);
		else
			log_debug("deferred %s to %s: %s", r->occurrence,
			    r->client, t);
		break;
	default:
		break;
	}
}

/* The round's session is down: defer r without trying. */
static void
outbox_hold_back(struct outbox *o, const struct outbox_row *r,
    const struct client *cl)
{
	struct ledger_outcome oc;
	char *reason = NULL;
	int64_t at = outbox_now(o);

	memset(&oc, 0, sizeof(oc));
	oc.at = at;
	oc.reply = o->down_why;
	oc.config_lost = outbox_lost(r, at);
	outbox_defer(o, r, cl, o->down_kind, o->down_until, at, &oc,
	    &reason);
	oc.reason = reason;
	outbox_settle(o, r, &oc);
	outbox_count(o, r, &oc, o->down_why);
	free(reason);
}

static void
outbox_attempt(struct outbox *o, const struct outbox_row *r)
{
	const struct settings *s = o->s;
	struct deliver_reply reply = { 0, NULL };
	struct ledger_outcome oc;
	struct ledger_lease ls;
	const struct client *cl;
	enum deliver_result res;
	struct deliverer *d;
	const char *rcpts[2];
	size_t nrcpts = 0;
	char *reason = NULL, *err = NULL;
	int rc;

	if (o->state == OUTBOX_STOPPED || !outbox_may_send(o, r, &cl))
		return;
	if (o->state == OUTBOX_DOWN) {
		outbox_hold_back(o, r, cl);
		return;
	}
	ls = outbox_lease(o);
	if (!r->leased && (rc = ledger_renew(o->l, r->id, &ls, &err)) != 0) {
		if (rc == -1) {
			outbox_stop(o, err);
			return;
		}
		log_warnx("%s for %s was taken over by another pass; not "
		    "sending it", r->occurrence, r->client);
		free(err);
		return;
	}
	/* Nothing recorded may be lost to a power cut once a transaction
	 * has begun: the last outcome (a lazy commit) went with this row's
	 * queueing, or goes now. */
	if (ledger_sync(o->l, &err) == -1) {
		outbox_stop(o, err);
		return;
	}
	rcpts[nrcpts++] = r->to;
	if (s->bcc != NULL && cl != NULL)
		rcpts[nrcpts++] = s->bcc;
	if ((d = outbox_deliverer(o)) != NULL) {
		char *key = outbox_key(r);

		res = deliver_send(d, s->sender_address, rcpts, nrcpts,
		    (const char *)r->bytes, r->len, key, &reply);
		free(key);
	} else {
		res = DELIVER_CONFIG;
		reply.text = xstrdup(o->dlv_err);
	}

	memset(&oc, 0, sizeof(oc));
	oc.at = outbox_now(o);
	oc.attempted = true;
	oc.config_lost = outbox_lost(r, oc.at);
	oc.smtp_code = reply.code;
	oc.reply = reply.text;
	if (outbox_session_result(res))
		outbox_session_failed(o, res, reply.text, oc.at);
	else
		outbox_session_worked(o);
	switch (res) {
	case DELIVER_OK:
		oc.status = ST_SENT;
		break;
	case DELIVER_PERMFAIL:
		oc.status = ST_FAILED;
		reason = xstrdup("refused by the server");
		break;
	case DELIVER_TEMPFAIL:
		outbox_defer(o, r, cl, LEDGER_DEFER_MESSAGE, 0, oc.at, &oc,
		    &reason);
		break;
	default:
		outbox_defer(o, r, cl, o->down_kind, o->down_until, oc.at,
		    &oc, &reason);
		break;
	}
	oc.reason = reason;
	outbox_settle(o, r, &oc);
	outbox_count(o, r, &oc, reply.text);
	/* A long batch of slow transactions must not look like a hang. */
	if (o->watchdog)
		notify_watchdog();
	free(reason);
	deliver_reply_clear(&reply);
}

/* --- rounds ---------------------------------------------------------------- */

int
outbox_begin(struct outbox *o, const struct config *c, int64_t now,
    struct outbox_counts *counts, char **err)
{
	char *kind = NULL;
	bool found;
	int64_t v;

	(void)outbox_end(o, NULL);
	o->c = c;
	o->s = c->settings;
	o->n = counts;
	o->state = OUTBOX_OPEN;
	o->watchdog = notify_watchdog_interval() > 0;
	if (outbox_flush(o, err) == -1 ||
	    ledger_state_get(o->l, KEY_FAILURES, &found, &v, &kind,
	    err) == -1) {
		o->state = OUTBOX_STOPPED;
		return -1;
	}
	o->failures = found ? v : 0;
	o->down_kind = kind != NULL && strcmp(kind, "config") == 0 ?
	    LEDGER_DEFER_CONFIG : LEDGER_DEFER_SESSION;
	free(kind);
	if (ledger_state_get(o->l, KEY_RETRY_AT, &found, &v, &o->down_why,
	    err) == -1) {
		o->state = OUTBOX_STOPPED;
		return -1;
	}
	o->down_until = found ? v : 0;
	if (o->failures > 0 && o->down_until > now) {
		o->state = OUTBOX_DOWN;
		if (o->down_why == NULL)
			o->down_why = xstrdup("delivery session failed");
	}
	return 0;
}

int
outbox_end(struct outbox *o, char **err)
{
	char *e = NULL;
	int rc = 0;

	/* The round's last outcome is durable before the round ends. */
	if (ledger_sync(o->l, &e) == -1) {
		rc = -1;
		if (err != NULL)
			*err = e;
		else {
			log_err("%s", e);
			free(e);
		}
	}
	deliver_free(o->dlv);
	o->dlv = NULL;
	free(o->dlv_err);
	o->dlv_err = NULL;
	free(o->down_why);
	o->down_why = NULL;
	free(o->stop_err);
	o->stop_err = NULL;
	return rc;
}

int
outbox_submit(struct outbox *o, const struct ledger_new *m, char **err)
{
	struct ledger_lease ls;
	struct outbox_row r;
	int64_t id;
	int rc;

	if (o->state == OUTBOX_STOPPED)
		return outbox_result(o, err);
	ls = outbox_lease(o);
	rc = ledger_queue(o->l, m, outbox_now(o), &ls, &id, err);
	if (rc == -1) {
		o->state = OUTBOX_STOPPED;
		return -1;
	}
	if (rc == 1)		/* another pass claimed it first */
		return 0;
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.client = m->client;
	r.occurrence = m->occurrence;
	r.to = m->to;
	r.message_id = m->message_id;
	r.due = m->due;
	r.bytes = m->bytes;
	r.len = m->len;
	r.leased = true;
	outbox_attempt(o, &r);
	return outbox_result(o, err);
}

int
outbox_retry(struct outbox *o, volatile sig_atomic_t *stop, char **err)
{
	struct ledger_entry *e = NULL;
	struct ledger_lease ls;
	size_t n = 0;

	if (o->state == OUTBOX_STOPPED)
		return outbox_result(o, err);
	ls = outbox_lease(o);
	if (ledger_claim_ready(o->l, outbox_now(o), &ls, &e, &n, err) == -1) {
		o->state = OUTBOX_STOPPED;
		return -1;
	}
	for (size_t i = 0; i < n && o->state != OUTBOX_STOPPED; i++) {
		struct outbox_row r;

		if (stop != NULL && *stop)
			break;
		if (e[i].status == ST_QUEUED)
			log_notice("resending %s to %s after an interrupted "
			    "pass (same Message-ID %s)", e[i].occurrence,
			    e[i].client, e[i].message_id);
		memset(&r, 0, sizeof(r));
		r.id = e[i].id;
		r.client = e[i].client;
		r.occurrence = e[i].occurrence;
		r.to = e[i].to;
		r.message_id = e[i].message_id;
		r.attempts = e[i].attempts;
		r.due = e[i].due;
		r.config_lost = e[i].config_lost;
		r.config_since = e[i].config_deferred ? e[i].updated : 0;
		r.bytes = e[i].bytes;
		r.len = e[i].len;
		outbox_attempt(o, &r);
	}
	/* Rows not reached keep their lease until it runs out, then the
	 * next round takes them. */
	ledger_entries_free(e, n);
	return outbox_result(o, err);
}

int
outbox_config_changed(struct outbox *o, int64_t now, char **err)
{
	size_t n;

	if (ledger_release_config(o->l, now, &n, err) == -1 ||
	    ledger_state_set(o->l, KEY_FAILURES, 0, NULL, err) == -1 ||
	    ledger_state_set(o->l, KEY_RETRY_AT, 0, NULL, err) == -1)
		return -1;
	if (n > 0)
		log_info("configuration changed: %zu message%s deferred for "
		    "a configuration problem %s due again", n, n == 1 ? "" :
		    "s", n == 1 ? "is" : "are");
	return 0;
}
