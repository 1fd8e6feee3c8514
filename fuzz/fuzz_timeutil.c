/*
 * fuzz_timeutil.c - every timeutil parser on arbitrary text.
 *
 * The input is one NUL-terminated string, handed to each parser; what
 * parses is then used (date arithmetic, formatting) so that accepted
 * values are also safe to compute with.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int rc, char *err)
{
	/* A failure always explains itself; a success never allocates. */
	if ((rc == -1) != (err != NULL))
		abort();
	free(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct civil_date d;
	struct duration dur;
	struct window w;
	char *s, *err, out[26];
	unsigned mask;
	int64_t days;
	int sec, rc;

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';

	err = NULL;
	rc = timeutil_parse_date(s, &d, &err);
	check(rc, err);
	if (rc == 0 && !timeutil_valid_date(d.year, d.month, d.day))
		abort();
	err = NULL;
	check(timeutil_parse_birthday(s, &d, &err), err);
	err = NULL;
	check(timeutil_parse_month_day(s, &d, &err), err);
	err = NULL;
	rc = timeutil_parse_datetime(s, &days, &sec, &err);
	check(rc, err);
	if (rc == 0) {
		timeutil_format_iso(days * DAY_SECONDS + sec, 3600, out);
		timeutil_format_date(days, out);
	}
	err = NULL;
	rc = timeutil_parse_duration(s, &dur, &err);
	check(rc, err);
	if (rc == 0) {
		d.year = 2024;
		d.month = 2;
		d.day = 29;
		d = timeutil_date_add(d, &dur);
		timeutil_time_add(0, &dur);
		timeutil_duration_seconds(&dur);
	}
	err = NULL;
	rc = timeutil_parse_window(s, &w, &err);
	check(rc, err);
	if (rc == 0 && !(w.start >= 0 && w.start < w.end && w.end <= 1440))
		abort();
	err = NULL;
	rc = timeutil_parse_weekdays(s, &mask, &err);
	check(rc, err);
	if (rc == 0 && (mask == 0 || mask > 0x7f))
		abort();

	free(s);
	return 0;
}
