/*
 * daybudget.h - messages per day against a daily limit, with a skip list
 * to the next day that has room.
 *
 * Days are plain day numbers (timeutil's days since 1970-01-01) in
 * [first, last]; days outside are not counted and always have room.
 * First everything is counted (daybudget_count); daybudget_over() says
 * whether some day went over the limit.  Then daybudget_restart() starts
 * a second count from the base messages only (those that always go), and
 * daybudget_room()/daybudget_take() hand out what room is left, day by
 * day, in amortised constant time.
 */
#ifndef TOUCHBASE_DAYBUDGET_H
#define TOUCHBASE_DAYBUDGET_H

#include <stdbool.h>
#include <stdint.h>

struct daybudget;

/* Counters for the days first..last (first <= last). */
struct daybudget *daybudget_new(int64_t first, int64_t last);
void	 daybudget_free(struct daybudget *b);	/* NULL: nothing */
/* Counts one message on day; base ones also into the second count. */
void	 daybudget_count(struct daybudget *b, int64_t day, bool base);
/* Whether some day has more than limit messages. */
bool	 daybudget_over(const struct daybudget *b, int limit);
/* Starts handing out room: a day is full at limit base messages. */
void	 daybudget_restart(struct daybudget *b, int limit);
/* The first day at or after day with room: day itself when it has room
 * or lies outside [first, last]; last + 1 when no later day has room. */
int64_t	 daybudget_room(struct daybudget *b, int64_t day);
/* Takes one place on day (nothing outside [first, last]). */
void	 daybudget_take(struct daybudget *b, int64_t day);

#endif
