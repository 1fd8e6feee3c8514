/*
 * cmd_import.c - `touchbase import vcard|csv FILE`: print clients.conf
 * entries to stdout.  Never writes the configuration itself.  Contacts
 * whose id or address the book (of -c FILE's configuration) already has
 * are printed as comments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book.h"
#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "import.h"
#include "settings.h"
#include "xalloc.h"

#define IMPORT_MAX_BYTES (64 * 1024 * 1024)

static const char import_usage[] = "usage: touchbase import vcard|csv FILE\n";

/* Marks the contacts the book already has; returns how many.  Without a
 * configuration (touchbase not set up yet) there is nothing to compare
 * with; a book that cannot be read is said on stderr. */
static size_t
import_compare_book(const char *config, struct import_result *r)
{
	struct settings *s = NULL;
	struct book *b = NULL;
	const char **ids, **emails;
	struct diag d;
	size_t marked = 0;

	if (access(config, F_OK) == -1 && errno == ENOENT)
		return 0;
	diag_init(&d);
	if (settings_load(config, &s, &d) == -1 ||
	    book_load(s->clients, s, &b, &d) == -1) {
		diag_print(&d, stderr);
		fprintf(stderr, "touchbase import: the book could not be read; "
		    "the contacts are not compared with it\n");
		goto out;
	}
	ids = xcalloc(b->nclients + 1, sizeof(*ids));
	emails = xcalloc(b->nclients + 1, sizeof(*emails));
	for (size_t i = 0; i < b->nclients; i++) {
		ids[i] = b->clients[i].id;
		emails[i] = b->clients[i].email;
	}
	marked = import_mark_known(r, ids, emails, b->nclients);
	free(ids);
	free(emails);
out:
	book_free(b);
	settings_free(s);
	diag_free(&d);
	return marked;
}

int
cmd_import(const char *config, int argc, char **argv)
{
	struct import_result r = { NULL, 0 };
	struct buf data;
	struct diag d;
	size_t known = 0;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(import_usage, stdout);
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "vcard") != 0 &&
	    strcmp(argv[1], "csv") != 0)) {
		fputs(import_usage, stderr);
		return 2;
	}
	buf_init(&data);
	switch (buf_read_file(&data, argv[2], IMPORT_MAX_BYTES)) {
	case -1:
		fprintf(stderr, "touchbase import: %s: %s\n", argv[2],
		    strerror(errno));
		buf_free(&data);
		return 1;
	case 1:
		fprintf(stderr, "touchbase import: %s: larger than "
		    "64 MiB; split it\n", argv[2]);
		buf_free(&data);
		return 1;
	}

	diag_init(&d);
	if (strcmp(argv[1], "vcard") == 0)
		rc = import_vcard(data.data ? data.data : "", data.len, argv[2],
		    &r, &d);
	else
		rc = import_csv(data.data ? data.data : "", data.len, argv[2],
		    &r, &d);
	diag_print(&d, stderr);
	if (rc == 0) {
		known = import_compare_book(config, &r);
		printf("# %zu client%s imported from %s; paste into the "
		    "clients = ( ... ) list of clients.conf,\n# then run "
		    "'touchbase check'.\n", r.n - known, r.n - known == 1 ?
		    "" : "s", argv[2]);
		if (known > 0)
			printf("# %zu already in the book (%s) are "
			    "comments.\n", known, config);
		import_print(stdout, &r);
	}
	import_result_free(&r);
	diag_free(&d);
	buf_free(&data);
	return rc == 0 ? 0 : 1;
}
