/*
 * test_valid.c - every rule about a value from outside, one table each:
 * valid and invalid rows with the exact result and error text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"
#include "valid.h"
#include "xalloc.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Refused addresses and the exact reason each gets. */
static const struct {
	const char *addr, *err;
} bad_addresses[] = {
	{ "", "the e-mail address is empty; write local@domain, e.g. "
	    "anna@example.de" },
	{ NULL, "the e-mail address is empty; write local@domain, e.g. "
	    "anna@example.de" },
	{ "anna", "'anna' is not an e-mail address: it needs exactly "
	    "one '@', as in anna@example.de" },
	{ "a@b@c.de", "'a@b@c.de' is not an e-mail address: it needs "
	    "exactly one '@', as in anna@example.de" },
	{ "a@müller.de", "'a@müller.de' has a domain with non-ASCII "
	    "letters; write an international domain in its ASCII "
	    "(punycode) form, xn--..." },
	{ "änna@example.net", "'änna@example.net' has non-ASCII "
	    "letters before the '@'; touchbase sends plain ASCII "
	    "addresses only (no SMTPUTF8)" },
	{ "a\r\nBcc: x@y.de", "an e-mail address must not contain "
	    "control characters or line breaks" },
	{ "a@b.de\n", "an e-mail address must not contain control "
	    "characters or line breaks" },
	{ "a\x7f@b.de", "an e-mail address must not contain control "
	    "characters or line breaks" },
	{ "a\tb@c.de", "'a?b@c.de' is not a plain e-mail address: "
	    "write only local@domain, without a display name, quotes, "
	    "spaces or <>" },
	{ "@b.de", "'@b.de' is not an e-mail address: the part before "
	    "'@' must be 1 to 64 characters without leading, trailing "
	    "or double dots" },
	{ ".a@b.de", "'.a@b.de' is not an e-mail address: the part "
	    "before '@' must be 1 to 64 characters without leading, "
	    "trailing or double dots" },
	{ "a.@b.de", "'a.@b.de' is not an e-mail address: the part "
	    "before '@' must be 1 to 64 characters without leading, "
	    "trailing or double dots" },
	{ "a..b@b.de", "'a..b@b.de' is not an e-mail address: the part "
	    "before '@' must be 1 to 64 characters without leading, "
	    "trailing or double dots" },
	{ "123456789012345678901234567890123456789012345678901234567890"
	    "12345@example.de", "'12345678901234567890123456789012345"
	    "6789012345678901234567890...' is not an e-mail address: "
	    "the part before '@' must be 1 to 64 characters without "
	    "leading, trailing or double dots" },
	{ "a@-b.de", "'a@-b.de' is not an e-mail address: the domain "
	    "must be labels of letters, digits and '-' joined by dots, "
	    "as in example.de" },
	{ "a@b-.de", "'a@b-.de' is not an e-mail address: the domain "
	    "must be labels of letters, digits and '-' joined by dots, "
	    "as in example.de" },
	{ "a@b..de", "'a@b..de' is not an e-mail address: the domain "
	    "must be labels of letters, digits and '-' joined by dots, "
	    "as in example.de" },
	{ "a@", "'a@' is not an e-mail address: the domain must be "
	    "labels of letters, digits and '-' joined by dots, as in "
	    "example.de" },
	{ "a@b.de.", "'a@b.de.' is not an e-mail address: the domain "
	    "must be labels of letters, digits and '-' joined by dots, "
	    "as in example.de" },
	{ "a@b_c.de", "'a@b_c.de' is not an e-mail address: '_' is "
	    "not allowed in the domain" },
	{ "a@[192.0.2.1]", "'a@[192.0.2.1]' is not an e-mail address: "
	    "'[' is not allowed in the domain" },
	{ "a;b@c.de", "'a;b@c.de' is not an e-mail address: ';' is not "
	    "allowed before the '@'" },
	{ "a[b@c.de", "'a[b@c.de' is not an e-mail address: '[' is not "
	    "allowed before the '@'" },
	{ "<a@b.de>", "'<a@b.de>' is not a plain e-mail address: write "
	    "only local@domain, without a display name, quotes, spaces "
	    "or <>" },
	{ "Anna <anna@example.de>", "'Anna <anna@example.de>' is not a "
	    "plain e-mail address: write only local@domain, without a "
	    "display name, quotes, spaces or <>" },
	{ "anna@example.net>", "'anna@example.net>' is not a plain "
	    "e-mail address: write only local@domain, without a display "
	    "name, quotes, spaces or <>" },
	{ "\"a b\"@c.de", "'\"a b\"@c.de' is not a plain e-mail "
	    "address: write only local@domain, without a display name, "
	    "quotes, spaces or <>" },
	{ "a@example", "'a@example' is not an e-mail address: the "
	    "domain needs a dot, as in example.de" },
};

static void
test_address(void **state)
{
	static const char *const good[] = {
		"a@b.de", "anna.mueller+tb@mueller-garten.example",
		"root@localhost", "root@LOCALHOST", "x_y@xn--mller-kva.de",
		"o'brien@example.ie", "a!#$%&*+-/=?^_`{|}~@example.org",
		"0@9.example", "a@b-c.d-e.example",
		"1234567890123456789012345678901234567890123456789012345678901234"
		    "@example.de",
	};
	char *err, *big;

	(void)state;
	for (size_t i = 0; i < N(good); i++) {
		if (valid_address(good[i], &err) != 0)
			fail_msg("%s refused: %s", good[i], err);
		assert_null(err);
		assert_int_equal(valid_address(good[i], NULL), 0);
	}
	for (size_t i = 0; i < N(bad_addresses); i++) {
		assert_int_equal(valid_address(bad_addresses[i].addr, &err), -1);
		if (strcmp(err, bad_addresses[i].err) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, err,
			    bad_addresses[i].err);
		free(err);
		assert_int_equal(valid_address(bad_addresses[i].addr, NULL), -1);
	}
	/* 254 bytes in all at the most */
	big = xasprintf("a@%0250d.de", 0);
	for (char *p = big + 2; *p != '.'; p++)
		if ((p - big) % 60 == 0)
			*p = '.';
	assert_int_equal(strlen(big), 255);
	assert_int_equal(valid_address(big, &err), -1);
	assert_non_null(strstr(err, "is too long for an e-mail address"));
	free(err);
	big[strlen(big) - 4] = '\0';
	strcat(big, ".d");
	assert_int_equal(strlen(big), 253);
	assert_int_equal(valid_address(big, NULL), 0);
	free(big);
}

static void
test_atext(void **state)
{
	static const char yes[] = "azAZ09!#$%&'*+-/=?^_`{|}~";
	static const char no[] = " \"(),.:;<>@[\\]\x7f\t";

	(void)state;
	for (size_t i = 0; yes[i] != '\0'; i++)
		assert_true(valid_atext((unsigned char)yes[i]));
	for (size_t i = 0; no[i] != '\0'; i++)
		if (valid_atext((unsigned char)no[i]))
			fail_msg("0x%02x is atext", (unsigned char)no[i]);
	assert_false(valid_atext(0));
	assert_false(valid_atext(0xc3));
}

static void
test_control(void **state)
{
	static const struct {
		const char *s;
		const char *describe;	/* NULL: no control */
		bool header_safe;
	} rows[] = {
		{ "Liebe Anna,\tschön", NULL, false },
		{ "plain text", NULL, true },
		{ "", NULL, true },
		{ "Grüße 😀", NULL, true },
		{ "a\nb", "a line break (U+000A)", false },
		{ "a\rb", "a line break (U+000D)", false },
		{ "x\x1b", "a control character (U+001B)", false },
		{ "\x7f", "a control character (U+007F)", false },
		{ "\x01", "a control character (U+0001)", false },
		{ "a\x1f", "a control character (U+001F)", false },
		{ "tab\tthen\nbreak", "a line break (U+000A)", false },
	};
	char *t;

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		t = valid_describe_control(rows[i].s);
		assert_int_equal(valid_has_control(rows[i].s),
		    rows[i].describe != NULL);
		if (rows[i].describe == NULL)
			assert_null(t);
		else
			assert_string_equal(t, rows[i].describe);
		free(t);
		assert_int_equal(valid_header_safe(rows[i].s),
		    rows[i].header_safe);
	}
}

static void
test_header_text(void **state)
{
	static const struct {
		const char *v, *err;	/* err NULL: accepted */
	} rows[] = {
		{ "Atelier Lindgrün", NULL },
		{ "Alles Gute, Anna! 🎂", NULL },
		{ "", NULL },
		{ "Hallo\r\nBcc: x@evil.example", "the subject contains a "
		    "control character (0x0d); a header value must be one line "
		    "of text without CR, LF, NUL or other controls" },
		{ "Hallo\nDu", "the subject contains a control character "
		    "(0x0a); a header value must be one line of text without "
		    "CR, LF, NUL or other controls" },
		{ "Hallo\tDu", "the subject contains a control character "
		    "(0x09); a header value must be one line of text without "
		    "CR, LF, NUL or other controls" },
		{ "Hallo\x7f", "the subject contains a control character "
		    "(0x7f); a header value must be one line of text without "
		    "CR, LF, NUL or other controls" },
		{ "M\xfcller", "the subject is not valid UTF-8" },
		{ "\xc0\xaf", "the subject is not valid UTF-8" },
		{ "\xed\xa0\x80", "the subject is not valid UTF-8" },
		{ "\xf4\x90\x80\x80", "the subject is not valid UTF-8" },
		{ "\xe2\x82", "the subject is not valid UTF-8" },
	};
	char *err;

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		err = NULL;
		if (rows[i].err == NULL) {
			assert_int_equal(valid_header_text("the subject",
			    rows[i].v, &err), 0);
			assert_null(err);
			continue;
		}
		assert_int_equal(valid_header_text("the subject", rows[i].v,
		    &err), -1);
		assert_string_equal(err, rows[i].err);
		free(err);
	}
}

static void
test_quote(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "", "''" },
		{ "abc", "'abc'" },
		{ "a\nb", "'a?b'" },
		{ "\x7f\x01", "'?" "?'" },
		{ "0123456789012345678901234567890123456789"
		    "0123456789012345678", "'0123456789012345678901234567890123"
		    "4567890123456789012345678'" },
		{ "0123456789012345678901234567890123456789"
		    "01234567890123456789", "'012345678901234567890123456789012"
		    "345678901234567890123456789'" },
		{ "0123456789012345678901234567890123456789"
		    "012345678901234567890", "'01234567890123456789012345678901"
		    "2345678901234567890123456789...'" },
		{ "0123456789012345678901234567890123456789"
		    "012345678901234567ü9xyz", "'0123456789012345678901234567890"
		    "123456789012345678901234567ü...'" },
		/* ü would be cut in half: dropped */
		{ "0123456789012345678901234567890123456789"
		    "0123456789012345678ü9xyz", "'012345678901234567890123456789"
		    "01234567890123456789012345678...'" },
	};
	char *t;

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		t = valid_quote(rows[i].in);
		assert_string_equal(t, rows[i].out);
		free(t);
	}
}

static void
test_language(void **state)
{
	static const struct {
		const char *tag;
		bool ok;
	} rows[] = {
		{ "de", true }, { "en", true }, { "gsw", true },
		{ "de-AT", true }, { "zh-Hant", true }, { "de-1996", true },
		{ "d", false }, { "deut", false }, { "DE", false },
		{ "de-", false }, { "de_AT", false }, { "de-AT-x", false },
		{ "", false }, { "de-Ä", false }, { "de-ABCDEFGHIJKLMN", false },
		{ "de-ABCDEFGHIJKLM", true },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++)
		if (valid_language(rows[i].tag) != rows[i].ok)
			fail_msg("'%s': want %d", rows[i].tag, rows[i].ok);
}

static void
test_loopback(void **state)
{
	static const struct {
		const char *host;
		bool loopback;
	} rows[] = {
		{ "localhost", true }, { "LocalHost.", true },
		{ "LOCALHOST", true }, { "127.0.0.1", true },
		{ "127.0.0.2", true }, { "127.1.2.3", true },
		{ "127.255.255.255", true }, { "[127.0.0.1]", true },
		{ "::1", true }, { "[::1]", true }, { "0:0:0:0:0:0:0:1", true },
		{ "::ffff:127.0.0.1", true }, { "[::ffff:127.0.0.2]", true },
		{ "128.0.0.1", false }, { "126.255.255.255", false },
		{ "10.0.0.1", false }, { "0.0.0.0", false },
		{ "mail.example.org", false }, { "localhost.example.org", false },
		{ "::2", false }, { "::", false }, { "", false },
		{ "[::1", false }, { "127.0.0.1]", false },
		{ "::ffff:10.0.0.1", false }, { "127.0.0.1.example", false },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++)
		if (valid_is_loopback(rows[i].host) != rows[i].loopback)
			fail_msg("'%s': want %d", rows[i].host,
			    rows[i].loopback);
}

static void
test_host(void **state)
{
	static const struct {
		const char *host;
		bool ok;
	} rows[] = {
		{ "localhost", true }, { "mail.example.de", true },
		{ "mail.example.de.", true }, { "a", true },
		{ "xn--mller-kva.de", true }, { "a-b.c-d", true },
		{ "123.example", true }, { "MAIL.Example.DE", true },
		{ "", false }, { ".", false }, { ".example.de", false },
		{ "a..b", false }, { "-a.de", false }, { "a-.de", false },
		{ "a_b.de", false }, { "müller.de", false },
		{ "mail.example.de..", false }, { "a b", false },
		{ "[127.0.0.1]", false }, { "a:25", false },
		{ "012345678901234567890123456789012345678901234567890123456789"
		    "012.de", true },
		{ "012345678901234567890123456789012345678901234567890123456789"
		    "0123.de", false },
	};
	char *h;

	(void)state;
	for (size_t i = 0; i < N(rows); i++)
		if (valid_host(rows[i].host) != rows[i].ok)
			fail_msg("'%s': want %d", rows[i].host, rows[i].ok);
	/* 253 bytes at the most: four labels of 63 and one dot each */
	h = xasprintf("%063d.%063d.%063d.%061d", 0, 0, 0, 0);
	assert_int_equal(strlen(h), 253);
	assert_true(valid_host(h));
	free(h);
	h = xasprintf("%063d.%063d.%063d.%062d", 0, 0, 0, 0);
	assert_int_equal(strlen(h), 254);
	assert_false(valid_host(h));
	free(h);
}

static void
test_helo(void **state)
{
	static const struct {
		const char *name, *err;	/* err NULL: accepted */
	} rows[] = {
		{ "mail.example.de", NULL },
		{ "localhost", NULL },
		{ "host-1.example", NULL },
		{ "[192.0.2.1]", NULL },
		{ "[127.0.0.1]", NULL },
		{ "[IPv6:2001:db8::1]", NULL },
		{ "[ipv6:::1]", NULL },
		{ "", "'' is not a host name for EHLO: write a name such as "
		    "mail.example.de, or an address literal such as "
		    "[192.0.2.1] or [IPv6:2001:db8::1]" },
		{ "mail example", "'mail example' is not a host name for EHLO: "
		    "write a name such as mail.example.de, or an address "
		    "literal such as [192.0.2.1] or [IPv6:2001:db8::1]" },
		{ "mail\r\nRSET", "'mail?" "?RSET' is not a host name for EHLO: "
		    "write a name such as mail.example.de, or an address "
		    "literal such as [192.0.2.1] or [IPv6:2001:db8::1]" },
		{ "192.0.2.300", NULL },	/* digits are a name, as in DNS */
		{ "[192.0.2.300]", "'[192.0.2.300]' is not a host name for "
		    "EHLO: write a name such as mail.example.de, or an address "
		    "literal such as [192.0.2.1] or [IPv6:2001:db8::1]" },
		{ "[2001:db8::1]", "'[2001:db8::1]' is not a host name for "
		    "EHLO: write a name such as mail.example.de, or an address "
		    "literal such as [192.0.2.1] or [IPv6:2001:db8::1]" },
		{ "[]", "'[]' is not a host name for EHLO: write a name such as "
		    "mail.example.de, or an address literal such as "
		    "[192.0.2.1] or [IPv6:2001:db8::1]" },
		{ "mail.example.", "'mail.example.' is not a host name for "
		    "EHLO: write a name such as mail.example.de, or an address "
		    "literal such as [192.0.2.1] or [IPv6:2001:db8::1]" },
		{ "-mail.example", "'-mail.example' is not a host name for "
		    "EHLO: write a name such as mail.example.de, or an address "
		    "literal such as [192.0.2.1] or [IPv6:2001:db8::1]" },
		{ "mail_1.example", "'mail_1.example' is not a host name for "
		    "EHLO: write a name such as mail.example.de, or an address "
		    "literal such as [192.0.2.1] or [IPv6:2001:db8::1]" },
	};
	char *err;

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		int rc = valid_helo(rows[i].name, &err);

		if (rows[i].err == NULL) {
			if (rc != 0)
				fail_msg("'%s' refused: %s", rows[i].name, err);
			assert_null(err);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_string_equal(err, rows[i].err);
		free(err);
	}
}

static void
test_id(void **state)
{
	static const struct {
		const char *s;
		bool id, field_key;
	} rows[] = {
		{ "anna-mueller", true, true }, { "anna_2", true, true },
		{ "A", true, true }, { "_x", true, true },
		{ "2nd", true, false }, { "-x", true, false },
		{ "0123456789012345678901234567890123456789012345678901234567"
		    "890123", true, false },
		{ "a123456789012345678901234567890123456789012345678901234567"
		    "8901234", false, false },
		{ "", false, false }, { "anna mueller", false, false },
		{ "anna.mueller", false, false }, { "anna/x", false, false },
		{ "jürgen", false, false }, { "a\nb", false, false },
		{ "../etc", false, false },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		if (valid_id(rows[i].s) != rows[i].id)
			fail_msg("id '%s': want %d", rows[i].s, rows[i].id);
		if (valid_field_key(rows[i].s) != rows[i].field_key)
			fail_msg("field key '%s': want %d", rows[i].s,
			    rows[i].field_key);
	}
}

/* The password-file rule: every mode, through all three entry points. */
static void
test_password_file(void **state)
{
	char dir[] = "/tmp/test_valid.XXXXXX";
	char *pw, *link, *err, *want;
	struct stat st;
	FILE *fp;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	pw = xasprintf("%s/pw", dir);
	link = xasprintf("%s/link", dir);
	assert_non_null(fp = fopen(pw, "w"));
	fputs("geheim\n", fp);
	fclose(fp);
	for (mode_t m = 0; m <= 0777; m++) {
		const char *what = NULL;

		if (m & 044)
			what = "is readable by others than its owner";
		else if (m & 077)
			what = "grants access to group or others";
		assert_int_equal(chmod(pw, m | 0400), 0);
		want = what == NULL ? NULL : xasprintf("password file %s %s "
		    "(mode %04o): chmod 600 %s", pw, what, (unsigned)(m | 0400),
		    pw);
		assert_int_equal(stat(pw, &st), 0);
		assert_int_equal(valid_password_stat(pw, &st, &err),
		    want == NULL ? 0 : -1);
		if (want != NULL)
			assert_string_equal(err, want);
		else
			assert_null(err);
		free(err);
		assert_int_equal(valid_password_file(pw, &err),
		    want == NULL ? 0 : -1);
		if (want != NULL)
			assert_string_equal(err, want);
		free(err);
		fd = valid_password_open(pw, &err);
		if (want != NULL) {
			assert_int_equal(fd, -1);
			assert_string_equal(err, want);
			free(err);
		} else {
			assert_true(fd >= 0);
			assert_null(err);
			close(fd);
		}
		free(want);
	}
	assert_int_equal(chmod(pw, 0600), 0);

	/* a link, even to a good file */
	assert_int_equal(symlink(pw, link), 0);
	want = xasprintf("password file %s is a symbolic link; name the file "
	    "itself", link);
	assert_int_equal(valid_password_file(link, &err), -1);
	assert_string_equal(err, want);
	free(err);
	assert_int_equal(valid_password_open(link, &err), -1);
	assert_string_equal(err, want);
	free(err);
	free(want);

	/* a folder */
	want = xasprintf("password file %s is not a regular file", dir);
	assert_int_equal(valid_password_file(dir, &err), -1);
	assert_string_equal(err, want);
	free(err);
	free(want);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(valid_password_open(dir, &err), -1);
	want = xasprintf("password file %s is not a regular file", dir);
	assert_string_equal(err, want);
	free(err);
	free(want);

	/* missing */
	unlink(link);
	want = xasprintf("password file %s cannot be used: No such file or "
	    "directory", link);
	assert_int_equal(valid_password_file(link, &err), -1);
	assert_string_equal(err, want);
	free(err);
	free(want);
	want = xasprintf("cannot open password file %s: No such file or "
	    "directory", link);
	assert_int_equal(valid_password_open(link, &err), -1);
	assert_string_equal(err, want);
	free(err);
	free(want);

	unlink(pw);
	rmdir(dir);
	free(pw);
	free(link);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_atext),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_header_text),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_language),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_helo),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_password_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
