/*
 * bloom.h - a 256-bit Bloom filter over strings, one hash.
 *
 * Answers "certainly not in the set" cheaply, so the planner asks the
 * send log's table only about keys a client may have.  A zeroed struct
 * bloom is an empty set; it owns no memory.
 */
#ifndef TOUCHBASE_BLOOM_H
#define TOUCHBASE_BLOOM_H

#include <stdbool.h>
#include <stdint.h>

struct bloom {
	uint64_t	 bits[4];
};

void	 bloom_add(struct bloom *b, const char *key);
/* False: key was never added.  True: it may have been. */
bool	 bloom_maybe(const struct bloom *b, const char *key);

#endif
