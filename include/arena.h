/*
 * arena.h - one allocation arena: many small objects freed together.
 *
 * A book keeps its clients' strings and small arrays here instead of in
 * one malloc chunk each.  Strings that repeat across clients (languages,
 * time zones, first names, field keys) are stored once by arena_intern.
 * Nothing is freed on its own; arena_free releases everything.  Out of
 * memory is fatal, as with xmalloc.
 */
#ifndef TOUCHBASE_ARENA_H
#define TOUCHBASE_ARENA_H

#include <stddef.h>

struct arena;

struct arena	*arena_new(void);
/* Frees the arena and everything allocated from it; NULL is fine. */
void		 arena_free(struct arena *a);
/* n zeroed objects of size bytes, aligned for any type. */
void		*arena_calloc(struct arena *a, size_t n, size_t size);
char		*arena_strdup(struct arena *a, const char *s);
/* The arena's one copy of s, shared by every caller: never written to. */
char		*arena_intern(struct arena *a, const char *s);
/* Bytes the arena holds from malloc (chunks and the intern table). */
size_t		 arena_size(const struct arena *a);

#endif
