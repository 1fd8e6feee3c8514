/*
 * report.c - the report page and the digest, drawn from a struct report.
 *
 * One renderer for both: the digest's HTML alternative uses the same
 * sections (a table of messages, the outcome counts, the quiet clients)
 * as the page.  No script, no outside resource; charts are inline SVG
 * with their numbers also in text, so a reader without SVG loses
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "report.h"
#include "timeutil.h"
#include "xalloc.h"

/* Words, English and German. */
enum word {
	W_TITLE, W_MADE, W_CLIENTS, W_NEXT30, W_AWAITING, W_DEFERRED,
	W_FAILED, W_BOUNCED, W_REPLIES90, W_COMING, W_ALL_CLIENTS, W_CLIENT,
	W_LAST_CONTACT, W_SOURCE, W_LAST_MESSAGE, W_NEXT_PLANNED,
	W_MSGS12, W_REPLIES, W_STATE, W_QUIET, W_YEAR, W_WEEKS, W_NOTHING,
	W_PAUSED, W_OPTED_OUT, W_HELD, W_SRC_NONE, W_SRC_MESSAGE,
	W_SRC_TOUCH, W_SRC_MAIL, W_SRC_BOOK, W_LIMIT, W_SENT, W_SKIPPED,
	W_MISSED, W_REPLIED, W_DATE, W_OCCASION, W_SINCE, W_DIGEST,
	W_DIGEST_COMING, W_DIGEST_WAIT, W_DIGEST_LAST, W_DIGEST_QUIET,
	W_DIGEST_PLANNED,
	W_APPROVE_ALL, W_APPROVED, W_WAITING, W_DAYS, W_PER_DAY, W_WEEK,
	W_COUNT
};

static const char *const words[W_COUNT][2] = {
	[W_TITLE] = { "How your relationships stand", "Wie Ihre Kontakte stehen" },
	[W_MADE] = { "as of", "Stand" },
	[W_CLIENTS] = { "clients", "Kontakte" },
	[W_NEXT30] = { "messages in the next 30 days", "Nachrichten in den nächsten 30 Tagen" },
	[W_AWAITING] = { "awaiting approval", "warten auf Freigabe" },
	[W_DEFERRED] = { "deferred", "zurückgestellt" },
	[W_FAILED] = { "failed", "fehlgeschlagen" },
	[W_BOUNCED] = { "bounced", "unzustellbar" },
	[W_REPLIES90] = { "replies in the last 90 days", "Antworten in den letzten 90 Tagen" },
	[W_COMING] = { "The coming weeks", "Die kommenden Wochen" },
	[W_ALL_CLIENTS] = { "Every client", "Alle Kontakte" },
	[W_CLIENT] = { "Client", "Kontakt" },
	[W_LAST_CONTACT] = { "Last contact", "Letzter Kontakt" },
	[W_SOURCE] = { "via", "durch" },
	[W_LAST_MESSAGE] = { "Last message", "Letzte Nachricht" },
	[W_NEXT_PLANNED] = { "Next planned", "Nächste geplant" },
	[W_MSGS12] = { "Messages (12 months)", "Nachrichten (12 Monate)" },
	[W_REPLIES] = { "Replies", "Antworten" },
	[W_STATE] = { "State", "Status" },
	[W_QUIET] = { "Quiet the longest", "Am längsten still" },
	[W_YEAR] = { "Planned messages per day, the next 12 months", "Geplante Nachrichten pro Tag, die nächsten 12 Monate" },
	[W_WEEKS] = { "Delivery outcomes per week, the last 90 days", "Zustellung pro Woche, die letzten 90 Tage" },
	[W_NOTHING] = { "nothing", "nichts" },
	[W_PAUSED] = { "paused", "pausiert" },
	[W_OPTED_OUT] = { "opted out", "abgemeldet" },
	[W_HELD] = { "held", "angehalten" },
	[W_SRC_NONE] = { "first seen", "erstmals gesehen" },
	[W_SRC_MESSAGE] = { "message", "Nachricht" },
	[W_SRC_TOUCH] = { "touch", "Kontakt" },
	[W_SRC_MAIL] = { "mail", "E-Mail" },
	[W_SRC_BOOK] = { "book", "Adressbuch" },
	[W_LIMIT] = { "daily limit", "Tageslimit" },
	[W_SENT] = { "sent", "gesendet" },
	[W_SKIPPED] = { "skipped", "übersprungen" },
	[W_MISSED] = { "missed", "verpasst" },
	[W_REPLIED] = { "replied", "beantwortet" },
	[W_DATE] = { "Date", "Datum" },
	[W_OCCASION] = { "Occasion", "Anlass" },
	[W_SINCE] = { "days quiet", "Tage still" },
	[W_DIGEST] = { "touchbase digest", "touchbase-Übersicht" },
	[W_DIGEST_COMING] = { "Going out in the coming period", "Geht im kommenden Zeitraum hinaus" },
	[W_DIGEST_WAIT] = { "Awaiting your approval", "Wartet auf Ihre Freigabe" },
	[W_DIGEST_LAST] = { "The last period", "Der letzte Zeitraum" },
	[W_DIGEST_QUIET] = { "Quiet the longest", "Am längsten still" },
	[W_DIGEST_PLANNED] = { "planned", "geplant" },
	[W_APPROVE_ALL] = { "to approve everything up to a day:", "um alles bis zu einem Tag freizugeben:" },
	[W_APPROVED] = { "approved", "freigegeben" },
	[W_WAITING] = { "awaiting approval", "wartet auf Freigabe" },
	[W_DAYS] = { "days", "Tage" },
	[W_PER_DAY] = { "per day", "pro Tag" },
	[W_WEEK] = { "week of", "Woche ab" },
};

static const char *
W(const struct report *r, enum word w)
{
	int de = r->lang != NULL && strncmp(r->lang, "de", 2) == 0 &&
	    (r->lang[2] == '\0' || r->lang[2] == '-');

	return words[w][de];
}

static void
html(struct buf *b, const char *s)
{
	buf_add_html(b, s != NULL ? s : "", BUF_HTML_QUOTES);
}

static void
day_text(int64_t day, char out[static 11])
{
	if (day == HISTORY_NONE)
		snprintf(out, 11, "—");
	else
		timeutil_format_date(day, out);
}

static const char *
source_word(const struct report *r, enum report_source s)
{
	static const enum word w[] = { W_SRC_NONE, W_SRC_MESSAGE,
	    W_SRC_TOUCH, W_SRC_MAIL, W_SRC_BOOK };

	return W(r, w[s]);
}

static const char *
outcome_word(const struct report *r, enum report_outcome o)
{
	static const enum word w[REPORT_NOUTCOMES] = { W_SENT, W_DEFERRED,
	    W_FAILED, W_BOUNCED, W_SKIPPED, W_MISSED, W_REPLIED };

	return W(r, w[o]);
}

static const char *const outcome_colour[REPORT_NOUTCOMES] = {
	"#2e7d32", "#f9a825", "#c62828", "#6a1b9a", "#90a4ae", "#5d4037",
	"#1565c0"
};

static const char report_css[] =
	"@page{size:A4 portrait;margin:14mm}"
	"body{font:10pt/1.35 -apple-system,'Segoe UI',Helvetica,Arial,"
	"sans-serif;color:#222;margin:0 auto;max-width:180mm;padding:8px}"
	"h1{font-size:16pt;margin:0 0 2px}h2{font-size:12pt;margin:18px 0 6px;"
	"break-after:avoid}"
	".made{color:#666;margin:0 0 10px}"
	".counts{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0}"
	".counts li{list-style:none;border:1px solid #ccc;border-radius:4px;"
	"padding:4px 8px}.counts b{font-size:13pt;display:block}"
	"table{border-collapse:collapse;width:100%;table-layout:fixed}"
	"th,td{border-bottom:1px solid #ddd;padding:2px 4px;text-align:left;"
	"vertical-align:top;overflow-wrap:anywhere}"
	"th{background:#f3f3f3}thead{display:table-header-group}"
	"tr{break-inside:avoid}td.n,th.n{text-align:right}"
	".cal td{height:46px;font-size:8pt;width:14%}.cal .d{color:#666}"
	".cal .we{background:#fafafa}"
	".st{font-size:8pt;border-radius:3px;padding:0 3px;background:#eee}"
	"svg{width:100%;height:auto;display:block}"
	".legend span{margin-right:10px}.legend i{font-style:normal}"
	"figure{margin:0;break-inside:avoid}";

static void
counts_li(struct buf *b, const struct report *r, size_t n, enum word w)
{
	buf_addf(b, "<li><b>%zu</b>", n);
	html(b, W(r, w));
	buf_adds(b, "</li>\n");
}

static void
report_header(const struct report *r, struct buf *b)
{
	buf_adds(b, "<h1>");
	html(b, W(r, W_TITLE));
	buf_adds(b, "</h1>\n<p class=\"made\">");
	html(b, r->sender_name);
	if (r->sender_name != NULL && *r->sender_name != '\0')
		buf_adds(b, " · ");
	html(b, W(r, W_MADE));
	buf_adds(b, " ");
	html(b, r->now_text);
	buf_adds(b, "</p>\n<ul class=\"counts\" id=\"counts\">\n");
	counts_li(b, r, r->nclients, W_CLIENTS);
	counts_li(b, r, r->next30, W_NEXT30);
	counts_li(b, r, r->awaiting, W_AWAITING);
	counts_li(b, r, r->deferred, W_DEFERRED);
	counts_li(b, r, r->failed, W_FAILED);
	counts_li(b, r, r->bounced, W_BOUNCED);
	counts_li(b, r, r->replies90, W_REPLIES90);
	buf_adds(b, "</ul>\n");
}

/* The coming weeks: a calendar of whole weeks from the Monday of
 * from_day, r->days days long. */
static void
report_calendar(const struct report *r, struct buf *b)
{
	int64_t first = r->from_day - timeutil_weekday(r->from_day);
	int64_t end = r->from_day + r->days;
	size_t k = 0;

	buf_adds(b, "<h2>");
	html(b, W(r, W_COMING));
	buf_adds(b, "</h2>\n<table class=\"cal\" id=\"calendar\"><thead><tr>");
	for (int wd = 0; wd < 7; wd++)
		buf_addf(b, "<th>%s</th>", timeutil_weekday_name(wd));
	buf_adds(b, "</tr></thead><tbody>\n");
	for (int64_t week = first; week < end; week += 7) {
		buf_adds(b, "<tr>");
		for (int64_t day = week; day < week + 7; day++) {
			char d[11];

			timeutil_format_date(day, d);
			buf_addf(b, "<td%s><span class=\"d\">%s</span>",
			    timeutil_weekday(day) >= 5 ? " class=\"we\"" : "",
			    d + 5);
			while (k < r->nmsgs && r->msgs[k].day < day)
				k++;
			for (size_t i = k; i < r->nmsgs &&
			    r->msgs[i].day == day; i++) {
				if (day < r->from_day || day >= end)
					continue;
				buf_adds(b, "<br>");
				html(b, r->msgs[i].name);
				buf_adds(b, " (");
				html(b, r->msgs[i].occasion);
				buf_adds(b, ")");
			}
			buf_adds(b, "</td>");
		}
		buf_adds(b, "</tr>\n");
	}
	buf_adds(b, "</tbody></table>\n");
}

static void
report_state(const struct report *r, const struct report_client *c,
    struct buf *b)
{
	const struct { bool on; enum word w; } st[] = {
		{ c->paused, W_PAUSED }, { c->opted_out, W_OPTED_OUT },
		{ c->bounced, W_BOUNCED }, { c->held, W_HELD }
	};

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (st[i].on) {
			buf_adds(b, "<span class=\"st\">");
			html(b, W(r, st[i].w));
			buf_adds(b, "</span> ");
		}
}

static void
report_clients(const struct report *r, struct buf *b)
{
	buf_adds(b, "<h2>");
	html(b, W(r, W_ALL_CLIENTS));
	buf_adds(b, "</h2>\n<table id=\"clients\"><thead><tr><th style=\"width:"
	    "20%\">");
	html(b, W(r, W_CLIENT));
	buf_adds(b, "</th><th>");
	html(b, W(r, W_LAST_CONTACT));
	buf_adds(b, "</th><th>");
	html(b, W(r, W_LAST_MESSAGE));
	buf_adds(b, "</th><th>");
	html(b, W(r, W_NEXT_PLANNED));
	buf_adds(b, "</th><th class=\"n\">");
	html(b, W(r, W_MSGS12));
	buf_adds(b, "</th><th class=\"n\">");
	html(b, W(r, W_REPLIES));
	buf_adds(b, "</th><th>");
	html(b, W(r, W_STATE));
	buf_adds(b, "</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < r->nclients_rows; i++) {
		const struct report_client *c = &r->clients[i];
		char d[11];

		buf_adds(b, "<tr data-client=\"");
		html(b, c->id);
		buf_adds(b, "\"><td>");
		html(b, c->name);
		buf_adds(b, "<br><small>");
		html(b, c->id);
		buf_adds(b, "</small></td><td>");
		day_text(c->last_contact, d);
		buf_addf(b, "%s<br><small>", d);
		html(b, source_word(r, c->source));
		buf_adds(b, "</small></td><td>");
		day_text(c->last_message, d);
		buf_adds(b, d);
		if (c->last_occasion != NULL) {
			buf_adds(b, "<br><small>");
			html(b, c->last_occasion);
			buf_adds(b, "</small>");
		}
		buf_adds(b, "</td><td>");
		day_text(c->next_planned, d);
		buf_adds(b, d);
		if (c->next_occasion != NULL) {
			buf_adds(b, "<br><small>");
			html(b, c->next_occasion);
			buf_adds(b, "</small>");
		}
		buf_addf(b, "</td><td class=\"n\">%d</td><td class=\"n\">%d"
		    "</td><td>", c->messages_12m, c->replies);
		report_state(r, c, b);
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</tbody></table>\n");
}

/* The quietest clients, at most max. */
static void
report_quiet(const struct report *r, struct buf *b, size_t max,
    const char *id)
{
	buf_addf(b, "<table id=\"%s\"><thead><tr><th>", id);
	html(b, W(r, W_CLIENT));
	buf_adds(b, "</th><th>");
	html(b, W(r, W_LAST_CONTACT));
	buf_adds(b, "</th><th class=\"n\">");
	html(b, W(r, W_SINCE));
	buf_adds(b, "</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < r->nquiet && i < max; i++) {
		const struct report_client *c = &r->clients[r->quiet[i]];
		char d[11];

		buf_adds(b, "<tr><td>");
		html(b, c->name);
		day_text(c->last_contact, d);
		buf_addf(b, "</td><td>%s (", d);
		html(b, source_word(r, c->source));
		if (c->last_contact != HISTORY_NONE)
			buf_addf(b, ")</td><td class=\"n\">%lld</td></tr>\n",
			    (long long)(r->today - c->last_contact));
		else
			buf_adds(b, ")</td><td class=\"n\">—</td></tr>\n");
	}
	buf_adds(b, "</tbody></table>\n");
}

/* Planned per day for a year as bars against the daily limit. */
static void
report_year(const struct report *r, struct buf *b)
{
	int max = r->daily_limit, total = 0, busiest = 0;
	const int w = 730, h = 160, top = 10;
	double x, bw;

	for (size_t i = 0; i < r->nyear; i++) {
		if (r->per_day[i] > max)
			max = r->per_day[i];
		if (r->per_day[i] > busiest)
			busiest = r->per_day[i];
		total += r->per_day[i];
	}
	if (max < 1)
		max = 1;
	buf_adds(b, "<h2>");
	html(b, W(r, W_YEAR));
	buf_adds(b, "</h2>\n<figure id=\"year\">");
	buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
	    "%d %d\" role=\"img\" aria-label=\"%d\">", w, h + 20, total);
	bw = r->nyear > 0 ? (double)(w - 30) / (double)r->nyear : 1;
	for (size_t i = 0; i < r->nyear; i++) {
		struct civil_date cd;
		double bh = (double)(h - top) * r->per_day[i] / max;

		x = 30 + bw * (double)i;
		timeutil_civil_from_days(r->year_first + (int64_t)i, &cd);
		if (cd.day == 1)
			buf_addf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" "
			    "fill=\"#666\">%02d</text><line x1=\"%.1f\" x2=\""
			    "%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>", x,
			    h + 14, cd.month, x, x, top, h);
		if (r->per_day[i] > 0)
			buf_addf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f"
			    "\" height=\"%.2f\" fill=\"%s\"/>", x,
			    (double)h - bh, bw > 1.2 ? bw - 0.4 : bw, bh,
			    r->per_day[i] > r->daily_limit ? "#c62828" :
			    "#1565c0");
	}
	{
		double ly = (double)h - (double)(h - top) * r->daily_limit /
		    max;

		buf_addf(b, "<line x1=\"30\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#c62828\" stroke-dasharray=\"4 3\"/>"
		    "<text x=\"0\" y=\"%.1f\" font-size=\"9\" fill=\"#c62828\">"
		    "%d</text>", w, ly, ly, ly + 3, r->daily_limit);
	}
	buf_adds(b, "</svg><figcaption>");
	html(b, W(r, W_LIMIT));
	buf_addf(b, " %d; ", r->daily_limit);
	buf_addf(b, "<span id=\"year-total\">%d</span> · max %d ", total,
	    busiest);
	html(b, W(r, W_PER_DAY));
	buf_adds(b, "</figcaption></figure>\n");
}

/* Outcomes per week as stacked bars. */
static void
report_weeks(const struct report *r, struct buf *b)
{
	const int w = 730, h = 150, top = 10;
	int max = 1;
	double bw;

	for (size_t i = 0; i < r->nweeks; i++) {
		int sum = 0;

		for (int o = 0; o < REPORT_REPLIED; o++)
			sum += r->weeks[i].n[o];
		if (sum > max)
			max = sum;
	}
	buf_adds(b, "<h2>");
	html(b, W(r, W_WEEKS));
	buf_adds(b, "</h2>\n<figure id=\"weeks\">");
	buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
	    "%d %d\" role=\"img\">", w, h + 20);
	bw = r->nweeks > 0 ? (double)(w - 10) / (double)r->nweeks : 1;
	for (size_t i = 0; i < r->nweeks; i++) {
		double x = 10 + bw * (double)i, y = h;
		char d[11];

		for (int o = 0; o < REPORT_REPLIED; o++) {
			double bh = (double)(h - top) * r->weeks[i].n[o] / max;

			if (r->weeks[i].n[o] == 0)
				continue;
			y -= bh;
			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"%s\"/>", x, y, bw * 0.8, bh,
			    outcome_colour[o]);
		}
		timeutil_format_date(r->weeks[i].day, d);
		buf_addf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" "
		    "fill=\"#666\">%s</text>", x, h + 14, d + 5);
	}
	buf_adds(b, "</svg><figcaption class=\"legend\">");
	for (int o = 0; o < REPORT_NOUTCOMES; o++) {
		int sum = 0;

		for (size_t i = 0; i < r->nweeks; i++)
			sum += r->weeks[i].n[o];
		buf_addf(b, "<span><i style=\"color:%s\">&#9632;</i> ",
		    outcome_colour[o]);
		html(b, outcome_word(r, (enum report_outcome)o));
		buf_addf(b, " <b id=\"weeks-%d\">%d</b></span>", o, sum);
	}
	buf_adds(b, "</figcaption></figure>\n");
}

static void
report_head(const struct report *r, struct buf *b, const char *title)
{
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
	html(b, r->lang != NULL && strncmp(r->lang, "de", 2) == 0 ? "de" :
	    "en");
	buf_adds(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>");
	html(b, title);
	buf_addf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n",
	    report_css);
}

void
report_html(const struct report *r, struct buf *out)
{
	report_head(r, out, W(r, W_TITLE));
	report_header(r, out);
	report_calendar(r, out);
	report_clients(r, out);
	buf_adds(out, "<h2>");
	html(out, W(r, W_QUIET));
	buf_adds(out, "</h2>\n");
	report_quiet(r, out, 10, "quiet");
	report_year(r, out);
	report_weeks(r, out);
	buf_adds(out, "</body>\n</html>\n");
}

/* --- the digest ----------------------------------------------------- */

static void
msg_when(const struct report_msg *m, char out[static 24])
{
	char d[11];

	timeutil_format_date(m->day, d);
	snprintf(out, 24, "%s %02u:%02u", d, (unsigned)m->minute / 60 % 24,
	    (unsigned)m->minute % 60);
}

static void
digest_msgs_html(const struct report *r, const struct report_msg *m,
    size_t n, bool cmd, struct buf *b, const char *id)
{
	if (n == 0) {
		buf_adds(b, "<p>");
		html(b, W(r, W_NOTHING));
		buf_adds(b, "</p>\n");
		return;
	}
	buf_addf(b, "<table id=\"%s\"><thead><tr><th>", id);
	html(b, W(r, W_DATE));
	buf_adds(b, "</th><th>");
	html(b, W(r, W_CLIENT));
	buf_adds(b, "</th><th>");
	html(b, W(r, W_OCCASION));
	buf_adds(b, "</th><th></th></tr></thead><tbody>\n");
	for (size_t i = 0; i < n; i++) {
		char when[24];

		msg_when(&m[i], when);
		buf_addf(b, "<tr><td>%s</td><td>", when);
		html(b, m[i].name);
		buf_adds(b, "</td><td>");
		html(b, m[i].occurrence);
		buf_adds(b, "</td><td>");
		if (cmd) {
			buf_adds(b, "<code>touchbase approve ");
			html(b, m[i].id);
			buf_adds(b, "</code>");
		} else if (m[i].say == PLAN_SAY_AWAITING)
			html(b, W(r, W_WAITING));
		else if (m[i].say == PLAN_SAY_APPROVED)
			html(b, W(r, W_APPROVED));
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</tbody></table>\n");
}

char *
report_digest_subject(const struct report *r, const char *period)
{
	return xasprintf("%s %s: %zu %s, %zu %s", W(r, W_DIGEST), period,
	    r->nmsgs, W(r, W_DIGEST_PLANNED), r->nwaiting, W(r, W_AWAITING));
}

void
report_digest_html(const struct report *r, const char *period,
    struct buf *out)
{
	char *title = xasprintf("%s %s", W(r, W_DIGEST), period);

	report_head(r, out, title);
	buf_adds(out, "<h1>");
	html(out, title);
	buf_adds(out, "</h1>\n<h2>");
	html(out, W(r, W_DIGEST_COMING));
	buf_adds(out, "</h2>\n");
	digest_msgs_html(r, r->msgs, r->nmsgs, false, out, "coming");
	if (r->approval_required) {
		buf_adds(out, "<h2>");
		html(out, W(r, W_DIGEST_WAIT));
		buf_adds(out, "</h2>\n");
		digest_msgs_html(r, r->waiting, r->nwaiting, true, out,
		    "waiting");
	}
	buf_adds(out, "<h2>");
	html(out, W(r, W_DIGEST_LAST));
	buf_adds(out, "</h2>\n<ul class=\"counts\">\n");
	for (int o = 0; o < REPORT_NOUTCOMES; o++) {
		if (o == REPORT_SKIPPED || o == REPORT_MISSED)
			continue;
		buf_addf(out, "<li><b>%d</b>", r->last[o]);
		html(out, outcome_word(r, (enum report_outcome)o));
		buf_adds(out, "</li>\n");
	}
	buf_adds(out, "</ul>\n<h2>");
	html(out, W(r, W_DIGEST_QUIET));
	buf_adds(out, "</h2>\n");
	report_quiet(r, out, 5, "quiet");
	buf_adds(out, "</body>\n</html>\n");
	free(title);
}

void
report_digest_text(const struct report *r, const char *period,
    struct buf *out)
{
	buf_addf(out, "%s %s\n\n%s:\n", W(r, W_DIGEST), period,
	    W(r, W_DIGEST_COMING));
	if (r->nmsgs == 0)
		buf_addf(out, "  %s\n", W(r, W_NOTHING));
	for (size_t i = 0; i < r->nmsgs; i++) {
		char when[24];

		msg_when(&r->msgs[i], when);
		buf_addf(out, "  %s  %s  %s%s%s\n", when, r->msgs[i].name,
		    r->msgs[i].occurrence,
		    r->msgs[i].say == PLAN_SAY_AWAITING ? "  " : "",
		    r->msgs[i].say == PLAN_SAY_AWAITING ?
		    W(r, W_WAITING) : "");
	}
	if (r->approval_required) {
		buf_addf(out, "\n%s:\n", W(r, W_DIGEST_WAIT));
		if (r->nwaiting == 0)
			buf_addf(out, "  %s\n", W(r, W_NOTHING));
		for (size_t i = 0; i < r->nwaiting; i++) {
			char when[24];

			msg_when(&r->waiting[i], when);
			buf_addf(out, "  %s  %s  %s\n    touchbase approve %s\n",
			    when, r->waiting[i].name,
			    r->waiting[i].occurrence, r->waiting[i].id);
		}
		if (r->nwaiting > 0)
			buf_addf(out, "  %s touchbase approve --until "
			    "YYYY-MM-DD\n", W(r, W_APPROVE_ALL));
	}
	buf_addf(out, "\n%s:\n", W(r, W_DIGEST_LAST));
	for (int o = 0; o < REPORT_NOUTCOMES; o++)
		if (o != REPORT_SKIPPED && o != REPORT_MISSED)
			buf_addf(out, "  %-14s %d\n",
			    outcome_word(r, (enum report_outcome)o),
			    r->last[o]);
	buf_addf(out, "\n%s:\n", W(r, W_DIGEST_QUIET));
	for (size_t i = 0; i < r->nquiet && i < 5; i++) {
		const struct report_client *c = &r->clients[r->quiet[i]];
		char d[11];

		day_text(c->last_contact, d);
		buf_addf(out, "  %s  %s (%s)\n", c->name, d,
		    source_word(r, c->source));
	}
}

void
report_clear(struct report *r)
{
	free(r->clients);
	free(r->quiet);
	free(r->msgs);
	free(r->waiting);
	free(r->per_day);
	free(r->weeks);
	memset(r, 0, sizeof(*r));
}
