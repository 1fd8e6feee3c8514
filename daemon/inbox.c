/*
 * inbox.c - one scan of the owner's mailbox: read what is new, record
 * what it says about the clients.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "consent.h"
#include "deliver.h"
#include "imap.h"
#include "inbox.h"
#include "log.h"
#include "mailparse.h"
#include "mdread.h"
#include "timeutil.h"
#include "valid.h"
#include "xalloc.h"

#define INBOX_CREDENTIAL	"imap-password"
#define INBOX_BATCH		IMAP_FETCH_MAX	/* UIDs per FETCH */
#define INBOX_DSN_BYTES		(128 * 1024)
#define INBOX_DSN_WINDOW	(30 * DAY_SECONDS) /* a DSN without the
						      original's headers
						      matches a message sent
						      this long before it */

enum folder_kind { FOLDER_INBOX, FOLDER_SENT };

/* A client's address as a lookup key: the local part as written, the
 * domain lowercased (valid_address_same() is the rule; this only sorts). */
struct addr_key {
	char		*key;
	const struct client *c;
};

struct scan {
	const struct config *c;
	struct ledger	*l;
	int64_t		 now;
	bool		 dry_run;
	struct inbox_result *res;
	struct addr_key	*addrs;
	size_t		 naddrs;
	enum inbox_fail	*fail;
	char		**err;
	struct buf	 line;
};

static char *
addr_norm(const char *a)
{
	char *k = xstrdup(a), *at = strrchr(k, '@');

	for (char *p = at != NULL ? at : k + strlen(k); *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return k;
}

static int
addr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct addr_key *)a)->key,
	    ((const struct addr_key *)b)->key);
}

static void
scan_addrs(struct scan *s)
{
	const struct book *b = s->c->book;

	s->addrs = xreallocarray(NULL, b->nclients + 1, sizeof(*s->addrs));
	for (size_t i = 0; i < b->nclients; i++) {
		s->addrs[i].key = addr_norm(b->clients[i].email);
		s->addrs[i].c = &b->clients[i];
	}
	s->naddrs = b->nclients;
	qsort(s->addrs, s->naddrs, sizeof(*s->addrs), addr_cmp);
}

/* The client whose address is a, or NULL. */
static const struct client *
scan_client(const struct scan *s, const char *a)
{
	struct addr_key k, *hit;

	if (a == NULL)
		return NULL;
	k.key = addr_norm(a);
	hit = bsearch(&k, s->addrs, s->naddrs, sizeof(*s->addrs), addr_cmp);
	free(k.key);
	return hit != NULL && valid_address_same(hit->c->email, a) ?
	    hit->c : NULL;
}

static void
scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->naddrs; i++)
		free(s->addrs[i].key);
	free(s->addrs);
	buf_free(&s->line);
}

static void
scan_fail(struct scan *s, enum inbox_fail f, char *msg)
{
	*s->fail = f;
	free(*s->err);
	*s->err = msg;
}

/* "2026-12-03" in the sender's zone. */
static void
scan_date(const struct scan *s, int64_t t, char out[static 11])
{
	timeutil_format_date(consent_local_day(s->c->book->sender_tz, t), out);
}

static void
scan_say(struct scan *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
scan_say(struct scan *s, const char *fmt, ...)
{
	struct inbox_result *r = s->res;
	va_list ap;

	va_start(ap, fmt);
	buf_reset(&s->line);
	buf_vaddf(&s->line, fmt, ap);
	va_end(ap);
	r->lines = xreallocarray(r->lines, r->nlines + 1, sizeof(*r->lines));
	r->lines[r->nlines++] = xstrdup(s->line.data);
}

/* --- one mail ------------------------------------------------------- */

struct events {
	struct ledger_mail_event ev[MAILPARSE_MAX_RCPTS + 4];
	size_t		 n;
	struct ledger_msgref refs[MAILPARSE_MAX_RCPTS + 2];
	size_t		 nrefs;
	char		*strs[MAILPARSE_MAX_RCPTS + 2];
	size_t		 nstrs;
};

static bool
events_has(const struct events *e, enum ledger_mail_kind k,
    const char *client, int64_t message)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->ev[i].kind == k && e->ev[i].message == message &&
		    strcmp(e->ev[i].client, client) == 0)
			return true;
	return false;
}

static struct ledger_mail_event *
events_add(struct events *e, enum ledger_mail_kind k, const char *client,
    int64_t at, int64_t message)
{
	struct ledger_mail_event *ev;

	if (e->n == sizeof(e->ev) / sizeof(e->ev[0]) ||
	    events_has(e, k, client, message))
		return NULL;
	ev = &e->ev[e->n++];
	memset(ev, 0, sizeof(*ev));
	ev->kind = k;
	ev->client = client;
	ev->at = at;
	ev->message = message;
	return ev;
}

static void
events_clear(struct events *e)
{
	for (size_t i = 0; i < e->nrefs; i++)
		ledger_msgref_clear(&e->refs[i]);
	for (size_t i = 0; i < e->nstrs; i++)
		free(e->strs[i]);
}

/* The send-log row of a DSN recipient group: by the returned headers'
 * Message-ID, else the latest message to the recipient before the DSN. */
static int
dsn_row(struct scan *s, const struct mail *m, const struct mail_dsn_rcpt *r,
    int64_t at, struct events *e, struct ledger_msgref **out)
{
	struct ledger_msgref *ref;
	bool found = false;
	char *err = NULL;

	*out = NULL;
	if (e->nrefs == sizeof(e->refs) / sizeof(e->refs[0]))
		return 0;
	ref = &e->refs[e->nrefs];
	if (m->orig_message_id != NULL) {
		if (ledger_find_message(s->l, m->orig_message_id, ref, &found,
		    &err) == -1)
			goto fail;
	} else if (r->recipient != NULL) {
		if (ledger_find_sent_to(s->l, r->recipient,
		    at - INBOX_DSN_WINDOW, at, ref, &found, &err) == -1)
			goto fail;
	}
	if (found) {
		e->nrefs++;
		*out = ref;
	}
	return 0;
fail:
	scan_fail(s, INBOX_FAIL_LEDGER, err);
	return -1;
}

static int
classify_dsn(struct scan *s, const struct mail *m, int64_t at,
    struct events *e)
{
	for (size_t i = 0; i < m->nrcpts; i++) {
		const struct mail_dsn_rcpt *r = &m->rcpts[i];
		struct ledger_msgref *row;
		struct ledger_mail_event *ev;
		enum ledger_mail_kind k;

		if (r->action == NULL || r->status == NULL)
			continue;
		if (strcmp(r->action, "failed") == 0 && r->status[0] == '5')
			k = LEDGER_MAIL_BOUNCE;
		else if (strcmp(r->action, "delayed") == 0 &&
		    r->status[0] == '4')
			k = LEDGER_MAIL_DELAY;
		else
			continue;
		if (dsn_row(s, m, r, at, e, &row) == -1)
			return -1;
		/* A report for another of the message's recipients (a copy
		 * to the sender's bcc) says nothing about the client. */
		if (row == NULL || row->status != ST_SENT ||
		    (r->recipient != NULL &&
		    !valid_address_same(r->recipient, row->to)))
			continue;
		if ((ev = events_add(e, k, row->client, at, row->id)) == NULL)
			continue;
		ev->status = r->status;
		ev->diag = r->diagnostic;
		e->strs[e->nstrs++] = xstrdup(row->occurrence != NULL ?
		    row->occurrence : "");
	}
	return 0;
}

static int
classify(struct scan *s, const struct mail *m, enum folder_kind fk,
    int64_t at, struct events *e)
{
	const struct client *cl;

	if (m->is_dsn)
		return classify_dsn(s, m, at, e);
	if (fk == FOLDER_SENT) {
		for (size_t i = 0; i < m->nto; i++)
			if ((cl = scan_client(s, m->to[i])) != NULL)
				events_add(e, LEDGER_MAIL_CONTACT, cl->id, at, 0);
		return 0;
	}
	cl = scan_client(s, m->from);
	if (m->unsubscribe) {
		struct ledger_mail_event *ev;

		if (cl != NULL) {
			ev = events_add(e, LEDGER_MAIL_OBJECTION, cl->id, at,
			    0);
			if (ev != NULL)
				ev->address = cl->email;
		} else if (m->from != NULL)
			log_warnx("inbox: an 'unsubscribe' mail from %s, who "
			    "is no client in the book: nothing recorded",
			    m->from);
		return 0;
	}
	/* An out-of-office answer is neither a contact nor a reply. */
	if (m->auto_reply)
		return 0;
	if (cl != NULL)
		events_add(e, LEDGER_MAIL_CONTACT, cl->id, at, 0);
	for (size_t i = 0; i < m->nrefs && e->nrefs < MAILPARSE_MAX_RCPTS;
	    i++) {
		struct ledger_msgref *ref = &e->refs[e->nrefs];
		bool found;
		char *err = NULL;

		if (ledger_find_message(s->l, m->refs[i], ref, &found,
		    &err) == -1) {
			scan_fail(s, INBOX_FAIL_LEDGER, err);
			return -1;
		}
		if (!found)
			continue;
		e->nrefs++;
		if (ref->status != ST_SENT && ref->status != ST_BOUNCED)
			continue;
		if (events_add(e, LEDGER_MAIL_REPLY, ref->client, at,
		    ref->id) != NULL)
			e->strs[e->nstrs++] = xstrdup(ref->occurrence ?
			    ref->occurrence : "");
		break;		/* the message it answers, not its thread */
	}
	return 0;
}

static void
scan_report(struct scan *s, const struct mail *m, enum folder_kind fk,
    const struct events *e)
{
	size_t si = 0;

	for (size_t i = 0; i < e->n; i++) {
		const struct ledger_mail_event *ev = &e->ev[i];
		char d[11];

		scan_date(s, ev->at, d);
		switch (ev->kind) {
		case LEDGER_MAIL_CONTACT:
			s->res->contacts++;
			scan_say(s, "contact    %s %s: mail %s %s", ev->client,
			    d, fk == FOLDER_SENT ? "to" : "from",
			    fk == FOLDER_SENT ? "the client" : m->from);
			break;
		case LEDGER_MAIL_REPLY:
			s->res->replies++;
			scan_say(s, "reply      %s %s: to %s (log id %lld)",
			    ev->client, d, e->strs[si++],
			    (long long)ev->message);
			break;
		case LEDGER_MAIL_BOUNCE:
		case LEDGER_MAIL_DELAY:
			if (ev->kind == LEDGER_MAIL_BOUNCE)
				s->res->bounces++;
			else
				s->res->delays++;
			scan_say(s, "%-10s %s %s: %s (log id %lld): %s%s%s",
			    ev->kind == LEDGER_MAIL_BOUNCE ? "bounce" :
			    "delay", ev->client, d, e->strs[si++],
			    (long long)ev->message, ev->status,
			    ev->diag != NULL ? " " : "",
			    ev->diag != NULL ? ev->diag : "");
			break;
		case LEDGER_MAIL_OBJECTION:
			s->res->objections++;
			scan_say(s, "objection  %s %s: 'unsubscribe' from %s",
			    ev->client, d, m->from);
			break;
		}
	}
}

/* The key of a mail without a Message-ID: a hash of what was read of
 * it, the same whichever scan reads it (a UID or a file name is not: a
 * server may renumber, a mail client rename). */
static char *
nomid_key(enum folder_kind fk, const char *data, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 1099511628211ULL;
	}
	return xasprintf("no-message-id:%s:%016llx", fk == FOLDER_SENT ?
	    "sent" : "inbox", (unsigned long long)h);
}

/*
 * Reads one mail (len bytes: its header fields, or the start of the
 * whole mail) and records what it says.  Returns -1 after scan_fail().
 */
static int
scan_mail(struct scan *s, enum folder_kind fk, const char *data, size_t len)
{
	struct mail m;
	struct events e;
	char *key;
	int64_t at;
	bool seen, own = false;
	char *err = NULL;
	int rc = -1;

	memset(&e, 0, sizeof(e));
	mailparse_message(data, len, &m);
	s->res->mails++;
	key = m.message_id != NULL ? xstrdup(m.message_id) :
	    nomid_key(fk, data, len);
	if (ledger_mail_seen(s->l, key, &seen, &err) == -1)
		goto ledger;
	if (seen) {
		s->res->mails--;
		rc = 0;
		goto out;
	}
	if (m.message_id != NULL) {
		struct ledger_msgref r;

		if (ledger_find_message(s->l, m.message_id, &r, &own, &err)
		    == -1)
			goto ledger;
		ledger_msgref_clear(&r);
	}
	at = m.date == INT64_MIN || m.date > s->now ? s->now : m.date;
	if (!own && classify(s, &m, fk, at, &e) == -1)
		goto out;
	if (e.n == 0) {
		/* Strangers, touchbase's own mail, a DSN for a message not
		 * in the send log: nothing to remember, and the folder's
		 * position keeps it from being read again. */
		s->res->ignored++;
		rc = 0;
		goto out;
	}
	if (!s->dry_run) {
		switch (ledger_record_mail(s->l, key, s->now, e.ev, e.n,
		    &err)) {
		case -1:
			goto ledger;
		case 1:
			rc = 0;		/* another scan was quicker */
			goto out;
		}
	}
	scan_report(s, &m, fk, &e);
	rc = 0;
	goto out;
ledger:
	scan_fail(s, INBOX_FAIL_LEDGER, err);
out:
	free(key);
	events_clear(&e);
	mailparse_clear(&m);
	return rc;
}

/* --- Maildir ------------------------------------------------------- */

static int
scan_maildir_folder(struct scan *s, const char *folder, enum folder_kind fk)
{
	struct mdread_entry *e = NULL;
	const char **fresh = NULL;
	size_t n = 0, nfresh = 0;
	struct buf b;
	char *err = NULL;
	int rc = -1;
	bool seen, first;

	buf_init(&b);
	if (mdread_list(folder, &e, &n, &err) == -1) {
		scan_fail(s, INBOX_FAIL_CONFIG, err);
		return -1;
	}
	/* Nothing read yet from this folder: only the last `lookback`. */
	if (ledger_mail_name_seen(s->l, folder, "", &first, &err) == -1)
		goto ledger;
	first = !first;
	fresh = xreallocarray(NULL, n + 1, sizeof(*fresh));
	for (size_t i = 0; i < n; i++) {
		if (ledger_mail_name_seen(s->l, folder, e[i].name, &seen,
		    &err) == -1)
			goto ledger;
		if (seen)
			continue;
		fresh[nfresh++] = e[i].name;
		if (first && e[i].mtime < s->now - s->c->settings->inbox_lookback)
			continue;
		if (mdread_read(e[i].path, &b) == -1) {
			/* Moved by a mail client in between: the next scan
			 * finds it under its new name. */
			nfresh--;
			continue;
		}
		rc = scan_mail(s, fk, b.data != NULL ? b.data : "", b.len);
		if (rc == -1)
			goto out;
		rc = -1;
	}
	/* "" marks the folder as read once. */
	fresh[nfresh++] = "";
	if (!s->dry_run && ledger_mail_names_add(s->l, folder, fresh, nfresh,
	    &err) == -1)
		goto ledger;
	rc = 0;
	goto out;
ledger:
	scan_fail(s, INBOX_FAIL_LEDGER, err);
out:
	free(fresh);
	buf_free(&b);
	mdread_entries_free(e, n);
	return rc;
}

static int
scan_maildir(struct scan *s)
{
	const struct settings *st = s->c->settings;
	char *sent = NULL;
	int rc;

	if (scan_maildir_folder(s, st->inbox_maildir, FOLDER_INBOX) == -1)
		return -1;
	if (st->inbox_sent != NULL)
		sent = xstrdup(st->inbox_sent);
	else if (st->inbox_sent_auto)
		sent = mdread_sent_folder(st->inbox_maildir);
	rc = sent != NULL ? scan_maildir_folder(s, sent, FOLDER_SENT) : 0;
	free(sent);
	return rc;
}

/* --- IMAP ---------------------------------------------------------- */

struct fetched {
	uint32_t	 uid;
	char		*data;
	size_t		 len;
};

struct fetch_batch {
	struct fetched	*v;
	size_t		 n;
};

static void
fetch_cb(void *arg, uint32_t uid, const char *data, size_t len)
{
	struct fetch_batch *b = arg;

	b->v = xreallocarray(b->v, b->n + 1, sizeof(*b->v));
	b->v[b->n].uid = uid;
	b->v[b->n].data = xmalloc(len + 1);
	memcpy(b->v[b->n].data, data, len);
	b->v[b->n].data[len] = '\0';
	b->v[b->n].len = len;
	b->n++;
}

static void
batch_clear(struct fetch_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].data);
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

static int
fetched_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct fetched *)a)->uid;
	uint32_t y = ((const struct fetched *)b)->uid;

	return x < y ? -1 : x > y;
}

static enum inbox_fail
imap_fail_kind(enum imap_result r)
{
	return r == IMAP_SESSION ? INBOX_FAIL_SESSION : INBOX_FAIL_CONFIG;
}

/* Whether the header fields say multipart/report: the whole start of
 * the mail is needed then. */
static bool
looks_like_report(const char *data, size_t len)
{
	struct mail m;
	bool r;

	mailparse_message(data, len, &m);
	r = m.is_dsn;
	mailparse_clear(&m);
	return r;
}

static int
scan_imap_folder(struct scan *s, struct imap *im, const char *folder,
    enum folder_kind fk)
{
	const struct settings *st = s->c->settings;
	uint32_t validity, last = 0, *uids = NULL, highest;
	size_t n = 0;
	char *key, *text = NULL, *err = NULL, vbuf[16];
	int64_t value;
	bool found;
	enum imap_result r;
	int rc = -1;

	key = xasprintf("inbox:imap:%s@%s:%d/%s", st->inbox_username ?
	    st->inbox_username : "", st->inbox_host, st->inbox_port, folder);
	if ((r = imap_examine(im, folder, &validity, &err)) != IMAP_OK) {
		scan_fail(s, imap_fail_kind(r), xasprintf("folder %s: %s",
		    folder, err));
		free(err);
		goto out;
	}
	if (ledger_state_get(s->l, key, &found, &value, &text, &err) == -1) {
		scan_fail(s, INBOX_FAIL_LEDGER, err);
		goto out;
	}
	snprintf(vbuf, sizeof(vbuf), "%u", validity);
	if (found && text != NULL && strcmp(text, vbuf) == 0 && value > 0)
		last = (uint32_t)value;
	r = last > 0 ? imap_search(im, last, -1, &uids, &n, &err) :
	    imap_search(im, 0, (s->now - st->inbox_lookback) / DAY_SECONDS,
	    &uids, &n, &err);
	if (r != IMAP_OK) {
		scan_fail(s, imap_fail_kind(r), xasprintf("folder %s: %s",
		    folder, err));
		free(err);
		goto out;
	}
	highest = last;
	for (size_t i = 0; i < n; i += INBOX_BATCH) {
		size_t k = n - i < INBOX_BATCH ? n - i : INBOX_BATCH;
		struct fetch_batch b = { NULL, 0 };

		if ((r = imap_fetch(im, uids + i, k, 0, fetch_cb, &b, &err)) !=
		    IMAP_OK) {
			batch_clear(&b);
			scan_fail(s, imap_fail_kind(r), xasprintf("folder %s: "
			    "%s", folder, err));
			free(err);
			goto save;
		}
		qsort(b.v, b.n, sizeof(*b.v), fetched_cmp);
		for (size_t j = 0; j < b.n; j++) {
			struct fetch_batch whole = { NULL, 0 };
			const char *data = b.v[j].data;
			size_t len = b.v[j].len;
			int mrc;

			if (looks_like_report(data, len)) {
				r = imap_fetch(im, &b.v[j].uid, 1,
				    INBOX_DSN_BYTES, fetch_cb, &whole, &err);
				if (r != IMAP_OK) {
					batch_clear(&b);
					scan_fail(s, imap_fail_kind(r),
					    xasprintf("folder %s: %s", folder,
					    err));
					free(err);
					goto save;
				}
				if (whole.n == 1) {
					data = whole.v[0].data;
					len = whole.v[0].len;
				}
			}
			mrc = scan_mail(s, fk, data, len);
			batch_clear(&whole);
			if (mrc == -1) {
				batch_clear(&b);
				goto save;
			}
			if (b.v[j].uid > highest)
				highest = b.v[j].uid;
		}
		/* UIDs the server did not return (expunged meanwhile) are
		 * passed too. */
		if (uids[i + k - 1] > highest)
			highest = uids[i + k - 1];
		batch_clear(&b);
	}
	rc = 0;
save:
	if (!s->dry_run && (highest != last || !found || text == NULL ||
	    strcmp(text, vbuf) != 0) && ledger_state_set(s->l, key,
	    highest, vbuf, &err) == -1) {
		scan_fail(s, INBOX_FAIL_LEDGER, err);
		rc = -1;
	}
out:
	free(uids);
	free(text);
	free(key);
	return rc;
}

int
inbox_password(const struct settings *s, char **password, char **err)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char *path = NULL;
	int rc = -1;

	if (dir != NULL && *dir != '\0') {
		path = xasprintf("%s/%s", dir, INBOX_CREDENTIAL);
		if (!deliver_credential_blank(path)) {
			rc = deliver_read_password(path, password, err);
			goto out;
		}
	}
	if (s->inbox_password_file != NULL) {
		rc = deliver_read_password(s->inbox_password_file, password,
		    err);
		goto out;
	}
	*err = xasprintf("[inbox] username is set but there is no password: "
	    "set password_file in [inbox], or pass the systemd credential "
	    "%s (LoadCredential=%s:/path/to/file)", INBOX_CREDENTIAL,
	    INBOX_CREDENTIAL);
out:
	free(path);
	return rc;
}

static int
scan_imap(struct scan *s)
{
	const struct settings *st = s->c->settings;
	struct imap_params p;
	struct imap *im = NULL;
	char *password = NULL, *sent = NULL, *err = NULL;
	enum imap_result r;
	int rc = -1;

	if (st->inbox_username != NULL &&
	    inbox_password(st, &password, &err) == -1) {
		scan_fail(s, INBOX_FAIL_CONFIG, err);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.host = st->inbox_host;
	p.port = st->inbox_port;
	p.implicit_tls = st->inbox == INBOX_IMAPS;
	p.username = st->inbox_username;
	p.password = password;
	p.ca_file = st->inbox_ca_file;
	p.timeout = (long)st->timeout;
	if ((im = imap_new(&p, &err)) == NULL) {
		scan_fail(s, INBOX_FAIL_CONFIG, err);
		goto out;
	}
	if ((r = imap_login(im, &err)) != IMAP_OK) {
		scan_fail(s, imap_fail_kind(r), xasprintf("%s://%s:%d: %s",
		    p.implicit_tls ? "imaps" : "imap", st->inbox_host,
		    st->inbox_port, err));
		free(err);
		goto out;
	}
	if (scan_imap_folder(s, im, st->inbox_folder, FOLDER_INBOX) == -1)
		goto out;
	if (st->inbox_sent != NULL)
		sent = xstrdup(st->inbox_sent);
	else if (st->inbox_sent_auto) {
		r = imap_special_use(im, "\\Sent", &sent, &err);
		if (r != IMAP_OK) {
			scan_fail(s, imap_fail_kind(r), xasprintf("LIST: %s",
			    err));
			free(err);
			goto out;
		}
		if (sent != NULL && valid_imap_folder(sent, &err) == -1) {
			log_warnx("inbox: the \\Sent folder: %s; set [inbox] "
			    "sent", err);
			free(err);
			free(sent);
			sent = NULL;
		}
	}
	if (sent != NULL && scan_imap_folder(s, im, sent, FOLDER_SENT) == -1)
		goto out;
	rc = 0;
out:
	imap_free(im);
	free(sent);
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	return rc;
}

/* --- the scan ------------------------------------------------------ */

int
inbox_scan(const struct config *c, struct ledger *l, int64_t now,
    bool dry_run, struct inbox_result *res, enum inbox_fail *fail,
    char **err)
{
	struct scan s;
	int rc;

	memset(res, 0, sizeof(*res));
	*fail = INBOX_FAIL_NONE;
	*err = NULL;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.l = l;
	s.now = now;
	s.dry_run = dry_run;
	s.res = res;
	s.fail = fail;
	s.err = err;
	buf_init(&s.line);
	switch (c->settings->inbox) {
	case INBOX_NONE:
		*err = xstrdup("[inbox] url is not set: touchbase reads no "
		    "mail");
		*fail = INBOX_FAIL_CONFIG;
		return -1;
	case INBOX_MAILDIR:
		scan_addrs(&s);
		rc = scan_maildir(&s);
		break;
	default:
		scan_addrs(&s);
		rc = scan_imap(&s);
		break;
	}
	scan_free(&s);
	return rc;
}

void
inbox_result_clear(struct inbox_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

int64_t
inbox_next_scan(const struct settings *s, int64_t now, bool ok,
    unsigned failures)
{
	int64_t d = 60, cap = s->inbox_every > 3600 ? s->inbox_every : 3600;

	if (ok || failures == 0)
		return now + s->inbox_every;
	for (unsigned i = 1; i < failures && d < cap; i++)
		d *= 2;
	return now + (d < cap ? d : cap);
}
