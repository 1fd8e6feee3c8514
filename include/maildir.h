/*
 * maildir.h - the Maildir backend of deliver.h (the embedded default).
 *
 * A message is written the way every Maildir reader expects (qmail's
 * maildir(5)): created in PATH/tmp/ under a unique name
 * "SECONDS.MusecPpidRrandomQcount.HOST", written, fsync()ed, renamed into
 * PATH/new/, and PATH/new/ fsync()ed, so a crash leaves either no message
 * or a complete one.  Maildir files use LF line ends: CRLF is stored as LF
 * (a bare CR is kept).  Envelope recipients are not stored: the message
 * headers name them.
 *
 * With a key (the send-log row's stable name, deliver.h) the message is
 * named "touchbase-KEY" in new/ (the prefix keeps a key starting with '.'
 * from making a hidden file), and it is written only once: when new/NAME
 * exists, or cur/NAME or cur/NAME:INFO (where a reader moves it, adding
 * ":2,FLAGS"), nothing is written.  new/NAME is one stat(); cur/ is then
 * read by name (readdir, no stat per entry), because the flags after
 * ":2," are free-form (D F P R S T and Dovecot's keyword letters a-z): no
 * fixed set of stat() calls finds every renamed copy, and a missed one is
 * a duplicate the client sees.  That read happens once per keyed message
 * that is not in new/; a pass writes a few dozen at most (daily_limit),
 * and reading the names of a folder of thousands is well under a
 * millisecond.
 */
#ifndef TOUCHBASE_MAILDIR_H
#define TOUCHBASE_MAILDIR_H

#include <stddef.h>

#include "reply.h"

/* Creates PATH, PATH/tmp, PATH/new and PATH/cur (mode 0700) where
 * missing, parents included.  Returns 0, or -1 with *err allocated. */
int	 maildir_create(const char *path, char **err);
/* Writes msg into the Maildir at path (created when missing).  key is
 * NULL (a unique name each time) or a validated send-log key (deliver.h:
 * 1-200 bytes of [A-Za-z0-9._-]).  Returns DELIVER_OK with reply->text
 * "written to PATH/new/NAME", or "already in PATH/new/NAME" (or
 * PATH/cur/NAME:2,FLAGS) when the key's message is there; DELIVER_CONFIG
 * when the folder cannot be used (permissions, not a folder, read-only);
 * DELIVER_TEMPFAIL for other write trouble (disk full, I/O error).
 * reply->code is always 0. */
enum deliver_result maildir_deliver(const char *path, const char *key,
	    const char *msg, size_t len, struct deliver_reply *reply);

#endif
