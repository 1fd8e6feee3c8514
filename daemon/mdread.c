/*
 * mdread.c - listing and reading a Maildir, read-only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mdread.h"
#include "xalloc.h"

static int
mdread_cmp(const void *a, const void *b)
{
	const struct mdread_entry *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
mdread_dir(const char *folder, const char *sub, struct mdread_entry **out,
    size_t *n, char **err)
{
	char *dir = xasprintf("%s/%s", folder, sub);
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		*err = xasprintf("cannot read Maildir folder %s: %s", dir,
		    strerror(errno));
		free(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *path;
		const char *colon;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		colon = strchr(de->d_name, ':');
		(*out)[*n].name = colon != NULL ? xstrndup(de->d_name,
		    (size_t)(colon - de->d_name)) : xstrdup(de->d_name);
		(*out)[*n].path = path;
		(*out)[*n].mtime = (int64_t)st.st_mtime;
		(*n)++;
	}
	closedir(d);
	free(dir);
	return 0;
}

int
mdread_list(const char *folder, struct mdread_entry **out, size_t *n,
    char **err)
{
	*out = NULL;
	*n = 0;
	if (mdread_dir(folder, "new", out, n, err) == -1 ||
	    mdread_dir(folder, "cur", out, n, err) == -1) {
		mdread_entries_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), mdread_cmp);
	return 0;
}

void
mdread_entries_free(struct mdread_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].path);
	}
	free(e);
}

int
mdread_read(const char *path, struct buf *b)
{
	char chunk[8192];
	ssize_t r;
	int fd;

	buf_reset(b);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK))
	    == -1)
		return -1;
	while (b->len < MDREAD_MAX_READ) {
		size_t want = MDREAD_MAX_READ - b->len;

		if (want > sizeof(chunk))
			want = sizeof(chunk);
		r = read(fd, chunk, want);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		buf_add(b, chunk, (size_t)r);
	}
	close(fd);
	return 0;
}

char *
mdread_sent_folder(const char *root)
{
	static const char *const names[] = { ".Sent", "Sent", NULL };

	for (size_t i = 0; names[i] != NULL; i++) {
		char *cur = xasprintf("%s/%s/cur", root, names[i]);
		struct stat st;
		bool ok = stat(cur, &st) == 0 && S_ISDIR(st.st_mode);

		free(cur);
		if (ok)
			return xasprintf("%s/%s", root, names[i]);
	}
	return NULL;
}
