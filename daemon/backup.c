/*
 * backup.c - the daemon's daily copy of the send log.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

#define BACKUP_PREFIX	"touchbase-"
#define BACKUP_SUFFIX	".db"
/* "touchbase-YYYY-MM-DD.db" */
#define BACKUP_NAME_LEN	(sizeof(BACKUP_PREFIX) - 1 + 10 + \
	sizeof(BACKUP_SUFFIX) - 1)

char *
backup_dir(const char *database)
{
	char *d = xstrdup(database), *r;

	r = xasprintf("%s/%s", dirname(d), BACKUP_DIR);
	free(d);
	return r;
}

static bool
backup_name(const char *n)
{
	size_t pl = sizeof(BACKUP_PREFIX) - 1;

	if (strlen(n) != BACKUP_NAME_LEN || strncmp(n, BACKUP_PREFIX, pl) != 0)
		return false;
	for (size_t i = 0; i < 10; i++) {
		char c = n[pl + i];

		if (i == 4 || i == 7 ? c != '-' : (c < '0' || c > '9'))
			return false;
	}
	return strcmp(n + pl + 10, BACKUP_SUFFIX) == 0;
}

static int
backup_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes all but the BACKUP_KEEP newest backups in dir. */
static void
backup_prune(const char *dir)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (!backup_name(de->d_name))
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), backup_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i + BACKUP_KEEP < n) {
			char *p = xasprintf("%s/%s", dir, names[i]);

			if (unlink(p) == -1)
				log_warn("cannot remove the old backup %s", p);
			free(p);
		}
		free(names[i]);
	}
	free(names);
}

int
backup_daily(struct ledger *l, const char *database, int64_t now,
    char **err)
{
	char day[11], *dir, *path = NULL;
	struct stat sb;
	int64_t rows;
	int rc = -1;

	timeutil_format_date(now / DAY_SECONDS - (now % DAY_SECONDS < 0),
	    day);
	dir = backup_dir(database);
	path = xasprintf("%s/" BACKUP_PREFIX "%s" BACKUP_SUFFIX, dir, day);
	if (stat(path, &sb) == 0) {
		rc = 0;
		goto out;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (ledger_backup(l, path, &rows, err) == -1)
		goto out;
	log_info("backup of the send log written to %s (%lld messages)", path,
	    (long long)rows);
	backup_prune(dir);
	rc = 0;
out:
	free(path);
	free(dir);
	return rc;
}
