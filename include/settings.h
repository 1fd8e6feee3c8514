/*
 * settings.h - touchbase.ini (inih) as a plain struct.
 *
 * settings_load() reads the whole file, fills every default of the SPEC,
 * validates every value and resolves relative paths against the folder of
 * the INI file.  Every problem goes to the diag sink as FILE:LINE; on any
 * error the function returns -1 and *out is untouched (never half-loaded).
 */
#ifndef TOUCHBASE_SETTINGS_H
#define TOUCHBASE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "timeutil.h"
#include "valid.h"

enum basis {
	BASIS_CONSENT,
	BASIS_CUSTOMER,
	BASIS_PERSONAL
};

/* The form of address of a letter: du (informal) or sie (formal), named
 * so in every language that has the distinction (fr tu/vous, nl je/u). */
enum form {
	FORM_UNSET,		/* [sender] form empty: by the client's basis */
	FORM_DU,
	FORM_SIE
};

/* One objection_notice.LANG of [sender]. */
struct settings_notice {
	char		*lang;		/* a language tag: de, de-AT, en */
	char		*text;
	int		 line;
};

enum delivery_kind {
	DELIVERY_MAILDIR,	/* maildir:PATH */
	DELIVERY_SMTP,		/* smtp://host[:port], STARTTLS */
	DELIVERY_SMTPS		/* smtps://host[:port], implicit TLS */
};

enum inbox_kind {
	INBOX_NONE,		/* [inbox] url empty: no mail is read */
	INBOX_MAILDIR,		/* maildir:PATH */
	INBOX_IMAP,		/* imap://host[:port]/FOLDER, STARTTLS */
	INBOX_IMAPS		/* imaps://host[:port]/FOLDER */
};

enum tls_mode {
	TLS_REQUIRED,
	TLS_NONE		/* only allowed for loopback hosts */
};

#define SETTINGS_MAX_RETRY 16

/* [owner] digest: off, daily at minute, or weekly on weekday. */
struct settings_digest {
	bool		 on;
	int		 weekday;	/* 0 = Monday; -1: daily */
	int		 minute;	/* after midnight, sender's zone */
};

struct settings {
	char		*path;		/* the INI file as given */
	char		*dir;		/* its folder */

	/* [sender] */
	char		*sender_name;	/* may be "" */
	char		*sender_address;
	char		*sender_domain;	/* part after '@', for Message-IDs */
	char		*reply_to;	/* NULL when unset */
	char		*bcc;		/* NULL when unset */
	char		*language;	/* default "de" */
	enum basis	 basis;		/* default customer */
	char		*objection_notice; /* NULL: per-language default */
	enum form	 form;		/* FORM_UNSET: du for personal
					   clients, sie for the others */
	struct settings_notice *notices; /* objection_notice.LANG */
	size_t		 nnotices;

	/* [delivery] */
	char		*url;
	enum delivery_kind delivery;
	char		*maildir;	/* resolved path, DELIVERY_MAILDIR */
	char		*smtp_host;	/* DELIVERY_SMTP/SMTPS; an IPv6
					   literal without its brackets */
	int		 smtp_port;	/* 587 / 465 when not given */
	enum tls_mode	 tls;
	char		*username;	/* NULL when unset */
	char		*password_file;	/* resolved, NULL when unset */
	char		*ca_file;	/* resolved, NULL when unset */
	int64_t		 timeout;	/* seconds, default 30 */
	char		*helo;		/* EHLO name; NULL when unset (the
					   sender address's domain then) */
	struct duration	 retry[SETTINGS_MAX_RETRY]; /* 5min 15min 1h 4h 12h */
	size_t		 nretry;
	int64_t		 give_up_after;	/* seconds, default 3d */

	/* [schedule] */
	char		*timezone;	/* default Europe/Berlin */
	struct window	 window;	/* default 09:00-17:00 */
	unsigned	 weekdays;	/* default Mon-Fri */
	int		 holidays;	/* region, default DE */
	struct duration	 min_gap;	/* default 21d */
	int		 daily_limit;	/* default 20; >= 1 */
	struct duration	 catch_up;	/* default 3d */

	/* [paths] */
	char		*clients;	/* resolved, default clients.conf */
	char		*templates;	/* resolved, default templates */
	char		*database;	/* resolved, default
					   /var/lib/touchbase/touchbase.db */

	/* [inbox] */
	enum inbox_kind	 inbox;
	char		*inbox_url;	/* as written; NULL when unset */
	char		*inbox_maildir;	/* INBOX_MAILDIR: resolved root */
	char		*inbox_host;	/* IMAP: without IPv6 brackets */
	int		 inbox_port;	/* 143 / 993 when not given */
	char		*inbox_folder;	/* IMAP: decoded, default "INBOX" */
	bool		 inbox_sent_auto; /* sent = auto (the default) */
	char		*inbox_sent;	/* a folder name (IMAP) or resolved
					   path (Maildir); NULL: auto or
					   none */
	char		*inbox_username; /* NULL when unset */
	char		*inbox_password_file; /* resolved, NULL when unset */
	char		*inbox_ca_file;	/* resolved, NULL when unset */
	int64_t		 inbox_every;	/* seconds, default 15min */
	int64_t		 inbox_lookback; /* seconds, default 90d */
	/* [owner] */
	char		*owner_address;	/* default: sender_address */
	struct settings_digest digest;	/* default off */
	bool		 approval_required; /* approval = required */

	/* Line of some keys, for later checks that name the place (0 when
	 * the key was not in the file). */
	int		 line_password_file;
	int		 line_timezone;
	int		 line_language;
	int		 line_inbox_url;
	int		 line_inbox_password_file;
};

/* Loads path.  Returns 0 and *out (free with settings_free), or -1.
 * An empty value ("reply_to =") counts as not set: the default applies.
 * Inline comments start with ';' after a blank; lines are not continued. */
int	 settings_load(const char *path, struct settings **out,
	    struct diag *d);
/* The same from memory (len bytes of data, NUL bytes refused); path names
 * the file in messages and anchors relative paths. */
int	 settings_load_buffer(const char *path, const char *data, size_t len,
	    struct settings **out, struct diag *d);
/* The password file, when one is set, must pass valid_password_file()
 * (the rule delivery applies when it reads it).  Reports at
 * line_password_file; returns 0, or -1 after adding an error to d. */
int	 settings_check_password_file(const struct settings *s,
	    struct diag *d);
/* The same rule for [inbox] password_file. */
int	 settings_check_inbox_password_file(const struct settings *s,
	    struct diag *d);
void	 settings_free(struct settings *s);
/* [owner] digest: "off", "daily HH:MM" or "Mon HH:MM" (any weekday, as
 * timeutil_weekday_name() writes it).  Returns 0, or -1 for anything
 * else. */
int	 settings_parse_digest(const char *v, struct settings_digest *out);
/* Where the configuration lives: the -c argument when given, else
 * $TOUCHBASE_CONFIG when set and not empty, else SYSCONFDIR
 * "/touchbase/touchbase.ini".  Returns a pointer into its arguments or a
 * static string. */
const char *settings_default_path(const char *opt_c);
/* The names deliver.c still calls; the rules are valid.h's. */
/* "consent" / "customer" / "personal" */
int	 settings_parse_basis(const char *s, enum basis *out);
const char *settings_basis_name(enum basis b);
/* "du" / "sie" (valid_form()); returns 0, or -1 for anything else. */
int	 settings_parse_form(const char *s, enum form *out);
/* "du", "sie", or "" for FORM_UNSET. */
const char *settings_form_name(enum form f);
/* The owner's objection notice for a letter in lang: objection_notice.LANG,
 * else that of its base language (de-AT -> de), else the plain
 * objection_notice; NULL when none is set (the built-in text applies). */
const char *settings_notice(const struct settings *s, const char *lang);

#endif
