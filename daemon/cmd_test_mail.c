/*
 * cmd_test_mail.c - `touchbase test-mail ADDRESS`: one short message
 * through the configured delivery, and the server's reply.
 *
 * Reads touchbase.ini only: delivery can be tested before the book and
 * the templates are written.  Nothing is recorded in the send log.
 */
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "deliver.h"
#include "diag.h"
#include "message.h"
#include "settings.h"
#include "tz.h"
#include "valid.h"
#include "xalloc.h"

#define TEST_MAIL_USAGE "usage: touchbase [-c FILE] test-mail ADDRESS\n"

static const char test_mail_text_de[] =
    "Dies ist eine Testnachricht von touchbase.\n"
    "\n"
    "Wenn sie angekommen ist, funktioniert der Versand über %s.\n";
static const char test_mail_text_en[] =
    "This is a test message from touchbase.\n"
    "\n"
    "If it arrived, delivery through %s works.\n";

/* Where the message goes, without any secret, for the text and output. */
static char *
test_mail_where(const struct settings *s)
{
	if (s->delivery == DELIVERY_MAILDIR)
		return xasprintf("maildir:%s", s->maildir);
	return xasprintf("%s://%s:%d", s->delivery == DELIVERY_SMTPS ?
	    "smtps" : "smtp", s->smtp_host, s->smtp_port);
}

static int
test_mail_build(const struct settings *s, const char *to, const char *where,
    struct buf *out)
{
	struct message_in in;
	struct tzdb *db = tzdb_new();
	const struct tz *z;
	char *text, *id, *err = NULL;
	int64_t now = (int64_t)time(NULL);
	int rc;

	z = tzdb_get(db, s->timezone != NULL ? s->timezone : "UTC", NULL);
	memset(&in, 0, sizeof(in));
	in.from_name = s->sender_name;
	in.from_addr = s->sender_address;
	in.to_addr = to;
	in.reply_to = s->reply_to;
	if (s->language != NULL && strcmp(s->language, "de") == 0) {
		in.subject = "touchbase: Testnachricht";
		text = xasprintf(test_mail_text_de, where);
	} else {
		in.subject = "touchbase: test message";
		text = xasprintf(test_mail_text_en, where);
	}
	in.text = text;
	in.date = now;
	in.utc_offset = z != NULL ? tz_offset_at(z, now, NULL) : 0;
	id = message_new_id(s->sender_domain);
	in.message_id = id;
	rc = message_build(&in, out, &err);
	if (rc == -1) {
		fprintf(stderr, "touchbase test-mail: cannot build the test "
		    "message: %s\n", err != NULL ? err : "?");
		free(err);
	}
	free(text);
	free(id);
	tzdb_free(db);
	return rc;
}

int
cmd_test_mail(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct settings *s = NULL;
	struct deliverer *d = NULL;
	struct deliver_reply reply = { 0, NULL };
	enum deliver_result r;
	struct diag dg;
	struct buf msg;
	const char *to, *rcpts[1];
	char *err = NULL, *where = NULL;
	int ch, status = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(TEST_MAIL_USAGE, stdout);
			return 0;
		}
		fputs(TEST_MAIL_USAGE, stderr);
		return 2;
	}
	if (argc - optind != 1) {
		fputs(TEST_MAIL_USAGE, stderr);
		return 2;
	}
	to = argv[optind];
	if (valid_address(to, &err) == -1) {
		fprintf(stderr, "touchbase test-mail: %s\n", err);
		free(err);
		return 1;
	}
	buf_init(&msg);
	diag_init(&dg);
	if (settings_load(config, &s, &dg) == -1) {
		diag_print(&dg, stderr);
		goto out;
	}
	diag_print(&dg, stderr);	/* warnings */
	/* A server closing the connection must not end us in a write. */
	signal(SIGPIPE, SIG_IGN);
	where = test_mail_where(s);
	if (test_mail_build(s, to, where, &msg) == -1)
		goto out;
	if ((d = deliver_new(s, &err)) == NULL) {
		fprintf(stderr, "touchbase test-mail: not sent: delivery is "
		    "not configured correctly: %s\n", err);
		goto out;
	}
	rcpts[0] = to;
	r = deliver_send(d, s->sender_address, rcpts, 1, msg.data, msg.len,
	    NULL, &reply);
	switch (r) {
	case DELIVER_OK:
		printf("sent to %s via %s: %s\n", to, where,
		    reply.text != NULL ? reply.text : "");
		status = 0;
		break;
	case DELIVER_PERMFAIL:
		fprintf(stderr, "touchbase test-mail: not sent to %s via %s: "
		    "%s\n(a permanent failure: a greeting would be marked "
		    "failed)\n", to, where, reply.text);
		break;
	case DELIVER_TEMPFAIL:
		fprintf(stderr, "touchbase test-mail: not sent to %s via %s: "
		    "%s\n(a temporary failure: a greeting would be deferred "
		    "and retried)\n", to, where, reply.text);
		break;
	case DELIVER_SESSION:
		fprintf(stderr, "touchbase test-mail: not sent to %s via %s: "
		    "%s\n(the server could not be reached or refused the "
		    "session: greetings would stay deferred and be retried)\n",
		    to, where, reply.text);
		break;
	case DELIVER_CONFIG:
		fprintf(stderr, "touchbase test-mail: not sent to %s via %s: "
		    "%s\n(a configuration problem: fix [delivery] in %s; "
		    "greetings stay deferred until then)\n", to, where,
		    reply.text, config);
		break;
	}
out:
	deliver_reply_clear(&reply);
	deliver_free(d);
	settings_free(s);
	diag_free(&dg);
	buf_free(&msg);
	free(where);
	free(err);
	return status;
}
