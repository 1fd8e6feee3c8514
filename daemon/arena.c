/*
 * arena.c - one allocation arena: many small objects freed together.
 *
 * Chunks of ARENA_CHUNK bytes come from malloc (below its mmap threshold,
 * so they reuse freed heap); an object larger than a quarter of that gets
 * a chunk of its own.  The intern table is open addressing on FNV-1a.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"
#include "xalloc.h"

#define ARENA_CHUNK	(64 * 1024)
#define ARENA_ALIGN	alignof(max_align_t)

struct arena_chunk {
	struct arena_chunk *next;
	size_t		 used;
	size_t		 size;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;	/* the one being filled */
	size_t		 bytes;
	char		**interned;	/* NULL or a string */
	size_t		 ninterned;
	size_t		 cap;		/* a power of two, or 0 */
};

struct arena *
arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *ch, *next;

	if (a == NULL)
		return;
	for (ch = a->head; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(a->interned);
	free(a);
}

static struct arena_chunk *
arena_chunk_new(struct arena *a, size_t size)
{
	struct arena_chunk *ch = xmalloc(sizeof(*ch) + size);

	ch->used = 0;
	ch->size = size;
	a->bytes += sizeof(*ch) + size;
	return ch;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	struct arena_chunk *ch = a->head;
	size_t len, at;

	if (size != 0 && n > (SIZE_MAX - ARENA_CHUNK) / size)
		fatalx("arena: %zu x %zu overflows", n, size);
	len = n * size != 0 ? n * size : 1;
	if (len > ARENA_CHUNK / 4) {
		/* Its own chunk, behind the one being filled. */
		ch = arena_chunk_new(a, len);
		ch->used = len;
		if (a->head == NULL) {
			ch->next = NULL;
			a->head = ch;
		} else {
			ch->next = a->head->next;
			a->head->next = ch;
		}
		memset(ch->data, 0, len);
		return ch->data;
	}
	at = ch != NULL ? (ch->used + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1) : 0;
	if (ch == NULL || at + len > ch->size) {
		ch = arena_chunk_new(a, ARENA_CHUNK);
		ch->next = a->head;
		a->head = ch;
		at = 0;
	}
	ch->used = at + len;
	memset(ch->data + at, 0, len);
	return ch->data + at;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s) + 1;
	struct arena_chunk *ch = a->head;
	char *p;

	/* Strings need no alignment: packed behind each other. */
	if (ch != NULL && len <= ARENA_CHUNK / 4 && ch->used + len <= ch->size) {
		p = (char *)ch->data + ch->used;
		ch->used += len;
	} else {
		p = arena_calloc(a, len, 1);
	}
	memcpy(p, s, len);
	return p;
}

static size_t
arena_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

static void
arena_grow_interned(struct arena *a)
{
	size_t cap = a->cap ? a->cap * 2 : 64;
	char **t = xcalloc(cap, sizeof(*t));

	for (size_t i = 0; i < a->cap; i++) {
		size_t j;

		if (a->interned[i] == NULL)
			continue;
		for (j = arena_hash(a->interned[i]) & (cap - 1); t[j] != NULL;
		    j = (j + 1) & (cap - 1))
			;
		t[j] = a->interned[i];
	}
	a->bytes += (cap - a->cap) * sizeof(*t);
	free(a->interned);
	a->interned = t;
	a->cap = cap;
}

char *
arena_intern(struct arena *a, const char *s)
{
	size_t j;

	if (2 * (a->ninterned + 1) > a->cap)
		arena_grow_interned(a);
	for (j = arena_hash(s) & (a->cap - 1); a->interned[j] != NULL;
	    j = (j + 1) & (a->cap - 1))
		if (strcmp(a->interned[j], s) == 0)
			return a->interned[j];
	a->ninterned++;
	return a->interned[j] = arena_strdup(a, s);
}

size_t
arena_size(const struct arena *a)
{
	return a->bytes;
}
