/*
 * fuzz_settings.c - touchbase.ini parser: no crash, no leak, and a
 * loaded result is complete.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "settings.h"
#include "valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings *s = NULL;
	struct diag d;

	if (size > 64 * 1024)
		return 0;
	diag_init(&d);
	if (settings_load_buffer("fuzz/touchbase.ini", (const char *)data, size,
	    &s, &d) == 0) {
		/* A loaded file has no errors and every required value. */
		if (d.errors != 0 || s->sender_address == NULL ||
		    s->sender_domain == NULL || s->url == NULL ||
		    s->timezone == NULL || s->clients == NULL ||
		    s->templates == NULL || s->database == NULL ||
		    s->daily_limit < 1 || s->nretry > SETTINGS_MAX_RETRY ||
		    valid_has_control(s->sender_name))
			abort();
		settings_free(s);
	} else if (s != NULL || d.errors == 0) {
		abort();	/* failed without saying why, or half-loaded */
	}
	for (size_t i = 0; i < d.n; i++)
		free(diag_format(&d, i));
	diag_free(&d);
	return 0;
}
