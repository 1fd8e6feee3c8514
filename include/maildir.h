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
 */
#ifndef TOUCHBASE_MAILDIR_H
#define TOUCHBASE_MAILDIR_H

#include <stddef.h>

#include "deliver.h"

/* Creates PATH, PATH/tmp, PATH/new and PATH/cur (mode 0700) where
 * missing, parents included.  Returns 0, or -1 with *err allocated. */
int	 maildir_create(const char *path, char **err);
/* Writes msg into the Maildir at path (created when missing).  Returns
 * DELIVER_OK with reply->text "written to PATH/new/NAME"; DELIVER_CONFIG
 * when the folder cannot be used (permissions, not a folder, read-only);
 * DELIVER_TEMPFAIL for other write trouble (disk full, I/O error).
 * reply->code is always 0. */
enum deliver_result maildir_deliver(const char *path, const char *msg,
	    size_t len, struct deliver_reply *reply);

#endif
