/*
 * imap.h - reading an IMAP mailbox through libcurl, without changing it.
 *
 * The IMAP backend of inbox.h.  A second module that includes
 * curl/curl.h, beside smtp.c: one module per protocol keeps each
 * protocol's libcurl traps (7.88: SMTP's late replies; IMAP's custom
 * commands whose FETCH literals arrive through the header callback) and
 * its own state tracking in one place, and neither protocol's code in the
 * other's tests.  Both initialise libcurl once (curl_global_init counts
 * its callers).
 *
 * Only these commands are sent, besides libcurl's own CAPABILITY,
 * STARTTLS, AUTHENTICATE/LOGIN and LOGOUT: LIST (RFC 6154 special-use),
 * EXAMINE (read-only: the server changes no flag, not even \Recent), UID
 * SEARCH, UID FETCH of BODY.PEEK sections (never BODY[], which sets
 * \Seen).  Never SELECT, STORE, COPY, MOVE or EXPUNGE.  Folder names are
 * checked by valid_imap_folder() before they are sent, quoted; search
 * criteria are made of numbers and dates only.
 *
 * TLS: imaps:// implicit, imap:// with STARTTLS required
 * (CURLUSESSL_ALL); the server's certificate is always verified
 * (TLS 1.2 or later; ca_file adds a CA bundle).  Timeouts: `timeout`
 * bounds connecting and every wait for the server (no progress for that
 * long ends the command), and a whole command is capped.
 */
#ifndef TOUCHBASE_IMAP_H
#define TOUCHBASE_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imap_result {
	IMAP_OK,
	IMAP_SESSION,	/* no connection, TLS failed, timeout, dropped */
	IMAP_CONFIG,	/* login refused, certificate not trusted,
			   STARTTLS not offered */
	IMAP_NO		/* the server said NO or BAD to a command (a folder
			   that does not exist) */
};

struct imap_params {
	const char	*host;
	int		 port;
	bool		 implicit_tls;	/* imaps:// */
	const char	*username;
	const char	*password;
	const char	*ca_file;	/* extra CA bundle or NULL */
	long		 timeout;	/* seconds, > 0 */
};

struct imap;

/* Prepares a session (connects at the first command).  Strings are
 * copied.  NULL with *err when libcurl cannot be initialised. */
struct imap *imap_new(const struct imap_params *p, char **err);
/* Logs out and frees; NULL is fine. */
void	 imap_free(struct imap *im);
/* Connects and logs in (a NOOP after libcurl's login): the session's
 * own failures (no connection, TLS, login refused) come from here, with
 * the server's words. */
enum imap_result imap_login(struct imap *im, char **err);
/* The folder with special-use attribute attr ("\\Sent"), from LIST "" "*"
 * RETURN (SPECIAL-USE) (or the attributes of a plain LIST): *folder
 * allocated, NULL when no folder has it. */
enum imap_result imap_special_use(struct imap *im, const char *attr,
	    char **folder, char **err);
/* EXAMINE folder: *uidvalidity from its [UIDVALIDITY n]. */
enum imap_result imap_examine(struct imap *im, const char *folder,
	    uint32_t *uidvalidity, char **err);
/* UID SEARCH of the examined folder: UIDs above after (0: all), and on
 * or after the day `since` (days since 1970-01-01; -1: no bound), in
 * windows of UIDs (see imap.c).  *uids sorted ascending, each once
 * (allocated). */
enum imap_result imap_search(struct imap *im, uint32_t after, int64_t since,
	    uint32_t **uids, size_t *n, char **err);
/* One FETCH result: the section's bytes (not NUL-terminated). */
typedef void imap_fetch_fn(void *arg, uint32_t uid, const char *data,
	    size_t len);
/* UID FETCH uids (at most IMAP_FETCH_MAX) with either the first 16 KiB of
 * the header fields touchbase reads (whole = 0) or the first `whole`
 * bytes (at most IMAP_WHOLE_MAX) of the one message (BODY.PEEK[] with a
 * partial range); fn is called once per message returned. */
#define IMAP_FETCH_MAX	16
#define IMAP_WHOLE_MAX	(160 * 1024)
enum imap_result imap_fetch(struct imap *im, const uint32_t *uids, size_t n,
	    size_t whole, imap_fetch_fn *fn, void *arg, char **err);

#endif
