/*
 * smtpd_helper.h - start and stop tests/smtpd.py from a cmocka test.
 *
 * Header-only (static functions) for test_smtp.c and test_deliver.c.  The
 * server listens on 127.0.0.1 on a port the kernel picks; it is stopped by
 * its PID.  The repository root is $SRC when set, else the folder this
 * file was compiled from (tests are run from the repository root).
 */
#ifndef TOUCHBASE_SMTPD_HELPER_H
#define TOUCHBASE_SMTPD_HELPER_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xalloc.h"

#define TSRV_PYTHON "/usr/bin/python3"
#define TSRV_MAXARGS 32

extern char **environ;

/* Servers still running, stopped by tsrv_stop_all() after each test (a
 * failed assertion leaves the test function early). */
static pid_t tsrv_running[16];

struct tsrv {
	pid_t	 pid;
	int	 port;
	char	*dir;		/* temporary folder of this server */
	char	*spool;		/* dir/spool */
	char	*events;	/* dir/events */
};

static __attribute__((unused)) const char *
tsrv_src(void)
{
	static char src[PATH_MAX];
	const char *env = getenv("SRC");
	const char *f = __FILE__, *slash;

	if (src[0] != '\0')
		return src;
	if (env != NULL && *env != '\0') {
		snprintf(src, sizeof(src), "%s", env);
		return src;
	}
	/* __FILE__ is ".../tests/smtpd_helper.h" */
	slash = strrchr(f, '/');
	if (slash == NULL)
		snprintf(src, sizeof(src), "..");
	else if (slash - f >= 5 && strncmp(slash - 5, "tests", 5) == 0 &&
	    slash - f == 5)
		snprintf(src, sizeof(src), ".");
	else
		snprintf(src, sizeof(src), "%.*s/..", (int)(slash - f), f);
	return src;
}

static __attribute__((unused)) int
tsrv_run(const char *const *argv)
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv,
	    environ) != 0)
		return -1;
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether the server can run at all; says why not, once (the caller
 * then fails: a test that needs the server never skips). */
static __attribute__((unused)) bool
tsrv_available(void)
{
	static int known = -1;
	const char *argv[] = { TSRV_PYTHON, "-c", "import aiosmtpd", NULL };

	if (known != -1)
		return known == 1;
	if (access(TSRV_PYTHON, X_OK) == -1) {
		fprintf(stderr, "%s is missing: the SMTP tests cannot run\n",
		    TSRV_PYTHON);
		known = 0;
	} else if (tsrv_run(argv) != 0) {
		fprintf(stderr, "python3-aiosmtpd is not installed for %s: "
		    "the SMTP tests cannot run\n", TSRV_PYTHON);
		known = 0;
	} else
		known = 1;
	return known == 1;
}

static __attribute__((unused)) char *
tsrv_mkdtemp(void)
{
	char *d = xstrdup("/tmp/touchbase-test.XXXXXX");

	if (mkdtemp(d) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return d;
}

static __attribute__((unused)) int
tsrv_rm_cb(const char *path, const struct stat *sb, int type,
    struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static __attribute__((unused)) void
tsrv_rmtree(const char *dir)
{
	if (dir != NULL)
		nftw(dir, tsrv_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reads a whole file; NULL when missing.  *len may be NULL. */
static __attribute__((unused)) char *
tsrv_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, cap = 0, r;

	if (fp == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap * 2 + 4096;
			data = xreallocarray(data, cap, 1);
		}
		r = fread(data + n, 1, cap - n - 1, fp);
		n += r;
	} while (r > 0);
	fclose(fp);
	data[n] = '\0';
	if (len != NULL)
		*len = n;
	return data;
}

/* Starts smtpd.py with extra options (NULL-terminated).  Returns 0. */
static __attribute__((unused)) int
tsrv_start(struct tsrv *t, const char *const *extra)
{
	const char *argv[TSRV_MAXARGS];
	posix_spawn_file_actions_t fa;
	char *script, *portfile, *logfile, *p;
	size_t n = 0;
	int i;

	memset(t, 0, sizeof(*t));
	t->dir = tsrv_mkdtemp();
	t->spool = xasprintf("%s/spool", t->dir);
	t->events = xasprintf("%s/events", t->dir);
	script = xasprintf("%s/tests/smtpd.py", tsrv_src());
	portfile = xasprintf("%s/port", t->dir);
	argv[n++] = TSRV_PYTHON;
	argv[n++] = script;
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	argv[n++] = "--spool";
	argv[n++] = t->spool;
	argv[n++] = "--events";
	argv[n++] = t->events;
	while (extra != NULL && *extra != NULL && n < TSRV_MAXARGS - 1)
		argv[n++] = *extra++;
	argv[n] = NULL;
	logfile = xasprintf("%s/log", t->dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, logfile,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&t->pid, TSRV_PYTHON, &fa, NULL,
	    (char *const *)argv, environ) != 0) {
		perror("posix_spawn smtpd.py");
		abort();
	}
	posix_spawn_file_actions_destroy(&fa);
	free(logfile);
	for (i = 0; i < (int)(sizeof(tsrv_running) / sizeof(pid_t)); i++) {
		if (tsrv_running[i] == 0) {
			tsrv_running[i] = t->pid;
			break;
		}
	}
	for (i = 0; i < 200; i++) {
		struct timespec ts = { 0, 25 * 1000 * 1000 };

		if ((p = tsrv_read(portfile, NULL)) != NULL) {
			t->port = atoi(p);
			free(p);
			break;
		}
		if (waitpid(t->pid, NULL, WNOHANG) == t->pid) {
			t->pid = 0;
			break;
		}
		nanosleep(&ts, NULL);
	}
	free(script);
	free(portfile);
	if (t->port <= 0) {
		fprintf(stderr, "smtpd.py did not start\n");
		abort();
	}
	return 0;
}

static __attribute__((unused)) void
tsrv_kill(pid_t pid)
{
	size_t i;

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	for (i = 0; i < sizeof(tsrv_running) / sizeof(pid_t); i++)
		if (tsrv_running[i] == pid)
			tsrv_running[i] = 0;
}

/* Stops every server still running; a cmocka teardown. */
static __attribute__((unused)) int
tsrv_stop_all(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tsrv_running) / sizeof(pid_t); i++)
		if (tsrv_running[i] > 0)
			tsrv_kill(tsrv_running[i]);
	return 0;
}

static __attribute__((unused)) void
tsrv_stop(struct tsrv *t)
{
	if (t->pid > 0) {
		tsrv_kill(t->pid);
		t->pid = 0;
	}
	tsrv_rmtree(t->dir);
	free(t->dir);
	free(t->spool);
	free(t->events);
	memset(t, 0, sizeof(*t));
}

/* The .eml or .json of message seq; NULL when it is not there. */
static __attribute__((unused)) char *
tsrv_message(const struct tsrv *t, int seq, const char *suffix,
    size_t *len)
{
	char *path = xasprintf("%s/%06d.%s", t->spool, seq, suffix);
	char *data = tsrv_read(path, len);

	free(path);
	return data;
}

/* How many messages the server stored. */
static __attribute__((unused)) int
tsrv_count(const struct tsrv *t)
{
	DIR *d = opendir(t->spool);
	struct dirent *e;
	size_t n;
	int count = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0)
			count++;
	}
	closedir(d);
	return count;
}

/* The server's event log ("" when empty). */
static __attribute__((unused)) char *
tsrv_events(const struct tsrv *t)
{
	char *e = tsrv_read(t->events, NULL);

	return e != NULL ? e : xstrdup("");
}

/* The event log once it holds want (the server logs a disconnect a
 * moment after the client has gone), or after 3 s as it is. */
static __attribute__((unused)) char *
tsrv_events_wait(const struct tsrv *t, const char *want)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char *e = NULL;
	int i;

	for (i = 0; i < 150; i++) {
		free(e);
		e = tsrv_events(t);
		if (strstr(e, want) != NULL)
			break;
		nanosleep(&ts, NULL);
	}
	return e;
}

/* A CA and a certificate for 127.0.0.1/localhost in dir (ca.pem,
 * server.pem, server.key), made by tests/e2e/lib.sh. */
static __attribute__((unused)) int
tsrv_certs(const char *dir)
{
	char *cmd = xasprintf(". '%s/tests/e2e/lib.sh' && trap - EXIT && "
	    "tb_make_certs '%s'", tsrv_src(), dir);
	const char *argv[] = { "/bin/bash", "-c", cmd, NULL };
	int rc = tsrv_run(argv);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

#endif
