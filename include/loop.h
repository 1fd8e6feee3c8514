/*
 * loop.h - the daemon's life: wait, wake, deliver, reload, stop.
 *
 * loop_run() owns the configuration it is given.  It sleeps until the
 * next due moment (next planned message, retry or mailbox scan: a scan
 * runs before the pass, so an objection counts at once), capped at an
 * hour so clock jumps and suspend correct themselves, and at half the
 * watchdog interval when systemd asks for one.  Signals arrive through a self-pipe
 * in the same wait; handlers only set flags.  SIGHUP reloads (swapping
 * only a valid new configuration), SIGTERM/SIGINT end the loop after the
 * transaction in progress.  Returns the exit status.
 */
#ifndef TOUCHBASE_LOOP_H
#define TOUCHBASE_LOOP_H

#include <signal.h>
#include <stdbool.h>

#include "config.h"
#include "ledger.h"
#include "outbox.h"

/* A damaged database ends the loop with 1: the daemon does not write to
 * it (the unit does not restart it either). */
int	 loop_run(const char *config_path, struct config *c, struct ledger *l,
	    struct outbox *ob);
/* Takes an exclusive lock beside the database (PATH.lock), shared by the
 * daemon and `touchbased --once`, so only one of them sends at a time.
 * The file is opened without following a symbolic link and must be a
 * regular file.  Returns the lock's fd, or -1 with *err; *held is true
 * when another process holds the lock. */
int	 loop_lock(const char *database, bool *held, char **err);
/* `touchbased --once`: scans the mailbox first when [inbox] is set and
 * the scan is due (its next moment and the failures in a row are kept in
 * the send log's state). */
void	 loop_scan_once(const struct config *c, struct ledger *l,
	    int64_t now);
/* Installs the handlers of SIGHUP, SIGTERM and SIGINT (which only set a
 * flag and wake the loop) and ignores SIGPIPE; returns the flag that
 * SIGTERM and SIGINT set, for a pass to stop between two messages. */
volatile sig_atomic_t *loop_signals(void);

#endif
