/*
 * smtp.c - SMTP submission through libcurl; the only curl/curl.h user.
 *
 * libcurl 7.88 (Debian 12) behaviours this file works around:
 *  - a 4xx/5xx reply to the final dot comes back as
 *    CURLE_WEIRD_SERVER_REPLY, to MAIL/RCPT/DATA as CURLE_SEND_ERROR: the
 *    code is only in CURLINFO_RESPONSE_CODE and the reply lines;
 *  - after a timeout (or that weird reply) libcurl keeps the connection,
 *    and the next transfer reads the late reply as the answer to its own
 *    MAIL FROM: after any failure the socket is shut down, so libcurl
 *    finds the connection dead, and the next transfer asks for a fresh one;
 *  - CR/LF in a recipient would be sent as is: every address is checked
 *    (deliver.c, and here again) before it reaches libcurl;
 *  - only CRLF "." is dot-stuffed: the message is handed over with CRLF
 *    line ends only;
 *  - CURLOPT_MAIL_RCPT_ALLOWFAILS is spelled with three L's before 8.2;
 *  - the EHLO name is the URL's path (smtp://host:port/NAME), else the
 *    local host name.
 *
 * The SMTP step is tracked here, from callbacks this file owns: the
 * opensocket callback (a new connection: the greeting is next), the SSL
 * context callback (a TLS handshake), the header callback (libcurl hands
 * every reply line to it: each complete reply moves the step on, the way
 * libcurl's own state machine does), the read callback (the upload) and
 * the progress callback.  The debug callback only logs.
 *
 * libcurl has one response timeout for every reply, and the final dot's
 * reply may take 10 minutes (RFC 5321): CURLOPT_SERVER_RESPONSE_TIMEOUT is
 * the final timeout, and the progress callback enforces the shorter
 * `timeout` on every other wait.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "log.h"
#include "reply.h"
#include "smtp.h"
#include "xalloc.h"

#if LIBCURL_VERSION_NUM >= 0x080200
#define SMTP_OPT_RCPT_ALLOWFAILS	CURLOPT_MAIL_RCPT_ALLOWFAILS
#else
#define SMTP_OPT_RCPT_ALLOWFAILS	CURLOPT_MAIL_RCPT_ALLLOWFAILS
#endif

/* What the session waits for; the order matters: before PH_MAIL a
 * failure is the session's, not the message's. */
enum smtp_phase {
	PH_CONNECT,		/* TCP, then the greeting */
	PH_TLS,			/* TLS handshake, then the greeting (smtps)
				   or the EHLO reply (after STARTTLS) */
	PH_EHLO,		/* EHLO, or HELO after a refused EHLO */
	PH_STARTTLS,
	PH_AUTH,
	PH_MAIL,
	PH_RCPT,
	PH_DATA,		/* DATA command, waiting for 354 */
	PH_BODY,		/* uploading the message */
	PH_FINAL,		/* final dot sent, waiting for the reply */
	PH_QUIT
};

static const char *const smtp_phase_names[] = {
	"the greeting", "the TLS handshake", "EHLO", "STARTTLS", "AUTH",
	"MAIL FROM", "RCPT TO", "DATA", "the message upload",
	"the end of the message", "QUIT"
};

/* What the callbacks learn during one transfer. */
struct smtp_xfer {
	const char	*data;
	size_t		 len, pos;
	enum smtp_phase	 phase;
	int64_t		 mark;		/* ms: last sign of progress */
	curl_off_t	 ulnow;		/* bytes uploaded, as last seen */
	bool		 timed_out;
	enum smtp_phase	 timeout_phase;
	bool		 tls_active;	/* TLS on this connection */
	bool		 sent_starttls;
	bool		 sent_helo;	/* EHLO refused, HELO sent */
	bool		 offers_starttls; /* in the last EHLO reply */
	bool		 offers_auth;
	bool		 body_started;
	bool		 not_loopback;
	bool		 rcpt_abort;	/* a primary recipient was refused */
	bool		 rcpt_had_ok;
	struct buf	 cur;		/* lines of the reply being read */
	int		 code;		/* last complete reply */
	char		*text;
	int		 err_code;	/* last reply with an error code */
	enum smtp_phase	 err_phase;
	char		*err_text;
	size_t		 nrcpts, nprimary, nrcpt_seen;
	int		*rcpt_code;
	char		**rcpt_text;
};

struct smtp {
	CURL		*curl;
	char		*host;
	int		 port;
	char		*url;
	bool		 tls;
	char		*username;
	char		*password;
	char		*ca_file;
	char		*ca_path;
	long		 timeout;
	long		 final_timeout;
	bool		 fresh;		/* next transfer on a new connection */
	char		 errbuf[CURL_ERROR_SIZE];
	struct smtp_xfer x;
};

static bool smtp_curl_ready;

static int64_t
smtp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
smtp_crlf_clean(const char *msg, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			return false;
		if (msg[i] == '\r' && (i + 1 == len || msg[i + 1] != '\n'))
			return false;
	}
	return len == 0 || (len >= 2 && msg[len - 2] == '\r' &&
	    msg[len - 1] == '\n');
}

void
smtp_crlf_normalize(struct buf *out, const char *msg, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n') {
			i++;
			continue;
		}
		if (msg[i] != '\r' && msg[i] != '\n')
			continue;
		buf_add(out, msg + start, i - start);
		buf_add(out, "\r\n", 2);
		start = i + 1;
	}
	buf_add(out, msg + start, len - start);
	if (len > 0 && (out->len < 2 || out->data[out->len - 2] != '\r' ||
	    out->data[out->len - 1] != '\n'))
		buf_add(out, "\r\n", 2);
}

static void
smtp_xfer_reset(struct smtp_xfer *x)
{
	size_t i;

	buf_free(&x->cur);
	free(x->text);
	free(x->err_text);
	for (i = 0; i < x->nrcpts; i++)
		free(x->rcpt_text[i]);
	free(x->rcpt_text);
	free(x->rcpt_code);
	memset(x, 0, sizeof(*x));
}

/* A new connection: what an earlier one said no longer counts. */
static void
smtp_new_connection(struct smtp_xfer *x)
{
	size_t i;

	x->phase = PH_CONNECT;
	x->mark = smtp_now_ms();
	x->tls_active = x->sent_starttls = x->sent_helo = false;
	x->offers_starttls = x->offers_auth = false;
	x->rcpt_had_ok = false;
	x->nrcpt_seen = 0;
	x->err_code = 0;
	free(x->err_text);
	x->err_text = NULL;
	buf_reset(&x->cur);
	for (i = 0; i < x->nrcpts; i++) {
		x->rcpt_code[i] = 0;
		free(x->rcpt_text[i]);
		x->rcpt_text[i] = NULL;
	}
}

/* The command a reply read now answers. */
static enum smtp_phase
smtp_answered(const struct smtp_xfer *x)
{
	if (x->phase == PH_TLS)
		return x->sent_starttls ? PH_EHLO : PH_CONNECT;
	if (x->phase == PH_BODY)
		return PH_FINAL;
	return x->phase;
}

/* One line of an EHLO reply: the extensions libcurl acts on, matched as
 * libcurl 7.88 matches them. */
static void
smtp_ehlo_line(struct smtp_xfer *x, const char *line, size_t n)
{
	if (n < 4)
		return;
	line += 4;
	n -= 4;
	if (n >= 8 && memcmp(line, "STARTTLS", 8) == 0)
		x->offers_starttls = true;
	else if (n >= 5 && memcmp(line, "AUTH ", 5) == 0)
		x->offers_auth = true;
}

/* The EHLO (or HELO) reply code came: what libcurl sends next. */
static enum smtp_phase
smtp_after_ehlo(const struct smtp *s, int code)
{
	const struct smtp_xfer *x = &s->x;

	if (code / 100 != 2)
		return !x->sent_helo && (!s->tls || x->tls_active) ?
		    PH_EHLO : PH_QUIT;
	if (x->sent_helo)
		return PH_MAIL;		/* no STARTTLS or AUTH after HELO */
	if (s->tls && !x->tls_active)
		return x->offers_starttls ? PH_STARTTLS : PH_QUIT;
	if (s->username != NULL && x->offers_auth)
		return PH_AUTH;
	return PH_MAIL;
}

/* A complete reply with code came to the command of phase `was`: moves
 * the step on as libcurl 7.88 does (lib/smtp.c, the *_resp states). */
static void
smtp_advance(struct smtp *s, enum smtp_phase was, int code)
{
	struct smtp_xfer *x = &s->x;
	bool ok = code / 100 == 2;

	switch (was) {
	case PH_CONNECT:
		x->phase = ok ? PH_EHLO : PH_QUIT;
		break;
	case PH_EHLO:
		x->phase = smtp_after_ehlo(s, code);
		if (x->phase == PH_EHLO)
			x->sent_helo = true;
		if (x->phase == PH_STARTTLS)
			x->sent_starttls = true;
		break;
	case PH_STARTTLS:
		x->phase = code == 220 ? PH_TLS : PH_QUIT;
		break;
	case PH_AUTH:
		if (code != 334)
			x->phase = ok ? PH_MAIL : PH_QUIT;
		break;
	case PH_MAIL:
		x->phase = ok ? PH_RCPT : PH_QUIT;
		x->nrcpt_seen = 0;
		x->rcpt_had_ok = false;
		break;
	case PH_RCPT:
		x->rcpt_had_ok |= ok;
		if (++x->nrcpt_seen < x->nrcpts)
			x->phase = ok || x->nprimary < x->nrcpts ? PH_RCPT :
			    PH_QUIT;
		else
			x->phase = x->rcpt_had_ok && (ok ||
			    x->nprimary < x->nrcpts) ? PH_DATA : PH_QUIT;
		break;
	case PH_DATA:
		x->phase = code == 354 ? PH_BODY : PH_QUIT;
		break;
	case PH_FINAL:
		/* On success the connection waits for the next MAIL FROM. */
		x->phase = ok ? PH_MAIL : PH_QUIT;
		break;
	default:
		break;
	}
	if (x->phase == PH_EHLO || x->phase == PH_TLS)
		x->offers_starttls = x->offers_auth = false;
}

static void
smtp_reply_line(struct smtp *s, const char *line, size_t n)
{
	struct smtp_xfer *x = &s->x;
	enum smtp_phase was = smtp_answered(x);
	size_t idx = x->nrcpt_seen;
	int code;

	x->mark = smtp_now_ms();
	if (x->cur.len > 0)
		buf_adds(&x->cur, " / ");
	buf_add(&x->cur, line, n);
	if (was == PH_EHLO)
		smtp_ehlo_line(x, line, n);
	if (n > 3 && line[3] == '-')
		return;		/* more lines follow */
	if (n < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9')
		code = 0;
	else
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
	free(x->text);
	x->text = buf_detach(&x->cur, NULL);
	x->code = code;
	/* libcurl may send QUIT after a refusal within the same transfer:
	 * keep the refusal, not what follows it.  A refused copy is no
	 * refusal of the message. */
	if (code >= 400 && !(was == PH_RCPT &&
	    idx >= x->nprimary) && !(was == PH_QUIT && x->err_code != 0)) {
		free(x->err_text);
		x->err_text = xstrdup(x->text);
		x->err_code = code;
		x->err_phase = was;
	}
	if (was == PH_RCPT && idx < x->nrcpts) {
		x->rcpt_code[idx] = code;
		free(x->rcpt_text[idx]);
		x->rcpt_text[idx] = xstrdup(x->text);
	}
	smtp_advance(s, was, code);
}

/* libcurl hands every reply line of the server to this callback. */
static size_t
smtp_header_cb(char *data, size_t size, size_t nitems, void *arg)
{
	size_t n = size * nitems, len = n;

	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len > 0)
		smtp_reply_line(arg, data, len);
	return n;
}

/* Logs the dialogue at debug level; decides nothing. */
static int
smtp_debug_cb(CURL *h, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct smtp *s = arg;
	const char *p = data, *end = data + size, *nl;
	size_t n;

	(void)h;
	if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN)
		return 0;
	/* What goes out during AUTH is SASL data: secrets. */
	if (type == CURLINFO_HEADER_OUT && s->x.phase == PH_AUTH)
		return 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0)
			log_debug("smtp %c %.*s", type == CURLINFO_HEADER_OUT ?
			    '>' : '<', (int)n, p);
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}

static int
smtp_progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct smtp *s = arg;
	struct smtp_xfer *x = &s->x;
	int64_t now = smtp_now_ms();

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	if (ulnow != x->ulnow) {
		x->ulnow = ulnow;
		x->mark = now;
	}
	/* The final dot's reply is bounded by libcurl's response timeout. */
	if (x->phase == PH_FINAL)
		return 0;
	if (now - x->mark > (int64_t)s->timeout * 1000) {
		if (!x->timed_out) {
			x->timed_out = true;
			x->timeout_phase = x->phase;
		}
		x->phase = PH_QUIT;
		x->mark = now;
		return 1;
	}
	return 0;
}

static size_t
smtp_read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp *s = arg;
	struct smtp_xfer *x = &s->x;
	size_t i, n = size * nitems;

	if (!x->body_started) {
		/* libcurl goes on to DATA when any recipient was accepted:
		 * never let only the copies get a message whose own
		 * recipient was refused. */
		for (i = 0; i < x->nprimary && i < x->nrcpts; i++) {
			if (x->rcpt_code[i] >= 300) {
				x->rcpt_abort = true;
				x->phase = PH_QUIT;
				return CURL_READFUNC_ABORT;
			}
		}
		x->body_started = true;
		x->phase = PH_BODY;
	}
	x->mark = smtp_now_ms();
	if (n > x->len - x->pos)
		n = x->len - x->pos;
	memcpy(buf, x->data + x->pos, n);
	x->pos += n;
	/* libcurl knows the size and asks no more once it has it all. */
	if (x->pos == x->len)
		x->phase = PH_FINAL;
	return n;
}

/* Every new connection comes through here: the greeting is next.  With
 * tls = none, only ever connect to a loopback address, whatever the name
 * resolved to. */
static curl_socket_t
smtp_opensocket_cb(void *arg, curlsocktype purpose,
    struct curl_sockaddr *a)
{
	struct smtp *s = arg;
	bool loop = false;

	(void)purpose;
	smtp_new_connection(&s->x);
	if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)&a->addr;

		loop = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (a->family == AF_INET6 &&
	    a->addrlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)&a->addr;

		loop = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	if (!s->tls && !loop) {
		s->x.not_loopback = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Called before every TLS handshake (smtps, or after STARTTLS's 220). */
static CURLcode
smtp_sslctx_cb(CURL *h, void *ctx, void *arg)
{
	struct smtp *s = arg;

	(void)h;
	(void)ctx;
	s->x.phase = PH_TLS;
	s->x.tls_active = true;
	s->x.mark = smtp_now_ms();
	return CURLE_OK;
}

static void
smtp_setopt_fail(CURLcode rc, const char *what)
{
	fatalx("libcurl refused %s: %s", what, curl_easy_strerror(rc));
}

#define SMTP_SETOPT(h, opt, val) do {					\
	CURLcode rc_ = curl_easy_setopt((h), (opt), (val));		\
	if (rc_ != CURLE_OK)						\
		smtp_setopt_fail(rc_, #opt);				\
} while (0)


static CURL *
smtp_handle(struct smtp *s)
{
	CURL *h;

	if ((h = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	SMTP_SETOPT(h, CURLOPT_URL, s->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SMTP_SETOPT(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	SMTP_SETOPT(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	SMTP_SETOPT(h, CURLOPT_USE_SSL,
	    s->tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	SMTP_SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
	SMTP_SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
	SMTP_SETOPT(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* CAINFO replaces the default bundle, but the default CA folder stays
	 * in use (OpenSSL loads both), so ca_file adds to the system CAs. */
	if (s->ca_file != NULL)
		SMTP_SETOPT(h, CURLOPT_CAINFO, s->ca_file);
	if (s->ca_path != NULL)
		SMTP_SETOPT(h, CURLOPT_CAPATH, s->ca_path);
	if (s->username != NULL) {
		SMTP_SETOPT(h, CURLOPT_USERNAME, s->username);
		SMTP_SETOPT(h, CURLOPT_PASSWORD, s->password);
	}
	SMTP_SETOPT(h, CURLOPT_UPLOAD, 1L);
	SMTP_SETOPT(h, CURLOPT_READFUNCTION, smtp_read_cb);
	SMTP_SETOPT(h, CURLOPT_READDATA, s);
	SMTP_SETOPT(h, CURLOPT_HEADERFUNCTION, smtp_header_cb);
	SMTP_SETOPT(h, CURLOPT_HEADERDATA, s);
	SMTP_SETOPT(h, CURLOPT_OPENSOCKETFUNCTION, smtp_opensocket_cb);
	SMTP_SETOPT(h, CURLOPT_OPENSOCKETDATA, s);
	if (s->tls) {
		SMTP_SETOPT(h, CURLOPT_SSL_CTX_FUNCTION, smtp_sslctx_cb);
		SMTP_SETOPT(h, CURLOPT_SSL_CTX_DATA, s);
	}
	/* libcurl's dialogue text costs time per message: only when the
	 * debug log shows it. */
	if (log_debugging()) {
		SMTP_SETOPT(h, CURLOPT_VERBOSE, 1L);
		SMTP_SETOPT(h, CURLOPT_DEBUGFUNCTION, smtp_debug_cb);
		SMTP_SETOPT(h, CURLOPT_DEBUGDATA, s);
	}
	SMTP_SETOPT(h, CURLOPT_NOPROGRESS, 0L);
	SMTP_SETOPT(h, CURLOPT_XFERINFOFUNCTION, smtp_progress_cb);
	SMTP_SETOPT(h, CURLOPT_XFERINFODATA, s);
	SMTP_SETOPT(h, CURLOPT_CONNECTTIMEOUT, s->timeout);
	SMTP_SETOPT(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, s->final_timeout);
	SMTP_SETOPT(h, CURLOPT_TIMEOUT, s->final_timeout + 10 * s->timeout);
	SMTP_SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	SMTP_SETOPT(h, CURLOPT_ERRORBUFFER, s->errbuf);
	return h;
}

/* A name libcurl can send in EHLO: printable ASCII, no blank. */
static bool
smtp_helo_ok(const char *h)
{
	if (h == NULL || *h == '\0')
		return false;
	for (; *h != '\0'; h++)
		if ((unsigned char)*h <= 0x20 || (unsigned char)*h >= 0x7f)
			return false;
	return true;
}

/* "scheme://host:port/NAME": libcurl takes the EHLO name from the path,
 * URL-decoded; everything but letters, digits, '.' and '-' is encoded. */
static char *
smtp_url(const struct smtp_params *p)
{
	struct buf b;
	const char *c;

	buf_init(&b);
	buf_addf(&b, "%s://", p->implicit_tls ? "smtps" : "smtp");
	if (strchr(p->host, ':') != NULL && p->host[0] != '[')
		buf_addf(&b, "[%s]:%d/", p->host, p->port);
	else
		buf_addf(&b, "%s:%d/", p->host, p->port);
	for (c = p->helo; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
		    (u >= '0' && u <= '9') || u == '.' || u == '-')
			buf_addc(&b, (char)u);
		else
			buf_addf(&b, "%%%02X", u);
	}
	return buf_detach(&b, NULL);
}

struct smtp *
smtp_new(const struct smtp_params *p, char **err)
{
	struct smtp *s;
	CURLcode rc;

	*err = NULL;
	if (!p->tls && !p->implicit_tls && !valid_is_loopback(p->host)) {
		*err = xasprintf("tls = none is allowed only for a loopback "
		    "host (localhost, 127.0.0.1, ::1), not for %s: use tls = "
		    "required", p->host);
		return NULL;
	}
	if (!smtp_helo_ok(p->helo)) {
		*err = xstrdup("no usable name for EHLO: set [delivery] helo "
		    "or the sender address");
		return NULL;
	}
	if (!smtp_curl_ready) {
		if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
			*err = xasprintf("cannot initialise libcurl: %s",
			    curl_easy_strerror(rc));
			return NULL;
		}
		smtp_curl_ready = true;
	}
	s = xcalloc(1, sizeof(*s));
	s->host = xstrdup(p->host);
	s->port = p->port;
	s->tls = p->tls || p->implicit_tls;
	s->url = smtp_url(p);
	if (p->username != NULL) {
		s->username = xstrdup(p->username);
		s->password = xstrdup(p->password != NULL ? p->password : "");
	}
	if (p->ca_file != NULL)
		s->ca_file = xstrdup(p->ca_file);
	if (p->ca_path != NULL)
		s->ca_path = xstrdup(p->ca_path);
	s->timeout = p->timeout > 0 ? p->timeout : 30;
	s->final_timeout = p->final_timeout > 0 ? p->final_timeout :
	    SMTP_FINAL_TIMEOUT;
	if (s->final_timeout < s->timeout)
		s->final_timeout = s->timeout;
	s->curl = smtp_handle(s);
	return s;
}

void
smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	smtp_xfer_reset(&s->x);
	free(s->host);
	free(s->url);
	free(s->username);
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->ca_file);
	free(s->ca_path);
	free(s);
}

/* Makes libcurl find the last connection dead, so nothing late on it can
 * be read as the answer to the next command. */
static void
smtp_drop_connection(struct smtp *s)
{
	curl_socket_t fd = CURL_SOCKET_BAD;

	if (curl_easy_getinfo(s->curl, CURLINFO_ACTIVESOCKET, &fd) ==
	    CURLE_OK && fd != CURL_SOCKET_BAD)
		shutdown(fd, SHUT_RDWR);
	s->fresh = true;
}
static const char *
smtp_detail(struct smtp *s, CURLcode rc)
{
	return s->errbuf[0] != '\0' ? s->errbuf : curl_easy_strerror(rc);
}

/* Before MAIL FROM a failure is the session's: no message can go. */
static enum deliver_result
smtp_session_or(enum smtp_phase ph, enum deliver_result other)
{
	return ph < PH_MAIL ? DELIVER_SESSION : other;
}

static enum deliver_result
smtp_timeout(struct smtp *s, enum smtp_phase ph, struct deliver_reply *r)
{
	r->text = xasprintf("timeout: %s:%d did not answer %s within %ld s",
	    s->host, s->port, smtp_phase_names[ph], ph == PH_FINAL ?
	    s->final_timeout : s->timeout);
	return smtp_session_or(ph, DELIVER_TEMPFAIL);
}

/* A reply with an error code decides, by the command it answered. */
static enum deliver_result
smtp_refusal(struct smtp *s, int code, enum smtp_phase ph, const char *from,
    const char *reply, struct deliver_reply *r)
{
	r->code = code;
	if (code == 530 && strcasestr(reply, "TLS") != NULL) {
		r->text = xasprintf("%s:%d requires STARTTLS (%s): set tls = "
		    "required", s->host, s->port, reply);
		return DELIVER_CONFIG;
	}
	if (code == 530) {
		r->text = xasprintf("%s:%d requires authentication (%s): set "
		    "username and password_file in [delivery]", s->host,
		    s->port, reply);
		return DELIVER_CONFIG;
	}
	switch (ph) {
	case PH_AUTH:
		if (code < 500)
			break;
		r->text = xasprintf("AUTH refused by %s:%d for user '%s': %s: "
		    "check username and the password", s->host, s->port,
		    s->username != NULL ? s->username : "", reply);
		return DELIVER_CONFIG;
	case PH_STARTTLS:
		if (code < 500)
			break;
		r->text = xasprintf("STARTTLS refused by %s:%d: %s", s->host,
		    s->port, reply);
		return DELIVER_CONFIG;
	case PH_MAIL:
		if (code >= 500 && code != 552) {
			r->text = xasprintf("%s:%d refuses the sender address "
			    "%s: %s", s->host, s->port, from, reply);
			return DELIVER_CONFIG;
		}
		r->text = xstrdup(reply);
		return reply_classify(code);
	case PH_RCPT:
	case PH_DATA:
	case PH_BODY:
	case PH_FINAL:
		r->text = xstrdup(reply);
		return reply_classify(code);
	default:
		break;
	}
	/* Before the transaction: never fails a message. */
	r->text = xasprintf("%s:%d refused %s: %s", s->host, s->port,
	    smtp_phase_names[ph], reply);
	return smtp_session_or(ph, DELIVER_TEMPFAIL);
}

/* A failure libcurl saw without an error reply. */
static enum deliver_result
smtp_curl_failure(struct smtp *s, CURLcode rc, struct deliver_reply *r)
{
	switch (rc) {
	case CURLE_USE_SSL_FAILED:
		if (s->x.sent_starttls)
			break;
		r->text = xasprintf("%s:%d does not offer STARTTLS: refusing "
		    "to send in clear (tls = none is allowed only for a "
		    "loopback host)", s->host, s->port);
		return DELIVER_CONFIG;
	case CURLE_LOGIN_DENIED:
		r->text = xasprintf("AUTH failed at %s:%d for user '%s': %s",
		    s->host, s->port, s->username != NULL ? s->username : "",
		    smtp_detail(s, rc));
		return DELIVER_CONFIG;
	case CURLE_PEER_FAILED_VERIFICATION:
		r->text = xasprintf("the TLS certificate of %s:%d cannot be "
		    "verified: %s (set ca_file to the CA that signed it)",
		    s->host, s->port, smtp_detail(s, rc));
		return DELIVER_CONFIG;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		r->text = xasprintf("cannot use ca_file %s: %s",
		    s->ca_file != NULL ? s->ca_file : "(default)",
		    smtp_detail(s, rc));
		return DELIVER_CONFIG;
	default:
		break;
	}
	r->text = xasprintf("%s:%d: %s", s->host, s->port, smtp_detail(s, rc));
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_REMOTE_ACCESS_DENIED:
		return DELIVER_SESSION;
	default:
		return smtp_session_or(s->x.phase, DELIVER_TEMPFAIL);
	}
}

/* The outcome of a failed transfer; fills r->text. */
static enum deliver_result
smtp_outcome(struct smtp *s, CURLcode rc, long rcode, const char *from,
    struct deliver_reply *r)
{
	struct smtp_xfer *x = &s->x;
	size_t i;

	if (x->not_loopback) {
		r->text = xasprintf("%s resolves to an address that is not "
		    "loopback; tls = none is allowed only for a loopback host",
		    s->host);
		return DELIVER_CONFIG;
	}
	/* A QUIT libcurl sends itself after a refusal may time out: the
	 * refusal still decides. */
	if (x->timed_out && (x->timeout_phase != PH_QUIT || x->err_code == 0))
		return smtp_timeout(s, x->timeout_phase, r);
	if (x->rcpt_abort || (x->err_code != 0 && x->err_phase == PH_RCPT)) {
		/* The first refused recipient of the message's own decides. */
		for (i = 0; i < x->nprimary; i++) {
			if (x->rcpt_code[i] >= 300) {
				r->code = x->rcpt_code[i];
				r->text = xstrdup(x->rcpt_text[i] != NULL ?
				    x->rcpt_text[i] : "");
				return reply_classify(r->code);
			}
		}
	}
	if (rc == CURLE_OPERATION_TIMEDOUT && (x->phase != PH_QUIT ||
	    x->err_code == 0))
		return smtp_timeout(s, x->phase, r);
	if (x->err_code >= 400 && x->err_code < 600)
		return smtp_refusal(s, x->err_code, x->err_phase, from,
		    x->err_text, r);
	/* Seen by libcurl only: it answered the current command. */
	if (rcode >= 400 && rcode < 600)
		return smtp_refusal(s, (int)rcode, smtp_answered(x), from,
		    x->text != NULL ? x->text : "", r);
	return smtp_curl_failure(s, rc, r);
}

enum deliver_result
smtp_send(struct smtp *s, const char *from, const char *const *rcpts,
    size_t nrcpts, size_t nprimary, const char *msg, size_t len,
    struct deliver_reply *reply)
{
	struct curl_slist *list = NULL;
	struct buf norm, tmp;
	enum deliver_result res;
	char *mfrom = NULL;
	long rcode = 0;
	CURLcode rc;
	size_t i;

	reply->code = 0;
	reply->text = NULL;
	buf_init(&norm);
	buf_init(&tmp);
	if (valid_address(from, NULL) == -1) {
		reply->text = xstrdup("invalid sender address, not sent");
		return DELIVER_CONFIG;
	}
	for (i = 0; i < nrcpts; i++) {
		if (valid_address(rcpts[i], NULL) == -1) {
			reply->text = xstrdup("invalid recipient address, not "
			    "sent");
			return DELIVER_PERMFAIL;
		}
	}
	if (nrcpts == 0) {
		reply->text = xstrdup("no recipient, not sent");
		return DELIVER_PERMFAIL;
	}
	if (nprimary == 0 || nprimary > nrcpts)
		nprimary = nrcpts;

	smtp_xfer_reset(&s->x);
	s->x.nrcpts = nrcpts;
	s->x.nprimary = nprimary;
	s->x.rcpt_code = xcalloc(nrcpts, sizeof(int));
	s->x.rcpt_text = xcalloc(nrcpts, sizeof(char *));
	/* On a kept connection MAIL FROM comes first; a new one starts
	 * over in the opensocket callback. */
	s->x.phase = PH_MAIL;
	if (smtp_crlf_clean(msg, len)) {
		s->x.data = msg;
		s->x.len = len;
	} else {
		smtp_crlf_normalize(&norm, msg, len);
		s->x.data = norm.data;
		s->x.len = norm.len;
	}
	for (i = 0; i < nrcpts; i++) {
		buf_reset(&tmp);
		buf_addf(&tmp, "<%s>", rcpts[i]);
		list = curl_slist_append(list, tmp.data);
		if (list == NULL)
			fatalx("out of memory");
	}
	mfrom = xasprintf("<%s>", from);
	s->errbuf[0] = '\0';
	s->x.mark = smtp_now_ms();
	SMTP_SETOPT(s->curl, CURLOPT_MAIL_FROM, mfrom);
	SMTP_SETOPT(s->curl, CURLOPT_MAIL_RCPT, list);
	SMTP_SETOPT(s->curl, SMTP_OPT_RCPT_ALLOWFAILS,
	    nprimary < nrcpts ? 1L : 0L);
	SMTP_SETOPT(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)s->x.len);
	SMTP_SETOPT(s->curl, CURLOPT_FRESH_CONNECT, s->fresh ? 1L : 0L);

	rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &rcode);

	if (rc == CURLE_OK) {
		res = DELIVER_OK;
		reply->code = rcode > 0 ? (int)rcode : s->x.code;
		reply->text = xstrdup(s->x.text != NULL ? s->x.text : "");
		for (i = nprimary; i < nrcpts; i++) {
			if (s->x.rcpt_code[i] < 300)
				continue;
			log_warnx("%s:%d refused the copy to %s: %s", s->host,
			    s->port, rcpts[i], s->x.rcpt_text[i] != NULL ?
			    s->x.rcpt_text[i] : "");
			buf_reset(&tmp);
			buf_addf(&tmp, "%s (copy to %s refused: %s)",
			    reply->text, rcpts[i], s->x.rcpt_text[i] != NULL ?
			    s->x.rcpt_text[i] : "");
			free(reply->text);
			reply->text = xstrdup(tmp.data);
		}
		s->fresh = false;
	} else {
		res = smtp_outcome(s, rc, rcode, from, reply);
		smtp_drop_connection(s);
	}
	/* The handle keeps these pointers until they are set again. */
	SMTP_SETOPT(s->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
	SMTP_SETOPT(s->curl, CURLOPT_MAIL_FROM, (char *)NULL);
	curl_slist_free_all(list);
	free(mfrom);
	s->x.data = NULL;
	buf_free(&norm);
	buf_free(&tmp);
	return res;
}
