/*
 * history.c - what has happened so far, in plain memory.
 *
 * Two open-addressing hash tables keep lookups O(1) for books of 100,000
 * clients: one from client id to its struct history_client, one from
 * (client, occurrence) to the record's position.  Clients are allocated
 * one by one so a pointer handed out stays valid while others are added;
 * a client's record array grows, so record pointers are valid until the
 * next record is added to that client.  The strings live in one arena:
 * an occasion's name and a template's file are stored once however many
 * records name them, and the whole history is freed at once.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "history.h"
#include "valid.h"
#include "xalloc.h"

struct rec_slot {
	uint64_t	 hash;
	const char	*occ;		/* the record's own string */
	uint32_t	 client;	/* index + 1; 0 = empty */
	uint32_t	 rec;
};

/* The public part first, so a struct history_client * handed out can be
 * turned back into its wrapper. */
struct hclient {
	struct history_client pub;
	uint64_t	 idhash;	/* FNV-1a of the id, unmixed */
	uint32_t	 index;
};

struct history {
	struct history_client **clients;
	size_t		  nclients, capclients;
	uint32_t	 *ctab;		/* client index + 1; 0 = empty */
	size_t		  ctabsize;	/* power of two */
	size_t		 *caps;		/* record capacity per client */
	struct rec_slot	 *rtab;
	size_t		  rtabsize, nrecs;
	struct arena	 *strs;		/* ids, occurrences; the rest
					   interned */
	struct optaddr	 *optaddrs;	/* sorted by address, one each */
	size_t		  noptaddrs, capoptaddrs;
};

/* An address that objected (lower case, in strs), and when. */
struct optaddr {
	const char	*address;
	int64_t		 at;
};

static uint64_t
history_hash(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

#define FNV_BASIS 14695981039346656037ULL

/* FNV-1a mixes only upwards: similar ids ("client-0000123") differ in the
 * low bits of few characters.  A finalizer (MurmurHash3's fmix64) spreads
 * every bit before the table index is taken from the low ones. */
static uint64_t
history_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* idhash is FNV-1a of the client id; the extra multiplication stands for
 * a separator, so "a"+"b/c" and "a/b"+"c" differ. */
static uint64_t
history_rec_hash(uint64_t idhash, const char *occurrence)
{
	return history_mix(history_hash(occurrence, idhash * 1099511628211ULL));
}

static uint64_t
history_idhash(const struct history *h, size_t ci)
{
	return ((const struct hclient *)h->clients[ci])->idhash;
}

struct history *
history_new(void)
{
	struct history *h = xcalloc(1, sizeof(*h));

	h->ctabsize = 64;
	h->ctab = xcalloc(h->ctabsize, sizeof(*h->ctab));
	h->rtabsize = 64;
	h->rtab = xcalloc(h->rtabsize, sizeof(*h->rtab));
	h->strs = arena_new();
	return h;
}

void
history_free(struct history *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nclients; i++) {
		struct history_client *hc = h->clients[i];

		free(hc->records);
		for (size_t j = 0; j < hc->nbounces; j++)
			free(hc->bounces[j].address);
		free(hc->bounces);
		free(hc);
	}
	arena_free(h->strs);
	free(h->optaddrs);
	free(h->clients);
	free(h->caps);
	free(h->ctab);
	free(h->rtab);
	free(h);
}

static size_t
history_client_index(const struct history *h, const char *id, bool *found)
{
	size_t mask = h->ctabsize - 1;
	size_t i = history_mix(history_hash(id, FNV_BASIS)) & mask;

	for (; h->ctab[i] != 0; i = (i + 1) & mask) {
		if (strcmp(h->clients[h->ctab[i] - 1]->id, id) == 0) {
			*found = true;
			return i;
		}
	}
	*found = false;
	return i;
}

static void
history_grow_clients(struct history *h)
{
	size_t size = h->ctabsize * 2, mask = size - 1;
	uint32_t *tab = xcalloc(size, sizeof(*tab));

	for (size_t c = 0; c < h->nclients; c++) {
		size_t i = history_mix(history_hash(h->clients[c]->id,
		    FNV_BASIS)) & mask;

		while (tab[i] != 0)
			i = (i + 1) & mask;
		tab[i] = (uint32_t)(c + 1);
	}
	free(h->ctab);
	h->ctab = tab;
	h->ctabsize = size;
}

static struct history_client *
history_get(struct history *h, const char *id, size_t *index)
{
	struct hclient *hx;
	struct history_client *hc;
	bool found;
	size_t slot;

	slot = history_client_index(h, id, &found);
	if (found) {
		*index = h->ctab[slot] - 1;
		return h->clients[*index];
	}
	if (h->nclients == h->capclients) {
		h->capclients = h->capclients ? h->capclients * 2 : 64;
		h->clients = xreallocarray(h->clients, h->capclients,
		    sizeof(*h->clients));
		h->caps = xreallocarray(h->caps, h->capclients,
		    sizeof(*h->caps));
	}
	hx = xcalloc(1, sizeof(*hx));
	hx->idhash = history_hash(id, FNV_BASIS);
	hx->index = (uint32_t)h->nclients;
	hc = &hx->pub;
	hc->id = arena_strdup(h->strs, id);
	hc->first_seen = HISTORY_NONE;
	hc->last_touch = HISTORY_NONE;
	hc->optout = HISTORY_NONE;
	hc->last_mail = HISTORY_NONE;
	*index = h->nclients;
	h->caps[h->nclients] = 0;
	h->clients[h->nclients++] = hc;
	h->ctab[slot] = (uint32_t)h->nclients;
	if (h->nclients * 2 > h->ctabsize)
		history_grow_clients(h);
	return hc;
}

void
history_set_first_seen(struct history *h, const char *client, int64_t when)
{
	size_t i;

	history_get(h, client, &i)->first_seen = when;
}

void
history_add_touch(struct history *h, const char *client, int64_t when)
{
	struct history_client *hc;
	size_t i;

	hc = history_get(h, client, &i);
	if (hc->last_touch == HISTORY_NONE || when > hc->last_touch)
		hc->last_touch = when;
}

void
history_set_optout(struct history *h, const char *client, int64_t when)
{
	size_t i;

	history_get(h, client, &i)->optout = when;
}

/* ASCII lower case of address into buf (size n); false when too long. */
static bool
history_address_key(const char *address, char *buf, size_t n)
{
	size_t i;

	for (i = 0; address[i] != '\0'; i++) {
		if (i + 1 >= n)
			return false;
		buf[i] = (char)tolower((unsigned char)address[i]);
	}
	buf[i] = '\0';
	return true;
}

/* The slot of key in the sorted optaddrs, or where it would go. */
static size_t
history_optaddr_slot(const struct history *h, const char *key, bool *found)
{
	size_t lo = 0, hi = h->noptaddrs;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(h->optaddrs[mid].address, key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
history_add_address_optout(struct history *h, const char *address,
    int64_t when)
{
	char key[HISTORY_ADDRESS_MAX + 1];
	size_t i;
	bool found;

	if (!history_address_key(address, key, sizeof(key)))
		return;
	i = history_optaddr_slot(h, key, &found);
	if (found) {
		if (when < h->optaddrs[i].at)
			h->optaddrs[i].at = when;
		return;
	}
	if (h->noptaddrs == h->capoptaddrs) {
		h->capoptaddrs = h->capoptaddrs ? h->capoptaddrs * 2 : 16;
		h->optaddrs = xreallocarray(h->optaddrs, h->capoptaddrs,
		    sizeof(*h->optaddrs));
	}
	memmove(&h->optaddrs[i + 1], &h->optaddrs[i],
	    (h->noptaddrs - i) * sizeof(*h->optaddrs));
	h->optaddrs[i].address = arena_strdup(h->strs, key);
	h->optaddrs[i].at = when;
	h->noptaddrs++;
}

int64_t
history_optout(const struct history *h, const struct history_client *hc,
    const char *address)
{
	int64_t t = hc != NULL ? hc->optout : HISTORY_NONE;
	char key[HISTORY_ADDRESS_MAX + 1];
	size_t i;
	bool found;

	if (h == NULL || address == NULL || h->noptaddrs == 0 ||
	    !history_address_key(address, key, sizeof(key)))
		return t;
	i = history_optaddr_slot(h, key, &found);
	if (found && (t == HISTORY_NONE || h->optaddrs[i].at < t))
		t = h->optaddrs[i].at;
	return t;
}

void
history_add_mail_contact(struct history *h, const char *client, int64_t when)
{
	struct history_client *hc;
	size_t i;

	hc = history_get(h, client, &i);
	if (hc->last_mail == HISTORY_NONE || when > hc->last_mail)
		hc->last_mail = when;
}

void
history_add_bounce(struct history *h, const char *client,
    const char *address, int64_t when)
{
	struct history_client *hc;
	size_t i;

	if (address == NULL)
		return;
	hc = history_get(h, client, &i);
	for (size_t j = 0; j < hc->nbounces; j++)
		if (strcmp(hc->bounces[j].address, address) == 0) {
			if (when > hc->bounces[j].at)
				hc->bounces[j].at = when;
			return;
		}
	hc->bounces = xreallocarray(hc->bounces, hc->nbounces + 1,
	    sizeof(*hc->bounces));
	hc->bounces[hc->nbounces].address = xstrdup(address);
	hc->bounces[hc->nbounces].at = when;
	hc->nbounces++;
}

int64_t
history_bounced(const struct history_client *hc, const char *address)
{
	int64_t t = HISTORY_NONE;

	for (size_t j = 0; hc != NULL && j < hc->nbounces; j++)
		if (valid_address_same(hc->bounces[j].address, address) &&
		    (t == HISTORY_NONE || hc->bounces[j].at > t))
			t = hc->bounces[j].at;
	return t;
}

/* The slot of (client index ci, occurrence) or the empty slot where it
 * would go. */
static size_t
history_rec_slot(const struct history *h, size_t ci, const char *occurrence,
    uint64_t hash)
{
	size_t mask = h->rtabsize - 1, i = hash & mask;

	for (; h->rtab[i].client != 0; i = (i + 1) & mask) {
		const struct rec_slot *s = &h->rtab[i];

		if (s->hash == hash && s->client == ci + 1 &&
		    strcmp(s->occ, occurrence) == 0)
			return i;
	}
	return i;
}

static void
history_grow_recs(struct history *h)
{
	size_t size = h->rtabsize * 2, mask = size - 1;
	struct rec_slot *tab = xcalloc(size, sizeof(*tab));

	for (size_t j = 0; j < h->rtabsize; j++) {
		size_t i;

		if (h->rtab[j].client == 0)
			continue;
		i = h->rtab[j].hash & mask;
		while (tab[i].client != 0)
			i = (i + 1) & mask;
		tab[i] = h->rtab[j];
	}
	free(h->rtab);
	h->rtab = tab;
	h->rtabsize = size;
}

/* After records of client ci moved inside its array, points their slots
 * at their new positions.  Only when the ledger hands records out of due
 * order, which it does not. */
static void
history_reindex(struct history *h, size_t ci)
{
	struct history_client *hc = h->clients[ci];

	for (size_t j = 0; j < hc->nrecords; j++) {
		const char *occ = hc->records[j].occurrence;

		h->rtab[history_rec_slot(h, ci, occ,
		    history_rec_hash(history_idhash(h, ci), occ))].rec =
		    (uint32_t)j;
	}
}

/* Moves record at index from to its place in due order. */
static void
history_resort(struct history *h, size_t ci, size_t from)
{
	struct history_client *hc = h->clients[ci];
	struct history_record r = hc->records[from];
	size_t to = from;

	while (to > 0 && hc->records[to - 1].due > r.due)
		to--;
	if (to == from)
		while (to + 1 < hc->nrecords &&
		    hc->records[to + 1].due <= r.due)
			to++;
	if (to == from)
		return;
	if (to < from)
		memmove(&hc->records[to + 1], &hc->records[to],
		    (from - to) * sizeof(r));
	else
		memmove(&hc->records[from], &hc->records[from + 1],
		    (to - from) * sizeof(r));
	hc->records[to] = r;
	history_reindex(h, ci);
}

/* Adds r to hc, the client at index ci. */
static void
history_add_at(struct history *h, struct history_client *hc, size_t ci,
    const struct history_record *r)
{
	struct history_record *nr;
	struct rec_slot *s;
	uint64_t hash;
	size_t slot;

	hash = history_rec_hash(history_idhash(h, ci), r->occurrence);
	slot = history_rec_slot(h, ci, r->occurrence, hash);
	if (h->rtab[slot].client != 0) {
		/* The send log holds one row per occurrence; a second add
		 * replaces the first rather than shadowing it. */
		nr = &hc->records[h->rtab[slot].rec];
	} else {
		if (hc->nrecords == h->caps[ci]) {
			h->caps[ci] = h->caps[ci] ? h->caps[ci] * 2 : 4;
			hc->records = xreallocarray(hc->records, h->caps[ci],
			    sizeof(*hc->records));
		}
		nr = &hc->records[hc->nrecords];
		nr->occurrence = arena_strdup(h->strs, r->occurrence);
		s = &h->rtab[slot];
		s->hash = hash;
		s->occ = nr->occurrence;
		s->client = (uint32_t)(ci + 1);
		s->rec = (uint32_t)hc->nrecords++;
		if (++h->nrecs * 2 > h->rtabsize)
			history_grow_recs(h);
	}
	nr->occasion = arena_intern(h->strs, r->occasion ? r->occasion : "");
	nr->status = r->status;
	nr->due = r->due;
	nr->sent = r->sent;
	nr->template_file = r->template_file ?
	    arena_intern(h->strs, r->template_file) : NULL;
	history_resort(h, ci, (size_t)(nr - hc->records));
}

void
history_add_record(struct history *h, const char *client,
    const struct history_record *r)
{
	struct history_client *hc;
	size_t ci;

	hc = history_get(h, client, &ci);
	history_add_at(h, hc, ci, r);
}

void
history_client_add_record(struct history *h, const struct history_client *hc,
    const struct history_record *r)
{
	size_t ci = ((const struct hclient *)hc)->index;

	history_add_at(h, h->clients[ci], ci, r);
}

const struct history_client *
history_client(const struct history *h, const char *client)
{
	bool found;
	size_t slot;

	if (h == NULL)
		return NULL;
	slot = history_client_index(h, client, &found);
	return found ? h->clients[h->ctab[slot] - 1] : NULL;
}

const struct history_record *
history_client_find(const struct history *h, const struct history_client *hc,
    const char *occurrence)
{
	const struct hclient *hx = (const struct hclient *)hc;
	size_t slot;

	if (h == NULL || hc == NULL)
		return NULL;
	slot = history_rec_slot(h, hx->index, occurrence,
	    history_rec_hash(hx->idhash, occurrence));
	if (h->rtab[slot].client == 0)
		return NULL;
	return &hc->records[h->rtab[slot].rec];
}

static const char *const history_status_names[] = {
	[ST_QUEUED] = "queued",
	[ST_SENT] = "sent",
	[ST_DEFERRED] = "deferred",
	[ST_FAILED] = "failed",
	[ST_SKIPPED] = "skipped",
	[ST_MISSED] = "missed",
	[ST_BOUNCED] = "bounced",
};

const char *
history_status_name(enum msg_status st)
{
	if ((unsigned)st >= sizeof(history_status_names) /
	    sizeof(history_status_names[0]))
		return "unknown";
	return history_status_names[st];
}

int
history_parse_status(const char *s, enum msg_status *out)
{
	for (size_t i = 0; i < sizeof(history_status_names) /
	    sizeof(history_status_names[0]); i++) {
		if (strcmp(s, history_status_names[i]) == 0) {
			*out = (enum msg_status)i;
			return 0;
		}
	}
	return -1;
}
