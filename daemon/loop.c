/*
 * loop.c - the daemon's wait, wake-ups and signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "diag.h"
#include "history.h"
#include "inbox.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "outbox.h"
#include "pass.h"
#include "plancache.h"
#include "xalloc.h"

/* Never sleep longer than this: a wall-clock jump, a DST change or a
 * suspend is noticed within the hour. */
#define LOOP_MAX_SLEEP_MS	(3600 * 1000LL)

static volatile sig_atomic_t got_hup;
static volatile sig_atomic_t got_term;
static int loop_pipe[2] = { -1, -1 };

static void
loop_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
	/* Wake the wait; a full pipe already holds a wake-up. */
	(void)!write(loop_pipe[1], &c, 1);
	errno = saved;
}

volatile sig_atomic_t *
loop_signals(void)
{
	struct sigaction sa;

	if (loop_pipe[0] != -1)
		return &got_term;
	if (pipe2(loop_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART: a signal during an SMTP transaction must not break
	 * it; the pass looks at the flag between two messages. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A peer that closes a connection must not kill us mid-pass. */
	signal(SIGPIPE, SIG_IGN);
	return &got_term;
}

static void
loop_drain(void)
{
	char b[64];

	while (read(loop_pipe[0], b, sizeof(b)) > 0)
		;
}

int
loop_lock(const char *database, bool *held, char **err)
{
	char *path = xasprintf("%s.lock", database);
	struct stat sb;
	int fd;

	*held = false;
	/* Never follow a link: as root, a symbolic link planted in the
	 * state folder would otherwise let us truncate any file.  The file is
	 * emptied only once it is ours. */
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK, 0600);
	if (fd == -1) {
		*err = xasprintf("%s: %s%s", path, strerror(errno),
		    errno == ELOOP ? " (a symbolic link; remove it)" : "");
		free(path);
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		*err = xasprintf("%s: not a regular file; remove it", path);
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		*held = true;
		*err = xasprintf("another touchbased is already running on "
		    "%s%s%s%s; stop it first", database,
		    *pid ? " (pid " : "", pid, *pid ? ")" : "");
		goto fail;
	}
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%ld\n", (long)getpid());
	free(path);
	return fd;
fail:
	close(fd);
	free(path);
	return -1;
}

static void
loop_reload(const char *path, struct config **c, struct outbox *ob)
{
	struct config *nc = NULL;
	struct diag d;
	char *err = NULL;

	notify_reloading();
	diag_init(&d);
	if (config_load(path, &nc, &d) == -1) {
		diag_log(&d);
		log_err("reload of %s failed with %zu error%s; still running "
		    "on the previous configuration", path, d.errors,
		    d.errors == 1 ? "" : "s");
	} else {
		diag_log(&d);	/* warnings */
		/* The open send log and its lock stay: moving them under a
		 * running daemon could let a second one in between. */
		if (strcmp(nc->settings->database, (*c)->settings->database)
		    != 0)
			log_warnx("reload: the database path changed to %s; "
			    "still writing %s until touchbased is restarted",
			    nc->settings->database, (*c)->settings->database);
		config_free(*c);
		*c = nc;
		log_info("reloaded %s: %zu clients, %zu occasions", path,
		    nc->book->nclients, nc->book->noccasions);
		/* The owner may just have fixed the password. */
		if (outbox_config_changed(ob, time(NULL), &err) == -1) {
			log_err("%s", err);
			free(err);
		}
	}
	diag_free(&d);
	notify_ready();
}

/* The mailbox's turn: one scan, logged; an outage is logged once, when
 * it begins, and once when it ends.  *next gets the next scan's moment. */
static void
loop_scan(const struct config *c, struct ledger *l, int64_t now,
    unsigned *failures, int64_t *next)
{
	struct inbox_result res;
	enum inbox_fail fail;
	char *err = NULL;

	if (inbox_scan(c, l, now, false, &res, &fail, &err) == 0) {
		if (*failures > 0)
			log_info("inbox: the mailbox can be read again");
		*failures = 0;
		for (size_t i = 0; i < res.nlines; i++)
			log_info("inbox: %s", res.lines[i]);
		*next = inbox_next_scan(c->settings, now, true, 0);
	} else {
		++*failures;
		*next = inbox_next_scan(c->settings, now, false, *failures);
		for (size_t i = 0; i < res.nlines; i++)
			log_info("inbox: %s", res.lines[i]);
		if (*failures == 1)
			log_err("inbox: %s; delivery goes on, the mailbox is "
			    "tried again with a growing pause (logged again "
			    "when it can be read)", err);
		else
			log_debug("inbox: still failing: %s", err);
		free(err);
	}
	inbox_result_clear(&res);
}

/*
 * The mailbox's turn for `touchbased --once`, which has no memory of its
 * own between runs: when the scan is due (the send log keeps the next
 * scan's moment and the failures in a row), one scan, logged like the
 * daemon's, so a timer's passes read the mailbox every check_every too.
 */
void
loop_scan_once(const struct config *c, struct ledger *l, int64_t now)
{
	int64_t next = 0, failures = 0;
	unsigned f;
	bool found;
	char *err = NULL;

	if (c->settings->inbox == INBOX_NONE)
		return;
	if (ledger_state_get(l, "inbox.next_scan", &found, &next, NULL,
	    &err) == -1 || (found && now < next) ||
	    ledger_state_get(l, "inbox.failures", &found, &failures, NULL,
	    &err) == -1)
		goto out;
	f = found && failures > 0 ? (unsigned)failures : 0;
	loop_scan(c, l, now, &f, &next);
	if (ledger_state_set(l, "inbox.next_scan", next, NULL, &err) == -1 ||
	    ledger_state_set(l, "inbox.failures", f, NULL, &err) == -1)
		goto out;
out:
	if (err != NULL) {
		log_err("inbox: %s", err);
		free(err);
	}
}

/* After a round that could not finish, how soon to try again. */
#define LOOP_TROUBLE_RETRY	60

int
loop_run(const char *path, struct config *c, struct ledger *l,
    struct outbox *ob)
{
	uint64_t wd_usec = notify_watchdog_interval();
	struct pass_result res;
	struct plancache *pc = plancache_new();
	int64_t next_scan = time(NULL);
	unsigned scan_failures = 0;
	int rc = 0;

	loop_signals();
	memset(&res, 0, sizeof(res));
	notify_ready();
	for (;;) {
		int64_t now = time(NULL), wait_ms;
		char *err = NULL;

		if (got_term)
			break;
		if (got_hup) {
			got_hup = 0;
			/* Its items point into the configuration. */
			plancache_drop(pc);
			loop_reload(path, &c, ob);
			/* The owner may have fixed the mailbox's password. */
			next_scan = now;
			scan_failures = 0;
		}
		/* Before the pass: an objection that arrived counts now. */
		if (c->settings->inbox != INBOX_NONE && now >= next_scan) {
			loop_scan(c, l, now, &scan_failures, &next_scan);
			if (ledger_damaged(l)) {
				rc = 1;
				break;
			}
			now = time(NULL);
		}
		pass_result_clear(&res);
		if (pass_run(c, l, ob, pc, now, &got_term, &res, &err) == -1) {
			log_err("%s%s", err, ledger_damaged(l) ? "" :
			    "; trying again in a minute");
			free(err);
			if (ledger_damaged(l)) {
				rc = 1;
				break;
			}
			/* The database may be busy or briefly unwritable,
			 * the clock wrong: try again after a short rest
			 * rather than spin. */
			pass_result_clear(&res);
			res.next = now + LOOP_TROUBLE_RETRY;
			res.next_desc = xstrdup("next: another try after a "
			    "send log or clock problem");
		} else if (backup_daily(l, c->settings->database, now,
		    &err) == -1) {
			log_err("daily backup: %s", err);
			free(err);
		}
		/* A pass plans every client and frees it all again: the
		 * pages go back to the system so that the daemon waits at
		 * the size of its book, not of its busiest pass. */
		malloc_trim(0);
		notify_status(res.next_desc != NULL ? res.next_desc :
		    "next: nothing planned");
		if (got_term)
			break;
		if (wd_usec > 0)
			notify_watchdog();

		now = time(NULL);
		/* The next scan is one more due moment of the same wait. */
		if (c->settings->inbox != INBOX_NONE &&
		    (res.next == HISTORY_NONE || next_scan < res.next))
			res.next = next_scan;
		if (res.next == HISTORY_NONE || res.next - now > 3600)
			wait_ms = LOOP_MAX_SLEEP_MS;
		else if (res.next <= now)
			wait_ms = 1000;	/* due again at once: never spin */
		else
			wait_ms = (res.next - now) * 1000;
		if (wd_usec > 0 && (int64_t)(wd_usec / 1000) < wait_ms)
			wait_ms = (int64_t)(wd_usec / 1000);
		if (wait_ms < 100)	/* a silly WatchdogSec must not spin */
			wait_ms = 100;
		log_debug("sleeping %lld ms", (long long)wait_ms);

		struct pollfd pfd = { loop_pipe[0], POLLIN, 0 };
		struct timespec ts = { (time_t)(wait_ms / 1000),
		    (long)(wait_ms % 1000) * 1000000L };
		/* Drained whatever woke us: a signal may interrupt the wait
		 * (EINTR) before its byte is seen as readable. */
		if (ppoll(&pfd, 1, &ts, NULL) != 0)
			loop_drain();
	}
	notify_stopping();
	log_info("stopping");
	pass_result_clear(&res);
	plancache_free(pc);
	config_free(c);
	return rc;
}
