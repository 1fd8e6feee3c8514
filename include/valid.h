/*
 * valid.h - every rule about a value that comes from outside.
 *
 * One function per rule, called by the loaders (settings, book, import),
 * by `touchbase check`, by the composer and by the senders alike, so that
 * `check` and the daemon can never disagree.  Pure except the
 * password-file rule, which looks at the file.  Messages are allocated
 * (the caller frees them) and name the value, never a FILE:LINE: the
 * caller adds the place.
 */
#ifndef TOUCHBASE_VALID_H
#define TOUCHBASE_VALID_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define VALID_MAX_ID	64	/* ids, occasion and template names */

/* Whether s contains CR, LF or another control (0x01-0x1f except TAB,
 * 0x7f): what no configuration value may hold. */
bool	 valid_has_control(const char *s);
/* The first character valid_has_control() objects to, as "a line break
 * (U+000A)" or "a control character (U+001B)"; NULL when there is none. */
char	*valid_describe_control(const char *s);
/* Whether s may stand in a mail header: no byte below 0x20 (TAB
 * included) and no 0x7f. */
bool	 valid_header_safe(const char *s);
/* A header value (display name, subject): valid_header_safe() and UTF-8.
 * Returns 0, or -1 with *err like "WHAT contains a control character
 * (0x0d); a header value must be one line of text without CR, LF, NUL or
 * other controls" or "WHAT is not valid UTF-8". */
int	 valid_header_text(const char *what, const char *v, char **err);
/* s quoted for a message: 'text', controls shown as '?', cut after 60
 * bytes (never inside a UTF-8 sequence) with "...". */
char	*valid_quote(const char *s);
/* A short language tag: [a-z]{2,3}, optionally '-' and ASCII letters or
 * digits, 16 bytes at most ("de", "gsw", "de-AT", "zh-Hant"). */
bool	 valid_language(const char *s);
/* The length of a language tag's base language, its first subtag ("de"
 * of "de-AT"): what a tag falls back to for templates and notices. */
size_t	 valid_language_base(const char *tag);
/* A form of address: "du" (informal) or "sie" (formal).  The same two
 * names for every language that has the distinction (fr tu/vous, nl
 * je/u, ...). */
bool	 valid_form(const char *s);

/* An RFC 5322 atext character: an ASCII letter or digit or one of
 * !#$%&'*+-/=?^_`{|}~. */
bool	 valid_atext(unsigned char c);
/*
 * An e-mail address, for the envelope and the headers alike: plain ASCII
 * local@domain (dot-atom local part of 1-64, LDH labels joined by dots,
 * a dot needed unless the domain is localhost, 254 bytes in all), no
 * display name, no controls, no SMTPUTF8.  NULL and "" are refused.
 * Returns 0, or -1 with *err (when err is not NULL) saying what would be
 * valid, e.g. "'anna' is not an e-mail address: it needs exactly one
 * '@', as in anna@example.de".
 */
int	 valid_address(const char *addr, char **err);

/* Whether a and b name the same mailbox: the domain compared without
 * regard to ASCII case, the local part as written (RFC 5321 2.4).  NULL
 * never matches. */
bool	 valid_address_same(const char *a, const char *b);

/* An IMAP folder name touchbase will send in a command: 1-200 bytes of
 * printable ASCII without '"', '\\', '*', '%' (sent quoted; names with
 * other characters are given in their modified UTF-7 form, RFC 3501
 * 5.1.3).  Returns 0, or -1 with *err. */
int	 valid_imap_folder(const char *name, char **err);

/* A DNS host name: LDH labels of 1-63 joined by dots, none starting or
 * ending with '-', 253 bytes at most, one trailing dot allowed. */
bool	 valid_host(const char *host);
/* Whether host names the loopback interface: localhost (a trailing dot
 * and any case allowed), 127.0.0.0/8, ::1 or ::ffff:127.x.y.z, with or
 * without brackets. */
bool	 valid_is_loopback(const char *host);
/* The name for EHLO: a host name (valid_host) or an address literal,
 * [192.0.2.1] or [IPv6:2001:db8::1].  Returns 0, or -1 with *err. */
int	 valid_helo(const char *name, char **err);

/* An id, occasion or template name: 1 to VALID_MAX_ID ASCII letters,
 * digits, '-' and '_' (they become keys and file names). */
bool	 valid_id(const char *s);
/* A client field key: valid_id() starting with a letter or '_'. */
bool	 valid_field_key(const char *s);

/*
 * The password-file rule: a regular file, not a symbolic link, with no
 * permission bit at all for group or others.  Errors read "password file
 * PATH is a symbolic link; name the file itself", "password file PATH is
 * not a regular file", "password file PATH is readable by others (mode
 * 0644): chmod 600 PATH", "password file PATH grants access to group or
 * others (mode 0610): chmod 600 PATH".
 */
/* Applies the rule to what lstat(2) or fstat(2) said about path. */
int	 valid_password_stat(const char *path, const struct stat *st,
	    char **err);
/* lstat(2)s path and applies the rule, without reading the file (for
 * `check`, which may run as a user who cannot read it). */
int	 valid_password_file(const char *path, char **err);
/* Opens path for reading (O_NOFOLLOW, close-on-exec, never blocking on a
 * FIFO) and applies the rule to the open file.  Returns the descriptor
 * (the caller closes it), or -1 with *err. */
int	 valid_password_open(const char *path, char **err);

#endif
