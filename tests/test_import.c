/*
 * test_import.c - vCard and CSV contacts to clients.conf entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "import.h"

static char *
printed(const struct import_result *r)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	import_print(fp, r);
	fclose(fp);
	return s;
}

static char *
warning(const struct diag *d, size_t i)
{
	return diag_format(d, i);
}

static void
test_vcard_40_folded_and_escaped(void **state)
{
	const char *in =
	    "BEGIN:VCARD\r\nVERSION:4.0\r\n"
	    "FN:Anna M\xc3\xbcller\r\n"
	    "N:M\xc3\xbcller;Anna;;;\r\n"
	    "EMAIL;TYPE=work:anna@work.example\r\n"
	    "EMAIL;PREF=1:anna@exam\r\n ple.de\r\n"
	    "BDAY:19840229\r\nLANG:de-DE\r\n"
	    "TZ;VALUE=text:Europe/Berlin\r\nEND:VCARD\r\n"
	    "BEGIN:VCARD\r\nVERSION:3.0\r\n"
	    "N:Smith;John\\, Jr.;;;\r\nEMAIL:john@example.com\r\n"
	    "BDAY:--0714\r\nTZ:-05:00\r\nEND:VCARD\r\n";
	struct import_result r = { NULL, 0 };
	struct diag d;
	char *out, *w;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_vcard(in, strlen(in), "c.vcf", &r, &d), 0);
	assert_int_equal(r.n, 2);
	out = printed(&r);
	assert_string_equal(out,
	    "  { id = \"anna-mueller\"; name = \"Anna M\xc3\xbcller\"; "
	    "first_name = \"Anna\";\n"
	    "    email = \"anna@example.de\";\n"
	    "    birthday = \"1984-02-29\"; language = \"de\"; "
	    "timezone = \"Europe/Berlin\"; },\n"
	    "  { id = \"john-jr-smith\"; name = \"John, Jr. Smith\"; "
	    "first_name = \"John, Jr.\";\n"
	    "    email = \"john@example.com\";\n"
	    "    birthday = \"--07-14\"; }\n");
	assert_int_equal(d.warnings, 1);
	w = warning(&d, 0);
	assert_string_equal(w, "c.vcf:12: warning: 'John, Jr. Smith': time "
	    "zone '-05:00' left out: use an IANA name such as Europe/Berlin");
	free(w);
	free(out);
	import_result_free(&r);
	diag_free(&d);
}

static void
test_vcard_refuses_header_injection(void **state)
{
	/* An escaped \n in FN becomes a space; a raw CR inside a value is
	 * a control character and the contact is left out. */
	const char *in =
	    "BEGIN:VCARD\nFN:Eve\rBcc: all@x.example\nEMAIL:eve@x.example\n"
	    "END:VCARD\nBEGIN:VCARD\nFN:No Mail\nEND:VCARD\n";
	struct import_result r = { NULL, 0 };
	struct diag d;
	char *w;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_vcard(in, strlen(in), "x.vcf", &r, &d), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(d.warnings, 2);
	w = warning(&d, 0);
	assert_string_equal(w, "x.vcf:1: warning: skipped 'Eve\rBcc: "
	    "all@x.example': a value contains a control character or "
	    "invalid UTF-8");
	free(w);
	w = warning(&d, 1);
	assert_string_equal(w, "x.vcf:5: warning: skipped 'No Mail': no "
	    "e-mail address");
	free(w);
	import_result_free(&r);
	diag_free(&d);
}

/* A UTF-16 surrogate encoded in UTF-8 is not UTF-8: the book would
 * refuse it, so import leaves the contact out. */
static void
test_vcard_refuses_surrogate(void **state)
{
	const char *in = "BEGIN:VCARD\nFN:Eve \xed\xa0\x80\n"
	    "EMAIL:eve@x.example\nEND:VCARD\n";
	struct import_result r = { NULL, 0 };
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_vcard(in, strlen(in), "s.vcf", &r, &d), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(d.warnings, 1);
	import_result_free(&r);
	diag_free(&d);
}

static void
test_not_a_vcard(void **state)
{
	struct import_result r = { NULL, 0 };
	struct diag d;
	char *e;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_vcard("name,email\n", 11, "a.csv", &r, &d), -1);
	e = diag_format(&d, 0);
	assert_string_equal(e, "a.csv: no BEGIN:VCARD found: not a vCard "
	    "file");
	free(e);
	diag_free(&d);
}

static void
test_csv_semicolons_quotes_and_duplicates(void **state)
{
	const char *in =
	    "\xef\xbb\xbfVorname;Nachname;E-Mail;Geburtstag;Anrede;Notiz\r\n"
	    "Anna;M\xc3\xbcller;anna@example.de;1984-02-29;Liebe Anna;x\r\n"
	    "\"Anna\";\"M\xc3\xbcller\";\"anna2@example.de\";\"\";"
	    "\"Liebe \"\"Anni\"\"\";y\r\n"
	    "Bob;Bad;bob@b\xc3\xa4r.de;;;\r\n";
	struct import_result r = { NULL, 0 };
	struct diag d;
	char *out, *w;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_csv(in, strlen(in), "k.csv", &r, &d), 0);
	assert_int_equal(r.n, 2);
	out = printed(&r);
	assert_string_equal(out,
	    "  { id = \"anna-mueller\"; name = \"Anna M\xc3\xbcller\"; "
	    "first_name = \"Anna\";\n"
	    "    email = \"anna@example.de\"; salutation = \"Liebe Anna\";\n"
	    "    birthday = \"1984-02-29\"; },\n"
	    "  { id = \"anna-mueller-2\"; name = \"Anna M\xc3\xbcller\"; "
	    "first_name = \"Anna\";\n"
	    "    email = \"anna2@example.de\"; salutation = "
	    "\"Liebe \\\"Anni\\\"\"; }\n");
	free(out);
	assert_int_equal(d.warnings, 2);
	w = warning(&d, 0);
	assert_string_equal(w, "k.csv:1: warning: column 'Notiz' ignored "
	    "(known: name, first_name, last_name, title, email, birthday, "
	    "language, timezone, salutation, and the columns of Google, "
	    "Outlook and Nextcloud exports)");
	free(w);
	w = warning(&d, 1);
	assert_true(strncmp(w, "k.csv:4: warning: skipped 'Bob Bad': ", 37)
	    == 0);
	free(w);
	import_result_free(&r);
	diag_free(&d);
}

static void
test_csv_without_email_column(void **state)
{
	struct import_result r = { NULL, 0 };
	struct diag d;
	char *e;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_csv("name\nAnna\n", 10, "n.csv", &r, &d), -1);
	e = diag_format(&d, d.n - 1);
	assert_string_equal(e, "n.csv:1: the header row has no 'email' "
	    "column; the first row must name the columns");
	free(e);
	diag_free(&d);
}

/* Ids: letters of other languages transliterated, academic titles and
 * forms of address left out; a title or Herr/Frau gives a proposal. */
static void
test_ids_titles_and_proposals(void **state)
{
	const char *in =
	    "BEGIN:VCARD\nFN:Mag. Zo\xc3\xab Baumgartner\n"
	    "EMAIL:zoe@example.at\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Ludwig \xc5\xa0imek\nN:\xc5\xa0imek;Ludwig;;Herr;\n"
	    "EMAIL:ludwig@example.cz\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Bj\xc3\xb6rn \xc3\x98" "deg\xc3\xa5rd\n"
	    "EMAIL:bjorn@example.no\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Univ.-Prof. DI Dr. Ren\xc3\xa9" "e Stra\xc3\x9f" "er, MBA\n"
	    "N:Stra\xc3\x9f" "er;Ren\xc3\xa9" "e;;Frau;\n"
	    "EMAIL:renee@example.at\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Dr. Sarah Collins\nN:Collins;Sarah;;;\n"
	    "EMAIL:sarah@example.com\nLANG:en-GB\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Mr John Miller\nEMAIL:john@example.com\n"
	    "END:VCARD\n";
	struct import_result r = { NULL, 0 };
	struct diag d;
	char *out;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_vcard(in, strlen(in), "t.vcf", &r, &d), 0);
	assert_int_equal(d.warnings, 0);
	out = printed(&r);
	assert_string_equal(out,
	    "  { id = \"zoe-baumgartner\"; name = \"Mag. Zo\xc3\xab Baumgartner\";\n"
	    "    email = \"zoe@example.at\";\n"
	    "    # proposal: salutation = \"Guten Tag, Mag. Zo\xc3\xab Baumgartner\";\n"
	    "    },\n"
	    "  { id = \"ludwig-simek\"; name = \"Ludwig \xc5\xa0imek\"; "
	    "first_name = \"Ludwig\";\n"
	    "    email = \"ludwig@example.cz\";\n"
	    "    # proposal: salutation = \"Sehr geehrter Herr \xc5\xa0imek\";\n"
	    "    },\n"
	    "  { id = \"bjoern-oedegaard\"; name = \"Bj\xc3\xb6rn \xc3\x98" "deg\xc3\xa5rd\";\n"
	    "    email = \"bjorn@example.no\"; },\n"
	    "  { id = \"renee-strasser\"; name = \"Univ.-Prof. DI Dr. Ren\xc3\xa9" "e "
	    "Stra\xc3\x9f" "er, MBA\"; first_name = \"Ren\xc3\xa9" "e\";\n"
	    "    email = \"renee@example.at\";\n"
	    "    # proposal: salutation = \"Sehr geehrte Frau Univ.-Prof. DI Dr. "
	    "Stra\xc3\x9f" "er\";\n"
	    "    },\n"
	    "  { id = \"sarah-collins\"; name = \"Dr. Sarah Collins\"; "
	    "first_name = \"Sarah\";\n"
	    "    email = \"sarah@example.com\";\n"
	    "    # proposal: salutation = \"Dear Dr. Collins\";\n"
	    "    language = \"en\"; },\n"
	    "  { id = \"john-miller\"; name = \"John Miller\";\n"
	    "    email = \"john@example.com\";\n"
	    "    # proposal: salutation = \"Dear Mr Miller\";\n"
	    "    }\n");
	free(out);
	import_result_free(&r);
	diag_free(&d);
}

/* Apple's X-APPLE-OMIT-YEAR: the year it names is no year; another year
 * is kept. */
static void
test_vcard_apple_omit_year(void **state)
{
	const char *in =
	    "BEGIN:VCARD\nFN:Anna\nEMAIL:a@x.example\n"
	    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-07-21\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Berta\nEMAIL:b@x.example\n"
	    "BDAY;X-APPLE-OMIT-YEAR=1604;VALUE=date:1604-02-29\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Carl\nEMAIL:c@x.example\n"
	    "BDAY;X-APPLE-OMIT-YEAR=1604:1971-03-02\nEND:VCARD\n";
	struct import_result r = { NULL, 0 };
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_vcard(in, strlen(in), "a.vcf", &r, &d), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.contacts[0].birthday, "--07-21");
	assert_string_equal(r.contacts[1].birthday, "--02-29");
	assert_string_equal(r.contacts[2].birthday, "1971-03-02");
	assert_int_equal(d.warnings, 0);
	import_result_free(&r);
	diag_free(&d);
}

/* The date formats of the exports, and how an ambiguous one is read. */
static void
test_csv_date_formats(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "21.07.1966", "1966-07-21" }, { "1.7.1966", "1966-07-01" },
		{ "24.12.", "--12-24" }, { "29.02.", "--02-29" },
		{ "1966-07-21", "1966-07-21" }, { "--07-21", "--07-21" },
		{ "19660721", "1966-07-21" }, { "7/21/1966", "1966-07-21" },
		{ "21/07/1966", "1966-07-21" }, { "3/4/1970", "1970-03-04" },
		{ "04/04/1970", "1970-04-04" }, { "0.0.00", NULL },
		{ "0/0/00", NULL },
	};
	struct buf_in { char text[4096]; } b;
	struct import_result r = { NULL, 0 };
	struct diag d;
	size_t n = 0;
	char *w;

	(void)state;
	n += (size_t)snprintf(b.text, sizeof(b.text), "name,email,birthday\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		n += (size_t)snprintf(b.text + n, sizeof(b.text) - n,
		    "P%zu,p%zu@x.example,%s\n", i, i, cases[i].in);
	diag_init(&d);
	assert_int_equal(import_csv(b.text, n, "d.csv", &r, &d), 0);
	assert_int_equal(r.n, sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < r.n; i++) {
		if (cases[i].want == NULL)
			assert_null(r.contacts[i].birthday);
		else
			assert_string_equal(r.contacts[i].birthday,
			    cases[i].want);
	}
	/* Only 3/4/1970 could be either. */
	assert_int_equal(d.warnings, 1);
	w = diag_format(&d, 0);
	assert_string_equal(w, "d.csv:11: warning: 'P9': birthday '3/4/1970' "
	    "read as month/day: 1970-03-04 (MM/DD/YYYY; correct it if the day "
	    "comes first)");
	free(w);
	import_result_free(&r);
	diag_free(&d);
}

/* Google: "E-mail 1 - Value" with a ::: list (the first is the client's);
 * Outlook German: "Anrede" holding Herr/Frau is a prefix, not a
 * salutation; "E-Mail-Adresse". */
static void
test_csv_google_and_outlook_headers(void **state)
{
	const char *google =
	    "Name,Given Name,Family Name,Name Prefix,Birthday,"
	    "E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Value\n"
	    "Eva Sch\xc3\xb6n,Eva,Sch\xc3\xb6n,Dr.,--07-21,* Home ::: Work,"
	    "eva@example.de ::: eva@work.example,eva3@example.de\n"
	    ",Jan,Nov\xc3\xa1k,,,,,jan@example.cz\n";
	const char *outlook =
	    "\"Anrede\",\"Vorname\",\"Nachname\",\"Geburtstag\","
	    "\"E-Mail-Adresse\"\r\n"
	    "\"Frau\",\"Ingrid\",\"Wei\xc3\x9f\",\"21.07.1966\","
	    "\"ingrid@example.de\"\r\n"
	    "\"Lieber Max\",\"Max\",\"Muster\",\"0.0.00\","
	    "\"max@example.de\"\r\n";
	struct import_result r = { NULL, 0 };
	struct diag d;
	char *out;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_csv(google, strlen(google), "g.csv", &r, &d),
	    0);
	assert_int_equal(d.warnings, 1);	/* E-mail 1 - Type */
	out = printed(&r);
	assert_string_equal(out,
	    "  { id = \"eva-schoen\"; name = \"Eva Sch\xc3\xb6n\"; "
	    "first_name = \"Eva\";\n"
	    "    email = \"eva@example.de\";\n"
	    "    # proposal: salutation = \"Guten Tag, Dr. Eva Sch\xc3\xb6n\";\n"
	    "    birthday = \"--07-21\"; },\n"
	    "  { id = \"jan-novak\"; name = \"Jan Nov\xc3\xa1k\"; "
	    "first_name = \"Jan\";\n"
	    "    email = \"jan@example.cz\"; }\n");
	free(out);
	import_result_free(&r);
	diag_free(&d);

	diag_init(&d);
	assert_int_equal(import_csv(outlook, strlen(outlook), "o.csv", &r,
	    &d), 0);
	assert_int_equal(d.warnings, 0);
	out = printed(&r);
	assert_string_equal(out,
	    "  { id = \"ingrid-weiss\"; name = \"Ingrid Wei\xc3\x9f\"; "
	    "first_name = \"Ingrid\";\n"
	    "    email = \"ingrid@example.de\";\n"
	    "    # proposal: salutation = \"Sehr geehrte Frau Wei\xc3\x9f\";\n"
	    "    birthday = \"1966-07-21\"; },\n"
	    "  { id = \"max-muster\"; name = \"Max Muster\"; "
	    "first_name = \"Max\";\n"
	    "    email = \"max@example.de\"; salutation = \"Lieber Max\"; }\n");
	free(out);
	import_result_free(&r);
	diag_free(&d);
}

/* Contacts whose id or address (in any case) the book has become
 * comments; the commas stay right around them. */
static void
test_mark_known(void **state)
{
	const char *in = "name,email\nAnna M\xc3\xbcller,anna.neu@example.de\n"
	    "Lena Roth,lena@example.de\nTom Weber,t.weber@example.de\n";
	const char *ids[] = { "anna-mueller", "thomas-weber" };
	const char *emails[] = { "anna@example.de", "T.Weber@Example.de" };
	struct import_result r = { NULL, 0 };
	struct diag d;
	char *out;

	(void)state;
	diag_init(&d);
	assert_int_equal(import_csv(in, strlen(in), "m.csv", &r, &d), 0);
	assert_int_equal(import_mark_known(&r, ids, emails, 2), 2);
	out = printed(&r);
	assert_string_equal(out,
	    "  # already in the book: anna-mueller\n"
	    "  { id = \"lena-roth\"; name = \"Lena Roth\";\n"
	    "    email = \"lena@example.de\"; }\n"
	    "  # already in the book: thomas-weber\n");
	free(out);
	import_result_free(&r);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcard_40_folded_and_escaped),
		cmocka_unit_test(test_vcard_refuses_header_injection),
		cmocka_unit_test(test_vcard_refuses_surrogate),
		cmocka_unit_test(test_not_a_vcard),
		cmocka_unit_test(test_csv_semicolons_quotes_and_duplicates),
		cmocka_unit_test(test_csv_without_email_column),
		cmocka_unit_test(test_ids_titles_and_proposals),
		cmocka_unit_test(test_vcard_apple_omit_year),
		cmocka_unit_test(test_csv_date_formats),
		cmocka_unit_test(test_csv_google_and_outlook_headers),
		cmocka_unit_test(test_mark_known),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
