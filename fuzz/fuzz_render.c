/*
 * fuzz_render.c - the MIME writer.  The input is split at NUL bytes into
 * subject, recipient name, sender name, text and (when present) HTML.
 * Checked: a built message has only CRLF line ends, no line over 998
 * octets and an ASCII header block; the Subject header decodes back to
 * the subject (every encoded word at most 75 octets and valid UTF-8 on
 * its own); quoted-printable decodes back to the text, lines within 76.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "message.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	abort();
}

static void
fz_b64(struct buf *out, const char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = 0;
	int bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(tab, s[i]);

		if (p == NULL || s[i] == '\0')
			abort();
		v = v << 6 | (unsigned)(p - tab);
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_addc(out, (char)(v >> bits & 0xff));
		}
	}
}

/* Same rules as the writer's: a well-formed UTF-8 sequence. */
static bool
fz_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 :
		    c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;

		if (len == 0 || i + len > n)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && s[i + 1] < 0xa0) ||
		    (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) ||
		    (c == 0xf4 && s[i + 1] > 0x8f))
			return false;
		i += len;
	}
	return true;
}

static void
fz_check_subject(const char *subject)
{
	struct buf h, raw, dec;
	const char *p;

	buf_init(&h);
	buf_init(&raw);
	buf_init(&dec);
	message_encode_header(&h, "Subject", subject);
	for (p = h.data + 9; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		if (*p == '\r' || *p == '\n' || (unsigned char)*p > 0x7e)
			abort();
		buf_addc(&raw, *p);
	}
	for (p = raw.data != NULL ? raw.data : ""; *p != '\0';) {
		const char *ew = strstr(p, "=?UTF-8?"), *end;
		size_t before = dec.len;

		if (ew == NULL) {
			buf_adds(&dec, p);
			break;
		}
		buf_add(&dec, p, (size_t)(ew - p));
		if ((end = strstr(ew + 10, "?=")) == NULL || end + 2 - ew > 75)
			abort();
		if (ew[8] == 'Q') {
			for (const char *q = ew + 10; q < end; q++) {
				if (*q == '_')
					buf_addc(&dec, ' ');
				else if (*q == '=') {
					buf_addc(&dec, (char)(fz_hex(q[1]) << 4 |
					    fz_hex(q[2])));
					q += 2;
				} else
					buf_addc(&dec, *q);
			}
		} else if (ew[8] == 'B')
			fz_b64(&dec, ew + 10, (size_t)(end - ew - 10));
		else
			abort();
		if (fz_utf8((const unsigned char *)subject, strlen(subject)) &&
		    !fz_utf8((unsigned char *)dec.data + before,
		    dec.len - before))
			abort();
		p = end + 2;
		if (p[0] == ' ' && strncmp(p + 1, "=?UTF-8?", 8) == 0)
			p++;
	}
	if (strcmp(dec.data != NULL ? dec.data : "", subject) != 0)
		abort();
	buf_free(&h);
	buf_free(&raw);
	buf_free(&dec);
}

static void
fz_check_qp(const char *text, size_t len)
{
	struct buf q, dec, want;
	size_t col = 0;

	buf_init(&q);
	buf_init(&dec);
	buf_init(&want);
	message_qp(&q, text, len);
	for (size_t i = 0; i < q.len; i++) {
		char c = q.data[i];

		if (c == '\r') {
			if (q.data[i + 1] != '\n')
				abort();
			buf_addc(&dec, '\n');
			i++;
			col = 0;
			continue;
		}
		if (++col > 76 || c == '\n' || (unsigned char)c > 0x7e)
			abort();
		if (c == '=' && q.data[i + 1] == '\r') {
			i += 2;
			col = 0;
		} else if (c == '=') {
			buf_addc(&dec, (char)(fz_hex(q.data[i + 1]) << 4 |
			    fz_hex(q.data[i + 2])));
			i += 2;
			col += 2;
		} else if ((c == ' ' || c == '\t') && (i + 1 == q.len ||
		    q.data[i + 1] == '\r'))
			abort();	/* trailing white space */
		else
			buf_addc(&dec, c);
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		buf_addc(&want, text[i] == '\r' ? '\n' : text[i]);
	}
	if (dec.len != want.len || (dec.len > 0 &&
	    memcmp(dec.data, want.data, dec.len) != 0))
		abort();
	buf_free(&q);
	buf_free(&dec);
	buf_free(&want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *f[5] = { NULL };
	size_t nf = 0, start = 0;
	struct message_in in;
	struct buf b;
	char *err = NULL;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i <= size && nf < 5; i++)
		if (i == size || copy[i] == '\0') {
			f[nf++] = copy + start;
			start = i + 1;
		}
	fz_check_subject(f[0]);
	if (nf > 3)
		fz_check_qp(f[3], strlen(f[3]));

	memset(&in, 0, sizeof(in));
	in.subject = f[0];
	in.to_name = nf > 1 ? f[1] : NULL;
	in.from_name = nf > 2 ? f[2] : "Atelier Lindgrün";
	in.text = nf > 3 ? f[3] : "text\n";
	in.html = nf > 4 ? f[4] : NULL;
	in.from_addr = "hallo@lindgruen.example";
	in.to_addr = "anna@example.de";
	in.date = 1803801600;
	in.utc_offset = 3600;
	in.message_id = "<1.2@lindgruen.example>";
	buf_init(&b);
	if (message_build(&in, &b, &err) == 0) {
		size_t col = 0;
		char *body = strstr(b.data, "\r\n\r\n");

		if (body == NULL || b.data[b.len - 1] != '\n')
			abort();
		for (char *p = b.data; p < body; p++)
			if ((unsigned char)*p > 0x7e)
				abort();
		for (size_t i = 0; i < b.len; i++) {
			if (b.data[i] == '\r') {
				if (b.data[i + 1] != '\n')
					abort();
				col = 0;
				i++;
			} else if (b.data[i] == '\n' || ++col > 998)
				abort();
		}
	} else if (err == NULL)
		abort();
	free(err);
	buf_free(&b);
	free(copy);
	return 0;
}
