#!/bin/bash
# inbox_imap.sh - hearing back over IMAP from a real Dovecot (Debian's
# dovecot-imapd) that this test starts on 127.0.0.1 with its own
# configuration (tests/fixtures/inbox/lib_inbox.sh: ib_dovecot_start): a
# passwd-file user, a test CA for IMAPS and STARTTLS, a \Sent folder.
#
#   - the story of lib_inbox.sh over imap:// with STARTTLS: every record
#     once across three scans, check-ins moved, the opt-out and the bounce
#     before the first pass, every message's flags and place unchanged
#   - imaps:// reads the same; a CA that is not trusted is refused
#   - a wrong password: the daemon logs the outage once however often it
#     retries, and delivers all the same
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/inbox/lib_inbox.sh"
ib_require

NOW=$(date +%s)
DC=$TMPDIR_E2E/dovecot
mkdir -p "$DC/home/owner"
ib_seed "$DC/home/owner/Maildir"
ib_dovecot_start "$DC" owner 'Sesam öffne dich' || exit 1
ib_count_logins() { grep -c "imap-login: Info: Login: user=<owner>" "$DC/dovecot.log"; }

C=$TMPDIR_E2E/case
ib_case "$C" "imap://127.0.0.1:$IB_IMAP_PORT/INBOX" username=owner \
    password_file=imap-password "ca_file=$DC/tls/ca.pem" check_every=15min
(umask 077 && printf 'Sesam öffne dich\n' >"$C/imap-password")
"$IB_TB" -c "$C/touchbase.ini" check >"$TMPDIR_E2E/check.out" 2>&1 ||
	{ tb_fail "check refused the configuration:"; cat "$TMPDIR_E2E/check.out"; }
ib_scenario "$C" "$DC/home/owner/Maildir"
tb_grep "Dovecot saw no change" "deleted=0 expunged=0 trashed=0" "$DC/dovecot.log"
if grep -q "deleted=[1-9]\|expunged=[1-9]\|trashed=[1-9]" "$DC/dovecot.log"; then
	tb_fail "Dovecot logged a deletion"
fi

# The server renumbers INBOX (a new UIDVALIDITY): the last `lookback` is
# read again, and nothing is recorded twice, not even the mail without a
# Message-ID.
doveadm -c "$DC/dovecot.conf" mailbox update -u owner --uid-validity 4242 INBOX ||
	tb_fail "doveadm could not change the UIDVALIDITY"
out=$("$IB_TB" -c "$C/touchbase.ini" inbox 2>"$C/renumbered.err")
ib_is "after a new UIDVALIDITY: strangers read again, nothing recorded" "$out" \
    "3 new mails: 0 contacts, 0 replies, 0 bounces, 0 delays, 0 objections"
ib_is "after a new UIDVALIDITY: records unchanged" \
    "$(ib_sql "$C" "SELECT COUNT(*) FROM mail_events")" 10
ib_is "the new UIDVALIDITY is remembered" \
    "$(ib_sql "$C" "SELECT value || '/' || text FROM state WHERE key LIKE 'inbox:imap:%/INBOX'")" "11/4242"

# imaps:// on a fresh database reads the same thirteen mails.
S=$TMPDIR_E2E/imaps
ib_case "$S" "imaps://127.0.0.1:$IB_IMAPS_PORT" username=owner \
    password_file=imap-password "ca_file=$DC/tls/ca.pem"
(umask 077 && printf 'Sesam öffne dich\n' >"$S/imap-password")
"$IB_TB" -c "$S/touchbase.ini" inbox --dry-run >"$S/dry0.out" 2>"$S/dry.err" ||
	{ tb_fail "imaps:// dry run failed:"; cat "$S/dry.err"; }
ib_rows "$S"
TZ=Europe/Berlin "$IB_TB" -c "$S/touchbase.ini" inbox --dry-run >"$S/dry.out" 2>"$S/dry.err" ||
	{ tb_fail "imaps:// dry run failed:"; cat "$S/dry.err"; }
diff <(ib_expected_lines; echo "dry run, nothing recorded: 13 new mails: 4 contacts, 1 reply, 3 bounces, 1 delay, 1 objection") \
    "$S/dry.out" >"$S/dry.diff" ||
	{ tb_fail "imaps:// dry run:"; sed 's/^/    /' "$S/dry.diff"; }

# Without the test CA the server is not trusted: nothing is read.
sed -i '/^ca_file/d' "$S/touchbase.ini"
"$IB_TB" -c "$S/touchbase.ini" inbox >"$S/noca.out" 2>"$S/noca.err"
ib_is "an untrusted certificate: exit status" "$?" 1
tb_grep "an untrusted certificate is refused" "certificate is not trusted" "$S/noca.err"

# A wrong password: the daemon retries with a growing pause (here under
# libfaketime running 120 times faster), logs the outage once, and sends
# karl's check-in all the same.
FT=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT" ] || tb_skip "libfaketime is missing ($FT)"
W=$TMPDIR_E2E/wrong
ib_case "$W" "imap://127.0.0.1:$IB_IMAP_PORT/INBOX" username=owner \
    password_file=imap-password "ca_file=$DC/tls/ca.pem" check_every=15min
(umask 077 && printf 'wrong\n' >"$W/imap-password")
fails0=$(grep -c "auth failed\|Authentication failed\|auth: .*passwd-file.*Password mismatch" "$DC/dovecot.log")
env LD_PRELOAD="$FT" FAKETIME="+0 x120" FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Europe/Berlin \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$IB_TBD" -c "$W/touchbase.ini" -v >"$W/daemon.out" 2>"$W/daemon.err" &
pid=$!
TB_PIDS="$TB_PIDS $pid"
for i in $(seq 1 150); do
	[ "$(grep -c "sleeping" "$W/daemon.err")" -ge 5 ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
tb_smtpd_stop "$pid"
echo "--- touchbased with a wrong IMAP password:"; sed 's/^/    /' "$W/daemon.err"
fails=$(( $(grep -c "Password mismatch" "$DC/dovecot.log") - fails0 ))
[ "$fails" -ge 3 ] || tb_fail "the daemon tried the mailbox $fails times, want at least 3"
ib_is "the outage is logged once" \
    "$(grep -v "still failing" "$W/daemon.err" | grep -c "inbox: imap://127.0.0.1:$IB_IMAP_PORT: login refused")" 1
tb_grep "with the server's words" "AUTHENTICATIONFAILED" "$W/daemon.err"
ib_is "delivery goes on: karl's check-in is sent" \
    "$(ib_sql "$W" "SELECT status FROM messages WHERE client = 'karl'")" sent
ib_is "nothing was recorded from the mailbox" \
    "$(ib_sql "$W" "SELECT COUNT(*) FROM mail_events")" 0
tb_done
