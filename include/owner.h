/*
 * owner.h - the owner's say over planned messages: approvals and holds,
 * as plain memory.
 *
 * The ledger fills a struct owner from the database (ledger_load_owner);
 * the planner reads it through planner_opts, tests build one by hand.
 * Entries are keyed by (client, occurrence): an approval or a hold is
 * for that occurrence only, and outlives edits of the book.
 */
#ifndef TOUCHBASE_OWNER_H
#define TOUCHBASE_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The client id of the owner's own mail (the digest) in the send log:
 * no client of the book can have it (valid_id() refuses '@'). */
#define OWNER_CLIENT	"@owner"

struct owner_say {
	char		*client;
	char		*occurrence;
	int64_t		 approved;	/* instant, or HISTORY_NONE */
	int64_t		 held;		/* hold in force since, or NONE */
	char		*note;		/* the hold's note, or NULL */
	int64_t		 waiting;	/* first due while unapproved, or
					   NONE */
};

struct owner {
	struct owner_say *v;
	size_t		 n, cap;
	bool		 sorted;
};

void	 owner_init(struct owner *o);
void	 owner_free(struct owner *o);
/* The entry for (client, occurrence), created (all NONE) when missing.
 * The pointer lives until the next owner_get(). */
struct owner_say *owner_get(struct owner *o, const char *client,
	    const char *occurrence);
/* The entry, or NULL; o may be NULL.  Sorts o on first use after a
 * change, hence not const. */
const struct owner_say *owner_find(struct owner *o, const char *client,
	    const char *occurrence);
/* A short stable id of a planned message, as preview shows it and
 * `touchbase approve ID` takes it: 8 hex digits (FNV-1a of client and
 * occurrence), into out. */
void	 owner_id(const char *client, const char *occurrence,
	    char out[static 9]);

#endif
