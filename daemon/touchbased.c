/*
 * touchbased.c - the daemon: options, wiring, exit codes.
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "ledger.h"
#include "log.h"
#include "loop.h"
#include "pass.h"
#include "settings.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: touchbased [-c FILE] [--once] [-t] [-v]\n"
	    "       touchbased --version | --help\n"
	    "  -c FILE   configuration (default $TOUCHBASE_CONFIG, else %s)\n"
	    "  --once    one pass at the current time, then exit\n"
	    "  -t        check configuration and templates, then exit\n"
	    "  -v        debug logging\n", settings_default_path(NULL));
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conf = NULL, *path;
	int ch, once = 0, test = 0, verbose = 0, rc, lockfd = -1;
	struct config *c = NULL;
	struct ledger *l = NULL;
	struct diag d;
	char *err = NULL;

	setlocale(LC_ALL, "C");
	/* getopt's own messages would start with argv[0]. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:thv", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'V':
			printf("touchbased %s\n", TOUCHBASE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "touchbased: -%c needs a value\n", optopt);
			usage(stderr);
			return 2;
		default:
			fprintf(stderr, "touchbased: unknown option '%s'\n",
			    argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "touchbased: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	path = settings_default_path(conf);
	if (test)
		return cmd_check_run(path);

	log_init("touchbased", verbose);
	diag_init(&d);
	rc = config_load(path, &c, &d);
	diag_log(&d);
	diag_free(&d);
	if (rc == -1) {
		log_err("%s: configuration has errors; not starting "
		    "(run 'touchbase check' for the full list)", path);
		return 1;
	}
	if (!once && (lockfd = loop_lock(c->settings->database, &err)) == -1)
		goto fail;
	if (ledger_open(c->settings->database, LEDGER_READWRITE, &l,
	    &err) == -1)
		goto fail;
	log_info("loaded %s, %s and %s: %zu clients, %zu occasions; "
	    "send log %s", path, c->settings->clients,
	    c->settings->templates, c->book->nclients, c->book->noccasions,
	    c->settings->database);

	if (once) {
		struct pass_result res;

		rc = pass_run(c, l, time(NULL), NULL, &res, &err) == -1;
		if (rc == 0 && res.config_problems > 0)
			rc = 1;		/* cron and timers should notice */
		if (err == NULL)
			log_info("pass done: %zu sent, %zu deferred, %zu "
			    "failed, %zu skipped, %zu missed%s%s", res.sent,
			    res.deferred, res.failed, res.skipped, res.missed,
			    res.next_desc ? "; " : "",
			    res.next_desc ? res.next_desc : "");
		else
			log_err("%s", err);
		pass_result_clear(&res);
		free(err);
		config_free(c);
		ledger_close(l);
		return rc;
	}
	rc = loop_run(path, c, l);
	ledger_close(l);
	close(lockfd);
	return rc;

fail:
	log_err("%s", err);
	free(err);
	config_free(c);
	ledger_close(l);
	if (lockfd != -1)
		close(lockfd);
	return 1;
}
