/*
 * test_buf.c - the growable buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "buf.h"

static void
test_grow_and_terminate(void **state)
{
	struct buf b;
	size_t len;
	char *s;

	(void)state;
	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_addf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 2000);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data + 1990, "5,6,7,8,9,", 10);
	buf_reset(&b);
	assert_string_equal(b.data, "");
	buf_add(&b, "a\0b", 3);
	buf_addc(&b, 'c');
	s = buf_detach(&b, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(s, "a\0bc", 5);
	assert_null(b.data);
	free(s);
}

static void
test_detach_empty(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b);
	s = buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
	buf_add(&b, "", 0);
	s = buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void
test_read_file(void **state)
{
	char path[] = "/tmp/test_buf.XXXXXX";
	struct buf b;
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd != -1);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	for (int i = 0; i < 3000; i++)
		fputs("line\n", fp);		/* 15000 bytes: two chunks */
	assert_int_equal(fclose(fp), 0);

	/* Appends after what is there; exactly max bytes is still fine. */
	buf_init(&b);
	buf_adds(&b, "head:");
	assert_int_equal(buf_read_file(&b, path, 15000), 0);
	assert_int_equal(b.len, 5 + 15000);
	assert_memory_equal(b.data, "head:line\nline\n", 15);
	assert_string_equal(b.data + b.len - 5, "line\n");
	buf_free(&b);

	assert_int_equal(buf_read_file(&b, path, 14999), 1);
	assert_true(b.len > 14999);
	buf_free(&b);

	assert_int_equal(unlink(path), 0);
	errno = 0;
	assert_int_equal(buf_read_file(&b, path, 15000), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(b.len, 0);
	errno = 0;
	assert_int_equal(buf_read_file(&b, "/tmp", 15000), -1);
	assert_int_equal(errno, EISDIR);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_and_terminate),
		cmocka_unit_test(test_detach_empty),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
