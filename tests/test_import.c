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
	    "(known: name, first_name, last_name, email, birthday, language, "
	    "timezone, salutation)");
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
