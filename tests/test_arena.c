/*
 * test_arena.c - the allocation arena: zeroed, aligned, large objects,
 * interned strings shared.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"

static void
test_alloc(void **state)
{
	struct arena *a = arena_new();
	unsigned char *p, *big;
	char *s;

	(void)state;
	s = arena_strdup(a, "abc");
	assert_string_equal(s, "abc");
	for (int i = 0; i < 5000; i++) {
		p = arena_calloc(a, 3, 8);
		assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
		for (int j = 0; j < 24; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xff, 24);
		assert_string_equal(arena_strdup(a, "x"), "x");
	}
	big = arena_calloc(a, 100000, 1);
	for (int j = 0; j < 100000; j++)
		assert_int_equal(big[j], 0);
	/* The chunk being filled is still in use after a large object. */
	p = arena_calloc(a, 1, 16);
	assert_int_equal(p[0], 0);
	assert_string_equal(s, "abc");
	assert_true(arena_size(a) >= 100000 + 5000 * 26);
	assert_non_null(arena_calloc(a, 0, 8));
	arena_free(a);
	arena_free(NULL);
}

static void
test_intern(void **state)
{
	struct arena *a = arena_new();
	char name[16], *first[300];

	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "zone-%d", i);
		first[i] = arena_intern(a, name);
		assert_string_equal(first[i], name);
	}
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "zone-%d", i);
		assert_ptr_equal(arena_intern(a, name), first[i]);
	}
	assert_ptr_not_equal(arena_intern(a, "de"), arena_strdup(a, "de"));
	assert_ptr_equal(arena_intern(a, ""), arena_intern(a, ""));
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc),
		cmocka_unit_test(test_intern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
