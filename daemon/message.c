/*
 * message.c - RFC 5322 / MIME bytes.  Pure, apart from message_new_id().
 *
 * Lines are kept within 78 octets wherever the format allows folding
 * (headers, quoted-printable and base64 are all at most 76 or 78); the
 * hard limit of 998 can only be reached by an address or a Message-ID,
 * whose lengths are checked.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "message.h"
#include "timeutil.h"
#include "utf8.h"
#include "valid.h"
#include "xalloc.h"

#define LINE_SOFT	78	/* RFC 5322 2.1.1 */
#define EW_MAX		75	/* RFC 2047 2: one encoded word */
#define EW_OVERHEAD	12	/* "=?UTF-8?Q?" + "?=" */
#define QP_MAX		76	/* RFC 2045 6.7 (5) */
#define B64_BYTES	57	/* 76 base64 characters per line */

static const char msg_hex[] = "0123456789ABCDEF";
static const char *const msg_wday[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
static const char *const msg_month[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* One character of s for folding and encoding: a whole UTF-8 sequence,
 * or a single byte where the input is not UTF-8. */
static size_t
msg_unit(const unsigned char *s, size_t n)
{
	size_t u = utf8_char(s, n, NULL);

	return u == 0 ? 1 : u;
}

/* An address for a header: present, header-safe, then valid_address(). */
static int
msg_check_addr(const char *what, const char *a, char **err)
{
	char *why;

	if (a == NULL || *a == '\0') {
		*err = xasprintf("%s is empty; an address like "
		    "name@example.org is needed", what);
		return -1;
	}
	if (valid_header_text(what, a, err) == -1)
		return -1;
	if (valid_address(a, &why) == -1) {
		*err = xasprintf("%s %s", what, why);
		free(why);
		return -1;
	}
	return 0;
}

static bool
msg_ascii_token(const char *v, size_t max)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return false;
	return *v != '\0' && strlen(v) <= max;
}

/* The bytes Q encoding may leave as they are inside a phrase (RFC 2047
 * 5 (3)), which is also safe in unstructured text. */
static bool
msg_q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/';
}

static size_t
msg_q_len(const unsigned char *p, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += msg_q_plain(p[i]) || p[i] == ' ' ? 1 : 3;
	return len;
}

static void
msg_q_add(struct buf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (msg_q_plain(p[i]))
			buf_addc(out, (char)p[i]);
		else if (p[i] == ' ')
			buf_addc(out, '_');
		else {
			buf_addc(out, '=');
			buf_addc(out, msg_hex[p[i] >> 4]);
			buf_addc(out, msg_hex[p[i] & 15]);
		}
	}
}

static void
msg_b64_add(struct buf *out, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_addc(out, tab[v >> 18 & 63]);
		buf_addc(out, tab[v >> 12 & 63]);
		buf_addc(out, i + 1 < n ? tab[v >> 6 & 63] : '=');
		buf_addc(out, i + 2 < n ? tab[v & 63] : '=');
	}
}

static size_t
msg_b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/*
 * Writes v as a run of encoded words starting at column col and returns
 * the column after the last one.  The whole text is encoded (spaces
 * included), because white space between two encoded words is dropped
 * when they are decoded; words are separated by a fold.  A word ends
 * after a space of the text where one fits, else between two characters:
 * it never splits a character, so every word decodes to valid UTF-8.
 * Q keeps Latin text readable; B is used where Q would be more than half
 * as long again (text that is mostly non-Latin).
 */
static size_t
msg_encode_words(struct buf *out, const char *v, size_t col)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v), i = 0;
	bool q = msg_q_len(p, n) * 2 <= msg_b64_len(n) * 3;

	if (col + 20 > LINE_SOFT) {
		buf_adds(out, "\r\n ");
		col = 1;
	}
	while (i < n) {
		size_t limit, start = i, used = 0, sp = 0, sp_used = 0;

		if (start > 0) {
			buf_adds(out, "\r\n ");
			col = 1;
		}
		limit = LINE_SOFT - col;
		if (limit > EW_MAX)
			limit = EW_MAX;
		limit -= EW_OVERHEAD;
		while (i < n) {
			size_t u = msg_unit(p + i, n - i), need;

			need = q ? used + msg_q_len(p + i, u) :
			    msg_b64_len(i + u - start);
			if (need > limit && i > start) {
				/* end the word after a space where there is one */
				if (sp > start) {
					i = sp;
					used = sp_used;
				}
				break;
			}
			used = need;
			i += u;
			if (p[i - 1] == ' ') {
				sp = i;
				sp_used = used;
			}
		}
		buf_adds(out, q ? "=?UTF-8?Q?" : "=?UTF-8?B?");
		if (q)
			msg_q_add(out, p + start, i - start);
		else
			msg_b64_add(out, p + start, i - start);
		buf_adds(out, "?=");
		col += EW_OVERHEAD + (q ? used : msg_b64_len(i - start));
	}
	return col;
}

/* Whether unstructured text must be encoded: anything but printable
 * ASCII and spaces, something that would read as an encoded word, or a
 * token too long to be folded onto a line of its own. */
static bool
msg_needs_encoding(const char *v, size_t col)
{
	size_t tok = 0;

	if (strstr(v, "=?") != NULL)
		return true;
	for (const unsigned char *p = (const unsigned char *)v; ; p++) {
		if (*p == ' ' || *p == '\0') {
			if (col + tok > LINE_SOFT)
				return true;
			if (*p == '\0')
				return false;
			col = 0;
			tok = 0;
		} else if (*p < 0x21 || *p > 0x7e)
			return true;
		tok++;
	}
}

/* Plain ASCII text folded before spaces; unfolding restores it. */
static void
msg_fold_plain(struct buf *out, const char *v, size_t col)
{
	const char *p = v;

	while (*p != '\0') {
		size_t tok = strcspn(p + 1, " ") + 1;

		if (*p == ' ' && p != v && p[1] != ' ' && p[1] != '\0' &&
		    col + tok > LINE_SOFT) {
			buf_adds(out, "\r\n");
			col = 0;
		}
		buf_add(out, p, tok);
		col += tok;
		p += tok;
	}
}

void
message_encode_header(struct buf *out, const char *hname, const char *value)
{
	size_t col = strlen(hname) + 2;

	buf_addf(out, "%s: ", hname);
	if (msg_needs_encoding(value, col))
		msg_encode_words(out, value, col);
	else
		msg_fold_plain(out, value, col);
	buf_adds(out, "\r\n");
}

/* "Name <addr>": the name as atoms, a quoted-string, or encoded words. */
static void
msg_addr_header(struct buf *out, const char *hname, const char *name,
    const char *addr)
{
	size_t col = strlen(hname) + 2, n;
	bool ascii = true, atoms = true;

	buf_addf(out, "%s: ", hname);
	if (name == NULL || *name == '\0') {
		buf_addf(out, "%s\r\n", addr);
		return;
	}
	n = strlen(name);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c > 0x7e)
			ascii = false;
		if (!valid_atext(c) && !(c == ' ' && i > 0 && i + 1 < n &&
		    name[i + 1] != ' '))
			atoms = false;
	}
	if (!ascii || strstr(name, "=?") != NULL || col + n > LINE_SOFT - 2)
		col = msg_encode_words(out, name, col);
	else if (atoms) {
		buf_adds(out, name);
		col += n;
	} else {
		buf_addc(out, '"');
		for (size_t i = 0; i < n; i++) {
			if (name[i] == '"' || name[i] == '\\') {
				buf_addc(out, '\\');
				col++;
			}
			buf_addc(out, name[i]);
		}
		buf_addc(out, '"');
		col += n + 2;
	}
	if (col + 3 + strlen(addr) > LINE_SOFT)
		buf_addf(out, "\r\n <%s>\r\n", addr);
	else
		buf_addf(out, " <%s>\r\n", addr);
}

/* Encodes one character of a line: *enc gets its bytes, the return is
 * their count. */
static size_t
msg_qp_unit(const unsigned char *p, size_t u, const unsigned char *end,
    bool at_start, bool at_end, char enc[16])
{
	size_t k = 0;
	unsigned char c = p[0];
	bool literal;

	if (u == 1) {
		if (c == ' ' || c == '\t')
			literal = !at_end;
		else if (c == '.' && at_start)
			literal = false;	/* SMTP dot-stuffing */
		else if (c == 'F' && at_start && end - p >= 5 &&
		    memcmp(p, "From ", 5) == 0)
			literal = false;	/* mbox "From " lines */
		else
			literal = c >= 33 && c <= 126 && c != '=';
		if (literal) {
			enc[0] = (char)c;
			return 1;
		}
	}
	for (size_t i = 0; i < u; i++) {
		enc[k++] = '=';
		enc[k++] = msg_hex[p[i] >> 4];
		enc[k++] = msg_hex[p[i] & 15];
	}
	return k;
}

static void
msg_qp_line(struct buf *out, const unsigned char *p, const unsigned char *end)
{
	size_t col = 0;

	while (p < end) {
		size_t u = msg_unit(p, (size_t)(end - p)), k;
		bool last = p + u == end;
		char enc[16];

		k = msg_qp_unit(p, u, end, col == 0, last, enc);
		if (col + k > (last ? QP_MAX : QP_MAX - 1)) {
			buf_adds(out, "=\r\n");
			col = 0;
			k = msg_qp_unit(p, u, end, true, last, enc);
		}
		buf_add(out, enc, k);
		col += k;
		p += u;
	}
}

void
message_qp(struct buf *out, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + len;

	while (p < end) {
		const unsigned char *eol = p;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		msg_qp_line(out, p, eol);
		if (eol == end)
			break;
		buf_adds(out, "\r\n");
		p = eol + (*eol == '\r' && eol + 1 < end && eol[1] == '\n' ?
		    2 : 1);
	}
}

void
message_format_date(int64_t utc, int offset, char out[static 40])
{
	int64_t local = utc + offset, days = timeutil_day_of(local);
	int sec = (int)(local - days * DAY_SECONDS);
	int off = offset < 0 ? -offset : offset;
	struct civil_date d;

	timeutil_civil_from_days(days, &d);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
	    msg_wday[timeutil_weekday(days)], d.day, msg_month[d.month - 1],
	    d.year, sec / 3600, sec / 60 % 60, sec % 60,
	    offset < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}

char *
message_new_id(const char *domain)
{
	unsigned char r[8];
	size_t got = 0;
	unsigned long long v = 0;
	time_t now = time(NULL);
	struct tm tm;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(r); i++)
		v = v << 8 | r[i];
	gmtime_r(&now, &tm);
	return xasprintf("<%04d%02d%02d%02d%02d%02d.%016llx@%s>",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, v, domain);
}

/* "=_" never occurs in quoted-printable or base64 output, so a boundary
 * starting with it cannot collide with a part's contents. */
static void
msg_boundary(const char *seed, const char *kind, char out[static 40])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)seed; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 40, "=_tb-%s-%016llx", kind, (unsigned long long)h);
}

static void
msg_qp_part(struct buf *out, const char *type, const char *text)
{
	size_t len = strlen(text);

	buf_addf(out, "Content-Type: %s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", type);
	/* The line break before a boundary belongs to the boundary, so a
	 * text ending in a newline keeps it. */
	message_qp(out, text, len);
}

static void
msg_image_part(struct buf *out, const struct template_image *im)
{
	buf_addf(out, "Content-Type: %s; name=\"%s\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-ID: <%s>\r\n"
	    "Content-Disposition: inline; filename=\"%s\"\r\n\r\n",
	    im->content_type, im->file, im->file, im->file);
	for (size_t i = 0; i < im->len; i += B64_BYTES) {
		size_t n = im->len - i < B64_BYTES ? im->len - i : B64_BYTES;

		if (i > 0)
			buf_adds(out, "\r\n");
		msg_b64_add(out, im->data + i, n);
	}
}

static int
msg_check_in(const struct message_in *in, char **err)
{
	const char *id = in->message_id;

	if (msg_check_addr("the sender address", in->from_addr, err) == -1 ||
	    msg_check_addr("the recipient address", in->to_addr, err) == -1 ||
	    (in->reply_to != NULL &&
	    msg_check_addr("the Reply-To address", in->reply_to, err) == -1))
		return -1;
	if ((in->from_name != NULL &&
	    valid_header_text("the sender name", in->from_name, err) == -1) ||
	    (in->to_name != NULL &&
	    valid_header_text("the recipient name", in->to_name, err) == -1))
		return -1;
	if (message_check_subject(in->subject, err) == -1)
		return -1;
	if (id == NULL || !msg_ascii_token(id, 250) || id[0] != '<' ||
	    id[strlen(id) - 1] != '>' || strchr(id, '@') == NULL) {
		*err = xasprintf("Message-ID '%s' is not of the form "
		    "<unique@domain>", id != NULL ? id : "");
		return -1;
	}
	if (in->list_unsubscribe != NULL &&
	    !msg_ascii_token(in->list_unsubscribe, 900)) {
		*err = xstrdup("the List-Unsubscribe value must be printable "
		    "ASCII without spaces, like <mailto:a@example.org>");
		return -1;
	}
	if (in->text == NULL || !utf8_valid(in->text, strlen(in->text)) ||
	    (in->html != NULL &&
	    !utf8_valid(in->html, strlen(in->html)))) {
		*err = xstrdup("the message text is missing or not valid "
		    "UTF-8");
		return -1;
	}
	for (size_t i = 0; in->html != NULL && i < in->nimages; i++) {
		const struct template_image *im = &in->images[i];
		size_t n = strlen(im->file);

		if (n == 0 || n > 100 || im->content_type == NULL ||
		    strspn(im->file, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789._-") != n) {
			*err = xasprintf("image '%s' needs a name of letters, "
			    "digits, '.', '_' and '-' and a content type",
			    im->file);
			return -1;
		}
	}
	return 0;
}

int
message_check_subject(const char *subject, char **err)
{
	if (subject == NULL || *subject == '\0') {
		*err = xstrdup("the subject is empty");
		return -1;
	}
	return valid_header_text("the subject", subject, err);
}

int
message_check(const struct message_in *in, char **err)
{
	*err = NULL;
	return msg_check_in(in, err);
}

int
message_build(const struct message_in *in, struct buf *out, char **err)
{
	struct buf m;
	char date[40], alt[40], rel[40];
	const char *seed;

	*err = NULL;
	if (msg_check_in(in, err) == -1)
		return -1;
	buf_init(&m);
	message_format_date(in->date, in->utc_offset, date);
	buf_addf(&m, "Date: %s\r\n", date);
	buf_addf(&m, "Message-ID: %s\r\n", in->message_id);
	msg_addr_header(&m, "From", in->from_name, in->from_addr);
	msg_addr_header(&m, "To", in->to_name, in->to_addr);
	if (in->reply_to != NULL)
		buf_addf(&m, "Reply-To: %s\r\n", in->reply_to);
	message_encode_header(&m, "Subject", in->subject);
	if (in->list_unsubscribe != NULL)
		buf_addf(&m, "List-Unsubscribe: %s\r\n", in->list_unsubscribe);
	buf_adds(&m, "MIME-Version: 1.0\r\n");

	if (in->html == NULL) {
		msg_qp_part(&m, "text/plain", in->text);
		if (m.len < 2 || memcmp(m.data + m.len - 2, "\r\n", 2) != 0)
			buf_adds(&m, "\r\n");
		goto done;
	}
	seed = in->boundary_seed != NULL ? in->boundary_seed : in->message_id;
	msg_boundary(seed, "alt", alt);
	msg_boundary(seed, "rel", rel);
	buf_addf(&m, "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"%s\"\r\n\r\n", alt);
	buf_addf(&m, "--%s\r\n", alt);
	msg_qp_part(&m, "text/plain", in->text);
	buf_addf(&m, "\r\n--%s\r\n", alt);
	if (in->nimages == 0)
		msg_qp_part(&m, "text/html", in->html);
	else {
		buf_addf(&m, "Content-Type: multipart/related;\r\n"
		    " boundary=\"%s\"; type=\"text/html\"\r\n\r\n", rel);
		buf_addf(&m, "--%s\r\n", rel);
		msg_qp_part(&m, "text/html", in->html);
		for (size_t i = 0; i < in->nimages; i++) {
			buf_addf(&m, "\r\n--%s\r\n", rel);
			msg_image_part(&m, &in->images[i]);
		}
		buf_addf(&m, "\r\n--%s--\r\n", rel);
	}
	buf_addf(&m, "\r\n--%s--\r\n", alt);
done:
	buf_add(out, m.data, m.len);
	buf_free(&m);
	return 0;
}
