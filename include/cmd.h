/*
 * cmd.h - the subcommands of `touchbase`, one file each (cmd_*.c).
 *
 * Each gets the configuration path (already resolved: -c, then
 * $TOUCHBASE_CONFIG, then the default) and its own argv (argv[0] is the
 * subcommand's name; it parses its options with getopt_long).  It returns
 * the exit status: 0 success, 1 a user-facing error, 2 a usage error.
 * The current time is read once, by the command, with time(NULL).
 */
#ifndef TOUCHBASE_CMD_H
#define TOUCHBASE_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

int	cmd_check(const char *config, int argc, char **argv);
int	cmd_preview(const char *config, int argc, char **argv);
int	cmd_render(const char *config, int argc, char **argv);
int	cmd_log(const char *config, int argc, char **argv);
int	cmd_show(const char *config, int argc, char **argv);
int	cmd_touch(const char *config, int argc, char **argv);
int	cmd_optout(const char *config, int argc, char **argv);
int	cmd_test_mail(const char *config, int argc, char **argv);
int	cmd_import(const char *config, int argc, char **argv);
int	cmd_backup(const char *config, int argc, char **argv);
int	cmd_holidays(const char *config, int argc, char **argv);
int	cmd_inbox(const char *config, int argc, char **argv);
int	cmd_history(const char *config, int argc, char **argv);
int	cmd_report(const char *config, int argc, char **argv);
int	cmd_approve(const char *config, int argc, char **argv);
int	cmd_hold(const char *config, int argc, char **argv);
int	cmd_release(const char *config, int argc, char **argv);

/* check's whole work, shared with `touchbased -t`: prints every problem
 * as FILE:LINE: message to stderr, a summary to stdout; returns 0 or 1. */
int	cmd_check_run(const char *config);

/*
 * What `render` and `preview` ask the planner, for the commands and the
 * tests that hold them to the plan.  cmd_render_find(): the plan from
 * `from` (carried: how far the daemon has carried it out, 0: unknown)
 * up to day_end, for client cl; its item of occasion oc due in
 * [day_start, day_end), preferring one that is sent, or NULL (*err set
 * when the planner failed).  The plan is kept in *plan (freed first).
 * cmd_preview_plan(): the plan from `from` for [show, show + days) in
 * the sender's calendar, with the owner's approvals and holds (say, NULL
 * for none); the items before *first lie before the window.
 * Both show what a plan to CMD_PLAN_MARGIN days beyond their end has
 * (planner_plan_near(), which plans as little beyond as gives the same):
 * a message moved by the daily limit keeps min_gap from later ones, so a
 * day's plan depends on the weeks after it.
 */
#define CMD_PLAN_MARGIN	92	/* days */
struct settings;
struct book;
struct history;
struct client;
struct occasion;
struct plan;
struct owner;
struct plan_item *cmd_render_find(const struct settings *s,
	    const struct book *b, const struct history *h,
	    const struct client *cl, const struct occasion *oc, int64_t from,
	    int64_t carried, int64_t day_start, int64_t day_end,
	    struct plan *plan, char **err);
int	cmd_preview_plan(const struct settings *s, const struct book *b,
	    const struct history *h, int64_t from, int64_t carried,
	    int64_t show, int days, const char *only, struct owner *say,
	    struct plan *plan, size_t *first, char **err);

/* Shared by the commands: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]" in the
 * sender's time zone (tz) to an instant; -1 with a message on stderr. */
struct tz;
int	cmd_parse_when(const char *opt, const char *s, const struct tz *tz,
	    long long *out);

/*
 * Shared by the commands (cmd_common.c): finding a client and writing
 * tables, CSV and JSON.
 */
struct book;
struct client;
/* The client with id in b, or NULL after printing "touchbase CMD: no
 * client 'ID' in clients.conf (did you mean 'X'?)" to stderr. */
const struct client *cmd_find_client(const struct book *b, const char *cmd,
	    const char *id);
/* s as a JSON string with its quotes, or null when s is NULL.  Controls
 * are escaped and invalid UTF-8 becomes U+FFFD: the output is always
 * valid JSON. */
void	cmd_json_string(FILE *fp, const char *s);
/* s as one RFC 4180 field: quoted, with "" for ", when it holds a comma,
 * a quote, CR, LF or starts or ends with a space; nothing when NULL. */
void	cmd_csv_field(FILE *fp, const char *s);
/* s as a table cell of width characters (UTF-8 aware): controls become
 * spaces, a longer value is cut with "…", and with pad the rest is filled
 * with spaces. */
void	cmd_table_cell(FILE *fp, const char *s, int width, bool pad);
/* "2027-02-28 09:05": the minute of t in zone tz. */
void	cmd_format_minute(const struct tz *tz, int64_t t, char out[static 17]);
struct ledger;
/* When the send log has entries later than the clock (now), which makes
 * the daemon plan nothing, says so on standard error, with the way
 * back; for commands that show a plan or check. */
void	cmd_clock_behind(struct ledger *l, const char *cmd, int64_t now,
	    const struct tz *tz);
/* The index of s in names (NULL-terminated), or -1 after printing
 * "touchbase CMD: --format: unknown format 'S' (use a, b or c)". */
int	cmd_parse_format(const char *cmd, const char *s,
	    const char *const *names);
/* Field i of row of a listing, for cmd_print_csv and cmd_print_json: an
 * allocated string (the caller frees it), or NULL for no value.  *number
 * true leaves it unquoted in JSON. */
typedef char *cmd_field_fn(const void *ctx, size_t row, size_t i,
	    bool *number);
/* nrows rows as CSV: a header row of the nnames names, then one row each,
 * every line ended with eol ("\n" or "\r\n"); a field without value is
 * empty. */
void	cmd_print_csv(FILE *fp, const char *const *names, size_t nnames,
	    size_t nrows, const char *eol, cmd_field_fn *field,
	    const void *ctx);
/* nrows rows as a JSON array of objects keyed by names, one object a
 * line ("[]" when there are none); a field without value is null. */
void	cmd_print_json(FILE *fp, const char *const *names, size_t nnames,
	    size_t nrows, cmd_field_fn *field, const void *ctx);
struct buf;
/* The same for long listings, without an allocation per field: field i
 * of row as a string the printer reads only until it asks for the next
 * field (the row's own, or built in scratch, which comes empty), or NULL
 * for no value. */
typedef const char *cmd_field_ref_fn(const void *ctx, size_t row, size_t i,
	    bool *number, struct buf *scratch);
void	cmd_print_csv_ref(FILE *fp, const char *const *names, size_t nnames,
	    size_t nrows, const char *eol, cmd_field_ref_fn *field,
	    const void *ctx);
void	cmd_print_json_ref(FILE *fp, const char *const *names,
	    size_t nnames, size_t nrows, cmd_field_ref_fn *field,
	    const void *ctx);
/* One iCalendar content line "NAME:VALUE" to stdout, built in b: value
 * TEXT-escaped when text (RFC 5545 3.3.11), folded at 75 octets without
 * splitting a UTF-8 sequence, ended with CRLF. */
void	cmd_ics_prop(struct buf *b, const char *name, const char *value,
	    bool text);
/* Flushes stdout: 0, or 1 after printing "touchbase CMD: writing the
 * output: REASON". */
int	cmd_flush_stdout(const char *cmd);

#endif
