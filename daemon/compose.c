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
 * with the client's own values are reported at file:line.
 */
static int
compose_build(const struct settings *s, const struct client *c,
    struct rendered *r, const char *lang, const char *message_id,
    int64_t date, int offset, const char *file, int line,
    struct composed *out, struct diag *d)
{
	struct message_in in;
	struct buf b;
	char *unsub = NULL, *err = NULL;
	int rc = -1;

	buf_init(&b);
	memset(&in, 0, sizeof(in));
	if (c->basis == BASIS_CUSTOMER || c->basis == BASIS_CONSENT) {
		const char *notice = settings_notice(s, lang);

		compose_add_notice(r, notice != NULL ? notice :
		    compose_default_notice(lang));
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
	in.images = r->images;
	in.nimages = r->nimages;
	in.list_unsubscribe = unsub;
	in.date = date;
	in.utc_offset = offset;
	in.message_id = message_id;
	if (message_build(&in, &b, &err) == -1) {
		diag_error(d, file, line, "client '%s': %s", c->id, err);
		goto out;
	}
	out->bytes = buf_detach(&b, &out->len);
	out->subject = xstrdup(r->subject);
	out->template_file = xstrdup(r->template_file);
	rc = 0;
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

/* Renders and builds every variant of name in lang for the client with
 * the values the planner can give the occasion.  A problem with the
 * client's own header values is reported once (*bad). */
static void
compose_check_variants(const struct settings *s, const struct book *b,
    const struct templates *t, const struct client *c,
    const struct occasion *o, const char *name, const char *lang,
    int years, bool *bad, struct diag *d)
{
	const struct template *tp;
	char *id = xasprintf("<check@%s>", s->sender_domain != NULL ?
	    s->sender_domain : "localhost");

	for (size_t i = 0; (tp = templates_variant(t, name, lang, i)); i++) {
		size_t np = o->kind == OCC_AFTER_PROJECT ? c->nprojects : 1;

		for (size_t p = 0; p < np; p++) {
			struct template_vars v;
			struct rendered r;
			struct composed out;

			memset(&v, 0, sizeof(v));
			memset(&out, 0, sizeof(out));
			v.settings = s;
			v.client = c;
			if (o->kind == OCC_AFTER_PROJECT)
				v.project = c->projects[p].name;
			v.has_years = years == 1;
			v.years = 1;
			v.has_age = years == 1 && o->kind == OCC_BIRTHDAY;
			v.age = 1;
			/* the other projects would only repeat the problem */
			if (template_render(tp, &v, &r, d) == -1)
				break;
			if (!*bad && compose_build(s, c, &r, template_lang(tp),
			    id, 0, 0, b->path, c->line, &out, d) == -1)
				*bad = true;
			rendered_free(&r);
			composed_free(&out);
		}
	}
	free(id);
}

/* Checks the template the client gets for occasion o, and its -belated
 * one when that exists in the client's language.  Returns the language of
 * a letter with no notice in it (NULL when all have one). */
static const char *
compose_check_occasion(const struct settings *s, const struct book *b,
    const struct templates *t, const struct client *c,
    const struct occasion *o, int years, bool *bad, struct diag *d)
{
	char *belated = xasprintf("%s-belated", o->template);
	const char *key, *lacking = NULL;
	const struct template *tp;
	bool fb;

	key = templates_find(t, o->template, c->language, book_form(c),
	    s->language, false, &fb);
	if (key == NULL) {
		diag_error(d, b->path, c->line, "client '%s': occasion '%s' "
		    "needs a template %s.%s.txt (or %s.%s.txt) in %s", c->id,
		    o->name, o->template, c->language, o->template,
		    s->language, s->templates);
	} else {
		if (fb)
			diag_warn(d, b->path, c->line, "client '%s' (language "
			    "'%s') gets %s.%s.txt: there is no %s.%s.txt",
			    c->id, c->language, o->template, key, o->template,
			    c->language);
		compose_check_variants(s, b, t, c, o, o->template, key, years,
		    bad, d);
		tp = templates_variant(t, o->template, key, 0);
		if (!compose_has_notice(s, template_lang(tp)))
			lacking = template_lang(tp);
	}
	/* a belated one in another language is never sent: the ordinary
	 * one in the client's language goes instead */
	if (templates_exists(t, belated) && (key = templates_find(t, belated,
	    c->language, book_form(c), NULL, true, &fb)) != NULL)
		compose_check_variants(s, b, t, c, o, belated, key, years, bad,
		    d);
	free(belated);
	return lacking;
}

size_t
compose_check_book(const struct settings *s, const struct book *b,
    const struct templates *t, struct diag *d)
{
	size_t before = d->errors;

	for (size_t i = 0; i < b->nclients; i++) {
		const struct client *c = &b->clients[i];
		const char *lacking = NULL, *l;
		bool bad = false;

		for (size_t k = 0; k < c->noccasions; k++) {
			const struct occasion *o = &b->occasions[c->occasions[k]];
			int years = compose_years(o, c);

			if (years == -1 ||
			    (o->kind == OCC_AFTER_PROJECT && c->nprojects == 0))
				continue;
			l = compose_check_occasion(s, b, t, c, o, years, &bad,
			    d);
			if (lacking == NULL)
				lacking = l;
		}
		if (lacking != NULL && (c->basis == BASIS_CUSTOMER ||
		    c->basis == BASIS_CONSENT))
			diag_warn(d, b->path, c->line, "client '%s': its letters "
			    "in '%s' would end with the English objection "
			    "notice; set objection_notice.%.*s in touchbase.ini",
			    c->id, lacking, (int)valid_language_base(lacking),
			    lacking);
	}
	return d->errors - before;
}
