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

int
cmd_report(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'F' },
		{ "days", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL, *from_s = NULL;
	struct settings *s = NULL;
	struct book *b = NULL;
	struct ledger *l = NULL;
	struct history *h = history_new();
	struct owner say;
	struct plan plan = { NULL, 0 };
	struct planner_opts o;
	struct ledger_filter f;
	struct ledger_entry *log = NULL;
	size_t nlog = 0;
	struct overview_in in;
	struct report r;
	struct buf page;
	struct diag d;
	char *err = NULL;
	int64_t now = time(NULL), day;
	long long from;
	int ch, days = 28, sec, rc = 1;

	owner_init(&say);
	memset(&r, 0, sizeof(r));
	buf_init(&page);
	diag_init(&d);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'F':
			from_s = optarg;
			break;
		case 'D':
			if (report_parse_days(optarg, &days) == -1) {
				rc = 2;
				goto done;
			}
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
			rc = 0;
			goto done;
		default:
			fprintf(stderr, REPORT_USAGE);
			rc = 2;
			goto done;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "touchbase report: unexpected argument '%s'\n"
		    REPORT_USAGE, argv[optind]);
		rc = 2;
		goto done;
	}
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
	if (access(s->database, F_OK) == 0) {
		memset(&f, 0, sizeof(f));
		f.since = now - 400 * (int64_t)DAY_SECONDS;
		f.until = HISTORY_NONE;
		if (ledger_open(s->database, LEDGER_READONLY, &l, &err) == -1 ||
		    ledger_load_history(l, h, &err) == -1 ||
		    ledger_load_owner(l, &say, &err) == -1 ||
		    ledger_list(l, &f, &log, &nlog, &err) == -1) {
			fprintf(stderr, "touchbase report: %s\n", err);
			free(err);
			goto done;
		}
	}
	memset(&o, 0, sizeof(o));
	o.from = now;
	tz_utc_to_local(b->sender_tz, now, &day, &sec);
	o.until = tz_local_to_utc(b->sender_tz, day + REPORT_MAX_DAYS + 1, 0);
	if (from + days * (int64_t)DAY_SECONDS > o.until)
		o.until = from + days * (int64_t)DAY_SECONDS;
	o.say = &say;
	if (planner_plan(s, b, h, &o, &plan, &err) == -1) {
		fprintf(stderr, "touchbase report: %s\n", err);
		free(err);
		goto done;
	}
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
	ledger_close(l);
	book_free(b);
	settings_free(s);
	diag_free(&d);
	return rc;
}
