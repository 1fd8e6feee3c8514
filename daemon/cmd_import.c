/*
 * cmd_import.c - `touchbase import vcard|csv FILE`: print clients.conf
 * entries to stdout.  Never writes the configuration itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "import.h"

#define IMPORT_MAX_BYTES (64 * 1024 * 1024)

static const char import_usage[] = "usage: touchbase import vcard|csv FILE\n";

int
cmd_import(const char *config, int argc, char **argv)
{
	struct import_result r = { NULL, 0 };
	struct buf data;
	struct diag d;
	int rc;

	(void)config;		/* import reads no configuration */
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
		printf("# %zu client%s imported from %s; paste into the "
		    "clients = ( ... ) list of clients.conf,\n# then run "
		    "'touchbase check'.\n", r.n, r.n == 1 ? "" : "s", argv[2]);
		import_print(stdout, &r);
	}
	import_result_free(&r);
	diag_free(&d);
	buf_free(&data);
	return rc == 0 ? 0 : 1;
}
