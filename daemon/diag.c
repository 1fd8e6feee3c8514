/*
 * diag.c - problems found in the owner's files, each with its place.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "log.h"
#include "xalloc.h"

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void
diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	diag_init(d);
}

static void diag_vadd(struct diag *, enum diag_level, const char *, int,
    const char *, va_list) __attribute__((format(printf, 5, 0)));

static void
diag_vadd(struct diag *d, enum diag_level level, const char *file, int line,
    const char *fmt, va_list ap)
{
	struct diag_item *it;
	struct buf b;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->items = xreallocarray(d->items, d->cap, sizeof(*d->items));
	}
	it = &d->items[d->n++];
	it->level = level;
	it->file = xstrdup(file != NULL ? file : "");
	it->line = line;
	buf_init(&b);
	buf_vaddf(&b, fmt, ap);
	it->msg = buf_detach(&b, NULL);
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void
diag_error(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, DIAG_ERROR, file, line, fmt, ap);
	va_end(ap);
}

void
diag_warn(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, DIAG_WARNING, file, line, fmt, ap);
	va_end(ap);
}

void
diag_drop(struct diag *d, size_t i)
{
	if (i >= d->n)
		return;
	if (d->items[i].level == DIAG_ERROR)
		d->errors--;
	else
		d->warnings--;
	free(d->items[i].file);
	free(d->items[i].msg);
	memmove(&d->items[i], &d->items[i + 1],
	    (d->n - i - 1) * sizeof(*d->items));
	d->n--;
}

char *
diag_format(const struct diag *d, size_t i)
{
	const struct diag_item *it = &d->items[i];
	const char *lv = it->level == DIAG_WARNING ? "warning: " : "";

	if (it->line > 0)
		return xasprintf("%s:%d: %s%s", it->file, it->line, lv, it->msg);
	return xasprintf("%s: %s%s", it->file, lv, it->msg);
}

void
diag_print(const struct diag *d, FILE *fp)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(d, i);

		fprintf(fp, "%s\n", s);
		free(s);
	}
}

void
diag_log(const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(d, i);

		log_warnx("%s", s);
		free(s);
	}
}

/* Optimal string alignment distance, enough for typo suggestions. */
static size_t
diag_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row, *prev, *pprev, r;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	row = xcalloc(lb + 1, sizeof(*row));
	prev = xcalloc(lb + 1, sizeof(*prev));
	pprev = xcalloc(lb + 1, sizeof(*pprev));
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = prev[j] + 1;

			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pprev[j - 2] + 1 < v)
				v = pprev[j - 2] + 1;
			row[j] = v;
		}
		size_t *t = pprev;
		pprev = prev;
		prev = row;
		row = t;
	}
	r = prev[lb];
	free(row);
	free(prev);
	free(pprev);
	return r;
}

const char *
diag_suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, limit;

	limit = strlen(word) <= 4 ? 1 : strlen(word) <= 8 ? 2 : 3;
	for (size_t i = 0; candidates[i] != NULL; i++) {
		size_t dd = diag_distance(word, candidates[i]);

		if (dd < bestd) {
			bestd = dd;
			best = candidates[i];
		}
	}
	return bestd <= limit ? best : NULL;
}
