/*
 * test_compose.c - from a plan item to the message bytes: template
 * choice (belated, language, variants), the objection notice and
 * List-Unsubscribe per legal basis, refusals, and `check`'s book check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book.h"
#include "buf.h"
#include "compose.h"
#include "diag.h"
#include "history.h"
#include "planner.h"
#include "settings.h"
#include "template.h"
#include "xalloc.h"

/* 2027-02-28 09:00 in Berlin (CET, +01:00). */
#define BIRTHDAY_0900	1803801600LL
#define ID		"<20270228080000.0123456789abcdef@lindgruen.example>"

static char *dir;
static struct settings s;
static struct templates *tpl;

static struct occasion occs[] = {
	{ .name = (char *)"birthday", .kind = OCC_BIRTHDAY,
	  .template = (char *)"birthday", .priority = 100 },
	{ .name = (char *)"followup", .kind = OCC_AFTER_PROJECT,
	  .template = (char *)"project-checkin", .priority = 60 },
	{ .name = (char *)"jubilee", .kind = OCC_YEARLY,
	  .template = (char *)"jubilee", .field = (char *)"client_since",
	  .priority = 80 },
	{ .name = (char *)"advent", .kind = OCC_YEARLY,
	  .template = (char *)"season", .priority = 80 },
};

static struct field anna_fields[] = {
	{ (char *)"company", (char *)"Müller Gartenbau", 12 },
};
static struct project anna_projects[] = {
	{ (char *)"Logo-Relaunch", { 2026, 10, 15 }, 9 },
};
static struct client anna;

static void
put(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(path);
}

static void
reload(void)
{
	struct diag d;

	templates_free(tpl);
	tpl = NULL;
	diag_init(&d);
	if (templates_load(dir, &tpl, &d) == -1) {
		diag_print(&d, stderr);
		fail_msg("templates do not load");
	}
	diag_free(&d);
}

static int
setup(void **state)
{
	char tmpl[] = "/tmp/test_compose.XXXXXX";

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	dir = xstrdup(tmpl);
	memset(&s, 0, sizeof(s));
	s.sender_name = (char *)"Atelier Lindgrün";
	s.sender_address = (char *)"hallo@lindgruen.example";
	s.sender_domain = (char *)"lindgruen.example";
	s.language = (char *)"de";
	s.basis = BASIS_CUSTOMER;
	s.templates = dir;
	memset(&anna, 0, sizeof(anna));
	anna.id = (char *)"anna-mueller";
	anna.name = (char *)"Anna Müller";
	anna.first_name = (char *)"Anna";
	anna.email = (char *)"anna@example.de";
	anna.salutation = (char *)"Liebe Anna";
	anna.language = (char *)"de";
	anna.has_birthday = true;
	anna.birthday = (struct civil_date){ 1984, 2, 29 };
	anna.has_client_since = true;
	anna.client_since = (struct civil_date){ 2019, 5, 2 };
	anna.projects = anna_projects;
	anna.nprojects = 1;
	anna.fields = anna_fields;
	anna.nfields = 1;
	anna.basis = BASIS_CUSTOMER;
	anna.line = 7;
	put("birthday.de.txt", "Subject: Alles Gute zum Geburtstag, "
	    "{{first_name}}!\n\n{{salutation}},\n\nalles Gute zum {{age}}.!\n\n"
	    "Herzlich\n{{sender_name}}\n");
	put("birthday.de.2.txt", "Subject: Zweite Variante\n\n"
	    "{{salutation}},\nVariante 2\n");
	put("birthday.en.txt", "Subject: Happy birthday, {{first_name}}!\n\n"
	    "{{salutation|\"Hello\"}},\nall the best!\n");
	put("birthday-belated.de.txt", "Subject: Nachträglich alles Gute\n\n"
	    "{{salutation}},\nnachträglich!\n");
	put("project-checkin.de.txt", "Subject: Wie läuft {{project}}?\n\n"
	    "{{salutation}}, {{project}}\n");
	put("jubilee.de.txt", "Subject: {{years}}. Jahrestag\n\n"
	    "{{salutation|name}}\n");
	tpl = NULL;
	reload();
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
	templates_free(tpl);
	tpl = NULL;
	return 0;
}

static struct plan_item
birthday_item(const struct client *c)
{
	struct plan_item it;

	memset(&it, 0, sizeof(it));
	it.action = PLAN_SEND;
	it.due = BIRTHDAY_0900;
	it.utc_offset = 3600;
	it.nominal = BIRTHDAY_0900;
	it.client = c;
	it.occasion = &occs[0];
	it.occurrence = (char *)"birthday/2027";
	it.template = (char *)"birthday";
	it.has_years = true;
	it.years = 43;
	it.age = 43;
	it.note = (char *)"";
	return it;
}

/* Composes item; returns the bytes (or NULL) and *problems. */
static char *
compose(const struct plan_item *it, const struct history_client *hc,
    char **problems, char **file)
{
	struct composed out;
	struct diag d;
	char *bytes = NULL;
	struct buf b;

	diag_init(&d);
	buf_init(&b);
	if (compose_message(&s, tpl, it, hc, ID, it->due, &out, &d) == 0) {
		assert_int_equal(strlen(out.bytes), out.len);
		bytes = out.bytes;
		out.bytes = NULL;
		if (file != NULL)
			*file = xstrdup(out.template_file);
		composed_free(&out);
	}
	for (size_t i = 0; i < d.n; i++) {
		char *line = diag_format(&d, i);

		buf_addf(&b, "%s\n", line);
		free(line);
	}
	buf_adds(&b, "");
	*problems = buf_detach(&b, NULL);
	diag_free(&d);
	return bytes;
}

static void
test_birthday_customer_de(void **state)
{
	struct plan_item it = birthday_item(&anna);
	char *m, *p, *file;

	(void)state;
	m = compose(&it, NULL, &p, &file);
	assert_string_equal(p, "");
	assert_string_equal(file, "birthday.de.txt");
	assert_string_equal(m,
	    "Date: Sun, 28 Feb 2027 09:00:00 +0100\r\n"
	    "Message-ID: " ID "\r\n"
	    "From: =?UTF-8?Q?Atelier_Lindgr=C3=BCn?= <hallo@lindgruen.example>\r\n"
	    "To: =?UTF-8?Q?Anna_M=C3=BCller?= <anna@example.de>\r\n"
	    "Subject: Alles Gute zum Geburtstag, Anna!\r\n"
	    "List-Unsubscribe: <mailto:hallo@lindgruen.example?subject="
	    "unsubscribe>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Liebe Anna,\r\n"
	    "\r\n"
	    "alles Gute zum 43.!\r\n"
	    "\r\n"
	    "Herzlich\r\n"
	    "Atelier Lindgr=C3=BCn\r\n"
	    "\r\n"
	    "--=20\r\n"
	    "Lieber keine Gr=C3=BC=C3=9Fe mehr von uns? Eine kurze Antwort auf "
	    "diese E-M=\r\n"
	    "ail\r\n"
	    "gen=C3=BCgt, dann schreiben wir nicht mehr. Das geht jederzeit und "
	    "kostet\r\n"
	    "nichts au=C3=9Fer den =C3=BCblichen =C3=9Cbermittlungskosten.\r\n");
	free(m);
	free(p);
	free(file);
}

static void
test_notice_per_basis_and_language(void **state)
{
	struct client c = anna;
	struct plan_item it = birthday_item(&c);
	const char *tail;
	char *m, *p;

	(void)state;
	/* English client: English template and notice */
	c.language = (char *)"en";
	m = compose(&it, NULL, &p, NULL);
	assert_non_null(m);
	assert_non_null(strstr(m, "Subject: Happy birthday, Anna!\r\n"));
	assert_non_null(strstr(m, "\r\n--=20\r\nRather not hear from us? A "
	    "short reply to this e-mail is enough and\r\nwe won't write again. "
	    "You can object at any time, at no cost beyond\r\nthe usual "
	    "transmission charges.\r\n"));
	assert_non_null(strstr(m, "List-Unsubscribe: "));
	free(m);
	free(p);
	assert_string_equal(compose_default_notice("en"),
	    compose_default_notice("fr"));
	assert_string_not_equal(compose_default_notice("de"),
	    compose_default_notice("en"));

	/* French client, no French template: German text, German notice */
	c.language = (char *)"fr";
	m = compose(&it, NULL, &p, NULL);
	assert_non_null(strstr(m, "Lieber keine Gr=C3=BC=C3=9Fe"));
	free(m);
	free(p);

	/* consent: the notice too (the consent can be withdrawn) */
	c.language = (char *)"de";
	c.basis = BASIS_CONSENT;
	m = compose(&it, NULL, &p, NULL);
	assert_non_null(strstr(m, "\r\n--=20\r\nLieber keine"));
	assert_non_null(strstr(m, "\r\nList-Unsubscribe: <mailto:"));
	free(m);
	free(p);

	/* personal: neither */
	c.basis = BASIS_PERSONAL;
	m = compose(&it, NULL, &p, NULL);
	assert_null(strstr(m, "--=20"));
	assert_null(strstr(m, "Lieber keine"));
	assert_null(strstr(m, "List-Unsubscribe"));
	tail = "\r\n\r\nalles Gute zum 43.!\r\n\r\nHerzlich\r\n"
	    "Atelier Lindgr=C3=BCn\r\n";
	assert_string_equal(m + strlen(m) - strlen(tail), tail);
	free(m);
	free(p);

	/* the owner's own notice wins */
	c.basis = BASIS_CUSTOMER;
	s.objection_notice = (char *)"Abmelden? Einfach antworten.";
	m = compose(&it, NULL, &p, NULL);
	assert_non_null(strstr(m, "\r\n--=20\r\nAbmelden? Einfach antworten."
	    "\r\n"));
	assert_null(strstr(m, "Lieber keine"));
	free(m);
	free(p);
	s.objection_notice = NULL;
}

static void
test_reply_to_and_no_bcc(void **state)
{
	struct plan_item it = birthday_item(&anna);
	char *m, *p;

	(void)state;
	s.reply_to = (char *)"studio@lindgruen.example";
	s.bcc = (char *)"archiv@lindgruen.example";
	m = compose(&it, NULL, &p, NULL);
	assert_non_null(strstr(m, "\r\nReply-To: studio@lindgruen.example\r\n"));
	assert_null(strstr(m, "archiv@"));
	assert_null(strstr(m, "Bcc"));
	free(m);
	free(p);
	s.reply_to = s.bcc = NULL;
}

static void
test_belated(void **state)
{
	struct plan_item it = birthday_item(&anna);
	struct client en = anna;
	char *m, *p, *file;

	(void)state;
	it.late = true;
	m = compose(&it, NULL, &p, &file);
	assert_string_equal(file, "birthday-belated.de.txt");
	assert_non_null(strstr(m, "Subject: =?UTF-8?Q?Nachtr=C3=A4glich_alles_"
	    "Gute?=\r\n"));
	free(m);
	free(p);
	free(file);
	/* belated exists in German only: an English client gets the
	 * on-time text in English, never a letter in another language
	 * (issue 11: one language per letter) */
	en.language = (char *)"en";
	it.client = &en;
	m = compose(&it, NULL, &p, &file);
	assert_string_equal(p, "");
	assert_string_equal(file, "birthday.en.txt");
	assert_non_null(strstr(m, "Subject: Happy birthday, Anna!\r\n"));
	assert_non_null(strstr(m, "\r\n--=20\r\nRather not hear from us?"));
	free(m);
	free(p);
	free(file);
	/* no belated template at all: the plain one */
	it.client = &anna;
	it.template = (char *)"jubilee";
	it.occasion = &occs[2];
	it.years = 8;
	it.has_years = true;
	m = compose(&it, NULL, &p, &file);
	assert_string_equal(file, "jubilee.de.txt");
	assert_non_null(strstr(m, "Subject: 8. Jahrestag\r\n"));
	free(m);
	free(p);
	free(file);
	/* a belated one only in a language neither client nor sender has:
	 * the plain one in the client's language */
	put("jubilee-belated.en.txt", "Subject: Belated\n\nx\n");
	reload();
	m = compose(&it, NULL, &p, &file);
	assert_string_equal(p, "");
	assert_string_equal(file, "jubilee.de.txt");
	free(m);
	free(p);
	free(file);
}

/* Five birthdays in a row alternate between the two German variants. */
static void
test_variants_over_five_sends(void **state)
{
	struct plan_item it = birthday_item(&anna);
	struct history_record recs[5];
	struct history_client hc = { (char *)"anna-mueller", HISTORY_NONE,
	    HISTORY_NONE, HISTORY_NONE, recs, 0, HISTORY_NONE, NULL, 0 };
	const char *want[] = { "birthday.de.txt", "birthday.de.2.txt",
	    "birthday.de.txt", "birthday.de.2.txt", "birthday.de.txt" };
	char *files[5];

	(void)state;
	for (int i = 0; i < 5; i++) {
		char *m, *p;

		m = compose(&it, &hc, &p, &files[i]);
		assert_non_null(m);
		assert_string_equal(files[i], want[i]);
		assert_non_null(strstr(m, i % 2 ? "Subject: Zweite Variante" :
		    "Subject: Alles Gute zum Geburtstag"));
		memset(&recs[i], 0, sizeof(recs[i]));
		recs[i].occurrence = (char *)"birthday/x";
		recs[i].status = ST_SENT;
		recs[i].due = it.due;
		recs[i].sent = it.due + 10;
		recs[i].template_file = files[i];
		hc.nrecords++;
		it.due += 365 * 86400;
		free(m);
		free(p);
	}
	for (int i = 0; i < 5; i++)
		free(files[i]);
}

static void
test_refuses_smuggled_lines(void **state)
{
	struct client c = anna;
	struct field f = { (char *)"company", (char *)"X\nBcc: a@evil.example",
	    3 };
	struct plan_item it = birthday_item(&c);
	char *m, *p, *want;

	(void)state;
	c.name = (char *)"Anna\r\nBcc: a@evil.example";
	m = compose(&it, NULL, &p, NULL);
	assert_null(m);
	want = xasprintf("%s/birthday.de.txt: client 'anna-mueller': the "
	    "recipient name contains a control character (0x0d); a header "
	    "value must be one line of text without CR, LF, NUL or other "
	    "controls\n", dir);
	assert_string_equal(p, want);
	free(want);
	free(p);

	c = anna;
	c.email = (char *)"anna@example.de\nBcc: a@evil.example";
	m = compose(&it, NULL, &p, NULL);
	assert_null(m);
	assert_non_null(strstr(p, "client 'anna-mueller': the recipient "
	    "address contains a control character (0x0a)"));
	free(p);

	c = anna;
	c.salutation = (char *)"Liebe Anna\r\nBcc: a@evil.example";
	m = compose(&it, NULL, &p, NULL);
	assert_null(m);
	want = xasprintf("%s/birthday.de.txt:3: client 'anna-mueller': the "
	    "value of {{salutation}} contains a control character (CR, LF, tab "
	    "or similar); it must be one line of text\n", dir);
	assert_string_equal(p, want);
	free(want);
	free(p);

	/* a field in the subject */
	put("birthday.de.txt", "Subject: Gruß an {{company}}\n\nx\n");
	reload();
	c = anna;
	c.fields = &f;
	m = compose(&it, NULL, &p, NULL);
	assert_null(m);
	want = xasprintf("%s/birthday.de.txt:1: client 'anna-mueller': the "
	    "value of {{company}} contains a control character (CR, LF, tab or "
	    "similar); it must be one line of text\n", dir);
	assert_string_equal(p, want);
	free(want);
	free(p);
}

static int
hexval(char c)
{
	return c >= 'A' ? c - 'A' + 10 : c - '0';
}

/* Undoes quoted-printable everywhere in m (headers have no '=' here
 * except in encoded words, which the callers do not look at). */
static char *
qp_decode(const char *m)
{
	struct buf b;

	buf_init(&b);
	for (; *m != '\0'; m++) {
		if (m[0] == '=' && m[1] == '\r' && m[2] == '\n')
			m += 2;
		else if (m[0] == '=' && strchr("0123456789ABCDEF", m[1]) &&
		    strchr("0123456789ABCDEF", m[2]) && m[1] && m[2]) {
			buf_addc(&b, (char)(hexval(m[1]) << 4 | hexval(m[2])));
			m += 2;
		} else
			buf_addc(&b, *m);
	}
	return buf_detach(&b, NULL);
}

static void
test_card_gets_notice(void **state)
{
	struct plan_item it = birthday_item(&anna);
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n', 0, 0, 0, 0 };
	char *path, *m, *p, *dec;
	FILE *fp;

	(void)state;
	path = xasprintf("%s/card.png", dir);
	fp = fopen(path, "w");
	fwrite(png, 1, sizeof(png), fp);
	fclose(fp);
	free(path);
	put("birthday.de.html", "<html><body><p>{{salutation}} & Co</p>"
	    "<img src=\"cid:card.png\"></body></html>\n");
	reload();
	m = compose(&it, NULL, &p, NULL);
	assert_non_null(m);
	dec = qp_decode(m);
	assert_non_null(strstr(dec, "\r\n\r\n<html><body><p>Liebe Anna & Co</p>"
	    "<img src=\"cid:card.png\"><p style=\"margin-top:2em;"
	    "font-size:12px;color:#777777\">Lieber keine Grüße mehr von uns? "
	    "Eine kurze Antwort auf diese E-Mail<br>\r\ngenügt, dann schreiben "
	    "wir nicht mehr. Das geht jederzeit und kostet<br>\r\nnichts außer "
	    "den üblichen Übermittlungskosten.</p>\r\n</body></html>\r\n"));
	assert_non_null(strstr(m, "Content-ID: <card.png>\r\n"));
	free(dec);
	free(m);
	free(p);
}

static char *
check_book(struct book *b)
{
	struct diag d;
	struct buf out;
	size_t n;

	diag_init(&d);
	buf_init(&out);
	n = compose_check_book(&s, b, tpl, &d);
	assert_int_equal(n, d.errors);
	for (size_t i = 0; i < d.n; i++) {
		char *line = diag_format(&d, i), *q, *pl = line;

		while ((q = strstr(pl, dir)) != NULL) {
			buf_add(&out, pl, (size_t)(q - pl));
			buf_adds(&out, "DIR");
			pl = q + strlen(dir);
		}
		buf_addf(&out, "%s\n", pl);
		free(line);
	}
	buf_adds(&out, "");
	diag_free(&d);
	return buf_detach(&out, NULL);
}

static void
test_check_book(void **state)
{
	struct client cl[4];
	size_t all[] = { 0, 1, 2, 3 }, bj[] = { 0, 2 };
	struct project two[] = {
		{ (char *)"Website", { 2026, 6, 30 }, 20 },
		{ (char *)"Messe", { 2027, 3, 12 }, 21 },
	};
	struct book b;
	char *p;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.path = (char *)"clients.conf";
	b.occasions = occs;
	b.noccasions = 4;
	b.clients = cl;
	b.nclients = 4;
	put("season.de.txt", "Subject: Frohe Festtage\n\n{{salutation}}\n");
	reload();

	cl[0] = anna;				/* fine, all four */
	cl[0].occasions = all;
	cl[0].noccasions = 4;
	cl[1] = anna;				/* yearless birthday: no age */
	cl[1].id = (char *)"juergen";
	cl[1].birthday = (struct civil_date){ 0, 7, 14 };
	cl[1].occasions = bj;
	cl[1].noccasions = 2;
	cl[1].line = 30;
	cl[2] = anna;				/* English, CR in the name */
	cl[2].id = (char *)"sarah";
	cl[2].language = (char *)"en";
	cl[2].name = (char *)"Sarah\rCollins";
	cl[2].occasions = all;
	cl[2].noccasions = 4;
	cl[2].line = 40;
	cl[3] = anna;				/* two projects, no salutation */
	cl[3].id = (char *)"thomas";
	cl[3].salutation = NULL;
	cl[3].projects = two;
	cl[3].nprojects = 2;
	cl[3].has_birthday = false;
	cl[3].occasions = all;
	cl[3].noccasions = 4;
	cl[3].line = 50;
	p = check_book(&b);
	assert_string_equal(p,
	    "DIR/birthday.de.txt:5: client 'juergen': {{age}} has no value: "
	    "it has a value only for a birthday with a known year, or write a "
	    "fallback like {{age|\"text\"}}\n"
	    "clients.conf:40: client 'sarah': the recipient name contains a "
	    "control character (0x0d); a header value must be one line of text "
	    "without CR, LF, NUL or other controls\n"
	    "clients.conf:40: warning: client 'sarah' (language 'en') gets "
	    "project-checkin.de.txt: there is no project-checkin.en.txt\n"
	    "clients.conf:40: warning: client 'sarah' (language 'en') gets "
	    "jubilee.de.txt: there is no jubilee.en.txt\n"
	    "clients.conf:40: warning: client 'sarah' (language 'en') gets "
	    "season.de.txt: there is no season.en.txt\n"
	    "DIR/project-checkin.de.txt:3: client 'thomas': {{salutation}} has "
	    "no value: set it in clients.conf, or write a fallback like "
	    "{{salutation|\"text\"}}\n"
	    "DIR/season.de.txt:3: client 'thomas': {{salutation}} has no value: "
	    "set it in clients.conf, or write a fallback like "
	    "{{salutation|\"text\"}}\n");
	free(p);

	/* a template missing in both languages */
	put("gone.txt", "");
	occs[3].template = (char *)"winter";
	cl[0].occasions = all + 3;
	cl[0].noccasions = 1;
	b.nclients = 1;
	p = check_book(&b);
	assert_string_equal(p, "clients.conf:7: template winter.de.txt is "
	    "missing in DIR: occasion 'advent' needs it for 1 client: "
	    "anna-mueller\n");
	free(p);
	occs[3].template = (char *)"season";
}

/* check speaks once per cause: a missing template file is one line
 * naming the clients that need it, an unknown variable one line naming
 * the templates it is in and the clients. */
static void
test_check_once_per_cause(void **state)
{
	struct client cl[11];
	char ids[11][8];
	size_t adv[] = { 3 }, both[] = { 0, 3 };
	struct book b;
	char *p;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.path = (char *)"clients.conf";
	b.occasions = occs;
	b.noccasions = 4;
	b.clients = cl;
	b.nclients = 11;
	for (size_t i = 0; i < 11; i++) {
		snprintf(ids[i], sizeof(ids[i]), "c%02zu", i + 1);
		cl[i] = anna;
		cl[i].id = ids[i];
		cl[i].line = 10 + (int)i;
		cl[i].occasions = adv;
		cl[i].noccasions = 1;
	}
	cl[4].language = (char *)"en";

	/* eleven clients, one file missing for ten, its English one for one */
	occs[3].template = (char *)"winter";
	p = check_book(&b);
	assert_string_equal(p,
	    "clients.conf:10: template winter.de.txt is missing in DIR: "
	    "occasion 'advent' needs it for 10 clients: c01, c02, c03, c04, "
	    "c06, c07, c08, c09 (and 2 more)\n"
	    "clients.conf:14: template winter.en.txt (or winter.de.txt in the "
	    "sender's language) is missing in DIR: occasion 'advent' needs it "
	    "for 1 client: c05\n");
	free(p);

	/* one typo in two templates that three clients get */
	put("winter.de.txt", "Subject: Winter\n\nHallo {{frist_name}}\n");
	put("season.de.txt", "Subject: Frohe Festtage\n\n{{salutation}}\n"
	    "{{frist_name}}\n");
	reload();
	occs[0].template = (char *)"season";
	b.nclients = 3;
	for (size_t i = 0; i < 3; i++) {
		cl[i].occasions = both;
		cl[i].noccasions = 2;
	}
	p = check_book(&b);
	assert_string_equal(p,
	    "DIR/season.de.txt:4: unknown variable {{frist_name}} (did you "
	    "mean 'first_name'?) (also in DIR/winter.de.txt:3): neither built "
	    "in nor a field of the 3 clients who get it: c01, c02, c03\n");
	free(p);

	/* the same problem of two clients at one place: one line */
	put("season.de.txt", "Subject: Frohe Festtage\n\n{{salutation}}\n");
	reload();
	cl[1].salutation = NULL;
	cl[2].salutation = NULL;
	p = check_book(&b);
	assert_string_equal(p,
	    "DIR/winter.de.txt:3: unknown variable {{frist_name}} (did you "
	    "mean 'first_name'?): neither built in nor a field of the 3 "
	    "clients who get it: c01, c02, c03\n"
	    "DIR/season.de.txt:3: {{salutation}} has no value: set it in "
	    "clients.conf, or write a fallback like {{salutation|\"text\"}}; "
	    "for 2 clients: c02, c03\n");
	free(p);
	occs[0].template = (char *)"birthday";
	occs[3].template = (char *)"season";
}

/* Once a client's headers passed with one variant, each further variant
 * is still checked for every client: the second variant's subject holds
 * a first name that is not UTF-8 for two of three clients (a book loaded
 * from clients.conf could not hold it), the first variant is fine for
 * all three.  The same line as when every variant was built whole. */
static void
test_check_subject_per_variant(void **state)
{
	struct client cl[3];
	char ids[3][8];
	size_t adv[] = { 3 };
	struct book b;
	char *p;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.path = (char *)"clients.conf";
	b.occasions = occs;
	b.noccasions = 4;
	b.clients = cl;
	b.nclients = 3;
	put("season.de.txt", "Subject: Frohe Festtage\n\n{{salutation}}\n");
	put("season.de.2.txt", "Subject: Hallo {{first_name}}\n\n"
	    "{{salutation}}\n");
	reload();
	for (size_t i = 0; i < 3; i++) {
		snprintf(ids[i], sizeof(ids[i]), "c%02zu", i + 1);
		cl[i] = anna;
		cl[i].id = ids[i];
		cl[i].line = 10 + (int)i;
		cl[i].occasions = adv;
		cl[i].noccasions = 1;
	}
	cl[0].first_name = (char *)"Ann\xff";
	cl[2].first_name = (char *)"Ann\xc3";
	p = check_book(&b);
	assert_string_equal(p, "DIR/season.de.2.txt:1: the value of "
	    "{{first_name}} is not valid UTF-8; for 2 clients: c01, c03\n");
	free(p);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_birthday_customer_de),
		T(test_notice_per_basis_and_language),
		T(test_reply_to_and_no_bcc),
		T(test_belated),
		T(test_variants_over_five_sends),
		T(test_refuses_smuggled_lines),
		T(test_card_gets_notice),
		T(test_check_book),
		T(test_check_once_per_cause),
		T(test_check_subject_per_variant),
	};

	return cmocka_run_group_tests_name("compose", tests, NULL, NULL);
}
