/*
 * mailparse.h - what touchbase needs from one mail: its header fields and,
 * for a delivery status notification (RFC 3464), the report.
 *
 * Pure: bytes in, a struct mail out; no I/O, no clock.  Mail is hostile
 * input: every length is bounded, every value is kept only when it is
 * printable ASCII (a Message-ID, an address) or is used only for a
 * comparison (the subject).  Nothing parsed here may reach a header or an
 * SMTP command touchbase sends, and nothing does: the results are looked
 * up in the send log and the book, and stored.
 */
#ifndef TOUCHBASE_MAILPARSE_H
#define TOUCHBASE_MAILPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAILPARSE_MAX_ADDRS	100	/* To + Cc kept */
#define MAILPARSE_MAX_REFS	100	/* In-Reply-To + References kept */
#define MAILPARSE_MAX_RCPTS	50	/* DSN recipient groups kept */
#define MAILPARSE_MAX_TEXT	500	/* bytes of a Status/Diagnostic kept */

/* One recipient group of a DSN. */
struct mail_dsn_rcpt {
	char		*recipient;	/* Final-Recipient address, or NULL */
	char		*action;	/* "failed", "delayed"...: lowercased */
	char		*status;	/* "5.1.1", or NULL when malformed */
	char		*diagnostic;	/* Diagnostic-Code, or NULL */
};

struct mail {
	char		*message_id;	/* "<id>", NULL when missing/bad */
	bool		 message_id_dup; /* two Message-ID fields: the first
					   is kept */
	int64_t		 date;		/* UTC seconds; INT64_MIN when
					   missing or unreadable */
	char		*from;		/* address, NULL when none/bad */
	char		**to;		/* To and Cc addresses */
	size_t		 nto;
	bool		 unsubscribe;	/* Subject is "unsubscribe" after
					   Re:/AW:/Fwd: prefixes */
	char		**refs;		/* In-Reply-To then References ids */
	size_t		 nrefs;
	bool		 auto_reply;	/* Auto-Submitted other than "no" */

	bool		 is_dsn;	/* multipart/report;
					   report-type=delivery-status */
	char		*orig_message_id; /* from the returned headers */
	char		*orig_envelope_id;
	int64_t		 arrival;	/* Arrival-Date, or INT64_MIN */
	struct mail_dsn_rcpt *rcpts;
	size_t		 nrcpts;
};

/*
 * Parses the header block at the start of data (up to the first empty
 * line, or all of it) and, when the mail is a DSN and the body follows,
 * its parts.  data need not be NUL-terminated; LF and CRLF line ends are
 * both read.  Always fills m (clear it with mailparse_clear); never
 * fails: what cannot be read stays NULL.
 */
void	 mailparse_message(const char *data, size_t len, struct mail *m);
void	 mailparse_clear(struct mail *m);

/* An RFC 5322 date-time ("Thu, 3 Dec 2026 08:31:30 +0100", obsolete
 * zones and two-digit years too) as UTC seconds.  Returns 0, or -1. */
int	 mailparse_date(const char *s, int64_t *out);
/* Whether a subject (RFC 2047 encoded words decoded) reads "unsubscribe"
 * in any case after any number of Re:/AW:/Fwd:/Fw:/WG: prefixes. */
bool	 mailparse_is_unsubscribe(const char *subject);

#endif
