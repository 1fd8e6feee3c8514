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
	if (e->status == ST_QUEUED && s == NULL)
		s = xstrdup("being sent (or left by a crash: sent again with "
		    "the same Message-ID)");
	free(reply);
	return s;
}

/*
 * What `log` lists: the send log's messages, the opt-outs and the touches,
 * one row each, newest first.  A row's moment (`updated`) is the message's
 * latest event, or the instant of the opt-out or touch.
 */
enum row_kind { ROW_MESSAGE, ROW_OPTOUT, ROW_TOUCH };

struct log_row {
	enum row_kind			 kind;
	const struct ledger_entry	*e;	/* ROW_MESSAGE, else NULL */
	const char			*client;
	int64_t				 at;	/* the row's moment, UTC */
	const char			*note;	/* ROW_TOUCH: may be NULL */
	size_t				 order;	/* ties keep the load order */
};

static const char *
row_status(const struct log_row *r)
{
	switch (r->kind) {
	case ROW_OPTOUT:
		return "opt-out";
	case ROW_TOUCH:
		return "touch";
	default:
		return history_status_name(r->e->status);
	}
}

/*
 * The table fits 80 columns:
 *     ID  UPDATED           STATUS    CLIENT            OCCURRENCE
 *     12  2027-02-28 09:05  sent      anna-mueller      birthday/2027
 *         250 2.0.0 Ok: queued as 4F2A
 * Opt-outs and touches appear as rows of their own at their moment.
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
print_table(const struct log_env *env, const struct log_row *r, size_t n)
{
	char when[17], id[24];

	if (n == 0)
		return;
	table_row(stdout, "ID", "UPDATED", "STATUS", "CLIENT", "OCCURRENCE",
	    NULL);
	for (size_t i = 0; i < n; i++) {
		char *detail = NULL;

		cmd_format_minute(env->tz, r[i].at, when);
		switch (r[i].kind) {
		case ROW_OPTOUT:
			table_row(stdout, "-", when, "opt-out", r[i].client,
			    "-", "objection recorded: nothing more is sent");
			break;
		case ROW_TOUCH:
			detail = r[i].note != NULL ?
			    xasprintf("contact recorded: %s", r[i].note) :
			    xstrdup("contact recorded");
			table_row(stdout, "-", when, "touch", r[i].client,
			    "-", detail);
			break;
		default:
			detail = detail_text(env, r[i].e);
			snprintf(id, sizeof(id), "%lld",
			    (long long)r[i].e->id);
			table_row(stdout, id, when, row_status(&r[i]),
			    r[i].client, r[i].e->occurrence, detail);
		}
		free(detail);
	}
}

/*
 * The fields of CSV and JSON, in their order: one entry per column, its
 * value for a row (allocated, NULL for none; *number leaves it unquoted
 * in JSON).  A new column is one function and one line in `columns`.
 */
typedef char *log_col_fn(const struct log_env *env, const struct log_row *r,
    bool *number);

static char *
col_iso(const struct log_env *env, int64_t t)
{
	char iso[26];

	if (t == HISTORY_NONE)
		return NULL;
	format_iso(env, t, iso);
	return xstrdup(iso);
}

static char *
col_str(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static char *
col_id(const struct log_env *env, const struct log_row *r, bool *number)
{
	(void)env;
	*number = true;
	return r->e != NULL ? xasprintf("%lld", (long long)r->e->id) : NULL;
}

static char *
col_client(const struct log_env *env, const struct log_row *r, bool *number)
{
	(void)env, (void)number;
	return col_str(r->client);
}

static char *
col_occasion(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->occasion) : NULL;
}

static char *
col_occurrence(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->occurrence) : NULL;
}

static char *
col_status(const struct log_env *env, const struct log_row *r, bool *number)
{
	(void)env, (void)number;
	return xstrdup(row_status(r));
}

static char *
col_due(const struct log_env *env, const struct log_row *r, bool *number)
{
	(void)number;
	return r->e != NULL ? col_iso(env, r->e->due) : NULL;
}

static char *
col_sent_at(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)number;
	return r->e != NULL ? col_iso(env, r->e->sent_at) : NULL;
}

static char *
col_updated(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)number;
	return col_iso(env, r->at);
}

static char *
col_attempts(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env;
	*number = true;
	return r->e != NULL ? xasprintf("%d", r->e->attempts) : NULL;
}

static char *
col_to(const struct log_env *env, const struct log_row *r, bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->to) : NULL;
}

static char *
col_subject(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->subject) : NULL;
}

static char *
col_message_id(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->message_id) : NULL;
}

static char *
col_smtp_code(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env;
	*number = true;
	return r->e != NULL && r->e->smtp_code != 0 ?
	    xasprintf("%d", r->e->smtp_code) : NULL;
}

static char *
col_smtp_reply(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->smtp_reply) : NULL;
}

static char *
col_reason(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->reason) : NULL;
}

static char *
col_note(const struct log_env *env, const struct log_row *r, bool *number)
{
	(void)env, (void)number;
	return col_str(r->note);
}

static char *
col_replied(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)number;
	return r->e != NULL ? col_iso(env, r->e->replied) : NULL;
}

static char *
col_bounce_status(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->dsn_status) : NULL;
}

static char *
col_bounce_diagnostic(const struct log_env *env, const struct log_row *r,
    bool *number)
{
	(void)env, (void)number;
	return r->e != NULL ? col_str(r->e->dsn_diag) : NULL;
}

static const struct log_column {
	const char	*name;
	log_col_fn	*value;
} columns[] = {
	{ "id", col_id },
	{ "client", col_client },
	{ "occasion", col_occasion },
	{ "occurrence", col_occurrence },
	{ "status", col_status },
	{ "due", col_due },
	{ "sent_at", col_sent_at },
	{ "updated", col_updated },
	{ "attempts", col_attempts },
	{ "to", col_to },
	{ "subject", col_subject },
	{ "message_id", col_message_id },
	{ "smtp_code", col_smtp_code },
	{ "smtp_reply", col_smtp_reply },
	{ "reason", col_reason },
	{ "note", col_note },
	{ "replied", col_replied },
	{ "bounce_status", col_bounce_status },
	{ "bounce_diagnostic", col_bounce_diagnostic },
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* What cmd_print_csv and cmd_print_json list. */
struct log_rows {
	const struct log_env	*env;
	const struct log_row	*r;
};

/* Field i of row as text for CSV and JSON (a cmd_field_fn). */
static char *
field_value(const void *ctx, size_t row, size_t i, bool *number)
{
	const struct log_rows *rows = ctx;

	*number = false;
	return columns[i].value(rows->env, &rows->r[row], number);
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

/* Which kinds of rows --status keeps. */
enum log_only { ONLY_ALL, ONLY_MESSAGES, ONLY_OPTOUTS, ONLY_TOUCHES };

/* Whether an opt-out or touch of client at `at` passes the filter. */
static bool
row_matches(const struct ledger_filter *f, const char *client, int64_t at)
{
	return (f->client == NULL || strcmp(client, f->client) == 0) &&
	    (f->since == HISTORY_NONE || at >= f->since) &&
	    (f->until == HISTORY_NONE || at < f->until);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct log_row *x = a, *y = b;

	if (x->at != y->at)
		return x->at > y->at ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The log's rows, newest first: the messages e (already filtered), the
 * opt-outs and touches that pass f.  Strings stay owned by the lists. */
static struct log_row *
collect_rows(const struct ledger_filter *f, enum log_only only,
    const struct ledger_entry *e, size_t n, char **oc, const int64_t *ot,
    size_t on, const struct ledger_touch *t, size_t tn, size_t *out)
{
	struct log_row *r = xreallocarray(NULL, n + on + tn + 1, sizeof(*r));
	size_t k = 0;

	for (size_t i = 0; i < n; i++, k++)
		r[k] = (struct log_row){ ROW_MESSAGE, &e[i], e[i].client,
		    e[i].updated, NULL, k };
	for (size_t i = 0; i < on; i++)
		if ((only == ONLY_ALL || only == ONLY_OPTOUTS) &&
		    row_matches(f, oc[i], ot[i])) {
			r[k] = (struct log_row){ ROW_OPTOUT, NULL, oc[i],
			    ot[i], NULL, k };
			k++;
		}
	for (size_t i = 0; i < tn; i++)
		if ((only == ONLY_ALL || only == ONLY_TOUCHES) &&
		    row_matches(f, t[i].client, t[i].at)) {
			r[k] = (struct log_row){ ROW_TOUCH, NULL,
			    t[i].client, t[i].at, t[i].note, k };
			k++;
		}
	qsort(r, k, sizeof(*r), row_cmp);
	*out = k;
	return r;
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
	if (since != NULL && until != NULL && f->since >= f->until) {
		fprintf(stderr, "touchbase log: --since %s is not before "
		    "--until %s: nothing could match\n", since, until);
		return -1;
	}
	return 0;
}

/* --status S: a message status, `opt-out` or `touch`.  Returns 0, or 2
 * after printing the usage error. */
static int
log_parse_status(const char *s, struct ledger_filter *f,
    enum log_only *only)
{
	if (strcmp(s, "opt-out") == 0) {
		*only = ONLY_OPTOUTS;
		return 0;
	}
	if (strcmp(s, "touch") == 0) {
		*only = ONLY_TOUCHES;
		return 0;
	}
	if (history_parse_status(s, &f->status) == -1) {
		fprintf(stderr, "touchbase log: --status: unknown status '%s' "
		    "(use queued, sent, deferred, failed, skipped, missed, "
		    "bounced, opt-out or touch)\n", s);
		return 2;
	}
	f->has_status = true;
	*only = ONLY_MESSAGES;
	return 0;
}

/* Loads what the filter asks for into the lists; 0 or -1 with *err. */
static int
log_load(struct ledger *l, const struct ledger_filter *f,
    enum log_only only, struct ledger_entry **e, size_t *n, char ***oc,
    int64_t **ot, size_t *on, struct ledger_touch **t, size_t *tn,
    char **err)
{
	if ((only == ONLY_ALL || only == ONLY_MESSAGES) &&
	    ledger_list(l, f, e, n, err) == -1)
		return -1;
	if ((only == ONLY_ALL || only == ONLY_OPTOUTS) &&
	    ledger_list_optouts(l, oc, ot, on, err) == -1)
		return -1;
	if ((only == ONLY_ALL || only == ONLY_TOUCHES) &&
	    ledger_list_touches(l, t, tn, err) == -1)
		return -1;
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
	const char *names[NCOLUMNS];
	struct ledger_filter f = { HISTORY_NONE, HISTORY_NONE, NULL, false,
	    ST_QUEUED };
	enum log_only only = ONLY_ALL;
	enum log_format format;
	struct log_env env;
	struct log_rows rows;
	struct log_row *r = NULL;
	struct ledger *l = NULL;
	struct ledger_entry *e = NULL;
	struct ledger_touch *t = NULL;
	char **oc = NULL, *err = NULL;
	int64_t *ot = NULL;
	size_t n = 0, on = 0, tn = 0, rn = 0;
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
			if (log_parse_status(optarg, &f, &only) != 0)
				return 2;
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
		/* Not an error: nothing has happened yet, and a script
		 * reading the log gets an empty list (exit 0). */
		fprintf(stderr, "touchbase log: no send log yet at %s "
		    "(touchbased has not run)\n", env.settings->database);
		break;
	default:
		if (log_load(l, &f, only, &e, &n, &oc, &ot, &on, &t, &tn,
		    &err) == -1) {
			fprintf(stderr, "touchbase log: %s\n", err);
			free(err);
			goto out;
		}
	}
	r = collect_rows(&f, only, e, n, oc, ot, on, t, tn, &rn);
	rows.env = &env;
	rows.r = r;
	for (size_t i = 0; i < NCOLUMNS; i++)
		names[i] = columns[i].name;
	switch (format) {
	case FMT_TABLE:
		print_table(&env, r, rn);
		if (rn == 0 && l != NULL)
			fprintf(stderr, "touchbase log: no entries\n");
		break;
	case FMT_CSV:
		cmd_print_csv(stdout, names, NCOLUMNS, rn, "\n", field_value,
		    &rows);
		break;
	case FMT_JSON:
		cmd_print_json(stdout, names, NCOLUMNS, rn, field_value,
		    &rows);
		break;
	}
	rc = cmd_flush_stdout("log");
out:
	free(r);
	for (size_t i = 0; i < on; i++)
		free(oc[i]);
	free(oc);
	free(ot);
	ledger_touches_free(t, tn);
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
	format_iso(env, e->due, iso);
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
