/*
 * test_buf.c - the growable buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_grow_and_terminate(void **state)
{
	struct buf b;
	size_t len;
	char *s;

	(void)state;
	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_addf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 2000);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data + 1990, "5,6,7,8,9,", 10);
	buf_reset(&b);
	assert_string_equal(b.data, "");
	buf_add(&b, "a\0b", 3);
	buf_addc(&b, 'c');
	s = buf_detach(&b, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(s, "a\0bc", 5);
	assert_null(b.data);
	free(s);
}

static void
test_detach_empty(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b);
	s = buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
	buf_add(&b, "", 0);
	s = buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_and_terminate),
		cmocka_unit_test(test_detach_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
