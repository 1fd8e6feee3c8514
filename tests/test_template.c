/*
 * test_template.c - template files: loading and its errors (with their
 * FILE:LINE), variables and fallbacks, variants, cards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "history.h"
#include "template.h"
#include "xalloc.h"

static char *dir;

static const unsigned char png1[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H',
	'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0
};

static int
setup(void **state)
{
	char tmpl[] = "/tmp/test_template.XXXXXX";

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	dir = xstrdup(tmpl);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	(void)state;
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(dir);
	return 0;
}

static void
put(const char *name, const void *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	free(path);
}

static void
puts_file(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

/* All of d as "FILE:LINE: msg" lines, with the folder shown as DIR. */
static char *
diags(const struct diag *d)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(d, i), *p = s, *q;

		while ((q = strstr(p, dir)) != NULL) {
			buf_add(&b, p, (size_t)(q - p));
			buf_adds(&b, "DIR");
			p = q + strlen(dir);
		}
		buf_addf(&b, "%s\n", p);
		free(s);
	}
	buf_adds(&b, "");
	return buf_detach(&b, NULL);
}

static struct templates *
load_ok(void)
{
	struct templates *t = NULL;
	struct diag d;
	char *s;

	diag_init(&d);
	if (templates_load(dir, &t, &d) == -1) {
		s = diags(&d);
		fail_msg("load failed:\n%s", s);
	}
	diag_free(&d);
	return t;
}

/* Loads a folder that must fail and returns the problems. */
static char *
load_fails(void)
{
	struct templates *t = NULL;
	struct diag d;
	char *s;

	diag_init(&d);
	assert_int_equal(templates_load(dir, &t, &d), -1);
	assert_null(t);
	s = diags(&d);
	diag_free(&d);
	return s;
}

static struct settings settings = { .sender_name = (char *)"Atelier Lindgrün" };
static struct field anna_fields[] = {
	{ (char *)"company", (char *)"Müller Gartenbau", 10 },
};
static struct client anna = {
	.id = (char *)"anna-mueller", .name = (char *)"Anna Müller",
	.first_name = (char *)"Anna", .email = (char *)"anna@example.de",
	.salutation = (char *)"Liebe Anna", .language = (char *)"de",
	.fields = anna_fields, .nfields = 1,
};
static struct client kanzlei = {
	.id = (char *)"kanzlei-brandt", .name = (char *)"Kanzlei Brandt & Özdemir",
	.email = (char *)"kontakt@brandt.example", .language = (char *)"de",
};

static struct template_vars
vars_for(const struct client *c)
{
	struct template_vars v;

	memset(&v, 0, sizeof(v));
	v.settings = &settings;
	v.client = c;
	return v;
}

/* Renders name.de for c; returns 0 or -1 with *problems. */
static int
render(const struct templates *t, const char *name,
    const struct template_vars *v, struct rendered *r, char **problems)
{
	const struct template *tp;
	struct diag d;
	bool fb;
	int rc;

	tp = templates_choose(t, name, "de", "de", NULL, &fb);
	assert_non_null(tp);
	diag_init(&d);
	rc = template_render(tp, v, r, &d);
	*problems = diags(&d);
	diag_free(&d);
	return rc;
}

static void
test_render_variables(void **state)
{
	struct templates *t;
	struct template_vars v = vars_for(&anna);
	struct rendered r;
	char *p;

	(void)state;
	puts_file("greet.de.txt",
	    "Subject: Alles Gute, {{first_name}}!\n"
	    "\n"
	    "{{salutation}},\n"
	    "{{name}} von {{company}}, {{years}} Jahre, Alter {{age}}.\n"
	    "Projekt: {{ project | \"keins\" }}. Gruß, {{sender_name}}\n");
	t = load_ok();
	v.has_years = v.has_age = true;
	v.years = 43;
	v.age = 43;
	assert_int_equal(render(t, "greet", &v, &r, &p), 0);
	assert_string_equal(p, "");
	assert_string_equal(r.subject, "Alles Gute, Anna!");
	assert_string_equal(r.text, "Liebe Anna,\n"
	    "Anna Müller von Müller Gartenbau, 43 Jahre, Alter 43.\n"
	    "Projekt: keins. Gruß, Atelier Lindgrün\n");
	assert_null(r.html);
	assert_string_equal(r.template_file, "greet.de.txt");
	rendered_free(&r);
	free(p);
	v.project = "Logo-Relaunch";
	assert_int_equal(render(t, "greet", &v, &r, &p), 0);
	assert_non_null(strstr(r.text, "Projekt: Logo-Relaunch."));
	rendered_free(&r);
	free(p);
	templates_free(t);
}

static void
test_fallbacks(void **state)
{
	struct templates *t;
	struct template_vars v = vars_for(&kanzlei);
	struct client empty_first = anna;
	struct rendered r;
	char *p;

	(void)state;
	puts_file("fb.de.txt",
	    "Subject: Hallo {{first_name|name}}\n"
	    "\n"
	    "{{salutation|\"Guten Tag\"}} / {{company|name}} / "
	    "{{first_name|salutation|\"Sie \\\"dort\\\"\"}}\n");
	t = load_ok();
	assert_int_equal(render(t, "fb", &v, &r, &p), 0);
	assert_string_equal(r.subject, "Hallo Kanzlei Brandt & Özdemir");
	assert_string_equal(r.text, "Guten Tag / Kanzlei Brandt & Özdemir / "
	    "Sie \"dort\"\n");
	rendered_free(&r);
	free(p);
	/* an empty value counts as none */
	empty_first.first_name = (char *)"";
	v = vars_for(&empty_first);
	assert_int_equal(render(t, "fb", &v, &r, &p), 0);
	assert_string_equal(r.subject, "Hallo Anna Müller");
	assert_string_equal(r.text, "Liebe Anna / Müller Gartenbau / "
	    "Liebe Anna\n");
	rendered_free(&r);
	free(p);
	templates_free(t);
}

static void
test_unset_variable(void **state)
{
	struct templates *t;
	struct template_vars v = vars_for(&kanzlei);
	struct rendered r;
	char *p;

	(void)state;
	puts_file("b.de.txt",
	    "Subject: Alles Gute\n"
	    "\n"
	    "Hallo {{first_name}},\n"
	    "zum {{age}}. Geburtstag, {{years}} Jahre\n"
	    "{{project}} {{compnay}} {{first_name|salutation}}\n");
	t = load_ok();
	assert_int_equal(render(t, "b", &v, &r, &p), -1);
	assert_string_equal(p,
	    "DIR/b.de.txt:3: client 'kanzlei-brandt': {{first_name}} has no "
	    "value: set it in clients.conf, or write a fallback like "
	    "{{first_name|\"text\"}}\n"
	    "DIR/b.de.txt:4: client 'kanzlei-brandt': {{age}} has no value: it "
	    "has a value only for a birthday with a known year, or write a "
	    "fallback like {{age|\"text\"}}\n"
	    "DIR/b.de.txt:4: client 'kanzlei-brandt': {{years}} has no value: "
	    "it has a value only for a yearly occasion of a dated field and for "
	    "a birthday with a known year, or write a fallback like "
	    "{{years|\"text\"}}\n"
	    "DIR/b.de.txt:5: client 'kanzlei-brandt': {{project}} has no value: "
	    "it has a value only for after_project occasions, or write a "
	    "fallback like {{project|\"text\"}}\n"
	    "DIR/b.de.txt:5: client 'kanzlei-brandt': unknown variable "
	    "{{compnay}}: valid are name, first_name, salutation, project, "
	    "years, age, sender_name and the client's fields (none)\n"
	    "DIR/b.de.txt:5: client 'kanzlei-brandt': none of "
	    "{{first_name|salutation}} has a value; end it with a quoted "
	    "fallback like {{first_name|salutation|\"text\"}}\n");
	assert_null(r.subject);
	free(p);
	/* a near miss of a field gets a suggestion */
	v = vars_for(&anna);
	puts_file("b.de.txt", "Subject: x\n\n{{compnay}}\n");
	templates_free(t);
	t = load_ok();
	assert_int_equal(render(t, "b", &v, &r, &p), -1);
	assert_string_equal(p,
	    "DIR/b.de.txt:3: client 'anna-mueller': unknown variable "
	    "{{compnay}} (did you mean 'company'?): valid are name, "
	    "first_name, salutation, project, years, age, sender_name and the "
	    "client's fields (company)\n");
	free(p);
	templates_free(t);
}

/* Values are single lines: CR or LF in a client's value is refused
 * wherever it would go, the body included. */
static void
test_refuses_controls_in_values(void **state)
{
	struct templates *t;
	struct client evil = anna;
	struct field f = { (char *)"company", (char *)"X\r\nBcc: a@b.example",
	    1 };
	struct template_vars v;
	struct rendered r;
	char *p;

	(void)state;
	puts_file("c.de.txt", "Subject: Hallo {{first_name}}\n\n"
	    "{{salutation}},\n{{company}}\n");
	t = load_ok();
	evil.salutation = (char *)"Liebe Anna\nBcc: a@b.example";
	evil.first_name = (char *)"Anna\r";
	evil.fields = &f;
	v = vars_for(&evil);
	assert_int_equal(render(t, "c", &v, &r, &p), -1);
	assert_string_equal(p,
	    "DIR/c.de.txt:1: client 'anna-mueller': the value of "
	    "{{first_name}} contains a control character (CR, LF, tab or "
	    "similar); it must be one line of text\n"
	    "DIR/c.de.txt:3: client 'anna-mueller': the value of "
	    "{{salutation}} contains a control character (CR, LF, tab or "
	    "similar); it must be one line of text\n"
	    "DIR/c.de.txt:4: client 'anna-mueller': the value of {{company}} "
	    "contains a control character (CR, LF, tab or similar); it must be "
	    "one line of text\n");
	free(p);
	templates_free(t);
}

struct bad_case {
	const char *file;
	const char *content;
	const char *problems;
};

static void
test_load_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "a.de.txt", "From: me@example.org\nSubject: x\n\nbody\n",
		    "DIR/a.de.txt:1: unknown header 'From': only 'Subject:' is "
		    "allowed (From and To come from touchbase.ini and "
		    "clients.conf)\n" },
		{ "a.de.txt", "Hallo Anna,\n\nschön!\n",
		    "DIR/a.de.txt:1: missing 'Subject:' header; a template "
		    "starts with 'Subject: …', then a blank line\n" },
		{ "a.de.txt", "Subject: x\nbody without blank line\n",
		    "DIR/a.de.txt:2: expected a blank line between the Subject "
		    "and the text\n" },
		{ "a.de.txt", "X-Note: hi\n\nbody\n",
		    "DIR/a.de.txt:1: unknown header 'X-Note': only 'Subject:' is "
		    "allowed (From and To come from touchbase.ini and "
		    "clients.conf)\n"
		    "DIR/a.de.txt:1: missing 'Subject:' header; a template starts "
		    "with 'Subject: …', then a blank line\n" },
		{ "a.de.txt", "Subject: x\n",
		    "DIR/a.de.txt:2: no blank line after the header block; "
		    "write 'Subject: …', a blank line, then the text\n" },
		{ "a.de.txt", "Subject: x\n\n\n  \n",
		    "DIR/a.de.txt:3: the text after the blank line is empty\n" },
		{ "a.de.txt", "Subject:   \n\nHallo\n",
		    "DIR/a.de.txt:1: the Subject is empty\n" },
		{ "a.de.txt", "Subject: a\nsubject: b\n\nHallo\n",
		    "DIR/a.de.txt:2: a second 'Subject:' (the first is on line "
		    "1)\n" },
		{ "a.de.txt", "Subject: x\n\nLiebe Anna,\n\nalles {{first_name "
		    "Gute\n}}\n",
		    "DIR/a.de.txt:5: unclosed '{{': a variable is written "
		    "{{name}} on one line\n" },
		{ "a.de.txt", "Subject: x {{first_name\n\nHallo\n",
		    "DIR/a.de.txt:1: unclosed '{{': a variable is written "
		    "{{name}} on one line\n" },
		{ "a.de.txt", "Subject: x\n\nGr\xfc\xdf" "e\n",
		    "DIR/a.de.txt:3: invalid UTF-8 (byte 0xfc at column 3); save "
		    "the file as UTF-8\n" },
		{ "a.de.txt", "Subject: x\n\nHallo\x07\n",
		    "DIR/a.de.txt:3: control character 0x07 at column 6; only "
		    "tabs and line breaks are allowed\n" },
		{ "a.de.txt", "Subject: x\n\n{{\"Hallo\"|first_name}}\n",
		    "DIR/a.de.txt:3: in '{{\"Hallo\"|first_name}}': a quoted text "
		    "must be the last alternative, as in {{first_name|\"Hallo\"}}"
		    "\n" },
		{ "a.de.txt", "Subject: x\n\n{{first name}}\n",
		    "DIR/a.de.txt:3: '{{first name}}' is not a variable: "
		    "alternatives are separated by '|', as in "
		    "{{first_name|name|\"text\"}}\n" },
		{ "a.de.txt", "Subject: x\n\n{{}}\n",
		    "DIR/a.de.txt:3: '{{}}' is not a variable: write {{name}}, "
		    "{{first_name}}, {{salutation}}, a field's key, or fallbacks "
		    "like {{first_name|name|\"text\"}}\n" },
		{ "a.de.txt", "Subject: x\n\n{{first_name|\"oops}}\n",
		    "DIR/a.de.txt:3: in '{{first_name|\"oops}}': unclosed quoted "
		    "text; write \"text\" (\\\" for a quote)\n" },
		{ "a.de.txt", "Subject: a\tb\n\nx\n",
		    "DIR/a.de.txt:1: a tab in the Subject; use spaces\n" },
		{ "a.de.txt", "Subject: a\n b\n\nx\n",
		    "DIR/a.de.txt:2: a header must be on one line; write the "
		    "whole Subject on the line 'Subject: …'\n" },
		/* a "}}" without its "{{" reaches no client */
		{ "a.de.txt", "Subject: Hallo {first_name}}\n\nLiebe Anna,\n"
		    "wie geht es? {sender_name}} }}\n",
		    "DIR/a.de.txt:1:16: '{first_name}}' has one '{': a variable "
		    "is written {{first_name}}\n"
		    "DIR/a.de.txt:4:14: '{sender_name}}' has one '{': a variable "
		    "is written {{sender_name}}\n"
		    "DIR/a.de.txt:4:29: a '}}' without its '{{': a variable is "
		    "written {{name}}\n" },
		{ "a.de.txt", "Subject: x\n\n{{first_name}}}}\n",
		    "DIR/a.de.txt:3:15: a '}}' without its '{{': a variable is "
		    "written {{name}}\n" },
	};
	char *p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown(NULL);
		setup(NULL);
		puts_file(cases[i].file, cases[i].content);
		p = load_fails();
		if (strcmp(p, cases[i].problems) != 0)
			fail_msg("case %zu:\n got: %s want: %s", i, p,
			    cases[i].problems);
		free(p);
	}
}

static void
test_file_names(void **state)
{
	struct templates *t;
	struct diag d;
	char *p;

	(void)state;
	puts_file("birthday.txt", "Subject: x\n\ny\n");
	puts_file("birthday.de.old.txt", "Subject: x\n\ny\n");
	puts_file("birthday.de.txt", "Subject: x\n\ny {{frist_name|name}}\n");
	puts_file("birthday.de.txt~", "garbage \xff");
	puts_file(".birthday.de.txt.swp", "garbage \xff");
	puts_file("notes.md", "whatever");
	diag_init(&d);
	assert_int_equal(templates_load(dir, &t, &d), 0);
	p = diags(&d);
	assert_string_equal(p,
	    "DIR/birthday.de.old.txt: warning: ignored: a template is named "
	    "NAME.LANG.txt or NAME.LANG.N.txt (N = 2, 3, …), a card "
	    "NAME.LANG.html\n"
	    "DIR/birthday.de.txt:3: warning: 'frist_name' is not a built-in "
	    "variable (did you mean 'first_name'?); it is looked up in each "
	    "client's fields\n"
	    "DIR/birthday.txt: warning: ignored: a template is named "
	    "NAME.LANG.txt or NAME.LANG.N.txt (N = 2, 3, …), a card "
	    "NAME.LANG.html\n");
	assert_true(templates_exists(t, "birthday"));
	assert_false(templates_exists(t, "birthday-belated"));
	free(p);
	diag_free(&d);
	templates_free(t);

	/* the plain file is variant 1: a .1.txt beside it is a clash */
	puts_file("birthday.de.1.txt", "Subject: x\n\ny\n");
	p = load_fails();
	assert_non_null(strstr(p, "DIR/birthday.de.txt: same variant as "
	    "birthday.de.1.txt (the plain birthday.de.txt counts as variant "
	    "1); rename one to birthday.de.N.txt with another N\n"));
	free(p);
}

static void
test_crlf_and_bom(void **state)
{
	struct templates *t;
	struct template_vars v = vars_for(&anna);
	struct rendered r;
	char *p;

	(void)state;
	puts_file("w.de.txt", "\xef\xbb\xbfSubject: Hallo {{first_name}}\r\n"
	    "\r\nZeile 1\r\nZeile 2\r\n");
	t = load_ok();
	assert_int_equal(render(t, "w", &v, &r, &p), 0);
	assert_string_equal(r.subject, "Hallo Anna");
	assert_string_equal(r.text, "Zeile 1\nZeile 2\n");
	rendered_free(&r);
	free(p);
	templates_free(t);
}

/* Five sends in a row with three variants: each time the one received
 * least recently, never the same twice. */
static void
test_variant_rotation(void **state)
{
	struct templates *t;
	struct history_record recs[8];
	struct history_client hc = { (char *)"anna-mueller", HISTORY_NONE,
	    HISTORY_NONE, HISTORY_NONE, recs, 0, HISTORY_NONE, NULL, 0 };
	const char *want[] = { "birthday.de.txt", "birthday.de.2.txt",
	    "birthday.de.3.txt", "birthday.de.txt", "birthday.de.2.txt" };
	char files[5][32];
	bool fb;

	(void)state;
	puts_file("birthday.de.txt", "Subject: 1\n\none\n");
	puts_file("birthday.de.2.txt", "Subject: 2\n\ntwo\n");
	puts_file("birthday.de.3.txt", "Subject: 3\n\nthree\n");
	puts_file("birthday.en.txt", "Subject: en\n\nen\n");
	t = load_ok();
	for (int i = 0; i < 5; i++) {
		const struct template *tp = templates_choose(t, "birthday",
		    "de", "de", &hc, &fb);

		assert_non_null(tp);
		assert_string_equal(template_file(tp), want[i]);
		snprintf(files[i], sizeof(files[i]), "%s", template_file(tp));
		memset(&recs[i], 0, sizeof(recs[i]));
		recs[i].status = ST_SENT;
		recs[i].due = 1000 * (i + 1);
		recs[i].sent = 1000 * (i + 1) + 5;
		recs[i].template_file = files[i];
		hc.nrecords++;
	}
	/* a failed message was not received; a queued one counts */
	recs[4].status = ST_FAILED;
	assert_string_equal(template_file(templates_choose(t, "birthday", "de",
	    "de", &hc, &fb)), "birthday.de.2.txt");
	recs[4].status = ST_QUEUED;
	recs[4].sent = HISTORY_NONE;
	assert_string_equal(template_file(templates_choose(t, "birthday", "de",
	    "de", &hc, &fb)), "birthday.de.3.txt");
	/* a single variant is used every time */
	assert_string_equal(template_file(templates_choose(t, "birthday", "en",
	    "de", &hc, &fb)), "birthday.en.txt");
	templates_free(t);
}

static void
test_two_variants_never_repeat(void **state)
{
	struct templates *t;
	struct history_record rec;
	struct history_client hc = { (char *)"x", HISTORY_NONE, HISTORY_NONE,
	    HISTORY_NONE, &rec, 1, HISTORY_NONE, NULL, 0 };
	bool fb;

	(void)state;
	puts_file("h.de.txt", "Subject: 1\n\none\n");
	puts_file("h.de.2.txt", "Subject: 2\n\ntwo\n");
	t = load_ok();
	memset(&rec, 0, sizeof(rec));
	rec.status = ST_SENT;
	rec.due = 100;
	rec.sent = 100;
	rec.template_file = (char *)"h.de.txt";
	assert_string_equal(template_file(templates_choose(t, "h", "de", "de",
	    &hc, &fb)), "h.de.2.txt");
	rec.template_file = (char *)"h.de.2.txt";
	assert_string_equal(template_file(templates_choose(t, "h", "de", "de",
	    &hc, &fb)), "h.de.txt");
	templates_free(t);
}

static void
test_language_fallback(void **state)
{
	struct templates *t;
	const struct template *tp;
	bool fb = true;

	(void)state;
	puts_file("season.de.txt", "Subject: Frohe Festtage\n\nx\n");
	puts_file("season.en.txt", "Subject: Season's greetings\n\nx\n");
	puts_file("jubilee.de.txt", "Subject: Jahrestag\n\nx\n");
	t = load_ok();
	tp = templates_choose(t, "season", "en", "de", NULL, &fb);
	assert_string_equal(template_file(tp), "season.en.txt");
	assert_string_equal(template_lang(tp), "en");
	assert_false(fb);
	tp = templates_choose(t, "jubilee", "en", "de", NULL, &fb);
	assert_string_equal(template_file(tp), "jubilee.de.txt");
	assert_true(fb);
	assert_null(templates_choose(t, "jubilee", "en", "fr", NULL, &fb));
	assert_null(templates_choose(t, "nothing", "de", "de", NULL, &fb));
	templates_free(t);
}

static void
test_card(void **state)
{
	struct templates *t;
	struct template_vars v = vars_for(&kanzlei);
	struct rendered r;
	char *p;
	static const unsigned char jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16 };
	static const char gif[] = "GIF89a\x01\x00\x01\x00";
	static const char webp[] = "RIFF\x10\0\0\0WEBPVP8 ";

	(void)state;
	put("card.png", png1, sizeof(png1));
	put("photo.jpg", jpeg, sizeof(jpeg));
	put("dot.gif", gif, sizeof(gif) - 1);
	put("leaf.webp", webp, sizeof(webp) - 1);
	puts_file("bd.de.txt", "Subject: Alles Gute\n\n{{name}}\n");
	puts_file("bd.de.2.txt", "Subject: Alles Gute 2\n\n{{name}}\n");
	puts_file("bd.de.html", "<p>{{salutation|\"<b>Guten Tag</b>\"}}, "
	    "{{name}}</p>\n<img src=\"cid:card.png\"><img src=\"cid:card.png\">"
	    "\n<img src=\"cid:photo.jpg\"><img src='cid:dot.gif'>"
	    "<img src=cid:leaf.webp>\n");
	t = load_ok();
	assert_int_equal(render(t, "bd", &v, &r, &p), 0);
	assert_string_equal(r.text, "Kanzlei Brandt & Özdemir\n");
	assert_string_equal(r.html, "<p><b>Guten Tag</b>, Kanzlei Brandt &amp; "
	    "Özdemir</p>\n<img src=\"cid:card.png\"><img src=\"cid:card.png\">"
	    "\n<img src=\"cid:photo.jpg\"><img src='cid:dot.gif'>"
	    "<img src=cid:leaf.webp>\n");
	assert_int_equal(r.nimages, 4);
	assert_string_equal(r.images[0].file, "card.png");
	assert_string_equal(r.images[0].content_type, "image/png");
	assert_int_equal(r.images[0].len, sizeof(png1));
	assert_memory_equal(r.images[0].data, png1, sizeof(png1));
	assert_string_equal(r.images[1].content_type, "image/jpeg");
	assert_string_equal(r.images[2].content_type, "image/gif");
	assert_string_equal(r.images[3].file, "leaf.webp");
	assert_string_equal(r.images[3].content_type, "image/webp");
	rendered_free(&r);
	free(p);
	templates_free(t);

	/* an image of an unknown type, and one that is not there */
	puts_file("bd.de.html", "<p>x</p>\n\n<img src=\"cid:fake.png\">\n"
	    "<img src=\"cid:gone.png\">\n");
	puts_file("fake.png", "<svg xmlns='http://www.w3.org/2000/svg'/>");
	p = load_fails();
	assert_string_equal(p,
	    "DIR/bd.de.html:3: image 'cid:fake.png': DIR/fake.png is not a PNG, "
	    "JPEG, GIF or WebP image\n"
	    "DIR/bd.de.html:4: image 'cid:gone.png': DIR/gone.png: No such file "
	    "or directory\n");
	free(p);
}

static void
test_card_without_text_warns(void **state)
{
	struct templates *t;
	struct diag d;
	char *p;

	(void)state;
	puts_file("x.de.txt", "Subject: x\n\ny\n");
	puts_file("x.en.html", "<p>hi</p>\n");
	diag_init(&d);
	assert_int_equal(templates_load(dir, &t, &d), 0);
	p = diags(&d);
	assert_string_equal(p, "DIR/x.en.html: warning: no x.en.txt beside "
	    "this card: it is never sent\n");
	free(p);
	diag_free(&d);
	templates_free(t);
}

/* The file a client of lang and form gets for name (late or not). */
static const char *
pick(const struct templates *t, const char *name, const char *lang,
    enum form form, bool late, const struct history_client *hc, bool *fb)
{
	const struct template *tp = templates_pick(t, name, lang, form, "de",
	    late, hc, fb);

	return tp != NULL ? template_file(tp) : "(none)";
}

/* LANG-FORM, LANG, base language (with and without form), the sender's
 * language; variants within the key found; belated only in the client's
 * own language. */
static void
test_lookup_order(void **state)
{
	struct templates *t;
	struct history_record rec;
	struct history_client hc = { .id = (char *)"x",
	    .first_seen = HISTORY_NONE, .last_touch = HISTORY_NONE,
	    .optout = HISTORY_NONE, .records = &rec, .nrecords = 1,
	    .last_mail = HISTORY_NONE };
	bool fb;

	(void)state;
	puts_file("b.de.txt", "Subject: de\n\nx\n");
	puts_file("b.de-sie.txt", "Subject: de-sie\n\nx\n");
	puts_file("b.de-sie.2.txt", "Subject: de-sie 2\n\nx\n");
	puts_file("b.de-AT.txt", "Subject: de-AT\n\nx\n");
	puts_file("b.de-CH-du.txt", "Subject: de-CH-du\n\nx\n");
	puts_file("b.en.txt", "Subject: en\n\nx\n");
	puts_file("b-belated.de.txt", "Subject: belated\n\nx\n");
	puts_file("b-belated.de-du.txt", "Subject: belated du\n\nx\n");
	puts_file("c.en-GB.txt", "Subject: c\n\nx\n");
	t = load_ok();
	/* lang-form-variant: the first variant, then the other */
	assert_string_equal(pick(t, "b", "de", FORM_SIE, false, NULL, &fb),
	    "b.de-sie.txt");
	assert_false(fb);
	memset(&rec, 0, sizeof(rec));
	rec.status = ST_SENT;
	rec.due = rec.sent = 100;
	rec.template_file = (char *)"b.de-sie.txt";
	assert_string_equal(pick(t, "b", "de", FORM_SIE, false, &hc, &fb),
	    "b.de-sie.2.txt");
	/* no LANG-FORM: LANG */
	assert_string_equal(pick(t, "b", "de", FORM_DU, false, NULL, &fb),
	    "b.de.txt");
	assert_string_equal(pick(t, "b", "de-AT", FORM_SIE, false, NULL, &fb),
	    "b.de-AT.txt");
	assert_string_equal(pick(t, "b", "de-CH", FORM_DU, false, NULL, &fb),
	    "b.de-CH-du.txt");
	/* base language, its form first */
	assert_string_equal(pick(t, "b", "de-CH", FORM_SIE, false, NULL, &fb),
	    "b.de-sie.txt");
	assert_false(fb);
	assert_string_equal(pick(t, "b", "de-LI", FORM_DU, false, NULL, &fb),
	    "b.de.txt");
	assert_false(fb);
	/* a language without the distinction ignores the form */
	assert_string_equal(pick(t, "b", "en", FORM_SIE, false, NULL, &fb),
	    "b.en.txt");
	assert_string_equal(pick(t, "b", "en-US", FORM_DU, false, NULL, &fb),
	    "b.en.txt");
	/* the sender's language, with the client's form */
	assert_string_equal(pick(t, "b", "fr", FORM_SIE, false, NULL, &fb),
	    "b.de-sie.txt");
	assert_true(fb);
	assert_string_equal(pick(t, "b", "fr-CA", FORM_DU, false, NULL, &fb),
	    "b.de.txt");
	assert_true(fb);
	/* a base never looks for a region */
	assert_string_equal(pick(t, "c", "en", FORM_DU, false, NULL, &fb),
	    "(none)");
	assert_string_equal(pick(t, "c", "en-GB", FORM_DU, false, NULL, &fb),
	    "c.en-GB.txt");
	/* belated: in the client's language (form, base) ... */
	assert_string_equal(pick(t, "b", "de", FORM_DU, true, NULL, &fb),
	    "b-belated.de-du.txt");
	assert_string_equal(pick(t, "b", "de-AT", FORM_SIE, true, NULL, &fb),
	    "b-belated.de.txt");
	assert_string_equal(pick(t, "b", "de-AT", FORM_DU, true, NULL, &fb),
	    "b-belated.de-du.txt");
	/* ... else the ordinary one in the client's language, never a
	 * belated one in another */
	assert_string_equal(pick(t, "b", "en", FORM_SIE, true, NULL, &fb),
	    "b.en.txt");
	assert_false(fb);
	assert_string_equal(pick(t, "b", "fr", FORM_SIE, true, NULL, &fb),
	    "b.de-sie.txt");
	assert_true(fb);
	/* the key itself */
	assert_string_equal(templates_find(t, "b", "de-CH", FORM_SIE, "en",
	    false, &fb), "de-sie");
	assert_null(templates_find(t, "b-belated", "en", FORM_SIE, "de",
	    true, &fb));
	assert_string_equal(templates_find(t, "b-belated", "en", FORM_SIE,
	    "de", false, &fb), "de");
	assert_true(fb);
	assert_string_equal(template_lang(templates_variant(t, "b", "de-CH-du",
	    0)), "de-CH");
	templates_free(t);
}

static struct client sie_client = {
	.id = (char *)"steiner", .name = (char *)"Dr. Maria Steiner",
	.salutation = (char *)"Sehr geehrte Frau Dr. Steiner",
	.email = (char *)"m@steiner.example", .language = (char *)"de-AT",
	.fields = anna_fields, .nfields = 1, .form = FORM_SIE,
};

/* Renders the only template of name (key lang) for v. */
static char *
render_key(const struct templates *t, const char *name, const char *key,
    const struct template_vars *v, char **problems)
{
	const struct template *tp = templates_variant(t, name, key, 0);
	struct rendered r;
	struct diag d;
	char *text = NULL;

	assert_non_null(tp);
	diag_init(&d);
	if (template_render(tp, v, &r, &d) == 0) {
		text = xasprintf("%s|%s", r.subject, r.text);
		rendered_free(&r);
	}
	*problems = diags(&d);
	diag_free(&d);
	return text;
}

static void
test_sections(void **state)
{
	struct templates *t;
	struct template_vars v = vars_for(&anna);
	char *s, *p;

	(void)state;
	puts_file("s.de.txt",
	    "Subject: Alles Gute{{#first_name}}, {{first_name}}{{/first_name}}!\n"
	    "\n"
	    "zum {{#age}}{{age}}. {{/age}}Geburtstag{{^age}} (ohne Alter)"
	    "{{/age}}.\n"
	    "{{#company}}\n"
	    "  Grüße an {{company}}{{#project}} und {{project}}{{/project}}!\n"
	    "  {{^project}}\n"
	    "Kein Projekt.\n"
	    "  {{/project}}\n"
	    "{{/company}}\n"
	    "{{#nothing}}{{unknown}}{{/nothing}}Ende\n");
	t = load_ok();
	s = render_key(t, "s", "de", &v, &p);
	assert_string_equal(p, "");
	assert_string_equal(s, "Alles Gute, Anna!|zum Geburtstag (ohne Alter).\n"
	    "  Grüße an Müller Gartenbau!\n"
	    "Kein Projekt.\n"
	    "Ende\n");
	free(s);
	free(p);
	v.has_age = true;
	v.age = 43;
	v.project = "Logo";
	s = render_key(t, "s", "de", &v, &p);
	assert_string_equal(s, "Alles Gute, Anna!|zum 43. Geburtstag.\n"
	    "  Grüße an Müller Gartenbau und Logo!\n"
	    "Ende\n");
	free(s);
	free(p);
	v = vars_for(&kanzlei);
	s = render_key(t, "s", "de", &v, &p);
	assert_string_equal(s, "Alles Gute!|zum Geburtstag (ohne Alter).\n"
	    "Ende\n");
	free(s);
	free(p);
	templates_free(t);
}

static void
test_choices_and_plurals(void **state)
{
	struct templates *t;
	struct client du = anna, ru = anna;
	struct field n[] = { { (char *)"n", (char *)"21", 1 } };
	struct template_vars v = vars_for(&sie_client);
	char *s, *p;
	static const struct { const char *lang; int n; const char *want; }
	    cases[] = {
		{ "de", 0, "0 Jahre" }, { "de", 1, "1 Jahr" },
		{ "de", 2, "2 Jahre" }, { "en", 1, "1 year" },
		{ "en", 11, "11 years" }, { "fr", 0, "0 an" },
		{ "fr", 1, "1 an" }, { "fr", 2, "2 ans" },
		{ "ru", 1, "1 год" }, { "ru", 2, "2 года" },
		{ "ru", 5, "5 лет" }, { "ru", 11, "11 лет" },
		{ "ru", 21, "21 год" }, { "ru", 22, "22 года" },
		{ "ru", 112, "112 лет" }, { "pl", 1, "1 rok" },
		{ "pl", 22, "22 lata" }, { "pl", 12, "12 lat" },
		{ "pl", 21, "21 lat" }, { "cs", 3, "3 roky" },
		{ "cs", 22, "22 let" },
	};

	(void)state;
	puts_file("c.de-AT.txt", "Subject: Wie geht es {{du:Dir|sie:Ihnen}}?\n"
	    "\n"
	    "{{salutation}}, {{ sie:wie geht es Ihnen| du:wie geht's}}?\n"
	    "{{years}} {{years:Jahr|Jahre}} mit {{du:Dir|sie:}}.\n");
	puts_file("p.de.txt", "Subject: x\n\n{{years}} {{years:Jahr|Jahre}}\n");
	puts_file("p.en.txt", "Subject: x\n\n{{years}} {{years:year|years}}\n");
	puts_file("p.fr.txt", "Subject: x\n\n{{years}} {{years:an|ans}}\n");
	puts_file("p.ru.txt", "Subject: x\n\n{{years}} {{years:год|года|лет}}\n");
	puts_file("p.pl.txt", "Subject: x\n\n{{years}} {{years:rok|lata|lat}}\n");
	puts_file("p.cs.txt", "Subject: x\n\n{{years}} {{years:rok|roky|let}}\n");
	puts_file("f.de.txt", "Subject: x\n\n{{n:Tag|Tage}} {{company:a|b}}\n");
	t = load_ok();
	v.has_years = true;
	v.years = 1;
	s = render_key(t, "c", "de-AT", &v, &p);
	assert_string_equal(p, "");
	assert_string_equal(s, "Wie geht es Ihnen?|Sehr geehrte Frau Dr. "
	    "Steiner, wie geht es Ihnen?\n1 Jahr mit .\n");
	free(s);
	free(p);
	du.form = FORM_DU;
	v = vars_for(&du);
	v.has_years = true;
	v.years = 7;
	s = render_key(t, "c", "de-AT", &v, &p);
	assert_string_equal(s, "Wie geht es Dir?|Liebe Anna, wie geht's?\n"
	    "7 Jahre mit Dir.\n");
	free(s);
	free(p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *want = xasprintf("x|%s\n", cases[i].want);

		v.years = cases[i].n;
		s = render_key(t, "p", cases[i].lang, &v, &p);
		if (s == NULL || strcmp(s, want) != 0)
			fail_msg("%s %d: got %s, want %s", cases[i].lang,
			    cases[i].n, s ? s : p, want);
		free(want);
		free(s);
		free(p);
	}
	/* a plural of a field: a whole number, else an error at its place */
	ru.fields = n;
	ru.nfields = 1;
	v = vars_for(&ru);
	s = render_key(t, "f", "de", &v, &p);
	assert_null(s);
	assert_string_equal(p, "DIR/f.de.txt:3:16: client 'anna-mueller': "
	    "the plural {{company:…}} has no number: {{company}} has no value "
	    "(set it in clients.conf); keep it in a section "
	    "{{#company}}…{{/company}}\n");
	free(p);
	v = vars_for(&anna);
	puts_file("f.de.txt", "Subject: x\n\n{{company:a|b}}\n");
	templates_free(t);
	t = load_ok();
	s = render_key(t, "f", "de", &v, &p);
	assert_null(s);
	assert_string_equal(p, "DIR/f.de.txt:3:1: client 'anna-mueller': the "
	    "plural {{company:…}} needs a whole number, and {{company}} is "
	    "'Müller Gartenbau'\n");
	free(p);
	templates_free(t);
}

/* Malformed sections, choices and plurals: each with FILE:LINE:COLUMN. */
static void
test_new_syntax_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "a.de.txt", "Subject: x\n\nWie geht es {{du:Dir}}?\n",
		    "DIR/a.de.txt:3:13: in '{{du:Dir}}': no 'sie:' choice; a "
		    "choice names both forms, as in {{du:Dir|sie:Ihnen}}\n" },
		{ "a.de.txt", "Subject: Hallo {{du:Du|Sie:Sie}}\n\nx\n",
		    "DIR/a.de.txt:1:24: in '{{du:Du|Sie:Sie}}': 'Sie:' is not a "
		    "form of address: the choices are du: (informal) and sie: "
		    "(formal), in lowercase, as in {{du:Dir|sie:Ihnen}}\n" },
		{ "a.de.txt", "Subject: x\n\näö {{sie:Ihnen|du:Dir|sie:Euch}}\n",
		    "DIR/a.de.txt:3:23: in '{{sie:Ihnen|du:Dir|sie:Euch}}': a "
		    "second 'sie:' choice\n" },
		{ "a.de.txt", "Subject: x\n\n{{du:Dir|Ihnen}}\n",
		    "DIR/a.de.txt:3:10: in '{{du:Dir|Ihnen}}': each choice is "
		    "du:TEXT or sie:TEXT, separated by '|', as in "
		    "{{du:Dir|sie:Ihnen}}\n" },
		{ "a.de.txt", "Subject: x\n\n{{years}} {{years:Jahre}}\n",
		    "DIR/a.de.txt:3:11: in '{{years:Jahre}}': a plural names a "
		    "form for one and one for other numbers, as in "
		    "{{years:Jahr|Jahre}}\n" },
		{ "a.de.txt", "Subject: x\n\n{{years:Jahr|Jahre|Jahren}}\n",
		    "DIR/a.de.txt:3:1: in '{{years:Jahr|Jahre|Jahren}}': 3 "
		    "plural forms; 'de' has two (one|other), and only cs, sk, "
		    "pl, ru, uk, be, hr, sr and bs three (one|few|many)\n" },
		{ "a.de.txt", "Subject: x\n\nHallo\n{{#age}}zum {{age}}.\n\n"
		    "Gruß\n",
		    "DIR/a.de.txt:4:1: unclosed section '{{#age}}': close it "
		    "with {{/age}}\n" },
		{ "a.de.txt", "Subject: x\n\n{{#age}}{{^company}}x{{/age}}"
		    "{{/company}}\n",
		    "DIR/a.de.txt:3:22: '{{/age}}' where the section "
		    "'{{^company}}' of line 3 column 9 must close first with "
		    "{{/company}}\n"
		    "DIR/a.de.txt:3:1: unclosed section '{{#age}}': close it "
		    "with {{/age}}\n" },
		{ "a.de.txt", "Subject: x {{/age}}\n\ny\n",
		    "DIR/a.de.txt:1:12: '{{/age}}' closes no section; open it "
		    "with {{#age}} or {{^age}}\n" },
		{ "a.de.txt", "Subject: {{#age}}\n\n{{/age}}\n",
		    "DIR/a.de.txt:1:10: unclosed section '{{#age}}': close it "
		    "with {{/age}}\n"
		    "DIR/a.de.txt:3:1: '{{/age}}' closes no section; open it "
		    "with {{#age}} or {{^age}}\n" },
		{ "a.de.txt", "Subject: x\n\n{{#}}\n",
		    "DIR/a.de.txt:3:1: '{{#}}' names no variable: a section is "
		    "{{#name}}…{{/name}} (kept when name has a value) or "
		    "{{^name}}…{{/name}} (when it has none)\n" },
		{ "a.de.txt", "Subject: x\n\n{{#age|years}}{{/age}}\n",
		    "DIR/a.de.txt:3:1: '{{#age|years}}': a section names one "
		    "variable, without fallbacks, as in {{#age}}…{{/age}}\n" },
	};
	char *p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown(NULL);
		setup(NULL);
		puts_file(cases[i].file, cases[i].content);
		p = load_fails();
		if (strcmp(p, cases[i].problems) != 0)
			fail_msg("case %zu:\n got: %s want: %s", i, p,
			    cases[i].problems);
		free(p);
	}
}

/* A card goes with its own text variant only; the others go as text,
 * and the load says which. */
static void
test_card_per_variant(void **state)
{
	struct templates *t;
	struct template_vars v = vars_for(&sie_client);
	struct rendered r;
	struct diag d;
	char *p;

	(void)state;
	put("card.png", png1, sizeof(png1));
	puts_file("bd.de.txt", "Subject: 1\n\none\n");
	puts_file("bd.de.2.txt", "Subject: 2\n\ntwo\n");
	puts_file("bd.de.3.txt", "Subject: 3\n\nthree\n");
	puts_file("bd.de.html", "<p>eins {{du:Du|sie:Sie}}</p>\n");
	puts_file("bd.de.3.html", "<p>drei</p><img src=\"cid:card.png\">\n");
	puts_file("bd.de-sie.txt", "Subject: sie\n\nSie\n");
	puts_file("bd.de.4.html", "<p>vier</p>\n");
	puts_file("bd.en.txt", "Subject: en\n\nen\n");
	diag_init(&d);
	assert_int_equal(templates_load(dir, &t, &d), 0);
	p = diags(&d);
	assert_string_equal(p,
	    "DIR/bd.de.2.txt: warning: no card bd.de.2.html beside this "
	    "variant: it goes as text only\n"
	    "DIR/bd.de-sie.txt: warning: no card bd.de-sie.html beside this "
	    "variant: it goes as text only\n"
	    "DIR/bd.de.4.html: warning: no bd.de.4.txt beside this card: it "
	    "is never sent\n");
	free(p);
	diag_free(&d);
	for (size_t i = 0; i < 3; i++) {
		static const char *want[] = { "<p>eins Sie</p>\n", NULL,
		    "<p>drei</p><img src=\"cid:card.png\">\n" };
		const struct template *tp = templates_variant(t, "bd", "de", i);

		diag_init(&d);
		assert_int_equal(template_render(tp, &v, &r, &d), 0);
		assert_int_equal(template_has_card(tp), want[i] != NULL);
		if (want[i] == NULL)
			assert_null(r.html);
		else
			assert_string_equal(r.html, want[i]);
		assert_int_equal(r.nimages, i == 2 ? 1 : 0);
		rendered_free(&r);
		diag_free(&d);
	}
	assert_false(template_has_card(templates_variant(t, "bd", "de-sie",
	    0)));
	templates_free(t);
}

/* The example templates shipped in conf/templates load cleanly. */
static void
test_shipped_templates(void **state)
{
	struct templates *t = NULL;
	struct diag d;
	const char *names[] = { "birthday", "birthday-belated",
	    "project-checkin", "how-are-you", "season", "jubilee",
	    "studio-opening" };
	char *p, *src;
	bool fb;

	(void)state;
	/* __FILE__ is tests/test_template.c relative to where make runs, or
	 * absolute: the repository is what comes before "tests/". */
	p = xstrdup(__FILE__);
	*strstr(p, "tests/test_template.c") = '\0';
	src = xasprintf("%sconf/templates", p);
	free(p);
	diag_init(&d);
	assert_int_equal(templates_load(src, &t, &d), 0);
	free(src);
	p = diags(&d);
	assert_string_equal(p, "");
	free(p);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct template *tp = templates_choose(t, names[i], "de",
		    "de", NULL, &fb);

		assert_non_null(tp);
		assert_false(fb);
		tp = templates_choose(t, names[i], "en", "de", NULL, &fb);
		assert_non_null(tp);
		assert_false(fb);
	}
	assert_non_null(templates_variant(t, "birthday", "de", 2));
	assert_null(templates_variant(t, "birthday", "de", 3));
	assert_non_null(templates_variant(t, "birthday", "en", 1));
	assert_non_null(templates_variant(t, "how-are-you", "de", 1));
	diag_free(&d);
	templates_free(t);
}

/* template_resolve() and template_render() agree on every problem, word
 * for word and in order, and on the subject, images and file; resolve
 * builds no body. */
static void
resolve_agrees(const struct templates *t, const char *name,
    const struct template_vars *v, int want)
{
	const struct template *tp;
	struct rendered r, q;
	struct diag d, e;
	char *a, *b;
	bool fb;

	tp = templates_choose(t, name, "de", "de", NULL, &fb);
	assert_non_null(tp);
	diag_init(&d);
	diag_init(&e);
	assert_int_equal(template_render(tp, v, &r, &d), want);
	assert_int_equal(template_resolve(tp, v, &q, &e), want);
	a = diags(&d);
	b = diags(&e);
	assert_string_equal(a, b);
	assert_int_equal(d.n > 0, want == -1);
	assert_null(q.text);
	assert_null(q.html);
	if (want == 0) {
		assert_string_equal(q.subject, r.subject);
		assert_string_equal(q.template_file, r.template_file);
		assert_int_equal(q.nimages, r.nimages);
		assert_ptr_equal(q.images, r.images);
	} else
		assert_null(q.subject);
	free(a);
	free(b);
	rendered_free(&r);
	rendered_free(&q);
	diag_free(&d);
	diag_free(&e);
}

static void
test_resolve_as_render(void **state)
{
	struct templates *t;
	struct client evil = anna;
	struct field f = { (char *)"company", (char *)"3\xff", 1 };
	struct template_vars v = vars_for(&kanzlei);

	(void)state;
	put("card.png", png1, sizeof(png1));
	puts_file("r.de.txt",
	    "Subject: Hallo {{first_name|salutation}}{{#age}} {{age}}{{/age}}\n"
	    "\n"
	    "{{du:Du bist|sie:Sie sind}} {{company:ein Jahr|Jahre}} {{compnay}}\n"
	    "{{project}} {{name}}\n");
	puts_file("r.de.html", "<p>{{salutation}} {{name}}</p>"
	    "<img src=\"cid:card.png\">\n");
	puts_file("ok.de.txt", "Subject: Alles Gute, {{name}}\n\n"
	    "{{salutation|\"Hallo\"}} {{company|\"\"}}\n");
	puts_file("ok.de.html", "<p>{{name}}</p><img src=\"cid:card.png\">\n");
	puts_file("e.de.txt", "Subject: {{company|\" \"}}\n\nText\n");
	t = load_ok();
	resolve_agrees(t, "r", &v, -1);
	resolve_agrees(t, "ok", &v, 0);
	resolve_agrees(t, "e", &v, -1);
	v = vars_for(&anna);
	resolve_agrees(t, "r", &v, -1);
	resolve_agrees(t, "ok", &v, 0);
	resolve_agrees(t, "e", &v, 0);
	evil.first_name = (char *)"Anna\r";
	evil.fields = &f;
	v = vars_for(&evil);
	resolve_agrees(t, "r", &v, -1);
	resolve_agrees(t, "ok", &v, -1);
	templates_free(t);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_render_variables),
		T(test_fallbacks),
		T(test_unset_variable),
		T(test_refuses_controls_in_values),
		T(test_load_errors),
		T(test_file_names),
		T(test_crlf_and_bom),
		T(test_variant_rotation),
		T(test_two_variants_never_repeat),
		T(test_language_fallback),
		T(test_card),
		T(test_card_without_text_warns),
		T(test_shipped_templates),
		T(test_lookup_order),
		T(test_sections),
		T(test_choices_and_plurals),
		T(test_new_syntax_errors),
		T(test_card_per_variant),
		T(test_resolve_as_render),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
