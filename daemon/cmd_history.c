/*
 * cmd_history.c - `touchbase history CLIENT [--format table|json]`: one
 * client's whole timeline, oldest first.
 *
 * Messages (with their status, reply and bounce), touches, contacts seen
 * in the mailbox and the opt-out, each at its moment in the client's time
 * zone.  Read-only: works with read access to the database alone.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "book.h"
#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "history.h"
#include "ledger.h"
#include "owner.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define HISTORY_USAGE "usage: touchbase [-c FILE] history CLIENT " \
	"[--format table|json]\n"

struct event {
	int64_t		 at;
	int		 order;		/* ties: messages, then the rest */
	char		*what;
	char		*detail;
};

struct timeline {
	struct event	*v;
	size_t		 n;
};

static void
tl_add(struct timeline *t, int64_t at, int order, const char *what,
    char *detail)
{
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n].at = at;
	t->v[t->n].order = order;
	t->v[t->n].what = xstrdup(what);
	t->v[t->n].detail = detail;
	t->n++;
}

static int
tl_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->order - y->order;
}

static void
tl_free(struct timeline *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].what);
		free(t->v[i].detail);
	}
	free(t->v);
}

static char *
message_detail(const struct client *c, const struct ledger_entry *e)
{
	struct buf b;
	char when[17];

	buf_init(&b);
	buf_addf(&b, "%s %s", e->occurrence, history_status_name(e->status));
	if (e->reason != NULL && e->reason[0] != '\0')
		buf_addf(&b, " (%s)", e->reason);
	if (e->replied != HISTORY_NONE) {
		cmd_format_minute(c->tz, e->replied, when);
		buf_addf(&b, "; replied %s", when);
	}
	if (e->dsn_status != NULL) {
		cmd_format_minute(c->tz, e->dsn_at, when);
		buf_addf(&b, "; %s %s: %s%s%s", e->status == ST_BOUNCED ?
		    "bounced" : "delayed", when, e->dsn_status,
		    e->dsn_diag != NULL ? " " : "",
		    e->dsn_diag != NULL ? e->dsn_diag : "");
	}
	buf_addc(&b, '\0');
	return buf_detach(&b, NULL);
}

static int
load(struct ledger *l, const struct client *c, struct timeline *t,
    char **err)
{
	struct ledger_filter f;
	struct ledger_entry *e = NULL;
	struct ledger_mail_row *m = NULL;
	int64_t *at = NULL, when;
	char **notes = NULL, *source = NULL, *as = NULL;
	size_t n = 0, nm = 0, nt = 0;
	struct owner say;
	int rc = -1;

	owner_init(&say);
	memset(&f, 0, sizeof(f));
	f.since = f.until = HISTORY_NONE;
	f.client = c->id;
	if (ledger_list(l, &f, &e, &n, err) == -1 ||
	    ledger_mail_events(l, c->id, &m, &nm, err) == -1 ||
	    ledger_touches(l, c->id, &at, &notes, &nt, err) == -1 ||
	    ledger_optout_source(l, c->id, c->email, &when, &source, &as,
	    err) == -1 ||
	    ledger_load_owner(l, &say, err) == -1)
		goto out;
	for (size_t i = 0; i < n; i++)
		tl_add(t, e[i].status == ST_SENT || e[i].status == ST_BOUNCED ?
		    e[i].updated : e[i].due, 0, "message",
		    message_detail(c, &e[i]));
	for (size_t i = 0; i < nm; i++)
		if (m[i].kind == LEDGER_MAIL_CONTACT)
			tl_add(t, m[i].at, 1, "contact", xstrdup("seen in the "
			    "mailbox"));
	for (size_t i = 0; i < nt; i++)
		tl_add(t, at[i], 1, "touch", notes[i] != NULL ?
		    xstrdup(notes[i]) : NULL);
	if (when != HISTORY_NONE)
		tl_add(t, when, 2, "opt-out", xasprintf("%s%s%s%s",
		    source != NULL && strcmp(source, "mailbox") == 0 ?
		    "'unsubscribe' mail seen in the mailbox" :
		    "recorded with touchbase optout", as != NULL ?
		    " (as " : "", as != NULL ? as : "", as != NULL ? ", for "
		    "the same address)" : ""));
	/* The owner's say: approvals, and holds in force. */
	for (size_t i = 0; i < say.n; i++) {
		const struct owner_say *o = &say.v[i];

		if (strcmp(o->client, c->id) != 0)
			continue;
		if (o->approved != HISTORY_NONE)
			tl_add(t, o->approved, 1, "approval",
			    xstrdup(o->occurrence));
		if (o->held != HISTORY_NONE)
			tl_add(t, o->held, 1, "hold", o->note != NULL &&
			    *o->note != '\0' ? xasprintf("%s: %s",
			    o->occurrence, o->note) : xstrdup(o->occurrence));
	}
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), tl_cmp);
	rc = 0;
out:
	owner_free(&say);
	ledger_entries_free(e, n);
	ledger_mail_rows_free(m, nm);
	for (size_t i = 0; i < nt; i++)
		free(notes[i]);
	free(notes);
	free(at);
	free(source);
	free(as);
	return rc;
}

int
cmd_history(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const formats[] = { "table", "json", NULL };
	struct settings *s = NULL;
	struct book *b = NULL;
	struct ledger *l = NULL;
	const struct client *c;
	struct timeline t = { NULL, 0 };
	struct diag d;
	struct stat sb;
	char *err = NULL, when[17];
	int ch, fmt = 0, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if ((fmt = cmd_parse_format("history", optarg,
			    formats)) == -1)
				return 2;
			break;
		case 'h':
			fputs(HISTORY_USAGE, stdout);
			return 0;
		default:
			fputs(HISTORY_USAGE, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "touchbase history: %s\n", argc == optind ?
		    "which client? give its id from clients.conf" :
		    "one client only");
		fputs(HISTORY_USAGE, stderr);
		return 2;
	}
	diag_init(&d);
	if (settings_load(config, &s, &d) == -1 ||
	    book_load(s->clients, s, &b, &d) == -1) {
		diag_print(&d, stderr);
		diag_free(&d);
		goto out;
	}
	diag_free(&d);
	if ((c = cmd_find_client(b, "history", argv[optind])) == NULL)
		goto out;
	if (stat(s->database, &sb) == 0 || errno != ENOENT) {
		if (ledger_open(s->database, LEDGER_READONLY, &l, &err) == -1 ||
		    load(l, c, &t, &err) == -1) {
			fprintf(stderr, "touchbase history: %s\n", err);
			free(err);
			goto out;
		}
	}
	if (fmt == 1) {
		printf("[");
		for (size_t i = 0; i < t.n; i++) {
			char iso[26];

			timeutil_format_iso(t.v[i].at, tz_offset_at(c->tz,
			    t.v[i].at, NULL), iso);
			printf("%s\n  {\"at\": \"%s\", \"what\": ", i ? "," : "",
			    iso);
			cmd_json_string(stdout, t.v[i].what);
			printf(", \"detail\": ");
			cmd_json_string(stdout, t.v[i].detail);
			printf("}");
		}
		printf("%s]\n", t.n ? "\n" : "");
	} else {
		if (t.n == 0)
			printf("%s: nothing yet\n", c->id);
		for (size_t i = 0; i < t.n; i++) {
			cmd_format_minute(c->tz, t.v[i].at, when);
			printf("%s  ", when);
			cmd_table_cell(stdout, t.v[i].what, 8, true);
			printf("  ");
			cmd_table_cell(stdout, t.v[i].detail != NULL ?
			    t.v[i].detail : "", 200, false);
			printf("\n");
		}
	}
	rc = cmd_flush_stdout("history");
out:
	tl_free(&t);
	ledger_close(l);
	book_free(b);
	settings_free(s);
	return rc;
}
