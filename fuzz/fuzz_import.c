/*
 * fuzz_import.c - the vCard and CSV readers on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_result r = { NULL, 0 };
	struct diag d;
	FILE *null = fopen("/dev/null", "w");

	diag_init(&d);
	if (import_vcard((const char *)data, size, "f.vcf", &r, &d) == 0)
		import_print(null, &r);
	import_result_free(&r);
	if (import_csv((const char *)data, size, "f.csv", &r, &d) == 0)
		import_print(null, &r);
	import_result_free(&r);
	diag_free(&d);
	fclose(null);
	return 0;
}
