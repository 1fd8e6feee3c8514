/*
 * deliver.h - one delivery interface, two backends.
 *
 * The backend is chosen by [delivery] url: maildir:PATH (maildir.c) or
 * smtp:// / smtps:// (smtp.c, the only module that includes curl/curl.h).
 * A struct deliverer keeps one SMTP connection for a batch; after any
 * error the next message goes on a fresh connection.
 */
#ifndef TOUCHBASE_DELIVER_H
#define TOUCHBASE_DELIVER_H

#include <stddef.h>

#include "settings.h"

enum deliver_result {
	DELIVER_OK,		/* accepted: sent */
	DELIVER_TEMPFAIL,	/* 4xx, connection, TLS, timeout: retry */
	DELIVER_PERMFAIL,	/* 5xx: failed, never retried */
	DELIVER_CONFIG		/* AUTH refused, no STARTTLS, unreadable or
				   unsafe password file …: stays deferred,
				   logged loudly, never marks failed */
};

struct deliver_reply {
	int	 code;		/* SMTP reply code, 0 when none */
	char	*text;		/* server reply or local explanation */
};

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
 * Every address is validated before it reaches the backend.  reply is
 * filled (free text with deliver_reply_clear). */
enum deliver_result deliver_send(struct deliverer *d, const char *from,
	    const char *const *rcpts, size_t nrcpts, const char *msg,
	    size_t len, struct deliver_reply *reply);
void	 deliver_reply_clear(struct deliver_reply *r);
const char *deliver_result_name(enum deliver_result r);
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
/* Classifies an SMTP reply code: 2xx OK, 4xx TEMPFAIL, 5xx PERMFAIL,
 * anything else TEMPFAIL. */
enum deliver_result deliver_classify(int code);

#endif
