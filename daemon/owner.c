/*
 * owner.c - approvals and holds as plain memory, and their short ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "owner.h"
#include "xalloc.h"

void
owner_init(struct owner *o)
{
	memset(o, 0, sizeof(*o));
	o->sorted = true;
}

void
owner_free(struct owner *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].client);
		free(o->v[i].occurrence);
		free(o->v[i].note);
	}
	free(o->v);
	owner_init(o);
}

static int
owner_cmp(const void *a, const void *b)
{
	const struct owner_say *x = a, *y = b;
	int c = strcmp(x->client, y->client);

	return c != 0 ? c : strcmp(x->occurrence, y->occurrence);
}

static struct owner_say *
owner_search(struct owner *o, const char *client, const char *occurrence)
{
	struct owner_say key;

	if (o->n == 0)
		return NULL;
	if (!o->sorted) {
		qsort(o->v, o->n, sizeof(*o->v), owner_cmp);
		o->sorted = true;
	}
	key.client = (char *)client;
	key.occurrence = (char *)occurrence;
	return bsearch(&key, o->v, o->n, sizeof(*o->v), owner_cmp);
}

struct owner_say *
owner_get(struct owner *o, const char *client, const char *occurrence)
{
	struct owner_say *s = owner_search(o, client, occurrence);

	if (s != NULL)
		return s;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 16;
		o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
	}
	s = &o->v[o->n++];
	memset(s, 0, sizeof(*s));
	s->client = xstrdup(client);
	s->occurrence = xstrdup(occurrence);
	s->approved = s->held = s->waiting = HISTORY_NONE;
	o->sorted = o->n == 1;
	return s;
}

const struct owner_say *
owner_find(struct owner *o, const char *client, const char *occurrence)
{
	return o != NULL ? owner_search(o, client, occurrence) : NULL;
}

void
owner_id(const char *client, const char *occurrence, char out[static 9])
{
	uint32_t h = 2166136261u;

	for (const char *s = client; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *s = occurrence; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(out, 9, "%08x", h);
}
