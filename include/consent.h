/*
 * consent.h - whether a client may be written to at all: the one rule
 * behind the planner's first policy and the re-check before every
 * delivery attempt (retries included).
 */
#ifndef TOUCHBASE_CONSENT_H
#define TOUCHBASE_CONSENT_H

#include <stdint.h>

#include "book.h"

/*
 * Why client c (whose zone is z) gets nothing on its local day `day` at
 * instant at: "opted out on YYYY-MM-DD" (optout is the objection's
 * instant, HISTORY_NONE for none; it counts from that instant on),
 * "address bounced on YYYY-MM-DD" (bounced: when the client's present
 * address was reported bounced, HISTORY_NONE when it was not; it counts
 * from that instant on, and ends when the book gives another address),
 * "paused", or "paused until YYYY-MM-DD" (paused_until on or after day).
 * Returns the reason (allocated, without a "skipped: " prefix), or NULL
 * when the client may get mail.
 */
char	*consent_blocked(const struct client *c, const struct tz *z,
	    int64_t optout, int64_t bounced, int64_t day, int64_t at);
/* The local day of instant t in zone z. */
int64_t	 consent_local_day(const struct tz *z, int64_t t);

#endif
