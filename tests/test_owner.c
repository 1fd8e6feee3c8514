/*
 * test_owner.c - the owner's say in memory (owner.c), [owner] digest
 * (settings.c) and the report's and digest's drawing (report.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "history.h"
#include "owner.h"
#include "report.h"
#include "settings.h"
#include "timeutil.h"

static void
test_owner_find(void **state)
{
	struct owner o;
	const struct owner_say *s;

	(void)state;
	owner_init(&o);
	assert_null(owner_find(&o, "anna", "birthday/2027"));
	assert_null(owner_find(NULL, "anna", "birthday/2027"));
	owner_get(&o, "zora", "checkin/2027-03-04")->approved = 5;
	owner_get(&o, "anna", "birthday/2027")->held = 7;
	owner_get(&o, "anna", "birthday/2028");
	owner_get(&o, "zora", "checkin/2027-03-04")->waiting = 9;
	assert_int_equal(o.n, 3);
	s = owner_find(&o, "zora", "checkin/2027-03-04");
	assert_non_null(s);
	assert_int_equal(s->approved, 5);
	assert_int_equal(s->waiting, 9);
	assert_int_equal(s->held, HISTORY_NONE);
	s = owner_find(&o, "anna", "birthday/2027");
	assert_int_equal(s->held, 7);
	assert_int_equal(s->approved, HISTORY_NONE);
	assert_null(owner_find(&o, "anna", "birthday/2029"));
	owner_free(&o);
	assert_int_equal(o.n, 0);
}

/* The id is FNV-1a 32 of "client/occurrence", 8 hex digits. */
static void
test_owner_id(void **state)
{
	char a[9], b[9];

	(void)state;
	owner_id("anna-mueller", "birthday/2027", a);
	assert_int_equal(strlen(a), 8);
	assert_string_equal(a, "a58650f8");
	owner_id("anna-mueller", "birthday/2028", b);
	assert_string_not_equal(a, b);
	owner_id("anna-muelle", "rbirthday/2027", b);
	assert_string_not_equal(a, b);
}

static void
test_digest_setting(void **state)
{
	struct settings_digest d;

	(void)state;
	assert_int_equal(settings_parse_digest("off", &d), 0);
	assert_false(d.on);
	assert_int_equal(settings_parse_digest("daily 07:30", &d), 0);
	assert_true(d.on);
	assert_int_equal(d.weekday, -1);
	assert_int_equal(d.minute, 7 * 60 + 30);
	assert_int_equal(settings_parse_digest("Mon 08:00", &d), 0);
	assert_int_equal(d.weekday, 0);
	assert_int_equal(d.minute, 480);
	assert_int_equal(settings_parse_digest("Sun 23:59", &d), 0);
	assert_int_equal(d.weekday, 6);
	assert_int_equal(d.minute, 23 * 60 + 59);
	assert_int_equal(settings_parse_digest("Mon 24:00", &d), -1);
	assert_int_equal(settings_parse_digest("Mon 8:00", &d), -1);
	assert_int_equal(settings_parse_digest("weekly", &d), -1);
	assert_int_equal(settings_parse_digest("daily 07:30x", &d), -1);
	assert_int_equal(settings_parse_digest("Monday 08:00", &d), -1);
	assert_int_equal(settings_parse_digest("", &d), -1);
}

static void
test_settings_owner(void **state)
{
	const char ini[] = "[sender]\naddress = a@b.example\n"
	    "[owner]\ndigest = Fri 16:00\napproval = required\n";
	const char bad[] = "[sender]\naddress = a@b.example\n"
	    "[owner]\ndigest = sometimes\napproval = maybe\n";
	struct settings *s = NULL;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(settings_load_buffer("/x/t.ini", ini, strlen(ini),
	    &s, &d), 0);
	assert_string_equal(s->owner_address, "a@b.example");
	assert_true(s->digest.on);
	assert_int_equal(s->digest.weekday, 4);
	assert_true(s->approval_required);
	settings_free(s);
	s = NULL;
	assert_int_equal(settings_load_buffer("/x/t.ini", bad, strlen(bad),
	    &s, &d), -1);
	assert_null(s);
	assert_int_equal(d.errors, 2);
	diag_free(&d);
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s++;
	}
	return n;
}

/* A page with one client whose name is markup. */
static void
fill(struct report *r, struct report_client *c, struct report_msg *m)
{
	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	memset(m, 0, sizeof(*m));
	r->lang = "en";
	r->sender_name = "Studio \"A\" & B";
	r->today = timeutil_days_from_civil(2027, 3, 1);
	strcpy(r->now_text, "2027-03-01 08:00");
	r->daily_limit = 20;
	r->approval_required = true;
	r->nclients = 1;
	c->id = "x";
	c->name = "<script>alert(1)</script>";
	c->last_contact = r->today - 40;
	c->source = REPORT_SRC_TOUCH;
	c->last_message = c->next_planned = HISTORY_NONE;
	c->held = true;
	r->clients = c;
	r->nclients_rows = 1;
	m->day = r->today + 2;
	m->minute = 9 * 60;
	m->client = "x";
	m->name = c->name;
	m->occasion = "birthday";
	m->occurrence = "birthday/2027";
	m->say = PLAN_SAY_AWAITING;
	strcpy(m->id, "0123abcd");
	r->msgs = m;
	r->nmsgs = 1;
	r->waiting = m;
	r->nwaiting = 1;
	r->from_day = r->today;
	r->days = 7;
}

static void
test_report_escapes(void **state)
{
	struct report r;
	struct report_client c;
	struct report_msg m;
	size_t q = 0;
	struct buf b;

	(void)state;
	fill(&r, &c, &m);
	r.quiet = &q;
	r.nquiet = 1;
	buf_init(&b);
	report_html(&r, &b);
	buf_addc(&b, '\0');
	assert_null(strstr(b.data, "<script"));
	assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(b.data, "Studio &quot;A&quot; &amp; B"));
	assert_non_null(strstr(b.data, "<li><b>1</b>clients</li>"));
	assert_non_null(strstr(b.data, "<span class=\"st\">held</span>"));
	assert_non_null(strstr(b.data, "<td class=\"n\">40</td>"));
	/* No URL but the SVG namespace (a name, never fetched). */
	assert_int_equal(count(b.data, "http"),
	    count(b.data, "http://www.w3.org/2000/svg"));
	assert_int_equal(count(b.data, "<svg"), 2);
	buf_free(&b);
}

static void
test_digest_text(void **state)
{
	struct report r;
	struct report_client c;
	struct report_msg m;
	size_t q = 0;
	struct buf b;
	char *subj;

	(void)state;
	fill(&r, &c, &m);
	r.quiet = &q;
	r.nquiet = 1;
	r.last[REPORT_SENT] = 3;
	r.last[REPORT_BOUNCED] = 1;
	buf_init(&b);
	report_digest_text(&r, "2027-W09", &b);
	buf_addc(&b, '\0');
	assert_string_equal(b.data,
	    "touchbase digest 2027-W09\n\n"
	    "Going out in the coming period:\n"
	    "  2027-03-03 09:00  <script>alert(1)</script>  birthday/2027"
	    "  awaiting approval\n\n"
	    "Awaiting your approval:\n"
	    "  2027-03-03 09:00  <script>alert(1)</script>  birthday/2027\n"
	    "    touchbase approve 0123abcd\n"
	    "  to approve everything up to a day: touchbase approve --until "
	    "YYYY-MM-DD\n\n"
	    "The last period:\n"
	    "  sent           3\n"
	    "  deferred       0\n"
	    "  failed         0\n"
	    "  bounced        1\n"
	    "  replied        0\n\n"
	    "Quiet the longest:\n"
	    "  <script>alert(1)</script>  2027-01-20 (touch)\n");
	buf_reset(&b);
	report_digest_html(&r, "2027-W09", &b);
	buf_addc(&b, '\0');
	assert_null(strstr(b.data, "<script"));
	assert_non_null(strstr(b.data, "<code>touchbase approve 0123abcd</code>"));
	subj = report_digest_subject(&r, "2027-W09");
	assert_string_equal(subj, "touchbase digest 2027-W09: 1 planned, 1 "
	    "awaiting approval");
	free(subj);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_find),
		cmocka_unit_test(test_owner_id),
		cmocka_unit_test(test_digest_setting),
		cmocka_unit_test(test_settings_owner),
		cmocka_unit_test(test_report_escapes),
		cmocka_unit_test(test_digest_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
