/*
 * fuzz_template.c - template files: the loader (header block, variables,
 * fallbacks, UTF-8, cards and their cid: images) and rendering.  The
 * first input byte picks the file: even, the input is a text template
 * t.de.txt; odd, it is the card t.de.html beside a fixed text template
 * and an image i.png.  Bit 1 of that byte picks the client's form (du or
 * sie), for {{du:…|sie:…}}; sections {{#x}}/{{^x}} and plurals
 * {{x:one|other}} are in the corpus.  Whatever loads must render for a
 * client with some values unset, and the rendered parts must build into a message whose
 * lines all end in CRLF within 998 octets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "message.h"
#include "template.h"
#include "xalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir;

static void
fz_cleanup(void)
{
	static const char *files[] = { "t.de.txt", "t.de.html", "i.png" };

	for (size_t i = 0; i < 3; i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);

		unlink(p);
		free(p);
	}
	rmdir(dir);
}

static void
fz_write(const char *name, const void *data, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "w");

	if (fp == NULL || fwrite(data, 1, len, fp) != len)
		abort();
	fclose(fp);
	free(p);
}

static void
fz_check_message(const struct rendered *r, const struct client *c)
{
	struct message_in in;
	struct buf b;
	char *err = NULL;

	memset(&in, 0, sizeof(in));
	in.from_name = "Atelier Lindgrün";
	in.from_addr = "hallo@lindgruen.example";
	in.to_name = c->name;
	in.to_addr = c->email;
	in.subject = r->subject;
	in.text = r->text;
	in.html = r->html;
	in.images = r->images;
	in.nimages = r->nimages;
	in.date = 1803801600;
	in.utc_offset = 3600;
	in.message_id = "<1.2@lindgruen.example>";
	buf_init(&b);
	if (message_build(&in, &b, &err) == 0) {
		size_t col = 0;

		for (size_t i = 0; i < b.len; i++) {
			if (b.data[i] == '\r') {
				if (i + 1 >= b.len || b.data[i + 1] != '\n')
					abort();
				col = 0;
				i++;
			} else if (b.data[i] == '\n' || ++col > 998)
				abort();
		}
		if (b.len < 2 || b.data[b.len - 1] != '\n')
			abort();
	}
	free(err);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n', 0, 0 };
	static struct field fields[] = {
		{ (char *)"company", (char *)"Müller & <Söhne>", 1 },
		{ (char *)"empty", (char *)"", 2 },
		{ (char *)"n", (char *)"21", 3 },
	};
	static struct settings s = { .sender_name = (char *)"Atelier" };
	struct client c = {
		.id = (char *)"anna", .name = (char *)"Anna Müller",
		.first_name = (char *)"Anna", .email = (char *)"anna@example.de",
		.language = (char *)"de-AT", .fields = fields, .nfields = 3,
	};
	struct template_vars v = { &s, &c, NULL, true, 43, false, 0 };
	struct templates *t = NULL;
	const struct template *tp;
	struct rendered r;
	struct diag d;
	bool fb;
	char *p;

	if (dir == NULL) {
		char tmpl[] = "/tmp/fuzz_template.XXXXXX";

		if (mkdtemp(tmpl) == NULL)
			abort();
		dir = xstrdup(tmpl);
		atexit(fz_cleanup);
	}
	if (size < 1)
		return 0;
	c.form = data[0] & 2 ? FORM_DU : FORM_SIE;
	p = xasprintf("%s/t.de.html", dir);
	unlink(p);
	free(p);
	if (data[0] % 2 == 0)
		fz_write("t.de.txt", data + 1, size - 1);
	else {
		fz_write("t.de.txt", "Subject: x\n\ny\n", 14);
		fz_write("i.png", png, sizeof(png));
		fz_write("t.de.html", data + 1, size - 1);
	}
	diag_init(&d);
	if (templates_load(dir, &t, &d) == 0) {
		if (d.errors != 0)
			abort();
		tp = templates_pick(t, "t", c.language, c.form, "en", false,
		    NULL, &fb);
		if (tp == NULL || fb ||
		    tp != templates_choose(t, "t", "de", "de", NULL, &fb))
			abort();
		for (int pass = 0; pass < 2; pass++) {
			if (template_render(tp, &v, &r, &d) == 0) {
				if (r.subject == NULL || r.text == NULL ||
				    strcmp(r.template_file, "t.de.txt") != 0)
					abort();
				fz_check_message(&r, &c);
				rendered_free(&r);
			}
			c.salutation = (char *)"Liebe Anna";
			v.project = "Logo";
			v.has_age = true;
		}
		templates_free(t);
	} else if (d.errors == 0 || t != NULL)
		abort();
	diag_free(&d);
	return 0;
}
