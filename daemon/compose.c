/*
 * compose.c - from a planned occurrence to the message bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "compose.h"
#include "message.h"
#include "template.h"
#include "tz.h"
#include "valid.h"
#include "xalloc.h"

/* Short, warm, and what §7(3) UWG asks for: that the client may object
 * at any time at no cost beyond the usual transmission.  The German one
 * avoids both Du and Sie so it fits every salutation. */
static const char compose_notice_de[] =
    "Lieber keine Grüße mehr von uns? Eine kurze Antwort auf diese E-Mail\n"
    "genügt, dann schreiben wir nicht mehr. Das geht jederzeit und kostet\n"
    "nichts außer den üblichen Übermittlungskosten.";
static const char compose_notice_en[] =
    "Rather not hear from us? A short reply to this e-mail is enough and\n"
    "we won't write again. You can object at any time, at no cost beyond\n"
    "the usual transmission charges.";

const char *
compose_default_notice(const char *lang)
{
	if (lang != NULL && valid_language_base(lang) == 2 &&
	    strncmp(lang, "de", 2) == 0)
		return compose_notice_de;
	return compose_notice_en;
}

/* Whether a letter in lang has a notice in its own language: the owner's
 * or a built-in one. */
static bool
compose_has_notice(const struct settings *s, const char *lang)
{
	size_t n = valid_language_base(lang);

	return settings_notice(s, lang) != NULL ||
	    (n == 2 && (strncmp(lang, "de", 2) == 0 ||
	    strncmp(lang, "en", 2) == 0));
}

/* The notice goes below a signature separator in the text, so mail
 * programs show it set apart, and as a small paragraph at the end of
 * the card's body. */
static void
compose_add_notice(struct rendered *r, const char *notice)
{
	struct buf b;
	size_t len = strlen(r->text);
	const char *end = NULL;

	buf_init(&b);
	buf_adds(&b, r->text);
	if (len == 0 || r->text[len - 1] != '\n')
		buf_addc(&b, '\n');
	buf_addf(&b, "\n-- \n%s\n", notice);
	free(r->text);
	r->text = buf_detach(&b, NULL);
	if (r->html == NULL)
		return;
	for (const char *p = r->html; (p = strcasestr(p, "</body")) != NULL;
	    p++)
		end = p;
	if (end == NULL)
		end = r->html + strlen(r->html);
	buf_add(&b, r->html, (size_t)(end - r->html));
	buf_adds(&b, "<p style=\"margin-top:2em;font-size:12px;"
	    "color:#777777\">");
	buf_add_html(&b, notice, BUF_HTML_BREAKS);
	buf_adds(&b, "</p>\n");
	buf_adds(&b, end);
	free(r->html);
	r->html = buf_detach(&b, NULL);
}

/*
 * Turns a rendered template into the message for client c.  Problems
 * with the client's own values are reported at file:line.  A template
 * only resolved (r->text NULL: template_resolve) is not encoded: this
 * proves that message_build() would accept the client's values, and out
 * is left alone.
 */
static int
compose_build(const struct settings *s, const struct client *c,
    struct rendered *r, const char *lang, const char *message_id,
    int64_t date, int offset, const char *file, int line,
    struct composed *out, struct diag *d)
{
	struct message_in in;
	struct buf b;
	const char *notice = NULL;
	char *unsub = NULL, *err = NULL;
	bool encode = r->text != NULL;
	int rc = -1;

	buf_init(&b);
	memset(&in, 0, sizeof(in));
	if (c->basis == BASIS_CUSTOMER || c->basis == BASIS_CONSENT) {
		if ((notice = settings_notice(s, lang)) == NULL)
			notice = compose_default_notice(lang);
		if (encode)
			compose_add_notice(r, notice);
		unsub = xasprintf("<mailto:%s?subject=unsubscribe>",
		    s->sender_address);
	}
	in.from_name = s->sender_name;
	in.from_addr = s->sender_address;
	in.to_name = c->name;
	in.to_addr = c->email;
	in.reply_to = s->reply_to != NULL && *s->reply_to != '\0' ?
	    s->reply_to : NULL;
	in.subject = r->subject;
	in.text = r->text;
	in.html = r->html;
	if (!encode) {
		/* what the body adds to the template's checked text */
		in.text = notice != NULL ? notice : "";
		in.html = r->nimages > 0 ? in.text : NULL;
	}
	in.images = r->images;
	in.nimages = r->nimages;
	in.list_unsubscribe = unsub;
	in.date = date;
	in.utc_offset = offset;
	in.message_id = message_id;
	if ((encode ? message_build(&in, &b, &err) :
	    message_check(&in, &err)) == -1) {
		diag_error(d, file, line, "client '%s': %s", c->id, err);
		goto out;
	}
	rc = 0;
	if (!encode)
		goto out;
	out->bytes = buf_detach(&b, &out->len);
	out->subject = xstrdup(r->subject);
	out->template_file = xstrdup(r->template_file);
out:
	buf_free(&b);
	free(unsub);
	free(err);
	return rc;
}

int
compose_message(const struct settings *s, const struct templates *t,
    const struct plan_item *item, const struct history_client *hc,
    const char *message_id, int64_t date, struct composed *out,
    struct diag *d)
{
	const struct client *c = item->client;
	const struct template *tp;
	struct template_vars v;
	struct rendered r;
	char *path = NULL;
	const char *name = item->template;
	int offset = item->utc_offset, rc = -1;
	bool fell_back;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	tp = templates_pick(t, name, c->language, book_form(c), s->language,
	    item->late, hc, &fell_back);
	if (tp == NULL) {
		diag_error(d, s->templates, 0, "client '%s': no template "
		    "%s.%s.txt (nor %s.%s.txt in the sender's language)",
		    c->id, name, c->language, name, s->language);
		goto out;
	}
	memset(&v, 0, sizeof(v));
	v.settings = s;
	v.client = c;
	v.project = item->project;
	v.has_years = item->has_years;
	v.years = item->years;
	v.has_age = item->has_years && item->occasion != NULL &&
	    item->occasion->kind == OCC_BIRTHDAY;
	v.age = item->age;
	if (template_render(tp, &v, &r, d) == -1)
		goto out;
	if (date != item->due && c->tz != NULL)
		offset = tz_offset_at(c->tz, date, NULL);
	path = xasprintf("%s/%s", s->templates, template_file(tp));
	rc = compose_build(s, c, &r, template_lang(tp), message_id, date,
	    offset, path, 0, out, d);
out:
	rendered_free(&r);
	free(path);
	return rc;
}

void
composed_free(struct composed *c)
{
	if (c == NULL)
		return;
	free(c->bytes);
	free(c->subject);
	free(c->template_file);
	memset(c, 0, sizeof(*c));
}

/* What {{years}} will be for the occasion: -1 the occasion never comes
 * for this client, 0 no value, 1 a value. */
static int
compose_years(const struct occasion *o, const struct client *c)
{
	const char *f;

	if (o->kind == OCC_BIRTHDAY)
		return !c->has_birthday ? -1 : c->birthday.year != 0;
	if (o->kind != OCC_YEARLY || o->field == NULL)
		return 0;
	if (strcmp(o->field, "client_since") == 0)
		return c->has_client_since ? 1 : -1;
	if (strcmp(o->field, "birthday") == 0)
		return !c->has_birthday ? -1 : c->birthday.year != 0;
	if ((f = book_field(c, o->field)) == NULL)
		return -1;
	return strncmp(f, "--", 2) != 0;
}

/*
 * `check` speaks once per cause.  The same problem at the same place for
 * several clients is one line naming them; a missing template file is one
 * line naming the clients that need it; an unknown variable is one line
 * naming the templates it is in.  A problem of one client keeps its own
 * words.
 */
#define CHECK_NAMES 8		/* clients named before "(and N more)" */

enum cause_kind { CAUSE_PLAIN, CAUSE_MISSING, CAUSE_FALLBACK, CAUSE_VARIABLE };

struct cause {
	enum cause_kind	 kind;
	enum diag_level	 level;
	char		*file;
	int		 line;
	char		*key;		/* equal keys: one cause */
	char		*text;		/* the problem without the client */
	char		*first;		/* the first report, word for word */
	char		*var;		/* CAUSE_VARIABLE: its name */
	struct buf	 places;	/* CAUSE_VARIABLE: ", also in F:L" */
	size_t		 nplaces;
	char	       **clients;
	size_t		 nclients;
};

struct causes {
	struct cause	*v;
	size_t		 n;
};

static void
causes_free(struct causes *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		struct cause *c = &cs->v[i];

		free(c->file);
		free(c->key);
		free(c->text);
		free(c->first);
		free(c->var);
		buf_free(&c->places);
		for (size_t k = 0; k < c->nclients; k++)
			free(c->clients[k]);
		free(c->clients);
	}
	free(cs->v);
}

/* The cause with key, made at file:line when new; client joins it. */
static struct cause *
causes_add(struct causes *cs, enum cause_kind kind, enum diag_level level,
    const char *file, int line, const char *key, const char *text,
    const char *first, const char *client)
{
	struct cause *c = NULL;

	for (size_t i = 0; i < cs->n && c == NULL; i++)
		if (strcmp(cs->v[i].key, key) == 0)
			c = &cs->v[i];
	if (c == NULL) {
		cs->v = xreallocarray(cs->v, cs->n + 1, sizeof(*cs->v));
		c = &cs->v[cs->n++];
		memset(c, 0, sizeof(*c));
		c->kind = kind;
		c->level = level;
		c->file = xstrdup(file);
		c->line = line;
		c->key = xstrdup(key);
		c->text = xstrdup(text);
		c->first = xstrdup(first);
		c->nplaces = 1;
		buf_init(&c->places);
	}
	if (client != NULL && (c->nclients == 0 ||
	    strcmp(c->clients[c->nclients - 1], client) != 0)) {
		c->clients = xreallocarray(c->clients, c->nclients + 1,
		    sizeof(*c->clients));
		c->clients[c->nclients++] = xstrdup(client);
	}
	return c;
}

/* The problems tmp holds for client, sorted into causes. */
static void
causes_take(struct causes *cs, const char *client, const struct diag *tmp)
{
	char *prefix;
	size_t plen;

	if (tmp->n == 0)
		return;
	prefix = xasprintf("client '%s': ", client);
	plen = strlen(prefix);

	for (size_t i = 0; i < tmp->n; i++) {
		const struct diag_item *it = &tmp->items[i];
		const char *rest = it->msg + plen, *end;
		char *key, *text, *place;
		struct cause *c;

		if (strncmp(it->msg, prefix, plen) != 0) {
			key = xasprintf("=%d:%s:%d:%s", it->level, it->file,
			    it->line, it->msg);
			causes_add(cs, CAUSE_PLAIN, it->level, it->file,
			    it->line, key, it->msg, it->msg, NULL);
			free(key);
			continue;
		}
		/* template.c's words: "unknown variable {{V}}…: valid are" */
		if (strncmp(rest, "unknown variable {{", 19) == 0 &&
		    (end = strstr(rest, "}}")) != NULL &&
		    strstr(end, ": valid are ") != NULL) {
			char *var = xstrndup(rest + 19,
			    (size_t)(end - rest - 19));

			key = xasprintf("var:%s", var);
			text = xstrndup(rest, (size_t)(strstr(end,
			    ": valid are ") - rest));
			c = causes_add(cs, CAUSE_VARIABLE, it->level,
			    it->file, it->line, key, text, it->msg, client);
			if (c->var == NULL)
				c->var = xstrdup(var);
			place = xasprintf(it->line > 0 ? "%s:%d" : "%s",
			    it->file, it->line);
			if ((strcmp(c->file, it->file) != 0 ||
			    c->line != it->line) && (c->places.len == 0 ||
			    strstr(c->places.data, place) == NULL)) {
				buf_addf(&c->places, ", %s", place);
				c->nplaces++;
			}
			free(place);
			free(var);
		} else {
			key = xasprintf("%d:%s:%d:%s", it->level, it->file,
			    it->line, rest);
			text = xstrdup(rest);
			causes_add(cs, CAUSE_PLAIN, it->level, it->file,
			    it->line, key, text, it->msg, client);
		}
		free(key);
		free(text);
	}
	free(prefix);
}

/* "a, b, c" for up to CHECK_NAMES clients, then " (and N more)". */
static void
causes_names(struct buf *b, const struct cause *c)
{
	for (size_t i = 0; i < c->nclients && i < CHECK_NAMES; i++)
		buf_addf(b, "%s%s", i > 0 ? ", " : "", c->clients[i]);
	if (c->nclients > CHECK_NAMES)
		buf_addf(b, " (and %zu more)", c->nclients - CHECK_NAMES);
}

/* Removes the warning templates_load() gave for an unknown variable at
 * file:line that an error of check now names. */
static void
causes_drop_warning(struct diag *d, const char *file, int line,
    const char *var)
{
	char *w = xasprintf("'%s' is not a built-in variable", var);

	for (size_t i = d->n; i-- > 0;)
		if (d->items[i].level == DIAG_WARNING &&
		    d->items[i].line == line &&
		    strcmp(d->items[i].file, file) == 0 &&
		    strncmp(d->items[i].msg, w, strlen(w)) == 0)
			diag_drop(d, i);
	free(w);
}

static void
causes_print(const struct causes *cs, struct diag *d)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < cs->n; i++) {
		const struct cause *c = &cs->v[i];
		size_t n = c->nclients;

		buf_reset(&b);
		switch (c->kind) {
		case CAUSE_MISSING:
			buf_addf(&b, "%s for %zu client%s: ", c->text, n,
			    n == 1 ? "" : "s");
			causes_names(&b, c);
			break;
		case CAUSE_FALLBACK:
			if (n == 1) {
				buf_adds(&b, c->first);
				break;
			}
			buf_addf(&b, "%zu clients %s: ", n, c->text);
			causes_names(&b, c);
			break;
		case CAUSE_VARIABLE:
			causes_drop_warning(d, c->file, c->line, c->var);
			if (n == 1 && c->nplaces == 1) {
				buf_adds(&b, c->first);
				break;
			}
			buf_adds(&b, c->text);
			if (c->places.len > 0)
				buf_addf(&b, " (also in %s)", c->places.data +
				    2);
			buf_adds(&b, ": neither built in nor a field of ");
			if (n > 1)
				buf_addf(&b, "the %zu clients who get it: ", n);
			else
				buf_adds(&b, "client ");
			causes_names(&b, c);
			break;
		default:
			if (n <= 1) {
				buf_adds(&b, c->first);
				break;
			}
			buf_addf(&b, "%s; for %zu clients: ", c->text, n);
			causes_names(&b, c);
		}
		if (c->level == DIAG_ERROR)
			diag_error(d, c->file, c->line, "%s", b.data);
		else
			diag_warn(d, c->file, c->line, "%s", b.data);
	}
	buf_free(&b);
}

/* What compose_check_book() carries from client to client. */
struct check_ctx {
	const struct settings	 *s;
	const struct book	 *b;
	const struct templates	 *t;
	char			 *id;		/* the Message-ID checked */
	const struct template	**built;	/* encoded once already */
	size_t			  nbuilt;
	char			**belated;	/* per occasion: its -belated
						   template, NULL if none */
	const struct client	 *proven;	/* whose headers and notice */
	const char		 *proven_lang;	/* in this language passed */
	struct causes		  cs;
};

/* Whether tp's bytes were built once already: the first client that
 * gets it proves the MIME encoding; the others only their own values. */
static bool
check_built(const struct check_ctx *x, const struct template *tp)
{
	for (size_t i = 0; i < x->nbuilt; i++)
		if (x->built[i] == tp)
			return true;
	return false;
}

/* What compose_build() checks that differs between two messages to one
 * client in one language without images: the subject.  Said alike. */
static int
compose_check_subject(const struct client *c, const struct rendered *r,
    const char *file, int line, struct diag *d)
{
	char *err = NULL;

	if (message_check_subject(r->subject, &err) == -1) {
		diag_error(d, file, line, "client '%s': %s", c->id, err);
		free(err);
		return -1;
	}
	return 0;
}

/* Renders every variant of name in lang for the client with the values
 * the planner can give the occasion, and proves message_build() accepts
 * it.  A problem with the client's own header values is reported once
 * (*bad). */
static void
compose_check_variants(struct check_ctx *x, const struct client *c,
    const struct occasion *o, const char *name, const char *lang,
    int years, bool *bad, struct diag *d)
{
	const struct template *tp;

	for (size_t i = 0; (tp = templates_variant(x->t, name, lang, i));
	    i++) {
		size_t np = o->kind == OCC_AFTER_PROJECT ? c->nprojects : 1;

		for (size_t p = 0; p < np; p++) {
			struct template_vars v;
			struct rendered r;
			struct composed out;
			bool build = !check_built(x, tp), proven;

			memset(&v, 0, sizeof(v));
			memset(&out, 0, sizeof(out));
			v.settings = x->s;
			v.client = c;
			if (o->kind == OCC_AFTER_PROJECT)
				v.project = c->projects[p].name;
			v.has_years = years == 1;
			v.years = 1;
			v.has_age = years == 1 && o->kind == OCC_BIRTHDAY;
			v.age = 1;
			/* the other projects would only repeat the problem */
			if ((build ? template_render(tp, &v, &r, d) :
			    template_resolve(tp, &v, &r, d)) == -1)
				break;
			/* the client's headers and notice passed already */
			proven = !build && r.nimages == 0 && x->proven == c &&
			    strcmp(x->proven_lang, template_lang(tp)) == 0;

			if (!*bad && (proven ? compose_check_subject(c, &r,
			    x->b->path, c->line, d) : compose_build(x->s, c,
			    &r, template_lang(tp), x->id, 0, 0, x->b->path,
			    c->line, &out, d)) == -1)
				*bad = true;
			else if (!*bad && !proven && r.nimages == 0) {
				x->proven = c;
				x->proven_lang = template_lang(tp);
			}
			if (!*bad && build) {
				x->built = xreallocarray(x->built,
				    x->nbuilt + 1, sizeof(*x->built));
				x->built[x->nbuilt++] = tp;
			}
			rendered_free(&r);
			composed_free(&out);
		}
	}
}

/* One line per client who gets name.L.txt in another language L. */
static void
compose_check_missing(struct check_ctx *x, const struct client *c,
    const struct occasion *o)
{
	const struct settings *s = x->s;
	char *ckey, *text;

	ckey = xasprintf("missing:%s:%s:%s", o->name, o->template,
	    c->language);
	if (strcmp(c->language, s->language) == 0)
		text = xasprintf("template %s.%s.txt is missing in %s: "
		    "occasion '%s' needs it", o->template, c->language,
		    s->templates, o->name);
	else
		text = xasprintf("template %s.%s.txt (or %s.%s.txt in "
		    "the sender's language) is missing in %s: "
		    "occasion '%s' needs it", o->template, c->language,
		    o->template, s->language, s->templates, o->name);
	causes_add(&x->cs, CAUSE_MISSING, DIAG_ERROR, x->b->path, c->line,
	    ckey, text, text, c->id);
	free(ckey);
	free(text);
}

/* Checks the template the client gets for occasion o, and its -belated
 * one when that exists in the client's language.  Returns the language of
 * a letter with no notice in it (NULL when all have one). */
static const char *
compose_check_occasion(struct check_ctx *x, const struct client *c,
    const struct occasion *o, int years, bool *bad, struct diag *d)
{
	const struct settings *s = x->s;
	const char *belated = x->belated[o - x->b->occasions];
	const char *key, *lacking = NULL;
	const struct template *tp;
	char *ckey, *text, *first;
	bool fb;

	key = templates_find(x->t, o->template, c->language, book_form(c),
	    s->language, false, &fb);
	if (key == NULL)
		compose_check_missing(x, c, o);
	else {
		if (fb) {
			ckey = xasprintf("fallback:%s:%s:%s", o->template,
			    key, c->language);
			text = xasprintf("(language '%s') get %s.%s.txt: "
			    "there is no %s.%s.txt", c->language,
			    o->template, key, o->template, c->language);
			first = xasprintf("client '%s' (language '%s') gets "
			    "%s.%s.txt: there is no %s.%s.txt", c->id,
			    c->language, o->template, key, o->template,
			    c->language);
			causes_add(&x->cs, CAUSE_FALLBACK, DIAG_WARNING,
			    x->b->path, c->line, ckey, text, first, c->id);
			free(ckey);
			free(text);
			free(first);
		}
		compose_check_variants(x, c, o, o->template, key, years, bad,
		    d);
		tp = templates_variant(x->t, o->template, key, 0);
		if (!compose_has_notice(s, template_lang(tp)))
			lacking = template_lang(tp);
	}
	/* a belated one in another language is never sent: the ordinary
	 * one in the client's language goes instead */
	if (belated != NULL && (key = templates_find(x->t, belated,
	    c->language, book_form(c), NULL, true, &fb)) != NULL)
		compose_check_variants(x, c, o, belated, key, years, bad, d);
	return lacking;
}

/* Checks client c's occasions into x->cs. */
static void
compose_check_client(struct check_ctx *x, const struct client *c)
{
	const struct book *b = x->b;
	const char *lacking = NULL, *l;
	struct diag tmp;
	bool bad = false;

	diag_init(&tmp);
	for (size_t k = 0; k < c->noccasions; k++) {
		const struct occasion *o = &b->occasions[c->occasions[k]];
		int years = compose_years(o, c);

		if (years == -1 ||
		    (o->kind == OCC_AFTER_PROJECT && c->nprojects == 0))
			continue;
		causes_take(&x->cs, c->id, &tmp);
		diag_free(&tmp);
		l = compose_check_occasion(x, c, o, years, &bad, &tmp);
		if (lacking == NULL)
			lacking = l;
	}
	if (lacking != NULL && (c->basis == BASIS_CUSTOMER ||
	    c->basis == BASIS_CONSENT))
		diag_warn(&tmp, b->path, c->line, "client '%s': its "
		    "letters in '%s' would end with the English "
		    "objection notice; set objection_notice.%.*s in "
		    "touchbase.ini", c->id, lacking,
		    (int)valid_language_base(lacking), lacking);
	causes_take(&x->cs, c->id, &tmp);
	diag_free(&tmp);
}

size_t
compose_check_book(const struct settings *s, const struct book *b,
    const struct templates *t, struct diag *d)
{
	struct check_ctx x;
	size_t before = d->errors;

	memset(&x, 0, sizeof(x));
	x.s = s;
	x.b = b;
	x.t = t;
	x.id = xasprintf("<check@%s>", s->sender_domain != NULL ?
	    s->sender_domain : "localhost");
	x.belated = xcalloc(b->noccasions + 1, sizeof(*x.belated));
	for (size_t k = 0; k < b->noccasions; k++) {
		x.belated[k] = xasprintf("%s-belated",
		    b->occasions[k].template);
		if (!templates_exists(t, x.belated[k])) {
			free(x.belated[k]);
			x.belated[k] = NULL;
		}
	}
	for (size_t i = 0; i < b->nclients; i++)
		compose_check_client(&x, &b->clients[i]);
	causes_print(&x.cs, d);
	causes_free(&x.cs);
	for (size_t k = 0; k < b->noccasions; k++)
		free(x.belated[k]);
	free(x.belated);
	free(x.built);
	free(x.id);
	return d->errors - before;
}
