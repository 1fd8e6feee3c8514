/*
 * daybudget.c - per-day message counts and the next day with room.
 *
 * next[i] == i: day first + i has room; otherwise it points at a later
 * day that had room when last looked at (path compression keeps the
 * chains short, as in a union-find).
 */
#include <stdlib.h>

#include "daybudget.h"
#include "xalloc.h"

struct daybudget {
	int64_t		 first;
	size_t		 n;
	int		 limit;
	int		*count;		/* every message */
	int		*base;		/* the second count */
	uint32_t	*next;		/* after daybudget_restart() */
};

struct daybudget *
daybudget_new(int64_t first, int64_t last)
{
	struct daybudget *b = xcalloc(1, sizeof(*b));

	b->first = first;
	b->n = (size_t)(last - first + 1);
	b->count = xcalloc(b->n, sizeof(*b->count));
	b->base = xcalloc(b->n, sizeof(*b->base));
	return b;
}

void
daybudget_free(struct daybudget *b)
{
	if (b == NULL)
		return;
	free(b->count);
	free(b->base);
	free(b->next);
	free(b);
}

/* The counter index of day, or -1 outside. */
static int64_t
daybudget_index(const struct daybudget *b, int64_t day)
{
	int64_t i = day - b->first;

	return i < 0 || (uint64_t)i >= b->n ? -1 : i;
}

void
daybudget_count(struct daybudget *b, int64_t day, bool base)
{
	int64_t i = daybudget_index(b, day);

	if (i < 0)
		return;
	b->count[i]++;
	if (base)
		b->base[i]++;
}

bool
daybudget_over(const struct daybudget *b, int limit)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->count[i] > limit)
			return true;
	return false;
}

void
daybudget_restart(struct daybudget *b, int limit)
{
	b->limit = limit;
	if (b->next == NULL)
		b->next = xcalloc(b->n, sizeof(*b->next));
	for (size_t i = 0; i < b->n; i++)
		b->next[i] = (uint32_t)(b->base[i] >= limit ? i + 1 : i);
}

int64_t
daybudget_room(struct daybudget *b, int64_t day)
{
	int64_t i = daybudget_index(b, day);
	size_t r, k;

	if (i < 0 || b->next == NULL)
		return day;
	for (r = (size_t)i; r < b->n && b->next[r] != r; r = b->next[r])
		;
	for (k = (size_t)i; k < b->n && b->next[k] != k;) {
		size_t nx = b->next[k];

		b->next[k] = (uint32_t)r;
		k = nx;
	}
	return b->first + (int64_t)r;
}

void
daybudget_take(struct daybudget *b, int64_t day)
{
	int64_t i = daybudget_index(b, day);

	if (i < 0 || b->next == NULL)
		return;
	if (++b->base[i] >= b->limit)
		b->next[i] = (uint32_t)i + 1;
}
