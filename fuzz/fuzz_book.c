/*
 * fuzz_book.c - clients.conf parser (libconfig plus the book's checks):
 * no crash, no leak, and a loaded book is consistent.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "diag.h"
#include "settings.h"
#include "valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks the string token at some syntax errors (try
 * '"a"' as the whole file); fixed upstream, not ours to fix here. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static void
check_book(const struct book *b)
{
	for (size_t i = 0; i < b->nclients; i++) {
		const struct client *c = &b->clients[i];

		if (c->id == NULL || c->name == NULL || c->email == NULL ||
		    c->language == NULL || c->tz == NULL ||
		    book_client(b, c->id) != c ||
		    (i > 0 && strcmp(b->clients[i - 1].id, c->id) >= 0) ||
		    valid_has_control(c->name) ||
		    (c->salutation && valid_has_control(c->salutation)))
			abort();
		for (size_t j = 0; j < c->noccasions; j++)
			if (c->occasions[j] >= b->noccasions)
				abort();
		for (size_t j = 0; j < c->nfields; j++)
			if (book_field(c, c->fields[j].key) == NULL ||
			    valid_has_control(c->fields[j].value))
				abort();
	}
	for (size_t i = 0; i < b->noccasions; i++)
		if (b->occasions[i].name == NULL ||
		    b->occasions[i].template == NULL ||
		    book_occasion(b, b->occasions[i].name) != &b->occasions[i])
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s = {
		.language = "de", .timezone = "Europe/Berlin",
		.basis = BASIS_CUSTOMER,
	};
	struct book *b = NULL;
	struct diag d;
	char *text;

	/* @include would read whatever file the input names (/dev/zero). */
	if (size > 64 * 1024 || memmem(data, size, "@include", 8) != NULL)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	diag_init(&d);
	if (book_load_buffer("fuzz/clients.conf", text, &s, &b, &d) == 0) {
		if (d.errors != 0)
			abort();
		check_book(b);
		book_free(b);
	} else if (b != NULL || d.errors == 0) {
		abort();
	}
	for (size_t i = 0; i < d.n; i++)
		free(diag_format(&d, i));
	diag_free(&d);
	free(text);
	return 0;
}
