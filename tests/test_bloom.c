/*
 * test_bloom.c - the planner's Bloom filter over send-log keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bloom.h"

static void
test_empty_has_nothing(void **state)
{
	struct bloom b;
	char key[32];

	(void)state;
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "birthday/%d", 1000 + i);
		assert_false(bloom_maybe(&b, key));
	}
	assert_false(bloom_maybe(&b, ""));
}

static void
test_no_false_negatives(void **state)
{
	struct bloom b;
	char key[32];

	(void)state;
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "checkin/2027-%03d", i);
		bloom_add(&b, key);
	}
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "checkin/2027-%03d", i);
		assert_true(bloom_maybe(&b, key));
	}
}

/* A client's few keys leave most others answered "no" without a look
 * into the send log. */
static void
test_few_keys_reject_most(void **state)
{
	struct bloom b;
	char key[32];
	int maybe = 0;

	(void)state;
	memset(&b, 0, sizeof(b));
	bloom_add(&b, "advent/2026");
	bloom_add(&b, "birthday/2026");
	assert_true(bloom_maybe(&b, "advent/2026"));
	assert_true(bloom_maybe(&b, "birthday/2026"));
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "followup/p%d/14d", i);
		maybe += bloom_maybe(&b, key);
	}
	/* Two bits of 256 set: about 8 of 1000 by chance. */
	assert_true(maybe < 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_has_nothing),
		cmocka_unit_test(test_no_false_negatives),
		cmocka_unit_test(test_few_keys_reject_most),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
