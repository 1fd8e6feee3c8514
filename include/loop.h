/*
 * loop.h - the daemon's life: wait, wake, deliver, reload, stop.
 *
 * loop_run() owns the configuration it is given.  It sleeps until the
 * next due moment (next planned message or retry), capped at an hour so
 * clock jumps and suspend correct themselves, and at half the watchdog
 * interval when systemd asks for one.  Signals arrive through a self-pipe
 * in the same wait; handlers only set flags.  SIGHUP reloads (swapping
 * only a valid new configuration), SIGTERM/SIGINT end the loop after the
 * transaction in progress.  Returns the exit status.
 */
#ifndef TOUCHBASE_LOOP_H
#define TOUCHBASE_LOOP_H

#include "config.h"
#include "ledger.h"

int	 loop_run(const char *config_path, struct config *c, struct ledger *l);
/* Takes an exclusive lock beside the database (PATH.lock) so a second
 * daemon refuses to start.  Returns the lock's fd, or -1 with *err. */
int	 loop_lock(const char *database, char **err);

#endif
