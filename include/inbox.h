/*
 * inbox.h - hearing back: one scan of the owner's mailbox records what it
 * tells about the clients.
 *
 * One interface, two backends chosen by [inbox] url, like delivery:
 * imap:// and imaps:// (imap.c, libcurl) and maildir:PATH (mdread.c).
 * A scan reads what is new in the inbox folder and the sent folder
 * (incrementally: IMAP UIDVALIDITY and the highest UID read, Maildir the
 * names read; the first scan and a changed UIDVALIDITY read `lookback`),
 * parses each mail (mailparse.h) and records, once per mail ever (keyed
 * by Message-ID, else by a hash of what was read of it):
 *   contact    a mail from a client's address (inbox), or to it (sent
 *              folder), dated by its Date (clamped to now); not a mail
 *              touchbase sent itself (its Message-ID is in the send log)
 *   reply      In-Reply-To/References name a Message-ID of the send log
 *   bounce     a DSN: Action failed + 5.x.x makes the row `bounced`;
 *   delay      delayed + 4.x.x is only noted on the row
 *   objection  Subject "unsubscribe" from a client's address: an opt-out
 *              dated by the mail, marked as from the mailbox; from anyone
 *              else a warning in the log and nothing recorded
 * It never changes the mailbox: IMAP folders are opened with EXAMINE and
 * read with BODY.PEEK; Maildir files are only opened for reading.
 */
#ifndef TOUCHBASE_INBOX_H
#define TOUCHBASE_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ledger.h"

/* What one scan did.  lines: one printable line per thing recorded (or,
 * with dry_run, that would be). */
struct inbox_result {
	size_t		 mails;		/* new mails read */
	size_t		 contacts, replies, bounces, delays, objections;
	size_t		 ignored;	/* strangers, own mail, DSNs for
					   messages not in the send log */
	char		**lines;
	size_t		 nlines;
};

/* The outcome of a scan that could not finish. */
enum inbox_fail {
	INBOX_FAIL_NONE,
	INBOX_FAIL_SESSION,	/* unreachable, TLS, timeout: try later */
	INBOX_FAIL_CONFIG,	/* login refused, certificate, password file,
				   a folder that does not exist */
	INBOX_FAIL_LEDGER	/* the database */
};

/*
 * One scan at now.  With dry_run nothing is written (neither records nor
 * the folders' positions).  Returns 0, or -1 with *err (allocated; with
 * the server's words when it refused) and *fail saying whose fault it
 * was.  What was recorded before a failure stays recorded.
 */
int	 inbox_scan(const struct config *c, struct ledger *l, int64_t now,
	    bool dry_run, struct inbox_result *res, enum inbox_fail *fail,
	    char **err);
void	 inbox_result_clear(struct inbox_result *r);

/* The IMAP password: the systemd credential imap-password when it holds
 * one, else [inbox] password_file (the password-file rule of valid.h).
 * Returns 0 and *password (allocated, wipe it) or -1 with *err. */
int	 inbox_password(const struct settings *s, char **password,
	    char **err);

/* The daemon's schedule of scans: when the next one is due after a scan
 * at now that succeeded (ok) or failed for the failures-th time in a row
 * (1, 2, ...): check_every, or a backoff doubling from one minute up to
 * an hour (or check_every, when that is longer). */
int64_t	 inbox_next_scan(const struct settings *s, int64_t now, bool ok,
	    unsigned failures);

#endif
