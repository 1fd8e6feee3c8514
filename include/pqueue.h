/*
 * pqueue.h - a binary min-heap of small fixed-size entries.
 *
 * An entry is ordered by (k1, k2, id), all unsigned: a caller packs what
 * it sorts by into the two keys and refers to its own record by id.
 * Equal entries cannot occur when ids are unique, so the order in which
 * entries come out is fully determined.
 */
#ifndef TOUCHBASE_PQUEUE_H
#define TOUCHBASE_PQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pqueue_entry {
	uint64_t	 k1, k2;
	uint32_t	 id;
};

struct pqueue;

/* The entry order, and the same as a qsort() comparison. */
bool	 pqueue_less(const struct pqueue_entry *a,
	    const struct pqueue_entry *b);
int	 pqueue_cmp(const void *a, const void *b);

struct pqueue *pqueue_new(void);
void	 pqueue_free(struct pqueue *q);		/* NULL: nothing */
size_t	 pqueue_len(const struct pqueue *q);
void	 pqueue_clear(struct pqueue *q);	/* keeps its memory */
void	 pqueue_push(struct pqueue *q, struct pqueue_entry e);
/* The least entry; NULL when empty.  Valid until the next change. */
const struct pqueue_entry *pqueue_peek(const struct pqueue *q);
/* Removes and returns the least entry; q must not be empty. */
struct pqueue_entry pqueue_pop(struct pqueue *q);

#endif
