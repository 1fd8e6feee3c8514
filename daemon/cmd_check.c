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

/* Opt-outs outlive edits of the book: name them so the owner sees who
 * will get nothing.  A missing database is normal before the first run. */
static void
check_report_optouts(const struct config *c)
{
	struct ledger *l;
	char **clients = NULL, *err = NULL;
	int64_t *at = NULL;
	size_t n = 0;

	if (access(c->settings->database, R_OK) != 0)
		return;
	if (ledger_open(c->settings->database, LEDGER_READONLY, &l, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return;
	}
	if (ledger_list_optouts(l, &clients, &at, &n, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		free(err);
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
	ledger_close(l);
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
	check_report_optouts(c);
	diag_free(&d);
	config_free(c);
	return 0;
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
