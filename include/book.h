/*
 * book.h - clients.conf (libconfig): occasions and clients.
 *
 * book_load() parses and validates the whole book against the settings
 * (default language, basis and time zone come from there).  It reports
 * every problem to the diag sink with the file and the line libconfig
 * gives, and returns -1 without a book when there is any error; warnings
 * alone still load.  Plain data: callers read the structs directly.
 *
 * A client without its own `occasions` list receives `defaults.occasions`,
 * or every occasion when the book has no `defaults`.  A client lacking the
 * date an occasion needs (no birthday, no projects, no client_since or no
 * such field) simply gets nothing from it.
 *
 * A client's own `holidays`, `send_window` and `weekdays` are checked by
 * the rules of the [schedule] keys; every client's `cal` is set.  A
 * client whose time zone lies outside its holiday region's country
 * (holidays_zone_fits) gets a warning, not an error.
 *
 * Memory: the clients' strings and small arrays live in the book's arena
 * (arena.h), strings that repeat are stored once, and libconfig's tree is
 * freed client by client while the book is built, so loading needs no
 * more than the parse alone; book_free releases everything.
 */
#ifndef TOUCHBASE_BOOK_H
#define TOUCHBASE_BOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

struct arena;

enum occasion_kind {
	OCC_BIRTHDAY,
	OCC_YEARLY,
	OCC_ONCE,
	OCC_AFTER_PROJECT,
	OCC_CASUAL
};

/* When a client's movable messages may go: the [schedule] values unless
 * the client gives its own holidays, send_window or weekdays. */
struct calendar {
	struct window	 window;
	unsigned	 weekdays;
	int		 holidays;	/* a region, see holidays.h */
};

struct occasion {
	char		*name;
	enum occasion_kind kind;
	char		*template;	/* base name, e.g. "birthday" */
	int		 priority;	/* default per kind: 100 80 70 60 20 */
	bool		 feb29_mar1;	/* birthday: feb29 = "mar1" */
	struct civil_date date;		/* yearly (year 0) and once */
	bool		 has_date;
	char		*field;		/* yearly: "client_since", "birthday"
					   or a key of the client's fields
					   holding a YYYY-MM-DD date */
	struct duration	*offsets;	/* after_project */
	char		**offset_texts;	/* as written: "14d", for keys */
	size_t		 noffsets;
	struct duration	 every;		/* casual */
	struct duration	 jitter;	/* casual, default 0 */
	struct duration	 max_delay;	/* movable kinds: how far a message
					   may be pushed; see has_max_delay */
	bool		 has_max_delay;	/* false: 14d, or a casual's jitter */
	int		 line;
};

struct project {
	char		*name;
	struct civil_date ended;
	int		 line;
};

struct field {
	char		*key;
	char		*value;
	int		 line;
};

/* A loaded client's strings and arrays belong to its book (its arena);
 * first_name, salutation, language, timezone, the field keys and the
 * occasions list may be shared with other clients: never write to them.
 * The members are ordered to keep the struct small, 100,000 of them. */
struct client {
	char		*id;
	char		*name;
	char		*first_name;	/* NULL when unset */
	char		*email;
	char		*salutation;	/* NULL when unset */
	char		*language;	/* resolved: own or the sender's */
	char		*timezone;	/* resolved: own or the schedule's */
	const struct tz	*tz;		/* owned by the book's tzdb */
	struct project	*projects;
	size_t		 nprojects;
	struct field	*fields;
	size_t		 nfields;
	size_t		*occasions;	/* indexes into book->occasions */
	size_t		 noccasions;
	const struct calendar *cal;	/* &book->calendar when the client
					   keeps the schedule's, else its own;
					   NULL (a client built by hand): the
					   settings' [schedule] */
	struct calendar	*own_cal;	/* NULL when shared */
	struct civil_date birthday;	/* year 0 when unknown */
	struct civil_date client_since;
	struct civil_date last_contact;
	struct civil_date consent_date;
	struct civil_date paused_until;	/* paused up to and including */
	enum basis	 basis;
	enum form	 form;		/* resolved: own, the sender's, else
					   du for personal and sie otherwise */
	int		 line;
	bool		 has_birthday;
	bool		 has_client_since;
	bool		 has_last_contact;
	bool		 has_consent_date;
	bool		 paused;
	bool		 has_paused_until;
};

struct book {
	char		*path;
	struct occasion	*occasions;
	size_t		 noccasions;
	size_t		*defaults;	/* default occasion indexes */
	size_t		 ndefaults;
	struct client	*clients;	/* sorted by id */
	size_t		 nclients;
	size_t		*all_occasions;	/* 0 .. noccasions - 1, or NULL */
	struct arena	*arena;		/* the clients' strings and arrays */
	struct tzdb	*tzdb;
	const struct tz	*sender_tz;	/* the schedule's time zone */
	struct calendar	 calendar;	/* the schedule's */
};

int	 book_load(const char *path, const struct settings *s,
	    struct book **out, struct diag *d);
/* The same from memory (NUL-terminated text); path names the file in
 * messages and anchors @include. */
int	 book_load_buffer(const char *path, const char *text,
	    const struct settings *s, struct book **out, struct diag *d);
void	 book_free(struct book *b);
/* NULL when absent.  Binary search: clients are sorted by id. */
const struct client *book_client(const struct book *b, const char *id);
const struct occasion *book_occasion(const struct book *b, const char *name);
/* The value of key in the client's fields, or NULL. */
const char *book_field(const struct client *c, const char *key);
/* The client's form of address: its form, or when that is FORM_UNSET
 * (a client not from book_load) du for basis personal, sie otherwise. */
enum form book_form(const struct client *c);
/* Whether the client receives occasion index oi. */
bool	 book_client_has(const struct client *c, size_t oi);

#endif
