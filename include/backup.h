/*
 * backup.h - the daemon's daily copy of the send log.
 *
 * The opt-outs in the database are the owner's legal record: a damaged
 * file must not be the end of them.  Once a day the daemon writes a
 * consistent copy (ledger_backup()) to BACKUP_DIR beside the database,
 * named touchbase-YYYY-MM-DD.db by the UTC day, and keeps the
 * BACKUP_KEEP newest of those files; other files there are left alone.
 */
#ifndef TOUCHBASE_BACKUP_H
#define TOUCHBASE_BACKUP_H

#include <stdint.h>

#include "ledger.h"

#define BACKUP_DIR	"backup"
#define BACKUP_KEEP	14

/* Takes today's backup of database (open as l) unless it exists, then
 * prunes.  Returns 0 (also when nothing was due), or -1 with *err. */
int	 backup_daily(struct ledger *l, const char *database, int64_t now,
	    char **err);
/* The backup folder of database (allocated). */
char	*backup_dir(const char *database);

#endif
