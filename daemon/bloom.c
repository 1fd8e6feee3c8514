/*
 * bloom.c - a 256-bit Bloom filter over strings, one FNV-1a hash.
 */
#include <string.h>

#include "bloom.h"

static unsigned
bloom_bit(const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return (unsigned)(h ^ h >> 32) & 255;
}

void
bloom_add(struct bloom *b, const char *key)
{
	unsigned bit = bloom_bit(key);

	b->bits[bit / 64] |= 1ULL << (bit % 64);
}

bool
bloom_maybe(const struct bloom *b, const char *key)
{
	unsigned bit = bloom_bit(key);

	return (b->bits[bit / 64] & (1ULL << (bit % 64))) != 0;
}
