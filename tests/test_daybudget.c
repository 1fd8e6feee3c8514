/*
 * test_daybudget.c - messages per day against the daily limit, and the
 * next day with room.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daybudget.h"

static void
test_over_counts_every_message(void **state)
{
	struct daybudget *b = daybudget_new(100, 104);

	(void)state;
	assert_false(daybudget_over(b, 0));
	for (int i = 0; i < 3; i++)
		daybudget_count(b, 102, i == 0);
	assert_false(daybudget_over(b, 3));
	assert_true(daybudget_over(b, 2));
	daybudget_count(b, 104, false);
	assert_false(daybudget_over(b, 3));
	daybudget_count(b, 102, false);
	assert_true(daybudget_over(b, 3));
	daybudget_free(b);
	daybudget_free(NULL);
}

/* Days outside [first, last] are not counted and always have room. */
static void
test_outside_is_unlimited(void **state)
{
	struct daybudget *b = daybudget_new(100, 104);

	(void)state;
	for (int i = 0; i < 10; i++) {
		daybudget_count(b, 99, true);
		daybudget_count(b, 105, true);
	}
	assert_false(daybudget_over(b, 0));
	daybudget_restart(b, 1);
	assert_int_equal(daybudget_room(b, 99), 99);
	assert_int_equal(daybudget_room(b, 105), 105);
	assert_int_equal(daybudget_room(b, -7), -7);
	daybudget_take(b, 105);
	assert_int_equal(daybudget_room(b, 104), 104);
	daybudget_free(b);
}

/* After a restart only the base messages fill a day; taken places fill
 * it further, and room skips the full days. */
static void
test_room_skips_full_days(void **state)
{
	struct daybudget *b = daybudget_new(100, 104);

	(void)state;
	daybudget_count(b, 100, true);
	daybudget_count(b, 100, true);
	daybudget_count(b, 101, true);
	for (int i = 0; i < 5; i++)
		daybudget_count(b, 101, false);
	assert_true(daybudget_over(b, 2));
	daybudget_restart(b, 2);
	assert_int_equal(daybudget_room(b, 100), 101);
	assert_int_equal(daybudget_room(b, 101), 101);
	daybudget_take(b, 101);
	assert_int_equal(daybudget_room(b, 100), 102);
	assert_int_equal(daybudget_room(b, 101), 102);
	daybudget_take(b, 102);
	assert_int_equal(daybudget_room(b, 100), 102);
	daybudget_take(b, 102);
	assert_int_equal(daybudget_room(b, 100), 103);
	assert_int_equal(daybudget_room(b, 104), 104);
	for (int i = 0; i < 2; i++) {
		daybudget_take(b, 103);
		daybudget_take(b, 104);
	}
	/* No room left: the day after the last. */
	assert_int_equal(daybudget_room(b, 100), 105);
	assert_int_equal(daybudget_room(b, 103), 105);
	assert_int_equal(daybudget_room(b, 104), 105);
	daybudget_free(b);
}

/* A second restart counts from the base again, taken places included. */
static void
test_restart_with_new_limit(void **state)
{
	struct daybudget *b = daybudget_new(0, 9);

	(void)state;
	for (int d = 0; d < 10; d++)
		daybudget_count(b, d, true);
	daybudget_restart(b, 1);
	assert_int_equal(daybudget_room(b, 0), 10);
	daybudget_restart(b, 2);
	assert_int_equal(daybudget_room(b, 3), 3);
	daybudget_take(b, 3);
	assert_int_equal(daybudget_room(b, 3), 4);
	daybudget_restart(b, 0);
	assert_int_equal(daybudget_room(b, 0), 10);
	daybudget_free(b);
}

/* Long chains of full days, looked up from every day: the answer is the
 * same as a plain scan. */
static void
test_many_days_against_scan(void **state)
{
	enum { N = 3000 };
	static int used[N];
	struct daybudget *b = daybudget_new(1000, 1000 + N - 1);
	uint32_t x = 12345;

	(void)state;
	daybudget_restart(b, 3);
	for (int i = 0; i < 6000; i++) {
		int64_t d, r, want;

		x = x * 1103515245u + 12345u;
		d = 1000 + (int64_t)(x >> 8) % (N / 2);
		for (want = d; want < 1000 + N && used[want - 1000] >= 3;
		    want++)
			;
		r = daybudget_room(b, d);
		assert_int_equal(r, want);
		if (r < 1000 + N) {
			daybudget_take(b, r);
			used[r - 1000]++;
		}
	}
	daybudget_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_over_counts_every_message),
		cmocka_unit_test(test_outside_is_unlimited),
		cmocka_unit_test(test_room_skips_full_days),
		cmocka_unit_test(test_restart_with_new_limit),
		cmocka_unit_test(test_many_days_against_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
