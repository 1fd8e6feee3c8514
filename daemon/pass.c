/*
 * pass.c - one delivery pass: plan, record, send, record.
 *
 * The order of writes is what makes the send log trustworthy: an
 * occurrence is committed `queued` (with its bytes and Message-ID) before
 * the SMTP transaction starts and moved to its outcome right after the
 * server's reply.  A crash in between leaves a `queued` row whose lease
 * runs out; the next pass sends those exact bytes again, so nothing due is
 * lost and only the message in flight can arrive twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compose.h"
#include "deliver.h"
#include "history.h"
#include "log.h"
#include "message.h"
#include "notify.h"
#include "pass.h"
#include "planner.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

/* How far ahead a pass plans to find the next due moment. */
#define PASS_HORIZON	(400 * (int64_t)DAY_SECONDS)

struct pass {
	const struct config	*c;
	const struct settings	*s;
	struct ledger		*l;
	int64_t			 now;
	struct pass_result	*res;
	struct deliverer	*dlv;
	char			*dlv_err;	/* why there is no deliverer */
	int64_t			 lease;
	int			 watchdog;	/* systemd expects pings */
	int			 db_trouble;	/* a due message not queued */
};

void
pass_result_clear(struct pass_result *r)
{
	free(r->next_desc);
	memset(r, 0, sizeof(*r));
	r->next = HISTORY_NONE;
}

/* A retry goes at a decent local hour too: an instant outside the
 * client's send window moves to the next window start. */
static int64_t
pass_in_window(const struct settings *s, const struct tz *z, int64_t t)
{
	int64_t day;
	int sec;

	tz_utc_to_local(z, t, &day, &sec);
	if (sec < s->window.start * 60)
		return tz_local_to_utc(z, day, s->window.start * 60);
	if (sec >= s->window.end * 60)
		return tz_local_to_utc(z, day + 1, s->window.start * 60);
	return t;
}

static const struct tz *
pass_client_tz(const struct pass *p, const char *client)
{
	const struct client *cl = book_client(p->c->book, client);

	return cl != NULL ? cl->tz : p->c->book->sender_tz;
}

static struct deliverer *
pass_deliverer(struct pass *p)
{
	if (p->dlv == NULL && p->dlv_err == NULL) {
		p->dlv = deliver_new(p->s, &p->dlv_err);
		if (p->dlv == NULL)
			log_err("delivery is not configured correctly: %s; "
			    "messages stay deferred until it is fixed",
			    p->dlv_err);
	}
	return p->dlv;
}

/*
 * Sends the bytes of ledger row id and records the outcome.  attempts is
 * the number of earlier attempts, due the row's due instant (the retry
 * schedule and give_up_after count from there).
 */
static void
pass_deliver(struct pass *p, int64_t id, const char *client,
    const char *occurrence, const char *to, int attempts, int64_t due,
    const unsigned char *bytes, size_t len)
{
	const struct settings *s = p->s;
	struct deliver_reply reply = { 0, NULL };
	enum deliver_result r;
	enum msg_status st;
	const char *rcpts[2];
	size_t nrcpts = 0;
	int64_t next = 0, at;
	char *reason = NULL, *err = NULL;
	struct deliverer *d;

	rcpts[nrcpts++] = to;
	if (s->bcc != NULL)
		rcpts[nrcpts++] = s->bcc;
	if ((d = pass_deliverer(p)) != NULL)
		r = deliver_send(d, s->sender_address, rcpts, nrcpts,
		    (const char *)bytes, len,
		    NULL /* TODO(integrator): row key */, &reply);
	else {
		r = DELIVER_CONFIG;
		reply.text = xstrdup(p->dlv_err);
	}
	at = time(NULL);
	if (at < p->now)	/* a pass "at" a later moment (tests, --once) */
		at = p->now;

	switch (r) {
	case DELIVER_OK:
		st = ST_SENT;
		p->res->sent++;
		log_info("sent %s to %s <%s>: %s", occurrence, client, to,
		    reply.text ? reply.text : "");
		break;
	case DELIVER_PERMFAIL:
		st = ST_FAILED;
		p->res->failed++;
		reason = xasprintf("refused by the server");
		log_err("failed %s to %s <%s>: %s (not retried)", occurrence,
		    client, to, reply.text ? reply.text : "");
		break;
	case DELIVER_TEMPFAIL:
	case DELIVER_CONFIG:
	default: {
		const struct duration *step;

		step = &s->retry[(size_t)attempts < s->nretry ?
		    (size_t)attempts : s->nretry - 1];
		next = pass_in_window(s, pass_client_tz(p, client),
		    timeutil_time_add(at, step));
		if (r == DELIVER_TEMPFAIL && next > due + s->give_up_after) {
			st = ST_FAILED;
			p->res->failed++;
			next = 0;
			reason = xasprintf("gave up after %d attempts",
			    attempts + 1);
			log_err("failed %s to %s <%s>: %s (%s)", occurrence,
			    client, to, reply.text ? reply.text : "", reason);
			break;
		}
		st = ST_DEFERRED;
		p->res->deferred++;
		if (r == DELIVER_CONFIG) {
			p->res->config_problems++;
			log_err("deferred %s to %s: delivery configuration "
			    "problem: %s", occurrence, client,
			    reply.text ? reply.text : "");
		} else
			log_warnx("deferred %s to %s <%s>: %s", occurrence,
			    client, to, reply.text ? reply.text : "");
		break;
	}
	}
	if (ledger_record_attempt(p->l, id, at, st, reply.code, reply.text,
	    next, reason, &err) == -1) {
		log_err("%s", err);
		free(err);
	}
	/* A long batch of slow transactions must not look like a hang. */
	if (p->watchdog)
		notify_watchdog();
	free(reason);
	deliver_reply_clear(&reply);
}

static void
pass_record(struct pass *p, const struct plan_item *it)
{
	enum msg_status st = it->action == PLAN_SKIP ? ST_SKIPPED : ST_MISSED;
	char *err = NULL;
	int r;

	r = ledger_record_outcome(p->l, it->client->id, it->occasion->name,
	    it->occurrence, it->due, it->utc_offset, st, it->note, p->now,
	    &err);
	if (r == -1) {
		log_err("%s", err);
		free(err);
		return;
	}
	if (r == 1)
		return;
	if (st == ST_SKIPPED)
		p->res->skipped++;
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
}

static void
pass_send_new(struct pass *p, const struct history *h,
    const struct plan_item *it)
{
	const struct settings *s = p->s;
	struct composed m = { 0 };
	struct ledger_new n;
	struct diag d;
	char *mid, *err = NULL;
	int64_t id;
	int r;

	diag_init(&d);
	mid = message_new_id(s->sender_domain);
	if (compose_message(s, p->c->templates, it,
	    history_client(h, it->client->id), mid, p->now, &m, &d) == -1) {
		char *why = d.n > 0 ? diag_format(&d, 0) :
		    xstrdup("cannot compose the message");

		/* Logged `failed` rather than retried: the same templates
		 * would fail the same way; the owner must fix them. */
		if (ledger_record_outcome(p->l, it->client->id,
		    it->occasion->name, it->occurrence, it->due,
		    it->utc_offset, ST_FAILED, why, p->now, &err) == -1) {
			log_err("%s", err);
			free(err);
		}
		log_err("failed %s for %s: %s", it->occurrence,
		    it->client->id, why);
		p->res->failed++;
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
	r = ledger_queue(p->l, &n, p->now, p->lease, &id, &err);
	if (r == -1) {
		log_err("%s; %s for %s not sent, tried again shortly", err,
		    it->occurrence, it->client->id);
		free(err);
		p->db_trouble = 1;
		goto out;
	}
	if (r == 1)		/* another pass claimed it first */
		goto out;
	pass_deliver(p, id, it->client->id, it->occurrence, it->client->email,
	    0, it->due, (const unsigned char *)m.bytes, m.len);
out:
	composed_free(&m);
	free(mid);
	diag_free(&d);
}

static void
pass_retry(struct pass *p, volatile sig_atomic_t *stop)
{
	struct ledger_entry *e = NULL;
	size_t n = 0;
	char *err = NULL;

	if (ledger_claim_ready(p->l, p->now, p->lease, &e, &n, &err) == -1) {
		log_err("%s", err);
		free(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (stop != NULL && *stop)
			break;
		if (e[i].status == ST_QUEUED)
			log_notice("resending %s to %s after an interrupted "
			    "pass (same Message-ID %s)", e[i].occurrence,
			    e[i].client, e[i].message_id);
		pass_deliver(p, e[i].id, e[i].client, e[i].occurrence,
		    e[i].to, e[i].attempts, e[i].due, e[i].bytes, e[i].len);
	}
	/* Rows not reached keep their lease until it runs out, then the
	 * next pass takes them. */
	ledger_entries_free(e, n);
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
	p->res->next_desc = xasprintf("next: %s for %s at %s %02d:%02d %s",
	    it->occasion->name, it->client->id, day, sec / 3600,
	    sec / 60 % 60, abbr);
}

int
pass_run(const struct config *c, struct ledger *l, int64_t now,
    volatile sig_atomic_t *stop, struct pass_result *res, char **err)
{
	struct pass p;
	struct history *h;
	struct plan plan = { NULL, 0 };
	struct planner_opts o;
	const char **unseen;
	size_t nunseen = 0;
	int64_t retry;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->next = HISTORY_NONE;
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.s = c->settings;
	p.l = l;
	p.now = now;
	p.res = res;
	p.watchdog = notify_watchdog_interval() > 0;
	/* A lease long enough for a whole batch of slow transactions. */
	p.lease = now + 3600 + 4 * p.s->timeout;

	h = history_new();
	if (ledger_load_history(l, h, err) == -1)
		goto out;
	unseen = xcalloc(c->book->nclients, sizeof(*unseen));
	for (size_t i = 0; i < c->book->nclients; i++) {
		const struct history_client *hc;

		hc = history_client(h, c->book->clients[i].id);
		if (hc == NULL || hc->first_seen == HISTORY_NONE) {
			unseen[nunseen++] = c->book->clients[i].id;
			history_set_first_seen(h, c->book->clients[i].id, now);
		}
	}
	if (nunseen > 0 && ledger_mark_seen(l, unseen, nunseen, now,
	    err) == -1) {
		free(unseen);
		goto out;
	}
	free(unseen);

	memset(&o, 0, sizeof(o));
	o.from = now;
	o.until = now + PASS_HORIZON;
	if (planner_plan(p.s, c->book, h, &o, &plan, err) == -1)
		goto out;

	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_item *it = &plan.items[i];

		if (stop != NULL && *stop)
			break;
		if (it->due > now) {
			if (it->action == PLAN_SEND && res->next_desc == NULL)
				pass_describe_next(&p, it);
			continue;
		}
		if (it->action == PLAN_SEND)
			pass_send_new(&p, h, it);
		else
			pass_record(&p, it);
	}
	if (stop == NULL || !*stop)
		pass_retry(&p, stop);

	if (ledger_next_retry(l, &retry, err) == -1)
		goto out;
	/* A message due now that the send log would not take (busy, full
	 * disk) must not wait for the next planned one. */
	if (p.db_trouble && (retry == HISTORY_NONE || retry > now + 60)) {
		retry = now + 60;
		p.db_trouble = 2;
	}
	if (retry != HISTORY_NONE && (res->next == HISTORY_NONE ||
	    retry < res->next)) {
		res->next = retry;
		free(res->next_desc);
		res->next_desc = xstrdup(p.db_trouble == 2 ?
		    "next: another try after a send log error" :
		    "next: a retry of a deferred message");
	}
	rc = 0;
out:
	plan_free(&plan);
	history_free(h);
	deliver_free(p.dlv);
	free(p.dlv_err);
	return rc;
}
