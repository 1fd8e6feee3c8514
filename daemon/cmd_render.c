/*
 * cmd_render.c - `touchbase render CLIENT OCCASION [--date DATE]`: the
 * exact message that would be sent, on stdout, without sending it.
 *
 * The occurrence comes from the planner, run for that one client from
 * now with the send log as it is (the plan `preview` shows and the
 * daemon carries out): the occurrence the plan has on DATE, in the
 * client's zone, with its variant, belated template and due moment.  A
 * DATE before today is planned as if the daemon started at DATE 00:00,
 * then from RENDER_LOOKBACK days before (what it would have sent then).
 * When the plan has the occasion on other days, a note on stderr names
 * them, and the message is rendered as if the occasion were due on DATE
 * at the start of the send window: birthday and yearly ages counted to
 * DATE's year, after_project with the client's latest-ended project.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "book.h"
#include "cmd.h"
#include "compose.h"
#include "config.h"
#include "diag.h"
#include "history.h"
#include "ledger.h"
#include "message.h"
#include "planner.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define RENDER_LOOKBACK	62	/* days */
#define RENDER_AHEAD	400	/* days the note looks for other days */
#define RENDER_USAGE "usage: touchbase [-c FILE] render CLIENT OCCASION " \
	"[--date YYYY-MM-DD[THH:MM]]\n"

/* Prints the ids that look like id: a likely typo, a shared start, or
 * one containing the other. */
static void
render_no_client(const struct book *b, const char *id)
{
	const char **ids = xcalloc(b->nclients + 1, sizeof(*ids)), *sug;
	size_t n = 0, shown = 0, idl = strlen(id);

	for (size_t i = 0; i < b->nclients; i++)
		ids[i] = b->clients[i].id;
	sug = diag_suggest(id, ids);
	fprintf(stderr, "touchbase render: no client '%s' in %s", id, b->path);
	for (size_t i = 0; i < b->nclients && shown < 5; i++) {
		const char *c = ids[i];
		size_t pre = idl < 3 ? idl : 3;

		if (c == sug || strncmp(c, id, pre) == 0 ||
		    strstr(c, id) != NULL || strstr(id, c) != NULL) {
			fprintf(stderr, "%s'%s'", n++ ? ", " : "; close: ", c);
			shown++;
		}
	}
	if (n == 0)
		fprintf(stderr, " (%zu clients; `touchbase preview` lists "
		    "them)", b->nclients);
	fputc('\n', stderr);
	free(ids);
}

static void
render_list_occasions(const struct book *b, const struct client *c)
{
	for (size_t k = 0; k < c->noccasions; k++)
		fprintf(stderr, "%s%s", k ? ", " : "",
		    b->occasions[c->occasions[k]].name);
	if (c->noccasions == 0)
		fprintf(stderr, "none");
	fputc('\n', stderr);
}

static int
render_load_history(const struct settings *s, struct history *h,
    int64_t *carried)
{
	struct ledger *l = NULL;
	char *err = NULL;
	bool found;

	if (access(s->database, R_OK) != 0)
		return 0;	/* the daemon has not run yet */
	if (ledger_open(s->database, LEDGER_READONLY, &l, &err) == -1 ||
	    ledger_load_history(l, h, &err) == -1 ||
	    ledger_state_get(l, PLANNER_STATE_CARRIED, &found, carried, NULL,
	    &err) == -1) {
		fprintf(stderr, "touchbase render: %s\n", err);
		free(err);
		if (l != NULL)
			ledger_close(l);
		return -1;
	}
	ledger_close(l);
	return 0;
}

/*
 * Plans [from, day_end) for the client and returns the item of the
 * occasion due in [day_start, day_end), preferring one that is sent, or
 * NULL.  The plan is kept in *plan (freed first).  *failed is set when
 * the planner fails.
 */
static struct plan_item *
render_plan(const struct config *c, const struct client *cl,
    const struct occasion *oc, const struct history *h, int64_t from,
    int64_t day_start, int64_t day_end, struct plan *plan, bool *failed)
{
	struct plan_item *item;
	char *err = NULL;

	item = cmd_render_find(c->settings, c->book, h, cl, oc, from, 0,
	    day_start, day_end, plan, &err);
	if (err != NULL) {
		fprintf(stderr, "touchbase render: %s\n", err);
		free(err);
		*failed = true;
	}
	return item;
}

struct plan_item *
cmd_render_find(const struct settings *s, const struct book *b,
    const struct history *h, const struct client *cl,
    const struct occasion *oc, int64_t from, int64_t carried,
    int64_t day_start, int64_t day_end, struct plan *plan, char **err)
{
	struct planner_opts po;
	struct plan_item *item = NULL;

	plan_free(plan);
	memset(&po, 0, sizeof(po));
	po.from = from;
	po.until = day_end + CMD_PLAN_MARGIN * (int64_t)DAY_SECONDS;
	po.only_client = cl->id;
	po.carried_until = carried;
	if (planner_plan_near(s, b, h, &po, day_end, plan, err) == -1)
		return NULL;
	for (size_t i = 0; i < plan->n; i++) {
		struct plan_item *it = &plan->items[i];

		if (it->client != cl || it->occasion != oc ||
		    it->due < day_start || it->due >= day_end)
			continue;
		if (item == NULL || (item->action != PLAN_SEND &&
		    it->action == PLAN_SEND))
			item = it;
	}
	return item;
}

/* The occurrence as if due on day: see the comment at the top. */
static void
render_synthesise(const struct settings *s, const struct client *c,
    const struct occasion *o, int64_t day, struct plan_item *it)
{
	struct civil_date cd, since = { 0, 0, 0 };
	char date[11];
	bool dated = false;

	timeutil_civil_from_days(day, &cd);
	timeutil_format_date(day, date);
	memset(it, 0, sizeof(*it));
	it->action = PLAN_SEND;
	it->due = tz_local_to_utc(c->tz, day, (c->cal != NULL ?
	    c->cal->window.start : s->window.start) * 60);
	it->utc_offset = tz_offset_at(c->tz, it->due, NULL);
	it->nominal = it->due;
	it->client = c;
	it->occasion = o;
	it->occurrence = xasprintf("%s/%s", o->name, date);
	it->template = xstrdup(o->template);
	it->note = xstrdup("");
	if (o->kind == OCC_BIRTHDAY ||
	    (o->kind == OCC_YEARLY && o->field != NULL &&
	    strcmp(o->field, "birthday") == 0)) {
		since = c->birthday;
		dated = c->has_birthday && c->birthday.year != 0;
	} else if (o->kind == OCC_YEARLY && o->field != NULL &&
	    strcmp(o->field, "client_since") == 0) {
		since = c->client_since;
		dated = c->has_client_since;
	} else if (o->kind == OCC_YEARLY && o->field != NULL) {
		const char *v = book_field(c, o->field);

		dated = v != NULL && timeutil_parse_date(v, &since, NULL) == 0;
	}
	if (dated) {
		it->has_years = true;
		it->years = it->age = cd.year - since.year;
	}
	if (o->kind == OCC_AFTER_PROJECT)
		for (size_t i = 0; i < c->nprojects; i++) {
			const struct project *p = &c->projects[i];

			if (it->project == NULL ||
			    timeutil_days_from_civil(p->ended.year,
			    p->ended.month, p->ended.day) >=
			    timeutil_days_from_civil(since.year, since.month,
			    since.day)) {
				it->project = p->name;
				since = p->ended;
			}
		}
}

/* The occasion name of the client, or NULL after saying which it has. */
static const struct occasion *
render_find_occasion(const struct book *b, const struct client *cl,
    const char *name)
{
	const struct occasion *oc = book_occasion(b, name);

	if (oc != NULL && book_client_has(cl, (size_t)(oc - b->occasions)))
		return oc;
	if (oc == NULL)
		fprintf(stderr, "touchbase render: no occasion '%s' in %s; ",
		    name, b->path);
	else
		fprintf(stderr, "touchbase render: client '%s' does not "
		    "receive '%s'; ", cl->id, oc->name);
	fprintf(stderr, "the occasions of '%s' are: ", cl->id);
	render_list_occasions(b, cl);
	return NULL;
}

/* Ends the note on stderr with the days the plan (from now) has for the
 * occasion, so the owner can ask for one of them. */
static void
render_other_days(const struct config *c, const struct history *h,
    const struct client *cl, const struct occasion *oc, int64_t now,
    int64_t carried)
{
	struct planner_opts po;
	struct plan plan = { NULL, 0 };
	char *err = NULL, d[11];
	int64_t day;
	int sec, shown = 0;

	memset(&po, 0, sizeof(po));
	po.from = now;
	po.until = now + RENDER_AHEAD * (int64_t)DAY_SECONDS;
	po.only_client = cl->id;
	po.carried_until = carried;
	if (planner_plan(c->settings, c->book, h, &po, &plan, &err) == -1) {
		free(err);
		fputc('\n', stderr);
		return;
	}
	for (size_t i = 0; i < plan.n && shown < 5; i++) {
		const struct plan_item *it = &plan.items[i];

		if (it->occasion != oc || it->action != PLAN_SEND)
			continue;
		tz_utc_to_local(cl->tz, it->due, &day, &sec);
		timeutil_format_date(day, d);
		fprintf(stderr, "%s%s", shown++ ? ", " : " (the plan has it on ",
		    d);
	}
	fprintf(stderr, "%s\n", shown ? ")" : " (the plan has none in the "
	    "next 400 days)");
	plan_free(&plan);
}

/* The day to render for: --date, else today in the client's zone. */
static int
render_day(const struct client *cl, const char *date_opt, int64_t *day)
{
	char *err = NULL;
	int sec;

	if (date_opt == NULL) {
		tz_utc_to_local(cl->tz, time(NULL), day, &sec);
		return 0;
	}
	/* A time of day is allowed; the plan's occurrence of that day is
	 * what is rendered. */
	if (timeutil_parse_datetime(date_opt, day, &sec, &err) == -1) {
		fprintf(stderr, "touchbase render: --date: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

int
cmd_render(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *date_opt = NULL;
	struct config *c = NULL;
	struct history *h = NULL;
	struct plan plan = { NULL, 0 };
	struct plan_item own, *item = NULL;
	struct composed msg = { NULL, 0, NULL, NULL };
	const struct client *cl;
	const struct occasion *oc;
	struct diag d;
	char *id = NULL, *err = NULL, day_s[11];
	int64_t day, day_start, day_end, now = time(NULL), carried = 0;
	int ch, rc = 1;
	bool failed = false;

	memset(&own, 0, sizeof(own));
	diag_init(&d);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			date_opt = optarg;
			break;
		case 'h':
			printf(RENDER_USAGE);
			return 0;
		default:
			fprintf(stderr, RENDER_USAGE);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, RENDER_USAGE);
		return 2;
	}
	if (config_load(config, &c, &d) == -1) {
		diag_print(&d, stderr);
		fprintf(stderr, "touchbase render: %s has errors; `touchbase "
		    "check` lists them\n", config);
		goto out;
	}
	if ((cl = book_client(c->book, argv[optind])) == NULL) {
		render_no_client(c->book, argv[optind]);
		goto out;
	}
	if ((oc = render_find_occasion(c->book, cl, argv[optind + 1])) == NULL)
		goto out;
	if (render_day(cl, date_opt, &day) == -1) {
		rc = 2;
		goto out;
	}
	timeutil_format_date(day, day_s);

	h = history_new();
	if (render_load_history(c->settings, h, &carried) == -1)
		goto out;
	day_start = tz_local_to_utc(cl->tz, day, 0);
	day_end = tz_local_to_utc(cl->tz, day + 1, 0);
	if (day_end > now) {
		item = cmd_render_find(c->settings, c->book, h, cl, oc, now,
		    carried, day_start, day_end, &plan, &err);
		failed = err != NULL;
		if (failed)
			fprintf(stderr, "touchbase render: %s\n", err);
		free(err);
		err = NULL;
	} else {
		item = render_plan(c, cl, oc, h, day_start, day_start, day_end,
		    &plan, &failed);
		if (item == NULL && !failed)
			item = render_plan(c, cl, oc, h, tz_local_to_utc(cl->tz,
			    day - RENDER_LOOKBACK, 0), day_start, day_end,
			    &plan, &failed);
	}
	if (failed)
		goto out;
	if (item == NULL) {
		render_synthesise(c->settings, cl, oc, day, &own);
		item = &own;
		fprintf(stderr, "touchbase render: note: the plan has no %s for "
		    "%s on %s; rendered as if it were due then", oc->name,
		    cl->id, day_s);
		render_other_days(c, h, cl, oc, now, carried);
	} else if (item->action != PLAN_SEND)
		fprintf(stderr, "touchbase render: note: on %s this message "
		    "would be %s: %s\n", day_s, item->action == PLAN_SKIP ?
		    "skipped" : "missed", item->note);

	id = message_new_id(c->settings->sender_domain);
	if (compose_message(c->settings, c->templates, item,
	    history_client(h, cl->id), id, item->due, &msg, &d) == -1) {
		diag_print(&d, stderr);
		goto out;
	}
	if (fwrite(msg.bytes, 1, msg.len, stdout) != msg.len ||
	    fflush(stdout) == EOF) {
		perror("touchbase render: stdout");
		goto out;
	}
	rc = 0;
out:
	composed_free(&msg);
	free(own.occurrence);
	free(own.template);
	free(own.note);
	plan_free(&plan);
	history_free(h);
	config_free(c);
	diag_free(&d);
	free(id);
	return rc;
}
