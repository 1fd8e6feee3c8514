/*
 * notify.h - the systemd notify protocol, without libsystemd.
 *
 * notify_send() writes one datagram of newline-separated assignments to
 * the AF_UNIX socket named by $NOTIFY_SOCKET (an abstract socket when it
 * starts with '@').  Without NOTIFY_SOCKET it does nothing and returns 0.
 */
#ifndef TOUCHBASE_NOTIFY_H
#define TOUCHBASE_NOTIFY_H

#include <stdint.h>

int	 notify_send(const char *state);
int	 notify_sendf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* READY=1 / STOPPING=1 / WATCHDOG=1 / STATUS=…; RELOADING=1 with
 * MONOTONIC_USEC. */
int	 notify_ready(void);
int	 notify_reloading(void);
int	 notify_stopping(void);
int	 notify_watchdog(void);
int	 notify_status(const char *status);
/* Half of $WATCHDOG_USEC (in microseconds) when it is set and meant for
 * this process ($WATCHDOG_PID absent or ours), else 0. */
uint64_t notify_watchdog_interval(void);

#endif
