/*
 * message.h - RFC 5322 / MIME bytes.  Pure.
 *
 * message_build() turns the parts of a greeting into the exact bytes the
 * delivery sends: CRLF line ends, no line over 998 octets, headers in a
 * fixed order, non-ASCII display names and Subject as RFC 2047 encoded
 * words, text in quoted-printable UTF-8, optional HTML alternative with
 * inline images (multipart/related, base64).  Any header value with CR,
 * LF, NUL or another control character is refused.
 */
#ifndef TOUCHBASE_MESSAGE_H
#define TOUCHBASE_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "template.h"

struct message_in {
	const char	*from_name;	/* may be NULL or "" */
	const char	*from_addr;
	const char	*to_name;	/* may be NULL or "" */
	const char	*to_addr;
	const char	*reply_to;	/* NULL: no header */
	const char	*subject;
	const char	*text;		/* UTF-8, LF or CRLF line ends */
	const char	*html;		/* NULL: text only */
	const struct template_image *images;
	size_t		 nimages;
	const char	*list_unsubscribe; /* full value "<mailto:…>" or NULL */
	int64_t		 date;		/* UTC instant */
	int		 utc_offset;	/* seconds, for the Date header */
	const char	*message_id;	/* "<…@domain>" */
	const char	*boundary_seed;	/* makes MIME boundaries
					   deterministic; NULL: from id */
};

/* Appends the message to out.  Returns 0, or -1 with *err allocated. */
int	 message_build(const struct message_in *in, struct buf *out,
	    char **err);

/* Whether message_build() would accept in: 0, or -1 with *err allocated
 * in the same words.  Encodes nothing: `check` proves every client's
 * values this way and builds each template's bytes once. */
int	 message_check(const struct message_in *in, char **err);
/* The subject's part of message_check(): not empty, fit for a header. */
int	 message_check_subject(const char *subject, char **err);

/* Building blocks, exposed for tests and for the composer. */
/* RFC 2047 encoded words (B or Q, UTF-8) for a header of name hname,
 * folded so no line exceeds 78 octets; ASCII text is passed through. */
void	 message_encode_header(struct buf *out, const char *hname,
	    const char *value);
/* Quoted-printable per RFC 2045 with CRLF line ends. */
void	 message_qp(struct buf *out, const char *text, size_t len);
/* RFC 5322 date, e.g. "Sun, 28 Feb 2027 09:00:00 +0100", C locale. */
void	 message_format_date(int64_t utc, int offset, char out[static 40]);
/* A new Message-ID "<YYYYMMDDhhmmss.HEX16@domain>": the current UTC time
 * and 64 random bits from getrandom(2).  The one function of this module
 * that reads the clock and the kernel; fatal only if getrandom fails.
 * The caller frees the result. */
char	*message_new_id(const char *domain);

#endif
