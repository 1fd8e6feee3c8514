/*
 * test_message.c - the exact bytes of headers, encoded words,
 * quoted-printable bodies, dates and whole messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "message.h"

/* 2027-02-28 09:00 in Berlin (CET, +01:00). */
#define BIRTHDAY_0900	1803801600LL

static char *
hdr(const char *name, const char *value)
{
	struct buf b;

	buf_init(&b);
	message_encode_header(&b, name, value);
	return buf_detach(&b, NULL);
}

static int
hexval(char c)
{
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c - '0';
}

static void
b64_decode(struct buf *out, const char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = 0;
	int bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(tab, s[i]);

		assert_non_null(p);
		v = v << 6 | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)(v >> bits & 0xff));
		}
	}
}

/*
 * A strict decoder of one header written by message_encode_header: checks
 * CRLF, every line <= 78 octets, every encoded word <= 75 and decoding to
 * valid UTF-8 on its own, then returns the unfolded, decoded value.
 */
static char *
decode_header(const char *h, const char *name)
{
	struct buf raw, out;
	const char *p;
	size_t nl = strlen(name);

	assert_int_equal(strncmp(h, name, nl), 0);
	assert_int_equal(strncmp(h + nl, ": ", 2), 0);
	for (p = h; *p != '\0';) {
		const char *e = strstr(p, "\r\n");

		assert_non_null(e);
		assert_true(e - p <= 78);
		p = e + 2;
	}
	buf_init(&raw);
	for (p = h + nl + 2; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		assert_true(*p != '\r' && *p != '\n');
		buf_addc(&raw, *p);
	}
	buf_init(&out);
	p = raw.data;
	while (*p != '\0') {
		const char *ew = strstr(p, "=?UTF-8?"), *end;

		if (ew == NULL) {
			buf_adds(&out, p);
			break;
		}
		buf_add(&out, p, (size_t)(ew - p));
		end = strstr(ew + 10, "?=");
		assert_non_null(end);
		assert_true(end + 2 - ew <= 75);
		if (ew[8] == 'Q') {
			for (const char *q = ew + 10; q < end; q++) {
				if (*q == '_')
					buf_addc(&out, ' ');
				else if (*q == '=') {
					buf_addc(&out, (char)(hexval(q[1]) << 4 |
					    hexval(q[2])));
					q += 2;
				} else
					buf_addc(&out, *q);
			}
		} else {
			assert_int_equal(ew[8], 'B');
			b64_decode(&out, ew + 10, (size_t)(end - ew - 10));
		}
		p = end + 2;
		/* white space between two encoded words is not content */
		if (p[0] == ' ' && strncmp(p + 1, "=?UTF-8?", 8) == 0)
			p++;
	}
	buf_free(&raw);
	return buf_detach(&out, NULL);
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
test_encoded_anna(void **state)
{
	char *h = hdr("To", "Anna Müller"), *dec;

	(void)state;
	assert_string_equal(h, "To: =?UTF-8?Q?Anna_M=C3=BCller?=\r\n");
	dec = decode_header(h, "To");
	assert_string_equal(dec, "Anna Müller");
	free(dec);
	free(h);
}

static void
test_encoded_juergen(void **state)
{
	char *h = hdr("To", "Jürgen Weiß-Großmann"), *dec;

	(void)state;
	assert_string_equal(h,
	    "To: =?UTF-8?Q?J=C3=BCrgen_Wei=C3=9F-Gro=C3=9Fmann?=\r\n");
	dec = decode_header(h, "To");
	assert_string_equal(dec, "Jürgen Weiß-Großmann");
	free(dec);
	free(h);
}

static void
test_encoded_long_subject(void **state)
{
	const char *s = "Herzlichen Glückwunsch zum Geburtstag, lieber "
	    "Jürgen Weiß-Großmann – wir wünschen Dir ein wunderbares, neues "
	    "Lebensjahr!";
	char *h, *dec;

	(void)state;
	assert_int_equal(utf8_chars(s), 120);
	h = hdr("Subject", s);
	assert_string_equal(h,
	    "Subject: =?UTF-8?Q?Herzlichen_Gl=C3=BCckwunsch_zum_Geburtstag=2C_"
	    "lieber_?=\r\n"
	    " =?UTF-8?Q?J=C3=BCrgen_Wei=C3=9F-Gro=C3=9Fmann_=E2=80=93_wir_?=\r\n"
	    " =?UTF-8?Q?w=C3=BCnschen_Dir_ein_wunderbares=2C_neues_Lebensjahr!?="
	    "\r\n");
	dec = decode_header(h, "Subject");
	assert_string_equal(dec, s);
	free(dec);
	free(h);
}

static void
test_encoded_non_latin_uses_b(void **state)
{
	const char *s = "Поздравляем с днём рождения, дорогая Анна!";
	char *h, *dec;

	(void)state;
	h = hdr("Subject", s);
	assert_non_null(strstr(h, "=?UTF-8?B?"));
	dec = decode_header(h, "Subject");
	assert_string_equal(dec, s);
	free(dec);
	free(h);
}

static void
test_plain_subject_folds(void **state)
{
	char *h;

	(void)state;
	h = hdr("Subject", "Happy birthday, Anna!");
	assert_string_equal(h, "Subject: Happy birthday, Anna!\r\n");
	free(h);
	h = hdr("Subject", "This is a rather long plain ASCII subject line "
	    "that needs to be folded somewhere sensible ok");
	assert_string_equal(h, "Subject: This is a rather long plain ASCII "
	    "subject line that needs to be\r\n folded somewhere sensible "
	    "ok\r\n");
	free(h);
	/* Something that would read as an encoded word is encoded. */
	h = hdr("Subject", "=?UTF-8?Q?x?=");
	assert_string_equal(h, "Subject: =?UTF-8?Q?=3D=3FUTF-8=3FQ=3Fx=3F=3D?="
	    "\r\n");
	free(h);
}

static void
test_long_token_is_encoded(void **state)
{
	char tok[301], *h, *dec;

	(void)state;
	memset(tok, 'x', 300);
	tok[300] = '\0';
	h = hdr("Subject", tok);
	dec = decode_header(h, "Subject");	/* checks every line <= 78 */
	assert_string_equal(dec, tok);
	free(dec);
	free(h);
}

static char *
qp(const char *text)
{
	struct buf b;

	buf_init(&b);
	message_qp(&b, text, strlen(text));
	return buf_detach(&b, NULL);
}

static void
test_qp_body(void **state)
{
	char *q;

	(void)state;
	q = qp("Liebe Anna,\n"
	    "schöne Grüße aus dem Atelier Lindgrün – wir denken an Dich und "
	    "wünschen Dir einen wunderbaren Tag voller Überraschungen!\n"
	    ".Punkt am Anfang   \n"
	    "From here\n"
	    "\tTab am Ende\t\n"
	    "a=b\r\n"
	    "Ende");
	assert_string_equal(q,
	    "Liebe Anna,\r\n"
	    "sch=C3=B6ne Gr=C3=BC=C3=9Fe aus dem Atelier Lindgr=C3=BCn =E2=80=93 "
	    "wir den=\r\n"
	    "ken an Dich und w=C3=BCnschen Dir einen wunderbaren Tag voller "
	    "=C3=9Cberras=\r\n"
	    "chungen!\r\n"
	    "=2EPunkt am Anfang  =20\r\n"
	    "=46rom here\r\n"
	    "\tTab am Ende=09\r\n"
	    "a=3Db\r\n"
	    "Ende");
	free(q);
}

/* A soft break never separates the bytes of one character, and every
 * line stays within 76 octets. */
static void
test_qp_keeps_characters_whole(void **state)
{
	struct buf in;
	char *q, *line;

	(void)state;
	buf_init(&in);
	for (int i = 0; i < 100; i++)
		buf_adds(&in, "ü");
	buf_adds(&in, "\n");
	for (int i = 0; i < 200; i++)
		buf_adds(&in, i % 7 ? "a" : "€");
	q = qp(in.data);
	for (line = q; *line != '\0';) {
		char *e = strstr(line, "\r\n");
		size_t len = e != NULL ? (size_t)(e - line) : strlen(line);

		assert_true(len <= 76);
		/* a line ends in a complete character: =C3=BC, not =C3= */
		if (len > 0 && line[len - 1] == '=') {
			assert_true(len >= 7);
			assert_false(len >= 4 && line[len - 4] == '=' &&
			    strncmp(line + len - 3, "C3", 2) == 0);
		}
		line += len + (e != NULL ? 2 : 0);
	}
	/* 100 x "=C3=BC" (6 octets) = 600 octets: 12 per line of 72 + "=" */
	assert_int_equal(strncmp(q, "=C3=BC=C3=BC", 12), 0);
	assert_non_null(strstr(q, "=C3=BC=\r\n=C3=BC"));
	free(q);
	buf_free(&in);
}

static void
test_date(void **state)
{
	char d[40];

	(void)state;
	message_format_date(BIRTHDAY_0900 - 3600, 3600, d);
	assert_string_equal(d, "Sun, 28 Feb 2027 08:00:00 +0100");
	message_format_date(BIRTHDAY_0900, 3600, d);
	assert_string_equal(d, "Sun, 28 Feb 2027 09:00:00 +0100");
	/* 2027-07-01 09:00 in New York, EDT */
	message_format_date(1814446800LL, -4 * 3600, d);
	assert_string_equal(d, "Thu, 01 Jul 2027 09:00:00 -0400");
	message_format_date(0, 19800, d);	/* India, +05:30 */
	assert_string_equal(d, "Thu, 01 Jan 1970 05:30:00 +0530");
}

static void
test_date_ignores_locale(void **state)
{
	char d[40];

	(void)state;
	if (setlocale(LC_ALL, "de_DE.UTF-8") == NULL) {
		printf("note: locale de_DE.UTF-8 not available; the Date under "
		    "a German locale is not checked (locale-gen de_DE.UTF-8)\n");
		return;
	}
	message_format_date(BIRTHDAY_0900, 3600, d);
	setlocale(LC_ALL, "C");
	assert_string_equal(d, "Sun, 28 Feb 2027 09:00:00 +0100");
}

static void
test_new_id(void **state)
{
	char *a = message_new_id("lindgruen.example");
	char *b = message_new_id("lindgruen.example");

	(void)state;
	/* <YYYYMMDDhhmmss.16hex@domain> */
	assert_int_equal(strlen(a), 1 + 14 + 1 + 16 + 1 + 17 + 1);
	assert_int_equal(a[0], '<');
	assert_int_equal(strspn(a + 1, "0123456789"), 14);
	assert_int_equal(a[15], '.');
	assert_int_equal(strspn(a + 16, "0123456789abcdef"), 16);
	assert_string_equal(a + 32, "@lindgruen.example>");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
msg_base(struct message_in *in)
{
	memset(in, 0, sizeof(*in));
	in->from_name = "Atelier Lindgrün";
	in->from_addr = "hallo@lindgruen.example";
	in->to_name = "Anna Müller";
	in->to_addr = "anna@example.de";
	in->subject = "Alles Gute zum Geburtstag, Anna!";
	in->text = "Liebe Anna,\n\nalles Liebe!\n";
	in->date = BIRTHDAY_0900;
	in->utc_offset = 3600;
	in->message_id = "<20270228080000.0123456789abcdef@lindgruen.example>";
}

static char *
build(const struct message_in *in, char **err)
{
	struct buf b;

	buf_init(&b);
	*err = NULL;
	if (message_build(in, &b, err) == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static void
test_build_text(void **state)
{
	struct message_in in;
	char *m, *err;

	(void)state;
	msg_base(&in);
	in.reply_to = "studio@lindgruen.example";
	in.list_unsubscribe = "<mailto:hallo@lindgruen.example?subject="
	    "unsubscribe>";
	m = build(&in, &err);
	assert_non_null(m);
	assert_string_equal(m,
	    "Date: Sun, 28 Feb 2027 09:00:00 +0100\r\n"
	    "Message-ID: <20270228080000.0123456789abcdef@lindgruen.example>\r\n"
	    "From: =?UTF-8?Q?Atelier_Lindgr=C3=BCn?= <hallo@lindgruen.example>\r\n"
	    "To: =?UTF-8?Q?Anna_M=C3=BCller?= <anna@example.de>\r\n"
	    "Reply-To: studio@lindgruen.example\r\n"
	    "Subject: Alles Gute zum Geburtstag, Anna!\r\n"
	    "List-Unsubscribe: <mailto:hallo@lindgruen.example?subject="
	    "unsubscribe>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Liebe Anna,\r\n"
	    "\r\n"
	    "alles Liebe!\r\n");
	free(m);
}

static void
test_build_display_names(void **state)
{
	struct message_in in;
	char *m, *err;

	(void)state;
	msg_base(&in);
	in.from_name = "Lindgren, Studio";
	in.to_name = "Anna O'Neil";
	m = build(&in, &err);
	assert_non_null(strstr(m, "\r\nFrom: \"Lindgren, Studio\" "
	    "<hallo@lindgruen.example>\r\n"));
	assert_non_null(strstr(m, "\r\nTo: Anna O'Neil <anna@example.de>\r\n"));
	free(m);
	in.from_name = "Dr. \"Jo\" Back\\slash";
	in.to_name = NULL;
	m = build(&in, &err);
	assert_non_null(strstr(m, "\r\nFrom: \"Dr. \\\"Jo\\\" Back\\\\slash\" "
	    "<hallo@lindgruen.example>\r\n"));
	assert_non_null(strstr(m, "\r\nTo: anna@example.de\r\n"));
	free(m);
}

static void
test_build_refuses_controls(void **state)
{
	struct message_in in;
	char *m, *err;
	struct {
		const char **field;
		const char *value;
		const char *msg;
	} cases[] = {
		{ &in.to_name, "Anna\r\nBcc: x@evil.example", "the recipient "
		    "name contains a control character (0x0d)" },
		{ &in.from_name, "Atelier\nBcc: x@evil.example", "the sender "
		    "name contains a control character (0x0a)" },
		{ &in.subject, "Hallo\r\nBcc: x@evil.example", "the subject "
		    "contains a control character (0x0d)" },
		{ &in.subject, "Hallo\tDu", "the subject contains a control "
		    "character (0x09)" },
		{ &in.to_addr, "anna@example.de\r\nBcc: x@evil.example",
		    "the recipient address contains a control character "
		    "(0x0d)" },
		{ &in.to_addr, "Anna <anna@example.de>", "the recipient "
		    "address 'Anna <anna@example.de>' is not a plain e-mail "
		    "address: write only local@domain, without a display name, "
		    "quotes, spaces or <>" },
		{ &in.reply_to, "a@b.example\nX: y", "the Reply-To address "
		    "contains a control character (0x0a)" },
		{ &in.from_addr, "no-at-sign", "the sender address "
		    "'no-at-sign' is not an e-mail address: it needs exactly "
		    "one '@', as in anna@example.de" },
		{ &in.to_addr, "anna@example", "the recipient address "
		    "'anna@example' is not an e-mail address: the domain needs "
		    "a dot, as in example.de" },
		{ &in.reply_to, "", "the Reply-To address is empty; an address "
		    "like name@example.org is needed" },
		{ &in.message_id, "<a@b>\r\nX: y", "Message-ID" },
		{ &in.list_unsubscribe, "<mailto:a@b>\r\nX: y",
		    "the List-Unsubscribe value" },
		{ &in.subject, "", "the subject is empty" },
		{ &in.to_name, "M\xfcller", "the recipient name is not valid "
		    "UTF-8" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg_base(&in);
		*cases[i].field = cases[i].value;
		m = build(&in, &err);
		assert_null(m);
		assert_non_null(err);
		if (strstr(err, cases[i].msg) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
			    cases[i].msg);
		free(err);
	}
}

static const unsigned char png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H',
	'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53,
	0xde, 0, 0, 0, 12, 'I', 'D', 'A', 'T', 0x08, 0xd7, 0x63, 0xf8, 0xcf,
	0xc0, 0, 0, 0x03, 0x01, 0x01, 0, 0x18, 0xdd, 0x8d, 0xb0, 0, 0, 0, 0,
	'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82
};

static void
test_build_card(void **state)
{
	struct message_in in;
	struct template_image im = { (char *)"card.png", "image/png",
	    (unsigned char *)png, sizeof(png) };
	char *m, *m2, *err;

	(void)state;
	msg_base(&in);
	in.html = "<p>Liebe Anna</p><img src=\"cid:card.png\">\n";
	in.images = &im;
	in.nimages = 1;
	in.boundary_seed = "seed";
	m = build(&in, &err);
	assert_non_null(m);
	assert_string_equal(m,
	    "Date: Sun, 28 Feb 2027 09:00:00 +0100\r\n"
	    "Message-ID: <20270228080000.0123456789abcdef@lindgruen.example>\r\n"
	    "From: =?UTF-8?Q?Atelier_Lindgr=C3=BCn?= <hallo@lindgruen.example>\r\n"
	    "To: =?UTF-8?Q?Anna_M=C3=BCller?= <anna@example.de>\r\n"
	    "Subject: Alles Gute zum Geburtstag, Anna!\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"=_tb-alt-2cfad118d3ecc02c\"\r\n"
	    "\r\n"
	    "--=_tb-alt-2cfad118d3ecc02c\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Liebe Anna,\r\n"
	    "\r\n"
	    "alles Liebe!\r\n"
	    "\r\n"
	    "--=_tb-alt-2cfad118d3ecc02c\r\n"
	    "Content-Type: multipart/related;\r\n"
	    " boundary=\"=_tb-rel-2cfad118d3ecc02c\"; type=\"text/html\"\r\n"
	    "\r\n"
	    "--=_tb-rel-2cfad118d3ecc02c\r\n"
	    "Content-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "<p>Liebe Anna</p><img src=3D\"cid:card.png\">\r\n"
	    "\r\n"
	    "--=_tb-rel-2cfad118d3ecc02c\r\n"
	    "Content-Type: image/png; name=\"card.png\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-ID: <card.png>\r\n"
	    "Content-Disposition: inline; filename=\"card.png\"\r\n"
	    "\r\n"
	    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQI12P4z8AAAAMB"
	    "AQAY3Y2w\r\n"
	    "AAAAAElFTkSuQmCC\r\n"
	    "--=_tb-rel-2cfad118d3ecc02c--\r\n"
	    "\r\n"
	    "--=_tb-alt-2cfad118d3ecc02c--\r\n");
	/* the same seed gives the same bytes; another one other boundaries */
	m2 = build(&in, &err);
	assert_string_equal(m, m2);
	free(m2);
	in.boundary_seed = NULL;
	m2 = build(&in, &err);
	assert_null(strstr(m2, "2cfad118d3ecc02c"));
	free(m2);
	/* a card without images is a plain alternative of two parts */
	in.nimages = 0;
	m2 = build(&in, &err);
	assert_null(strstr(m2, "multipart/related"));
	assert_non_null(strstr(m2, "\r\n--=_tb-alt-"));
	free(m2);
	free(m);
}

/* No line over 998 octets anywhere, every line ends in CRLF, and no bare
 * CR or LF. */
static void
test_build_line_limits(void **state)
{
	struct message_in in;
	struct buf text, subj;
	char *m, *err;

	(void)state;
	buf_init(&text);
	buf_init(&subj);
	for (int i = 0; i < 3000; i++)
		buf_adds(&text, i % 5 ? "x" : "ß");
	buf_adds(&text, "\r\nend\rCR\n");
	for (int i = 0; i < 1200; i++)
		buf_adds(&subj, "y");
	msg_base(&in);
	in.text = text.data;
	in.subject = subj.data;
	m = build(&in, &err);
	assert_non_null(m);
	for (char *l = m; *l != '\0';) {
		char *e = strstr(l, "\r\n");

		assert_non_null(e);
		assert_true(e - l <= 78);
		for (char *c = l; c < e; c++)
			assert_true(*c != '\r' && *c != '\n');
		l = e + 2;
	}
	assert_non_null(strstr(m, "\r\nend\r\nCR\r\n"));
	free(m);
	buf_free(&text);
	buf_free(&subj);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoded_anna),
		cmocka_unit_test(test_encoded_juergen),
		cmocka_unit_test(test_encoded_long_subject),
		cmocka_unit_test(test_encoded_non_latin_uses_b),
		cmocka_unit_test(test_plain_subject_folds),
		cmocka_unit_test(test_long_token_is_encoded),
		cmocka_unit_test(test_qp_body),
		cmocka_unit_test(test_qp_keeps_characters_whole),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_date_ignores_locale),
		cmocka_unit_test(test_new_id),
		cmocka_unit_test(test_build_text),
		cmocka_unit_test(test_build_display_names),
		cmocka_unit_test(test_build_refuses_controls),
		cmocka_unit_test(test_build_card),
		cmocka_unit_test(test_build_line_limits),
	};

	return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}
