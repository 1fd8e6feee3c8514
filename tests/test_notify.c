/*
 * test_notify.c - the systemd notify protocol against real AF_UNIX
 * datagram sockets (one in a temporary folder, one abstract), as systemd
 * itself would receive it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify.c"

struct fixture {
	char	 dir[64];
	char	 path[256];
	int	 fd;
};

static int
bind_path(const char *path)
{
	struct sockaddr_un sun;
	int fd, one = 1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_not_equal(fd, -1);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* name without the '@'; the address is exactly as long as the name. */
static int
bind_abstract(const char *name)
{
	struct sockaddr_un sun;
	size_t n = strlen(name);
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(n + 1 <= sizeof(sun.sun_path));
	memcpy(sun.sun_path + 1, name, n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_not_equal(fd, -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)), 0);
	return fd;
}

/* The next datagram, NUL-terminated; "" when none is waiting.  *pid gets
 * the sender's pid from SCM_CREDENTIALS when asked and present. */
static char *
recv_one(int fd, pid_t *pid)
{
	static char data[4096];
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = { data, sizeof(data) - 1 };
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	r = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (r == -1) {
		assert_int_equal(errno, EAGAIN);
		data[0] = '\0';
		return data;
	}
	assert_false(mh.msg_flags & MSG_TRUNC);
	data[r] = '\0';
	if (pid != NULL) {
		*pid = 0;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred uc;

				memcpy(&uc, CMSG_DATA(c), sizeof(uc));
				*pid = uc.pid;
			}
	}
	return data;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/tb-notify.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/notify", f->dir);
	f->fd = bind_path(f->path);
	setenv("NOTIFY_SOCKET", f->path, 1);
	notify_complained = 0;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	close(f->fd);
	unlink(f->path);
	rmdir(f->dir);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	free(f);
	return 0;
}

static void
test_without_socket_nothing_is_sent(void **state)
{
	struct fixture *f = *state;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_ready(), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(notify_status("idle"), 0);
	assert_string_equal(recv_one(f->fd, NULL), "");
}

static void
test_ready_comes_from_this_process(void **state)
{
	struct fixture *f = *state;
	pid_t pid = 0;

	assert_int_equal(notify_ready(), 0);
	assert_string_equal(recv_one(f->fd, &pid), "READY=1");
	assert_int_equal(pid, getpid());
	assert_string_equal(recv_one(f->fd, NULL), "");
}

static void
test_exact_payloads(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(notify_stopping(), 0);
	assert_string_equal(recv_one(f->fd, NULL), "STOPPING=1");
	assert_int_equal(notify_watchdog(), 0);
	assert_string_equal(recv_one(f->fd, NULL), "WATCHDOG=1");
	assert_int_equal(notify_status("next: birthday for anna-mueller at "
	    "2027-02-28 09:00 CET"), 0);
	assert_string_equal(recv_one(f->fd, NULL), "STATUS=next: birthday "
	    "for anna-mueller at 2027-02-28 09:00 CET");
	assert_int_equal(notify_sendf("STATUS=sent %d, deferred %d", 3, 1), 0);
	assert_string_equal(recv_one(f->fd, NULL),
	    "STATUS=sent 3, deferred 1");
	/* Several assignments travel in one datagram. */
	assert_int_equal(notify_send("READY=1\nSTATUS=idle"), 0);
	assert_string_equal(recv_one(f->fd, NULL), "READY=1\nSTATUS=idle");
	assert_string_equal(recv_one(f->fd, NULL), "");
}

static void
test_status_newlines_cannot_forge_assignments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(notify_status("bad client\nREADY=1\r\nSTOPPING=1"),
	    0);
	assert_string_equal(recv_one(f->fd, NULL),
	    "STATUS=bad client READY=1  STOPPING=1");
}

static uint64_t
mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
test_reloading_carries_monotonic_usec(void **state)
{
	struct fixture *f = *state;
	const char *prefix = "RELOADING=1\nMONOTONIC_USEC=";
	uint64_t before, after, got;
	char *msg, *end;

	before = mono_usec();
	assert_int_equal(notify_reloading(), 0);
	after = mono_usec();
	msg = recv_one(f->fd, NULL);
	assert_memory_equal(msg, prefix, strlen(prefix));
	errno = 0;
	got = strtoull(msg + strlen(prefix), &end, 10);
	assert_int_equal(errno, 0);
	assert_string_equal(end, "");
	assert_true(end != msg + strlen(prefix));
	assert_true(got >= before);
	assert_true(got <= after);
}

static void
test_abstract_socket(void **state)
{
	char name[64], env[80];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "touchbase-test-notify-%ld",
	    (long)getpid());
	fd = bind_abstract(name);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(notify_ready(), 0);
	assert_string_equal(recv_one(fd, NULL), "READY=1");
	close(fd);
}

static void
test_abstract_longest_and_too_long(void **state)
{
	char name[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	char env[sizeof(name) + 2];
	int fd, n;

	(void)state;
	/* 107 bytes after the leading NUL fill sun_path exactly. */
	n = snprintf(name, sizeof(name), "touchbase-test-%ld-", (long)getpid());
	memset(name + n, 'x', sizeof(name) - 2 - (size_t)n);
	name[sizeof(name) - 2] = '\0';
	assert_int_equal(strlen(name), 107);
	fd = bind_abstract(name);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(notify_watchdog(), 0);
	assert_string_equal(recv_one(fd, NULL), "WATCHDOG=1");
	close(fd);

	snprintf(env, sizeof(env), "@%sy", name);
	setenv("NOTIFY_SOCKET", env, 1);
	errno = 0;
	assert_int_equal(notify_ready(), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

static void
test_path_longest_and_too_long(void **state)
{
	struct fixture *f = *state;
	char path[256];
	size_t dl = strlen(f->dir);
	int fd;

	/* 107 characters plus the NUL fill sun_path exactly. */
	memcpy(path, f->dir, dl);
	path[dl] = '/';
	memset(path + dl + 1, 's', 107 - dl - 1);
	path[107] = '\0';
	fd = bind_path(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(notify_ready(), 0);
	assert_string_equal(recv_one(fd, NULL), "READY=1");
	close(fd);
	unlink(path);

	path[107] = 's';
	path[108] = '\0';
	setenv("NOTIFY_SOCKET", path, 1);
	errno = 0;
	assert_int_equal(notify_ready(), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

static void
test_relative_name_refused(void **state)
{
	(void)state;
	setenv("NOTIFY_SOCKET", "notify.sock", 1);
	errno = 0;
	assert_int_equal(notify_ready(), -1);
	assert_int_equal(errno, EAFNOSUPPORT);
}

/* Captures what fn writes to stderr. */
static char *
stderr_of(int (*fn)(void), int *rc)
{
	static char out[1024];
	char tmpl[] = "/tmp/tb-notify-err.XXXXXX";
	int fd, saved;
	ssize_t n;

	fd = mkstemp(tmpl);
	assert_int_not_equal(fd, -1);
	unlink(tmpl);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	*rc = fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	close(fd);
	assert_true(n >= 0);
	out[n] = '\0';
	return out;
}

static void
test_missing_socket_fails_and_logs_once(void **state)
{
	struct fixture *f = *state;
	char gone[300], want[400];
	int rc;

	snprintf(gone, sizeof(gone), "%s/gone", f->dir);
	setenv("NOTIFY_SOCKET", gone, 1);
	snprintf(want, sizeof(want), "test_notify: cannot notify systemd at "
	    "NOTIFY_SOCKET=%s: No such file or directory\n", gone);
	assert_string_equal(stderr_of(notify_watchdog, &rc), want);
	assert_int_equal(rc, -1);
	assert_string_equal(stderr_of(notify_watchdog, &rc), "");
	assert_int_equal(rc, -1);
}

static void
test_no_descriptor_leaks(void **state)
{
	int before, after;

	(void)state;
	before = open("/dev/null", O_RDONLY);
	close(before);
	assert_int_equal(notify_ready(), 0);
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	assert_int_equal(notify_ready(), -1);
	after = open("/dev/null", O_RDONLY);
	close(after);
	assert_int_equal(before, after);
}

static void
test_watchdog_interval(void **state)
{
	char pid[32];

	(void)state;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(notify_watchdog_interval(), 0);

	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(notify_watchdog_interval(), 15000000);
	setenv("WATCHDOG_USEC", "3", 1);
	assert_int_equal(notify_watchdog_interval(), 2);
	setenv("WATCHDOG_USEC", "18446744073709551615", 1);
	assert_int_equal(notify_watchdog_interval(), UINT64_C(9223372036854775808));

	setenv("WATCHDOG_USEC", "30000000", 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_interval(), 15000000);
	/* Meant for another process (e.g. inherited from a parent). */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_interval(), 0);
	setenv("WATCHDOG_PID", "", 1);
	assert_int_equal(notify_watchdog_interval(), 0);
	snprintf(pid, sizeof(pid), "%ldx", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_interval(), 0);
	unsetenv("WATCHDOG_PID");
}

static void
test_watchdog_interval_garbage(void **state)
{
	static const char *bad[] = {
		"", "0", "-30000000", "+30000000", " 30000000", "30000000 ",
		"30s", "0x1c9c380", "3e7", "abc", "18446744073709551616",
		"99999999999999999999999",
	};

	(void)state;
	unsetenv("WATCHDOG_PID");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("WATCHDOG_USEC", bad[i], 1);
		if (notify_watchdog_interval() != 0)
			fail_msg("WATCHDOG_USEC=\"%s\" was accepted", bad[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_without_socket_nothing_is_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ready_comes_from_this_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_payloads, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_status_newlines_cannot_forge_assignments, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_reloading_carries_monotonic_usec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abstract_socket, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_abstract_longest_and_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_path_longest_and_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_name_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_missing_socket_fails_and_logs_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_descriptor_leaks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_interval, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_watchdog_interval_garbage, setup, teardown),
	};

	unsetenv("JOURNAL_STREAM");
	log_init("test_notify", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
