/*
 * touchbase.c - the owner's tool: options, dispatch, exit codes.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "settings.h"

static const struct {
	const char *name;
	int (*fn)(const char *, int, char **);
	const char *synopsis;
} commands[] = {
	{ "check", cmd_check, "check" },
	{ "preview", cmd_preview, "preview [--from DATE] [--days N] "
	    "[--client ID] [--as-if-down-until DATE]\n"
	    "          [--format table|csv|json|ics]" },
	{ "render", cmd_render, "render CLIENT OCCASION [--date DATE]" },
	{ "log", cmd_log, "log [--since DATE] [--until DATE] [--client ID] "
	    "[--status S]\n      [--format table|csv|json]" },
	{ "show", cmd_show, "show [--raw] ID" },
	{ "touch", cmd_touch, "touch CLIENT [--date DATE] [--note TEXT]" },
	{ "optout", cmd_optout, "optout CLIENT [--date DATE]" },
	{ "test-mail", cmd_test_mail, "test-mail ADDRESS" },
	{ "import", cmd_import, "import vcard|csv FILE" },
	{ "history", cmd_history, "history CLIENT [--format table|json]" },
	{ "inbox", cmd_inbox, "inbox [--dry-run]" },
	{ "report", cmd_report, "report [--out FILE] [--from DATE] "
	    "[--days N]" },
	{ "approve", cmd_approve, "approve (ID | CLIENT OCCURRENCE | "
	    "--until DATE)" },
	{ "hold", cmd_hold, "hold CLIENT OCCURRENCE [--note TEXT]" },
	{ "release", cmd_release, "release CLIENT OCCURRENCE" },
	{ "backup", cmd_backup, "backup FILE" },
	{ "holidays", cmd_holidays, "holidays [--region R] [--year Y] "
	    "[--format table|json|ics]" },
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: touchbase [-c FILE] COMMAND [ARGS]\n"
	    "       touchbase --version | --help\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %s\n", commands[i].synopsis);
	fprintf(fp, "\n-c FILE defaults to $TOUCHBASE_CONFIG, else %s.\n",
	    settings_default_path(NULL));
}

int
main(int argc, char **argv)
{
	const char *conf = NULL;
	int i = 1;

	/* Output is UTF-8 text built by us; the C locale keeps number and
	 * date formatting stable whatever the owner's environment says. */
	setlocale(LC_ALL, "C");
	log_init("touchbase", 0);

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--version") == 0) {
			printf("touchbase %s\n", TOUCHBASE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "-c") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "touchbase: -c needs a FILE\n");
				usage(stderr);
				return 2;
			}
			conf = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2] != '\0') {
			conf = argv[i] + 2;
			i++;
		} else {
			fprintf(stderr, "touchbase: unknown option '%s'\n",
			    argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			return commands[k].fn(settings_default_path(conf),
			    argc - i, argv + i);
	fprintf(stderr, "touchbase: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 2;
}
