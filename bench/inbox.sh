#!/bin/bash
# inbox.sh - the first scan of a 10,000-message IMAP folder, against
# Python's imaplib fetching the same header fields in the same run.
#
# A Dovecot of its own on 127.0.0.1 (tests/fixtures/inbox/lib_inbox.sh:
# ib_dovecot_start; IMAPS with a test CA) holds BENCH_N (default 10000)
# mails in its INBOX, a tenth of them from clients of a 1,000-client
# book.  Dovecot's index is built by a first untimed read; then, best
# of three:
#   touchbase  `touchbase inbox` on a fresh database: LOGIN, EXAMINE,
#              UID SEARCH SINCE, UID FETCH BODY.PEEK[HEADER.FIELDS (...)]
#              16 messages at a time (libcurl's 300 KiB response cap),
#              parsing, looking up and recording
#   imaplib    the same commands from Python (the same 16 messages per
#              UID FETCH, the same fields, the same 16 KiB cap), without
#              parsing or recording anything
# and prints the seconds of each and their ratio.  Not part of make check;
# nothing is asserted.
#
#   bench/inbox.sh             (from the repository root or anywhere)
#   BENCH_N=2000 bench/inbox.sh
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-10000}
BUILD=${BUILD:-$SRC/build}
TMPDIR_E2E=$(mktemp -d /tmp/touchbase-bench-inbox.XXXXXX)
export SRC BUILD TMPDIR_E2E
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/inbox/lib_inbox.sh"
trap 'tb_cleanup; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$TMPDIR_E2E"' EXIT

make -C "$SRC" --no-print-directory all >/dev/null ||
	{ echo "bench/inbox: cannot build touchbase" >&2; exit 1; }
NOW=$(date +%s)
DC=$TMPDIR_E2E/dovecot
mkdir -p "$DC/home/owner/Maildir/cur" "$DC/home/owner/Maildir/new" "$DC/home/owner/Maildir/tmp"
"$TB_PYTHON" - "$DC/home/owner/Maildir" "$N" "$NOW" <<'PY'
import email.utils, os, sys
root, n, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    frm = "client%04d@example.org" % (i % 1000) if i % 10 == 0 else "sender%d@list.example" % i
    t = now - (n - i) * 60
    text = ("Received: from mx.example.net by mail.example.org; %s\r\n"
            "From: Someone <%s>\r\nTo: hallo@lindgruen.example\r\n"
            "Subject: Nachricht %d\r\nDate: %s\r\nMessage-ID: <bench-%d@example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n%s"
            % (email.utils.formatdate(t), frm, i, email.utils.formatdate(t), i,
               "Eine Zeile Text, damit die Nachricht eine echte Größe hat.\r\n" * 40))
    p = os.path.join(root, "cur", "%d.M%dP1.bench:2,%s" % (t, i, "S" if i % 3 else ""))
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
PY
ib_dovecot_start "$DC" owner bench-pw >/dev/null || exit 1

ib_case "$TMPDIR_E2E/case" "imaps://127.0.0.1:$IB_IMAPS_PORT/INBOX" username=owner \
    password_file=imap-password "ca_file=$DC/tls/ca.pem" sent=
(umask 077 && printf 'bench-pw\n' >"$TMPDIR_E2E/case/imap-password")
{
	echo 'occasions = ( { name = "checkin"; kind = "casual"; every = "8w"; template = "how-are-you"; } );'
	echo 'defaults = { occasions = ["checkin"]; };'
	echo 'clients = ('
	for i in $(seq 0 999); do
		printf '  { id = "c%04d"; name = "Client %04d"; email = "client%04d@example.org"; },\n' "$i" "$i" "$i"
	done | sed '$ s/,$//'
	echo ');'
} >"$TMPDIR_E2E/case/clients.conf"

# The fields touchbase fetches, and the same commands from Python.
cat >"$TMPDIR_E2E/bench_imaplib.py" <<'PY'
import imaplib, ssl, sys, time
port, ca, since, batch = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
fields = ("MESSAGE-ID DATE FROM TO CC SUBJECT IN-REPLY-TO REFERENCES "
          "CONTENT-TYPE AUTO-SUBMITTED")
t0 = time.monotonic()
m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ssl.create_default_context(cafile=ca))
m.login("owner", "bench-pw")
m.select("INBOX", readonly=True)
typ, data = m.uid("SEARCH", "SINCE", since)
uids = data[0].split()
got = 0
for i in range(0, len(uids), batch):
    typ, data = m.uid("FETCH", b",".join(uids[i:i + batch]),
                      "(UID BODY.PEEK[HEADER.FIELDS (%s)]<0.16384>)" % fields)
    got += sum(1 for d in data if isinstance(d, tuple))
m.logout()
print("%.3f %d" % (time.monotonic() - t0, got))
PY
since=$(LC_ALL=C date -u -d "@$((NOW - 90 * 86400))" +%d-%b-%Y)
# An untimed first read lets Dovecot build its index for both.
"$TB_PYTHON" "$TMPDIR_E2E/bench_imaplib.py" "$IB_IMAPS_PORT" "$DC/tls/ca.pem" "$since" 16 >/dev/null ||
	{ echo "bench/inbox: imaplib failed" >&2; exit 1; }

best_tb="" best_py=""
for run in 1 2 3; do
	rm -f "$TMPDIR_E2E/case/touchbase.db"*
	t0=$(date +%s.%N)
	"$IB_TB" -c "$TMPDIR_E2E/case/touchbase.ini" inbox >"$TMPDIR_E2E/tb.out" 2>&1 ||
		{ echo "bench/inbox: touchbase inbox failed:" >&2; cat "$TMPDIR_E2E/tb.out" >&2; exit 1; }
	t1=$(date +%s.%N)
	tb=$("$TB_PYTHON" -c "print($t1 - $t0)")
	read -r py got < <("$TB_PYTHON" "$TMPDIR_E2E/bench_imaplib.py" "$IB_IMAPS_PORT" "$DC/tls/ca.pem" "$since" 16)
	best_tb=$("$TB_PYTHON" -c "print(min(float(x) for x in '$best_tb $tb'.split()))")
	best_py=$("$TB_PYTHON" -c "print(min(float(x) for x in '$best_py $py'.split()))")
done
summary=$(tail -n 1 "$TMPDIR_E2E/tb.out")
"$TB_PYTHON" - "$N" "$best_tb" "$best_py" "$got" "$summary" <<'PY'
import sys
n, tb, py, got, summary = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print("bench inbox: first scan of a %d-message IMAPS folder (best of 3)" % n)
print("  touchbase inbox  %6.2f s  %7.0f mails/s  (%s)" % (tb, n / tb, summary))
print("  python imaplib   %6.2f s  %7.0f mails/s  (%d header sets, fetch only)" % (py, got / py, got))
print("  ratio touchbase/imaplib: %.2f" % (tb / py))
PY
