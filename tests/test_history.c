/*
 * test_history.c - the in-memory history: lookups, order, replacement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "history.h"

/* A record through the real path: the client, then its occurrence. */
static const struct history_record *
find(const struct history *h, const char *client, const char *occurrence)
{
	return history_client_find(h, history_client(h, client), occurrence);
}

/* The latest instant a message to the client was accepted, from its
 * records (what the planner counts as the last contact by mail). */
static int64_t
last_sent(const struct history_client *hc)
{
	int64_t last = HISTORY_NONE;

	for (size_t i = 0; hc != NULL && i < hc->nrecords; i++)
		if (hc->records[i].status == ST_SENT &&
		    hc->records[i].sent > last)
			last = hc->records[i].sent;
	return last;
}

static struct history_record
rec(const char *occ, enum msg_status st, int64_t due, int64_t sent,
    const char *tmpl)
{
	struct history_record r;

	r.occurrence = (char *)occ;
	r.occasion = (char *)"birthday";
	r.status = st;
	r.due = due;
	r.sent = sent;
	r.template_file = (char *)tmpl;
	return r;
}

static void
test_unknown_client(void **state)
{
	struct history *h = history_new();

	(void)state;
	assert_null(history_client(h, "anna-mueller"));
	assert_null(find(h, "anna-mueller", "birthday/2027"));
	assert_int_equal(last_sent(history_client(h, "anna")),
	    HISTORY_NONE);
	history_free(h);
	history_free(NULL);
}

static void
test_client_fields(void **state)
{
	struct history *h = history_new();
	const struct history_client *hc;

	(void)state;
	/* 2027-01-10 00:00 UTC and later. */
	history_set_first_seen(h, "anna-mueller", 1799539200);
	history_add_touch(h, "anna-mueller", 1799600000);
	history_add_touch(h, "anna-mueller", 1799550000);	/* older */
	history_set_optout(h, "bob", 1799700000);
	hc = history_client(h, "anna-mueller");
	assert_non_null(hc);
	assert_string_equal(hc->id, "anna-mueller");
	assert_int_equal(hc->first_seen, 1799539200);
	assert_int_equal(hc->last_touch, 1799600000);
	assert_int_equal(hc->optout, HISTORY_NONE);
	assert_int_equal(hc->nrecords, 0);
	hc = history_client(h, "bob");
	assert_non_null(hc);
	assert_int_equal(hc->optout, 1799700000);
	assert_int_equal(hc->first_seen, HISTORY_NONE);
	assert_int_equal(hc->last_touch, HISTORY_NONE);
	history_free(h);
}

static void
test_records_sorted_and_found(void **state)
{
	struct history *h = history_new();
	const struct history_client *hc;
	const struct history_record *r;
	struct history_record in;

	(void)state;
	in = rec("birthday/2026", ST_SENT, 300, 310, "birthday.de.txt");
	history_add_record(h, "anna", &in);
	in = rec("checkin/2026-01-05", ST_SKIPPED, 100, HISTORY_NONE, NULL);
	history_add_record(h, "anna", &in);
	in = rec("advent/2026", ST_SENT, 200, 205, "season.de.2.txt");
	history_add_record(h, "anna", &in);
	hc = history_client(h, "anna");
	assert_int_equal(hc->nrecords, 3);
	/* Out-of-order adds end up sorted by due. */
	assert_string_equal(hc->records[0].occurrence, "checkin/2026-01-05");
	assert_string_equal(hc->records[1].occurrence, "advent/2026");
	assert_string_equal(hc->records[2].occurrence, "birthday/2026");
	/* and each is still found after the shifts. */
	r = find(h, "anna", "advent/2026");
	assert_non_null(r);
	assert_int_equal(r->due, 200);
	assert_string_equal(r->template_file, "season.de.2.txt");
	r = find(h, "anna", "checkin/2026-01-05");
	assert_non_null(r);
	assert_int_equal(r->status, ST_SKIPPED);
	assert_null(r->template_file);
	assert_null(find(h, "anna", "birthday/2027"));
	assert_null(find(h, "bob", "birthday/2026"));
	/* The latest accepted message, not the latest due. */
	assert_int_equal(last_sent(hc), 310);
	history_free(h);
}

static void
test_record_replaced(void **state)
{
	struct history *h = history_new();
	const struct history_client *hc;
	struct history_record in;

	(void)state;
	in = rec("birthday/2027", ST_QUEUED, 500, HISTORY_NONE, NULL);
	history_add_record(h, "anna", &in);
	in = rec("advent/2026", ST_SENT, 400, 401, NULL);
	history_add_record(h, "anna", &in);
	in = rec("birthday/2027", ST_SENT, 100, 600, "birthday.de.txt");
	history_add_record(h, "anna", &in);
	hc = history_client(h, "anna");
	assert_int_equal(hc->nrecords, 2);
	assert_string_equal(hc->records[0].occurrence, "birthday/2027");
	assert_int_equal(hc->records[0].status, ST_SENT);
	assert_int_equal(find(h, "anna", "birthday/2027")->sent, 600);
	assert_int_equal(find(h, "anna", "advent/2026")->due, 400);
	assert_int_equal(last_sent(hc), 600);
	history_free(h);
}

/* Adding through the client handed out is adding by its id: sorted,
 * found, a second add of an occurrence replaces the first, and the other
 * clients keep theirs. */
static void
test_add_to_client(void **state)
{
	struct history *h = history_new();
	const struct history_client *hc, *ben;
	struct history_record in;

	(void)state;
	in = rec("birthday/2027", ST_SENT, 500, 501, "birthday.de.txt");
	history_add_record(h, "anna", &in);
	history_add_record(h, "ben", &in);
	hc = history_client(h, "anna");
	in = rec("advent/2026", ST_SENT, 400, 401, "advent.de.txt");
	history_client_add_record(h, hc, &in);
	in = rec("birthday/2027", ST_QUEUED, 700, HISTORY_NONE, NULL);
	history_client_add_record(h, hc, &in);
	in = rec("checkin/1", ST_SENT, 800, 801, "c.de.2.txt");
	history_client_add_record(h, hc, &in);
	assert_ptr_equal(history_client(h, "anna"), hc);
	assert_int_equal(hc->nrecords, 3);
	assert_string_equal(hc->records[0].occurrence, "advent/2026");
	assert_string_equal(hc->records[1].occurrence, "birthday/2027");
	assert_int_equal(hc->records[1].status, ST_QUEUED);
	assert_null(hc->records[1].template_file);
	assert_string_equal(hc->records[2].template_file, "c.de.2.txt");
	assert_int_equal(find(h, "anna", "checkin/1")->due, 800);
	assert_int_equal(find(h, "anna", "birthday/2027")->due, 700);
	ben = history_client(h, "ben");
	assert_int_equal(ben->nrecords, 1);
	assert_int_equal(find(h, "ben", "birthday/2027")->status, ST_SENT);
	assert_null(find(h, "ben", "checkin/1"));
	history_free(h);
}

/* Keys that would collide if client and occurrence were just joined. */
static void
test_no_key_confusion(void **state)
{
	struct history *h = history_new();
	struct history_record in;

	(void)state;
	in = rec("b/c", ST_SENT, 1, 1, NULL);
	history_add_record(h, "a", &in);
	assert_non_null(find(h, "a", "b/c"));
	assert_null(find(h, "a/b", "c"));
	assert_null(find(h, "ab", "/c"));
	history_free(h);
}

static void
test_many_clients(void **state)
{
	struct history *h = history_new();
	char id[32], key[32];

	(void)state;
	for (int i = 0; i < 100000; i++) {
		struct history_record in;

		snprintf(id, sizeof(id), "client-%06d", i);
		snprintf(key, sizeof(key), "birthday/%d", 2000 + i % 30);
		in = rec(key, ST_SENT, i, i + 1, NULL);
		history_set_first_seen(h, id, i);
		history_add_record(h, id, &in);
	}
	for (int i = 0; i < 100000; i += 997) {
		const struct history_client *hc;

		snprintf(id, sizeof(id), "client-%06d", i);
		snprintf(key, sizeof(key), "birthday/%d", 2000 + i % 30);
		hc = history_client(h, id);
		assert_non_null(hc);
		assert_int_equal(hc->first_seen, i);
		assert_non_null(find(h, id, key));
		assert_int_equal(find(h, id, key)->sent, i + 1);
	}
	assert_null(history_client(h, "client-100000"));
	history_free(h);
}

static void
test_status_names(void **state)
{
	static const char *const names[] = { "queued", "sent", "deferred",
	    "failed", "skipped", "missed" };
	enum msg_status st;

	(void)state;
	for (int i = 0; i < 6; i++) {
		assert_string_equal(history_status_name((enum msg_status)i),
		    names[i]);
		assert_int_equal(history_parse_status(names[i], &st), 0);
		assert_int_equal(st, i);
	}
	assert_int_equal(history_parse_status("Sent", &st), -1);
	assert_int_equal(history_parse_status("", &st), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_client),
		cmocka_unit_test(test_client_fields),
		cmocka_unit_test(test_records_sorted_and_found),
		cmocka_unit_test(test_record_replaced),
		cmocka_unit_test(test_add_to_client),
		cmocka_unit_test(test_no_key_confusion),
		cmocka_unit_test(test_many_clients),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
