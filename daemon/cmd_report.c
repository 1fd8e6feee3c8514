/*
 * cmd_report.c - `touchbase report`: how the relationships stand, as one
 * HTML page (report.h), to a file or stdout.
 *
 * It reads touchbase.ini and clients.conf and opens the database
 * read-only, so it works while the daemon runs; without a database every
 * client counts as first seen now.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "book.h"
#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "ledger.h"
#include "overview.h"
#include "owner.h"
#include "planner.h"
#include "report.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define REPORT_USAGE "usage: touchbase [-c FILE] report [--out FILE] " \
	"[--from DATE] [--days N]\n"
#define REPORT_MAX_DAYS	366

static int
report_parse_days(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 ||
	    v > REPORT_MAX_DAYS) {
		fprintf(stderr, "touchbase report: --days: '%s' is not a "
		    "number of days from 1 to %d\n", s, REPORT_MAX_DAYS);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Writes the page to path through a temporary file beside it, or to
 * stdout when path is NULL. */
static int
report_write(const char *path, const struct buf *b)
{
	char *tmp;
	FILE *fp;
	int rc = 1;

	if (path == NULL) {
		fwrite(b->data, 1, b->len, stdout);
		return cmd_flush_stdout("report");
	}
	tmp = xasprintf("%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "touchbase report: %s: %s\n", tmp,
		    strerror(errno));
		goto out;
	}
	if (fwrite(b->data, 1, b->len, fp) != b->len || fclose(fp) != 0) {
		fprintf(stderr, "touchbase report: writing %s: %s\n", tmp,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) == -1) {
		fprintf(stderr, "touchbase report: %s: %s\n", path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

/* Parses the options; returns -1 to go on, else the exit status (after
 * printing the help or the usage). */
static int
report_options(int argc, char **argv, const char **out,
    const char **from_s, int *days)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'F' },
		{ "days", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			*out = optarg;
			break;
		case 'F':
			*from_s = optarg;
			break;
		case 'D':
			if (report_parse_days(optarg, days) == -1)
				return 2;
			break;
		case 'h':
			printf(REPORT_USAGE
			    "Writes one HTML page (no script, nothing from "
			    "outside, prints on A4) with\n"
			    "every client, the coming --days (default 28) "
			    "from --from (default today),\n"
			    "who has been quiet the longest and the year's "
			    "plan and the last 90 days'\n"
			    "outcomes as charts; to --out FILE or stdout.\n");
			return 0;
		default:
			fprintf(stderr, REPORT_USAGE);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "touchbase report: unexpected argument '%s'\n"
		    REPORT_USAGE, argv[optind]);
		return 2;
	}
	return -1;
}

/* The send log of the last 400 days, the history and the owner's say,
 * read-only; nothing when there is no database yet. */
static int
report_load(const struct settings *s, int64_t now, struct history *h,
    struct owner *say, struct ledger_entry **log, size_t *nlog)
{
	struct ledger *l = NULL;
	struct ledger_filter f;
	char *err = NULL;
	int rc = 0;

	if (access(s->database, F_OK) != 0)
		return 0;
	memset(&f, 0, sizeof(f));
	f.since = now - 400 * (int64_t)DAY_SECONDS;
	f.until = HISTORY_NONE;
	if (ledger_open(s->database, LEDGER_READONLY, &l, &err) == -1 ||
	    ledger_load_history(l, h, &err) == -1 ||
	    ledger_load_owner(l, say, &err) == -1 ||
	    ledger_list(l, &f, log, nlog, &err) == -1) {
		fprintf(stderr, "touchbase report: %s\n", err);
		free(err);
		rc = -1;
	}
	ledger_close(l);
	return rc;
}

/* The plan from now over a year (the chart), or to the end of the
 * calendar strip when that lies further. */
static int
report_plan(const struct settings *s, const struct book *b,
    const struct history *h, struct owner *say, int64_t now, int64_t from,
    int days, struct plan *plan)
{
	struct planner_opts o;
	char *err = NULL;
	int64_t day;
	int sec;

	memset(&o, 0, sizeof(o));
	o.from = now;
	tz_utc_to_local(b->sender_tz, now, &day, &sec);
	o.until = tz_local_to_utc(b->sender_tz, day + REPORT_MAX_DAYS + 1, 0);
	if (from + days * (int64_t)DAY_SECONDS > o.until)
		o.until = from + days * (int64_t)DAY_SECONDS;
	o.say = say;
	if (planner_plan(s, b, h, &o, plan, &err) == -1) {
		fprintf(stderr, "touchbase report: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

int
cmd_report(const char *config, int argc, char **argv)
{
	const char *out = NULL, *from_s = NULL;
	struct settings *s = NULL;
	struct book *b = NULL;
	struct history *h = history_new();
	struct owner say;
	struct plan plan = { NULL, 0 };
	struct ledger_entry *log = NULL;
	size_t nlog = 0;
	struct overview_in in;
	struct report r;
	struct buf page;
	struct diag d;
	int64_t now = time(NULL);
	long long from;
	int days = 28, rc = 1;

	owner_init(&say);
	memset(&r, 0, sizeof(r));
	buf_init(&page);
	diag_init(&d);
	if ((rc = report_options(argc, argv, &out, &from_s, &days)) != -1)
		goto done;
	rc = 1;
	if (settings_load(config, &s, &d) == -1 ||
	    book_load(s->clients, s, &b, &d) == -1) {
		diag_print(&d, stderr);
		fprintf(stderr, "touchbase report: %s has errors; run "
		    "'touchbase check'\n", config);
		goto done;
	}
	from = now;
	if (from_s != NULL && cmd_parse_when("--from", from_s, b->sender_tz,
	    &from) == -1) {
		rc = 2;
		goto done;
	}
	if (report_load(s, now, h, &say, &log, &nlog) == -1 ||
	    report_plan(s, b, h, &say, now, from, days, &plan) == -1)
		goto done;
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.b = b;
	in.h = h;
	in.plan = &plan;
	in.log = log;
	in.nlog = nlog;
	in.say = &say;
	in.now = now;
	in.from = from;
	in.days = days;
	in.last_from = in.last_until = now;
	overview_build(&in, &r);
	report_html(&r, &page);
	rc = report_write(out, &page);
	if (rc == 0 && out != NULL)
		printf("%s\n", out);
done:
	report_clear(&r);
	buf_free(&page);
	ledger_entries_free(log, nlog);
	plan_free(&plan);
	owner_free(&say);
	history_free(h);
	book_free(b);
	settings_free(s);
	diag_free(&d);
	return rc;
}
