/*
 * notify.c - the systemd notify protocol, without libsystemd.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "notify.h"
#include "xalloc.h"

/* A broken NOTIFY_SOCKET would otherwise log once per watchdog ping. */
static int notify_complained;

static int
notify_address(const char *name, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n = strlen(name);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (name[0] == '@') {
		/* Abstract: a leading NUL instead of '@', no terminator. */
		if (n > sizeof(sun->sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(sun->sun_path + 1, name + 1, n - 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
		return 0;
	}
	if (name[0] != '/') {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (n >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, name, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

int
notify_send(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	struct msghdr mh;
	struct iovec iov;
	socklen_t salen;
	ssize_t w;
	int fd = -1, rc = -1, saved;

	if (name == NULL || *name == '\0')
		return 0;
	if (notify_address(name, &sun, &salen) == -1)
		goto out;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto out;

	iov.iov_base = (void *)(uintptr_t)state;
	iov.iov_len = strlen(state);
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &sun;
	mh.msg_namelen = salen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (w == -1 && errno == EINTR);
	if (w == -1)
		goto out;
	if ((size_t)w != iov.iov_len) {
		errno = EMSGSIZE;
		goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (fd != -1)
		close(fd);
	if (rc == -1 && !notify_complained) {
		notify_complained = 1;
		errno = saved;
		log_warn("cannot notify systemd at NOTIFY_SOCKET=%s", name);
	}
	errno = saved;
	return rc;
}

int
notify_sendf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int rc;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	rc = notify_send(b.data);
	buf_free(&b);
	return rc;
}

int
notify_ready(void)
{
	return notify_send("READY=1");
}

int
notify_reloading(void)
{
	struct timespec ts;
	uint64_t usec;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	usec = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	return notify_sendf("RELOADING=1\nMONOTONIC_USEC=%" PRIu64, usec);
}

int
notify_stopping(void)
{
	return notify_send("STOPPING=1");
}

int
notify_watchdog(void)
{
	return notify_send("WATCHDOG=1");
}

int
notify_status(const char *status)
{
	char *s;
	int rc;

	/* A newline would end the assignment and start a forged one. */
	s = xasprintf("STATUS=%s", status);
	for (char *p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	rc = notify_send(s);
	free(s);
	return rc;
}

/* Digits only: strtoull alone would take signs, spaces and "0x". */
static int
notify_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

uint64_t
notify_watchdog_interval(void)
{
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t usec, p;

	if (notify_parse_u64(getenv("WATCHDOG_USEC"), &usec) == -1 ||
	    usec == 0)
		return 0;
	if (pid != NULL) {
		if (notify_parse_u64(pid, &p) == -1 ||
		    p != (uint64_t)getpid())
			return 0;
	}
	/* Rounded up so that a (silly) 1 µs watchdog does not read as off. */
	return usec / 2 + usec % 2;
}
