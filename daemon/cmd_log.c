/*
 * cmd_log.c - `touchbase log` and `touchbase show`: reading the send log.
 *
 * Both need only touchbase.ini (the database path and the sender's time
 * zone), not the book or the templates: the owner must be able to read
 * what was sent even while clients.conf has an error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "diag.h"
#include "history.h"
#include "ledger.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define LOG_USAGE "usage: touchbase [-c FILE] log [--since DATE] " \
	"[--until DATE] [--client ID] [--status S] [--format table|csv|json]\n"
#define SHOW_USAGE "usage: touchbase [-c FILE] show [--raw] ID\n"

enum log_format { FMT_TABLE, FMT_CSV, FMT_JSON };
static const char *const log_formats[] = { "table", "csv", "json", NULL };

/* What both commands need from the configuration. */
struct log_env {
	struct settings	*settings;
	struct tzdb	*tzdb;
	const struct tz	*tz;		/* the sender's zone */
};

static void
env_free(struct log_env *e)
{
	settings_free(e->settings);
	tzdb_free(e->tzdb);
}

static int
env_load(const char *config, struct log_env *e)
{
	struct diag d;
	char *err = NULL;

	memset(e, 0, sizeof(*e));
	diag_init(&d);
	if (settings_load(config, &e->settings, &d) == -1) {
		diag_print(&d, stderr);
		diag_free(&d);
		return -1;
	}
	diag_free(&d);
	e->tzdb = tzdb_new();
	e->tz = tzdb_get(e->tzdb, e->settings->timezone, &err);
	if (e->tz == NULL) {
		fprintf(stderr, "%s: %s\n", config, err);
		free(err);
		env_free(e);
		return -1;
	}
	return 0;
}

/* Returns 1 when there is no database yet (*l NULL), 0 when open, -1 on
 * an error (printed). */
static int
env_open(const struct log_env *e, const char *cmd, struct ledger **l)
{
	const char *path = e->settings->database;
	struct stat sb;
	char *err = NULL;

	*l = NULL;
	if (stat(path, &sb) == -1 && errno == ENOENT)
		return 1;
	if (ledger_open(path, LEDGER_READONLY, l, &err) == -1) {
		fprintf(stderr, "touchbase %s: %s\n", cmd, err);
		free(err);
		return -1;
	}
	return 0;
}

static void
format_iso(const struct log_env *e, int64_t t, char out[static 26])
{
	timeutil_format_iso(t, tz_offset_at(e->tz, t, NULL), out);
}

/* The server's answer; the code is left out when the text carries it. */
static char *
reply_text(int code, const char *reply)
{
	char digits[12];

	if (code == 0)
		return reply != NULL ? xstrdup(reply) : NULL;
	snprintf(digits, sizeof(digits), "%d", code);
	if (reply == NULL)
		return xstrdup(digits);
	if (strncmp(reply, digits, strlen(digits)) == 0)
		return xstrdup(reply);
	return xasprintf("%s %s", digits, reply);
}

/* The second table line: what the server said, why it was skipped, when
 * it is tried again. */
static char *
detail_text(const struct log_env *env, const struct ledger_entry *e)
{
	char *reply = reply_text(e->smtp_code, e->smtp_reply), *s = NULL, *t;
	char when[17];

	if (e->reason != NULL && e->reason[0] != '\0')
		s = xstrdup(e->reason);
	if (reply != NULL) {
		t = s != NULL ? xasprintf("%s; %s", s, reply) : xstrdup(reply);
		free(s);
		s = t;
	}
	if (e->attempts > 1) {
		t = s != NULL ? xasprintf("%s; %d attempts", s, e->attempts) :
		    xasprintf("%d attempts", e->attempts);
		free(s);
		s = t;
	}
	if (e->status == ST_DEFERRED && e->next_attempt != 0) {
		cmd_format_minute(env->tz, e->next_attempt, when);
		t = s != NULL ? xasprintf("%s; next try %s", s, when) :
		    xasprintf("next try %s", when);
		free(s);
		s = t;
	}
	if (e->replied != HISTORY_NONE) {
		cmd_format_minute(env->tz, e->replied, when);
		t = s != NULL ? xasprintf("%s; replied %s", s, when) :
		    xasprintf("replied %s", when);
		free(s);
		s = t;
	}
	if (e->dsn_status != NULL) {
		const char *d = e->dsn_diag != NULL ? e->dsn_diag : "";

		t = xasprintf("%s%s%s %s%s%s", s != NULL ? s : "",
		    s != NULL ? "; " : "", e->status == ST_BOUNCED ?
		    "bounced:" : "delayed:", e->dsn_status, *d ? " " : "", d);
		free(s);
		s = t;
	}
	if (e->status == ST_QUEUED && s == NULL)
		s = xstrdup("being sent (or left by a crash: sent again with "
		    "the same Message-ID)");
	free(reply);
	return s;
}

/*
 * The table fits 80 columns:
 *     ID  UPDATED           STATUS    CLIENT            OCCURRENCE
 *     12  2027-02-28 09:05  sent      anna-mueller      birthday/2027
 *         250 2.0.0 Ok: queued as 4F2A
 * Opt-outs appear as rows of their own at their moment.
 */
#define COL_DETAIL 8

static void
table_row(FILE *fp, const char *id, const char *when, const char *status,
    const char *client, const char *occurrence, const char *detail)
{
	fprintf(fp, "%6s  ", id);
	cmd_table_cell(fp, when, 16, true);
	fputs("  ", fp);
	cmd_table_cell(fp, status, 8, true);
	fputs("  ", fp);
	cmd_table_cell(fp, client, 16, true);
	fputs("  ", fp);
	cmd_table_cell(fp, occurrence, 80 - 52, false);
	fputc('\n', fp);
	if (detail != NULL && detail[0] != '\0') {
		fprintf(fp, "%*s", COL_DETAIL, "");
		cmd_table_cell(fp, detail, 80 - COL_DETAIL, false);
		fputc('\n', fp);
	}
}

static void
print_table(const struct log_env *env, const struct ledger_entry *e,
    size_t n, char **oc, const int64_t *ot, size_t on)
{
	char when[17], id[24];
	size_t i = 0, k = 0;

	if (n + on == 0)
		return;
	table_row(stdout, "ID", "UPDATED", "STATUS", "CLIENT", "OCCURRENCE",
	    NULL);
	/* Both lists are newest first; merge them. */
	while (i < n || k < on) {
		if (k < on && (i == n || ot[k] > e[i].updated)) {
			cmd_format_minute(env->tz, ot[k], when);
			table_row(stdout, "-", when, "opt-out", oc[k], "-",
			    "objection recorded: nothing more is sent");
			k++;
			continue;
		}
		char *detail = detail_text(env, &e[i]);

		snprintf(id, sizeof(id), "%lld", (long long)e[i].id);
		cmd_format_minute(env->tz, e[i].updated, when);
		table_row(stdout, id, when, history_status_name(e[i].status),
		    e[i].client, e[i].occurrence, detail);
		free(detail);
		i++;
	}
}

static const char *const fields[] = {
	"id", "client", "occasion", "occurrence", "status", "due",
	"updated", "attempts", "to", "subject", "message_id", "smtp_code",
	"smtp_reply", "reason", "replied", "bounce_status", "bounce_diagnostic"
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* What cmd_print_csv and cmd_print_json list. */
struct log_rows {
	const struct log_env		*env;
	const struct ledger_entry	*e;
};

/* Field i of row as text for CSV and JSON (a cmd_field_fn). */
static char *
field_value(const void *ctx, size_t row, size_t i, bool *number)
{
	const struct log_rows *rows = ctx;
	const struct log_env *env = rows->env;
	const struct ledger_entry *e = &rows->e[row];
	char iso[26];

	*number = false;
	switch (i) {
	case 0:
		*number = true;
		return xasprintf("%lld", (long long)e->id);
	case 1:
		return xstrdup(e->client);
	case 2:
		return xstrdup(e->occasion);
	case 3:
		return xstrdup(e->occurrence);
	case 4:
		return xstrdup(history_status_name(e->status));
	case 5:
		timeutil_format_iso(e->due, e->due_offset, iso);
		return xstrdup(iso);
	case 6:
		format_iso(env, e->updated, iso);
		return xstrdup(iso);
	case 7:
		*number = true;
		return xasprintf("%d", e->attempts);
	case 8:
		return e->to != NULL ? xstrdup(e->to) : NULL;
	case 9:
		return e->subject != NULL ? xstrdup(e->subject) : NULL;
	case 10:
		return e->message_id != NULL ? xstrdup(e->message_id) : NULL;
	case 11:
		*number = true;
		return e->smtp_code != 0 ? xasprintf("%d", e->smtp_code) :
		    NULL;
	case 12:
		return e->smtp_reply != NULL ? xstrdup(e->smtp_reply) : NULL;
	case 13:
		return e->reason != NULL ? xstrdup(e->reason) : NULL;
	case 14:
		if (e->replied == HISTORY_NONE)
			return NULL;
		format_iso(env, e->replied, iso);
		return xstrdup(iso);
	case 15:
		return e->dsn_status != NULL ? xstrdup(e->dsn_status) : NULL;
	default:
		return e->dsn_diag != NULL ? xstrdup(e->dsn_diag) : NULL;
	}
}

/* --until DATE includes that whole day: the bound is the next midnight. */
static int
parse_until(const char *s, const struct tz *tz, long long *out)
{
	int64_t days;
	int sec;

	if (cmd_parse_when("--until", s, tz, out) == -1)
		return -1;
	if (strlen(s) == 10 && timeutil_parse_datetime(s, &days, &sec,
	    NULL) == 0)
		*out = tz_local_to_utc(tz, days + 1, 0);
	return 0;
}

/* Opt-outs matching the filter, newest first; the rest are dropped. */
static int
load_optouts(struct ledger *l, const struct ledger_filter *f, char ***oc,
    int64_t **ot, size_t *on, char **err)
{
	size_t k = 0;

	if (ledger_list_optouts(l, oc, ot, on, err) == -1)
		return -1;
	for (size_t i = 0; i < *on; i++) {
		if ((f->client != NULL && strcmp((*oc)[i], f->client) != 0) ||
		    (f->since != HISTORY_NONE && (*ot)[i] < f->since) ||
		    (f->until != HISTORY_NONE && (*ot)[i] >= f->until) ||
		    f->has_status) {
			free((*oc)[i]);
			continue;
		}
		(*oc)[k] = (*oc)[i];
		(*ot)[k] = (*ot)[i];
		k++;
	}
	*on = k;
	/* Newest first, like the messages; ties keep client order. */
	for (size_t i = 1; i < k; i++) {
		for (size_t j = i; j > 0 && (*ot)[j - 1] < (*ot)[j]; j--) {
			char *c = (*oc)[j];
			int64_t t = (*ot)[j];

			(*oc)[j] = (*oc)[j - 1];
			(*ot)[j] = (*ot)[j - 1];
			(*oc)[j - 1] = c;
			(*ot)[j - 1] = t;
		}
	}
	return 0;
}

/* --since and --until (either may be NULL) into f. */
static int
log_parse_range(const char *since, const char *until, const struct tz *z,
    struct ledger_filter *f)
{
	long long t;

	if (since != NULL) {
		if (cmd_parse_when("--since", since, z, &t) == -1)
			return -1;
		f->since = t;
	}
	if (until != NULL) {
		if (parse_until(until, z, &t) == -1)
			return -1;
		f->until = t;
	}
	return 0;
}

int
cmd_log(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "client", required_argument, NULL, 'C' },
		{ "status", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *since = NULL, *until = NULL, *fmt = "table";
	struct ledger_filter f = { HISTORY_NONE, HISTORY_NONE, NULL, false,
	    ST_QUEUED };
	enum log_format format;
	struct log_env env;
	struct log_rows rows;
	struct ledger *l = NULL;
	struct ledger_entry *e = NULL;
	char **oc = NULL, *err = NULL;
	int64_t *ot = NULL;
	size_t n = 0, on = 0;
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			since = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		case 'C':
			f.client = optarg;
			break;
		case 'S':
			if (history_parse_status(optarg, &f.status) == -1) {
				fprintf(stderr, "touchbase log: --status: "
				    "unknown status '%s' (use queued, sent, "
				    "deferred, failed, skipped or missed)\n",
				    optarg);
				return 2;
			}
			f.has_status = true;
			break;
		case 'f':
			fmt = optarg;
			break;
		case 'h':
			printf(LOG_USAGE);
			return 0;
		default:
			fprintf(stderr, LOG_USAGE);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "touchbase log: unexpected argument '%s'\n"
		    LOG_USAGE, argv[optind]);
		return 2;
	}
	if ((ch = cmd_parse_format("log", fmt, log_formats)) == -1)
		return 2;
	format = (enum log_format)ch;

	if (env_load(config, &env) == -1)
		return 1;
	if (log_parse_range(since, until, env.tz, &f) == -1) {
		rc = 2;
		goto out;
	}
	switch (env_open(&env, "log", &l)) {
	case -1:
		goto out;
	case 1:
		fprintf(stderr, "touchbase log: no send log yet at %s "
		    "(touchbased has not run)\n", env.settings->database);
		break;
	default:
		if (ledger_list(l, &f, &e, &n, &err) == -1 ||
		    (format == FMT_TABLE &&
		    load_optouts(l, &f, &oc, &ot, &on, &err) == -1)) {
			fprintf(stderr, "touchbase log: %s\n", err);
			free(err);
			goto out;
		}
	}
	rows.env = &env;
	rows.e = e;
	switch (format) {
	case FMT_TABLE:
		print_table(&env, e, n, oc, ot, on);
		if (n + on == 0 && l != NULL)
			fprintf(stderr, "touchbase log: no entries\n");
		break;
	case FMT_CSV:
		cmd_print_csv(stdout, fields, NFIELDS, n, "\n", field_value,
		    &rows);
		break;
	case FMT_JSON:
		cmd_print_json(stdout, fields, NFIELDS, n, field_value, &rows);
		break;
	}
	rc = cmd_flush_stdout("log");
out:
	for (size_t i = 0; i < on; i++)
		free(oc[i]);
	free(oc);
	free(ot);
	ledger_entries_free(e, n);
	ledger_close(l);
	env_free(&env);
	return rc;
}

static void
show_line(const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	printf("# %-12s", key);
	cmd_table_cell(stdout, value, INT_MAX, false);
	putchar('\n');
}

/*
 * `show ID` prints the record as "# key: value" lines, one line per
 * attempt, a blank line, then the stored message byte for byte (CRLF).
 * With --raw only the message, ready for a mail client.
 */
static void
show_record(const struct log_env *env, const struct ledger_entry *e,
    const struct ledger_attempt *a, size_t na)
{
	char iso[26], *s;

	printf("# message %lld: %s\n", (long long)e->id,
	    history_status_name(e->status));
	show_line("client:", e->client);
	show_line("occasion:", e->occasion);
	show_line("occurrence:", e->occurrence);
	timeutil_format_iso(e->due, e->due_offset, iso);
	show_line("due:", iso);
	format_iso(env, e->updated, iso);
	show_line("updated:", iso);
	show_line("to:", e->to);
	show_line("subject:", e->subject);
	show_line("message-id:", e->message_id);
	show_line("template:", e->template_file);
	show_line("reason:", e->reason);
	if (e->status == ST_DEFERRED && e->next_attempt != 0) {
		format_iso(env, e->next_attempt, iso);
		show_line("next try:", iso);
	}
	for (size_t i = 0; i < na; i++) {
		char key[32], *reply = reply_text(a[i].smtp_code, a[i].reply);

		format_iso(env, a[i].at, iso);
		snprintf(key, sizeof(key), "attempt %zu:", i + 1);
		s = xasprintf("%s %s%s%s", iso, history_status_name(
		    a[i].outcome), reply != NULL ? " " : "",
		    reply != NULL ? reply : "");
		show_line(key, s);
		free(s);
		free(reply);
	}
	if (e->bytes == NULL) {
		printf("# (no message: %s occurrences are not composed)\n",
		    history_status_name(e->status));
		return;
	}
	putchar('\n');
}

int
cmd_show(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct log_env env;
	struct ledger *l = NULL;
	struct ledger_entry e;
	struct ledger_attempt *a = NULL;
	size_t na = 0;
	char *end, *err = NULL;
	long long id;
	bool raw = false;
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			raw = true;
			break;
		case 'h':
			printf(SHOW_USAGE);
			return 0;
		default:
			fprintf(stderr, SHOW_USAGE);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "touchbase show: %s\n" SHOW_USAGE,
		    argc == optind ? "which message? give its ID from "
		    "`touchbase log`" : "one ID only");
		return 2;
	}
	errno = 0;
	id = strtoll(argv[optind], &end, 10);
	if (argv[optind][0] < '0' || argv[optind][0] > '9' || *end != '\0' ||
	    errno != 0 || id <= 0) {
		fprintf(stderr, "touchbase show: '%s' is not a message ID (the "
		    "number in the first column of `touchbase log`)\n",
		    argv[optind]);
		return 2;
	}

	memset(&e, 0, sizeof(e));
	if (env_load(config, &env) == -1)
		return 1;
	switch (env_open(&env, "show", &l)) {
	case -1:
		goto out;
	case 1:
		fprintf(stderr, "touchbase show: no send log yet at %s "
		    "(touchbased has not run)\n", env.settings->database);
		goto out;
	}
	if (ledger_get(l, id, &e, &a, &na, &err) == -1) {
		fprintf(stderr, "touchbase show: %s\n", err);
		free(err);
		goto out;
	}
	if (raw && e.bytes == NULL) {
		fprintf(stderr, "touchbase show: message %lld is %s: no "
		    "message was composed\n", id,
		    history_status_name(e.status));
		goto out;
	}
	if (!raw)
		show_record(&env, &e, a, na);
	if (e.bytes != NULL)
		fwrite(e.bytes, 1, e.len, stdout);
	rc = cmd_flush_stdout("show");
out:
	ledger_entry_clear(&e);
	ledger_attempts_free(a, na);
	ledger_close(l);
	env_free(&env);
	return rc;
}
