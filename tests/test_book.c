/*
 * test_book.c - clients.conf: every key lands in its field, every
 * refusal comes with its exact message and line.
 *
 * Run from the repository root (as `make unit` does): the fixtures are
 * read from tests/fixtures/book/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book.h"
#include "holidays.h"
#include "buf.h"
#include "diag.h"
#include "settings.h"
#include "tz.h"
#include "xalloc.h"

#define FIXTURES "tests/fixtures/book"

/* What book_load needs from touchbase.ini. */
static struct settings test_settings = {
	.language = "de",
	.timezone = "Europe/Berlin",
	.basis = BASIS_CUSTOMER,
};

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	buf_adds(&b, "");
	return buf_detach(&b, NULL);
}

static char *
diag_text(const struct diag *d)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(d, i);

		buf_addf(&b, "%s\n", s);
		free(s);
	}
	buf_adds(&b, "");
	return buf_detach(&b, NULL);
}

/* Loads text as "clients.conf"; returns the problems. */
static char *
load_text(const char *text, const struct settings *s, struct book **out,
    int *rc)
{
	struct diag d;
	char *t;

	diag_init(&d);
	*rc = book_load_buffer("clients.conf", text, s, out, &d);
	t = diag_text(&d);
	diag_free(&d);
	return t;
}

static void
expect_fail(const char *text, const char *want)
{
	struct book *b = (struct book *)&b;
	int rc;
	char *got = load_text(text, &test_settings, &b, &rc);

	assert_int_equal(rc, -1);
	assert_ptr_equal(b, (struct book *)&b);
	assert_string_equal(got, want);
	free(got);
}

static void
assert_date(struct civil_date d, int y, int m, int day)
{
	assert_int_equal(d.year, y);
	assert_int_equal(d.month, m);
	assert_int_equal(d.day, day);
}

static void
test_good_occasions(void **state)
{
	struct book *b = NULL;
	struct diag d;
	const struct occasion *o;

	(void)state;
	diag_init(&d);
	assert_int_equal(book_load(FIXTURES "/good.conf", &test_settings, &b,
	    &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(b->path, FIXTURES "/good.conf");
	assert_int_equal(b->noccasions, 7);

	o = &b->occasions[0];
	assert_string_equal(o->name, "birthday");
	assert_int_equal(o->kind, OCC_BIRTHDAY);
	assert_string_equal(o->template, "birthday");
	assert_int_equal(o->priority, 110);
	assert_true(o->feb29_mar1);
	assert_false(o->has_date);
	assert_int_equal(o->line, 3);

	o = &b->occasions[1];
	assert_string_equal(o->name, "followup");
	assert_int_equal(o->kind, OCC_AFTER_PROJECT);
	assert_string_equal(o->template, "project-checkin");
	assert_int_equal(o->priority, 60);
	assert_false(o->feb29_mar1);
	assert_int_equal(o->noffsets, 3);
	assert_int_equal(o->offsets[0].seconds, 14 * 86400);
	assert_int_equal(o->offsets[0].months, 0);
	assert_int_equal(o->offsets[1].seconds, 0);
	assert_int_equal(o->offsets[1].months, 3);
	assert_int_equal(o->offsets[2].months, 12);
	assert_string_equal(o->offset_texts[0], "14d");
	assert_string_equal(o->offset_texts[1], "3M");
	assert_string_equal(o->offset_texts[2], "1y");
	assert_int_equal(o->line, 5);

	o = &b->occasions[2];
	assert_string_equal(o->name, "checkin");
	assert_int_equal(o->kind, OCC_CASUAL);
	assert_string_equal(o->template, "how-are-you");
	assert_int_equal(o->priority, 20);
	assert_int_equal(o->every.seconds, 70 * 86400);
	assert_int_equal(o->jitter.seconds, 14 * 86400);

	o = &b->occasions[3];
	assert_string_equal(o->name, "advent");
	assert_int_equal(o->kind, OCC_YEARLY);
	assert_string_equal(o->template, "season");
	assert_int_equal(o->priority, 80);
	assert_true(o->has_date);
	assert_date(o->date, 0, 12, 18);
	assert_null(o->field);

	o = &b->occasions[4];
	assert_string_equal(o->name, "jubilee");
	assert_int_equal(o->kind, OCC_YEARLY);
	assert_false(o->has_date);
	assert_string_equal(o->field, "client_since");
	assert_string_equal(o->template, "jubilee");

	o = &b->occasions[5];
	assert_string_equal(o->name, "wedding");
	assert_string_equal(o->field, "wedding_day");
	assert_string_equal(o->template, "wedding");	/* the name */
	assert_int_equal(o->priority, 80);

	o = &b->occasions[6];
	assert_string_equal(o->name, "studio-opening");
	assert_int_equal(o->kind, OCC_ONCE);
	assert_int_equal(o->priority, 70);
	assert_true(o->has_date);
	assert_date(o->date, 2027, 5, 7);
	assert_int_equal(o->line, 13);

	assert_int_equal(b->ndefaults, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(b->defaults[i], i);

	assert_ptr_equal(book_occasion(b, "advent"), &b->occasions[3]);
	assert_null(book_occasion(b, "Advent"));
	book_free(b);
	diag_free(&d);
}

static void
test_good_clients(void **state)
{
	struct book *b = NULL;
	struct diag d;
	const struct client *c;

	(void)state;
	diag_init(&d);
	assert_int_equal(book_load(FIXTURES "/good.conf", &test_settings, &b,
	    &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(b->nclients, 3);
	/* Sorted by id (bytes: upper case first), whatever the file order. */
	assert_string_equal(b->clients[0].id, "Ben");
	assert_string_equal(b->clients[1].id, "anna-mueller");
	assert_string_equal(b->clients[2].id, "zoe_2");
	assert_non_null(b->sender_tz);
	assert_ptr_equal(b->sender_tz, tzdb_get(b->tzdb, "Europe/Berlin", NULL));

	c = book_client(b, "anna-mueller");
	assert_ptr_equal(c, &b->clients[1]);
	assert_int_equal(c->line, 21);
	assert_string_equal(c->name, "Anna Müller");
	assert_string_equal(c->first_name, "Anna");
	assert_string_equal(c->email, "anna@example.de");
	assert_string_equal(c->salutation, "Liebe Anna");
	assert_string_equal(c->language, "de-AT");
	assert_string_equal(c->timezone, "Europe/Vienna");
	assert_ptr_equal(c->tz, tzdb_get(b->tzdb, "Europe/Vienna", NULL));
	assert_true(c->has_birthday);
	assert_date(c->birthday, 1984, 2, 29);
	assert_true(c->has_client_since);
	assert_date(c->client_since, 2019, 5, 2);
	assert_int_equal(c->nprojects, 2);
	assert_string_equal(c->projects[0].name, "Logo-Relaunch");
	assert_date(c->projects[0].ended, 2026, 10, 15);
	assert_int_equal(c->projects[0].line, 27);
	assert_string_equal(c->projects[1].name, "Website für Café Müller");
	assert_date(c->projects[1].ended, 2027, 1, 31);
	assert_int_equal(c->projects[1].line, 28);
	assert_int_equal(c->nfields, 2);
	assert_string_equal(c->fields[0].key, "company");
	assert_string_equal(c->fields[0].value, "Müller Gartenbau");
	assert_int_equal(c->fields[0].line, 30);
	assert_string_equal(book_field(c, "wedding_day"), "2010-06-12");
	assert_null(book_field(c, "Company"));
	assert_true(c->has_last_contact);
	assert_date(c->last_contact, 2026, 11, 2);
	/* Its own list, in its own order, replaces the defaults. */
	assert_int_equal(c->noccasions, 4);
	assert_int_equal(c->occasions[0], 5);
	assert_int_equal(c->occasions[1], 0);
	assert_int_equal(c->occasions[2], 4);
	assert_int_equal(c->occasions[3], 6);
	assert_true(book_client_has(c, 6));
	assert_false(book_client_has(c, 1));
	assert_int_equal(c->basis, BASIS_CONSENT);
	assert_true(c->has_consent_date);
	assert_date(c->consent_date, 2025, 3, 1);
	assert_false(c->paused);
	assert_true(c->has_paused_until);
	assert_date(c->paused_until, 2027, 6, 30);

	c = book_client(b, "Ben");
	assert_string_equal(c->name, "Ben Fischer");
	assert_null(c->first_name);
	assert_string_equal(c->salutation, "Sehr geehrter Herr Fischer");
	assert_true(c->has_birthday);
	assert_date(c->birthday, 0, 7, 14);		/* --07-14 */
	assert_true(c->paused);
	assert_int_equal(c->basis, BASIS_PERSONAL);
	assert_int_equal(c->noccasions, 0);		/* occasions = [] */
	assert_string_equal(c->language, "de");		/* the sender's */
	assert_string_equal(c->timezone, "Europe/Berlin");
	assert_ptr_equal(c->tz, b->sender_tz);
	assert_false(c->has_client_since);
	assert_false(c->has_paused_until);
	assert_int_equal(c->nprojects, 0);
	assert_int_equal(c->nfields, 0);

	c = book_client(b, "zoe_2");
	assert_string_equal(c->name, "Zoë Neumann");
	assert_null(c->salutation);
	assert_false(c->has_birthday);
	assert_int_equal(c->basis, BASIS_CUSTOMER);	/* the sender's */
	assert_int_equal(c->noccasions, 4);		/* the defaults */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(c->occasions[i], b->defaults[i]);
	assert_false(c->paused);
	assert_int_equal(c->line, 20);

	assert_null(book_client(b, "zoe"));
	assert_null(book_client(b, "ben"));
	assert_null(book_client(b, ""));
	book_free(b);
	diag_free(&d);
}

/* The sender's language, basis and time zone are the defaults. */
static void
test_settings_defaults(void **state)
{
	struct settings s = {
		.language = "en", .timezone = "America/New_York",
		.basis = BASIS_PERSONAL,
	};
	struct book *b = NULL;
	int rc;
	char *got;

	(void)state;
	got = load_text("clients = ( { id = \"a\"; name = \"A\"; "
	    "email = \"a@example.com\"; } );\n", &s, &b, &rc);
	assert_string_equal(got, "");
	assert_int_equal(rc, 0);
	assert_string_equal(b->clients[0].language, "en");
	assert_string_equal(b->clients[0].timezone, "America/New_York");
	assert_ptr_equal(b->clients[0].tz, tzdb_get(b->tzdb,
	    "America/New_York", NULL));
	assert_int_equal(b->clients[0].basis, BASIS_PERSONAL);
	assert_int_equal(b->noccasions, 0);
	assert_int_equal(b->clients[0].noccasions, 0);
	free(got);
	book_free(b);
}

/* Without a defaults group a client gets every occasion. */
static void
test_no_defaults_means_all(void **state)
{
	struct book *b = NULL;
	int rc;
	char *got;

	(void)state;
	got = load_text("occasions = (\n"
	    "  { name = \"birthday\"; kind = \"birthday\"; },\n"
	    "  { name = \"advent\"; kind = \"yearly\"; date = \"12-18\"; }\n"
	    ");\n"
	    "clients = ( { id = \"a\"; name = \"A\"; email = \"a@example.com\"; "
	    "} );\n", &test_settings, &b, &rc);
	assert_string_equal(got, "");
	assert_int_equal(rc, 0);
	assert_int_equal(b->ndefaults, 0);
	assert_int_equal(b->clients[0].noccasions, 2);
	assert_true(book_client_has(&b->clients[0], 0));
	assert_true(book_client_has(&b->clients[0], 1));
	assert_string_equal(b->occasions[0].template, "birthday");
	free(got);
	book_free(b);
}

/* Warnings are printed but the book still loads. */
static void
test_warnings(void **state)
{
	struct book *b = NULL;
	int rc;
	char *got;

	(void)state;
	got = load_text("occasions = (\n"
	    "  { name = \"wedding\"; kind = \"yearly\"; field = \"wedding\"; }\n"
	    ");\n"
	    "clients = (\n"
	    "  { id = \"a\"; name = \"A\"; email = \"a@example.com\";\n"
	    "    basis = \"consent\"; },\n"
	    "  { id = \"b\"; name = \"B\"; email = \"A@Example.com\"; }\n"
	    ");\n", &test_settings, &b, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(b);
	assert_string_equal(got,
	    "clients.conf:5: warning: client 'a': basis is consent but "
	    "consent_date is missing; record when the client agreed\n"
	    "clients.conf:7: warning: client 'b': email 'A@Example.com' is "
	    "also the address of client 'a' (line 5)\n"
	    "clients.conf:2: warning: occasion 'wedding': no client has the "
	    "field 'wedding', so it is never due\n");
	free(got);
	book_free(b);
}

/* One run names every problem, each at its line, and loads nothing. */
static void
test_all_problems_reported(void **state)
{
	(void)state;
	expect_fail("occasions = (\n"
	    "  { name = \"birthday\"; kind = \"birthday\"; },\n"
	    "  { name = \"advent\"; kind = \"yearly\"; date = \"13-01\"; }\n"
	    ");\n"
	    "clients = (\n"
	    "  { id = \"anna\"; name = \"Anna\"; email = \"anna@example\";\n"
	    "    birthday = \"1984-02-30\"; occasions = [\"birthdya\"]; },\n"
	    "  { id = \"ben\"; name = \"Ben\"; email = \"ben@example.de\";\n"
	    "    salutation = \"Hallo\\r\\nBcc: all@example.de\"; },\n"
	    "  { id = \"anna\"; name = \"Anna 2\"; email = \"a2@example.de\";\n"
	    "    tz = \"Europe/Berlin\"; }\n"
	    ");\n",
	    "clients.conf:3: occasion 'advent': date: '13-01' is not a day of "
	    "the year: the month must be 01 to 12\n"
	    "clients.conf:6: client 'anna': email: 'anna@example' is not an "
	    "e-mail address: the domain needs a dot, as in example.de\n"
	    "clients.conf:7: client 'anna': birthday: '1984-02-30' is not a "
	    "birthday: February 1984 has 29 days\n"
	    "clients.conf:7: client 'anna': unknown occasion 'birthdya' (did "
	    "you mean 'birthday'?)\n"
	    "clients.conf:9: client 'ben': salutation contains a line break "
	    "(U+000D); header values must be one line\n"
	    "clients.conf:11: client 'anna': unknown key 'tz'; valid keys: "
	    "id, name, first_name, email, salutation, language, timezone, "
	    "birthday, client_since, projects, fields, last_contact, "
	    "occasions, basis, consent_date, paused, paused_until, form, "
	    "holidays, send_window, weekdays\n"
	    "clients.conf:10: client id 'anna' is used twice (first on line "
	    "6)\n");
}

static void
test_exact_messages(void **state)
{
	(void)state;
	/* The documentation's example, verbatim. */
	expect_fail("clients = (\n  { id = \"anna\"; name = \"Anna\";\n"
	    "    email = \"anna@example.de\";\n"
	    "    salutation = \"Liebe Anna\\n\"; }\n);\n",
	    "clients.conf:4: client 'anna': salutation contains a line break "
	    "(U+000A); header values must be one line\n");
	expect_fail("occasions = (\n  { name = \"advent\"; kind = \"yearly\";\n"
	    "    date = \"12-18\"; every = \"10w\"; }\n);\n",
	    "clients.conf:3: occasion 'advent': 'every' is not an option of "
	    "kind 'yearly' (its options: name, kind, template, priority, "
	    "date, field)\n");
	expect_fail("occasions = (\n  { name = \"b\"; kind = \"birthday\";\n"
	    "    date = \"12-18\"; }\n);\n",
	    "clients.conf:3: occasion 'b': 'date' is not an option of kind "
	    "'birthday' (its options: name, kind, template, priority, "
	    "feb29)\n");
	expect_fail("clients = (\n  { id = \"x\"; name = \"X\"; email = "
	    "\"x@example.de\"; birthday = 19840229; }\n);\n",
	    "clients.conf:2: client 'x': birthday: expected a string, not a "
	    "number\n");
	expect_fail("occasions = ( { name = \"a\"; kind = \"casual\"; every = "
	    "\"10w\"; } );\noccasions2 = 1;\n",
	    "clients.conf:2: unknown key 'occasions2' (did you mean "
	    "'occasions'?)\n");
	expect_fail("clients = (\n  { id = \"x\"; name = \"X\"; email = "
	    "\"x@example.de\"; first_name = \"\\xff\"; }\n);\n",
	    "clients.conf:2: client 'x': first_name is not valid UTF-8; save "
	    "the file as UTF-8\n");
}

/* Every tests/fixtures/book/bad-*.conf fails with exactly the lines of
 * its .expect file; these files also drive tests/e2e/check_fixtures.sh. */
static void
test_bad_fixtures(void **state)
{
	DIR *dir;
	struct dirent *e;
	int count = 0;

	(void)state;
	if ((dir = opendir(FIXTURES)) == NULL)
		fail_msg("cannot open %s (run from the repository root)",
		    FIXTURES);
	while ((e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name);
		struct book *b = (struct book *)&b;
		struct diag d;
		char *text, *want, *got, *path;

		if (strncmp(e->d_name, "bad-", 4) != 0 || n < 6 ||
		    strcmp(e->d_name + n - 5, ".conf") != 0)
			continue;
		path = xasprintf("%s/%s", FIXTURES, e->d_name);
		text = slurp(path);
		free(path);
		path = xasprintf("%s/%.*s.expect", FIXTURES, (int)(n - 5),
		    e->d_name);
		want = slurp(path);
		free(path);
		diag_init(&d);
		if (book_load_buffer("clients.conf", text, &test_settings, &b,
		    &d) != -1)
			fail_msg("%s loaded", e->d_name);
		assert_ptr_equal(b, (struct book *)&b);
		got = diag_text(&d);
		if (strcmp(got, want) != 0)
			fail_msg("%s:\n got: %s want: %s", e->d_name, got, want);
		assert_int_equal(d.errors, 1);	/* one problem per fixture */
		diag_free(&d);
		free(got);
		free(want);
		free(text);
		count++;
	}
	closedir(dir);
	assert_true(count >= 70);
}

static void
test_file_problems(void **state)
{
	char path[] = "/tmp/test_book.XXXXXX";
	struct book *b = NULL;
	struct diag d;
	char *t, *want;
	int fd;

	(void)state;
	diag_init(&d);
	assert_int_equal(book_load(FIXTURES "/no-such.conf", &test_settings,
	    &b, &d), -1);
	t = diag_text(&d);
	assert_string_equal(t, FIXTURES "/no-such.conf: cannot read: No such "
	    "file or directory\n");
	free(t);
	diag_free(&d);

	/* A raw NUL byte would end libconfig's input early. */
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "clients = (\n\n  \0 );\n", 20), 20);
	close(fd);
	diag_init(&d);
	assert_int_equal(book_load(path, &test_settings, &b, &d), -1);
	assert_null(b);
	t = diag_text(&d);
	want = xasprintf("%s:3: the line contains a NUL byte; clients.conf "
	    "must be a text file\n", path);
	assert_string_equal(t, want);
	free(want);
	free(t);
	diag_free(&d);
	unlink(path);
}

/* Read from a file, libconfig gets the stream: a syntax error names the
 * file and its line, an @include is found beside the file, clients keep
 * the file's order in messages and share what repeats. */
static void
test_file_stream(void **state)
{
	char dir[] = "/tmp/test_book.XXXXXX";
	struct book *b = NULL;
	struct diag d;
	char *path, *inc, *t, *want;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/clients.conf", dir);
	inc = xasprintf("%s/more.conf", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("clients = (\n  { id = \"a\"; name = \"A\";\n"
	    "    email = a@example.de; }\n);\n", fp);
	fclose(fp);
	diag_init(&d);
	assert_int_equal(book_load(path, &test_settings, &b, &d), -1);
	t = diag_text(&d);
	want = xasprintf("%s:3: syntax error (strings go in double quotes, a "
	    "setting ends with ';', lists are ( ... ), arrays [ ... ], groups "
	    "{ ... })\n", path);
	assert_string_equal(t, want);
	free(want);
	free(t);
	diag_free(&d);

	assert_non_null(fp = fopen(inc, "w"));
	fputs("{ id = \"c\"; name = \"C\"; email = \"c@example.de\"; "
	    "first_name = \"Kim\"; }\n", fp);
	fclose(fp);
	assert_non_null(fp = fopen(path, "w"));
	fputs("clients = (\n"
	    "  { id = \"b\"; name = \"B\"; email = \"b@example.de\"; "
	    "first_name = \"Kim\"; basis = \"consent\"; },\n"
	    "  { id = \"a\"; name = \"A\"; email = \"a@example.de\"; "
	    "basis = \"consent\"; },\n"
	    "  @include \"more.conf\"\n);\n", fp);
	fclose(fp);
	diag_init(&d);
	assert_int_equal(book_load(path, &test_settings, &b, &d), 0);
	t = diag_text(&d);
	want = xasprintf("%s:2: warning: client 'b': basis is consent but "
	    "consent_date is missing; record when the client agreed\n"
	    "%s:3: warning: client 'a': basis is consent but consent_date is "
	    "missing; record when the client agreed\n", path, path);
	assert_string_equal(t, want);
	free(want);
	free(t);
	diag_free(&d);
	assert_int_equal(b->nclients, 3);
	assert_string_equal(b->clients[0].id, "a");
	assert_string_equal(b->clients[1].id, "b");
	assert_string_equal(b->clients[2].id, "c");
	assert_string_equal(b->clients[2].email, "c@example.de");
	assert_int_equal(b->clients[2].line, 1);
	assert_ptr_equal(b->clients[1].first_name, b->clients[2].first_name);
	assert_ptr_equal(b->clients[0].language, b->clients[2].language);
	assert_ptr_equal(b->clients[0].occasions, b->clients[1].occasions);
	book_free(b);
	unlink(inc);
	unlink(path);
	rmdir(dir);
	free(inc);
	free(path);
}

/* A client's own holidays, send_window and weekdays land in its calendar;
 * a client without them shares the schedule's; a zone outside the
 * region's country is a warning at the timezone line. */
static void
test_client_calendar(void **state)
{
	struct settings s = test_settings;
	struct book *b = NULL;
	const struct client *c;
	char *got;
	int rc, de_be, at_9;

	(void)state;
	s.window = (struct window){ 9 * 60, 17 * 60 };
	s.weekdays = WEEKDAYS_MON_FRI;
	assert_int_equal(holidays_parse_region("DE-BE", &s.holidays, NULL), 0);
	assert_int_equal(holidays_parse_region("DE-BE", &de_be, NULL), 0);
	assert_int_equal(holidays_parse_region("AT-9", &at_9, NULL), 0);
	got = load_text("clients = (\n"
	    "  { id = \"anna\"; name = \"Anna\"; email = \"a@example.de\"; },\n"
	    "  { id = \"gruber\"; name = \"Gruber\"; email = \"g@example.at\";\n"
	    "    timezone = \"Europe/Vienna\"; holidays = \"AT-9\";\n"
	    "    send_window = \"10:00-16:00\"; weekdays = \"Mon-Thu\"; },\n"
	    "  { id = \"same\"; name = \"Same\"; email = \"s@example.de\";\n"
	    "    holidays = \"DE-BE\"; send_window = \"09:00-17:00\"; },\n"
	    "  { id = \"sarah-collins\"; name = \"Sarah\";\n"
	    "    email = \"sarah@example.com\";\n"
	    "    timezone = \"America/New_York\"; },\n"
	    "  { id = \"tom\"; name = \"Tom\"; email = \"t@example.com\";\n"
	    "    timezone = \"America/New_York\"; holidays = \"none\";\n"
	    "    send_window = \"10:00-16:00\"; }\n"
	    ");\n", &s, &b, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "clients.conf:10: warning: client "
	    "'sarah-collins' (America/New_York) uses the holidays of DE-BE; "
	    "set holidays = \"none\" or the client's own region\n");
	free(got);

	c = book_client(b, "anna");
	assert_ptr_equal(c->cal, &b->calendar);
	assert_null(c->own_cal);
	assert_int_equal(c->cal->holidays, de_be);
	assert_int_equal(c->cal->window.start, 9 * 60);
	assert_int_equal(c->cal->weekdays, WEEKDAYS_MON_FRI);
	c = book_client(b, "same");	/* equal to the schedule's: shared */
	assert_ptr_equal(c->cal, &b->calendar);
	c = book_client(b, "gruber");
	assert_ptr_equal(c->cal, c->own_cal);
	assert_int_equal(c->cal->holidays, at_9);
	assert_int_equal(c->cal->window.start, 10 * 60);
	assert_int_equal(c->cal->window.end, 16 * 60);
	assert_int_equal(c->cal->weekdays, 0x0fu);
	c = book_client(b, "tom");
	assert_int_equal(c->cal->holidays, HOLIDAYS_NONE);
	assert_int_equal(c->cal->window.start, 10 * 60);
	assert_int_equal(c->cal->weekdays, WEEKDAYS_MON_FRI);
	book_free(b);

	/* Two bad values, each at its own line. */
	b = (struct book *)&b;
	got = load_text("clients = (\n"
	    "  { id = \"anna\"; name = \"Anna\"; email = \"a@example.de\";\n"
	    "    holidays = \"AT-10\";\n"
	    "    weekdays = \"Mon-Fry\"; }\n"
	    ");\n", &s, &b, &rc);
	assert_int_equal(rc, -1);
	assert_ptr_equal(b, (struct book *)&b);
	assert_string_equal(got, "clients.conf:3: client 'anna': holidays: "
	    "'AT-10' is not a holiday region: use none, AT, AT-1, AT-2, AT-3, "
	    "AT-4, AT-5, AT-6, AT-7, AT-8 or AT-9\n"
	    "clients.conf:4: client 'anna': weekdays: 'Mon-Fry' is not a set "
	    "of weekdays: 'Fry' is not a day; use Mon, Tue, Wed, Thu, Fri, Sat "
	    "or Sun, a range like Mon-Fri or Sat-Mon, or a list like "
	    "Mon,Wed,Fri\n");
	free(got);
}

/* conf/clients.conf with conf/touchbase.ini: clean, and covering what the
 * example promises. */
static void
test_example_book(void **state)
{
	struct settings *s = NULL;
	struct book *b = NULL;
	struct diag d;
	bool kinds[5] = { false };
	int paused = 0, until = 0, yearless = 0, sie = 0, du = 0;
	const struct client *c;

	(void)state;
	diag_init(&d);
	assert_int_equal(settings_load("conf/touchbase.ini", &s, &d), 0);
	assert_int_equal(book_load(s->clients, s, &b, &d), 0);
	if (d.n != 0) {
		char *t = diag_text(&d);

		fail_msg("conf/clients.conf: %s", t);
	}
	assert_true(b->nclients >= 6 && b->nclients <= 10);
	for (size_t i = 0; i < b->noccasions; i++)
		kinds[b->occasions[i].kind] = true;
	for (size_t k = 0; k < 5; k++)
		assert_true(kinds[k]);
	for (size_t i = 0; i < b->nclients; i++) {
		c = &b->clients[i];
		paused += c->paused;
		until += c->has_paused_until;
		yearless += c->has_birthday && c->birthday.year == 0;
		if (c->salutation != NULL) {
			du += strncmp(c->salutation, "Liebe", 5) == 0;
			sie += strncmp(c->salutation, "Sehr geehrte", 12) == 0;
		}
	}
	assert_true(paused >= 1 && until >= 1 && yearless >= 1);
	assert_true(du >= 1 && sie >= 1);
	c = book_client(b, "sarah-collins");
	assert_non_null(c);
	assert_string_equal(c->language, "en");
	assert_string_equal(c->timezone, "America/New_York");
	c = book_client(b, "thomas-mueller");
	assert_string_equal(c->salutation, "Sehr geehrter Herr Müller");
	assert_string_equal(book_occasion(b, "advent")->template, "season");
	assert_string_equal(book_occasion(b, "jubilee")->field, "client_since");
	book_free(b);
	settings_free(s);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_occasions),
		cmocka_unit_test(test_good_clients),
		cmocka_unit_test(test_settings_defaults),
		cmocka_unit_test(test_no_defaults_means_all),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_exact_messages),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_file_problems),
		cmocka_unit_test(test_file_stream),
		cmocka_unit_test(test_client_calendar),
		cmocka_unit_test(test_example_book),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
