/*
 * smtp.h - SMTP submission through libcurl.
 *
 * The SMTP backend of deliver.h; with imap.c (IMAP, inbox.h) one of the
 * two modules that include curl/curl.h.  One struct smtp holds one
 * libcurl handle, so consecutive
 * smtp_send() calls share one connection (MAIL FROM … QUIT only at
 * smtp_free).  After any result but DELIVER_OK
 * the connection is shut down and the next message goes on a fresh one:
 * libcurl 7.88 keeps a connection after a timeout or an error reply to the
 * final dot, and would read a late reply as the answer to its next command.
 *
 * Timeouts: `timeout` bounds connecting, the TLS handshake and the wait
 * for every reply (measured from the command, so a trickling server is cut
 * off too) and any stall of the upload; the reply to the final dot may
 * take `final_timeout` (RFC 5321 4.5.3.2.6 asks for 10 minutes: a server
 * may run filters then, and giving up early causes duplicates).  A whole
 * transaction is capped at final_timeout + 10 * timeout.
 *
 * The step of the dialogue is tracked from libcurl's callbacks and the
 * reply codes (never from its debug text), so every outcome names the
 * command it came from.
 *
 * Outcomes (enum deliver_result, reply.h):
 *   OK        250 to the final dot; reply holds it ("250 2.0.0 Ok: …")
 *   PERMFAIL  5xx to RCPT TO (a primary recipient), DATA or the final dot;
 *             552 to MAIL FROM (message too big)
 *   TEMPFAIL  4xx to MAIL FROM, RCPT TO, DATA or the final dot; a timeout
 *             or a dropped connection from MAIL FROM on
 *   SESSION   connection refused or timed out, no greeting within
 *             `timeout`, TLS handshake failed, the greeting or EHLO
 *             refused, a 4xx to STARTTLS or AUTH, any timeout before MAIL
 *             FROM: the session failed, not the message
 *   CONFIG    AUTH refused, STARTTLS not offered, 530 (authentication or
 *             STARTTLS required), certificate verification failed (an
 *             unknown CA, a certificate for another name), unusable
 *             ca_file, a 5xx to MAIL FROM (the sender is refused: every
 *             message would fail the same way), a non-loopback address
 *             with tls = none.  reply->text says what to fix.
 * After SESSION or CONFIG nothing was retried: smtp_send() made one
 * connection and at most one AUTH attempt.
 */
#ifndef TOUCHBASE_SMTP_H
#define TOUCHBASE_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "reply.h"
#include "valid.h"

#define SMTP_FINAL_TIMEOUT	600	/* seconds, RFC 5321 4.5.3.2.6 */

struct smtp_params {
	const char	*host;		/* name or address, [v6] allowed */
	int		 port;
	bool		 implicit_tls;	/* smtps:// */
	bool		 tls;		/* false: tls = none, loopback only */
	const char	*username;	/* NULL: no AUTH */
	const char	*password;	/* with username */
	const char	*ca_file;	/* extra CA bundle or NULL */
	const char	*ca_path;	/* hashed CA folder; NULL: libcurl's
					   default (/etc/ssl/certs on Debian) */
	long		 timeout;	/* seconds, > 0 */
	long		 final_timeout;	/* seconds; 0: SMTP_FINAL_TIMEOUT */
	const char	*helo;		/* the EHLO name, required: a host
					   name or [address literal] */
};

/* Initialises libcurl once and prepares a handle; connects lazily.  The
 * strings are copied.  Returns NULL with *err allocated when the
 * parameters cannot work (tls = none for a non-loopback host; helo NULL,
 * empty, or with a blank or control character). */
struct smtp *smtp_new(const struct smtp_params *p, char **err);
/* Ends the session politely (QUIT; libcurl waits for its reply up to
 * final_timeout) and frees everything; NULL is fine. */
void	 smtp_free(struct smtp *s);
/* One transaction: MAIL FROM:<from>, RCPT TO each of rcpts, DATA msg.
 * The first nprimary recipients are the message's own (To); the rest are
 * copies (the sender's bcc): a refused copy is reported in reply->text
 * and logged, but the message still counts as sent; a refused primary
 * recipient fails the message.  msg may have LF or CRLF line ends: it is
 * sent with CRLF only (libcurl dot-stuffs only after CRLF).  Addresses
 * must be validated by the caller; any byte outside 0x21-0x7e or '<' '>'
 * is refused here again (PERMFAIL) before it could reach libcurl.
 * reply is filled (deliver_reply_clear). */
enum deliver_result smtp_send(struct smtp *s, const char *from,
	    const char *const *rcpts, size_t nrcpts, size_t nprimary,
	    const char *msg, size_t len, struct deliver_reply *reply);

/* Whether msg has CRLF line ends only and ends with CRLF (or is empty). */
bool	 smtp_crlf_clean(const char *msg, size_t len);
/* Appends msg to out with every bare LF and bare CR turned into CRLF and
 * a final CRLF added when missing. */
void	 smtp_crlf_normalize(struct buf *out, const char *msg, size_t len);

#endif
