/*
 * log.h - one line per event on stderr.
 *
 * When JOURNAL_STREAM is set (stderr connected to journald) each line
 * starts with the syslog priority "<N>" so the journal keeps the level.
 * log_warn() appends strerror(errno); the x variants do not.
 */
#ifndef TOUCHBASE_LOG_H
#define TOUCHBASE_LOG_H

#include <stdbool.h>

/* Reads the environment once; call at start-up. verbose enables debug. */
void	log_init(const char *progname, int verbose);
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether log_debug() writes: callers skip preparing what it would drop. */
bool	log_debugging(void);
/* Internal fatal errors (out of memory, a broken invariant) exit with
 * LOG_EXIT_FATAL, EX_SOFTWARE of sysexits(3): unlike 1 (the owner must fix
 * the configuration) it is not in the unit's RestartPreventExitStatus=, so
 * systemd brings the daemon back. */
#define LOG_EXIT_FATAL	70

void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
