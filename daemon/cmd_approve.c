/*
 * cmd_approve.c - `touchbase approve`, `hold` and `release`: the owner's
 * say before a message goes, stored in the database (owner.h).
 *
 * They read touchbase.ini and clients.conf, not the templates.  approve
 * by ID or --until plans from now as the daemon does, so the ids are
 * those `touchbase preview` shows.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "book.h"
#include "cmd.h"
#include "diag.h"
#include "history.h"
#include "ledger.h"
#include "owner.h"
#include "planner.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "utf8.h"
#include "xalloc.h"

#define APPROVE_USAGE "usage: touchbase [-c FILE] approve (ID | CLIENT " \
	"OCCURRENCE | --until DATE)\n"
#define HOLD_USAGE "usage: touchbase [-c FILE] hold CLIENT OCCURRENCE " \
	"[--note TEXT]\n"
#define RELEASE_USAGE "usage: touchbase [-c FILE] release CLIENT OCCURRENCE\n"
#define APPROVE_HORIZON	(400 * (int64_t)DAY_SECONDS)
#define NOTE_MAX	1000

struct say_env {
	struct settings	*s;
	struct book	*b;
	struct ledger	*l;
	struct history	*h;
	struct owner	 say;
	struct plan	 plan;
};

static void
env_free(struct say_env *e)
{
	plan_free(&e->plan);
	owner_free(&e->say);
	history_free(e->h);
	ledger_close(e->l);
	book_free(e->b);
	settings_free(e->s);
}

static int
env_load(const char *config, const char *cmd, struct say_env *e)
{
	struct diag d;
	char *err = NULL;

	memset(e, 0, sizeof(*e));
	owner_init(&e->say);
	diag_init(&d);
	if (settings_load(config, &e->s, &d) == -1 ||
	    book_load(e->s->clients, e->s, &e->b, &d) == -1) {
		diag_print(&d, stderr);
		diag_free(&d);
		return -1;
	}
	diag_free(&d);
	if (ledger_open(e->s->database, LEDGER_READWRITE, &e->l, &err) == -1) {
		fprintf(stderr, "touchbase %s: %s\n", cmd, err);
		free(err);
		return -1;
	}
	return 0;
}

/* The plan from now to until, as the daemon sees it. */
static int
env_plan(struct say_env *e, const char *cmd, int64_t now, int64_t until)
{
	struct planner_opts o;
	char *err = NULL;

	e->h = history_new();
	memset(&o, 0, sizeof(o));
	o.from = now;
	o.until = until;
	o.say = &e->say;
	if (ledger_load_history(e->l, e->h, &err) == -1 ||
	    ledger_load_owner(e->l, &e->say, &err) == -1 ||
	    planner_plan(e->s, e->b, e->h, &o, &e->plan, &err) == -1) {
		fprintf(stderr, "touchbase %s: %s\n", cmd, err);
		free(err);
		return -1;
	}
	return 0;
}

/* Refuses an occurrence the send log holds already (it can no longer be
 * approved or held): 0 when it is still to come, else 1 after saying
 * why.  *logged: whether the send log has it (queued or deferred). */
static int
still_to_come(struct say_env *e, const char *cmd, const char *client,
    const char *occurrence, bool *logged)
{
	struct ledger_entry le;
	bool found;
	char *err = NULL, when[17];
	int rc = 0;

	if (ledger_find_occurrence(e->l, client, occurrence, &le, &found,
	    &err) == -1) {
		fprintf(stderr, "touchbase %s: %s\n", cmd, err);
		free(err);
		return 1;
	}
	*logged = found;
	if (!found)
		return 0;
	cmd_format_minute(e->b->sender_tz, le.updated, when);
	if (le.status == ST_SENT) {
		fprintf(stderr, "touchbase %s: %s for %s was already sent on "
		    "%s (send log id %lld); only a message still to come can "
		    "be %s\n", cmd, occurrence, client, when, (long long)le.id,
		    strcmp(cmd, "hold") == 0 ? "held" : "approved");
		rc = 1;
	} else if (le.status == ST_SKIPPED || le.status == ST_MISSED ||
	    le.status == ST_FAILED) {
		fprintf(stderr, "touchbase %s: %s for %s is already logged %s "
		    "(%s, send log id %lld); it will not go\n", cmd,
		    occurrence, client, history_status_name(le.status), when,
		    (long long)le.id);
		rc = 1;
	}
	ledger_entry_clear(&le);
	return rc;
}

/* An occurrence the owner names by hand must be one the plan of the next
 * APPROVE_HORIZON has for the client (or the send log has, still to
 * go): a typo ("birthday/2072", an occasion she does not have) would be
 * recorded and then wait for nothing, while the real message goes (a
 * hold) or is skipped (an approval).  0, or 1 after naming what the
 * plan has. */
static int
planned(struct say_env *e, const char *cmd, const struct client *c,
    const char *occurrence, int64_t now)
{
	size_t shown = 0;

	if (env_plan(e, cmd, now, now + APPROVE_HORIZON) == -1)
		return 1;
	for (size_t i = 0; i < e->plan.n; i++)
		if (e->plan.items[i].client == c &&
		    strcmp(e->plan.items[i].occurrence, occurrence) == 0)
			return 0;
	fprintf(stderr, "touchbase %s: nothing is planned for %s as '%s' in "
	    "the next %lld days", cmd, c->id, occurrence,
	    (long long)(APPROVE_HORIZON / DAY_SECONDS));
	for (size_t i = 0; i < e->plan.n && shown < 5; i++) {
		const struct plan_item *it = &e->plan.items[i];
		char day[11];

		if (it->client != c || it->action != PLAN_SEND)
			continue;
		timeutil_format_date(timeutil_day_of(it->due +
		    tz_offset_at(e->b->sender_tz, it->due, NULL)), day);
		fprintf(stderr, "%s '%s' on %s", shown == 0 ? "; planned:" :
		    ",", it->occurrence, day);
		shown++;
	}
	fprintf(stderr, "%s\n", shown == 0 ? "; nothing is planned for this "
	    "client" : "; 'touchbase preview' shows the plan");
	return 1;
}

static int
approve_one(struct say_env *e, const char *client, const char *occurrence,
    int64_t now)
{
	char *err = NULL, id[9];
	int changes;

	if (ledger_approve(e->l, client, occurrence, now, &changes,
	    &err) == -1) {
		fprintf(stderr, "touchbase approve: %s\n", err);
		free(err);
		return 1;
	}
	owner_id(client, occurrence, id);
	printf("%s %s %s%s\n", id, client, occurrence, changes == 0 ?
	    ": approved already" : ": approved");
	return 0;
}

int
cmd_approve(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "until", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *until_s = NULL;
	struct say_env e;
	int64_t now = time(NULL), day, until;
	long long u;
	size_t n = 0;
	int ch, sec, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			until_s = optarg;
			break;
		case 'h':
			printf(APPROVE_USAGE "With [owner] approval = required "
			    "a planned message goes only once approved:\n"
			    "by the id `touchbase preview` shows, by client "
			    "and occurrence, or everything\n"
			    "planned up to and including DATE.\n");
			return 0;
		default:
			fprintf(stderr, APPROVE_USAGE);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if ((until_s != NULL) == (argc != 0) || argc > 2) {
		fprintf(stderr, APPROVE_USAGE);
		return 2;
	}
	if (env_load(config, "approve", &e) == -1)
		goto out;
	if (argc == 2) {
		const struct client *c;
		bool logged;

		if ((c = cmd_find_client(e.b, "approve", argv[0])) == NULL ||
		    still_to_come(&e, "approve", argv[0], argv[1],
		    &logged) != 0 ||
		    (!logged && planned(&e, "approve", c, argv[1], now) != 0))
			goto out;
		rc = approve_one(&e, argv[0], argv[1], now);
		goto out;
	}
	until = now + APPROVE_HORIZON;
	if (until_s != NULL) {
		if (cmd_parse_when("--until", until_s, e.b->sender_tz,
		    &u) == -1) {
			rc = 2;
			goto out;
		}
		/* A date means all of that day. */
		tz_utc_to_local(e.b->sender_tz, (int64_t)u, &day, &sec);
		until = tz_local_to_utc(e.b->sender_tz, day + 1, 0);
	}
	if (env_plan(&e, "approve", now, until) == -1)
		goto out;
	for (size_t i = 0; i < e.plan.n; i++) {
		const struct plan_item *it = &e.plan.items[i];
		char id[9];

		if (it->action != PLAN_SEND || it->due >= until)
			continue;
		owner_id(it->client->id, it->occurrence, id);
		if (argc == 1 && strcmp(id, argv[0]) != 0)
			continue;
		if (approve_one(&e, it->client->id, it->occurrence, now) != 0)
			goto out;
		n++;
	}
	if (argc == 1 && n == 0) {
		fprintf(stderr, "touchbase approve: no planned message has the "
		    "id '%s'; 'touchbase preview --days 400' shows the ids\n",
		    argv[0]);
		goto out;
	}
	if (argc == 0 && n == 0)
		printf("nothing planned up to %s\n", until_s);
	rc = cmd_flush_stdout("approve");
out:
	env_free(&e);
	return rc;
}

int
cmd_hold(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *note = NULL;
	const struct client *c;
	struct say_env e;
	char *err = NULL, id[9];
	bool logged;
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			note = optarg;
			break;
		case 'h':
			printf(HOLD_USAGE "Stops one planned message, whatever "
			    "[owner] approval says: it is logged\n"
			    "skipped (\"held by the owner: NOTE\") when its "
			    "moment comes.  'touchbase release'\n"
			    "takes the hold back.\n");
			return 0;
		default:
			fprintf(stderr, HOLD_USAGE);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, HOLD_USAGE);
		return 2;
	}
	if (note != NULL && (strlen(note) > NOTE_MAX ||
	    !utf8_valid(note, strlen(note)) || strpbrk(note, "\r\n") != NULL)) {
		fprintf(stderr, "touchbase hold: --note must be one line of "
		    "UTF-8 text of at most %d bytes\n", NOTE_MAX);
		return 2;
	}
	if (env_load(config, "hold", &e) == -1 ||
	    (c = cmd_find_client(e.b, "hold", argv[optind])) == NULL ||
	    still_to_come(&e, "hold", argv[optind], argv[optind + 1],
	    &logged) != 0 ||
	    (!logged && planned(&e, "hold", c, argv[optind + 1],
	    time(NULL)) != 0))
		goto out;
	if (ledger_hold(e.l, argv[optind], argv[optind + 1], note,
	    time(NULL), &err) == -1) {
		fprintf(stderr, "touchbase hold: %s\n", err);
		free(err);
		goto out;
	}
	owner_id(argv[optind], argv[optind + 1], id);
	printf("%s %s %s: held\n", id, argv[optind], argv[optind + 1]);
	rc = cmd_flush_stdout("hold");
out:
	env_free(&e);
	return rc;
}

int
cmd_release(const char *config, int argc, char **argv)
{
	struct say_env e;
	char *err = NULL;
	int changes, rc = 1;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf(RELEASE_USAGE "Takes back a 'touchbase hold'.\n");
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, RELEASE_USAGE);
		return 2;
	}
	if (env_load(config, "release", &e) == -1)
		goto out;
	if (ledger_release(e.l, argv[1], argv[2], time(NULL), &changes,
	    &err) == -1) {
		fprintf(stderr, "touchbase release: %s\n", err);
		free(err);
		goto out;
	}
	if (changes == 0) {
		fprintf(stderr, "touchbase release: %s for %s is not held\n",
		    argv[2], argv[1]);
		goto out;
	}
	printf("%s %s: released\n", argv[1], argv[2]);
	rc = cmd_flush_stdout("release");
out:
	env_free(&e);
	return rc;
}
