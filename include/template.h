/*
 * template.h - message templates: loading, variants, rendering.
 *
 * A template folder holds <name>.<key>.txt and variants
 * <name>.<key>.<n>.txt, where the key is a language tag ("de", "de-AT")
 * optionally followed by a form of address ("de-sie", "de-AT-du");
 * optionally a card <name>.<key>[.<n>].html beside each variant and the
 * images it references as cid:FILE.  templates_load() reads and parses
 * all of them once (the only I/O of this module); rendering is pure.
 *
 * A text template is a header block ("Subject:" required; documented
 * extras only), a blank line and a UTF-8 body.  Variables: {{name}},
 * {{first_name}}, {{salutation}}, {{project}}, {{years}}, {{age}},
 * {{sender_name}}, any key of the client's fields, and fallbacks
 * {{a|b|"text"}} resolved left to right.
 *
 * The rules in detail:
 *  - Files: <name>.<key>.txt is variant 1, <name>.<key>.<n>.txt variant
 *    n (n = 2..999 without leading zeros; "1" only when there is no plain
 *    file).  name and key are letters, digits, '_' and '-'; a key ending
 *    in "-du" or "-sie" is for that form only.  A late occasion's
 *    "<name>-belated" is simply another name.  Files starting with '.' or
 *    ending in '~' are skipped; other *.txt / *.html names that do not
 *    fit the pattern are reported as warnings and ignored.
 *  - Lookup (templates_find): for a client of language L (base language
 *    B, "de" of "de-AT") and form F: L-F, L, B-F, B, then the same for
 *    the sender's language.  A late occasion's -belated template only
 *    within the client's own language (L-F, L, B-F, B); else the
 *    ordinary template, by the whole order.
 *  - Header block: exactly one "Subject:" line (name case-insensitive,
 *    no folding, no tabs) and no other header: From, To and the rest
 *    come from the configuration.  Then a blank line, then a non-empty
 *    body.  A UTF-8 byte-order mark is dropped, CRLF read as LF; invalid
 *    UTF-8 and controls other than tab and line breaks are errors.
 *  - {{...}} must close on the same line.  A variable name is letters,
 *    digits, '_' and '-'.  A quoted fallback ("text", with " and \)
 *    may only come last.  A name that is not built in is looked up in the
 *    client's fields at render time (a near-miss of a built-in name, like
 *    {{frist_name}}, is a load warning).
 *  - Sections: {{#x}}...{{/x}} keeps its text only when the variable x
 *    has a value, {{^x}}...{{/x}} only when it has none; they nest and
 *    may span lines.  A section tag alone on its line takes the whole
 *    line with it.  Unclosed, stray or crossed sections are load errors.
 *  - Choices: {{du:TEXT|sie:TEXT}}, both forms exactly once (lowercase),
 *    the text as written up to '|' or "}}"; picked by the client's form.
 *  - Plurals: {{x:ONE|OTHER}} picks ONE when the whole number x is 1 (in
 *    French, fr, also 0), else OTHER.  Three forms {{x:ONE|FEW|MANY}}
 *    only in cs, sk (1 | 2-4 | other), pl (1 | ending in 2-4 but not
 *    12-14 | other), ru, uk, be, hr, sr, bs (ending in 1 but not 11 |
 *    ending in 2-4 but not 12-14 | other).  A value that is no whole
 *    number is a render error.
 *  - Errors of sections, choices and plurals name FILE:LINE:COLUMN.
 *  - An unset or empty value counts as no value: the next alternative is
 *    tried; with none left rendering fails naming the client and the
 *    template's FILE:LINE.  {{years}} has a value for a birthday with a
 *    known year and a yearly occasion of a dated field; {{age}} for a
 *    birthday with a known year only; {{project}} for after_project.
 *  - Every value must be one line of UTF-8 without controls (no CR, LF,
 *    tab, NUL), in the body too: rendering refuses it otherwise.
 *  - Cards: <name>.<key>.<n>.html goes with the text variant n of that
 *    name and key only (<name>.<key>.html with variant 1); a variant
 *    without its own card goes as text only, a load warning when its
 *    language has cards for that name.  A card has no header block.
 *    Values are HTML-escaped in it; quoted fallbacks, choices and plurals
 *    are taken as written (they are the author's HTML).  Each "cid:FILE"
 *    names an image in the template folder (letters, digits, '.', '_',
 *    '-'; at most 1 MiB) whose type is recognised from its bytes: PNG,
 *    JPEG, GIF or WebP, else a load error.
 *  - Variant choice counts a record of the client's history as received
 *    when its status is sent, queued or deferred; its time is the sent
 *    instant, else the due one.
 */
#ifndef TOUCHBASE_TEMPLATE_H
#define TOUCHBASE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "diag.h"
#include "history.h"
#include "settings.h"

struct templates;
struct template;		/* one variant: a parsed .txt (+ its .html) */

struct template_image {
	char		*file;		/* name as referenced by cid: */
	const char	*content_type;	/* from the bytes: image/png … */
	unsigned char	*data;
	size_t		 len;
};

/* Everything a template can refer to, for one message. */
struct template_vars {
	const struct settings *settings;
	const struct client *client;
	const char	*project;	/* NULL unless after_project */
	bool		 has_years;
	int		 years;
	bool		 has_age;
	int		 age;
};

struct rendered {
	char		*subject;	/* UTF-8, no controls */
	char		*text;		/* UTF-8 body, LF line ends */
	char		*html;		/* NULL without a card */
	const struct template_image *images; /* borrowed from templates */
	size_t		 nimages;
	char		*template_file;	/* e.g. "birthday.de.2.txt" */
};

/* Loads every template in dir.  Problems (FILE:LINE) go to d; returns -1
 * when there is any error. */
int	 templates_load(const char *dir, struct templates **out,
	    struct diag *d);
void	 templates_free(struct templates *t);
/* Whether any variant of name exists in any language. */
bool	 templates_exists(const struct templates *t, const char *name);
/* Warns about each file no message can reach: a template or card whose
 * name is none of names (NULL-terminated: the occasions' templates; a
 * NAME-belated goes with NAME), or whose language key is written in a
 * case touchbase does not read ("de-Sie", "DE"). */
void	 templates_check_reach(const struct templates *t,
	    const char *const *names, struct diag *d);

/* The key (as in the file name: "de-AT-sie", "de") under which name is
 * found for a client of lang and form, by the lookup order above; with
 * own_only the sender's language is not tried.  *fell_back is set when
 * the key is the sender's language's.  NULL when none has it; the result
 * lives as long as t. */
const char *templates_find(const struct templates *t, const char *name,
	    const char *lang, enum form form, const char *sender_lang,
	    bool own_only, bool *fell_back);
/* The template compose sends: for a late occasion name-belated in the
 * client's language when there is one, else name by templates_find();
 * among the key's variants the one templates_choose() takes.  NULL when
 * there is none. */
const struct template *templates_pick(const struct templates *t,
	    const char *name, const char *lang, enum form form,
	    const char *sender_lang, bool late,
	    const struct history_client *hc, bool *fell_back);
/* Chooses the variant of name with key lang, else key fallback_lang
 * (*fell_back set true); among the variants the one this
 * client received least recently according to hc (never the one it got
 * last time when there are two or more; never-received first; ties by
 * variant number).  hc may be NULL.  Returns NULL when no variant exists
 * in either language. */
const struct template *templates_choose(const struct templates *t,
	    const char *name, const char *lang, const char *fallback_lang,
	    const struct history_client *hc, bool *fell_back);
const char *template_file(const struct template *tp);
/* The language tag of its file name, without the form: "de-AT". */
const char *template_lang(const struct template *tp);
/* Whether the variant has its own card. */
bool	 template_has_card(const struct template *tp);
/* The idx-th variant (by number, from 0) of name with key lang ("de",
 * "de-sie"), or NULL: for checks that must try every variant. */
const struct template *templates_variant(const struct templates *t,
	    const char *name, const char *lang, size_t idx);

/* Renders tp with vars.  Returns 0 and fills *out (free with
 * rendered_free), or -1 and reports why to d as FILE:LINE, naming the
 * client id (an unknown or unset variable, a control character in a
 * value that goes into the subject). */
int	 template_render(const struct template *tp,
	    const struct template_vars *vars, struct rendered *out,
	    struct diag *d);
/* template_render() without the body: the same checks of every value in
 * the same order with the same reports, but out gets only the subject,
 * the images and the file name (text and html stay NULL).  The body is
 * the template's own text, checked when it was loaded, and values each
 * proved valid UTF-8 here, so `check` need not build it per client. */
int	 template_resolve(const struct template *tp,
	    const struct template_vars *vars, struct rendered *out,
	    struct diag *d);
void	 rendered_free(struct rendered *r);

#endif
