/*
 * test_pqueue.c - the min-heap the planner keeps its movable messages in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pqueue.h"

static uint64_t rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
test_order_is_k1_k2_id(void **state)
{
	struct pqueue *q = pqueue_new();
	static const struct pqueue_entry in[] = {
		{ 5, 1, 7 }, { 2, 9, 3 }, { 5, 0, 9 }, { 2, 9, 1 }, { 9, 0, 0 },
	};
	static const uint32_t want[] = { 1, 3, 9, 7, 0 };

	(void)state;
	assert_null(pqueue_peek(q));
	assert_int_equal(pqueue_len(q), 0);
	for (size_t i = 0; i < 5; i++)
		pqueue_push(q, in[i]);
	assert_int_equal(pqueue_len(q), 5);
	assert_int_equal(pqueue_peek(q)->id, 1);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(pqueue_pop(q).id, want[i]);
	assert_int_equal(pqueue_len(q), 0);
	assert_null(pqueue_peek(q));
	pqueue_free(q);
	pqueue_free(NULL);
}

static void
test_cmp_agrees_with_less(void **state)
{
	struct pqueue_entry a = { 1, 2, 3 }, b = { 1, 2, 4 }, c = { 0, 9, 9 };

	(void)state;
	assert_true(pqueue_less(&a, &b));
	assert_false(pqueue_less(&b, &a));
	assert_false(pqueue_less(&a, &a));
	assert_int_equal(pqueue_cmp(&a, &b), -1);
	assert_int_equal(pqueue_cmp(&b, &a), 1);
	assert_int_equal(pqueue_cmp(&a, &a), 0);
	assert_int_equal(pqueue_cmp(&c, &a), -1);
}

/* Every entry in, then out: the order qsort() gives. */
static void
test_drain_matches_qsort(void **state)
{
	enum { N = 20000 };
	struct pqueue_entry *all = calloc(N, sizeof(*all));
	struct pqueue *q = pqueue_new();

	(void)state;
	assert_non_null(all);
	for (uint32_t i = 0; i < N; i++) {
		all[i] = (struct pqueue_entry){ rnd(50), rnd(4), i };
		pqueue_push(q, all[i]);
	}
	qsort(all, N, sizeof(*all), pqueue_cmp);
	for (size_t i = 0; i < N; i++) {
		struct pqueue_entry e = pqueue_pop(q);

		assert_int_equal(e.id, all[i].id);
		assert_int_equal(e.k1, all[i].k1);
		assert_int_equal(e.k2, all[i].k2);
	}
	assert_int_equal(pqueue_len(q), 0);
	pqueue_free(q);
	free(all);
}

/* Pushes and pops interleaved, and a clear in between, against a plain
 * array searched for its least entry. */
static void
test_interleaved_against_model(void **state)
{
	enum { OPS = 6000 };
	struct pqueue_entry *model = calloc(OPS, sizeof(*model));
	struct pqueue *q = pqueue_new();
	size_t n = 0;
	uint32_t id = 0;

	(void)state;
	assert_non_null(model);
	for (int op = 0; op < OPS; op++) {
		if (op == OPS / 2) {
			pqueue_clear(q);
			n = 0;
		}
		if (n == 0 || rnd(10) < 6) {
			model[n] = (struct pqueue_entry){ rnd(30), rnd(3),
			    id++ };
			pqueue_push(q, model[n++]);
		} else {
			size_t m = 0;
			struct pqueue_entry e;

			for (size_t i = 1; i < n; i++)
				if (pqueue_less(&model[i], &model[m]))
					m = i;
			assert_int_equal(pqueue_peek(q)->id, model[m].id);
			e = pqueue_pop(q);
			assert_int_equal(e.id, model[m].id);
			model[m] = model[--n];
		}
		assert_int_equal(pqueue_len(q), n);
	}
	pqueue_free(q);
	free(model);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_is_k1_k2_id),
		cmocka_unit_test(test_cmp_agrees_with_less),
		cmocka_unit_test(test_drain_matches_qsort),
		cmocka_unit_test(test_interleaved_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
