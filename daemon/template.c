/*
 * template.c - template files, variables, variants.
 *
 * Every file is read and parsed once by templates_load(); a parsed text
 * is a list of pieces, each either literal bytes or a variable with its
 * alternatives, so rendering is a walk over the pieces without I/O.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "buf.h"
#include "diag.h"
#include "template.h"
#include "utf8.h"
#include "valid.h"
#include "xalloc.h"

#define TPL_MAX_TEXT	(256 * 1024)
#define TPL_MAX_IMAGE	(1024 * 1024)

struct tpl_alt {
	bool		 literal;
	char		*text;		/* variable name or literal text */
};

enum tpl_kind {
	TK_LIT,			/* literal bytes */
	TK_VAR,			/* {{a|b|"text"}} */
	TK_CHOICE,		/* {{du:Dir|sie:Ihnen}}: forms[0] du, [1] sie */
	TK_PLURAL,		/* {{years:Jahr|Jahre}}: alts[0] the number */
	TK_OPEN,		/* {{#x}} or {{^x}}: alts[0] the variable */
	TK_CLOSE		/* {{/x}} */
};

struct tpl_piece {
	enum tpl_kind	 kind;
	const char	*lit;		/* TK_LIT */
	size_t		 len;
	struct tpl_alt	*alts;
	size_t		 nalts;
	char		**forms;	/* TK_CHOICE, TK_PLURAL */
	size_t		 nforms;
	bool		 inverted;	/* TK_OPEN: {{^x}} */
	size_t		 match;		/* TK_OPEN: index of its TK_CLOSE */
	int		 line;
	int		 col;
};

struct tpl_text {
	char		*src;
	struct tpl_piece *pieces;
	size_t		 npieces;
};

struct tpl_card {
	char		*name;
	char		*key;		/* "de", "de-AT-sie": as in the name */
	char		*lang;
	int		 variant;
	char		*path;
	struct tpl_text	 body;
	struct template_image *images;
	size_t		 nimages;
	bool		 used;
};

struct template {
	char		*name;
	char		*key;		/* "de", "de-AT-sie": as in the name */
	char		*lang;		/* the language tag: "de-AT" */
	enum form	 form;		/* FORM_UNSET without -du / -sie */
	int		 variant;
	char		*file;		/* "birthday.de.2.txt" */
	char		*path;		/* dir/file, for messages */
	struct tpl_text	 subject;
	struct tpl_text	 body;
	const struct tpl_card *card;
};

struct templates {
	char		*dir;
	struct template	**items;	/* sorted by name, lang, variant */
	size_t		 n;
	struct tpl_card	**cards;
	size_t		 ncards;
};

static const char *const tpl_builtins[] = {
	"name", "first_name", "salutation", "project", "years", "age",
	"sender_name", NULL
};

static bool
tpl_is_builtin(const char *name)
{
	for (size_t i = 0; tpl_builtins[i] != NULL; i++)
		if (strcmp(tpl_builtins[i], name) == 0)
			return true;
	return false;
}

static bool
tpl_ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A value for one line of a message: UTF-8 without any control. */
static const char *
tpl_value_problem(const char *v)
{
	if (!utf8_valid(v, strlen(v)))
		return "is not valid UTF-8";
	if (!valid_header_safe(v))
		return "contains a control character (CR, LF, tab or "
		    "similar); it must be one line of text";
	return NULL;
}

static void
tpl_text_free(struct tpl_text *t)
{
	for (size_t i = 0; i < t->npieces; i++) {
		for (size_t j = 0; j < t->pieces[i].nalts; j++)
			free(t->pieces[i].alts[j].text);
		free(t->pieces[i].alts);
		for (size_t j = 0; j < t->pieces[i].nforms; j++)
			free(t->pieces[i].forms[j]);
		free(t->pieces[i].forms);
	}
	free(t->pieces);
	free(t->src);
	memset(t, 0, sizeof(*t));
}

static struct tpl_piece *
tpl_add_piece(struct tpl_text *t, size_t *cap, int line)
{
	struct tpl_piece *p;

	if (t->npieces == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		t->pieces = xreallocarray(t->pieces, *cap, sizeof(*t->pieces));
	}
	p = &t->pieces[t->npieces++];
	memset(p, 0, sizeof(*p));
	p->kind = TK_VAR;
	p->line = line;
	return p;
}

/* Parses the inside of one {{...}} into p's alternatives. */
static int
tpl_parse_var(struct tpl_piece *p, const char *s, size_t n, const char *path,
    struct diag *d)
{
	size_t i = 0, cap = 0;

	for (;;) {
		struct tpl_alt a = { false, NULL };
		struct buf b;

		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (p->nalts > 0 && p->alts[p->nalts - 1].literal) {
			diag_error(d, path, p->line, "in '{{%.*s}}': a quoted "
			    "text must be the last alternative, as in "
			    "{{first_name|\"Hallo\"}}", (int)n, s);
			return -1;
		}
		buf_init(&b);
		if (i < n && s[i] == '"') {
			a.literal = true;
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n &&
				    (s[i + 1] == '"' || s[i + 1] == '\\'))
					i++;
				buf_addc(&b, s[i]);
			}
			if (i >= n) {
				diag_error(d, path, p->line, "in '{{%.*s}}': "
				    "unclosed quoted text; write \"text\" "
				    "(\\\" for a quote)", (int)n, s);
				buf_free(&b);
				return -1;
			}
			i++;
		} else {
			size_t st = i;

			while (i < n && tpl_ident_char((unsigned char)s[i]))
				i++;
			if (i == st) {
				diag_error(d, path, p->line, "'{{%.*s}}' is not "
				    "a variable: write {{name}}, {{first_name}}"
				    ", {{salutation}}, a field's key, or "
				    "fallbacks like {{first_name|name|\"text\"}}",
				    (int)n, s);
				buf_free(&b);
				return -1;
			}
			buf_add(&b, s + st, i - st);
		}
		a.text = buf_detach(&b, NULL);
		if (p->nalts == cap) {
			cap = cap ? cap * 2 : 2;
			p->alts = xreallocarray(p->alts, cap, sizeof(*p->alts));
		}
		p->alts[p->nalts++] = a;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			return 0;
		if (s[i] != '|') {
			diag_error(d, path, p->line, "'{{%.*s}}' is not a "
			    "variable: alternatives are separated by '|', as "
			    "in {{first_name|name|\"text\"}}", (int)n, s);
			return -1;
		}
		i++;
	}
}

/* The column (from 1, in characters) of q in src; col0 is the column of
 * src's first byte on its line. */
static int
tpl_col(const char *src, const char *q, int col0)
{
	const char *s = q;
	int col = 1;

	while (s > src && s[-1] != '\n')
		s--;
	if (s == src)
		col = col0;
	for (; s < q; s++)
		col += ((unsigned char)*s & 0xc0) != 0x80;
	return col;
}

/* A problem of the new syntax, as FILE:LINE:COLUMN: message (the place
 * is the file name for diag, which prints it as it is). */
static void __attribute__((format(printf, 5, 6)))
tpl_err_at(struct diag *d, const char *path, int line, int col,
    const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	char *where;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	where = xasprintf("%s:%d:%d", path, line, col);
	diag_error(d, where, 0, "%s", b.data);
	free(where);
	buf_free(&b);
}

/* Languages whose plurals have a third, "few" form (see template.h). */
static const char *const tpl_few_langs[] = {
	"cs", "sk", "pl", "ru", "uk", "be", "hr", "sr", "bs", NULL
};

static bool
tpl_lang_is(const char *lang, const char *base)
{
	size_t n = valid_language_base(lang);

	return strlen(base) == n && strncmp(lang, base, n) == 0;
}

static bool
tpl_has_few(const char *lang)
{
	for (size_t i = 0; tpl_few_langs[i] != NULL; i++)
		if (tpl_lang_is(lang, tpl_few_langs[i]))
			return true;
	return false;
}

/* Which of nforms plural forms goes with n in lang. */
static size_t
tpl_plural_index(const char *lang, long long n, size_t nforms)
{
	unsigned long long a = n < 0 ? 0ULL - (unsigned long long)n :
	    (unsigned long long)n;
	unsigned m10 = (unsigned)(a % 10), m100 = (unsigned)(a % 100);
	bool few = m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14);

	if (nforms == 2)
		return a == 1 || (a == 0 && tpl_lang_is(lang, "fr")) ? 0 : 1;
	if (tpl_lang_is(lang, "cs") || tpl_lang_is(lang, "sk"))
		return a == 1 ? 0 : a >= 2 && a <= 4 ? 1 : 2;
	if (tpl_lang_is(lang, "pl"))
		return a == 1 ? 0 : few ? 1 : 2;
	return m10 == 1 && m100 != 11 ? 0 : few ? 1 : 2;
}

static void
tpl_add_form(struct tpl_piece *p, const char *s, size_t n)
{
	p->forms = xreallocarray(p->forms, p->nforms + 1, sizeof(*p->forms));
	p->forms[p->nforms++] = xstrndup(s, n);
}

/* {{du:TEXT|sie:TEXT}}: s is the inside, col the column of "{{". */
static int
tpl_parse_choice(struct tpl_piece *p, const char *s, size_t n,
    const char *path, int col, struct diag *d)
{
	const char *text[2] = { NULL, NULL };
	size_t tlen[2] = { 0, 0 };
	size_t i = 0;
	int rc = 0;

	while (i <= n && rc == 0) {
		size_t a, st, e = i;
		int f;

		while (e < n && s[e] != '|')
			e++;
		for (a = i; a < e && (s[a] == ' ' || s[a] == '\t'); a++)
			;
		for (st = a; a < e && tpl_ident_char((unsigned char)s[a]); a++)
			;
		f = a - st == 2 && strncmp(s + st, "du", 2) == 0 ? 0 :
		    a - st == 3 && strncmp(s + st, "sie", 3) == 0 ? 1 : -1;
		if (a == e || s[a] != ':' || a == st) {
			tpl_err_at(d, path, p->line, col + 2 +
			    tpl_col(s, s + st, 1) - 1, "in '{{%.*s}}': each "
			    "choice is du:TEXT or sie:TEXT, separated by '|', as "
			    "in {{du:Dir|sie:Ihnen}}", (int)n, s);
			rc = -1;
		} else if (f == -1) {
			tpl_err_at(d, path, p->line, col + 2 +
			    tpl_col(s, s + st, 1) - 1, "in '{{%.*s}}': '%.*s:' "
			    "is not a form of address: the choices are du: "
			    "(informal) and sie: (formal), in lowercase, as in "
			    "{{du:Dir|sie:Ihnen}}", (int)n, s, (int)(a - st),
			    s + st);
			rc = -1;
		} else if (text[f] != NULL) {
			tpl_err_at(d, path, p->line, col + 2 +
			    tpl_col(s, s + st, 1) - 1, "in '{{%.*s}}': a second "
			    "'%s:' choice", (int)n, s, f == 0 ? "du" : "sie");
			rc = -1;
		} else {
			text[f] = s + a + 1;
			tlen[f] = e - a - 1;
		}
		i = e + 1;
	}
	if (rc == 0 && (text[0] == NULL || text[1] == NULL)) {
		tpl_err_at(d, path, p->line, col, "in '{{%.*s}}': no '%s:' "
		    "choice; a choice names both forms, as in "
		    "{{du:Dir|sie:Ihnen}}", (int)n, s, text[0] ? "sie" : "du");
		rc = -1;
	}
	if (rc == -1)
		return -1;
	p->kind = TK_CHOICE;
	tpl_add_form(p, text[0], tlen[0]);
	tpl_add_form(p, text[1], tlen[1]);
	return 0;
}

/* {{name:one|other}} (a third form where the language has one). */
static int
tpl_parse_plural(struct tpl_piece *p, const char *s, size_t n, size_t st,
    size_t colon, const char *lang, const char *path, int col,
    struct diag *d)
{
	struct tpl_alt a = { false, xstrndup(s + st, colon - st) };

	p->kind = TK_PLURAL;
	p->alts = xcalloc(1, sizeof(*p->alts));
	p->alts[p->nalts++] = a;
	for (size_t i = colon + 1;;) {
		size_t e = i;

		while (e < n && s[e] != '|')
			e++;
		tpl_add_form(p, s + i, e - i);
		if (e >= n)
			break;
		i = e + 1;
	}
	if (p->nforms < 2) {
		tpl_err_at(d, path, p->line, col, "in '{{%.*s}}': a plural "
		    "names a form for one and one for other numbers, as in "
		    "{{years:Jahr|Jahre}}", (int)n, s);
		return -1;
	}
	if (p->nforms > 3 || (p->nforms == 3 && !tpl_has_few(lang))) {
		tpl_err_at(d, path, p->line, col, "in '{{%.*s}}': %zu plural "
		    "forms; '%s' has two (one|other), and only cs, sk, pl, ru, "
		    "uk, be, hr, sr and bs three (one|few|many)", (int)n, s,
		    p->nforms, lang);
		return -1;
	}
	return 0;
}

/* {{#name}}, {{^name}}, {{/name}}. */
static int
tpl_parse_section(struct tpl_piece *p, const char *s, size_t n, size_t i,
    const char *path, int col, struct diag *d)
{
	char c = s[i];
	size_t st;

	for (i++; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	for (st = i; i < n && tpl_ident_char((unsigned char)s[i]); i++)
		;
	if (i == st) {
		tpl_err_at(d, path, p->line, col, "'{{%.*s}}' names no "
		    "variable: a section is {{#name}}…{{/name}} (kept when "
		    "name has a value) or {{^name}}…{{/name}} (when it has "
		    "none)", (int)n, s);
		return -1;
	}
	p->alts = xcalloc(1, sizeof(*p->alts));
	p->alts[p->nalts++].text = xstrndup(s + st, i - st);
	/* a section even when malformed, so that its pair still matches */
	p->kind = c == '/' ? TK_CLOSE : TK_OPEN;
	p->inverted = c == '^';
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i != n) {
		tpl_err_at(d, path, p->line, col, "'{{%.*s}}': a section "
		    "names one variable, without fallbacks, as in "
		    "{{#age}}…{{/age}}", (int)n, s);
		return -1;
	}
	return 0;
}

/* The inside of one {{...}}: a section tag, a choice, a plural or a
 * variable with fallbacks. */
static int
tpl_parse_tag(struct tpl_piece *p, const char *s, size_t n, const char *lang,
    const char *path, int col, struct diag *d)
{
	size_t i = 0, st;

	p->col = col;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && (s[i] == '#' || s[i] == '^' || s[i] == '/'))
		return tpl_parse_section(p, s, n, i, path, col, d);
	for (st = i; i < n && tpl_ident_char((unsigned char)s[i]); i++)
		;
	if (i > st && i < n && s[i] == ':') {
		if ((i - st == 2 && strncasecmp(s + st, "du", 2) == 0) ||
		    (i - st == 3 && strncasecmp(s + st, "sie", 3) == 0))
			return tpl_parse_choice(p, s, n, path, col, d);
		return tpl_parse_plural(p, s, n, st, i, lang, path, col, d);
	}
	return tpl_parse_var(p, s, n, path, d);
}

/* Whether the tag at [open, end) stands alone on its line (blanks
 * around it, a line break after): then the whole line is dropped. */
static bool
tpl_standalone(const char *src, const char *open, const char *end,
    const char **next)
{
	const char *q = open;

	while (q > src && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q > src && q[-1] != '\n')
		return false;
	for (q = end; *q == ' ' || *q == '\t'; q++)
		;
	if (*q != '\n')
		return false;
	*next = q + 1;
	return true;
}

/* Pairs every {{#x}}/{{^x}} with its {{/x}}; reports the strays. */
static int
tpl_match_sections(struct tpl_text *t, const char *path, struct diag *d)
{
	size_t *stack = xcalloc(t->npieces + 1, sizeof(*stack)), depth = 0;
	int rc = 0;

	for (size_t i = 0; i < t->npieces; i++) {
		struct tpl_piece *pc = &t->pieces[i];

		if (pc->kind == TK_OPEN) {
			stack[depth++] = i;
			continue;
		}
		if (pc->kind != TK_CLOSE)
			continue;
		if (depth == 0) {
			tpl_err_at(d, path, pc->line, pc->col, "'{{/%s}}' "
			    "closes no section; open it with {{#%s}} or "
			    "{{^%s}}", pc->alts[0].text, pc->alts[0].text,
			    pc->alts[0].text);
			rc = -1;
			continue;
		}
		if (strcmp(t->pieces[stack[depth - 1]].alts[0].text,
		    pc->alts[0].text) != 0) {
			const struct tpl_piece *o = &t->pieces[stack[depth - 1]];

			tpl_err_at(d, path, pc->line, pc->col, "'{{/%s}}' "
			    "where the section '{{%c%s}}' of line %d column %d "
			    "must close first with {{/%s}}", pc->alts[0].text,
			    o->inverted ? '^' : '#', o->alts[0].text, o->line,
			    o->col, o->alts[0].text);
			rc = -1;
			continue;
		}
		t->pieces[stack[--depth]].match = i;
	}
	while (depth > 0) {
		const struct tpl_piece *o = &t->pieces[stack[--depth]];

		tpl_err_at(d, path, o->line, o->col, "unclosed section "
		    "'{{%c%s}}': close it with {{/%s}}", o->inverted ? '^' : '#',
		    o->alts[0].text, o->alts[0].text);
		rc = -1;
	}
	free(stack);
	return rc;
}

/* A "}}" in literal text [p, end) (line: the line of p) is a variable
 * gone wrong: "{name}}" always, a lone "}}" in a text template (in HTML
 * it closes CSS rules).  Reports each; returns -1 on any. */
static int
tpl_stray_close(const char *src, const char *p, const char *end, int line,
    int col0, const char *path, struct diag *d)
{
	size_t n = strlen(path);
	bool html = n >= 5 && strcmp(path + n - 5, ".html") == 0;
	int rc = 0;

	for (const char *q = p; q + 1 < end; q++) {
		const char *w = q;

		if (*q == '\n')
			line++;
		if (q[0] != '}' || q[1] != '}')
			continue;
		while (w > p && (isalnum((unsigned char)w[-1]) ||
		    w[-1] == '_'))
			w--;
		if (w < q && w > p && w[-1] == '{' &&
		    (w - 1 == p || w[-2] != '{'))
			tpl_err_at(d, path, line, tpl_col(src, w - 1, col0),
			    "'{%.*s}}' has one '{': a variable is written "
			    "{{%.*s}}", (int)(q - w), w, (int)(q - w), w);
		else if (!html)
			tpl_err_at(d, path, line, tpl_col(src, q, col0),
			    "a '}}' without its '{{': a variable is written "
			    "{{name}}");
		else {
			q++;
			continue;
		}
		rc = -1;
		q++;
	}
	return rc;
}

/* Splits src (owned by t from now on) into pieces; line0 and col0 are
 * the line and column of its first byte, lang the template's language
 * (for plurals).  Reports every problem; returns -1 on any. */
static int
tpl_parse(struct tpl_text *t, char *src, int line0, int col0,
    const char *lang, const char *path, struct diag *d)
{
	size_t cap = 0;
	const char *p = src;
	int line = line0, rc = 0;

	t->src = src;
	while (*p != '\0') {
		const char *open = strstr(p, "{{"), *close, *nl, *next;
		struct tpl_piece *pc;
		size_t lit = SIZE_MAX;

		if (open == NULL)
			open = p + strlen(p);
		if (open > p) {
			pc = tpl_add_piece(t, &cap, line);
			lit = t->npieces - 1;
			pc->kind = TK_LIT;
			pc->lit = p;
			pc->len = (size_t)(open - p);
			if (tpl_stray_close(src, p, open, line, col0, path,
			    d) == -1)
				rc = -1;
			for (const char *q = p; q < open; q++)
				line += *q == '\n';
		}
		if (*open == '\0')
			break;
		close = strstr(open + 2, "}}");
		nl = strchr(open + 2, '\n');
		if (close == NULL || (nl != NULL && nl < close)) {
			diag_error(d, path, line, "unclosed '{{': a variable "
			    "is written {{name}} on one line");
			rc = -1;
			if (nl == NULL)
				break;
			if (close == NULL) {
				p = nl;
				continue;
			}
			/* the "}}" on a later line closes this one */
			for (p = open; p < close; p++)
				line += *p == '\n';
			p = close + 2;
			continue;
		}
		pc = tpl_add_piece(t, &cap, line);
		if (tpl_parse_tag(pc, open + 2, (size_t)(close - open - 2),
		    lang, path, tpl_col(src, open, col0), d) == -1)
			rc = -1;
		for (size_t i = 0; i < pc->nalts && pc->kind != TK_CLOSE; i++) {
			const char *sug;

			if (pc->alts[i].literal || tpl_is_builtin(pc->alts[i].text))
				continue;
			sug = diag_suggest(pc->alts[i].text, tpl_builtins);
			if (sug != NULL)
				diag_warn(d, path, line, "'%s' is not a "
				    "built-in variable (did you mean '%s'?); it "
				    "is looked up in each client's fields",
				    pc->alts[i].text, sug);
		}
		p = close + 2;
		if ((pc->kind == TK_OPEN || pc->kind == TK_CLOSE) &&
		    tpl_standalone(src, open, p, &next)) {
			/* the literal before the tag, when there is one,
			 * ends with the blanks before it */
			struct tpl_piece *l = lit != SIZE_MAX ?
			    &t->pieces[lit] : NULL;

			while (l != NULL && l->len > 0 &&
			    (l->lit[l->len - 1] == ' ' ||
			    l->lit[l->len - 1] == '\t'))
				l->len--;
			p = next;
			line++;
		}
	}
	if (tpl_match_sections(t, path, d) == -1)
		rc = -1;
	return rc;
}

/* Reads a whole regular file; *why gets a static reason on failure. */
static int
tpl_read(const char *path, size_t max, unsigned char **data, size_t *len,
    const char **why)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = buf_read_regular(&b, path, max);
	*why = rc == -1 ? strerror(errno) : rc == 1 ? "file too large" :
	    "not a regular file";
	if (rc != 0) {
		buf_free(&b);
		return -1;
	}
	*data = (unsigned char *)buf_detach(&b, len);
	return 0;
}

/*
 * Checks that the file is UTF-8 without controls other than tab and line
 * ends, drops a byte-order mark and turns CRLF into LF.  Returns the text
 * (allocated), or NULL after reporting the first bad place.
 */
static char *
tpl_clean(const char *path, const unsigned char *data, size_t len,
    struct diag *d)
{
	struct buf b;
	size_t i = 0;
	int line = 1, col = 1;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	buf_init(&b);
	while (i < len) {
		unsigned char c = data[i];
		size_t u = utf8_char(data + i, len - i, NULL);

		if (c == '\r' && i + 1 < len && data[i + 1] == '\n') {
			i++;
			continue;
		}
		if (u == 0) {
			diag_error(d, path, line, "invalid UTF-8 (byte 0x%02x "
			    "at column %d); save the file as UTF-8", c, col);
			goto bad;
		}
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			diag_error(d, path, line, "control character 0x%02x at "
			    "column %d; only tabs and line breaks are allowed",
			    c, col);
			goto bad;
		}
		buf_add(&b, data + i, u);
		i += u;
		col++;
		if (c == '\n') {
			line++;
			col = 1;
		}
	}
	return buf_detach(&b, NULL);
bad:
	buf_free(&b);
	return NULL;
}

/* The header block and body of a .txt template. */
static int
tpl_parse_txt(struct template *tp, char *text, struct diag *d)
{
	char *p = text, *subject = NULL, *body;
	int line = 1, subject_line = 0, subject_col = 1, rc = 0;
	bool said_missing = false;

	for (;;) {
		char *eol = strchr(p, '\n'), *colon, *v;

		if (eol == NULL) {
			if (subject != NULL)
				diag_error(d, tp->path, line, "no blank line "
				    "after the header block; write 'Subject: "
				    "…', a blank line, then the text");
			else if (!said_missing)
				diag_error(d, tp->path, 1, "missing 'Subject:' "
				    "header; a template starts with 'Subject: "
				    "…', then a blank line");
			rc = -1;
			goto out;
		}
		*eol = '\0';
		if (*p == '\0') {
			body = eol + 1;
			break;
		}
		colon = strchr(p, ':');
		if (*p == ' ' || *p == '\t') {
			diag_error(d, tp->path, line, "a header must be on one "
			    "line; write the whole Subject on the line "
			    "'Subject: …'");
			rc = -1;
		} else if (colon == NULL && line == 1) {
			diag_error(d, tp->path, 1, "missing 'Subject:' header; "
			    "a template starts with 'Subject: …', then a blank "
			    "line");
			said_missing = true;
			rc = -1;
		} else if ((colon == NULL || colon == p) && subject != NULL) {
			diag_error(d, tp->path, line, "expected a blank line "
			    "between the Subject and the text");
			rc = -1;
			goto out;
		} else if (colon == NULL || colon == p) {
			diag_error(d, tp->path, line, "expected a header like "
			    "'Subject: …' (a template starts with its Subject, "
			    "then a blank line, then the text)");
			rc = -1;
		} else if ((size_t)(colon - p) != 7 ||
		    strncasecmp(p, "Subject", 7) != 0) {
			diag_error(d, tp->path, line, "unknown header '%.*s': "
			    "only 'Subject:' is allowed (From and To come from "
			    "touchbase.ini and clients.conf)", (int)(colon - p),
			    p);
			rc = -1;
		} else if (subject != NULL) {
			diag_error(d, tp->path, line, "a second 'Subject:' "
			    "(the first is on line %d)", subject_line);
			rc = -1;
		} else {
			for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
				;
			for (char *e = v + strlen(v); e > v &&
			    (e[-1] == ' ' || e[-1] == '\t'); )
				*--e = '\0';
			subject = v;
			subject_line = line;
			subject_col = (int)(v - p) + 1;
			if (*v == '\0') {
				diag_error(d, tp->path, line, "the Subject is "
				    "empty");
				rc = -1;
			} else if (strchr(v, '\t') != NULL) {
				diag_error(d, tp->path, line, "a tab in the "
				    "Subject; use spaces");
				rc = -1;
			}
		}
		p = eol + 1;
		line++;
	}
	if (subject == NULL) {
		if (!said_missing)
			diag_error(d, tp->path, 1, "missing 'Subject:' header; "
			    "a template starts with 'Subject: …', then a blank "
			    "line");
		rc = -1;
		goto out;
	}
	if (body[strspn(body, " \t\n")] == '\0') {
		diag_error(d, tp->path, line + 1, "the text after the blank "
		    "line is empty");
		rc = -1;
	}
	if (rc == -1)
		goto out;
	if (tpl_parse(&tp->subject, xstrdup(subject), subject_line,
	    subject_col, tp->lang, tp->path, d) == -1)
		rc = -1;
	if (tpl_parse(&tp->body, xstrdup(body), line + 1, 1, tp->lang,
	    tp->path, d) == -1)
		rc = -1;
out:
	free(text);
	return rc;
}

static const char *
tpl_sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	return NULL;
}

/* Loads every image the card refers to as cid:FILE. */
static int
tpl_card_images(struct tpl_card *c, const char *dir, struct diag *d)
{
	const char *p = c->body.src;
	size_t cap = 0;
	int line = 1, rc = 0;

	for (const char *q = p; (q = strstr(q, "cid:")) != NULL; q += 4) {
		const char *why;
		char *file, *path;
		struct template_image im;
		size_t n;
		bool dup = false;

		for (; p < q; p++)
			line += *p == '\n';
		n = strspn(q + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789._-");
		if (n == 0 || q[4] == '.') {
			diag_error(d, c->path, line, "'cid:' must name an image "
			    "file beside the card, like cid:card.png (letters, "
			    "digits, '.', '_', '-')");
			rc = -1;
			continue;
		}
		file = xstrndup(q + 4, n);
		for (size_t i = 0; i < c->nimages; i++)
			dup |= strcmp(c->images[i].file, file) == 0;
		if (dup) {
			free(file);
			continue;
		}
		memset(&im, 0, sizeof(im));
		path = xasprintf("%s/%s", dir, file);
		if (tpl_read(path, TPL_MAX_IMAGE, &im.data, &im.len,
		    &why) == -1) {
			diag_error(d, c->path, line, "image 'cid:%s': %s: %s%s",
			    file, path, why, strcmp(why, "file too large") ?
			    "" : " (at most 1 MiB)");
			rc = -1;
		} else if ((im.content_type = tpl_sniff(im.data,
		    im.len)) == NULL) {
			diag_error(d, c->path, line, "image 'cid:%s': %s is not "
			    "a PNG, JPEG, GIF or WebP image", file, path);
			rc = -1;
		}
		free(path);
		if (rc == -1 || im.content_type == NULL) {
			free(im.data);
			free(file);
			continue;
		}
		im.file = file;
		if (c->nimages == cap) {
			cap = cap ? cap * 2 : 2;
			c->images = xreallocarray(c->images, cap,
			    sizeof(*c->images));
		}
		c->images[c->nimages++] = im;
	}
	return rc;
}

static void
tpl_card_free(struct tpl_card *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nimages; i++) {
		free(c->images[i].file);
		free(c->images[i].data);
	}
	free(c->images);
	tpl_text_free(&c->body);
	free(c->name);
	free(c->key);
	free(c->lang);
	free(c->path);
	free(c);
}

static void
tpl_free(struct template *tp)
{
	if (tp == NULL)
		return;
	tpl_text_free(&tp->subject);
	tpl_text_free(&tp->body);
	free(tp->name);
	free(tp->key);
	free(tp->lang);
	free(tp->file);
	free(tp->path);
	free(tp);
}

static int
tpl_cmp(const void *a, const void *b)
{
	const struct template *x = *(const struct template *const *)a;
	const struct template *y = *(const struct template *const *)b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return (x->variant > y->variant) - (x->variant < y->variant);
}

static int
tpl_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
tpl_ident(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!tpl_ident_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Splits a file name's key ("de-AT-sie") into its language and form. */
static char *
tpl_key_lang(const char *key, enum form *form)
{
	const char *dash = strrchr(key, '-');

	*form = FORM_UNSET;
	if (dash == NULL || dash == key ||
	    settings_parse_form(dash + 1, form) == -1)
		return xstrdup(key);
	return xstrndup(key, (size_t)(dash - key));
}

/*
 * Splits "name.lang[.n].ext" into its parts (lang being the key: the
 * language tag, with -du or -sie when the file is for one form).  Returns 1 for a template
 * file, 0 for a file that is not one (ignored), -1 for a file that looks
 * meant as a template but is misnamed (reported).
 */
static int
tpl_split(const char *file, const char *ext, char **name, char **lang,
    int *variant)
{
	size_t n = strlen(file), e = strlen(ext);
	const char *dot1, *dot2, *end = file + n - e;

	if (n <= e || strcmp(end, ext) != 0)
		return 0;
	dot1 = memchr(file, '.', (size_t)(end - file));
	if (dot1 == NULL)
		return -1;
	dot2 = memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1));
	*variant = 1;
	if (dot2 != NULL) {
		const char *v = dot2 + 1;
		size_t vl = (size_t)(end - v);

		if (vl == 0 || vl > 3 || v[0] == '0' ||
		    strspn(v, "0123456789") < vl)
			return -1;
		*variant = atoi(v);
	} else
		dot2 = end;
	if (!tpl_ident(file, (size_t)(dot1 - file)) ||
	    !tpl_ident(dot1 + 1, (size_t)(dot2 - dot1 - 1)))
		return -1;
	*name = xstrndup(file, (size_t)(dot1 - file));
	*lang = xstrndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	return 1;
}

static void
tpl_load_txt(struct templates *t, const char *file, struct diag *d,
    size_t *cap)
{
	struct template *tp = xcalloc(1, sizeof(*tp));
	unsigned char *data = NULL;
	size_t len = 0;
	const char *why;
	char *text;

	if (tpl_split(file, ".txt", &tp->name, &tp->key, &tp->variant) != 1)
		abort();	/* the caller checked */
	tp->lang = tpl_key_lang(tp->key, &tp->form);
	tp->file = xstrdup(file);
	tp->path = xasprintf("%s/%s", t->dir, file);
	if (tpl_read(tp->path, TPL_MAX_TEXT, &data, &len, &why) == -1) {
		diag_error(d, tp->path, 0, "%s", why);
		goto bad;
	}
	if ((text = tpl_clean(tp->path, data, len, d)) == NULL)
		goto bad;
	if (tpl_parse_txt(tp, text, d) == -1)
		goto bad;
	free(data);
	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t->items = xreallocarray(t->items, *cap, sizeof(*t->items));
	}
	t->items[t->n++] = tp;
	return;
bad:
	free(data);
	tpl_free(tp);
}

static void
tpl_load_html(struct templates *t, const char *file, struct diag *d,
    size_t *cap)
{
	struct tpl_card *c = xcalloc(1, sizeof(*c));
	unsigned char *data = NULL;
	size_t len = 0;
	const char *why;
	char *text;
	enum form form;

	if (tpl_split(file, ".html", &c->name, &c->key, &c->variant) != 1)
		abort();
	c->lang = tpl_key_lang(c->key, &form);
	c->path = xasprintf("%s/%s", t->dir, file);
	if (tpl_read(c->path, TPL_MAX_TEXT, &data, &len, &why) == -1) {
		diag_error(d, c->path, 0, "%s", why);
		goto bad;
	}
	if ((text = tpl_clean(c->path, data, len, d)) == NULL)
		goto bad;
	if (tpl_parse(&c->body, text, 1, 1, c->lang, c->path, d) == -1 ||
	    tpl_card_images(c, t->dir, d) == -1)
		goto bad;
	free(data);
	if (t->ncards == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		t->cards = xreallocarray(t->cards, *cap, sizeof(*t->cards));
	}
	t->cards[t->ncards++] = c;
	return;
bad:
	free(data);
	tpl_card_free(c);
}

/* The file name of variant n of name.key with ext, e.g. "bd.de.2.html". */
static char *
tpl_file_name(const char *name, const char *key, int n, const char *ext)
{
	if (n == 1)
		return xasprintf("%s.%s%s", name, key, ext);
	return xasprintf("%s.%s.%d%s", name, key, n, ext);
}

/* Joins each text variant to its own card (same name, key and variant);
 * variant numbers must be unique.  A variant without a card goes as text
 * only: said when its language has cards for that name. */
static void
tpl_link(struct templates *t, struct diag *d)
{
	for (size_t i = 0; i < t->n; i++) {
		struct template *tp = t->items[i];
		bool lang_has_card = false;

		if (i > 0 && tpl_cmp(&t->items[i - 1], &t->items[i]) == 0)
			diag_error(d, tp->path, 0, "same variant as %s (the "
			    "plain %s.%s.txt counts as variant 1); rename one "
			    "to %s.%s.N.txt with another N", t->items[i - 1]->file,
			    tp->name, tp->key, tp->name, tp->key);
		for (size_t j = 0; j < t->ncards; j++) {
			struct tpl_card *c = t->cards[j];

			if (strcmp(c->name, tp->name) != 0 ||
			    strcmp(c->lang, tp->lang) != 0)
				continue;
			lang_has_card = true;
			if (strcmp(c->key, tp->key) == 0 &&
			    c->variant == tp->variant) {
				tp->card = c;
				c->used = true;
			}
		}
		if (tp->card == NULL && lang_has_card) {
			char *want = tpl_file_name(tp->name, tp->key,
			    tp->variant, ".html");

			diag_warn(d, tp->path, 0, "no card %s beside this "
			    "variant: it goes as text only", want);
			free(want);
		}
	}
	for (size_t j = 0; j < t->ncards; j++)
		if (!t->cards[j]->used) {
			char *want = tpl_file_name(t->cards[j]->name,
			    t->cards[j]->key, t->cards[j]->variant, ".txt");

			diag_warn(d, t->cards[j]->path, 0, "no %s beside this "
			    "card: it is never sent", want);
			free(want);
		}
}

int
templates_load(const char *dir, struct templates **out, struct diag *d)
{
	struct templates *t;
	DIR *dp;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, cap = 0, icap = 0, ccap = 0, errors = d->errors;

	*out = NULL;
	if ((dp = opendir(dir)) == NULL) {
		diag_error(d, dir, 0, "cannot open the template folder: %s",
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || de->d_name[n - 1] == '~')
			continue;
		if (nnames == cap) {
			cap = cap ? cap * 2 : 32;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (nnames > 1)
		qsort(names, nnames, sizeof(*names), tpl_strcmp);

	t = xcalloc(1, sizeof(*t));
	t->dir = xstrdup(dir);
	for (size_t i = 0; i < nnames; i++) {
		char *name = NULL, *lang = NULL, *path;
		int v, txt, html;

		txt = tpl_split(names[i], ".txt", &name, &lang, &v);
		free(name);
		free(lang);
		name = lang = NULL;
		html = tpl_split(names[i], ".html", &name, &lang, &v);
		free(name);
		free(lang);
		if (txt == 1)
			tpl_load_txt(t, names[i], d, &icap);
		else if (html == 1)
			tpl_load_html(t, names[i], d, &ccap);
		else if (txt == -1 || html == -1) {
			path = xasprintf("%s/%s", dir, names[i]);
			diag_warn(d, path, 0, "ignored: a template is named "
			    "NAME.LANG.txt or NAME.LANG.N.txt (N = 2, 3, …), "
			    "a card NAME.LANG.html");
			free(path);
		}
		free(names[i]);
	}
	free(names);
	if (t->n > 1)
		qsort(t->items, t->n, sizeof(*t->items), tpl_cmp);
	tpl_link(t, d);
	if (d->errors > errors) {
		templates_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void
templates_free(struct templates *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		tpl_free(t->items[i]);
	for (size_t i = 0; i < t->ncards; i++)
		tpl_card_free(t->cards[i]);
	free(t->items);
	free(t->cards);
	free(t->dir);
	free(t);
}

/* The first of t's items (sorted by name, key, variant) not before
 * (name, key); key NULL: the first of name. */
static size_t
tpl_lower_bound(const struct templates *t, const char *name, const char *key)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct template *tp = t->items[mid];
		int c = strcmp(tp->name, name);

		if (c == 0 && key != NULL)
			c = strcmp(tp->key, key);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Why a file of template name with language key cannot be reached, or
 * NULL; allocated. */
static char *
tpl_unreachable(const char *name, const char *key, const char *const *names)
{
	size_t n = strlen(name), bl = strlen("-belated");
	const char *dash = strrchr(key, '-'), *sug;
	char *base;
	bool known = false;

	base = n > bl && strcmp(name + n - bl, "-belated") == 0 ?
	    xstrndup(name, n - bl) : xstrdup(name);
	for (size_t i = 0; names[i] != NULL && !known; i++)
		known = strcmp(names[i], base) == 0;
	free(base);
	if (!known) {
		sug = diag_suggest(name, names);
		return sug != NULL ? xasprintf("no occasion uses the template "
		    "'%s' (did you mean '%s'?)", name, sug) :
		    xasprintf("no occasion uses the template '%s'", name);
	}
	for (const char *p = key; *p != '\0' && *p != '-'; p++)
		if (isupper((unsigned char)*p))
			return xasprintf("the language in the file name is "
			    "written in lower case ('%.*s')",
			    (int)strcspn(key, "-"), key);
	if (dash != NULL && (strcasecmp(dash + 1, "sie") == 0 ||
	    strcasecmp(dash + 1, "du") == 0) && strcmp(dash + 1, "sie") != 0 &&
	    strcmp(dash + 1, "du") != 0)
		return xasprintf("the form in the file name is written '-sie' "
		    "or '-du', not '-%s'", dash + 1);
	return NULL;
}

void
templates_check_reach(const struct templates *t, const char *const *names,
    struct diag *d)
{
	char *why;

	for (size_t i = 0; i < t->n; i++)
		if ((why = tpl_unreachable(t->items[i]->name, t->items[i]->key,
		    names)) != NULL) {
			diag_warn(d, t->items[i]->path, 0, "%s: this file is "
			    "never sent", why);
			free(why);
		}
	for (size_t i = 0; i < t->ncards; i++)
		if ((why = tpl_unreachable(t->cards[i]->name, t->cards[i]->key,
		    names)) != NULL) {
			diag_warn(d, t->cards[i]->path, 0, "%s: this card is "
			    "never sent", why);
			free(why);
		}
}

bool
templates_exists(const struct templates *t, const char *name)
{
	size_t i = tpl_lower_bound(t, name, NULL);

	return i < t->n && strcmp(t->items[i]->name, name) == 0;
}

const struct template *
templates_variant(const struct templates *t, const char *name,
    const char *lang, size_t idx)
{
	size_t i = tpl_lower_bound(t, name, lang);

	if (idx >= t->n - i)
		return NULL;
	i += idx;
	if (strcmp(t->items[i]->name, name) != 0 ||
	    strcmp(t->items[i]->key, lang) != 0)
		return NULL;
	return t->items[i];
}

/* When the client last received tp, or INT64_MIN for never. */
static int64_t
tpl_last_received(const struct template *tp,
    const struct history_client *hc)
{
	int64_t last = INT64_MIN;

	for (size_t i = 0; hc != NULL && i < hc->nrecords; i++) {
		const struct history_record *r = &hc->records[i];
		int64_t at;

		if (r->template_file == NULL ||
		    strcmp(r->template_file, tp->file) != 0 ||
		    (r->status != ST_SENT && r->status != ST_QUEUED &&
		    r->status != ST_DEFERRED))
			continue;
		at = r->sent != HISTORY_NONE ? r->sent : r->due;
		if (at > last)
			last = at;
	}
	return last;
}

const struct template *
templates_choose(const struct templates *t, const char *name,
    const char *lang, const char *fallback_lang,
    const struct history_client *hc, bool *fell_back)
{
	const struct template *best = NULL, *newest = NULL, *tp;
	int64_t best_at = INT64_MAX, newest_at = INT64_MIN;
	size_t n = 0;

	*fell_back = false;
	if (lang == NULL || templates_variant(t, name, lang, 0) == NULL) {
		if (fallback_lang == NULL ||
		    templates_variant(t, name, fallback_lang, 0) == NULL)
			return NULL;
		lang = fallback_lang;
		*fell_back = true;
	}
	for (size_t i = 0; (tp = templates_variant(t, name, lang, i)); i++) {
		int64_t at = tpl_last_received(tp, hc);

		n++;
		if (at > newest_at) {
			newest_at = at;
			newest = tp;
		}
	}
	for (size_t i = 0; (tp = templates_variant(t, name, lang, i)); i++) {
		int64_t at = tpl_last_received(tp, hc);

		if (n > 1 && tp == newest && newest_at != INT64_MIN)
			continue;
		if (at < best_at) {
			best_at = at;
			best = tp;
		}
	}
	return best;
}

/* dst = the first n bytes of l, then "-" and f unless f is empty; cut
 * to size like snprintf() (a language is at most VALID_MAX_ID long, a
 * form a word, so nothing is cut in practice). */
static void
tpl_key_join(char *dst, size_t size, const char *l, size_t n, const char *f)
{
	size_t fl = *f != '\0' ? strlen(f) + 1 : 0;

	if (n > size - 1)
		n = size - 1;
	if (fl > size - 1 - n)
		fl = size - 1 - n;
	memcpy(dst, l, n);
	if (fl > 0) {
		dst[n] = '-';
		memcpy(dst + n + 1, f, fl - 1);
	}
	dst[n + fl] = '\0';
}

/* The keys tried for lang and form: LANG-FORM, LANG, BASE-FORM, BASE
 * (those that differ).  Returns how many were written to keys. */
static size_t
tpl_keys(const char *lang, enum form form, char keys[4][VALID_MAX_ID + 8])
{
	size_t n = 0, base = valid_language_base(lang), len = strlen(lang);
	const char *f = settings_form_name(form);

	if (len > VALID_MAX_ID)
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		size_t ln = pass == 0 ? len : base;

		/* the base differs from lang only when lang has a region */
		if (pass == 1 && base == len)
			break;
		if (*f != '\0')
			tpl_key_join(keys[n++], sizeof(keys[0]), lang, ln, f);
		tpl_key_join(keys[n++], sizeof(keys[0]), lang, ln, "");
	}
	return n;
}

const char *
templates_find(const struct templates *t, const char *name,
    const char *lang, enum form form, const char *sender_lang,
    bool own_only, bool *fell_back)
{
	char keys[4][VALID_MAX_ID + 8];
	const struct template *tp;

	*fell_back = false;
	for (int pass = 0; pass < 2; pass++) {
		const char *l = pass == 0 ? lang : sender_lang;
		size_t n;

		if (l == NULL || (pass == 1 && own_only))
			continue;
		n = tpl_keys(l, form, keys);
		for (size_t i = 0; i < n; i++)
			if ((tp = templates_variant(t, name, keys[i], 0))) {
				*fell_back = pass == 1;
				return tp->key;
			}
	}
	return NULL;
}

const struct template *
templates_pick(const struct templates *t, const char *name,
    const char *lang, enum form form, const char *sender_lang, bool late,
    const struct history_client *hc, bool *fell_back)
{
	const struct template *tp = NULL;
	const char *key;
	bool fb;

	*fell_back = false;
	if (late) {
		char *belated = xasprintf("%s-belated", name);

		if ((key = templates_find(t, belated, lang, form, NULL, true,
		    &fb)) != NULL)
			tp = templates_choose(t, belated, key, NULL, hc, &fb);
		free(belated);
		if (tp != NULL)
			return tp;
	}
	if ((key = templates_find(t, name, lang, form, sender_lang, false,
	    fell_back)) == NULL)
		return NULL;
	return templates_choose(t, name, key, NULL, hc, &fb);
}

const char *
template_file(const struct template *tp)
{
	return tp->file;
}

const char *
template_lang(const struct template *tp)
{
	return tp->lang;
}

bool
template_has_card(const struct template *tp)
{
	return tp->card != NULL;
}

/* The value of a variable, or NULL when it has none here (an empty
 * value counts as none, so fallbacks apply). */
static const char *
tpl_lookup(const struct template_vars *v, const char *name, char num[16])
{
	const char *val = NULL;

	if (strcmp(name, "name") == 0)
		val = v->client->name;
	else if (strcmp(name, "first_name") == 0)
		val = v->client->first_name;
	else if (strcmp(name, "salutation") == 0)
		val = v->client->salutation;
	else if (strcmp(name, "project") == 0)
		val = v->project;
	else if (strcmp(name, "sender_name") == 0)
		val = v->settings != NULL ? v->settings->sender_name : NULL;
	else if (strcmp(name, "years") == 0 || strcmp(name, "age") == 0) {
		bool has = name[0] == 'y' ? v->has_years : v->has_age;

		if (has) {
			snprintf(num, 16, "%d", name[0] == 'y' ? v->years :
			    v->age);
			val = num;
		}
	} else
		val = book_field(v->client, name);
	return val != NULL && *val != '\0' ? val : NULL;
}

static const char *
tpl_unset_hint(const char *name)
{
	if (strcmp(name, "project") == 0)
		return "it has a value only for after_project occasions";
	if (strcmp(name, "years") == 0)
		return "it has a value only for a yearly occasion of a dated "
		    "field and for a birthday with a known year";
	if (strcmp(name, "age") == 0)
		return "it has a value only for a birthday with a known year";
	if (strcmp(name, "sender_name") == 0)
		return "set [sender] name in touchbase.ini";
	return "set it in clients.conf";
}

static void
tpl_no_value(const struct tpl_piece *pc, const char *path,
    const struct client *c, struct diag *d)
{
	struct buf b;
	const char *first = pc->alts[0].text;

	buf_init(&b);
	for (size_t i = 0; i < c->nfields; i++)
		buf_addf(&b, "%s%s", i ? ", " : " (", c->fields[i].key);
	if (c->nfields > 0)
		buf_addc(&b, ')');
	if (pc->nalts == 1 && !tpl_is_builtin(first) &&
	    book_field(c, first) == NULL) {
		const char *cands[64], *sug;
		size_t n = 0;

		for (size_t i = 0; tpl_builtins[i] != NULL; i++)
			cands[n++] = tpl_builtins[i];
		for (size_t i = 0; i < c->nfields && n < 63; i++)
			cands[n++] = c->fields[i].key;
		cands[n] = NULL;
		sug = diag_suggest(first, cands);
		diag_error(d, path, pc->line, "client '%s': unknown "
		    "variable {{%s}}%s%s%s: valid are name, first_name, "
		    "salutation, project, years, age, sender_name and the "
		    "client's fields%s", c->id, first,
		    sug ? " (did you mean '" : "", sug ? sug : "",
		    sug ? "'?)" : "", b.len ? b.data : " (none)");
	} else if (pc->nalts == 1)
		diag_error(d, path, pc->line, "client '%s': {{%s}} has no "
		    "value: %s, or write a fallback like {{%s|\"text\"}}",
		    c->id, first, tpl_unset_hint(first), first);
	else {
		struct buf v;

		buf_init(&v);
		for (size_t i = 0; i < pc->nalts; i++)
			buf_addf(&v, "%s%s", i ? "|" : "", pc->alts[i].text);
		diag_error(d, path, pc->line, "client '%s': none of "
		    "{{%s}} has a value; end it with a quoted fallback like "
		    "{{%s|\"text\"}}", c->id, v.data, v.data);
		buf_free(&v);
	}
	buf_free(&b);
}

/* {{name:one|other}}: the form for the number name holds. */
static int
tpl_render_plural(const struct tpl_piece *pc, const char *lang,
    const char *path, const struct template_vars *v, struct buf *out,
    struct diag *d)
{
	const char *val;
	char num[16], *end;
	long long n;

	if ((val = tpl_lookup(v, pc->alts[0].text, num)) == NULL) {
		tpl_err_at(d, path, pc->line, pc->col, "client '%s': the "
		    "plural {{%s:…}} has no number: {{%s}} has no value (%s); "
		    "keep it in a section {{#%s}}…{{/%s}}", v->client->id,
		    pc->alts[0].text, pc->alts[0].text,
		    tpl_unset_hint(pc->alts[0].text), pc->alts[0].text,
		    pc->alts[0].text);
		return -1;
	}
	errno = 0;
	n = strtoll(val, &end, 10);
	if (*end != '\0' || errno != 0 || end == val ||
	    !(val[0] == '-' || (val[0] >= '0' && val[0] <= '9'))) {
		char *q = valid_quote(val);

		tpl_err_at(d, path, pc->line, pc->col, "client '%s': the "
		    "plural {{%s:…}} needs a whole number, and {{%s}} is %s",
		    v->client->id, pc->alts[0].text, pc->alts[0].text, q);
		free(q);
		return -1;
	}
	if (out != NULL)
		buf_adds(out, pc->forms[tpl_plural_index(lang, n,
		    pc->nforms)]);
	return 0;
}

/* Renders a parsed text in lang; values from the book are escaped for
 * HTML, quoted fallbacks, choices and plurals are the author's own and
 * go in as written.  With out NULL it only proves that every value
 * resolves, with the same diagnostics. */
static int
tpl_render_text(const struct tpl_text *tx, const char *path,
    const char *lang, const struct template_vars *v, bool html,
    struct buf *out, struct diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < tx->npieces; i++) {
		const struct tpl_piece *pc = &tx->pieces[i];
		const char *val = NULL, *bad;
		bool literal = false;
		char num[16];

		switch (pc->kind) {
		case TK_LIT:
			if (out != NULL)
				buf_add(out, pc->lit, pc->len);
			continue;
		case TK_OPEN:
			if ((tpl_lookup(v, pc->alts[0].text, num) == NULL) !=
			    pc->inverted)
				i = pc->match;
			continue;
		case TK_CLOSE:
			continue;
		case TK_CHOICE:
			if (out != NULL)
				buf_adds(out, pc->forms[book_form(v->client) ==
				    FORM_DU ? 0 : 1]);
			continue;
		case TK_PLURAL:
			if (tpl_render_plural(pc, lang, path, v, out, d) == -1)
				rc = -1;
			continue;
		case TK_VAR:
			break;
		}
		for (size_t j = 0; j < pc->nalts && val == NULL; j++) {
			literal = pc->alts[j].literal;
			val = literal ? pc->alts[j].text :
			    tpl_lookup(v, pc->alts[j].text, num);
		}
		if (val == NULL) {
			tpl_no_value(pc, path, v->client, d);
			rc = -1;
			continue;
		}
		if (!literal && (bad = tpl_value_problem(val)) != NULL) {
			diag_error(d, path, pc->line, "client '%s': the value "
			    "of {{%s}} %s", v->client->id, pc->alts[0].text,
			    bad);
			rc = -1;
			continue;
		}
		if (out == NULL)
			continue;
		if (html && !literal)
			buf_add_html(out, val, BUF_HTML_QUOTES);
		else
			buf_adds(out, val);
	}
	return rc;
}

/* template_render(), or with body false template_resolve(). */
static int
tpl_render(const struct template *tp, const struct template_vars *v,
    bool body, struct rendered *out, struct diag *d)
{
	struct buf subj, text, html;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	buf_init(&subj);
	buf_init(&text);
	buf_init(&html);
	if (tpl_render_text(&tp->subject, tp->path, tp->lang, v, false, &subj,
	    d) == -1)
		rc = -1;
	if (tpl_render_text(&tp->body, tp->path, tp->lang, v, false,
	    body ? &text : NULL, d) == -1)
		rc = -1;
	if (tp->card != NULL && tpl_render_text(&tp->card->body,
	    tp->card->path, tp->card->lang, v, true, body ? &html : NULL,
	    d) == -1)
		rc = -1;
	if (rc == 0 && (subj.data == NULL ||
	    subj.len == strspn(subj.data, " "))) {
		diag_error(d, tp->path, tp->subject.npieces ?
		    tp->subject.pieces[0].line : 1, "client '%s': the Subject "
		    "is empty", v->client->id);
		rc = -1;
	}
	if (rc == -1) {
		buf_free(&subj);
		buf_free(&text);
		buf_free(&html);
		return -1;
	}
	out->subject = buf_detach(&subj, NULL);
	if (body)
		out->text = buf_detach(&text, NULL);
	if (tp->card != NULL) {
		if (body)
			out->html = buf_detach(&html, NULL);
		out->images = tp->card->images;
		out->nimages = tp->card->nimages;
	}
	out->template_file = xstrdup(tp->file);
	return 0;
}

int
template_render(const struct template *tp, const struct template_vars *v,
    struct rendered *out, struct diag *d)
{
	return tpl_render(tp, v, true, out, d);
}

int
template_resolve(const struct template *tp, const struct template_vars *v,
    struct rendered *out, struct diag *d)
{
	return tpl_render(tp, v, false, out, d);
}

void
rendered_free(struct rendered *r)
{
	if (r == NULL)
		return;
	free(r->subject);
	free(r->text);
	free(r->html);
	free(r->template_file);
	memset(r, 0, sizeof(*r));
}
