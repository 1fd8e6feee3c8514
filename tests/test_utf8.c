/*
 * test_utf8.c - well-formed UTF-8: lengths, code points, what is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

static size_t
len_of(const char *s, uint32_t *cp)
{
	return utf8_char((const unsigned char *)s, strlen(s), cp);
}

static void
test_char_lengths_and_code_points(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(len_of("A", &cp), 1);
	assert_int_equal(cp, 0x41);
	assert_int_equal(len_of("\xc3\xbc", &cp), 2);		/* ü */
	assert_int_equal(cp, 0xfc);
	assert_int_equal(len_of("\xe2\x80\xa6", &cp), 3);	/* … */
	assert_int_equal(cp, 0x2026);
	assert_int_equal(len_of("\xf0\x9f\x98\x80", &cp), 4);	/* 😀 */
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(len_of("\xf4\x8f\xbf\xbf", NULL), 4);	/* U+10FFFF */
	assert_int_equal(len_of("\xed\x9f\xbf", NULL), 3);	/* U+D7FF */
}

static void
test_char_refused(void **state)
{
	uint32_t cp = 7;

	(void)state;
	assert_int_equal(len_of("\xc0\xaf", &cp), 0);		/* overlong */
	assert_int_equal(len_of("\xc1\xbf", &cp), 0);
	assert_int_equal(len_of("\xe0\x9f\xbf", &cp), 0);
	assert_int_equal(len_of("\xf0\x8f\xbf\xbf", &cp), 0);
	assert_int_equal(len_of("\xed\xa0\x80", &cp), 0);	/* surrogate */
	assert_int_equal(len_of("\xf4\x90\x80\x80", &cp), 0);	/* > 10FFFF */
	assert_int_equal(len_of("\xf5\x80\x80\x80", &cp), 0);
	assert_int_equal(len_of("\xf8\x88\x80\x80", &cp), 0);
	assert_int_equal(len_of("\x80", &cp), 0);		/* lone tail */
	assert_int_equal(len_of("\xc3", &cp), 0);		/* cut */
	assert_int_equal(len_of("\xe2\x82" "A", &cp), 0);
	assert_int_equal(cp, 7);
	/* n bounds the sequence even when more bytes follow. */
	assert_int_equal(utf8_char((const unsigned char *)"\xe2\x80\xa6", 2,
	    NULL), 0);
	/* A NUL-terminated string may pass n = 4: the NUL ends it. */
	assert_int_equal(utf8_char((const unsigned char *)"\xe2\x80", 4, NULL),
	    0);
}

static void
test_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("Gr\xc3\xbc\xc3\x9f" "e, \xf0\x9f\x98\x80", 13));
	assert_true(utf8_valid("a\0b", 3));			/* NUL is ASCII */
	assert_false(utf8_valid("Gr\xfc\xdf" "e", 5));		/* Latin-1 */
	assert_false(utf8_valid("ok \xe2\x82", 5));		/* cut at the end */
	assert_false(utf8_valid("\xe2\x80\xa6", 2));		/* n cuts it */
}

/* Long text, read eight bytes at a time: a bad byte is found wherever it
 * sits, a good sequence across a boundary passes, n is honoured. */
static void
test_valid_long(void **state)
{
	char s[64];

	(void)state;
	for (size_t at = 0; at + 2 <= 40; at++) {
		memset(s, 'a', sizeof(s));
		s[at] = '\xc3';
		s[at + 1] = '\xbc';
		assert_true(utf8_valid(s, 40));
		s[at + 1] = 'x';		/* a lead byte without its tail */
		assert_false(utf8_valid(s, 40));
		s[at] = '\xfc';		/* Latin-1 */
		assert_false(utf8_valid(s, 40));
		assert_int_equal(utf8_valid(s, at), true);
	}
	memset(s, 'a', sizeof(s));
	s[39] = '\xe2';
	s[40] = '\x80';
	s[41] = '\xa6';
	assert_true(utf8_valid(s, 42));
	assert_false(utf8_valid(s, 41));	/* n cuts the sequence */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_char_lengths_and_code_points),
		cmocka_unit_test(test_char_refused),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
