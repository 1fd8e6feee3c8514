#!/bin/bash
# daemon_faults.sh - what `touchbased --once` records when the SMTP server
# misbehaves, and what the next pass does.  One client (or two) with a
# birthday on Wed 2027-03-03; each case has its own folder, database and
# server (tests/smtpd.py with STARTTLS and AUTH unless said otherwise):
#   451 at DATA          deferred; not before retry[0] (5min); then sent
#   550 at RCPT          failed, never retried
#   drop during DATA     deferred; sent on the retry
#   slow server          timeout = 2s, two clients due: the first times out
#                        (deferred), the second goes on a fresh connection
#   wrong password       deferred, a loud line about authentication, exit 1
#   no STARTTLS          deferred as a configuration problem, exit 1
#   password file 0644   refused, naming the file, exit 1; nothing sent
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require
dm_certs "$TMPDIR_E2E/tls"
printf 'faults-pa55\n' >"$TMPDIR_E2E/server-password"
DAY0="2027-03-01 08:00:00"
DUE="2027-03-03 09:30:00"

# setup NAME BOOK [tls|plain] [smtpd.py options…]: folder $D with its own
# server (spool $D/spool, events $D/events), the day-0 pass already run.
setup() {
	local name=$1 book=$2 mode=$3
	shift 3
	D=$TMPDIR_E2E/$name
	dm_case "$D" "$DM_FIX/$book"
	if [ "$mode" = tls ]; then
		set -- --tls-cert "$TMPDIR_E2E/tls/server.pem" \
		    --tls-key "$TMPDIR_E2E/tls/server.key" \
		    --auth-user tb-faults --auth-password-file "$TMPDIR_E2E/server-password" "$@"
	fi
	tb_smtpd_start --spool "$D/spool" --events "$D/events" "$@" || exit 1
	(umask 077 && printf 'faults-pa55\n' >"$D/smtp-password")
	dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=required USERNAME=tb-faults \
	    PASSWORD_FILE=smtp-password CA_FILE="$TMPDIR_E2E/tls/ca.pem" TIMEOUT=10s
	dm_once "$D" "$DAY0"
	dm_is "$name: day 0 exit status" "$DM_RC" 0
}

row() { dm_row "$D" "${3:-kim-meyer}" birthday/2027 "$1"; }
spool() { tb_spool_count "$D/spool"; }
connects() { local n; n=$(grep -c '^connect ' "$D/events" 2>/dev/null); echo "${n:-0}"; }

# --- 451 at DATA, once -------------------------------------------------
setup data451 one.conf tls --fail-data 451:1
dm_once "$D" "$DUE"
dm_is "451: exit status" "$DM_RC" 0
dm_is "451: nothing stored" "$(spool)" 0
dm_log "$D"
dm_is "451: deferred" "$(row 'r["status"]')" deferred
dm_is "451: one attempt" "$(row 'r["attempts"]')" 1
dm_is "451: smtp_code" "$(row 'r["smtp_code"]')" 451
dm_match "451: smtp_reply" "$(row 'r["smtp_reply"]')" 'injected failure at DATA'
MID1=$(row 'r["message_id"]')
dm_match "451: Message-ID kept for the retry" "$MID1" '^<[^<>@ ]+@lindgruen\.example>$'
tb_grep "451: logged" "deferred birthday/2027 to kim-meyer" "$DM_ERR"
# Before retry[0] = 5min has passed: nothing.
dm_once "$D" "2027-03-03 09:33:00"
dm_is "451 +3min: exit status" "$DM_RC" 0
dm_is "451 +3min: not retried yet" "$(spool)" 0
dm_log "$D"
dm_is "451 +3min: still one attempt" "$(row 'r["attempts"]')" 1
dm_once "$D" "2027-03-03 09:36:00"
dm_is "451 +6min: exit status" "$DM_RC" 0
dm_is "451 +6min: sent on the retry" "$(spool)" 1
dm_log "$D"
dm_is "451 +6min: sent" "$(row 'r["status"]')" sent
dm_is "451 +6min: two attempts" "$(row 'r["attempts"]')" 2
dm_is "451 +6min: smtp_code" "$(row 'r["smtp_code"]')" 250
dm_is "451 +6min: the same Message-ID" "$(dm_hdr "$D/spool/000001.eml" Message-ID)" "$MID1"
ID=$(row 'r["id"]')
TZ=Europe/Berlin "$DM_TB" -c "$D/touchbase.ini" show "$ID" >"$D/show.out" 2>&1
dm_is "451: touchbase show exit status" "$?" 0
tb_grep "451: show has the first attempt" "451" "$D/show.out"
tb_grep "451: show has the second attempt" "250" "$D/show.out"
tb_grep "451: show has the message" "Message-ID: $MID1" "$D/show.out"
dm_once "$D" "2027-03-04 09:36:00"
dm_is "451 next day: nothing more" "$(spool)" 1
tb_smtpd_stop

# --- 550 at RCPT -------------------------------------------------------
setup rcpt550 one.conf tls --fail-rcpt 550
dm_once "$D" "$DUE"
dm_is "550: exit status" "$DM_RC" 0
dm_is "550: nothing stored" "$(spool)" 0
dm_log "$D"
dm_is "550: failed" "$(row 'r["status"]')" failed
dm_is "550: one attempt" "$(row 'r["attempts"]')" 1
dm_is "550: smtp_code" "$(row 'r["smtp_code"]')" 550
dm_match "550: smtp_reply" "$(row 'r["smtp_reply"]')" 'injected failure at RCPT'
tb_grep "550: logged" "failed birthday/2027 to kim-meyer" "$DM_ERR"
C=$(connects)
for when in "2027-03-03 09:40:00" "2027-03-03 12:00:00" "2027-03-04 10:00:00"; do
	dm_once "$D" "$when"
	dm_is "550 at $when: exit status" "$DM_RC" 0
done
dm_log "$D"
dm_is "550 later: still failed" "$(row 'r["status"]')" failed
dm_is "550 later: never retried" "$(row 'r["attempts"]')" 1
dm_is "550 later: no new connection" "$(connects)" "$C"
tb_smtpd_stop

# --- connection dropped during DATA, once ------------------------------
setup drop one.conf tls --drop-during-data=1
dm_once "$D" "$DUE"
dm_is "drop: exit status" "$DM_RC" 0
dm_is "drop: nothing stored" "$(spool)" 0
dm_log "$D"
dm_is "drop: deferred" "$(row 'r["status"]')" deferred
dm_is "drop: one attempt" "$(row 'r["attempts"]')" 1
grep -q '^fault 1 DROP' "$D/events" || tb_fail "drop: the server never dropped the connection"
dm_once "$D" "2027-03-03 09:36:00"
dm_is "drop +6min: sent on the retry" "$(spool)" 1
dm_log "$D"
dm_is "drop +6min: sent" "$(row 'r["status"]')" sent
dm_is "drop +6min: two attempts" "$(row 'r["attempts"]')" 2
tb_smtpd_stop

# --- a server slower than the timeout, then a good message -------------
setup slow two.conf tls --slow-rcpt 5:1
sed -i 's/^timeout *=.*/timeout = 2s/' "$D/touchbase.ini"
start=$(date +%s%N)
dm_once "$D" "$DUE"
secs=$(( ($(date +%s%N) - start) / 1000000 ))
dm_is "slow: exit status" "$DM_RC" 0
[ "$secs" -lt 4900 ] || tb_fail "slow: the pass waited ${secs} ms: longer than the server's 5 s delay, so no 2 s timeout"
dm_is "slow: the second message stored" "$(spool)" 1
dm_log "$D"
dm_is "slow: one deferred, one sent" "$("$TB_PYTHON" -c '
import json,sys
print(" ".join(sorted(r["status"] for r in json.load(open(sys.argv[1])))))' "$D/log.json")" "deferred sent"
dm_is "slow: the good message on a fresh connection" "$(tb_json "$D/spool/000001.json" 'j["connection"]')" 2
for c in kim-meyer lea-vogel; do
	case $(row 'r["status"]' x "$c") in
	deferred) slowc=$c ;;
	esac
done
dm_is "slow: the timed-out one has one attempt" "$(row 'r["attempts"]' x "${slowc:-none}")" 1
dm_match "slow: the reply says timeout" "$(row 'r["smtp_reply"]' x "${slowc:-none}")" 'timeout'
tb_grep "slow: the timeout is logged" "deferred birthday/2027 to ${slowc:-none}" "$DM_ERR"
dm_once "$D" "2027-03-03 09:36:00"
dm_is "slow +6min: exit status" "$DM_RC" 0
dm_is "slow +6min: the timed-out one sent" "$(spool)" 2
dm_log "$D"
dm_is "slow +6min: both sent" "$("$TB_PYTHON" -c '
import json,sys
print(" ".join(sorted(r["status"] for r in json.load(open(sys.argv[1])))))' "$D/log.json")" "sent sent"
dm_is "slow: each recipient once" "$(for f in "$D"/spool/*.json; do tb_json "$f" 'j["rcpt_tos"][0]'; done | sort | tr '\n' ' ')" \
    "kim@example.de lea@example.de "
tb_smtpd_stop

# --- a wrong password --------------------------------------------------
setup wrongpw one.conf tls
printf 'not-the-password\n' >"$D/smtp-password"
dm_once "$D" "$DUE"
dm_is "wrong password: exit status" "$DM_RC" 1
dm_is "wrong password: nothing stored" "$(spool)" 0
grep -q 'auth [0-9]* tb-faults fail' "$D/events" || tb_fail "wrong password: the server saw no failed AUTH"
grep -qi 'auth' "$DM_ERR" || tb_fail "wrong password: no log line about authentication"
dm_log "$D"
dm_is "wrong password: deferred, not failed" "$(row 'r["status"]')" deferred
dm_is "wrong password: one attempt" "$(row 'r["attempts"]')" 1
# The owner fixes the password; the retry then goes.
printf 'faults-pa55\n' >"$D/smtp-password"
dm_once "$D" "2027-03-03 09:36:00"
dm_is "fixed password: exit status" "$DM_RC" 0
dm_is "fixed password: sent" "$(spool)" 1
tb_smtpd_stop

# --- a server without STARTTLS -----------------------------------------
setup nostarttls one.conf plain
dm_once "$D" "$DUE"
dm_is "no STARTTLS: exit status" "$DM_RC" 1
dm_is "no STARTTLS: nothing stored" "$(spool)" 0
tb_grep "no STARTTLS: a configuration problem" "delivery is not configured correctly" "$DM_ERR"
grep -qi 'tls' "$DM_ERR" || tb_fail "no STARTTLS: the log does not say TLS is the problem"
dm_log "$D"
dm_is "no STARTTLS: deferred, not failed" "$(row 'r["status"]')" deferred
tb_smtpd_stop

# --- a password file readable by others --------------------------------
setup pw0644 one.conf tls
chmod 0644 "$D/smtp-password"
dm_once "$D" "$DUE"
dm_is "0644: exit status" "$DM_RC" 1
dm_is "0644: nothing stored" "$(spool)" 0
tb_grep "0644: the message names the file" "$D/smtp-password" "$DM_ERR"
dm_is "0644: not sent, not failed" \
    "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status IN ('sent','failed')")" 0
[ "$(connects)" = 0 ] || tb_fail "0644: connected to the server anyway"
tb_smtpd_stop

tb_done
