/*
 * book.c - clients.conf (libconfig): occasions and clients.
 *
 * The whole tree is walked even after the first problem so that one run
 * of `touchbase check` names all of them; only a book without errors is
 * handed out.
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <libconfig.h>

#include "arena.h"
#include "book.h"
#include "buf.h"
#include "diag.h"
#include "holidays.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"
#include "utf8.h"
#include "valid.h"
#include "xalloc.h"

#define BOOK_MAX_FILE	(64 * 1024 * 1024)
#define BOOK_MAX_TEXT	200	/* names, salutations, project names */
#define BOOK_MAX_VALUE	1000	/* field values */
#define BOOK_MAX_OFFSETS 32

struct book_ctx {
	const char	*path;
	const struct settings *s;
	struct diag	*d;
	struct book	*b;
	char		*where;		/* "occasion 'advent'", "defaults" */
	/* The client being read, named only when a problem is reported:
	 * "client 'anna'" once its id is known, else "client #3". */
	size_t		 client_pos;	/* 1-based; 0: none */
	const char	*client_id;
};

static const char *const book_top_keys[] = {
	"occasions", "defaults", "clients", NULL
};
static const char *const book_kinds[] = {
	"birthday", "yearly", "once", "after_project", "casual", NULL
};
static const int book_default_priority[] = { 100, 80, 70, 60, 20 };
static const char *const book_occasion_keys[] = {
	"name", "kind", "template", "priority", "feb29", "date", "field",
	"offsets", "every", "jitter", "max_delay", NULL
};
/* Which option belongs to which kind (bit per enum occasion_kind). */
#define ALLK	0x1f
#define KB(k)	(1u << (k))
static const unsigned book_occasion_kinds[] = {
	ALLK, ALLK, ALLK, ALLK, KB(OCC_BIRTHDAY),
	KB(OCC_YEARLY) | KB(OCC_ONCE), KB(OCC_YEARLY), KB(OCC_AFTER_PROJECT),
	KB(OCC_CASUAL), KB(OCC_CASUAL), KB(OCC_AFTER_PROJECT) | KB(OCC_CASUAL)
};
enum book_client_key {
	CK_ID, CK_NAME, CK_FIRST_NAME, CK_EMAIL, CK_SALUTATION, CK_LANGUAGE,
	CK_TIMEZONE, CK_BIRTHDAY, CK_CLIENT_SINCE, CK_PROJECTS, CK_FIELDS,
	CK_LAST_CONTACT, CK_OCCASIONS, CK_BASIS, CK_CONSENT_DATE, CK_PAUSED,
	CK_PAUSED_UNTIL, CK_FORM, CK_HOLIDAYS, CK_SEND_WINDOW, CK_WEEKDAYS,
	CK_COUNT
};
static const char *const book_client_keys[CK_COUNT + 1] = {
	[CK_ID] = "id", [CK_NAME] = "name", [CK_FIRST_NAME] = "first_name",
	[CK_EMAIL] = "email", [CK_SALUTATION] = "salutation",
	[CK_LANGUAGE] = "language", [CK_TIMEZONE] = "timezone",
	[CK_BIRTHDAY] = "birthday", [CK_CLIENT_SINCE] = "client_since",
	[CK_PROJECTS] = "projects", [CK_FIELDS] = "fields",
	[CK_LAST_CONTACT] = "last_contact", [CK_OCCASIONS] = "occasions",
	[CK_BASIS] = "basis", [CK_CONSENT_DATE] = "consent_date",
	[CK_PAUSED] = "paused", [CK_PAUSED_UNTIL] = "paused_until",
	[CK_FORM] = "form", [CK_HOLIDAYS] = "holidays",
	[CK_SEND_WINDOW] = "send_window", [CK_WEEKDAYS] = "weekdays",
	[CK_COUNT] = NULL
};
static const char *const book_project_keys[] = { "name", "ended", NULL };
/* Template variables a field must not hide. */
static const char *const book_reserved_fields[] = {
	"name", "first_name", "salutation", "project", "years", "age",
	"sender_name", NULL
};

static const char *
book_file(const struct book_ctx *c, const config_setting_t *st)
{
	const char *f = st != NULL ? config_setting_source_file(st) : NULL;

	return f != NULL ? f : c->path;
}

static int
book_line(const config_setting_t *st)
{
	return st != NULL ? (int)config_setting_source_line(st) : 0;
}

/* A problem at st, prefixed with the current place ("client 'anna': "). */
static void __attribute__((format(printf, 4, 0)))
book_report(struct book_ctx *c, const config_setting_t *st,
    enum diag_level level, const char *fmt, va_list ap)
{
	struct buf b;

	buf_init(&b);
	if (c->where != NULL)
		buf_addf(&b, "%s: ", c->where);
	else if (c->client_id != NULL)
		buf_addf(&b, "client '%s': ", c->client_id);
	else if (c->client_pos != 0)
		buf_addf(&b, "client #%zu: ", c->client_pos);
	buf_vaddf(&b, fmt, ap);
	if (level == DIAG_ERROR)
		diag_error(c->d, book_file(c, st), book_line(st), "%s", b.data);
	else
		diag_warn(c->d, book_file(c, st), book_line(st), "%s", b.data);
	buf_free(&b);
}

static void __attribute__((format(printf, 3, 4)))
book_err(struct book_ctx *c, const config_setting_t *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	book_report(c, st, DIAG_ERROR, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
book_warn(struct book_ctx *c, const config_setting_t *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	book_report(c, st, DIAG_WARNING, fmt, ap);
	va_end(ap);
}

static const char *
book_type_name(const config_setting_t *st)
{
	switch (config_setting_type(st)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a number";
	case CONFIG_TYPE_FLOAT:
		return "a decimal number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true/false";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ... ]";
	case CONFIG_TYPE_LIST:
		return "a list ( ... )";
	case CONFIG_TYPE_GROUP:
		return "a group { ... }";
	}
	return "nothing";
}

static bool
book_expect(struct book_ctx *c, const config_setting_t *st, int type,
    const char *what)
{
	if (config_setting_type(st) == type)
		return true;
	book_err(c, st, "%s: expected %s, not %s", config_setting_name(st),
	    what, book_type_name(st));
	return false;
}

/*
 * A string setting, checked for control characters and UTF-8.  what names
 * it in messages; header says whether it can reach a mail header.
 * Returns NULL after reporting.
 */
static const char *
book_text(struct book_ctx *c, const config_setting_t *st, const char *what,
    bool header, size_t max)
{
	const char *v;
	char *ctl;

	if (config_setting_type(st) != CONFIG_TYPE_STRING) {
		book_err(c, st, "%s: expected a string, not %s", what,
		    book_type_name(st));
		return NULL;
	}
	v = config_setting_get_string(st);
	if ((ctl = valid_describe_control(v)) != NULL) {
		bool lb = strncmp(ctl, "a line", 6) == 0;

		book_err(c, st, "%s contains %s; %s", what, ctl, !header ?
		    "values must be one line of plain text" : lb ?
		    "header values must be one line" :
		    "header values must not contain control characters");
		free(ctl);
		return NULL;
	}
	if (!utf8_valid(v, strlen(v))) {
		book_err(c, st, "%s is not valid UTF-8; save the file as UTF-8",
		    what);
		return NULL;
	}
	if (strlen(v) > max) {
		book_err(c, st, "%s is longer than %zu bytes", what, max);
		return NULL;
	}
	return v;
}

typedef int (*book_date_parser)(const char *, struct civil_date *, char **);

static bool
book_date(struct book_ctx *c, const config_setting_t *st, const char *what,
    book_date_parser parse, struct civil_date *out)
{
	const char *v;
	char *err = NULL;

	if ((v = book_text(c, st, what, false, BOOK_MAX_TEXT)) == NULL)
		return false;
	if (parse(v, out, &err) == -1) {
		book_err(c, st, "%s: %s", what, err);
		free(err);
		return false;
	}
	return true;
}

static bool
book_duration(struct book_ctx *c, const config_setting_t *st,
    const char *what, struct duration *out, const char **text)
{
	const char *v;
	char *err = NULL;

	if ((v = book_text(c, st, what, false, BOOK_MAX_TEXT)) == NULL)
		return false;
	if (timeutil_parse_duration(v, out, &err) == -1) {
		book_err(c, st, "%s: %s", what, err);
		free(err);
		return false;
	}
	if (text != NULL)
		*text = v;
	return true;
}

/* Reports an unknown key with a suggestion or the list of valid ones. */
static void
book_unknown_key(struct book_ctx *c, const config_setting_t *st,
    const char *const *valid)
{
	const char *name = config_setting_name(st), *sugg;
	struct buf list;

	if (name == NULL)
		name = "";
	if ((sugg = diag_suggest(name, valid)) != NULL) {
		book_err(c, st, "unknown key '%s' (did you mean '%s'?)", name,
		    sugg);
		return;
	}
	buf_init(&list);
	for (size_t i = 0; valid[i] != NULL; i++)
		buf_addf(&list, "%s%s", i ? ", " : "", valid[i]);
	book_err(c, st, "unknown key '%s'; valid keys: %s", name, list.data);
	buf_free(&list);
}

static int
book_key_index(const char *name, const char *const *keys)
{
	for (int i = 0; keys[i] != NULL; i++)
		if (name[0] == keys[i][0] && strcmp(name, keys[i]) == 0)
			return i;
	return -1;
}

static void
book_set_where(struct book_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
book_set_where(struct book_ctx *c, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	free(c->where);
	c->where = NULL;
	c->client_pos = 0;
	c->client_id = NULL;
	if (fmt == NULL)
		return;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	c->where = buf_detach(&b, NULL);
}

/* Index of the occasion called name, or -1. */
static ssize_t
book_find_occasion(const struct book *b, const char *name)
{
	for (size_t i = 0; i < b->noccasions; i++)
		if (b->occasions[i].name != NULL &&
		    strcmp(b->occasions[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

static void
book_occasion_offsets(struct book_ctx *c, struct occasion *o,
    const config_setting_t *st)
{
	int n = config_setting_length(st);

	if (config_setting_type(st) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(st) != CONFIG_TYPE_LIST) {
		book_err(c, st, "offsets: expected an array of durations such "
		    "as [\"14d\", \"3M\", \"1y\"], not %s", book_type_name(st));
		return;
	}
	if (n == 0) {
		book_err(c, st, "offsets is empty; give at least one duration, "
		    "e.g. [\"14d\"]");
		return;
	}
	if (n > BOOK_MAX_OFFSETS) {
		book_err(c, st, "offsets has %d entries; at most %d", n,
		    BOOK_MAX_OFFSETS);
		return;
	}
	o->offsets = xcalloc((size_t)n, sizeof(*o->offsets));
	o->offset_texts = xcalloc((size_t)n, sizeof(*o->offset_texts));
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
		const char *text;
		struct duration dur;
		bool dup = false;

		if (!book_duration(c, e, "offsets", &dur, &text))
			continue;
		if (dur.seconds == 0 && dur.months == 0) {
			book_err(c, e, "offset '%s' is no delay; use a duration "
			    "longer than 0", text);
			continue;
		}
		if (strpbrk(text, " \t/") != NULL) {
			book_err(c, e, "offset '%s': write it without blanks, "
			    "e.g. \"14d\" (it is part of the occurrence key)",
			    text);
			continue;
		}
		for (size_t j = 0; j < o->noffsets; j++)
			if (strcmp(o->offset_texts[j], text) == 0)
				dup = true;
		if (dup) {
			book_err(c, e, "offset '%s' is listed twice", text);
			continue;
		}
		o->offsets[o->noffsets] = dur;
		o->offset_texts[o->noffsets++] = xstrdup(text);
	}
}

/* The occasion's name: a key, defined once. */
static void
book_occasion_name(struct book_ctx *c, struct occasion *o,
    const config_setting_t *g)
{
	struct book *b = c->b;
	config_setting_t *st;
	const char *v;
	ssize_t prev;

	if ((st = config_setting_get_member(g, "name")) == NULL) {
		book_err(c, g, "missing 'name'");
		return;
	}
	if ((v = book_text(c, st, "name", false, VALID_MAX_ID)) == NULL)
		return;
	if (!valid_id(v)) {
		book_err(c, st, "occasion name '%s' may only contain "
		    "letters, digits, '-' and '_' (at most %d)", v,
		    VALID_MAX_ID);
	} else if ((prev = book_find_occasion(b, v)) != -1) {
		book_set_where(c, NULL);
		book_err(c, st, "occasion '%s' is defined twice "
		    "(first on line %d)", v, b->occasions[prev].line);
		book_set_where(c, "occasion '%s'", v);
	} else {
		o->name = xstrdup(v);
		book_set_where(c, "occasion '%s'", v);
	}
}

/* The occasion's kind, or -1 when it is missing or unknown. */
static int
book_occasion_kind(struct book_ctx *c, struct occasion *o,
    const config_setting_t *g)
{
	config_setting_t *kst;
	const char *v, *sugg;
	int kind;

	if ((kst = config_setting_get_member(g, "kind")) == NULL) {
		book_err(c, g, "missing 'kind' (birthday, yearly, once, "
		    "after_project or casual)");
		return -1;
	}
	if ((v = book_text(c, kst, "kind", false, VALID_MAX_ID)) == NULL)
		return -1;
	if ((kind = book_key_index(v, book_kinds)) != -1) {
		o->kind = (enum occasion_kind)kind;
		o->priority = book_default_priority[kind];
	} else if ((sugg = diag_suggest(v, book_kinds)) != NULL) {
		book_err(c, kst, "unknown kind '%s' (did you mean '%s'?)", v,
		    sugg);
	} else {
		book_err(c, kst, "unknown kind '%s'; use birthday, yearly, "
		    "once, after_project or casual", v);
	}
	return kind;
}

/* Whether key k may stand in an occasion of kind (-1: unknown, any). */
static bool
book_occasion_key_fits(struct book_ctx *c, const config_setting_t *m,
    int k, int kind)
{
	struct buf ok;

	if (kind == -1 || (book_occasion_kinds[k] & KB(kind)))
		return true;
	buf_init(&ok);
	for (int j = 0; book_occasion_keys[j] != NULL; j++)
		if (book_occasion_kinds[j] & KB(kind))
			buf_addf(&ok, "%s%s", ok.len ? ", " : "",
			    book_occasion_keys[j]);
	book_err(c, m, "'%s' is not an option of kind '%s' (its options: %s)",
	    config_setting_name(m), book_kinds[kind], ok.data);
	buf_free(&ok);
	return false;
}

static void
book_occasion_priority(struct book_ctx *c, struct occasion *o,
    const config_setting_t *m)
{
	int type = config_setting_type(m);
	long long pr;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		book_err(c, m, "priority: expected a number, not %s",
		    book_type_name(m));
		return;
	}
	pr = type == CONFIG_TYPE_INT ? config_setting_get_int(m) :
	    config_setting_get_int64(m);
	if (pr < 0 || pr > 1000)
		book_err(c, m, "priority %lld is out of range; use 0 to 1000",
		    pr);
	else
		o->priority = (int)pr;
}

/* One option of an occasion other than name and kind. */
static void
book_occasion_option(struct book_ctx *c, struct occasion *o,
    const config_setting_t *m, int kind)
{
	const char *name = config_setting_name(m), *v = NULL;

	if (strcmp(name, "template") == 0 || strcmp(name, "feb29") == 0 ||
	    strcmp(name, "field") == 0) {
		if ((v = book_text(c, m, name, false, VALID_MAX_ID)) == NULL)
			return;
	}
	if (strcmp(name, "template") == 0) {
		if (!valid_id(v))
			book_err(c, m, "template '%s' may only contain "
			    "letters, digits, '-' and '_' (it names the files "
			    "NAME.LANG.txt)", v);
		else
			o->template = xstrdup(v);
	} else if (strcmp(name, "priority") == 0) {
		book_occasion_priority(c, o, m);
	} else if (strcmp(name, "feb29") == 0) {
		if (strcmp(v, "mar1") == 0)
			o->feb29_mar1 = true;
		else if (strcmp(v, "feb28") != 0)
			book_err(c, m, "feb29 '%s' is not valid: use "
			    "\"feb28\" or \"mar1\"", v);
	} else if (strcmp(name, "date") == 0 && kind == OCC_ONCE) {
		o->has_date = book_date(c, m, "date", timeutil_parse_date,
		    &o->date);
	} else if (strcmp(name, "date") == 0 && kind == OCC_YEARLY) {
		o->has_date = book_date(c, m, "date",
		    timeutil_parse_month_day, &o->date);
	} else if (strcmp(name, "field") == 0) {
		if (!valid_field_key(v))
			book_err(c, m, "field '%s' is not a key: use "
			    "\"client_since\", \"birthday\" or a key of the "
			    "clients' fields", v);
		else
			o->field = xstrdup(v);
	} else if (strcmp(name, "offsets") == 0) {
		book_occasion_offsets(c, o, m);
	} else if (strcmp(name, "every") == 0) {
		if (book_duration(c, m, name, &o->every, NULL) &&
		    o->every.seconds < DAY_SECONDS && o->every.months == 0)
			book_err(c, m, "every must be at least 1d");
	} else if (strcmp(name, "jitter") == 0) {
		book_duration(c, m, name, &o->jitter, NULL);
	} else if (strcmp(name, "max_delay") == 0) {
		o->has_max_delay = book_duration(c, m, name, &o->max_delay,
		    NULL);
	}
}

/* What each kind cannot do without. */
static void
book_occasion_required(struct book_ctx *c, const config_setting_t *g,
    int kind)
{
	config_setting_t *st;

	switch (kind) {
	case OCC_YEARLY:
		st = config_setting_get_member(g, "date");
		if (st != NULL && config_setting_get_member(g, "field") != NULL)
			book_err(c, st, "give either date or field, not both");
		else if (st == NULL &&
		    config_setting_get_member(g, "field") == NULL)
			book_err(c, g, "kind 'yearly' needs date = \"MM-DD\" "
			    "or field = \"client_since\" (or \"birthday\", or "
			    "a key of the clients' fields)");
		break;
	case OCC_ONCE:
		if (config_setting_get_member(g, "date") == NULL)
			book_err(c, g, "kind 'once' needs date = "
			    "\"YYYY-MM-DD\"");
		break;
	case OCC_AFTER_PROJECT:
		if (config_setting_get_member(g, "offsets") == NULL)
			book_err(c, g, "kind 'after_project' needs offsets, "
			    "e.g. offsets = [\"14d\", \"3M\", \"1y\"]");
		break;
	case OCC_CASUAL:
		if (config_setting_get_member(g, "every") == NULL)
			book_err(c, g, "kind 'casual' needs every, e.g. "
			    "every = \"10w\"");
		break;
	default:
		break;
	}
}

/* One element of `occasions`; appended even when broken so that clients
 * referring to it are not reported as well. */
static void
book_parse_occasion(struct book_ctx *c, const config_setting_t *g, size_t pos)
{
	struct book *b = c->b;
	struct occasion *o;
	int kind;

	b->occasions = xreallocarray(b->occasions, b->noccasions + 1,
	    sizeof(*b->occasions));
	o = &b->occasions[b->noccasions++];
	memset(o, 0, sizeof(*o));
	o->line = book_line(g);
	book_set_where(c, "occasion #%zu", pos + 1);

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		book_err(c, g, "expected a group { name = \"...\"; kind = "
		    "\"...\"; ... }, not %s", book_type_name(g));
		return;
	}
	book_occasion_name(c, o, g);
	kind = book_occasion_kind(c, o, g);
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		int k = book_key_index(config_setting_name(m),
		    book_occasion_keys);

		if (k == -1)
			book_unknown_key(c, m, book_occasion_keys);
		else if (book_occasion_key_fits(c, m, k, kind))
			book_occasion_option(c, o, m, kind);
	}
	if (o->template == NULL && config_setting_get_member(g, "template") ==
	    NULL && o->name != NULL)
		o->template = xstrdup(o->name);
	book_occasion_required(c, g, kind);
}

/* Reads an array of occasion names into indexes (*out, *n), allocated in
 * ar, or with malloc when ar is NULL. */
static void
book_occasion_list(struct book_ctx *c, const config_setting_t *st,
    struct arena *ar, size_t **out, size_t *n)
{
	int len = config_setting_length(st);
	const char **names;

	if (config_setting_type(st) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(st) != CONFIG_TYPE_LIST) {
		book_err(c, st, "occasions: expected an array of occasion "
		    "names such as [\"birthday\", \"checkin\"], not %s",
		    book_type_name(st));
		return;
	}
	names = xcalloc(c->b->noccasions + 1, sizeof(*names));
	for (size_t i = 0, j = 0; i < c->b->noccasions; i++)
		if (c->b->occasions[i].name != NULL)
			names[j++] = c->b->occasions[i].name;
	*out = ar != NULL ? arena_calloc(ar, (size_t)len, sizeof(**out)) :
	    xcalloc((size_t)len + 1, sizeof(**out));
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
		const char *v, *sugg;
		ssize_t oi;
		bool dup = false;

		if ((v = book_text(c, e, "occasions", false, VALID_MAX_ID)) ==
		    NULL)
			continue;
		if ((oi = book_find_occasion(c->b, v)) == -1) {
			if ((sugg = diag_suggest(v, names)) != NULL)
				book_err(c, e, "unknown occasion '%s' (did you "
				    "mean '%s'?)", v, sugg);
			else
				book_err(c, e, "unknown occasion '%s'; the "
				    "occasions list defines the valid names",
				    v);
			continue;
		}
		for (size_t j = 0; j < *n; j++)
			if ((*out)[j] == (size_t)oi)
				dup = true;
		if (dup) {
			book_err(c, e, "occasion '%s' is listed twice", v);
			continue;
		}
		(*out)[(*n)++] = (size_t)oi;
	}
	free(names);
}

static void
book_defaults(struct book_ctx *c, const config_setting_t *g)
{
	book_set_where(c, "defaults");
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		book_err(c, g, "expected a group { occasions = [ ... ]; }, "
		    "not %s", book_type_name(g));
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *m = config_setting_get_elem(g, (unsigned)i);

		if (strcmp(config_setting_name(m), "occasions") != 0)
			book_unknown_key(c, m, (const char *const[]){
			    "occasions", NULL });
		else
			book_occasion_list(c, m, NULL, &c->b->defaults,
			    &c->b->ndefaults);
	}
}

static void
book_projects(struct book_ctx *c, struct client *cl,
    const config_setting_t *st)
{
	int n = config_setting_length(st);

	if (config_setting_type(st) != CONFIG_TYPE_LIST) {
		book_err(c, st, "projects: expected a list ( { name = \"...\"; "
		    "ended = \"YYYY-MM-DD\"; }, ... ), not %s",
		    book_type_name(st));
		return;
	}
	cl->projects = arena_calloc(c->b->arena, (size_t)n,
	    sizeof(*cl->projects));
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(st, (unsigned)i);
		config_setting_t *m;
		struct project *pr = &cl->projects[cl->nprojects];
		const char *v;
		bool ok = true;

		memset(pr, 0, sizeof(*pr));
		pr->line = book_line(g);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			book_err(c, g, "project #%d: expected a group { name = "
			    "\"...\"; ended = \"YYYY-MM-DD\"; }, not %s", i + 1,
			    book_type_name(g));
			continue;
		}
		for (int j = 0; j < config_setting_length(g); j++) {
			m = config_setting_get_elem(g, (unsigned)j);
			if (book_key_index(config_setting_name(m),
			    book_project_keys) == -1) {
				book_unknown_key(c, m, book_project_keys);
				ok = false;
			}
		}
		if ((m = config_setting_get_member(g, "name")) == NULL) {
			book_err(c, g, "project #%d: missing 'name'", i + 1);
			ok = false;
		} else if ((v = book_text(c, m, "project name", true,
		    BOOK_MAX_TEXT)) == NULL) {
			ok = false;
		} else if (*v == '\0' || strchr(v, '/') != NULL) {
			book_err(c, m, "project name '%s' must not be empty or "
			    "contain '/' (it is part of the occurrence key)",
			    v);
			ok = false;
		} else {
			for (size_t k = 0; k < cl->nprojects; k++) {
				if (strcmp(cl->projects[k].name, v) != 0)
					continue;
				book_err(c, m, "project '%s' is listed twice "
				    "(first on line %d); project names of a "
				    "client must differ", v,
				    cl->projects[k].line);
				ok = false;
				break;
			}
		}
		if ((m = config_setting_get_member(g, "ended")) == NULL) {
			book_err(c, g, "project #%d: missing 'ended' (the date "
			    "it ended, \"YYYY-MM-DD\")", i + 1);
			ok = false;
		} else {
			char *what = ok ? xasprintf("project '%s': ended",
			    config_setting_get_string(config_setting_get_member(
			    g, "name"))) : xasprintf("project #%d: ended", i + 1);

			if (!book_date(c, m, what, timeutil_parse_date,
			    &pr->ended))
				ok = false;
			free(what);
		}
		if (ok) {
			pr->name = arena_strdup(c->b->arena,
			    config_setting_get_string(
			    config_setting_get_member(g, "name")));
			cl->nprojects++;
		}
	}
}

static void
book_fields(struct book_ctx *c, struct client *cl, const config_setting_t *st)
{
	int n = config_setting_length(st);

	if (config_setting_type(st) != CONFIG_TYPE_GROUP) {
		book_err(c, st, "fields: expected a group { key = \"value\"; "
		    "... }, not %s", book_type_name(st));
		return;
	}
	cl->fields = arena_calloc(c->b->arena, (size_t)n,
	    sizeof(*cl->fields));
	for (int i = 0; i < n; i++) {
		config_setting_t *m = config_setting_get_elem(st, (unsigned)i);
		const char *key = config_setting_name(m), *v;
		char *what;

		if (book_key_index(key, book_reserved_fields) != -1) {
			book_err(c, m, "field '%s' would hide the template "
			    "variable {{%s}}; choose another key", key, key);
			continue;
		}
		if (!valid_field_key(key)) {
			book_err(c, m, "field '%s': keys may only contain "
			    "letters, digits, '-' and '_' (at most %d)", key,
			    VALID_MAX_ID);
			continue;
		}
		what = xasprintf("field '%s'", key);
		v = book_text(c, m, what, true, BOOK_MAX_VALUE);
		free(what);
		if (v == NULL)
			continue;
		cl->fields[cl->nfields].key = arena_intern(c->b->arena, key);
		cl->fields[cl->nfields].value = arena_strdup(c->b->arena, v);
		cl->fields[cl->nfields++].line = book_line(m);
	}
}

/* The client's own calendar, made from the schedule's on first use. */
static struct calendar *
book_own_calendar(struct book_ctx *c, struct client *cl)
{
	if (cl->own_cal == NULL) {
		cl->own_cal = arena_calloc(c->b->arena, 1,
		    sizeof(*cl->own_cal));
		*cl->own_cal = c->b->calendar;
	}
	return cl->own_cal;
}

/* holidays, send_window, weekdays: the rules of the [schedule] keys. */
static void
book_client_calendar(struct book_ctx *c, struct client *cl,
    const config_setting_t *m, enum book_client_key k)
{
	const char *name = book_client_keys[k], *v;
	struct window w;
	unsigned mask;
	char *err = NULL;
	int region, rc = 0;

	if ((v = book_text(c, m, name, false, BOOK_MAX_TEXT)) == NULL)
		return;
	switch (k) {
	case CK_HOLIDAYS:
		if ((rc = holidays_parse_region(v, &region, &err)) == 0)
			book_own_calendar(c, cl)->holidays = region;
		break;
	case CK_SEND_WINDOW:
		if ((rc = timeutil_parse_window(v, &w, &err)) == 0)
			book_own_calendar(c, cl)->window = w;
		break;
	case CK_WEEKDAYS:
		if ((rc = timeutil_parse_weekdays(v, &mask, &err)) == 0)
			book_own_calendar(c, cl)->weekdays = mask;
		break;
	default:
		break;
	}
	if (rc == -1)
		book_err(c, m, "%s: %s", name, err);
	free(err);
}

/* Shares the schedule's calendar when the client's own equals it. */
static void
book_client_resolve_calendar(struct book_ctx *c, struct client *cl)
{
	const struct calendar *s = &c->b->calendar, *o = cl->own_cal;

	if (o != NULL && (o->window.start != s->window.start ||
	    o->window.end != s->window.end || o->weekdays != s->weekdays ||
	    o->holidays != s->holidays)) {
		cl->cal = o;
		return;
	}
	cl->own_cal = NULL;	/* its bytes stay in the arena */
	cl->cal = s;
}

/* A client abroad keeping the holidays of a country it does not live in:
 * a warning at its timezone (or else its holidays) line. */
static void
book_client_check_region(struct book_ctx *c, const struct client *cl,
    const config_setting_t *g)
{
	const config_setting_t *tz = config_setting_get_member(g, "timezone");
	const config_setting_t *hd = config_setting_get_member(g, "holidays");
	const config_setting_t *at = tz != NULL ? tz : hd;

	if (at == NULL || cl->id == NULL || cl->cal == NULL ||
	    holidays_zone_fits(cl->cal->holidays, cl->timezone))
		return;
	/* A timezone already refused is not warned about again. */
	if (tz != NULL && (config_setting_type(tz) != CONFIG_TYPE_STRING ||
	    strcmp(config_setting_get_string(tz), cl->timezone) != 0))
		return;
	diag_warn(c->d, book_file(c, at), book_line(at), "client '%s' (%s) "
	    "uses the holidays of %s; set holidays = \"none\" or the "
	    "client's own region", cl->id, cl->timezone,
	    holidays_region_name(cl->cal->holidays));
}

static void
book_client_member(struct book_ctx *c, struct client *cl,
    config_setting_t *m, enum book_client_key k)
{
	const char *name = book_client_keys[k], *v;
	char *err = NULL;

	switch (k) {
	case CK_ID:	/* read before the loop */
		break;
	case CK_NAME:
		if ((v = book_text(c, m, name, true, BOOK_MAX_TEXT)) == NULL)
			break;
		if (*v == '\0')
			book_err(c, m, "name is empty");
		else
			cl->name = arena_strdup(c->b->arena, v);
		break;
	case CK_FIRST_NAME:
		if ((v = book_text(c, m, name, true, BOOK_MAX_TEXT)) != NULL)
			cl->first_name = arena_intern(c->b->arena, v);
		break;
	case CK_EMAIL:
		if ((v = book_text(c, m, name, true, BOOK_MAX_TEXT)) == NULL)
			break;
		if (valid_address(v, &err) == -1)
			book_err(c, m, "email: %s", err);
		else
			cl->email = arena_strdup(c->b->arena, v);
		free(err);
		break;
	case CK_SALUTATION:
		if ((v = book_text(c, m, name, true, BOOK_MAX_TEXT)) != NULL)
			cl->salutation = arena_intern(c->b->arena, v);
		break;
	case CK_LANGUAGE:
		if ((v = book_text(c, m, name, false, VALID_MAX_ID)) == NULL)
			break;
		if (!valid_language(v))
			book_err(c, m, "language '%s' is not a language tag: "
			    "use a short lowercase tag such as de, en or "
			    "de-AT", v);
		else if (v[valid_language_base(v)] == '-' &&
		    valid_form(v + valid_language_base(v) + 1))
			book_err(c, m, "language '%s': the form of address is "
			    "its own key: write language = \"%.*s\"; form = "
			    "\"%s\";", v, (int)valid_language_base(v), v,
			    v + valid_language_base(v) + 1);
		else
			cl->language = arena_intern(c->b->arena, v);
		break;
	case CK_TIMEZONE:
		if ((v = book_text(c, m, name, false, BOOK_MAX_TEXT)) == NULL)
			break;
		if ((cl->tz = tzdb_get(c->b->tzdb, v, &err)) == NULL)
			book_err(c, m, "timezone: %s", err);
		else
			cl->timezone = arena_intern(c->b->arena, v);
		free(err);
		break;
	case CK_BIRTHDAY:
		cl->has_birthday = book_date(c, m, name,
		    timeutil_parse_birthday, &cl->birthday);
		break;
	case CK_CLIENT_SINCE:
		cl->has_client_since = book_date(c, m, name,
		    timeutil_parse_date, &cl->client_since);
		break;
	case CK_PROJECTS:
		book_projects(c, cl, m);
		break;
	case CK_FIELDS:
		book_fields(c, cl, m);
		break;
	case CK_LAST_CONTACT:
		cl->has_last_contact = book_date(c, m, name,
		    timeutil_parse_date, &cl->last_contact);
		break;
	case CK_OCCASIONS:	/* after the loop */
		break;
	case CK_BASIS:
		if ((v = book_text(c, m, name, false, VALID_MAX_ID)) == NULL)
			break;
		if (settings_parse_basis(v, &cl->basis) == -1)
			book_err(c, m, "basis '%s' is not valid: use consent, "
			    "customer or personal", v);
		break;
	case CK_CONSENT_DATE:
		cl->has_consent_date = book_date(c, m, name,
		    timeutil_parse_date, &cl->consent_date);
		break;
	case CK_PAUSED:
		if (book_expect(c, m, CONFIG_TYPE_BOOL, "true or false"))
			cl->paused = config_setting_get_bool(m);
		break;
	case CK_PAUSED_UNTIL:
		cl->has_paused_until = book_date(c, m, name,
		    timeutil_parse_date, &cl->paused_until);
		break;
	case CK_FORM:
		if ((v = book_text(c, m, name, false, VALID_MAX_ID)) == NULL)
			break;
		if (settings_parse_form(v, &cl->form) == -1)
			book_err(c, m, "form '%s' is not valid: use du or sie",
			    v);
		break;
	case CK_HOLIDAYS:
	case CK_SEND_WINDOW:
	case CK_WEEKDAYS:
		book_client_calendar(c, cl, m, k);
		break;
	case CK_COUNT:
		break;
	}
}

/* 0, 1, ... noccasions - 1: the list of a client that receives every
 * occasion, shared by all such clients. */
static size_t *
book_all_occasions(struct book *b)
{
	if (b->all_occasions == NULL) {
		b->all_occasions = arena_calloc(b->arena, b->noccasions + 1,
		    sizeof(*b->all_occasions));
		for (size_t i = 0; i < b->noccasions; i++)
			b->all_occasions[i] = i;
	}
	return b->all_occasions;
}

/* Parses one client; returns true when it joins the book (any client
 * with an id does, so duplicate ids are found even among broken ones). */
static bool
book_client_parse(struct book_ctx *c, const config_setting_t *g, size_t pos,
    struct client *cl)
{
	config_setting_t *st;
	const char *v;
	bool has_list = false;

	memset(cl, 0, sizeof(*cl));
	cl->line = book_line(g);
	cl->basis = c->s->basis;
	book_set_where(c, NULL);
	c->client_pos = pos + 1;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		book_err(c, g, "expected a group { id = \"...\"; name = "
		    "\"...\"; email = \"...\"; ... }, not %s",
		    book_type_name(g));
		return false;
	}
	if ((st = config_setting_get_member(g, "id")) == NULL) {
		book_err(c, g, "missing 'id' (every client needs id, name and "
		    "email)");
	} else if ((v = book_text(c, st, "id", false, VALID_MAX_ID)) != NULL) {
		if (!valid_id(v)) {
			book_err(c, st, "id '%s' may only contain letters, "
			    "digits, '-' and '_' (at most %d)", v, VALID_MAX_ID);
		} else {
			cl->id = arena_strdup(c->b->arena, v);
			c->client_id = cl->id;
		}
	}

	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		int k = book_key_index(config_setting_name(m),
		    book_client_keys);

		if (k == -1)
			book_unknown_key(c, m, book_client_keys);
		else
			book_client_member(c, cl, m,
			    (enum book_client_key)k);
	}
	if (config_setting_get_member(g, "name") == NULL)
		book_err(c, g, "missing 'name'");
	if (config_setting_get_member(g, "email") == NULL)
		book_err(c, g, "missing 'email'");

	if ((st = config_setting_get_member(g, "occasions")) != NULL) {
		book_occasion_list(c, st, c->b->arena, &cl->occasions,
		    &cl->noccasions);
		has_list = true;
	}
	if (!has_list && c->b->defaults != NULL) {
		cl->occasions = c->b->defaults;
		cl->noccasions = c->b->ndefaults;
	} else if (!has_list) {
		cl->occasions = book_all_occasions(c->b);
		cl->noccasions = c->b->noccasions;
	}

	if (cl->language == NULL)
		cl->language = arena_intern(c->b->arena, c->s->language);
	if (cl->form == FORM_UNSET)
		cl->form = c->s->form;
	cl->form = book_form(cl);
	if (cl->timezone == NULL) {
		cl->timezone = arena_intern(c->b->arena, c->s->timezone);
		cl->tz = c->b->sender_tz;
	}
	book_client_resolve_calendar(c, cl);
	book_client_check_region(c, cl, g);
	if (cl->basis == BASIS_CONSENT &&
	    config_setting_get_member(g, "consent_date") == NULL)
		book_warn(c, g, "basis is consent but consent_date is missing; "
		    "record when the client agreed");
	return cl->id != NULL;
}

/* A client receiving a yearly occasion on one of its fields needs a date
 * there. */
static void
book_check_field_dates(struct book_ctx *c)
{
	struct book *b = c->b;

	for (size_t oi = 0; oi < b->noccasions; oi++) {
		const struct occasion *o = &b->occasions[oi];
		bool seen = false;

		if (o->kind != OCC_YEARLY || o->field == NULL ||
		    strcmp(o->field, "client_since") == 0 ||
		    strcmp(o->field, "birthday") == 0)
			continue;
		for (size_t ci = 0; ci < b->nclients; ci++) {
			const struct client *cl = &b->clients[ci];
			struct civil_date dd;
			char *err = NULL;

			for (size_t f = 0; f < cl->nfields; f++) {
				if (strcmp(cl->fields[f].key, o->field) != 0)
					continue;
				seen = true;
				if (!book_client_has(cl, oi) ||
				    timeutil_parse_date(cl->fields[f].value,
				    &dd, &err) == 0)
					continue;
				diag_error(c->d, c->path, cl->fields[f].line,
				    "client '%s': field '%s' must be a date "
				    "YYYY-MM-DD for occasion '%s': %s", cl->id,
				    o->field, o->name, err);
				free(err);
			}
		}
		if (!seen)
			diag_warn(c->d, c->path, o->line, "occasion '%s': no "
			    "client has the field '%s', so it is never due",
			    o->name, o->field);
	}
}

static int
book_client_cmp(const void *a, const void *b)
{
	const struct client *x = *(const struct client *const *)a;
	const struct client *y = *(const struct client *const *)b;
	int r = strcmp(x->id, y->id);

	return r != 0 ? r : (x->line > y->line) - (x->line < y->line);
}

static int
book_email_cmp(const void *a, const void *b)
{
	const struct client *x = *(const struct client *const *)a;
	const struct client *y = *(const struct client *const *)b;
	int r = strcasecmp(x->email, y->email);

	return r != 0 ? r : (x->line > y->line) - (x->line < y->line);
}

/* Clients are sorted by id (then line) already. */
static void
book_check_duplicates(struct book_ctx *c)
{
	struct book *b = c->b;
	const struct client **byemail;
	size_t n = 0;

	if (b->nclients == 0)
		return;
	for (size_t i = 1; i < b->nclients; i++)
		if (strcmp(b->clients[i - 1].id, b->clients[i].id) == 0)
			diag_error(c->d, c->path, b->clients[i].line,
			    "client id '%s' is used twice (first on line %d)",
			    b->clients[i].id, b->clients[i - 1].line);

	/* Two ids for one address mean two greetings in one inbox. */
	byemail = xcalloc(b->nclients + 1, sizeof(*byemail));
	for (size_t i = 0; i < b->nclients; i++)
		if (b->clients[i].email != NULL)
			byemail[n++] = &b->clients[i];
	qsort(byemail, n, sizeof(*byemail), book_email_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcasecmp(byemail[i - 1]->email, byemail[i]->email) == 0)
			diag_warn(c->d, c->path, byemail[i]->line, "client "
			    "'%s': email '%s' is also the address of client "
			    "'%s' (line %d)", byemail[i]->id, byemail[i]->email,
			    byemail[i - 1]->id, byemail[i - 1]->line);
	free(byemail);
}

/* A text scan the parser cannot do: libconfig silently cuts a string at
 * "\x00" and stops at a NUL byte. */
static int
book_scan_nul(struct book_ctx *c, const char *text, size_t len)
{
	const char *bs;
	int line = 1;
	bool in_str = false;

	/* Neither a NUL byte nor "\x00" anywhere: nothing to place (the
	 * usual case; memchr is a fraction of the walk below). */
	if (memchr(text, '\0', len) == NULL) {
		for (bs = memchr(text, '\\', len); bs != NULL;
		    bs = memchr(bs + 1, '\\', len - (size_t)(bs + 1 - text)))
			if ((size_t)(bs - text) + 3 < len && bs[1] == 'x' &&
			    bs[2] == '0' && bs[3] == '0')
				break;
		if (bs == NULL)
			return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			line++;
		} else if (text[i] == '\0') {
			diag_error(c->d, c->path, line, "the line contains a "
			    "NUL byte; clients.conf must be a text file");
			return -1;
		} else if (in_str && text[i] == '\\' && i + 1 < len) {
			if (i + 3 < len && text[i + 1] == 'x' &&
			    text[i + 2] == '0' && text[i + 3] == '0') {
				diag_error(c->d, c->path, line, "\"\\x00\" (a NUL "
				    "character) cannot be part of a value");
				return -1;
			}
			i++;
			if (text[i] == '\n')
				line++;
		} else if (text[i] == '"') {
			in_str = !in_str;
		} else if (!in_str && (text[i] == '#' || (text[i] == '/' &&
		    i + 1 < len && text[i + 1] == '/'))) {
			while (i + 1 < len && text[i + 1] != '\n')
				i++;
		} else if (!in_str && text[i] == '/' && i + 1 < len &&
		    text[i + 1] == '*') {
			for (i += 2; i + 1 < len && !(text[i] == '*' &&
			    text[i + 1] == '/'); i++)
				if (text[i] == '\n')
					line++;
			i++;
		}
	}
	return 0;
}

/* Appends what one client's parse reported to d. */
static void
book_diag_move(struct diag *d, struct diag *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct diag_item *it = &from->items[i];

		if (it->level == DIAG_ERROR)
			diag_error(d, it->file, it->line, "%s", it->msg);
		else
			diag_warn(d, it->file, it->line, "%s", it->msg);
	}
	diag_free(from);
}

/*
 * The clients list, converted while libconfig's tree is taken apart from
 * its end: each client's settings are freed once read, so the book's
 * strings reuse the tree's memory and the peak stays the tree's.  The
 * structs wait in pending (their own arena) for book_settle_clients; what
 * a client's parse reports is held and then told in the file's order.
 */
static void
book_clients(struct book_ctx *c, config_setting_t *st, struct arena *pending,
    struct client ***out, size_t *nout)
{
	int n = config_setting_length(st);
	struct diag *d = c->d, **held = xcalloc((size_t)n + 1, sizeof(*held));

	*out = xcalloc((size_t)n + 1, sizeof(**out));
	for (int i = n - 1; i >= 0; i--) {
		config_setting_t *g = config_setting_get_elem(st, (unsigned)i);
		struct client *cl = arena_calloc(pending, 1, sizeof(*cl));
		struct diag own;

		diag_init(&own);
		c->d = &own;
		if (book_client_parse(c, g, (size_t)i, cl))
			(*out)[(*nout)++] = cl;
		c->d = d;
		if (own.n > 0) {
			held[i] = xmalloc(sizeof(own));
			*held[i] = own;
		}
		config_setting_remove_elem(st, (unsigned)i);
	}
	for (int i = 0; i < n; i++) {
		if (held[i] == NULL)
			continue;
		book_diag_move(d, held[i]);
		free(held[i]);
	}
	free(held);
	book_set_where(c, NULL);
}

/* The clients sorted by id into one array, once the tree is gone: its
 * free pages go back to the system first, so the array takes their
 * place rather than adding to the peak. */
static void
book_settle_clients(struct book *b, struct client **cl, size_t n)
{
	malloc_trim(0);
	if (n > 0)
		qsort(cl, n, sizeof(*cl), book_client_cmp);
	b->clients = xcalloc(n + 1, sizeof(*b->clients));
	for (size_t i = 0; i < n; i++)
		b->clients[i] = *cl[i];
	b->nclients = n;
}

/* The top-level settings: occasions, defaults, clients. */
static void
book_walk(struct book_ctx *c, config_t *cfg, struct arena *pending,
    struct client ***cl, size_t *ncl)
{
	config_setting_t *root = config_root_setting(cfg), *st;

	for (int i = 0; i < config_setting_length(root); i++) {
		st = config_setting_get_elem(root, (unsigned)i);
		if (book_key_index(config_setting_name(st), book_top_keys) == -1)
			book_unknown_key(c, st, book_top_keys);
	}
	if ((st = config_setting_get_member(root, "occasions")) != NULL) {
		if (config_setting_type(st) != CONFIG_TYPE_LIST)
			book_err(c, st, "occasions: expected a list ( { name = "
			    "\"...\"; kind = \"...\"; ... }, ... ), not %s",
			    book_type_name(st));
		else
			for (int i = 0; i < config_setting_length(st); i++)
				book_parse_occasion(c, config_setting_get_elem(st,
				    (unsigned)i), (size_t)i);
		book_set_where(c, NULL);
	}
	if ((st = config_setting_get_member(root, "defaults")) != NULL) {
		book_defaults(c, st);
		book_set_where(c, NULL);
	}
	if ((st = config_setting_get_member(root, "clients")) != NULL &&
	    config_setting_type(st) != CONFIG_TYPE_LIST)
		book_err(c, st, "clients: expected a list ( { id = \"...\"; "
		    "... }, ... ), not %s", book_type_name(st));
	else if (st != NULL)
		book_clients(c, st, pending, cl, ncl);
}

/* Parses the text, or the stream fp when not NULL (text then only served
 * the NUL scan), into cfg; reports a syntax error. */
static int
book_parse(struct book_ctx *c, config_t *cfg, const char *text, FILE *fp)
{
	const char *f, *t;
	char *dir, *slash;

	dir = xstrdup(c->path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		slash[slash == dir] = '\0';
		config_set_include_dir(cfg, dir);
	}
	free(dir);
	if ((fp != NULL ? config_read(cfg, fp) :
	    config_read_string(cfg, text)) == CONFIG_TRUE)
		return 0;
	f = config_error_file(cfg);
	t = config_error_text(cfg);
	diag_error(c->d, f != NULL ? f : c->path, config_error_line(cfg),
	    "%s%s", t, strcmp(t, "syntax error") != 0 ? "" : " (strings "
	    "go in double quotes, a setting ends with ';', lists are "
	    "( ... ), arrays [ ... ], groups { ... })");
	return -1;
}

static struct book *
book_new(struct book_ctx *c)
{
	struct book *b = xcalloc(1, sizeof(*b));
	char *err = NULL;

	b->path = xstrdup(c->path);
	b->arena = arena_new();
	b->tzdb = tzdb_new();
	b->calendar.window = c->s->window;
	b->calendar.weekdays = c->s->weekdays;
	b->calendar.holidays = c->s->holidays;
	if ((b->sender_tz = tzdb_get(b->tzdb, c->s->timezone, &err)) == NULL) {
		diag_error(c->d, c->path, 0, "the schedule's timezone: %s", err);
		free(err);
	}
	return b;
}

/* text (len bytes) is the file's content; fp, when not NULL, the same
 * file opened for libconfig to read, so that text can be unmapped before
 * the tree is built. */
static int
book_load_len(const char *path, const char *text, size_t len, FILE *fp,
    const struct settings *s, struct book **out, struct diag *d)
{
	struct book_ctx c;
	struct book *b;
	struct arena *pending;
	struct client **cl = NULL;
	size_t ncl = 0, errors = d->errors;
	config_t cfg;
	int rc;

	memset(&c, 0, sizeof(c));
	c.path = path;
	c.s = s;
	c.d = d;
	rc = book_scan_nul(&c, text, len);
	if (fp != NULL) {
		munmap((void *)text, len);
		text = NULL;
	}
	if (rc == -1)
		return -1;
	rc = -1;
	c.b = b = book_new(&c);
	pending = arena_new();
	config_init(&cfg);
	if (book_parse(&c, &cfg, text, fp) == 0)
		book_walk(&c, &cfg, pending, &cl, &ncl);
	config_destroy(&cfg);
	book_settle_clients(b, cl, ncl);
	free(cl);
	arena_free(pending);
	book_check_duplicates(&c);
	book_check_field_dates(&c);
	if (d->errors == errors) {
		*out = b;
		b = NULL;
		rc = 0;
	}
	book_set_where(&c, NULL);
	book_free(b);
	return rc;
}

int
book_load_buffer(const char *path, const char *text,
    const struct settings *s, struct book **out, struct diag *d)
{
	return book_load_len(path, text, strlen(text), NULL, s, out, d);
}

/* A regular file is mapped for the NUL scan and then read by libconfig
 * from the stream, so its bytes are never held beside the tree; anything
 * else is read into memory first. */
int
book_load(const char *path, const struct settings *s, struct book **out,
    struct diag *d)
{
	struct stat sb;
	struct buf b;
	FILE *fp;
	void *map;
	int rc = -1;

	if ((fp = fopen(path, "re")) != NULL && fstat(fileno(fp), &sb) == 0 &&
	    S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    sb.st_size <= BOOK_MAX_FILE && (map = mmap(NULL,
	    (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fileno(fp), 0)) !=
	    MAP_FAILED) {
		rc = book_load_len(path, map, (size_t)sb.st_size, fp, s, out,
		    d);
		fclose(fp);
		return rc;
	}
	if (fp != NULL)
		fclose(fp);
	buf_init(&b);
	switch (buf_read_file(&b, path, BOOK_MAX_FILE)) {
	case -1:
		diag_error(d, path, 0, "cannot read: %s", strerror(errno));
		goto out;
	case 1:
		diag_error(d, path, 0, "larger than 64 MiB");
		goto out;
	}
	buf_addc(&b, '\0');
	rc = book_load_len(path, b.data, b.len - 1, NULL, s, out, d);
out:
	buf_free(&b);
	return rc;
}

void
book_free(struct book *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->noccasions; i++) {
		struct occasion *o = &b->occasions[i];

		free(o->name);
		free(o->template);
		free(o->field);
		for (size_t j = 0; j < o->noffsets; j++)
			free(o->offset_texts[j]);
		free(o->offsets);
		free(o->offset_texts);
	}
	free(b->occasions);
	free(b->defaults);
	free(b->clients);
	arena_free(b->arena);
	tzdb_free(b->tzdb);
	free(b->path);
	free(b);
}

static int
book_id_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct client *)elem)->id);
}

const struct client *
book_client(const struct book *b, const char *id)
{
	if (b->nclients == 0)
		return NULL;
	return bsearch(id, b->clients, b->nclients, sizeof(*b->clients),
	    book_id_cmp);
}

const struct occasion *
book_occasion(const struct book *b, const char *name)
{
	ssize_t i = book_find_occasion(b, name);

	return i == -1 ? NULL : &b->occasions[i];
}

enum form
book_form(const struct client *c)
{
	if (c->form != FORM_UNSET)
		return c->form;
	return c->basis == BASIS_PERSONAL ? FORM_DU : FORM_SIE;
}

const char *
book_field(const struct client *c, const char *key)
{
	for (size_t i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i].key, key) == 0)
			return c->fields[i].value;
	return NULL;
}

bool
book_client_has(const struct client *c, size_t oi)
{
	for (size_t i = 0; i < c->noccasions; i++)
		if (c->occasions[i] == oi)
			return true;
	return false;
}
