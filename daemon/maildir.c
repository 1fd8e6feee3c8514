/*
 * maildir.c - the Maildir backend: tmp/, fsync, rename into new/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "reply.h"
#include "log.h"
#include "maildir.h"
#include "xalloc.h"

static unsigned maildir_count;

/* Whether errno says the folder itself is unusable (fix the
 * configuration) rather than a passing trouble (disk full, I/O). */
static enum deliver_result
maildir_errno_result(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
	case EROFS:
	case ENOTDIR:
	case ELOOP:
	case ENAMETOOLONG:
		return DELIVER_CONFIG;
	default:
		return DELIVER_TEMPFAIL;
	}
}

static int
maildir_mkdir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int
maildir_create(const char *path, char **err)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char *p = NULL, *slash;
	size_t i;
	int rc = -1, e = 0;

	*err = NULL;
	if (*path == '\0') {
		*err = xstrdup("the Maildir path is empty");
		return -1;
	}
	p = xstrdup(path);
	/* Parents first, as mkdir -p. */
	for (slash = strchr(p + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (maildir_mkdir(p) == -1) {
			e = errno;
			*err = xasprintf("cannot create folder %s: %s", p,
			    strerror(e));
			goto out;
		}
		*slash = '/';
	}
	if (maildir_mkdir(p) == -1) {
		e = errno;
		*err = xasprintf("cannot create Maildir %s: %s", p,
		    strerror(e));
		goto out;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		char *d = xasprintf("%s/%s", path, sub[i]);

		if (maildir_mkdir(d) == -1) {
			e = errno;
			*err = xasprintf("cannot create Maildir folder %s: %s",
			    d, strerror(e));
			free(d);
			goto out;
		}
		free(d);
	}
	rc = 0;
out:
	free(p);
	errno = e;
	return rc;
}

/* "SECONDS.MusecPpidRrandomQcount.HOST", host with '/' and ':' escaped as
 * maildir(5) asks. */
static char *
maildir_name(void)
{
	char host[256];
	struct timeval tv;
	struct buf b;
	uint32_t rnd = 0;
	const char *h;

	gettimeofday(&tv, NULL);
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)tv.tv_usec ^ (uint32_t)getpid() << 8;
	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	buf_init(&b);
	buf_addf(&b, "%lld.M%06ldP%ldR%08xQ%u.", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), (unsigned)rnd,
	    ++maildir_count);
	for (h = host; *h != '\0'; h++) {
		if (*h == '/')
			buf_adds(&b, "\\057");
		else if (*h == ':')
			buf_adds(&b, "\\072");
		else
			buf_addc(&b, *h);
	}
	return buf_detach(&b, NULL);
}

static int
maildir_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes msg with CRLF turned into LF, in one write. */
static int
maildir_write_lf(int fd, const char *msg, size_t len)
{
	char *lf = xmalloc(len > 0 ? len : 1);
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < len; i++)
		if (msg[i] != '\r' || i + 1 == len || msg[i + 1] != '\n')
			lf[n++] = msg[i];
	rc = maildir_write_all(fd, lf, n);
	free(lf);
	return rc;
}

static int
maildir_fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The name a keyed message has in new/ (and, before ":2,", in cur/):
 * a fixed prefix keeps a key that starts with '.' from making a hidden
 * file, which readers would ignore. */
static char *
maildir_key_name(const char *key)
{
	return xasprintf("touchbase-%s", key);
}

/*
 * Where a message named name already is: PATH/new/NAME, or in cur/ as
 * NAME (no info) or NAME:INFO.  new/ first: a reader moves new/ to cur/,
 * never back, so this order cannot miss a message moved meanwhile.
 * Returns the path (allocated) or NULL.  (Why cur/ is read: maildir.h.)
 */
static char *
maildir_find(const char *path, const char *name)
{
	struct stat st;
	struct dirent *e;
	char *p, *found = NULL;
	size_t n = strlen(name);
	DIR *d;

	p = xasprintf("%s/new/%s", path, name);
	if (lstat(p, &st) == 0)
		return p;
	free(p);
	p = xasprintf("%s/cur", path);
	if ((d = opendir(p)) == NULL) {
		free(p);
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, name, n) == 0 &&
		    (e->d_name[n] == '\0' || e->d_name[n] == ':')) {
			found = xasprintf("%s/%s", p, e->d_name);
			break;
		}
	}
	closedir(d);
	free(p);
	return found;
}

enum deliver_result
maildir_deliver(const char *path, const char *key, const char *msg,
    size_t len, struct deliver_reply *reply)
{
	enum deliver_result r = DELIVER_TEMPFAIL;
	char *name = NULL, *tmp = NULL, *new = NULL, *newdir = NULL;
	char *err = NULL, *tname, *there;
	const char *step;
	int fd = -1, e;

	reply->code = 0;
	reply->text = NULL;
	if (maildir_create(path, &err) == -1) {
		r = maildir_errno_result(errno);
		reply->text = err;
		return r;
	}
	tname = maildir_name();
	name = key != NULL ? maildir_key_name(key) : xstrdup(tname);
	if (key != NULL && (there = maildir_find(path, name)) != NULL) {
		reply->text = xasprintf("already in %s", there);
		free(there);
		free(tname);
		r = DELIVER_OK;
		goto out;
	}
	tmp = xasprintf("%s/tmp/%s", path, tname);
	free(tname);
	new = xasprintf("%s/new/%s", path, name);
	newdir = xasprintf("%s/new", path);
	step = "create";
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		goto fail;
	step = "write";
	if (maildir_write_lf(fd, msg, len) == -1)
		goto fail;
	step = "fsync";
	if (fsync(fd) == -1)
		goto fail;
	step = "close";
	e = close(fd);
	fd = -1;
	if (e == -1)
		goto fail;
	step = "move into new/";
	if (rename(tmp, new) == -1)
		goto fail;
	/* The message is in place now: a failed fsync of the folder only
	 * makes it less durable, and a retry would write it twice. */
	if (maildir_fsync_dir(newdir) == -1)
		log_warn("cannot fsync %s", newdir);
	reply->text = xasprintf("written to %s", new);
	r = DELIVER_OK;
	goto out;
fail:
	e = errno;
	r = maildir_errno_result(e);
	reply->text = xasprintf("cannot %s %s: %s", step, tmp, strerror(e));
	if (fd != -1)
		close(fd);
	unlink(tmp);
out:
	free(name);
	free(tmp);
	free(new);
	free(newdir);
	return r;
}
