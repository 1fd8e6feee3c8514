/*
 * sortkey.c - plan items in send order: an LSD radix sort on packed
 * (due, priority, client) keys, qsort() on the ties and as the fallback.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sortkey.h"
#include "xalloc.h"

#define SORTKEY_BITS	11
#define SORTKEY_DIGITS	(1u << SORTKEY_BITS)

struct sortkey_packed {
	uint64_t	 k;
	uint32_t	 i;
};

int
sortkey_cmp(const void *a, const void *b)
{
	const struct sortkey *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	if (x->ci != y->ci)
		return x->ci < y->ci ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Whether the keys pack into 64 bits; *lo the earliest due. */
static bool
sortkey_fits(const struct sortkey *a, size_t n, int64_t *lo)
{
	int64_t hi = INT64_MIN;

	*lo = INT64_MAX;
	if (n >= UINT32_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (a[i].due < *lo)
			*lo = a[i].due;
		if (a[i].due > hi)
			hi = a[i].due;
		if (a[i].prio < 0 || a[i].prio > 1000 || a[i].ci >= 1u << 20)
			return false;
	}
	return (uint64_t)(hi - *lo) < (1ULL << 34);
}

/* Sorts r by k, stable; returns the array holding the result (r or
 * tmp). */
static struct sortkey_packed *
sortkey_radix(struct sortkey_packed *r, struct sortkey_packed *tmp,
    size_t n)
{
	size_t cnt[SORTKEY_DIGITS];

	for (int shift = 0; shift < 64; shift += SORTKEY_BITS) {
		struct sortkey_packed *sw;
		size_t sum = 0;

		memset(cnt, 0, sizeof(cnt));
		for (size_t i = 0; i < n; i++)
			cnt[r[i].k >> shift & (SORTKEY_DIGITS - 1)]++;
		if (cnt[r[0].k >> shift & (SORTKEY_DIGITS - 1)] == n)
			continue;	/* all alike in this digit */
		for (size_t d = 0; d < SORTKEY_DIGITS; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[cnt[r[i].k >> shift & (SORTKEY_DIGITS - 1)]++] =
			    r[i];
		sw = r;
		r = tmp;
		tmp = sw;
	}
	return r;
}

void
sortkey_sort(struct sortkey *a, size_t n)
{
	struct sortkey_packed *r, *tmp, *s;
	struct sortkey *sorted;
	int64_t lo;

	if (n < 2)
		return;
	if (!sortkey_fits(a, n, &lo)) {
		qsort(a, n, sizeof(*a), sortkey_cmp);
		return;
	}
	r = xcalloc(n, sizeof(*r));
	tmp = xcalloc(n, sizeof(*tmp));
	for (size_t i = 0; i < n; i++) {
		r[i].k = (uint64_t)(a[i].due - lo) << 30 |
		    (uint64_t)(1000 - a[i].prio) << 20 | a[i].ci;
		r[i].i = (uint32_t)i;
	}
	s = sortkey_radix(r, tmp, n);
	sorted = xcalloc(n, sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = a[s[i].i];
	/* Equal packed keys: one client at one moment, ordered by key. */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && s[j].k == s[i].k; j++)
			;
		if (j - i > 1)
			qsort(sorted + i, j - i, sizeof(*sorted), sortkey_cmp);
	}
	memcpy(a, sorted, n * sizeof(*a));
	free(sorted);
	free(r);
	free(tmp);
}
