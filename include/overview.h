/*
 * overview.h - what the report and the digest show, gathered from the
 * book, the history, a plan and the send log.  Pure: everything comes
 * in as plain memory; the strings of the result point into the inputs,
 * which must outlive it.
 */
#ifndef TOUCHBASE_OVERVIEW_H
#define TOUCHBASE_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "history.h"
#include "ledger.h"
#include "owner.h"
#include "planner.h"
#include "report.h"
#include "settings.h"

struct overview_in {
	const struct settings	*s;
	const struct book	*b;
	const struct history	*h;
	const struct plan	*plan;	/* from now, a year or more */
	const struct ledger_entry *log;	/* the send log (any order) */
	size_t			 nlog;
	struct owner		*say;	/* may be NULL */
	int64_t			 now;
	int64_t			 from;	/* the strip's first instant */
	int			 days;	/* its length in days */
	int64_t			 last_from; /* digest: the last period, */
	int64_t			 last_until; /* [from, until) */
};

/* Fills *r from scratch; release with report_clear(). */
void	 overview_build(const struct overview_in *in, struct report *r);

#endif
