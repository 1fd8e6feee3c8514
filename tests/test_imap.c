/*
 * test_imap.c - reading IMAP responses as libcurl hands them over: every
 * server line through the header callback, a FETCH literal as lines of
 * its own.  The live dialogue with a real Dovecot is in
 * tests/e2e/inbox_imap.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "imap.c"

struct got {
	uint32_t	 uid[8];
	char		*data[8];
	size_t		 n;
};

static void
collect(void *arg, uint32_t uid, const char *data, size_t len)
{
	struct got *g = arg;

	assert_true(g->n < 8);
	g->uid[g->n] = uid;
	g->data[g->n] = xstrndup(data, len);
	g->n++;
}

static void
feed(struct imap *im, const char *const *lines)
{
	for (size_t i = 0; lines[i] != NULL; i++)
		imap_line(im, lines[i], strlen(lines[i]));
}

static struct imap *
fresh(void)
{
	struct imap *im = xcalloc(1, sizeof(*im));

	buf_init(&im->tagged);
	buf_init(&im->lit);
	return im;
}

static void
done(struct imap *im)
{
	free(im->uids);
	free(im->found);
	buf_free(&im->tagged);
	buf_free(&im->lit);
	free(im);
}

static void
test_fetch_literals(void **state)
{
	static const char *const lines[] = {
		"* 1 FETCH (UID 7 BODY[HEADER.FIELDS (FROM)]<0> {23}\r\n",
		"From: a@example.org\r\n",
		"\r\n",
		")\r\n",
		/* UID after the literal; a literal line that looks like a
		 * response; a literal ending inside a line. */
		"* 2 FETCH (BODY[]<0> {31}\r\n",
		"* 3 FETCH (UID 1 {99}\r\n",
		"A005 OK) UID 9)\r\n",
		"* 4 FETCH (FLAGS (\\Seen) UID 10)\r\n",
		"* 5 FETCH (UID 11 BODY[HEADER.FIELDS (FROM)] {0}\r\n",
		")\r\n",
		"A006 OK Fetch completed.\r\n",
		NULL
	};
	struct imap *im = fresh();
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	im->fn = collect;
	im->arg = &g;
	feed(im, lines);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.uid[0], 7);
	assert_string_equal(g.data[0], "From: a@example.org\r\n\r\n");
	assert_int_equal(g.uid[1], 9);
	assert_string_equal(g.data[1], "* 3 FETCH (UID 1 {99}\r\nA005 OK)");
	assert_int_equal(g.uid[2], 11);
	assert_string_equal(g.data[2], "");
	assert_false(im->in_lit);
	assert_string_equal(imap_words(im), "OK Fetch completed.");
	for (size_t i = 0; i < g.n; i++)
		free(g.data[i]);
	done(im);
}

static void
test_examine_search_list(void **state)
{
	static const char *const examine[] = {
		"* 11 EXISTS\r\n",
		"* OK [UIDVALIDITY 1796287717] UIDs valid\r\n",
		"* OK [UIDNEXT 12] Predicted next UID\r\n",
		"A003 OK [READ-ONLY] Examine completed.\r\n",
		NULL
	};
	static const char *const search[] = {
		"* SEARCH 3 1 40000 2\r\n",
		"* SEARCH\r\n",
		"* SEARCH 99999999999 5\r\n",
		NULL
	};
	static const char *const list[] = {
		"* LIST (\\HasNoChildren) \".\" INBOX\r\n",
		"* LIST (\\HasNoChildren \\Sentinel) \".\" \"Fake\"\r\n",
		"* LIST (\\HasNoChildren \\Sent) \".\" \"Gesendete \\\"Objekte\\\"\"\r\n",
		"* LIST (\\Sent) \".\" Sent\r\n",
		NULL
	};
	struct imap *im = fresh();

	(void)state;
	feed(im, examine);
	assert_int_equal(im->uidvalidity, 1796287717u);
	assert_int_equal(im->uidnext, 12);
	feed(im, search);
	assert_int_equal(im->nuids, 5);
	assert_int_equal(im->uids[0], 3);
	assert_int_equal(im->uids[2], 40000);
	assert_int_equal(im->uids[4], 5);	/* the oversized one dropped */
	im->want_attr = "\\Sent";
	feed(im, list);
	assert_string_equal(im->found, "Gesendete \"Objekte\"");
	done(im);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_literals),
		cmocka_unit_test(test_examine_search_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
