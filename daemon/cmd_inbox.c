/*
 * cmd_inbox.c - `touchbase inbox [--dry-run]`: one scan of the mailbox now.
 *
 * Reads touchbase.ini and clients.conf (to know the clients' addresses),
 * not the templates: what comes back must be recorded even while a
 * template has an error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "book.h"
#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "inbox.h"
#include "ledger.h"
#include "settings.h"

#define INBOX_USAGE "usage: touchbase [-c FILE] inbox [--dry-run]\n"

int
cmd_inbox(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config c = { NULL, NULL, NULL };
	struct ledger *l = NULL;
	struct inbox_result res;
	enum inbox_fail fail;
	struct diag d;
	bool dry_run = false;
	char *err = NULL;
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			dry_run = true;
			break;
		case 'h':
			fputs(INBOX_USAGE, stdout);
			return 0;
		default:
			fputs(INBOX_USAGE, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(INBOX_USAGE, stderr);
		return 2;
	}
	memset(&res, 0, sizeof(res));
	diag_init(&d);
	if (settings_load(config, &c.settings, &d) == -1 ||
	    book_load(c.settings->clients, c.settings, &c.book, &d) == -1) {
		diag_print(&d, stderr);
		diag_free(&d);
		goto out;
	}
	diag_free(&d);
	if (c.settings->inbox == INBOX_NONE) {
		fprintf(stderr, "touchbase inbox: [inbox] url is not set in "
		    "%s; touchbase reads no mail\n", config);
		goto out;
	}
	if (ledger_open(c.settings->database, LEDGER_READWRITE, &l,
	    &err) == -1) {
		fprintf(stderr, "touchbase inbox: %s\n", err);
		free(err);
		goto out;
	}
	if (inbox_scan(&c, l, (int64_t)time(NULL), dry_run, &res, &fail,
	    &err) == -1) {
		for (size_t i = 0; i < res.nlines; i++)
			printf("%s\n", res.lines[i]);
		fprintf(stderr, "touchbase inbox: %s\n", err);
		free(err);
		goto out;
	}
	for (size_t i = 0; i < res.nlines; i++)
		printf("%s\n", res.lines[i]);
	printf("%s%zu new mail%s: %zu contact%s, %zu repl%s, %zu bounce%s, "
	    "%zu delay%s, %zu objection%s\n", dry_run ? "dry run, nothing "
	    "recorded: " : "", res.mails, res.mails == 1 ? "" : "s",
	    res.contacts, res.contacts == 1 ? "" : "s", res.replies,
	    res.replies == 1 ? "y" : "ies", res.bounces,
	    res.bounces == 1 ? "" : "s", res.delays, res.delays == 1 ? "" : "s",
	    res.objections, res.objections == 1 ? "" : "s");
	rc = cmd_flush_stdout("inbox");
out:
	inbox_result_clear(&res);
	ledger_close(l);
	book_free(c.book);
	settings_free(c.settings);
	return rc;
}
