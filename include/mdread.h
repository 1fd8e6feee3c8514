/*
 * mdread.h - reading a Maildir without changing it: the Maildir backend
 * of inbox.h.
 *
 * Files are only opened for reading (O_NOFOLLOW): no rename from new/ to
 * cur/, no flag change in a name, nothing deleted.  A mail is named by
 * its unique part (the file name before ":2,"), which survives a mail
 * client moving it from new/ to cur/ or changing its flags.
 */
#ifndef TOUCHBASE_MDREAD_H
#define TOUCHBASE_MDREAD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define MDREAD_MAX_READ	(128 * 1024)	/* bytes of a mail read */

struct mdread_entry {
	char		*name;		/* unique part */
	char		*path;		/* the file now */
	int64_t		 mtime;		/* delivery time, as the file says */
};

/* The mails in folder's new/ and cur/, sorted by mtime then name.
 * Returns 0, or -1 with *err when the folder or its cur/ and new/ cannot
 * be read. */
int	 mdread_list(const char *folder, struct mdread_entry **out, size_t *n,
	    char **err);
void	 mdread_entries_free(struct mdread_entry *e, size_t n);
/* The first MDREAD_MAX_READ bytes of a mail into b (reset first).
 * Returns 0, or -1 (errno set) when it vanished or cannot be read. */
int	 mdread_read(const char *path, struct buf *b);
/* The sent folder of a Maildir++ root: ROOT/.Sent, else ROOT/Sent, when
 * it has a cur/ folder; NULL when there is none (allocated). */
char	*mdread_sent_folder(const char *root);

#endif
