/*
 * cmd_backup.c - `touchbase backup FILE`: a consistent copy of the send
 * log, taken while the daemon writes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "ledger.h"
#include "settings.h"

#define BACKUP_USAGE	"usage: touchbase [-c FILE] backup FILE\n"

int
cmd_backup(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct settings *s = NULL;
	struct ledger *l = NULL;
	struct diag d;
	char *err = NULL;
	int64_t rows;
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf(BACKUP_USAGE "Writes a consistent copy of the "
			    "database to FILE, which must not exist yet.\n");
			return 0;
		default:
			fprintf(stderr, BACKUP_USAGE);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "touchbase backup: %s\n" BACKUP_USAGE,
		    optind == argc ? "name the FILE to write" :
		    "only one FILE");
		return 2;
	}
	diag_init(&d);
	if (settings_load(config, &s, &d) == -1) {
		diag_print(&d, stderr);
		goto out;
	}
	if (ledger_open(s->database, LEDGER_READONLY, &l, &err) == -1 ||
	    ledger_backup(l, argv[optind], &rows, &err) == -1) {
		fprintf(stderr, "touchbase backup: %s\n", err);
		free(err);
		goto out;
	}
	printf("backup of %s written to %s: %lld message%s\n", s->database,
	    argv[optind], (long long)rows, rows == 1 ? "" : "s");
	rc = 0;
out:
	ledger_close(l);
	settings_free(s);
	diag_free(&d);
	return rc;
}
