/*
 * deliver.h - one delivery interface, two backends.
 *
 * The backend is chosen by [delivery] url: maildir:PATH (maildir.c) or
 * smtp:// / smtps:// (smtp.c, which with imap.c includes curl/curl.h).
 * A struct deliverer keeps one SMTP connection for a batch; after any
 * error the next message goes on a fresh connection.  The EHLO name is
 * [delivery] helo when set, else the domain of the sender address.
 */
#ifndef TOUCHBASE_DELIVER_H
#define TOUCHBASE_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "reply.h"
#include "settings.h"

/*
 * Results (enum deliver_result, reply.h) and what the caller does:
 *   OK        the message is sent.
 *   PERMFAIL  this message failed for good (5xx to RCPT TO, DATA or the
 *             final dot; an invalid recipient address or key).
 *   TEMPFAIL  this message failed for now (4xx to RCPT TO, DATA or the
 *             final dot; a timeout or a dropped connection after MAIL
 *             FROM; a Maildir write error): retry it later; the next
 *             message of the pass may go.
 *   SESSION   the session failed, not the message: connection refused or
 *             timed out, no greeting within `timeout`, TLS handshake
 *             failed, a refusal of the greeting or EHLO, a timeout before
 *             MAIL FROM.
 *   CONFIG    the configuration is wrong: AUTH refused, STARTTLS not
 *             offered, certificate verification failed, unusable
 *             ca_file, the sender refused (5xx to MAIL FROM), tls = none
 *             for a non-loopback host, an unusable Maildir folder.
 * Both SESSION and CONFIG mean "nothing else of this pass can go either":
 * the caller defers this message (never marks it failed) and defers the
 * rest of the pass at once, without trying another message.  After a
 * SESSION or CONFIG result deliver_send() has made exactly one connection
 * (and at most one AUTH attempt); it never retries by itself.
 */

struct deliverer;

/* Prepares a deliverer for the settings.  With a username it reads the
 * password from the systemd credential $CREDENTIALS_DIRECTORY/smtp-password
 * when that holds one, else from password_file (a blank credential, the
 * shipped unit's fallback for a missing source file, counts as none),
 * refusing a file readable by group or others.  Returns NULL with *err
 * allocated on a configuration problem. */
struct deliverer *deliver_new(const struct settings *s, char **err);
void	 deliver_free(struct deliverer *d);
/* Sends msg (CRLF bytes) from the sender address to rcpts (to, then bcc).
 * Every address is validated before it reaches the backend.  key names
 * the send-log row stably across attempts (the caller makes it from the
 * row id and the Message-ID): 1-200 bytes of [A-Za-z0-9._-], anything
 * else is refused with PERMFAIL; NULL (test-mail) means no idempotence.
 * The Maildir backend writes a message only once per key (maildir.h);
 * SMTP ignores it.  reply is filled (free text with deliver_reply_clear).
 * Results: see above. */
enum deliver_result deliver_send(struct deliverer *d, const char *from,
	    const char *const *rcpts, size_t nrcpts, const char *msg,
	    size_t len, const char *key, struct deliver_reply *reply);
void	 deliver_reply_clear(struct deliver_reply *r);
/* Reads a password file (password_file or the systemd credential
 * smtp-password): opened with O_NOFOLLOW, it must be a regular file with
 * no permission bit for group or others; one trailing newline (LF or
 * CRLF) is stripped; it must not be empty or hold a second line.  Returns
 * 0 and *password (allocated; wipe and free it), or -1 with *err
 * allocated, e.g. "password file X is readable by others (mode 0644):
 * chmod 600 X".  With password NULL the file is only checked (the same
 * rule behind `touchbase check`). */
int	 deliver_read_password(const char *path, char **password,
	    char **err);
/* Whether the credential file at path holds no password at all: it is
 * missing, or holds only a line end (the shipped units' SetCredential=
 * fallback when the LoadCredential= source does not exist).  The same
 * rule for smtp-password and imap-password. */
bool	 deliver_credential_blank(const char *path);

#endif
