/*
 * planner.h - who gets what, when.  Pure: no clock, no I/O.
 *
 * planner_plan() computes, for the time range [from, until), every
 * occurrence of every occasion of every client that is not yet in the
 * history, applies the SPEC's policies in their order (paused and
 * opt-outs, send window in the client's zone, weekdays and holidays for
 * movable kinds, min_gap, same-day collisions, daily_limit, catch-up and
 * first-seen) and returns the result in send order.  `from` is "now":
 * occurrences whose moment passed before it are caught up or reported
 * missed.  The same function serves `preview` and the daemon.
 *
 * planner_next_moment() is the calendar rule the planner places by, for
 * the outbox's retries: one rule for both.
 */
#ifndef TOUCHBASE_PLANNER_H
#define TOUCHBASE_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "history.h"
#include "owner.h"
#include "settings.h"

enum plan_action {
	PLAN_SEND,		/* deliver at due */
	PLAN_SKIP,		/* log `skipped` with note as the reason */
	PLAN_MISSED		/* log `missed` with note as the reason */
};

/* The owner's say over a message (owner.h). */
enum plan_say {
	PLAN_SAY_NONE,		/* approval not required, nothing held */
	PLAN_SAY_APPROVED,	/* approval required and given */
	PLAN_SAY_AWAITING,	/* approval required, not given yet: not
				   to be sent; skipped at approve_by */
	PLAN_SAY_HELD		/* held by the owner: PLAN_SKIP */
};

struct plan_item {
	enum plan_action action;
	int64_t		 due;		/* UTC instant */
	int		 utc_offset;	/* client's offset at due, seconds */
	int64_t		 nominal;	/* the unmoved moment (window start on
					   the occurrence's own day), UTC */
	const struct client *client;
	const struct occasion *occasion;
	char		*occurrence;	/* stable key */
	char		*template;	/* base name from the occasion */
	bool		 late;		/* caught up after its day: prefer
					   "<template>-belated" */
	const char	*project;	/* after_project: the project's name */
	bool		 has_years;	/* yearly by field / birthday with
					   a known year */
	int		 years;		/* {{years}}: full years */
	int		 age;		/* {{age}}: birthday only */
	char		*note;		/* why it moved or was skipped; "" */
	enum plan_say	 say;
	int64_t		 approve_by;	/* PLAN_SAY_AWAITING: the moment it
					   is skipped "not approved" */
};

struct plan {
	struct plan_item *items;
	size_t		  n;
};

struct planner_opts {
	int64_t		 from;		/* now */
	int64_t		 until;		/* exclusive */
	const char	*only_client;	/* NULL: all */
	int64_t		 carried_until;	/* how far the plan has been carried
					   out (the daemon's last pass): every
					   occurrence since is caught up or
					   missed; 0: unknown */
	struct owner	*say;		/* approvals and holds; NULL: none */
};

/* The state key under which the daemon keeps carried_until. */
#define PLANNER_STATE_CARRIED	"plan_carried_until"

/* Fills *out (free with plan_free).  Returns 0; -1 only on an internal
 * inconsistency, with *err allocated. */
int	 planner_plan(const struct settings *s, const struct book *b,
	    const struct history *h, const struct planner_opts *o,
	    struct plan *out, char **err);
/* Exactly planner_plan()'s items due before near, at the cost of a plan
 * to a little beyond near: the daemon's pass needs the next days, not
 * the year.  (While a message waits for approval, the whole plan.) */
int	 planner_plan_near(const struct settings *s, const struct book *b,
	    const struct history *h, const struct planner_opts *o,
	    int64_t near, struct plan *out, char **err);
void	 plan_free(struct plan *p);
/* Drops the last item of a non-empty plan (a view keeps a prefix). */
void	 plan_item_drop_last(struct plan *p);

/* The first moment at or after t at which a message may go to client c
 * in zone z: inside the send window, and for a movable kind (movable)
 * on a day in weekdays that is not a public holiday. */
int64_t	 planner_next_moment(const struct settings *s,
	    const struct client *c, const struct tz *z, bool movable,
	    int64_t t);
/* Whether occasions of kind k may move (after_project, casual). */
bool	 planner_kind_movable(enum occasion_kind k);

#endif
