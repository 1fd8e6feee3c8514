/*
 * cmd_check.c - `touchbase check` and `touchbased -t`: one code path.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "book.h"
#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "ledger.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "valid.h"

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

/* The database is sound and readable (a damaged one is reported with
 * the way back to a backup), and opt-outs outlive edits of the book: name
 * them so the owner sees who will get nothing.  A missing database is
 * normal before the first run.  Returns -1 after printing a problem. */
static int
check_database(const struct config *c)
{
	struct ledger *l = NULL;
	char **clients = NULL, *err = NULL;
	int64_t *at = NULL;
	size_t n = 0;
	int rc = 0;

	if (access(c->settings->database, F_OK) != 0)
		return 0;
	if (ledger_open(c->settings->database, LEDGER_READONLY, &l,
	    &err) == -1 || ledger_check(l, &err) == -1 ||
	    ledger_list_optouts(l, &clients, &at, &n, &err) == -1) {
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
		free(clients[i]);
	}
	free(clients);
	free(at);
	if (rc == 0)
		rc = check_bounces(c, l);
	ledger_close(l);
	return rc;
}

int
cmd_check_run(const char *path)
{
	struct config *c = NULL;
	struct diag d;
	int rc;

	diag_init(&d);
	rc = config_load(path, &c, &d);
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
