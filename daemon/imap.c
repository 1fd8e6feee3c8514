/*
 * imap.c - IMAP through libcurl: LIST, EXAMINE, UID SEARCH, UID FETCH of
 * BODY.PEEK sections; nothing that changes a mailbox.
 *
 * Every command is a libcurl custom request on a URL without a mailbox
 * (with a mailbox libcurl would SELECT it first, read-write).  libcurl
 * hands every line the server sends to the header callback, untagged
 * responses to the write callback too, and a FETCH literal's lines only
 * to the header callback: so the responses are read from the header
 * callback alone, with the literal's length counted from its {n}.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "imap.h"
#include "log.h"
#include "timeutil.h"
#include "valid.h"
#include "xalloc.h"

/* Server lines longer than libcurl's buffer are clipped; and libcurl
 * (Debian's 7.88 with the fix of CVE-2023-38039) ends a command whose
 * response lines, all of which go through the header callback, exceed
 * 300 KiB.  So a UID SEARCH covers at most IMAP_SEARCH_SPAN UIDs, and a
 * FETCH of header fields takes at most IMAP_FIELDS_MAX bytes of each of
 * at most IMAP_FETCH_MAX messages. */
#define IMAP_BUFFER	(1024 * 1024)
#define IMAP_SEARCH_SPAN 20000
#define IMAP_FIELDS_MAX	16384
#define IMAP_FIELDS	"MESSAGE-ID DATE FROM TO CC SUBJECT IN-REPLY-TO " \
	"REFERENCES CONTENT-TYPE AUTO-SUBMITTED"

struct imap {
	CURL		*h;
	char		*url;
	long		 timeout;
	bool		 broken;	/* the next command needs a fresh
					   connection */
	char		 errbuf[CURL_ERROR_SIZE];

	/* The response being read (reset before each command). */
	struct buf	 tagged;	/* the last tagged status line */
	struct buf	 lit;		/* the literal being read */
	size_t		 lit_left;	/* its bytes still to come */
	bool		 in_lit;
	uint32_t	 lit_uid;	/* UID on its FETCH line, 0: not yet */
	uint32_t	 uidvalidity;
	uint32_t	 uidnext;
	uint32_t	*uids;
	size_t		 nuids;
	const char	*want_attr;	/* LIST: the special-use flag sought */
	char		*found;		/* LIST: the folder with it */
	imap_fetch_fn	*fn;
	void		*arg;
	size_t		 nfetched;
};

static bool imap_curl_ready;

static void
imap_setopt_fail(CURLcode rc, const char *what)
{
	fatalx("libcurl refused %s: %s", what, curl_easy_strerror(rc));
}

#define IMAP_SETOPT(h, opt, val) do {					\
	CURLcode rc_ = curl_easy_setopt((h), (opt), (val));		\
	if (rc_ != CURLE_OK)						\
		imap_setopt_fail(rc_, #opt);				\
} while (0)

/* --- reading responses --------------------------------------------- */

static void
imap_deliver(struct imap *im)
{
	if (im->fn != NULL)
		im->fn(im->arg, im->lit_uid, im->lit.data != NULL ?
		    im->lit.data : "", im->lit.len);
	im->nfetched++;
	buf_reset(&im->lit);
	im->in_lit = false;
	im->lit_uid = 0;
}

/* "UID 123" anywhere in s[0..n): the number, or 0. */
static uint32_t
imap_find_uid(const char *s, size_t n)
{
	for (size_t i = 0; i + 4 < n; i++) {
		if ((i == 0 || s[i - 1] == '(' || s[i - 1] == ' ') &&
		    strncasecmp(s + i, "UID ", 4) == 0) {
			uint64_t v = 0;
			size_t j = i + 4;

			while (j < n && isdigit((unsigned char)s[j]) &&
			    v <= UINT32_MAX)
				v = v * 10 + (uint64_t)(s[j++] - '0');
			if (j > i + 4 && v > 0 && v <= UINT32_MAX)
				return (uint32_t)v;
		}
	}
	return 0;
}

static void
imap_add_uid(struct imap *im, uint64_t v)
{
	if (v == 0 || v > UINT32_MAX)
		return;
	im->uids = xreallocarray(im->uids, im->nuids + 1, sizeof(*im->uids));
	im->uids[im->nuids++] = (uint32_t)v;
}

/* An untagged response line (without CRLF). */
static void
imap_untagged(struct imap *im, const char *s, size_t n)
{
	const char *p, *end = s + n;

	if (n > 18 && strncasecmp(s, "* OK [UIDVALIDITY ", 18) == 0) {
		uint64_t v = 0;

		for (p = s + 18; p < end && isdigit((unsigned char)*p) &&
		    v <= UINT32_MAX; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		if (v <= UINT32_MAX)
			im->uidvalidity = (uint32_t)v;
	} else if (n > 15 && strncasecmp(s, "* OK [UIDNEXT ", 14) == 0) {
		uint64_t v = 0;

		for (p = s + 14; p < end && isdigit((unsigned char)*p) &&
		    v <= UINT32_MAX; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		if (v <= UINT32_MAX)
			im->uidnext = (uint32_t)v;
	} else if (n >= 8 && strncasecmp(s, "* SEARCH", 8) == 0) {
		uint64_t v = 0;
		bool num = false;

		for (p = s + 8; p <= end; p++) {
			if (p < end && isdigit((unsigned char)*p)) {
				if (v <= UINT32_MAX)
					v = v * 10 + (uint64_t)(*p - '0');
				num = true;
			} else {
				if (num)
					imap_add_uid(im, v);
				v = 0;
				num = false;
			}
		}
	} else if (n > 7 && strncasecmp(s, "* LIST ", 7) == 0 &&
	    im->want_attr != NULL && im->found == NULL) {
		/* * LIST (\HasNoChildren \Sent) "/" "Sent" */
		const char *close = memchr(s, ')', n), *a;
		size_t al = strlen(im->want_attr);
		bool has = false;

		if (close == NULL || s[7] != '(')
			return;
		for (a = s + 8; a + al <= close; a++)
			if (strncasecmp(a, im->want_attr, al) == 0 &&
			    (a[al] == ' ' || a[al] == ')'))
				has = true;
		if (!has)
			return;
		/* The delimiter, then the name: quoted or an atom. */
		p = close + 1;
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
		} else
			while (p < end && *p != ' ')
				p++;
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '"') {
			struct buf b;

			buf_init(&b);
			for (p++; p < end && *p != '"'; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				buf_addc(&b, *p);
			}
			buf_addc(&b, '\0');
			im->found = buf_detach(&b, NULL);
		} else if (p < end)
			im->found = xstrndup(p, (size_t)(end - p));
	}
}

/* One line from the server, with its line end. */
static void
imap_line(struct imap *im, const char *s, size_t n)
{
	size_t len = n;
	const char *brace;

	if (im->in_lit) {
		size_t take = n < im->lit_left ? n : im->lit_left;

		buf_add(&im->lit, s, take);
		im->lit_left -= take;
		if (im->lit_left > 0)
			return;
		/* The rest of this line closes the FETCH response; the
		 * UID may come after the literal. */
		if (im->lit_uid == 0)
			im->lit_uid = imap_find_uid(s + take, n - take);
		imap_deliver(im);
		return;
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len >= 2 && s[0] == '*' && s[1] == ' ') {
		/* * 12 FETCH (UID 34 BODY[...] {567} */
		if (len > 3 && s[len - 1] == '}' &&
		    (brace = memrchr(s, '{', len)) != NULL &&
		    memmem(s, len, " FETCH ", 7) != NULL) {
			uint64_t v = 0;
			const char *p;

			for (p = brace + 1; p < s + len - 1 &&
			    isdigit((unsigned char)*p); p++)
				if (v <= IMAP_BUFFER * 16ULL)
					v = v * 10 + (uint64_t)(*p - '0');
			if (p != s + len - 1 || p == brace + 1)
				return;
			im->lit_uid = imap_find_uid(s, (size_t)(brace - s));
			buf_reset(&im->lit);
			im->lit_left = (size_t)v;
			im->in_lit = true;
			if (v == 0)
				imap_deliver(im);
			return;
		}
		imap_untagged(im, s, len);
		return;
	}
	if (len > 0 && s[0] != '+') {
		buf_reset(&im->tagged);
		buf_add(&im->tagged, s, len);
		buf_addc(&im->tagged, '\0');
		im->tagged.len--;
	}
}

static size_t
imap_header_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	imap_line(arg, ptr, size * nmemb);
	return size * nmemb;
}

static size_t
imap_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;	/* untagged lines: read in the header cb */
}

/* --- the session ---------------------------------------------------- */

static CURL *
imap_handle(struct imap *im, const struct imap_params *p)
{
	CURL *h;

	if ((h = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	IMAP_SETOPT(h, CURLOPT_URL, im->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	IMAP_SETOPT(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
#else
	IMAP_SETOPT(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_IMAP | CURLPROTO_IMAPS));
#endif
	IMAP_SETOPT(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	IMAP_SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
	IMAP_SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
	IMAP_SETOPT(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (p->ca_file != NULL)
		IMAP_SETOPT(h, CURLOPT_CAINFO, p->ca_file);
	if (p->username != NULL) {
		IMAP_SETOPT(h, CURLOPT_USERNAME, p->username);
		IMAP_SETOPT(h, CURLOPT_PASSWORD, p->password != NULL ?
		    p->password : "");
	}
	IMAP_SETOPT(h, CURLOPT_BUFFERSIZE, (long)IMAP_BUFFER);
	IMAP_SETOPT(h, CURLOPT_HEADERFUNCTION, imap_header_cb);
	IMAP_SETOPT(h, CURLOPT_HEADERDATA, im);
	IMAP_SETOPT(h, CURLOPT_WRITEFUNCTION, imap_write_cb);
	IMAP_SETOPT(h, CURLOPT_WRITEDATA, im);
	IMAP_SETOPT(h, CURLOPT_CONNECTTIMEOUT, p->timeout);
	IMAP_SETOPT(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, p->timeout);
	/* No byte for `timeout`: the server is gone. */
	IMAP_SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	IMAP_SETOPT(h, CURLOPT_LOW_SPEED_TIME, p->timeout);
	IMAP_SETOPT(h, CURLOPT_TIMEOUT, 20 * p->timeout);
	IMAP_SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	IMAP_SETOPT(h, CURLOPT_ERRORBUFFER, im->errbuf);
	return h;
}

static char *
imap_url(const struct imap_params *p)
{
	if (strchr(p->host, ':') != NULL && p->host[0] != '[')
		return xasprintf("%s://[%s]:%d/", p->implicit_tls ? "imaps" :
		    "imap", p->host, p->port);
	return xasprintf("%s://%s:%d/", p->implicit_tls ? "imaps" : "imap",
	    p->host, p->port);
}

struct imap *
imap_new(const struct imap_params *p, char **err)
{
	struct imap *im;
	CURLcode rc;

	if (!imap_curl_ready) {
		if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
			*err = xasprintf("cannot initialise libcurl: %s",
			    curl_easy_strerror(rc));
			return NULL;
		}
		imap_curl_ready = true;
	}
	im = xcalloc(1, sizeof(*im));
	im->url = imap_url(p);
	im->timeout = p->timeout;
	buf_init(&im->tagged);
	buf_init(&im->lit);
	im->h = imap_handle(im, p);
	return im;
}

void
imap_free(struct imap *im)
{
	if (im == NULL)
		return;
	/* curl_easy_cleanup sends LOGOUT on a live connection. */
	curl_easy_cleanup(im->h);
	free(im->url);
	free(im->uids);
	free(im->found);
	buf_free(&im->tagged);
	buf_free(&im->lit);
	free(im);
}

/* The server's words of the last tagged reply, without the tag. */
static const char *
imap_words(const struct imap *im)
{
	const char *s = im->tagged.data, *sp;

	if (s == NULL || *s == '\0')
		return NULL;
	sp = strchr(s, ' ');
	return sp != NULL ? sp + 1 : s;
}

/* One custom command.  The reply is read into im by the callbacks. */
static enum imap_result
imap_command(struct imap *im, const char *cmd, char **err)
{
	const char *words;
	CURLcode rc;

	buf_reset(&im->tagged);
	buf_reset(&im->lit);
	im->in_lit = false;
	im->lit_left = 0;
	im->lit_uid = 0;
	im->errbuf[0] = '\0';
	if (im->broken)
		IMAP_SETOPT(im->h, CURLOPT_FRESH_CONNECT, 1L);
	IMAP_SETOPT(im->h, CURLOPT_CUSTOMREQUEST, cmd);
	rc = curl_easy_perform(im->h);
	if (im->broken) {
		IMAP_SETOPT(im->h, CURLOPT_FRESH_CONNECT, 0L);
		im->broken = false;
	}
	words = imap_words(im);
	if (rc == CURLE_OK && !im->in_lit)
		return IMAP_OK;
	/* Whatever went wrong, the connection may be out of step. */
	im->broken = true;
	if (rc == CURLE_OK) {
		*err = xstrdup("the server's reply ended inside a message");
		return IMAP_SESSION;
	}
	switch (rc) {
	case CURLE_LOGIN_DENIED:
		*err = xasprintf("login refused%s%s", words ? ": " : "",
		    words ? words : "");
		return IMAP_CONFIG;
	case CURLE_USE_SSL_FAILED:
		*err = xstrdup("the server does not offer STARTTLS, which "
		    "touchbase requires for imap://; use imaps:// if it "
		    "offers that");
		return IMAP_CONFIG;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		*err = xasprintf("the server's certificate is not trusted "
		    "(%s); set [inbox] ca_file to the CA that signed it",
		    im->errbuf[0] ? im->errbuf : curl_easy_strerror(rc));
		return IMAP_CONFIG;
	case CURLE_QUOTE_ERROR:
		*err = xasprintf("the server refused '%.*s'%s%s",
		    (int)strcspn(cmd, " "), cmd, words ? ": " : "",
		    words ? words : "");
		return IMAP_NO;
	default:
		*err = xasprintf("%s%s%s", im->errbuf[0] ? im->errbuf :
		    curl_easy_strerror(rc), words ? "; the server said: " :
		    "", words ? words : "");
		return IMAP_SESSION;
	}
}

enum imap_result
imap_login(struct imap *im, char **err)
{
	return imap_command(im, "NOOP", err);
}

static char *
imap_quote(const char *folder)
{
	return xasprintf("\"%s\"", folder);
}

enum imap_result
imap_special_use(struct imap *im, const char *attr, char **folder,
    char **err)
{
	enum imap_result r;

	*folder = NULL;
	free(im->found);
	im->found = NULL;
	im->want_attr = attr;
	r = imap_command(im, "LIST \"\" \"*\" RETURN (SPECIAL-USE)", err);
	if (r == IMAP_NO) {
		/* A server without LIST-EXTENDED: the attributes of a plain
		 * LIST carry the special use (RFC 6154 2). */
		free(*err);
		*err = NULL;
		r = imap_command(im, "LIST \"\" \"*\"", err);
	}
	im->want_attr = NULL;
	if (r == IMAP_OK) {
		*folder = im->found;
		im->found = NULL;
	}
	return r;
}

enum imap_result
imap_examine(struct imap *im, const char *folder, uint32_t *uidvalidity,
    char **err)
{
	enum imap_result r;
	char *q, *cmd;

	if (valid_imap_folder(folder, err) == -1)
		return IMAP_NO;
	q = imap_quote(folder);
	cmd = xasprintf("EXAMINE %s", q);
	im->uidvalidity = 0;
	im->uidnext = 0;
	r = imap_command(im, cmd, err);
	free(cmd);
	free(q);
	if (r == IMAP_OK && im->uidvalidity == 0) {
		*err = xstrdup("EXAMINE gave no UIDVALIDITY");
		return IMAP_NO;
	}
	*uidvalidity = im->uidvalidity;
	return r;
}

static int
uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

enum imap_result
imap_search(struct imap *im, uint32_t after, int64_t since, uint32_t **uids,
    size_t *n, char **err)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	enum imap_result r = IMAP_OK;
	char crit[40] = "";
	uint64_t lo = (uint64_t)after + 1, top;
	size_t k = 0;

	*uids = NULL;
	*n = 0;
	if (since >= 0) {
		struct civil_date d;

		timeutil_civil_from_days(since, &d);
		snprintf(crit, sizeof(crit), " SINCE %d-%s-%04d", d.day,
		    mon[d.month - 1], d.year);
	}
	free(im->uids);
	im->uids = NULL;
	im->nuids = 0;
	/* Windows of UIDs up to UIDNEXT, then "n:*" for what arrived since
	 * EXAMINE (a server without UIDNEXT gets that one search). */
	top = im->uidnext > 0 ? im->uidnext : lo;
	for (;;) {
		char *cmd;

		if (lo + IMAP_SEARCH_SPAN < top)
			cmd = xasprintf("UID SEARCH UID %llu:%llu%s",
			    (unsigned long long)lo, (unsigned long long)(lo +
			    IMAP_SEARCH_SPAN - 1), crit);
		else
			cmd = xasprintf("UID SEARCH UID %llu:*%s",
			    (unsigned long long)lo, crit);
		r = imap_command(im, cmd, err);
		free(cmd);
		if (r != IMAP_OK || lo + IMAP_SEARCH_SPAN >= top)
			break;
		lo += IMAP_SEARCH_SPAN;
	}
	if (r != IMAP_OK) {
		free(im->uids);
		im->uids = NULL;
		im->nuids = 0;
		return r;
	}
	/* "n:*" always matches the highest UID, even below n. */
	for (size_t i = 0; i < im->nuids; i++)
		if (im->uids[i] > after)
			im->uids[k++] = im->uids[i];
	if (k > 1)
		qsort(im->uids, k, sizeof(*im->uids), uid_cmp);
	/* Windows overlap in nothing, but a server may repeat a UID. */
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (u == 0 || im->uids[u - 1] != im->uids[i])
			im->uids[u++] = im->uids[i];
	*uids = im->uids;
	*n = u;
	im->uids = NULL;
	im->nuids = 0;
	return IMAP_OK;
}

enum imap_result
imap_fetch(struct imap *im, const uint32_t *uids, size_t n, size_t whole,
    imap_fetch_fn *fn, void *arg, char **err)
{
	enum imap_result r;
	struct buf cmd;

	if (n == 0)
		return IMAP_OK;
	if (n > IMAP_FETCH_MAX || (whole > 0 && n > 1))
		n = whole > 0 ? 1 : IMAP_FETCH_MAX;
	if (whole > IMAP_WHOLE_MAX)
		whole = IMAP_WHOLE_MAX;
	buf_init(&cmd);
	buf_adds(&cmd, "UID FETCH ");
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		if (j > i)
			buf_addf(&cmd, "%s%u:%u", i ? "," : "", uids[i],
			    uids[j]);
		else
			buf_addf(&cmd, "%s%u", i ? "," : "", uids[i]);
		i = j;
	}
	if (whole > 0)
		buf_addf(&cmd, " (UID BODY.PEEK[]<0.%zu>)", whole);
	else
		buf_addf(&cmd, " (UID BODY.PEEK[HEADER.FIELDS (" IMAP_FIELDS
		    ")]<0.%d>)", IMAP_FIELDS_MAX);
	buf_addc(&cmd, '\0');
	im->fn = fn;
	im->arg = arg;
	im->nfetched = 0;
	r = imap_command(im, cmd.data, err);
	im->fn = NULL;
	im->arg = NULL;
	buf_free(&cmd);
	return r;
}
