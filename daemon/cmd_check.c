/*
 * cmd_check.c - `touchbase check` and `touchbased -t`: one code path.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "book.h"
#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "history.h"
#include "ledger.h"
#include "settings.h"
#include "template.h"
#include "timeutil.h"
#include "tz.h"
#include "valid.h"
#include "xalloc.h"

/* Addresses of the book that bounced: their clients get nothing until
 * the book gives them another address. */
static int
check_bounces(const struct config *c, struct ledger *l)
{
	char **clients = NULL, **addrs = NULL, *err = NULL;
	int64_t *at = NULL;
	size_t n = 0;
	int rc = 0;

	if (ledger_list_bounces(l, &clients, &addrs, &at, &n, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		free(err);
		rc = -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct client *cl = book_client(c->book, clients[i]);
		char day[11];

		if (cl != NULL && valid_address_same(cl->email, addrs[i])) {
			timeutil_format_date(timeutil_day_of(at[i] +
			    tz_offset_at(c->book->sender_tz, at[i], NULL)),
			    day);
			printf("warning: %s: address %s bounced on %s; nothing "
			    "more is sent to it until %s gives another "
			    "address\n", clients[i], addrs[i], day,
			    c->settings->clients);
		}
		free(clients[i]);
		free(addrs[i]);
	}
	free(clients);
	free(addrs);
	free(at);
	return rc;
}

static int
check_cmp_id(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* Book clients opted out only through their address, which objected
 * under another id (a renamed client, a second entry): they get nothing
 * either, and the owner should see why. */
static void
check_address_optouts(const struct config *c, char **clients,
    char **addresses, const int64_t *at, size_t n)
{
	struct history *h = history_new();
	char day[11];

	for (size_t i = 0; i < n; i++)
		if (addresses[i] != NULL)
			history_add_address_optout(h, addresses[i], at[i]);
	for (size_t k = 0; k < c->book->nclients; k++) {
		const struct client *cl = &c->book->clients[k];
		int64_t t = history_optout(h, NULL, cl->email);
		size_t i;

		if (t == HISTORY_NONE || bsearch(cl->id, clients, n,
		    sizeof(*clients), check_cmp_id) != NULL)
			continue;
		for (i = 0; i < n; i++)
			if (addresses[i] != NULL && at[i] == t &&
			    strcasecmp(addresses[i], cl->email) == 0)
				break;
		timeutil_format_date(timeutil_day_of(t +
		    tz_offset_at(c->book->sender_tz, t, NULL)), day);
		printf("opted out: %s since %s (its address %s objected as "
		    "%s)\n", cl->id, day, cl->email, i < n ? clients[i] : "?");
	}
	history_free(h);
}

/* The database is sound and readable (a damaged one is reported with
 * the way back to a backup), and opt-outs outlive edits of the book: name
 * them so the owner sees who will get nothing.  A missing database is
 * normal before the first run.  Returns -1 after printing a problem. */
static int
check_database(const struct config *c)
{
	struct ledger *l = NULL;
	char **clients = NULL, **addresses = NULL, *err = NULL;
	int64_t *at = NULL;
	size_t n = 0;
	int rc = 0;

	if (access(c->settings->database, F_OK) != 0)
		return 0;
	if (ledger_open(c->settings->database, LEDGER_READONLY, &l,
	    &err) == -1 || ledger_check(l, &err) == -1 ||
	    ledger_list_optouts_with(l, &clients, &addresses, &at, &n,
	    &err) == -1) {
		fprintf(stderr, "%s\n", err);
		free(err);
		rc = -1;
	}
	for (size_t i = 0; i < n; i++) {
		char day[11];

		timeutil_format_date(timeutil_day_of(at[i] +
		    tz_offset_at(c->book->sender_tz, at[i], NULL)), day);
		printf("opted out: %s since %s%s\n", clients[i], day,
		    book_client(c->book, clients[i]) ? "" :
		    " (no longer in the book)");
	}
	if (n > 0)
		check_address_optouts(c, clients, addresses, at, n);
	for (size_t i = 0; i < n; i++) {
		free(clients[i]);
		free(addresses[i]);
	}
	free(clients);
	free(addresses);
	free(at);
	if (rc == 0) {
		cmd_clock_behind(l, "check", time(NULL), c->book->sender_tz);
		rc = check_bounces(c, l);
	}
	ledger_close(l);
	return rc;
}

/* What is valid but cannot be meant, as of today (now in the sender's
 * zone): a birthday to come (its age would be negative: a typo of the
 * year?), a once occasion whose date has passed (it is never sent), a
 * book without clients (what a failed save leaves); and template files
 * no message can reach (a misspelt name, language or form).  Check's
 * alone: the daemon would say it at every start. */
static void
check_dates(const struct config *c, int64_t now, struct diag *d)
{
	const struct book *b = c->book;
	int64_t today, day;
	int sec;

	tz_utc_to_local(b->sender_tz, now, &today, &sec);
	if (b->nclients == 0)
		diag_warn(d, b->path, 0, "no clients: nothing will be sent");
	if (b->noccasions > 0) {
		const char **names = xcalloc(b->noccasions + 1,
		    sizeof(*names));

		for (size_t k = 0; k < b->noccasions; k++)
			names[k] = b->occasions[k].template;
		templates_check_reach(c->templates, names, d);
		free(names);
	}
	for (size_t i = 0; i < b->nclients; i++) {
		const struct client *cl = &b->clients[i];

		if (!cl->has_birthday || cl->birthday.year == 0)
			continue;
		day = timeutil_days_from_civil(cl->birthday.year,
		    cl->birthday.month, cl->birthday.day);
		if (day > today)
			diag_warn(d, b->path, cl->line, "client '%s': birthday "
			    "%04d-%02d-%02d is still to come: the age in a "
			    "card would be negative (a year mistyped?)",
			    cl->id, cl->birthday.year, cl->birthday.month,
			    cl->birthday.day);
	}
	for (size_t i = 0; i < b->noccasions; i++) {
		const struct occasion *o = &b->occasions[i];

		if (o->kind != OCC_ONCE || !o->has_date)
			continue;
		day = timeutil_days_from_civil(o->date.year, o->date.month,
		    o->date.day);
		if (day < today)
			diag_warn(d, b->path, o->line, "occasion '%s': its date "
			    "%04d-%02d-%02d has passed: it is never sent",
			    o->name, o->date.year, o->date.month, o->date.day);
	}
}

int
cmd_check_run(const char *path)
{
	struct config *c = NULL;
	struct diag d;
	int rc;

	diag_init(&d);
	rc = config_load(path, &c, &d);
	if (rc == 0)
		check_dates(c, time(NULL), &d);
	diag_print(&d, stderr);
	if (rc == -1) {
		fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", path,
		    d.errors, d.errors == 1 ? "" : "s",
		    d.warnings, d.warnings == 1 ? "" : "s");
		diag_free(&d);
		return 1;
	}
	printf("%s: ok: %zu client%s, %zu occasion%s, %zu warning%s\n", path,
	    c->book->nclients, c->book->nclients == 1 ? "" : "s",
	    c->book->noccasions, c->book->noccasions == 1 ? "" : "s",
	    d.warnings, d.warnings == 1 ? "" : "s");
	rc = check_database(c) == -1 ? 1 : 0;
	diag_free(&d);
	config_free(c);
	return rc;
}

int
cmd_check(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf("usage: touchbase [-c FILE] check\n"
			    "Validates touchbase.ini, clients.conf and every "
			    "template a client can receive.\n");
			return 0;
		default:
			fprintf(stderr, "usage: touchbase [-c FILE] check\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "touchbase check: unexpected argument '%s'\n"
		    "usage: touchbase [-c FILE] check\n", argv[optind]);
		return 2;
	}
	return cmd_check_run(config);
}
