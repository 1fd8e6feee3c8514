/*
 * pqueue.c - a binary min-heap of (k1, k2, id) entries.
 */
#include <stdlib.h>

#include "pqueue.h"
#include "xalloc.h"

struct pqueue {
	struct pqueue_entry *v;
	size_t		 n, cap;
};

bool
pqueue_less(const struct pqueue_entry *a, const struct pqueue_entry *b)
{
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2;
	return a->id < b->id;
}

int
pqueue_cmp(const void *a, const void *b)
{
	return pqueue_less(a, b) ? -1 : pqueue_less(b, a);
}

struct pqueue *
pqueue_new(void)
{
	return xcalloc(1, sizeof(struct pqueue));
}

void
pqueue_free(struct pqueue *q)
{
	if (q == NULL)
		return;
	free(q->v);
	free(q);
}

size_t
pqueue_len(const struct pqueue *q)
{
	return q->n;
}

void
pqueue_clear(struct pqueue *q)
{
	q->n = 0;
}

void
pqueue_push(struct pqueue *q, struct pqueue_entry e)
{
	size_t i;

	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 1024;
		q->v = xreallocarray(q->v, q->cap, sizeof(*q->v));
	}
	i = q->n++;
	while (i > 0) {
		size_t up = (i - 1) / 2;

		if (!pqueue_less(&e, &q->v[up]))
			break;
		q->v[i] = q->v[up];
		i = up;
	}
	q->v[i] = e;
}

const struct pqueue_entry *
pqueue_peek(const struct pqueue *q)
{
	return q->n > 0 ? &q->v[0] : NULL;
}

struct pqueue_entry
pqueue_pop(struct pqueue *q)
{
	struct pqueue_entry top = q->v[0], last = q->v[--q->n];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, m;

		if (l >= q->n)
			break;
		m = l + 1 < q->n && pqueue_less(&q->v[l + 1], &q->v[l]) ?
		    l + 1 : l;
		if (!pqueue_less(&q->v[m], &last))
			break;
		q->v[i] = q->v[m];
		i = m;
	}
	if (q->n > 0)
		q->v[i] = last;
	return top;
}
