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
#include "pass.h"
#include "planner.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

/* How far ahead a pass plans to find the next due moment. */
#define PASS_HORIZON	(400 * (int64_t)DAY_SECONDS)
/* How much earlier than the send log's newest entry the clock may be
 * (a small step back by time synchronisation is no reason to stop). */
#define PASS_CLOCK_SLACK	300

struct pass {
	const struct config	*c;
	const struct settings	*s;
	struct ledger		*l;
	struct outbox		*ob;
	int64_t			 now;
	struct pass_result	*res;
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
	if (newest == HISTORY_NONE || now + PASS_CLOCK_SLACK >= newest)
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

static int
pass_due(struct pass *p, const struct history *h, const struct plan *plan,
    volatile sig_atomic_t *stop, char **err)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];
		int rc;

		if (stop != NULL && *stop)
			break;
		if (it->due > p->now) {
			if (it->action == PLAN_SEND && p->res->next_desc == NULL)
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

int
pass_run(const struct config *c, struct ledger *l, struct outbox *ob,
    int64_t now, volatile sig_atomic_t *stop, struct pass_result *res,
    char **err)
{
	struct pass p;
	struct history *h;
	struct plan plan = { NULL, 0 };
	struct planner_opts o;
	int64_t retry;
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

	h = history_new();
	if (pass_clock_sane(l, now, err) == -1 ||
	    outbox_begin(ob, c, now, &res->n, err) == -1 ||
	    ledger_load_history(l, h, err) == -1 ||
	    pass_mark_seen(&p, h, err) == -1)
		goto out;
	memset(&o, 0, sizeof(o));
	o.from = now;
	o.until = now + PASS_HORIZON;
	if (ledger_state_get(l, PLANNER_STATE_CARRIED, &found, &o.carried_until,
	    NULL, err) == -1 ||
	    planner_plan(p.s, c->book, h, &o, &plan, err) == -1 ||
	    pass_due(&p, h, &plan, stop, err) == -1 ||
	    ledger_next_retry(l, &retry, err) == -1)
		goto out;
	/* Everything due up to now has its record: the next pass looks
	 * back to here. */
	if ((stop == NULL || !*stop) && ledger_state_set(l,
	    PLANNER_STATE_CARRIED, now, NULL, err) == -1)
		goto out;
	if (retry != HISTORY_NONE && (res->next == HISTORY_NONE ||
	    retry < res->next)) {
		res->next = retry;
		free(res->next_desc);
		res->next_desc = xstrdup("next: a retry of a deferred "
		    "message");
	}
	rc = 0;
out:
	outbox_end(ob);
	plan_free(&plan);
	history_free(h);
	return rc;
}
