/*
 * overview.c - the report's and the digest's numbers, from plain memory.
 */
#include <stdlib.h>
#include <string.h>

#include "overview.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define OV_YEAR_DAYS	365
#define OV_WEEKS	13

static int64_t
ov_day(const struct tz *z, int64_t t)
{
	int64_t day;
	int sec;

	tz_utc_to_local(z, t, &day, &sec);
	return day;
}

static const struct report *ov_sort_r;

/* Quietest first: no contact at all, then the oldest; ties by id. */
static int
ov_quiet_cmp(const void *a, const void *b)
{
	const struct report_client *x = &ov_sort_r->clients[*(const size_t *)a];
	const struct report_client *y = &ov_sort_r->clients[*(const size_t *)b];

	if (x->last_contact != y->last_contact)
		return x->last_contact < y->last_contact ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void
ov_msg(const struct overview_in *in, const struct plan_item *it,
    struct report_msg *m)
{
	const struct tz *z = in->b->sender_tz;
	int64_t day;
	int sec;

	tz_utc_to_local(z, it->due, &day, &sec);
	m->day = day;
	m->minute = sec / 60;
	m->client = it->client->id;
	m->name = it->client->name != NULL ? it->client->name :
	    it->client->id;
	m->occasion = it->occasion->name;
	m->occurrence = it->occurrence;
	m->say = it->say;
	owner_id(it->client->id, it->occurrence, m->id);
}

static void
ov_clients(const struct overview_in *in, struct report *r)
{
	const struct book *b = in->b;

	r->clients = xcalloc(b->nclients ? b->nclients : 1,
	    sizeof(*r->clients));
	r->nclients_rows = b->nclients;
	r->quiet = xcalloc(b->nclients ? b->nclients : 1, sizeof(*r->quiet));
	for (size_t i = 0; i < b->nclients; i++) {
		const struct client *c = &b->clients[i];
		const struct tz *z = c->tz != NULL ? c->tz : b->sender_tz;
		const struct history_client *hc = history_client(in->h, c->id);
		struct report_client *rc = &r->clients[i];
		int64_t d, optout;

		rc->id = c->id;
		rc->name = c->name != NULL ? c->name : c->id;
		rc->last_contact = rc->last_message = rc->next_planned =
		    HISTORY_NONE;
		rc->source = REPORT_SRC_NONE;
		if (c->has_last_contact) {
			rc->last_contact = timeutil_days_from_civil(
			    c->last_contact.year, c->last_contact.month,
			    c->last_contact.day);
			rc->source = REPORT_SRC_BOOK;
		}
		if (hc != NULL && hc->last_touch != HISTORY_NONE &&
		    (d = ov_day(z, hc->last_touch)) > rc->last_contact) {
			rc->last_contact = d;
			rc->source = REPORT_SRC_TOUCH;
		}
		if (hc != NULL) {
			for (size_t k = 0; k < hc->nrecords; k++) {
				const struct history_record *hr =
				    &hc->records[k];

				if (hr->status != ST_SENT ||
				    hr->sent == HISTORY_NONE)
					continue;
				d = ov_day(z, hr->sent);
				if (rc->last_message == HISTORY_NONE ||
				    d >= rc->last_message) {
					rc->last_message = d;
					rc->last_occasion = hr->occasion;
				}
				if (hr->sent >= in->now - OV_YEAR_DAYS *
				    (int64_t)DAY_SECONDS)
					rc->messages_12m++;
			}
		}
		optout = history_optout(in->h, hc, c->email);
		rc->opted_out = optout != HISTORY_NONE && optout <= in->now;
		if (rc->last_message != HISTORY_NONE &&
		    rc->last_message >= rc->last_contact) {
			rc->last_contact = rc->last_message;
			rc->source = REPORT_SRC_MESSAGE;
		}
		if (rc->last_contact == HISTORY_NONE && hc != NULL &&
		    hc->first_seen != HISTORY_NONE)
			rc->last_contact = ov_day(z, hc->first_seen);
		d = ov_day(z, in->now);
		rc->paused = c->paused || (c->has_paused_until &&
		    timeutil_days_from_civil(c->paused_until.year,
		    c->paused_until.month, c->paused_until.day) >= d);
		if (in->say != NULL)
			for (size_t k = 0; k < in->say->n; k++)
				if (in->say->v[k].held != HISTORY_NONE &&
				    strcmp(in->say->v[k].client, c->id) == 0)
					rc->held = true;
		r->quiet[i] = i;
	}
	r->nquiet = b->nclients;
	ov_sort_r = r;
	if (r->nquiet > 1)
		qsort(r->quiet, r->nquiet, sizeof(*r->quiet), ov_quiet_cmp);
	ov_sort_r = NULL;
}

static void
ov_plan(const struct overview_in *in, struct report *r)
{
	const struct tz *z = in->b->sender_tz;
	const struct plan *p = in->plan;
	int64_t strip_end = r->from_day + r->days;

	r->msgs = xcalloc(p->n ? p->n : 1, sizeof(*r->msgs));
	r->waiting = xcalloc(p->n ? p->n : 1, sizeof(*r->waiting));
	r->year_first = r->today;
	r->nyear = OV_YEAR_DAYS;
	r->per_day = xcalloc(r->nyear, sizeof(*r->per_day));
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];
		int64_t day = ov_day(z, it->due);
		struct report_client *rc;

		if (it->action != PLAN_SEND)
			continue;
		if (day >= r->year_first &&
		    day < r->year_first + (int64_t)r->nyear)
			r->per_day[day - r->year_first]++;
		if (it->due >= in->now && it->due < in->now + 30 * DAY_SECONDS) {
			r->next30++;
			if (it->say == PLAN_SAY_AWAITING)
				ov_msg(in, it, &r->waiting[r->nwaiting++]);
		}
		if (it->due >= in->from && day < strip_end)
			ov_msg(in, it, &r->msgs[r->nmsgs++]);
		/* Plan items point into the book's client array. */
		rc = &r->clients[it->client - in->b->clients];
		if (rc->next_planned == HISTORY_NONE) {
			rc->next_planned = day;
			rc->next_occasion = it->occasion->name;
		}
	}
	r->awaiting = r->nwaiting;
}

static int
ov_outcome(enum msg_status st)
{
	switch (st) {
	case ST_SENT:
		return REPORT_SENT;
	case ST_DEFERRED:
		return REPORT_DEFERRED;
	case ST_FAILED:
		return REPORT_FAILED;
	case ST_SKIPPED:
		return REPORT_SKIPPED;
	case ST_MISSED:
		return REPORT_MISSED;
	default:
		return -1;
	}
}

static void
ov_log(const struct overview_in *in, struct report *r)
{
	const struct tz *z = in->b->sender_tz;
	int64_t monday = r->today - timeutil_weekday(r->today);
	int64_t first = monday - 7 * (OV_WEEKS - 1);

	r->nweeks = OV_WEEKS;
	r->weeks = xcalloc(r->nweeks, sizeof(*r->weeks));
	for (size_t i = 0; i < r->nweeks; i++)
		r->weeks[i].day = first + 7 * (int64_t)i;
	for (size_t i = 0; i < in->nlog; i++) {
		const struct ledger_entry *e = &in->log[i];
		int o = ov_outcome(e->status);
		int64_t day;

		if (strcmp(e->client, OWNER_CLIENT) == 0 || o == -1)
			continue;
		if (e->status == ST_DEFERRED)
			r->deferred++;
		if (e->status == ST_FAILED &&
		    e->updated >= in->now - 90 * DAY_SECONDS)
			r->failed++;
		day = ov_day(z, e->updated);
		if (day >= first && day < monday + 7 &&
		    e->updated >= in->now - 90 * DAY_SECONDS)
			r->weeks[(day - first) / 7].n[o]++;
		if (e->updated >= in->last_from && e->updated < in->last_until)
			r->last[o]++;
	}
}

void
overview_build(const struct overview_in *in, struct report *r)
{
	const struct tz *z = in->b->sender_tz;
	int64_t day;
	int sec;

	memset(r, 0, sizeof(*r));
	r->lang = in->s->language;
	r->sender_name = in->s->sender_name;
	r->daily_limit = in->s->daily_limit;
	r->approval_required = in->s->approval_required;
	tz_utc_to_local(z, in->now, &day, &sec);
	r->today = day;
	{
		char d[11];

		timeutil_format_date(day, d);
		snprintf(r->now_text, sizeof(r->now_text), "%s %02u:%02u", d,
		    (unsigned)sec / 3600 % 24, (unsigned)sec / 60 % 60);
	}
	r->nclients = in->b->nclients;
	r->from_day = ov_day(z, in->from);
	r->days = in->days;
	ov_clients(in, r);
	ov_plan(in, r);
	ov_log(in, r);
}
