/*
 * test_backup.c - the daemon's daily backup: one file a UTC day, taken
 * once, the 14 newest kept, other files in the folder left alone.
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
#include <unistd.h>
#include <cmocka.h>

#include "backup.h"
#include "ledger.h"
#include "xalloc.h"

#define DAY	86400LL
#define T0	1803801600LL	/* 2027-02-28 00:00 UTC */

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_backup.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

/* The names in dir/backup, sorted, joined by spaces. */
static char *
listing(void)
{
	char *p = xasprintf("%s/backup", dir), *names[64], *out;
	size_t n = 0, len = 0;
	struct dirent *de;
	DIR *dp = opendir(p);

	assert_non_null(dp);
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.' && n < 64)
			names[n++] = xstrdup(de->d_name);
	closedir(dp);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];

				names[i] = names[j];
				names[j] = t;
			}
	out = xcalloc(1, 64 * 32);
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, 64 * 32 - len, "%s%s",
		    i ? " " : "", names[i]);
		free(names[i]);
	}
	free(p);
	return out;
}

static void
test_daily_once_and_pruned(void **state)
{
	char *db = xasprintf("%s/touchbase.db", dir), *err = NULL, *got;
	char *other = xasprintf("%s/backup/notes.txt", dir);
	struct ledger *l = NULL;
	struct stat sb;
	FILE *fp;

	(void)state;
	assert_int_equal(ledger_open(db, LEDGER_READWRITE, &l, &err), 0);
	assert_int_equal(backup_daily(l, db, T0 + 3600, &err), 0);
	got = listing();
	assert_string_equal(got, "touchbase-2027-02-28.db");
	free(got);
	/* The folder is private like the database. */
	got = xasprintf("%s/backup", dir);
	assert_int_equal(stat(got, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(got);
	/* A second wake-up the same day writes nothing new. */
	assert_int_equal(backup_daily(l, db, T0 + 7200, &err), 0);
	got = listing();
	assert_string_equal(got, "touchbase-2027-02-28.db");
	free(got);

	fp = fopen(other, "w");
	assert_non_null(fp);
	fclose(fp);
	for (int64_t d = 1; d <= 15; d++)
		assert_int_equal(backup_daily(l, db, T0 + d * DAY + 60, &err),
		    0);
	/* 16 days taken, the 14 newest kept; the owner's file stays. */
	got = listing();
	assert_string_equal(got, "notes.txt "
	    "touchbase-2027-03-02.db touchbase-2027-03-03.db "
	    "touchbase-2027-03-04.db touchbase-2027-03-05.db "
	    "touchbase-2027-03-06.db touchbase-2027-03-07.db "
	    "touchbase-2027-03-08.db touchbase-2027-03-09.db "
	    "touchbase-2027-03-10.db touchbase-2027-03-11.db "
	    "touchbase-2027-03-12.db touchbase-2027-03-13.db "
	    "touchbase-2027-03-14.db touchbase-2027-03-15.db");
	free(got);
	ledger_close(l);
	free(other);
	free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_daily_once_and_pruned,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
