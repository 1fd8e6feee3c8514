/*
 * cmd_touch.c - `touchbase touch` and `touchbase optout`: writing to the
 * ledger by hand.
 *
 * Both read touchbase.ini and clients.conf only (to find the database and
 * to know the client), not the templates: an objection must be recordable
 * even while a template has an error.
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
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

#define TOUCH_USAGE "usage: touchbase [-c FILE] touch CLIENT [--date DATE] " \
	"[--note TEXT]\n"
#define OPTOUT_USAGE "usage: touchbase [-c FILE] optout CLIENT [--date DATE]\n"
#define NOTE_MAX 1000

struct touch_env {
	struct settings	*settings;
	struct book	*book;
	const struct client *client;
	struct ledger	*ledger;
};

static void
env_free(struct touch_env *e)
{
	ledger_close(e->ledger);
	book_free(e->book);
	settings_free(e->settings);
}

/* Loads the configuration and finds the client. */
static int
env_load(const char *config, const char *cmd, const char *id,
    struct touch_env *e)
{
	struct diag d;

	memset(e, 0, sizeof(*e));
	diag_init(&d);
	if (settings_load(config, &e->settings, &d) == -1 ||
	    book_load(e->settings->clients, e->settings, &e->book, &d) == -1) {
		diag_print(&d, stderr);
		diag_free(&d);
		return -1;
	}
	diag_free(&d);
	if ((e->client = cmd_find_client(e->book, cmd, id)) == NULL)
		return -1;
	return 0;
}

/* Opens the ledger for writing, creating it when the daemon has not run
 * yet: only once the arguments are known to be good. */
static int
env_open(struct touch_env *e, const char *cmd)
{
	char *err = NULL;

	if (ledger_open(e->settings->database, LEDGER_READWRITE, &e->ledger,
	    &err) == -1) {
		fprintf(stderr, "touchbase %s: %s\n", cmd, err);
		free(err);
		return -1;
	}
	return 0;
}

/* The day of t in the client's zone. */
static void
client_day(const struct client *c, int64_t t, char out[static 11])
{
	int64_t days;
	int sec;

	tz_utc_to_local(c->tz, t, &days, &sec);
	timeutil_format_date(days, out);
}

/* Parses CLIENT [--date DATE] [--note TEXT]; returns -1 (usage, printed)
 * or 0. */
static int
parse_args(const char *cmd, const char *usage, bool with_note, int argc,
    char **argv, const char **id, const char **date, const char **note)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	*date = *note = NULL;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			*date = optarg;
			break;
		case 'n':
			if (!with_note)
				goto usage;
			*note = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "touchbase %s: %s\n", cmd, argc == optind ?
		    "which client? give its id from clients.conf" :
		    "one client only");
		goto usage;
	}
	*id = argv[optind];
	return 0;
usage:
	fputs(usage, stderr);
	return -1;
}

int
cmd_touch(const char *config, int argc, char **argv)
{
	struct touch_env env;
	const char *id, *date, *note;
	char day[11], *err = NULL;
	long long when;
	int64_t now = (int64_t)time(NULL);
	int rc = 1;

	switch (parse_args("touch", TOUCH_USAGE, true, argc, argv, &id, &date,
	    &note)) {
	case -1:
		return 2;
	case 1:
		return 0;
	}
	if (note != NULL && (valid_has_control(note) ||
	    strlen(note) > NOTE_MAX)) {
		fprintf(stderr, "touchbase touch: --note must be one line of "
		    "text of at most %d bytes, without control characters\n",
		    NOTE_MAX);
		return 1;
	}
	if (env_load(config, "touch", id, &env) == -1)
		goto out;
	when = now;
	if (date != NULL) {
		if (cmd_parse_when("--date", date, env.client->tz,
		    &when) == -1) {
			rc = 2;
			goto out;
		}
		if (when > now) {
			fprintf(stderr, "touchbase touch: --date %s is in the "
			    "future; touch records a contact that has "
			    "happened\n", date);
			goto out;
		}
	}
	if (env_open(&env, "touch") == -1)
		goto out;
	if (ledger_touch(env.ledger, env.client->id, when,
	    note != NULL && note[0] != '\0' ? note : NULL, &err) == -1) {
		fprintf(stderr, "touchbase touch: %s\n", err);
		free(err);
		goto out;
	}
	client_day(env.client, when, day);
	printf("%s: contact on %s recorded; casual check-ins count from "
	    "there\n", env.client->id, day);
	rc = 0;
out:
	env_free(&env);
	return rc;
}

int
cmd_optout(const char *config, int argc, char **argv)
{
	struct touch_env env;
	const char *id, *date, *note;
	char day[11], *err = NULL;
	long long when;
	int64_t before;
	int rc = 1;

	switch (parse_args("optout", OPTOUT_USAGE, false, argc, argv, &id,
	    &date, &note)) {
	case -1:
		return 2;
	case 1:
		return 0;
	}
	if (env_load(config, "optout", id, &env) == -1)
		goto out;
	when = (int64_t)time(NULL);
	if (date != NULL &&
	    cmd_parse_when("--date", date, env.client->tz, &when) == -1) {
		rc = 2;
		goto out;
	}
	if (env_open(&env, "optout") == -1)
		goto out;
	if (ledger_optout_of(env.ledger, env.client->id, env.client->email,
	    &before, &err) == -1)
		goto fail;
	if (before != HISTORY_NONE && before <= when) {
		client_day(env.client, before, day);
		printf("%s: already opted out on %s; nothing changed\n",
		    env.client->id, day);
		rc = 0;
		goto out;
	}
	if (ledger_optout(env.ledger, env.client->id, env.client->email, when,
	    &err) == -1)
		goto fail;
	client_day(env.client, when, day);
	printf("%s: opted out on %s; from then on touchbase sends nothing "
	    "to this client, nor to %s under any id\n", env.client->id, day,
	    env.client->email);
	if (before != HISTORY_NONE) {
		client_day(env.client, before, day);
		printf("%s: (the objection recorded before was dated %s)\n",
		    env.client->id, day);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "touchbase optout: %s\n", err);
	free(err);
out:
	env_free(&env);
	return rc;
}
