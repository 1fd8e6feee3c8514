/*
 * report.h - how the relationships stand, as one self-contained HTML
 * page (`touchbase report`) and as the owner's digest.  Pure: the
 * caller gathers a struct report (overview.h does, from the book, the
 * plan and the send log); these functions only draw it.
 *
 * The page needs no script and no outside resource: inline CSS, charts
 * in inline SVG, A4 portrait in print.  Every text that comes from the
 * book, the templates or the log is escaped (buf_add_html).  Words are
 * German when lang starts with "de", else English.
 */
#ifndef TOUCHBASE_REPORT_H
#define TOUCHBASE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "planner.h"

/* Where a client's last contact came from. */
enum report_source {
	REPORT_SRC_NONE,	/* nothing yet: counted from first seen */
	REPORT_SRC_MESSAGE,	/* a message touchbase sent */
	REPORT_SRC_TOUCH,	/* `touchbase touch` */
	REPORT_SRC_MAIL,	/* a mail seen in the mailbox */
	REPORT_SRC_BOOK		/* last_contact in clients.conf */
};

/* Outcomes counted per week and per period. */
enum report_outcome {
	REPORT_SENT, REPORT_DEFERRED, REPORT_FAILED, REPORT_BOUNCED,
	REPORT_SKIPPED, REPORT_MISSED, REPORT_REPLIED,
	REPORT_NOUTCOMES
};

struct report_client {
	const char	*id;
	const char	*name;
	int64_t		 last_contact;	/* local day, or HISTORY_NONE */
	enum report_source source;
	int64_t		 last_message;	/* local day, or HISTORY_NONE */
	const char	*last_occasion;
	int64_t		 next_planned;	/* local day, or HISTORY_NONE */
	const char	*next_occasion;
	int		 messages_12m;	/* sent in the last 12 months */
	int		 replies;
	bool		 paused, opted_out, bounced, held;
};

/* A planned message. */
struct report_msg {
	int64_t		 day;		/* the sender's local day */
	int		 minute;	/* after midnight, sender's zone */
	const char	*client;	/* id */
	const char	*name;
	const char	*occasion;
	const char	*occurrence;
	enum plan_say	 say;
	char		 id[9];		/* owner_id() */
};

struct report_week {
	int64_t		 day;		/* its Monday */
	int		 n[REPORT_NOUTCOMES];
};

struct report {
	const char	*lang;		/* a language tag */
	const char	*sender_name;
	int64_t		 today;		/* local day of now, sender's zone */
	char		 now_text[17];	/* "2027-03-01 08:00" */
	int		 daily_limit;
	bool		 approval_required;

	/* The header. */
	size_t		 nclients, next30, awaiting, deferred, failed,
			 bounced, replies90;

	struct report_client *clients;	/* by id */
	size_t		 nclients_rows;
	size_t		*quiet;		/* indexes into clients, quietest
					   first */
	size_t		 nquiet;

	/* Planned messages from `from` on (the calendar strip and the
	 * digest's coming period), in send order. */
	int64_t		 from_day;
	int		 days;
	struct report_msg *msgs;
	size_t		 nmsgs;
	/* What awaits approval, in send order. */
	struct report_msg *waiting;
	size_t		 nwaiting;

	/* Planned per sender day, year_first .. + nyear - 1. */
	int64_t		 year_first;
	int		*per_day;
	size_t		 nyear;

	/* Outcomes per week, oldest first; and of the digest's last
	 * period. */
	struct report_week *weeks;
	size_t		 nweeks;
	int		 last[REPORT_NOUTCOMES];
};

void	 report_clear(struct report *r);
/* The whole page into out. */
void	 report_html(const struct report *r, struct buf *out);
/* The digest for period (e.g. "2027-W09"), as text and as the HTML
 * alternative: the messages of r->msgs (the coming period), what awaits
 * approval with the exact `touchbase approve` command, the last period's
 * outcomes (r->last), the five quietest clients. */
void	 report_digest_text(const struct report *r, const char *period,
	    struct buf *out);
void	 report_digest_html(const struct report *r, const char *period,
	    struct buf *out);
/* The digest's subject line. */
char	*report_digest_subject(const struct report *r, const char *period);

#endif
