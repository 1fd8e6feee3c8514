/*
 * touchbased.c - the daemon: options, wiring, exit codes.
 */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
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
#include "outbox.h"
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

/* One pass at the current time, after a scan of the mailbox when one is
 * due: SIGTERM/SIGINT end it after the
 * transaction in progress, which is recorded; exit 0 then.  Exit 1 when
 * the pass could not finish or met a configuration problem (timers and
 * cron should notice). */
static int
run_once(const struct config *c, struct ledger *l, struct outbox *ob)
{
	volatile sig_atomic_t *stop = loop_signals();
	struct pass_result res;
	char *err = NULL;
	int rc;

	/* Before the pass: an objection that arrived counts now. */
	loop_scan_once(c, l, time(NULL));
	rc = pass_run(c, l, ob, NULL, time(NULL), stop, &res, &err) == -1;
	if (rc == 0 && res.n.config_problems > 0)
		rc = 1;
	if (err == NULL)
		log_info("pass done: %zu sent, %zu deferred, %zu failed, %zu "
		    "skipped, %zu missed%s%s%s", res.n.sent, res.n.deferred,
		    res.n.failed, res.n.skipped, res.missed,
		    *stop ? " (stopped by a signal)" : "",
		    res.next_desc ? "; " : "",
		    res.next_desc ? res.next_desc : "");
	else
		log_err("%s", err);
	pass_result_clear(&res);
	free(err);
	return rc;
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
	struct outbox *ob;
	bool held;
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
	if ((lockfd = loop_lock(c->settings->database, &held, &err)) == -1) {
		if (once && held) {
			/* A timer's pass while the daemon runs, or while
			 * the previous pass is still at work: that one
			 * delivers; nothing to do. */
			log_notice("%s; this pass leaves the work to it", err);
			free(err);
			config_free(c);
			return 0;
		}
		goto fail;
	}
	if (ledger_open(c->settings->database, LEDGER_READWRITE, &l,
	    &err) == -1 || (!once && ledger_check(l, &err) == -1))
		goto fail;
	log_info("loaded %s, %s and %s: %zu clients, %zu occasions; "
	    "send log %s", path, c->settings->clients,
	    c->settings->templates, c->book->nclients, c->book->noccasions,
	    c->settings->database);
	ob = outbox_new(l, &outbox_wall_clock);
	rc = once ? run_once(c, l, ob) : loop_run(path, c, l, ob);
	if (once)
		config_free(c);
	outbox_free(ob);
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
