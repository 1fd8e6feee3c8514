/*
 * fuzz_mailparse.c - the mail header and DSN parser on hostile bytes: no
 * crash, no leak, and whatever it keeps is safe to look up and store:
 * addresses, Message-IDs and DSN values are printable ASCII within their
 * bounds (nothing from a mail could carry a line break anywhere).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailparse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
printable(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n == 0 || n > max)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail m;

	if (size > 256 * 1024)
		return 0;
	mailparse_message((const char *)data, size, &m);
	printable(m.message_id, 250);
	printable(m.from, 254);
	printable(m.orig_message_id, 250);
	printable(m.orig_envelope_id, MAILPARSE_MAX_TEXT);
	if (m.nto > MAILPARSE_MAX_ADDRS || m.nrefs > MAILPARSE_MAX_REFS ||
	    m.nrcpts > MAILPARSE_MAX_RCPTS)
		abort();
	for (size_t i = 0; i < m.nto; i++)
		printable(m.to[i], 254);
	for (size_t i = 0; i < m.nrefs; i++)
		if (m.refs[i] == NULL || m.refs[i][0] != '<')
			abort();
		else
			printable(m.refs[i], 250);
	for (size_t i = 0; i < m.nrcpts; i++) {
		printable(m.rcpts[i].recipient, 254);
		printable(m.rcpts[i].action, MAILPARSE_MAX_TEXT);
		printable(m.rcpts[i].status, 16);
		printable(m.rcpts[i].diagnostic, MAILPARSE_MAX_TEXT);
		if (m.rcpts[i].status != NULL &&
		    strchr("245", m.rcpts[i].status[0]) == NULL)
			abort();
	}
	mailparse_clear(&m);
	return 0;
}
