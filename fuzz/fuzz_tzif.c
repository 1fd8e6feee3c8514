/*
 * fuzz_tzif.c - TZif files (and their POSIX TZ footers) from arbitrary
 * bytes, through tz_parse_tzif(), then queried across the years.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "timeutil.h"
#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t probes[] = {
		INT64_MIN, -5000000000000LL, -2208988800LL, -1, 0,
		1806000000LL, 2147483647LL, 2212000000LL, 32503680000LL,
		INT64_MAX,
	};
	struct tz *z;
	const char *abbr;
	int64_t days, t;
	size_t i;
	int sec, off;

	if (tz_parse_tzif(data, size, &z) == -1)
		return 0;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		off = tz_offset_at(z, probes[i], &abbr);
		if (abbr == NULL || off < -7 * 86400 || off > 7 * 86400)
			abort();
		tz_utc_to_local(z, probes[i], &days, &sec);
		t = tz_local_to_utc(z, days, sec);
		(void)t;
	}
	/* Every day of 2027 at 02:30 local, where DST gaps and folds live. */
	days = timeutil_days_from_civil(2027, 1, 1);
	for (i = 0; i < 365; i++)
		(void)tz_local_to_utc(z, days + (int64_t)i, 2 * 3600 + 1800);
	tz_free(z);
	return 0;
}
