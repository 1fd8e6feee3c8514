/*
 * test_sortkey.c - the send order of a plan: due, priority (high first),
 * client, key; the radix sort and its qsort() fallback agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sortkey.h"

static uint64_t rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const names[] = { "advent/2027", "birthday/2027",
    "checkin/2027-03-01", "checkin/2027-03-02", "followup/Haus/14d",
    "followup/Haus/3M", "jubilee/2027" };

static void
test_small_order(void **state)
{
	struct sortkey k[] = {
		{ 200, 50, 1, "b", 0 },
		{ 100, 20, 3, "a", 1 },
		{ 100, 80, 9, "z", 2 },
		{ 100, 20, 2, "z", 3 },
		{ 100, 20, 3, "0", 4 },
		{ -50, 0, 0, "x", 5 },
	};
	static const size_t want[] = { 5, 2, 3, 4, 1, 0 };

	(void)state;
	sortkey_sort(k, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(k[i].wi, want[i]);
	assert_int_equal(sortkey_cmp(&k[0], &k[1]), -1);
	assert_int_equal(sortkey_cmp(&k[1], &k[0]), 1);
	assert_int_equal(sortkey_cmp(&k[2], &k[2]), 0);
	sortkey_sort(k, 0);
	sortkey_sort(k, 1);
	assert_int_equal(k[0].wi, 5);
}

/* n random keys with dues in [base, base + span), against qsort(). */
static void
check_random(size_t n, int64_t base, int64_t span, int maxprio,
    uint32_t nclients)
{
	struct sortkey *a = calloc(n, sizeof(*a)), *b = calloc(n, sizeof(*b));

	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		/* Few distinct dues, so ties on (due, prio, client) occur. */
		a[i].due = base + (int64_t)rnd(64) * (span / 64);
		a[i].prio = (int)rnd((unsigned)maxprio + 1);
		a[i].ci = rnd(nclients);
		a[i].key = names[rnd(7)];
		a[i].wi = i;
	}
	memcpy(b, a, n * sizeof(*a));
	sortkey_sort(a, n);
	qsort(b, n, sizeof(*b), sortkey_cmp);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sortkey_cmp(&a[i], &b[i]), 0);
		if (i > 0)
			assert_true(sortkey_cmp(&a[i - 1], &a[i]) <= 0);
	}
	free(a);
	free(b);
}

/* What fits 64 bits: the radix sort. */
static void
test_radix_matches_qsort(void **state)
{
	(void)state;
	check_random(50000, 1800000000, 365 * 86400LL, 100, 1000);
	check_random(3000, -86400, 86400, 1000, 1u << 19);
	check_random(20000, 0, 86400, 3, 5);	/* many ties: by key */
}

/* What does not: priorities over 1000, far dues, many clients. */
static void
test_fallback_matches_qsort(void **state)
{
	(void)state;
	check_random(5000, 0, 86400, 5000, 100);
	check_random(5000, 0, 1LL << 40, 10, 100);
	check_random(5000, 0, 86400, 10, 1u << 22);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_order),
		cmocka_unit_test(test_radix_matches_qsort),
		cmocka_unit_test(test_fallback_matches_qsort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
