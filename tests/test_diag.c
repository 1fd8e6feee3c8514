/*
 * test_diag.c - problems with their place, and "did you mean".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "diag.h"

static void
test_format_with_and_without_line(void **state)
{
	struct diag d;
	char *s;

	(void)state;
	diag_init(&d);
	diag_error(&d, "clients.conf", 42, "unknown key '%s'", "birtday");
	diag_warn(&d, "templates/birthday.en.txt", 0, "missing");
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.warnings, 1);
	s = diag_format(&d, 0);
	assert_string_equal(s, "clients.conf:42: unknown key 'birtday'");
	free(s);
	s = diag_format(&d, 1);
	assert_string_equal(s, "templates/birthday.en.txt: warning: missing");
	free(s);
	diag_free(&d);
	assert_int_equal(d.n, 0);
}

static void
test_suggest(void **state)
{
	static const char *const keys[] = { "birthday", "client_since",
	    "first_name", "email", NULL };

	(void)state;
	assert_string_equal(diag_suggest("birtday", keys), "birthday");
	assert_string_equal(diag_suggest("brithday", keys), "birthday");
	assert_string_equal(diag_suggest("emial", keys), "email");
	assert_string_equal(diag_suggest("firstname", keys), "first_name");
	assert_null(diag_suggest("colour", keys));
	assert_null(diag_suggest("x", keys));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_with_and_without_line),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
