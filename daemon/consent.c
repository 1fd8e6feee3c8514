/*
 * consent.c - whether a client may be written to at all.
 */
#include "consent.h"
#include "history.h"
#include "timeutil.h"
#include "tz.h"
#include "xalloc.h"

int64_t
consent_local_day(const struct tz *z, int64_t t)
{
	int64_t day;
	int sec;

	tz_utc_to_local(z, t, &day, &sec);
	return day;
}

char *
consent_blocked(const struct client *c, const struct tz *z, int64_t optout,
    int64_t bounced, int64_t day, int64_t at)
{
	char d[11];
	int64_t until;

	if (optout != HISTORY_NONE && optout <= at) {
		timeutil_format_date(consent_local_day(z, optout), d);
		return xasprintf("opted out on %s", d);
	}
	if (bounced != HISTORY_NONE && bounced <= at) {
		timeutil_format_date(consent_local_day(z, bounced), d);
		return xasprintf("address bounced on %s", d);
	}
	if (c->paused)
		return xstrdup("paused");
	if (c->has_paused_until) {
		until = timeutil_days_from_civil(c->paused_until.year,
		    c->paused_until.month, c->paused_until.day);
		if (until >= day) {
			timeutil_format_date(until, d);
			return xasprintf("paused until %s", d);
		}
	}
	return NULL;
}
