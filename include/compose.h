/*
 * compose.h - from a planned occurrence to the message bytes.
 *
 * Ties the template choice (templates_pick(): the client's language and
 * form, a -belated template only in the client's language) and rendering
 * to the message builder and the consent rules: for basis customer and
 * consent the objection notice in the letter's language is appended
 * (settings_notice(), else the built-in one of its base language) and a
 * List-Unsubscribe header added.  Pure apart from the caller-supplied
 * Message-ID and date.
 */
#ifndef TOUCHBASE_COMPOSE_H
#define TOUCHBASE_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "diag.h"
#include "history.h"
#include "planner.h"
#include "settings.h"
#include "template.h"

struct composed {
	char		*bytes;		/* the complete message, CRLF */
	size_t		 len;
	char		*subject;	/* UTF-8, for the log */
	char		*template_file;	/* variant actually chosen */
};

/* Composes the message for item.  hc may be NULL (no history).  date is
 * the Date header's instant (the sending moment).  Returns 0, or -1 with
 * the problem in d (template file:line and client id). */
int	 compose_message(const struct settings *s, const struct templates *t,
	    const struct plan_item *item, const struct history_client *hc,
	    const char *message_id, int64_t date, struct composed *out,
	    struct diag *d);
void	 composed_free(struct composed *c);
/* The built-in objection notice for a language tag, by its base language
 * ("de", "de-AT" German; "en" and all others English). */
const char *compose_default_notice(const char *lang);
/* For `check`: every (client, occasion) pair the book allows must have a
 * template (warning when only the sender's language has it) that renders
 * for that client, in its form, with the values the planner would give it
 * (each project, years/age where defined), and so must its -belated one
 * in the client's language.  A client with a notice whose letters are in
 * a language without a notice of its own (no objection_notice.LANG, no
 * built-in one) gets a warning.  Problems go to d with the
 * template's FILE:LINE and the client id.  Returns the number of errors. */
size_t	 compose_check_book(const struct settings *s, const struct book *b,
	    const struct templates *t, struct diag *d);

#endif
