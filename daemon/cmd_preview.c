/*
 * cmd_preview.c - `touchbase preview`: what the daemon would send.
 *
 * The same planner the daemon uses, on the same send log (read-only, if
 * there is one).  The template column names the file that would really be
 * chosen: each planned message is counted as received by its client
 * before the next one is chosen, so variants rotate through the preview
 * as they will in the send log.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "book.h"
#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "history.h"
#include "ledger.h"
#include "owner.h"
#include "planner.h"
#include "settings.h"
#include "template.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

#define PREVIEW_USAGE \
	"usage: touchbase [-c FILE] preview [--from DATE] [--days N] " \
	"[--client ID]\n" \
	"                 [--as-if-down-until DATE] " \
	"[--format table|csv|json|ics]\n"
#define PREVIEW_MAX_DAYS 3660

enum preview_format { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_ICS };
static const char *const preview_formats[] = {
	"table", "csv", "json", "ics", NULL
};

/* One row, everything as text. */
struct prow {
	const struct plan_item *it;
	char	 due[26];		/* ISO 8601, client's offset */
	char	 when[48];		/* "Sun 2027-02-28 09:00 +01:00" */
	const char *tmpl;		/* file chosen, NULL when not sent */
	const char *action;
	char	*uid;			/* ICS: stable per occurrence chain */
	int64_t	 sequence;		/* ICS: raised when it moved */
};

static const char *
preview_action(enum plan_action a)
{
	switch (a) {
	case PLAN_SEND:
		return "send";
	case PLAN_SKIP:
		return "skip";
	default:
		return "missed";
	}
}

/* The variant compose would choose; the choice is then recorded in h as
 * if sent, so the next message to that client rotates. */
static const char *
preview_template(const struct config *c, struct history *h,
    const struct plan_item *it)
{
	const struct template *tp;
	const struct history_client *hc;
	struct history_record r;
	const char *file = NULL;
	bool fell_back;

	if (it->action != PLAN_SEND)
		return NULL;
	/* The composer's own choice: form, belated, variant, language. */
	hc = history_client(h, it->client->id);
	tp = templates_pick(c->templates, it->template, it->client->language,
	    book_form(it->client), c->settings->language, it->late, hc,
	    &fell_back);
	if (tp != NULL) {
		file = template_file(tp);
		memset(&r, 0, sizeof(r));
		r.occurrence = it->occurrence;
		r.occasion = it->occasion->name;
		r.status = ST_SENT;
		r.due = it->due;
		r.sent = it->due;
		r.template_file = (char *)file;
		if (hc != NULL)
			history_client_add_record(h, hc, &r);
		else
			history_add_record(h, it->client->id, &r);
	}
	return file;
}

/* The place of it's client in the book; past the end for none. */
static size_t
preview_client_slot(const struct book *b, const struct plan_item *it)
{
	uintptr_t p = (uintptr_t)it->client, first = (uintptr_t)b->clients;

	if (it->client == NULL || p < first ||
	    p >= first + b->nclients * sizeof(*b->clients))
		return b->nclients;
	return (size_t)(it->client - b->clients);
}

/* The plan's items client by client, each client's in the plan's order
 * (a counting sort on the client's place in the book).  A template is
 * chosen from its client's history only, so the choices are those of the
 * plan's order, and one client's messages in a row find its history at
 * hand instead of all over memory. */
static size_t *
preview_by_client(const struct book *b, const struct plan *p)
{
	size_t *at = xcalloc(b->nclients + 2, sizeof(*at));
	size_t *order = xreallocarray(NULL, p->n ? p->n : 1, sizeof(*order));

	for (size_t i = 0; i < p->n; i++)
		at[preview_client_slot(b, &p->items[i]) + 1]++;
	for (size_t k = 1; k < b->nclients + 2; k++)
		at[k] += at[k - 1];
	for (size_t i = 0; i < p->n; i++)
		order[at[preview_client_slot(b, &p->items[i])]++] = i;
	free(at);
	return order;
}

/* Row r for it; the table's "when" only with when. */
static void
preview_row(struct prow *r, const struct plan_item *it, bool when)
{
	int64_t local = it->due + it->utc_offset, day;
	int off = it->utc_offset < 0 ? -it->utc_offset : it->utc_offset;
	char d[11];

	r->it = it;
	r->action = preview_action(it->action);
	timeutil_format_iso(it->due, it->utc_offset, r->due);
	if (!when)
		return;
	day = timeutil_day_of(local);
	timeutil_format_date(day, d);
	snprintf(r->when, sizeof(r->when), "%s %s %02u:%02u %c%02u:%02u",
	    timeutil_weekday_name(timeutil_weekday(day)), d,
	    (unsigned)(local - day * DAY_SECONDS) / 3600 % 24,
	    (unsigned)(local - day * DAY_SECONDS) / 60 % 60,
	    it->utc_offset < 0 ? '-' : '+', (unsigned)off / 3600 % 100,
	    (unsigned)off / 60 % 60);
}

/* The owner's say: "approved", "awaiting approval: touchbase approve
 * ID", "held", built in b; NULL when none applies. */
static const char *
preview_say(const struct plan_item *it, struct buf *b)
{
	char id[9];

	switch (it->say) {
	case PLAN_SAY_APPROVED:
		buf_adds(b, "approved");
		break;
	case PLAN_SAY_AWAITING:
		owner_id(it->client->id, it->occurrence, id);
		buf_adds(b, "awaiting approval: touchbase approve ");
		buf_adds(b, id);
		break;
	case PLAN_SAY_HELD:
		buf_adds(b, "held");
		break;
	default:
		return NULL;
	}
	return b->data;
}

/* --- table ------------------------------------------------------------ */

/*
 * Fits 80 columns; the occasion is the first part of the occurrence:
 *   DUE                          CLIENT        OCCURRENCE
 *   Sun 2027-02-28 09:00 +01:00  anna-mueller  birthday/2027
 *       birthday-belated.de.txt; late by 1d: catch-up
 * An occurrence too long for its column gets a line of its own; a note
 * too long for a line wraps, never cut short.
 */
#define COL_INDENT	4
#define COL_DUE		27
#define COL_CLIENT_MAX	24

/* Characters, not bytes, of s[0..n). */
static size_t
preview_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* A detail line under a row; a long one wraps at blanks onto further
 * lines indented two more, so a note is never cut short. */
static void
preview_detail(const char *s)
{
	int indent = COL_INDENT;

	for (;;) {
		size_t width = (size_t)(80 - indent), len = strlen(s), cut;
		char *line;

		if (preview_width(s, len) <= width) {
			printf("%*s", indent, "");
			cmd_table_cell(stdout, s, (int)width, false);
			putchar('\n');
			return;
		}
		/* The last blank that keeps the line within width; a word
		 * longer than the line is cut short by cmd_table_cell. */
		cut = 0;
		for (size_t i = 0; i < len && preview_width(s, i) <= width;
		    i++)
			if (s[i] == ' ')
				cut = i;
		if (cut == 0)
			cut = len;
		line = xasprintf("%.*s", (int)cut, s);
		printf("%*s", indent, "");
		cmd_table_cell(stdout, line, (int)width, false);
		putchar('\n');
		free(line);
		s += cut;
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return;
		indent = COL_INDENT + 2;
	}
}

static void
preview_table(const struct prow *rows, size_t n, const char *from,
    const char *until)
{
	int cw = 6, ow;
	struct buf b;

	if (n == 0) {
		printf("nothing planned from %s to %s\n", from, until);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(rows[i].it->client->id);

		if (len > cw)
			cw = len > COL_CLIENT_MAX ? COL_CLIENT_MAX : len;
	}
	ow = 80 - COL_DUE - 2 - cw - 2;
	printf("%-*s  %-*s  %s\n", COL_DUE, "DUE", cw, "CLIENT", "OCCURRENCE");
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct prow *r = &rows[i];
		const char *note = r->it->note;
		bool fits = strlen(r->it->occurrence) <= (size_t)ow;

		fputs(r->when, stdout);
		fputs("  ", stdout);
		cmd_table_cell(stdout, r->it->client->id, cw, fits);
		if (fits) {
			fputs("  ", stdout);
			cmd_table_cell(stdout, r->it->occurrence, ow, false);
		}
		putchar('\n');
		if (!fits)
			preview_detail(r->it->occurrence);
		buf_reset(&b);
		if (r->it->say == PLAN_SAY_AWAITING ||
		    r->it->say == PLAN_SAY_APPROVED)
			preview_detail(preview_say(r->it, &b));
		if (r->tmpl == NULL) {
			preview_detail(note);
			continue;
		}
		buf_reset(&b);
		buf_adds(&b, r->tmpl);
		if (note[0] != '\0') {
			buf_adds(&b, "; ");
			buf_adds(&b, note);
		}
		if (b.len <= 80 - COL_INDENT)
			preview_detail(b.data);
		else {
			preview_detail(r->tmpl);
			preview_detail(note);
		}
	}
	buf_free(&b);
}

/* --- csv and json ------------------------------------------------------ */

static const char *const preview_fields[] = {
	"due", "client", "occasion", "occurrence", "template", "note",
	"action", "approval"
};
#define NFIELDS (sizeof(preview_fields) / sizeof(preview_fields[0]))

/* Field f of a row (a cmd_field_ref_fn). */
static const char *
preview_field(const void *ctx, size_t row, size_t f, bool *number,
    struct buf *scratch)
{
	const struct prow *r = (const struct prow *)ctx + row;
	const char *v;

	*number = false;
	switch (f) {
	case 0:
		v = r->due;
		break;
	case 1:
		v = r->it->client->id;
		break;
	case 2:
		v = r->it->occasion->name;
		break;
	case 3:
		v = r->it->occurrence;
		break;
	case 4:
		v = r->tmpl;
		break;
	case 5:
		v = r->it->note;
		break;
	case 6:
		v = r->action;
		break;
	default:
		v = preview_say(r->it, scratch);
	}
	return v;
}

/* --- ics (RFC 5545) ----------------------------------------------------- */

static void
ics_utc(int64_t t, char out[static 40])
{
	struct civil_date d;
	int64_t day = timeutil_day_of(t);
	unsigned sec = (unsigned)(t - day * DAY_SECONDS);

	timeutil_civil_from_days(day, &d);
	snprintf(out, 40, "%04d%02d%02dT%02u%02u%02uZ", d.year, d.month,
	    d.day, sec / 3600 % 24, sec / 60 % 60, sec % 60);
}

/* The local day of instant t at offset off. */
static int64_t
ics_day(int64_t t, int off)
{
	return timeutil_day_of(t + off);
}

/*
 * UIDs a calendar can update by.  A fixed occasion's key names its day
 * for good ("birthday/2027"), so the key is the UID and SEQUENCE the days
 * it was moved from that day.  A check-in's key is the day it falls on,
 * which a touch or another message moves, so its UID is its place in the
 * client's chain ("checkin/3": the third, counting the send log's) and
 * SEQUENCE its day number (days since 1970-01-01): a check-in moved later
 * replaces the earlier event.  rows[0..n) is the whole plan from now.
 */
/* How many check-ins of (client, occasion) the plan has had so far: an
 * open-addressing table over the pair's pointers. */
struct ics_seen {
	const struct plan_item	*it;	/* its client and occasion; NULL */
	size_t			 count;
};

static size_t
ics_seen_next(struct ics_seen *tab, size_t size, const struct plan_item *it)
{
	uint64_t k = (uint64_t)(uintptr_t)it->client * 31 +
	    (uint64_t)(uintptr_t)it->occasion;
	size_t i;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	for (i = (size_t)k & (size - 1); tab[i].it != NULL;
	    i = (i + 1) & (size - 1))
		if (tab[i].it->client == it->client &&
		    tab[i].it->occasion == it->occasion)
			return tab[i].count++;
	tab[i].it = it;
	tab[i].count = 1;
	return 0;
}

static void
preview_ics_ids(struct prow *rows, size_t n, const struct history *h)
{
	size_t size = 16;
	struct ics_seen *seen;

	while (size < 2 * n)
		size *= 2;
	seen = xcalloc(size, sizeof(*seen));
	for (size_t i = 0; i < n; i++) {
		const struct plan_item *it = rows[i].it;
		const struct history_client *hc;
		size_t ord = 1;

		if (it->occasion->kind != OCC_CASUAL) {
			int64_t moved = ics_day(it->due, it->utc_offset) -
			    ics_day(it->nominal, it->utc_offset);

			rows[i].uid = xasprintf("%s.%s@touchbase",
			    it->occurrence, it->client->id);
			rows[i].sequence = moved > 0 ? moved : 0;
			continue;
		}
		if ((hc = history_client(h, it->client->id)) != NULL)
			for (size_t k = 0; k < hc->nrecords; k++)
				if (strcmp(hc->records[k].occasion,
				    it->occasion->name) == 0)
					ord++;
		ord += ics_seen_next(seen, size, it);
		rows[i].uid = xasprintf("%s/%zu.%s@touchbase",
		    it->occasion->name, ord, it->client->id);
		rows[i].sequence = ics_day(it->due, it->utc_offset);
		if (rows[i].sequence < 0)
			rows[i].sequence = 0;
	}
	free(seen);
}

/* "Geburtstagsgruß an Anna Müller": what the event is, in the sender's
 * language (German for de…, else English). */
static void
ics_summary(struct buf *v, const struct plan_item *it, const char *lang)
{
	const char *who = it->client->name ? it->client->name :
	    it->client->id, *occ = it->occasion->name;
	const char *proj = it->project != NULL ? it->project : occ;
	bool de = lang != NULL && strncmp(lang, "de", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '-');

	if (it->action != PLAN_SEND)
		buf_adds(v, de ? (it->action == PLAN_SKIP ? "Übersprungen: " :
		    "Verpasst: ") : (it->action == PLAN_SKIP ? "skipped: " :
		    "missed: "));
	switch (it->occasion->kind) {
	case OCC_BIRTHDAY:
		buf_addf(v, de ? "Geburtstagsgruß an %s" :
		    "Birthday greeting to %s", who);
		break;
	case OCC_AFTER_PROJECT:
		buf_addf(v, de ? "Nachfrage zu %s an %s" :
		    "Follow-up on %s to %s", proj, who);
		break;
	case OCC_CASUAL:
		buf_addf(v, de ? "Lebenszeichen an %s" : "Check-in with %s",
		    who);
		break;
	case OCC_YEARLY:
		buf_addf(v, de ? "Gruß zu %s an %s" : "%s greeting to %s",
		    occ, who);
		break;
	default:
		buf_addf(v, de ? "Nachricht zu %s an %s" : "%s message to %s",
		    occ, who);
	}
}

static void
preview_ics(const struct prow *rows, size_t n, int64_t now,
    const char *lang)
{
	struct buf b, v;
	char stamp[40], start[40];

	buf_init(&b);
	buf_init(&v);
	ics_utc(now, stamp);
	cmd_ics_prop(&b, "BEGIN", "VCALENDAR", false);
	cmd_ics_prop(&b, "VERSION", "2.0", false);
	cmd_ics_prop(&b, "PRODID", "-//touchbase//touchbase " TOUCHBASE_VERSION
	    "//EN", false);
	cmd_ics_prop(&b, "CALSCALE", "GREGORIAN", false);
	cmd_ics_prop(&b, "X-WR-CALNAME", "touchbase preview", true);
	for (size_t i = 0; i < n; i++) {
		const struct prow *r = &rows[i];
		const struct plan_item *it = r->it;

		ics_utc(it->due, start);
		cmd_ics_prop(&b, "BEGIN", "VEVENT", false);
		cmd_ics_prop(&b, "UID", r->uid, true);
		cmd_ics_prop(&b, "DTSTAMP", stamp, false);
		cmd_ics_prop(&b, "DTSTART", start, false);
		buf_reset(&v);
		buf_addf(&v, "%lld", (long long)r->sequence);
		cmd_ics_prop(&b, "SEQUENCE", v.data, false);
		buf_reset(&v);
		ics_summary(&v, it, lang);
		cmd_ics_prop(&b, "SUMMARY", v.data, true);
		buf_reset(&v);
		buf_addf(&v, "client: %s\noccurrence: %s", it->client->id,
		    it->occurrence);
		if (r->tmpl != NULL)
			buf_addf(&v, "\ntemplate: %s", r->tmpl);
		if (it->note[0] != '\0')
			buf_addf(&v, "\nnote: %s", it->note);
		cmd_ics_prop(&b, "DESCRIPTION", v.data, true);
		cmd_ics_prop(&b, "CATEGORIES", it->occasion->name, true);
		cmd_ics_prop(&b, "STATUS", it->action == PLAN_SEND ? "CONFIRMED" :
		    "CANCELLED", false);
		cmd_ics_prop(&b, "TRANSP", "TRANSPARENT", false);
		cmd_ics_prop(&b, "END", "VEVENT", false);
	}
	cmd_ics_prop(&b, "END", "VCALENDAR", false);
	buf_free(&b);
	buf_free(&v);
}

/* --- the command ------------------------------------------------------- */

/* The send log and how far the daemon has carried the plan out. */
static int
preview_history(const struct settings *s, const struct tz *tz,
    struct history **out, int64_t *carried, struct owner *say)
{
	struct ledger *l = NULL;
	char *err = NULL;
	bool found;

	*out = history_new();
	if (access(s->database, F_OK) != 0)
		return 0;
	if (ledger_open(s->database, LEDGER_READONLY, &l, &err) == -1 ||
	    ledger_load_history(l, *out, &err) == -1 ||
	    ledger_state_get(l, PLANNER_STATE_CARRIED, &found, carried, NULL,
	    &err) == -1 ||
	    ledger_load_owner(l, say, &err) == -1) {
		fprintf(stderr, "touchbase preview: %s\n", err);
		free(err);
		ledger_close(l);
		return -1;
	}
	cmd_clock_behind(l, "preview", time(NULL), tz);
	ledger_close(l);
	return 0;
}

/* Deferred messages are the send log's, not the plan's: the daemon
 * retries them at their next attempt.  Says on standard error how many
 * come before until (and the first few), so the listing is not taken
 * for all that goes. */
static void
preview_retries(const struct settings *s, const struct tz *tz,
    const char *client, int64_t until)
{
	struct ledger_filter f = { HISTORY_NONE, HISTORY_NONE, client, true,
	    ST_DEFERRED };
	struct ledger_entry *e = NULL;
	struct ledger *l = NULL;
	char *err = NULL, when[17];
	size_t n = 0, due = 0, shown = 0;

	if (access(s->database, F_OK) != 0)
		return;
	if (ledger_open(s->database, LEDGER_READONLY, &l, &err) == -1 ||
	    ledger_list(l, &f, &e, &n, &err) == -1) {
		fprintf(stderr, "touchbase preview: %s\n", err);
		free(err);
		ledger_close(l);
		return;
	}
	for (size_t i = 0; i < n; i++)
		due += e[i].next_attempt < until;
	if (due > 0)
		fprintf(stderr, "touchbase preview: also %zu deferred message%s "
		    "to retry, not listed above:", due, due == 1 ? "" : "s");
	for (size_t i = 0; i < n && due > 0; i++) {
		if (e[i].next_attempt >= until)
			continue;
		if (shown++ == 3) {
			fprintf(stderr, ", …");
			break;
		}
		cmd_format_minute(tz, e[i].next_attempt, when);
		fprintf(stderr, "%s %s %s from %s", shown > 1 ? "," : "",
		    e[i].client, e[i].occurrence, when);
	}
	if (due > 0)
		fprintf(stderr, " (touchbase log --status deferred)\n");
	ledger_entries_free(e, n);
	ledger_close(l);
}

static int
preview_parse_days(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 ||
	    v > PREVIEW_MAX_DAYS) {
		fprintf(stderr, "touchbase preview: --days: '%s' is not a "
		    "number of days from 1 to %d\n", s, PREVIEW_MAX_DAYS);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int
cmd_preview_plan(const struct settings *s, const struct book *b,
    const struct history *h, int64_t from, int64_t carried, int64_t show,
    int days, const char *only, struct owner *say, struct plan *plan,
    size_t *first, char **err)
{
	struct planner_opts o;
	int64_t day, until;
	int sec;

	memset(&o, 0, sizeof(o));
	o.from = from;
	o.carried_until = carried;
	tz_utc_to_local(b->sender_tz, show > from ? show : from, &day, &sec);
	o.until = tz_local_to_utc(b->sender_tz, day + days, sec);
	o.only_client = only;
	o.say = say;
	*first = 0;
	until = o.until;
	o.until += CMD_PLAN_MARGIN * (int64_t)DAY_SECONDS;
	if (planner_plan_near(s, b, h, &o, until, plan, err) == -1)
		return -1;
	/* A window into the plan: what lies before it is not shown. */
	for (size_t i = 0; i < plan->n; i++)
		if (show > from && plan->items[i].due < show)
			*first = i + 1;
	return 0;
}

/* The rows of the plan from o->from to o->until in format. */
static void
preview_print(const struct tz *z, enum preview_format format,
    const struct prow *rows, size_t n, const struct planner_opts *o,
    int64_t now, const char *lang)
{
	char fb[17], ub[17];

	switch (format) {
	case FMT_TABLE:
		cmd_format_minute(z, o->from, fb);
		cmd_format_minute(z, o->until, ub);
		preview_table(rows, n, fb, ub);
		break;
	case FMT_CSV:
		/* RFC 4180: CRLF line ends, a header row. */
		cmd_print_csv_ref(stdout, preview_fields, NFIELDS, n, "\r\n",
		    preview_field, rows);
		break;
	case FMT_JSON:
		cmd_print_json_ref(stdout, preview_fields, NFIELDS, n,
		    preview_field, rows);
		break;
	case FMT_ICS:
		preview_ics(rows, n, now, lang);
		break;
	}
}

/* The options of `preview`. */
struct preview_args {
	const char	*from_s, *down_s, *client, *fmt;
	int		 days;
};

/* Parses the options; returns -1 to go on, else the exit status (after
 * printing the help or the usage). */
static int
preview_options(int argc, char **argv, struct preview_args *a)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "days", required_argument, NULL, 'D' },
		{ "client", required_argument, NULL, 'C' },
		{ "format", required_argument, NULL, 'f' },
		{ "as-if-down-until", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			a->from_s = optarg;
			break;
		case 'A':
			a->down_s = optarg;
			break;
		case 'D':
			if (preview_parse_days(optarg, &a->days) == -1)
				return 2;
			break;
		case 'C':
			a->client = optarg;
			break;
		case 'f':
			a->fmt = optarg;
			break;
		case 'h':
			printf(PREVIEW_USAGE
			    "Shows what touchbased would send from --from "
			    "(default now; a date means its\n"
			    "midnight in the sender's time zone) for --days "
			    "(default 30), in send order,\n"
			    "with the template chosen and why a message moved, "
			    "is skipped or missed.\n"
			    "--from is a window into the plan computed from now "
			    "with the send log as it is;\n"
			    "--as-if-down-until DATE plans as if the daemon "
			    "first ran again at DATE,\n"
			    "to see what it would catch up or miss.  It reads "
			    "the send log when the\n"
			    "database exists; without one, every client counts "
			    "as first seen when the\n"
			    "plan starts, so nothing before it is caught up or "
			    "missed.\n");
			return 0;
		default:
			fprintf(stderr, PREVIEW_USAGE);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "touchbase preview: unexpected argument '%s'\n"
		    PREVIEW_USAGE, argv[optind]);
		return 2;
	}
	return -1;
}

int
cmd_preview(const char *config, int argc, char **argv)
{
	struct preview_args a = { NULL, NULL, NULL, "table", 30 };
	const char *from_s, *down_s, *client;
	enum preview_format format;
	struct config *c = NULL;
	struct history *h = NULL;
	struct plan plan = { NULL, 0 };
	struct planner_opts o;
	struct owner say;
	struct prow *rows = NULL;
	struct diag d;
	char *err = NULL;
	int64_t now = time(NULL), day;
	long long from, down;
	size_t first = 0, nshown = 0, *order;
	int ch, days, sec, rc = 1;

	if ((rc = preview_options(argc, argv, &a)) != -1)
		return rc;
	rc = 1;
	from_s = a.from_s;
	down_s = a.down_s;
	client = a.client;
	days = a.days;
	if ((ch = cmd_parse_format("preview", a.fmt, preview_formats)) == -1)
		return 2;
	format = (enum preview_format)ch;
	owner_init(&say);

	diag_init(&d);
	if (config_load(config, &c, &d) == -1) {
		diag_print(&d, stderr);
		fprintf(stderr, "touchbase preview: %s has errors; run "
		    "'touchbase check'\n", config);
		goto out;
	}
	down = now;
	if (down_s != NULL && cmd_parse_when("--as-if-down-until", down_s,
	    c->book->sender_tz, &down) == -1) {
		rc = 2;
		goto out;
	}
	from = down;
	if (from_s != NULL && cmd_parse_when("--from", from_s,
	    c->book->sender_tz, &from) == -1) {
		rc = 2;
		goto out;
	}
	if (client != NULL &&
	    cmd_find_client(c->book, "preview", client) == NULL)
		goto out;
	memset(&o, 0, sizeof(o));
	if (preview_history(c->settings, c->book->sender_tz, &h,
	    &o.carried_until, &say) == -1)
		goto out;
	/* --days are calendar days in the sender's zone. */
	tz_utc_to_local(c->book->sender_tz, from, &day, &sec);
	o.until = tz_local_to_utc(c->book->sender_tz, day + days, sec);
	if (cmd_preview_plan(c->settings, c->book, h, down, o.carried_until,
	    from, days, client, &say, &plan, &first, &err) == -1) {
		fprintf(stderr, "touchbase preview: %s\n", err);
		free(err);
		goto out;
	}
	/* Variants rotate through the whole plan; the window shows its part
	 * of it. */
	rows = xcalloc(plan.n ? plan.n : 1, sizeof(*rows));
	for (size_t i = 0; i < plan.n; i++)
		preview_row(&rows[i], &plan.items[i], format == FMT_TABLE);
	/* before preview_template() adds the plan to the history */
	if (format == FMT_ICS)
		preview_ics_ids(rows, plan.n, h);
	order = preview_by_client(c->book, &plan);
	for (size_t k = 0; k < plan.n; k++)
		rows[order[k]].tmpl = preview_template(c, h,
		    &plan.items[order[k]]);
	free(order);
	nshown = plan.n - first;
	o.from = from;
	preview_print(c->book->sender_tz, format, rows + first, nshown, &o,
	    now, c->settings->language);
	rc = cmd_flush_stdout("preview");
	preview_retries(c->settings, c->book->sender_tz, client, o.until);
out:
	for (size_t i = 0; rows != NULL && i < plan.n; i++)
		free(rows[i].uid);
	free(rows);
	plan_free(&plan);
	owner_free(&say);
	history_free(h);
	config_free(c);
	diag_free(&d);
	return rc;
}
