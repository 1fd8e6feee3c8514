/*
 * sortkey.h - the order of a plan's items, and a fast sort into it.
 *
 * Items go out by due, priority (high first), client index, then key.
 * sortkey_sort() sorts a large array by packing the first three fields
 * into 64 bits for an LSD radix sort when they fit (dues within about
 * 500 years of each other, priorities 0..1000, under 2^20 clients) and
 * falls back to qsort() otherwise; the result is the same either way.
 */
#ifndef TOUCHBASE_SORTKEY_H
#define TOUCHBASE_SORTKEY_H

#include <stddef.h>
#include <stdint.h>

struct sortkey {
	int64_t		 due;
	int		 prio;
	uint32_t	 ci;		/* client index */
	const char	*key;		/* occurrence key, not owned */
	size_t		 wi;		/* the caller's item index */
};

/* A qsort() comparison in the order above (wi is not compared). */
int	 sortkey_cmp(const void *a, const void *b);
void	 sortkey_sort(struct sortkey *a, size_t n);

#endif
