/*
 * log.c - one line per event on stderr, with journald priorities.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_prog = "touchbase";
static int log_journal;
static int log_verbose;

void
log_init(const char *progname, int verbose)
{
	const char *js = getenv("JOURNAL_STREAM");

	log_prog = progname;
	log_verbose = verbose;
	log_journal = js != NULL && *js != '\0';
}

static void log_emit(int, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_emit(int prio, const char *errstr, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	/* One event, one line: never let a value start a second one. */
	for (char *p = line; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_journal)
		fprintf(stderr, "<%d>", prio);
	else
		fprintf(stderr, "%s: ", log_prog);
	if (errstr != NULL)
		fprintf(stderr, "%s: %s\n", line, errstr);
	else
		fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

#define LOG_FN(fn, prio, witherr)				\
void								\
fn(const char *fmt, ...)					\
{								\
	const char *es = (witherr) ? strerror(errno) : NULL;	\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	log_emit(prio, es, fmt, ap);				\
	va_end(ap);						\
}

LOG_FN(log_info, LOG_INFO, 0)
LOG_FN(log_notice, LOG_NOTICE, 0)
LOG_FN(log_warn, LOG_WARNING, 1)
LOG_FN(log_warnx, LOG_WARNING, 0)
LOG_FN(log_err, LOG_ERR, 0)

bool
log_debugging(void)
{
	return log_verbose != 0;
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char *es = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, es, fmt, ap);
	va_end(ap);
	exit(LOG_EXIT_FATAL);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(LOG_EXIT_FATAL);
}
