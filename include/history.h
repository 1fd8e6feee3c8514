/*
 * history.h - what has happened so far, as the planner and the variant
 * choice need it.
 *
 * A struct history is plain memory: the ledger fills one from the send
 * log (ledger_load_history), tests and `preview` without a database build
 * one by hand.  Lookups are by client id (hashed: books of 100,000
 * clients).  Strings are copied in; a struct history_client * lives as
 * long as the history, a record pointer (and hc->records) until the next
 * record is added to that client.
 */
#ifndef TOUCHBASE_HISTORY_H
#define TOUCHBASE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HISTORY_NONE INT64_MIN

enum msg_status {
	ST_QUEUED,
	ST_SENT,
	ST_DEFERRED,
	ST_FAILED,
	ST_SKIPPED,
	ST_MISSED,
	ST_BOUNCED
};

/* One occurrence known to the send log. */
struct history_record {
	char		*occurrence;	/* key, e.g. "birthday/2027" */
	char		*occasion;	/* occasion name */
	enum msg_status	 status;
	int64_t		 due;		/* the planned instant, UTC */
	int64_t		 sent;		/* accepted by the server, or NONE */
	char		*template_file;	/* e.g. "birthday.de.2.txt", or NULL */
};

/* An address of the client that bounced, and when it was reported. */
struct history_bounce {
	char		*address;
	int64_t		 at;
};

struct history_client {
	char		*id;
	int64_t		 first_seen;	/* instant, or HISTORY_NONE */
	int64_t		 last_touch;	/* latest `touchbase touch`, or NONE */
	int64_t		 optout;	/* objection recorded at, or NONE */
	struct history_record *records;	/* sorted by due */
	size_t		 nrecords;
	/* What the mailbox said (after the rest: tests build clients with
	 * positional initializers). */
	int64_t		 last_mail;	/* latest contact seen in the mailbox,
					   or NONE */
	struct history_bounce *bounces;	/* addresses that bounced */
	size_t		 nbounces;
};

struct history;

struct history	*history_new(void);
void		 history_free(struct history *h);
/* Adding to an unknown client creates it (first_seen NONE). */
void		 history_set_first_seen(struct history *h, const char *client,
		    int64_t when);
void		 history_add_touch(struct history *h, const char *client,
		    int64_t when);
void		 history_set_optout(struct history *h, const char *client,
		    int64_t when);
/* An objection made for address (compared without regard to case): it
 * holds for every client with that address.  The earliest is kept. */
#define HISTORY_ADDRESS_MAX	320
void		 history_add_address_optout(struct history *h,
		    const char *address, int64_t when);
/* When hc's client (may be NULL), or its address (may be NULL), opted
 * out: the earlier of the two, or HISTORY_NONE. */
int64_t		 history_optout(const struct history *h,
		    const struct history_client *hc, const char *address);
/* A contact seen in the mailbox: the latest one is kept. */
void		 history_add_mail_contact(struct history *h,
		    const char *client, int64_t when);
/* address bounced at when (the latest report per address is kept). */
void		 history_add_bounce(struct history *h, const char *client,
		    const char *address, int64_t when);
/* When address (compared by valid_address_same) bounced for hc, or
 * HISTORY_NONE; hc may be NULL. */
int64_t		 history_bounced(const struct history_client *hc,
		    const char *address);
void		 history_add_record(struct history *h, const char *client,
		    const struct history_record *r);
/* history_add_record() to hc, a client of h (from history_client()),
 * without looking its id up again. */
void		 history_client_add_record(struct history *h,
		    const struct history_client *hc,
		    const struct history_record *r);
/* NULL when the history knows nothing of the client. */
const struct history_client *history_client(const struct history *h,
		    const char *client);
/* The record for (hc, occurrence), or NULL; hc from history_client() on
 * h, or NULL. */
const struct history_record *history_client_find(const struct history *h,
		    const struct history_client *hc, const char *occurrence);
const char	*history_status_name(enum msg_status st);
int		 history_parse_status(const char *s, enum msg_status *out);

#endif
