/*
 * test_tz.c - time zones from the system's tz database.
 *
 * Instants are written as the UTC date and time they stand for.  Only
 * this test sets TZ, to compare with glibc's localtime_r().
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "timeutil.h"
#include "tz.h"

#define H	3600

static struct tzdb *db;

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	return timeutil_days_from_civil(y, mo, d) * DAY_SECONDS + h * H +
	    mi * 60;
}

static int64_t
local(const char *zone, int y, int mo, int d, int h, int mi)
{
	const struct tz *z = tzdb_get(db, zone, NULL);

	assert_non_null(z);
	return tz_local_to_utc(z, timeutil_days_from_civil(y, mo, d),
	    h * H + mi * 60);
}

static int
offset(const char *zone, int64_t t, const char **abbr)
{
	const struct tz *z = tzdb_get(db, zone, NULL);

	assert_non_null(z);
	return tz_offset_at(z, t, abbr);
}

static int
setup(void **state)
{
	(void)state;
	unsetenv("TZDIR");
	db = tzdb_new();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tzdb_free(db);
	return 0;
}

static void
test_berlin_spring_forward_2027_03_28(void **state)
{
	const char *abbr;

	(void)state;
	/* 09:00 CEST = 07:00Z */
	assert_int_equal(local("Europe/Berlin", 2027, 3, 28, 9, 0),
	    utc(2027, 3, 28, 7, 0));
	/* 02:30 does not exist; the clocks jump at 01:00Z */
	assert_int_equal(local("Europe/Berlin", 2027, 3, 28, 2, 30),
	    utc(2027, 3, 28, 1, 0));
	assert_int_equal(local("Europe/Berlin", 2027, 3, 28, 2, 0),
	    utc(2027, 3, 28, 1, 0));
	assert_int_equal(local("Europe/Berlin", 2027, 3, 28, 1, 59),
	    utc(2027, 3, 28, 0, 59));
	assert_int_equal(local("Europe/Berlin", 2027, 3, 28, 3, 0),
	    utc(2027, 3, 28, 1, 0));
	assert_int_equal(offset("Europe/Berlin", utc(2027, 3, 28, 0, 59) + 59,
	    &abbr), H);
	assert_string_equal(abbr, "CET");
	assert_int_equal(offset("Europe/Berlin", utc(2027, 3, 28, 1, 0),
	    &abbr), 2 * H);
	assert_string_equal(abbr, "CEST");
}

static void
test_berlin_fall_back_2027_10_31(void **state)
{
	const struct tz *z = tzdb_get(db, "Europe/Berlin", NULL);
	int64_t days;
	int sec;

	(void)state;
	/* 02:30 happens twice; the earlier is 00:30Z (CEST) */
	assert_int_equal(local("Europe/Berlin", 2027, 10, 31, 2, 30),
	    utc(2027, 10, 31, 0, 30));
	assert_int_equal(local("Europe/Berlin", 2027, 10, 31, 3, 0),
	    utc(2027, 10, 31, 2, 0));
	assert_int_equal(local("Europe/Berlin", 2027, 10, 31, 1, 59),
	    utc(2027, 10, 30, 23, 59));
	/* 01:30Z is the second 02:30 */
	tz_utc_to_local(z, utc(2027, 10, 31, 1, 30), &days, &sec);
	assert_int_equal(days, timeutil_days_from_civil(2027, 10, 31));
	assert_int_equal(sec, 2 * H + 30 * 60);
}

static void
test_new_york_2027_03_20_before_europe(void **state)
{
	const char *abbr;

	(void)state;
	/* The US is on EDT from 2027-03-14, Europe on CET until 03-28. */
	assert_int_equal(local("America/New_York", 2027, 3, 20, 9, 0),
	    utc(2027, 3, 20, 13, 0));
	assert_int_equal(local("Europe/Berlin", 2027, 3, 20, 9, 0),
	    utc(2027, 3, 20, 8, 0));
	assert_int_equal(offset("America/New_York", utc(2027, 3, 20, 13, 0),
	    &abbr), -4 * H);
	assert_string_equal(abbr, "EDT");
	/* 2027-03-14 02:30 does not exist in New York: 07:00Z */
	assert_int_equal(local("America/New_York", 2027, 3, 14, 2, 30),
	    utc(2027, 3, 14, 7, 0));
	/* 2027-11-07 01:30 twice: the earlier is 05:30Z (EDT) */
	assert_int_equal(local("America/New_York", 2027, 11, 7, 1, 30),
	    utc(2027, 11, 7, 5, 30));
}

static void
test_footer_rule_after_2037(void **state)
{
	const char *abbr;

	(void)state;
	/* 2040-07-01: CEST from the footer rule */
	assert_int_equal(offset("Europe/Berlin", utc(2040, 7, 1, 12, 0),
	    &abbr), 2 * H);
	assert_string_equal(abbr, "CEST");
	assert_int_equal(offset("Europe/Berlin", utc(2040, 1, 1, 12, 0),
	    &abbr), H);
	assert_string_equal(abbr, "CET");
	/* 2040-03-25 is the last Sunday of March 2040 */
	assert_int_equal(local("Europe/Berlin", 2040, 3, 25, 2, 30),
	    utc(2040, 3, 25, 1, 0));
	assert_int_equal(local("Europe/Berlin", 2040, 10, 28, 2, 30),
	    utc(2040, 10, 28, 0, 30));
	/* 2300-07-01, beyond the cached years */
	assert_int_equal(offset("Europe/Berlin", utc(2300, 7, 1, 0, 0), NULL),
	    2 * H);
	/* 2099-11-01 in New York: EST after the first Sunday of November */
	assert_int_equal(offset("America/New_York", utc(2099, 11, 1, 12, 0),
	    NULL), -5 * H);
}

static void
test_lord_howe_and_kolkata(void **state)
{
	const char *abbr;

	(void)state;
	/* Lord Howe: +10:30, and +11 in summer (DST of 30 minutes) */
	assert_int_equal(offset("Australia/Lord_Howe", utc(2027, 7, 1, 0, 0),
	    NULL), 10 * H + 1800);
	assert_int_equal(offset("Australia/Lord_Howe", utc(2027, 1, 15, 0, 0),
	    NULL), 11 * H);
	/* 2027-10-03 02:15 does not exist: the jump is 02:00 +10:30 */
	assert_int_equal(local("Australia/Lord_Howe", 2027, 10, 3, 2, 15),
	    utc(2027, 10, 2, 15, 30));
	/* 2027-04-04 01:45 twice: the earlier is 14:45Z (+11) */
	assert_int_equal(local("Australia/Lord_Howe", 2027, 4, 4, 1, 45),
	    utc(2027, 4, 3, 14, 45));
	/* 2045-01-01: still DST, from the footer */
	assert_int_equal(offset("Australia/Lord_Howe", utc(2045, 1, 1, 0, 0),
	    NULL), 11 * H);
	/* Kolkata: +05:30 all year */
	assert_int_equal(offset("Asia/Kolkata", utc(2027, 3, 28, 1, 0),
	    &abbr), 5 * H + 1800);
	assert_string_equal(abbr, "IST");
	assert_int_equal(local("Asia/Kolkata", 2027, 3, 28, 9, 0),
	    utc(2027, 3, 28, 3, 30));
	assert_int_equal(offset("UTC", utc(2027, 3, 28, 1, 0), &abbr), 0);
	assert_string_equal(abbr, "UTC");
}

static void
test_unknown_and_bad_names(void **state)
{
	char *err = NULL;

	(void)state;
	assert_null(tzdb_get(db, "Mars/Olympus", &err));
	assert_string_equal(err, "unknown time zone 'Mars/Olympus' (no file "
	    "/usr/share/zoneinfo/Mars/Olympus); use an IANA name such as "
	    "Europe/Berlin");
	free(err);
	assert_null(tzdb_get(db, "../../etc/passwd", &err));
	assert_string_equal(err, "'../../etc/passwd' is not a time zone name: "
	    "use an IANA name such as Europe/Berlin or America/New_York");
	free(err);
	assert_null(tzdb_get(db, "/etc/localtime", NULL));
	assert_null(tzdb_get(db, "", NULL));
	assert_null(tzdb_get(db, "Europe/Berlin ", NULL));
	assert_null(tzdb_get(db, "zone.tab", NULL));
	assert_null(tzdb_get(db, "Europe", &err));
	assert_non_null(err);
	free(err);
	/* Names are case-sensitive, like the files. */
	assert_null(tzdb_get(db, "europe/berlin", NULL));
}

static void
test_cache_many_lookups(void **state)
{
	static const char *const names[] = {
		"Europe/Berlin", "Europe/Vienna", "Europe/Zurich",
		"America/New_York", "Asia/Kolkata", "Australia/Sydney",
		"Europe/London", "Asia/Tokyo", "America/Los_Angeles", "UTC",
	};
	const struct tz *first[10], *z;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		first[i] = tzdb_get(db, names[i], NULL);
		assert_non_null(first[i]);
		for (int j = 0; j < i; j++)	/* each name its own zone */
			assert_ptr_not_equal(first[j], first[i]);
	}
	for (i = 0; i < 100000; i++) {
		z = tzdb_get(db, names[i % 10], NULL);
		assert_ptr_equal(z, first[i % 10]);
	}
}

/* A TZif file with no transitions, one type and the footer rule: what a
 * "slim" file looks like after its last transition. */
static size_t
make_tzif(unsigned char *out, size_t cap, int32_t off, const char *footer)
{
	unsigned char block[44 + 10];
	size_t n = 0, flen = strlen(footer);
	int i;

	memset(block, 0, sizeof(block));
	memcpy(block, "TZif2", 5);
	block[39] = 1;				/* typecnt */
	block[43] = 4;				/* charcnt */
	for (i = 0; i < 4; i++)
		block[44 + i] = (unsigned char)((uint32_t)off >> (24 - 8 * i));
	memcpy(block + 50, "XXX", 4);
	assert_true(2 * sizeof(block) + flen + 2 <= cap);
	memcpy(out, block, sizeof(block));
	memcpy(out + sizeof(block), block, sizeof(block));
	n = 2 * sizeof(block);
	out[n++] = '\n';
	memcpy(out + n, footer, flen);
	n += flen;
	out[n++] = '\n';
	return n;
}

static void
compare_with_glibc(const struct tz *z, const char *tzenv, int64_t from,
    int64_t to, int64_t step)
{
	struct tm tm;
	time_t tt;
	const char *abbr;
	int64_t t, days;
	int off, sec;

	setenv("TZ", tzenv, 1);
	tzset();
	for (t = from; t < to; t += step) {
		tt = (time_t)t;
		assert_non_null(localtime_r(&tt, &tm));
		off = tz_offset_at(z, t, &abbr);
		if (off != tm.tm_gmtoff || strcmp(abbr, tm.tm_zone) != 0)
			fail_msg("%s at %lld: %d %s, glibc %ld %s", tzenv,
			    (long long)t, off, abbr, tm.tm_gmtoff, tm.tm_zone);
		/* Every local time read back maps to the same local time. */
		tz_utc_to_local(z, t, &days, &sec);
		tz_utc_to_local(z, tz_local_to_utc(z, days, sec), &days, &sec);
		assert_int_equal(days * DAY_SECONDS + sec, t + off);
	}
	unsetenv("TZ");
	tzset();
}

static void
test_posix_footer_rules_like_glibc(void **state)
{
	static const char *const rules[] = {
		"CET-1CEST,M3.5.0,M10.5.0/3",
		"EST5EDT,M3.2.0,M11.1.0",
		"<+0330>-3:30",
		"IST-5:30",
		"AEST-10AEDT,M10.1.0,M4.1.0/3",
		"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
		"XST3XDT,J60/1:30,J300/0",
		"YST-2YDT,59/4,299",
		"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
		"IST-1GMT0,M10.5.0,M3.5.0/1",
		"<+13>-13<+14>,M9.5.0/3,M4.1.0/4",
	};
	unsigned char buf[512];
	struct tz *z;
	size_t i, n;
	char tzenv[64];

	(void)state;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		n = make_tzif(buf, sizeof(buf), 0, rules[i]);
		assert_int_equal(tz_parse_tzif(buf, n, &z), 0);
		snprintf(tzenv, sizeof(tzenv), "%s", rules[i]);
		/* 1970 to 2050, every 3 days and 1 hour and 1 minute */
		compare_with_glibc(z, tzenv, utc(1970, 1, 1, 0, 0),
		    utc(2050, 1, 1, 0, 0), 3 * DAY_SECONDS + H + 60);
		tz_free(z);
	}
	/* Permanent DST, as RFC 8536 writes it: EDT all year.  (glibc
	 * gives EST for the first hours of each year, so not compared.) */
	n = make_tzif(buf, sizeof(buf), 0, "EST5EDT,0/0,J365/25");
	assert_int_equal(tz_parse_tzif(buf, n, &z), 0);
	assert_int_equal(tz_offset_at(z, utc(2027, 1, 1, 0, 0), NULL), -4 * H);
	assert_int_equal(tz_offset_at(z, utc(2027, 1, 1, 4, 59), NULL), -4 * H);
	assert_int_equal(tz_offset_at(z, utc(2027, 1, 1, 5, 0), NULL), -4 * H);
	assert_int_equal(tz_offset_at(z, utc(2027, 7, 1, 0, 0), NULL), -4 * H);
	assert_int_equal(tz_offset_at(z, utc(2027, 12, 31, 23, 0), NULL),
	    -4 * H);
	tz_free(z);
	n = make_tzif(buf, sizeof(buf), 0, "CET-1CEST,M3.5.0,M13.5.0/3");
	assert_int_equal(tz_parse_tzif(buf, n, &z), -1);
	n = make_tzif(buf, sizeof(buf), 0, "CE-1");
	assert_int_equal(tz_parse_tzif(buf, n, &z), -1);
	assert_int_equal(tz_parse_tzif((const unsigned char *)"TZif", 4, &z),
	    -1);
	tz_free(NULL);
}

static void
test_zones_like_glibc_1970_to_2050(void **state)
{
	static const char *const zones[] = {
		"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
		"Asia/Kolkata", "America/Sao_Paulo", "Pacific/Auckland",
		"Europe/Dublin", "Africa/Casablanca", "America/Santiago",
		"Asia/Tehran", "Pacific/Chatham", "America/St_Johns",
		"Pacific/Apia", "Europe/Moscow",
	};
	char tzenv[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		const struct tz *z = tzdb_get(db, zones[i], NULL);

		assert_non_null(z);
		snprintf(tzenv, sizeof(tzenv), ":%s", zones[i]);
		compare_with_glibc(z, tzenv, utc(1970, 1, 1, 0, 0),
		    utc(2050, 1, 1, 0, 0), DAY_SECONDS + 17 * 60 + 13);
		/* Hourly where the file's list ends and its rule begins. */
		compare_with_glibc(z, tzenv, utc(2036, 1, 1, 0, 0),
		    utc(2039, 1, 1, 0, 0), H);
	}
}

/* Every zone file the system has must load. */
static int
load_all(const char *root, const char *rel)
{
	char path[2048], name[1024];
	struct dirent *de;
	struct stat st;
	const struct tz *z;
	char *err;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strchr(de->d_name, '.') != NULL ||
		    strcmp(de->d_name, "right") == 0 ||
		    strcmp(de->d_name, "posix") == 0)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "",
		    de->d_name);
		snprintf(path, sizeof(path), "%s/%s", root, name);
		if (stat(path, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += load_all(root, name);
			continue;
		}
		if (strcmp(de->d_name, "leapseconds") == 0 ||
		    strcmp(de->d_name, "leap-seconds") == 0 ||
		    strcmp(de->d_name, "SECURITY") == 0)
			continue;
		err = NULL;
		z = tzdb_get(db, name, &err);
		if (z == NULL)
			fail_msg("%s: %s", name, err);
		n++;
	}
	closedir(d);
	return n;
}

static void
test_every_system_zone_loads(void **state)
{
	(void)state;
	assert_true(load_all("/usr/share/zoneinfo", "") > 300);
}

static void
test_tzdir_overrides(void **state)
{
	char dir[] = "/tmp/test_tz.XXXXXX", path[256];
	unsigned char buf[512];
	struct tzdb *own;
	const struct tz *z;
	char *err = NULL;
	size_t n;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Test", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/Test/Slim", dir);
	n = make_tzif(buf, sizeof(buf), H, "CET-1CEST,M3.5.0,M10.5.0/3");
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	snprintf(path, sizeof(path), "%s/Test/Text", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("not a zone\n", f);
	fclose(f);

	setenv("TZDIR", dir, 1);
	own = tzdb_new();
	unsetenv("TZDIR");
	/* 2027-03-28 in a zone made of the rule alone */
	assert_non_null(z = tzdb_get(own, "Test/Slim", NULL));
	assert_int_equal(tz_local_to_utc(z, timeutil_days_from_civil(2027, 3,
	    28), 2 * H + 1800), utc(2027, 3, 28, 1, 0));
	assert_null(tzdb_get(own, "Europe/Berlin", NULL));
	assert_null(tzdb_get(own, "Test/Text", &err));
	snprintf(path, sizeof(path), "time zone 'Test/Text': %s/Test/Text is "
	    "not a valid TZif file", dir);
	assert_string_equal(err, path);
	free(err);
	tzdb_free(own);

	snprintf(path, sizeof(path), "%s/Test/Slim", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/Test/Text", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/Test", dir);
	rmdir(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_berlin_spring_forward_2027_03_28),
		cmocka_unit_test(test_berlin_fall_back_2027_10_31),
		cmocka_unit_test(test_new_york_2027_03_20_before_europe),
		cmocka_unit_test(test_footer_rule_after_2037),
		cmocka_unit_test(test_lord_howe_and_kolkata),
		cmocka_unit_test(test_unknown_and_bad_names),
		cmocka_unit_test(test_cache_many_lookups),
		cmocka_unit_test(test_posix_footer_rules_like_glibc),
		cmocka_unit_test(test_zones_like_glibc_1970_to_2050),
		cmocka_unit_test(test_every_system_zone_loads),
		cmocka_unit_test(test_tzdir_overrides),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
