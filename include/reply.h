/*
 * reply.h - what a delivery attempt comes back with: the result types
 * shared by deliver.h and its two backends (smtp.h, maildir.h), and the
 * classification of an SMTP reply code.
 *
 * The types live here, not in deliver.h, so that the backends depend only
 * on this header and deliver.c alone depends on the backends: the include
 * and call graph of the delivery modules has no cycle.
 */
#ifndef TOUCHBASE_REPLY_H
#define TOUCHBASE_REPLY_H

enum deliver_result {
	DELIVER_OK,		/* accepted: sent */
	DELIVER_TEMPFAIL,	/* this message, temporarily (4xx to RCPT
				   TO, DATA or the final dot; a timeout or
				   a dropped connection mid-message): retry
				   it later */
	DELIVER_PERMFAIL,	/* this message, for good (5xx): never
				   retried */
	DELIVER_CONFIG,		/* the configuration: AUTH refused, no
				   STARTTLS, certificate not verified,
				   sender refused, unreadable or unsafe
				   password file …: stays deferred, logged
				   loudly, never marks failed */
	DELIVER_SESSION		/* the session, not the message: connection
				   refused or timed out, no greeting, TLS
				   handshake failed, greeting or EHLO
				   refused: stays deferred */
};

struct deliver_reply {
	int	 code;		/* SMTP reply code, 0 when none */
	char	*text;		/* server reply or local explanation */
};

/* Classifies an SMTP reply code: 2xx OK, 4xx TEMPFAIL, 5xx PERMFAIL,
 * anything else TEMPFAIL. */
enum deliver_result reply_classify(int code);

#endif
