/*
 * test_cmd_common.c - the listings `touchbase` prints: JSON strings,
 * CSV fields, table cells, and the two ways of handing fields to the
 * CSV and JSON printers, which must print the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "cmd.h"
#include "xalloc.h"

/* What fn printed to a memory stream. */
struct out {
	FILE	*fp;
	char	*data;
	size_t	 len;
};

static void
out_open(struct out *o)
{
	o->data = NULL;
	o->len = 0;
	o->fp = open_memstream(&o->data, &o->len);
	assert_non_null(o->fp);
}

static char *
out_close(struct out *o)
{
	assert_int_equal(fclose(o->fp), 0);
	return o->data;
}

static char *
json(const char *s)
{
	struct out o;

	out_open(&o);
	cmd_json_string(o.fp, s);
	return out_close(&o);
}

static void
test_json_string(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "\"\"" },
		{ "birthday/2027", "\"birthday/2027\"" },
		{ "Grüße an Özdemir", "\"Grüße an Özdemir\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "x\ny\rz\tw", "\"x\\ny\\rz\\tw\"" },
		{ "\x01\x1f\x7f.", "\"\\u0001\\u001f\\u007f.\"" },
		{ "ok\xff" "bad\xc3", "\"ok\\ufffdbad\\ufffd\"" },
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },
		{ "€ and \xf0\x9f\x8e\x82", "\"€ and \xf0\x9f\x8e\x82\"" },
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = json(cases[i].in);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	s = json(NULL);
	assert_string_equal(s, "null");
	free(s);
}

static char *
cell(const char *s, int width, bool pad)
{
	struct out o;

	out_open(&o);
	cmd_table_cell(o.fp, s, width, pad);
	return out_close(&o);
}

static void
test_table_cell(void **state)
{
	static const struct {
		const char *in;
		int width;
		bool pad;
		const char *want;
	} cases[] = {
		{ "anna", 6, true, "anna  " },
		{ "anna", 6, false, "anna" },
		{ "annabel", 6, true, "annab…" },
		{ "anna-m", 6, true, "anna-m" },
		{ "Jürgen", 6, true, "Jürgen" },
		{ "Jürgen!", 6, false, "Jürge…" },
		{ "a\tb", 4, true, "a b " },
		{ "a\xff" "b", 4, true, "a\xef\xbf\xbd" "b " },
		{ "", 3, true, "   " },
		{ NULL, 2, true, "  " },
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = cell(cases[i].in, cases[i].width, cases[i].pad);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
}

static const char *const names[] = { "id", "count", "note" };
static const char *const rows[][3] = {
	{ "anna", "3", "plain" },
	{ "bernd, jr.", NULL, "says \"hi\"\nand more" },
	{ " lead", "12", "" },
	{ "çé\x01", "-1", NULL },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static char *
field_alloc(const void *ctx, size_t row, size_t i, bool *number)
{
	(void)ctx;
	*number = i == 1;
	return rows[row][i] != NULL ? xstrdup(rows[row][i]) : NULL;
}

/* The note is built in scratch, the rest borrowed. */
static const char *
field_ref(const void *ctx, size_t row, size_t i, bool *number,
    struct buf *scratch)
{
	(void)ctx;
	*number = i == 1;
	if (i != 2 || rows[row][i] == NULL)
		return rows[row][i];
	assert_int_equal(scratch->len, 0);
	buf_adds(scratch, rows[row][i]);
	return scratch->data;
}

static void
test_printers_agree(void **state)
{
	struct out a, b;
	char *x, *y;

	(void)state;
	out_open(&a);
	out_open(&b);
	cmd_print_json(a.fp, names, 3, NROWS, field_alloc, NULL);
	cmd_print_json_ref(b.fp, names, 3, NROWS, field_ref, NULL);
	x = out_close(&a);
	y = out_close(&b);
	assert_string_equal(x,
	    "[\n"
	    "  {\"id\": \"anna\", \"count\": 3, \"note\": \"plain\"},\n"
	    "  {\"id\": \"bernd, jr.\", \"count\": null, \"note\": "
	    "\"says \\\"hi\\\"\\nand more\"},\n"
	    "  {\"id\": \" lead\", \"count\": 12, \"note\": \"\"},\n"
	    "  {\"id\": \"çé\\u0001\", \"count\": -1, \"note\": null}\n"
	    "]\n");
	assert_string_equal(x, y);
	free(x);
	free(y);

	out_open(&a);
	out_open(&b);
	cmd_print_csv(a.fp, names, 3, NROWS, "\r\n", field_alloc, NULL);
	cmd_print_csv_ref(b.fp, names, 3, NROWS, "\r\n", field_ref, NULL);
	x = out_close(&a);
	y = out_close(&b);
	assert_string_equal(x,
	    "id,count,note\r\n"
	    "anna,3,plain\r\n"
	    "\"bernd, jr.\",,\"says \"\"hi\"\"\nand more\"\r\n"
	    "\" lead\",12,\r\n"
	    "çé\x01,-1,\r\n");
	assert_string_equal(x, y);
	free(x);
	free(y);

	out_open(&a);
	cmd_print_json_ref(a.fp, names, 3, 0, field_ref, NULL);
	x = out_close(&a);
	assert_string_equal(x, "[]\n");
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_table_cell),
		cmocka_unit_test(test_printers_agree),
	};

	return cmocka_run_group_tests_name("cmd_common", tests, NULL, NULL);
}
