/*
 * notify.h - the systemd notify protocol, without libsystemd.
 *
 * notify_send() writes one datagram of newline-separated assignments to
 * the AF_UNIX socket named by $NOTIFY_SOCKET (an abstract socket when it
 * starts with '@').  Without NOTIFY_SOCKET it does nothing and returns 0.
 * Every function returns 0, or -1 with errno set (EAFNOSUPPORT for a name
 * that is neither a path nor '@', ENAMETOOLONG when it does not fit a
 * sockaddr_un); the first failure of a process is also logged.  After a
 * reload the daemon sends READY=1 again, as systemd expects.
 */
#ifndef TOUCHBASE_NOTIFY_H
#define TOUCHBASE_NOTIFY_H

#include <stdint.h>

int	 notify_send(const char *state);
int	 notify_sendf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* READY=1 / STOPPING=1 / WATCHDOG=1 / STATUS=… (CR and LF in the text
 * become spaces); RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC). */
int	 notify_ready(void);
int	 notify_reloading(void);
int	 notify_stopping(void);
int	 notify_watchdog(void);
int	 notify_status(const char *status);
/* Half of $WATCHDOG_USEC (in microseconds, rounded up) when it is set
 * to a positive decimal number and meant for this process ($WATCHDOG_PID
 * absent or ours), else 0. */
uint64_t notify_watchdog_interval(void);

#endif
