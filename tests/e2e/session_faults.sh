#!/bin/bash
# session_faults.sh - a problem with the SMTP session as a whole (not with
# one message) ends the pass after one try: every due message is deferred,
# none failed, none sent, and the log names the problem once per pass, not
# once per message.  Against tests/smtpd.py with STARTTLS and AUTH:
#   wrongpw      a wrong password, 50 due: one AUTH per pass (two passes)
#   nostarttls   the server offers no STARTTLS: one connection, nothing sent
#   silent       the server accepts and never speaks (smtpd.py --silent,
#                timeout = 2s): the pass ends, one connection attempt
#   wrongname    a certificate for another name, signed by the trusted CA
# Every pass runs under `timeout 60` so a client that waits forever fails
# the test instead of hanging it.
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require

W=$TMPDIR_E2E
N=50
NS=6	# the silent server: a client that waits per message waits 2 s each
AT="2027-03-03 13:30:00"
RETRY="2027-03-03 13:40:00"	# after the first retry step (5min)

dm_certs "$W/tls"
tb_make_wrong_name_cert "$W/tls" mail.example.com || exit 1
printf 's3cret-Pass\n' >"$W/server-pw"
printf 'not-the-password\n' >"$W/wrong-pw"
printf 's3cret-Pass\n' >"$W/pw"
chmod 600 "$W/server-pw" "$W/wrong-pw" "$W/pw"

# sf_once DIR WHEN LABEL: one `touchbased --once` at WHEN; SF_RC, SF_ERR.
sf_once() {
	SF_ERR=$1/$3.err
	timeout -k 5 60 env LD_PRELOAD="$DM_FAKETIME_LIB" FAKETIME="@$2" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Europe/Berlin \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    "$DM_TBD" -c "$1/touchbase.ini" --once 2>"$SF_ERR"
	SF_RC=$?
	echo "--- $3 at $2 (exit $SF_RC), $(wc -l <"$SF_ERR") log lines:"
	head -n 6 "$SF_ERR" | sed 's/^/    /'
	case $SF_RC in
	0|1) ;;
	124|137) tb_fail "$3: the pass did not end within 60 s" ;;
	*) tb_fail "$3: exit status $SF_RC" ;;
	esac
}

# setup NAME COUNT INI-ARGS…: DIR $W/NAME with COUNT due, its ini, day 0.
setup() {
	local name=$1 n=$2
	shift 2
	D=$W/$name
	mkdir -p "$D"
	tb_birthday_book "$n" "${name:0:2}" >"$D/book.conf"
	dm_case "$D" "$D/book.conf"
	dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TIMEOUT=2s DAILY_LIMIT=1000 "$@"
	sf_once "$D" "2027-03-01 08:00:00" "$name.day0"
	dm_is "$name: day 0 exit status" "$SF_RC" 0
}

# rows LABEL DIR COUNT: all COUNT rows deferred, none failed, none sent.
rows() {
	dm_is "$1: rows deferred:failed:sent:other" \
	    "$(dm_sql "$2" "SELECT SUM(status = 'deferred'), SUM(status = 'failed'), SUM(status = 'sent'), SUM(status NOT IN ('deferred','failed','sent')) FROM messages" | sed 's/^||.*/0|0|0|0/')" \
	    "$3|0|0|0"
}

# once_in_log LABEL ERE: exactly one line of the last pass's log matches
# (the "pass done" summary aside, which may repeat what stopped the pass).
once_in_log() {
	local c
	c=$(grep -v -e 'pass done:' -e ': loaded ' "$SF_ERR" | grep -Eci -- "$2")
	[ "$c" = 1 ] || { tb_fail "$1: $c log lines match /$2/, expected one per pass:"; grep -v -e 'pass done:' -e ': loaded ' "$SF_ERR" | grep -Ei -- "$2" | head -n 5 | sed 's/^/    /'; }
}

count() { grep -c "^$1 " "$2" 2>/dev/null || true; }

# --- wrong password -----------------------------------------------------
tb_smtpd_start --tls-cert "$W/tls/server.pem" --tls-key "$W/tls/server.key" \
    --auth-user bob --auth-password-file "$W/server-pw" \
    --spool "$W/wrongpw.spool" --events "$W/wrongpw.events" || exit 1
setup wrongpw $N USERNAME=bob PASSWORD_FILE="$W/wrong-pw" CA_FILE="$W/tls/ca.pem"
sf_once "$D" "$AT" wrongpw.1
dm_is "wrongpw pass 1: AUTH attempts" "$(count auth "$W/wrongpw.events")" 1
rows "wrongpw pass 1" "$D" $N
once_in_log "wrongpw pass 1: the 535" '(^|[^[:alnum:]])535([^[:alnum:]]|$)'
sf_once "$D" "$RETRY" wrongpw.2
dm_is "wrongpw pass 2: AUTH attempts in all" "$(count auth "$W/wrongpw.events")" 2
rows "wrongpw pass 2" "$D" $N
once_in_log "wrongpw pass 2: the 535" '(^|[^[:alnum:]])535([^[:alnum:]]|$)'
dm_is "wrongpw: nothing arrived" "$(tb_spool_count "$W/wrongpw.spool")" 0
if grep -qF not-the-password "$W"/wrongpw.*.err; then tb_fail "wrongpw: the password was logged"; fi
tb_smtpd_stop

# --- no STARTTLS --------------------------------------------------------
tb_smtpd_start --tls-cert "$W/tls/server.pem" --tls-key "$W/tls/server.key" \
    --no-starttls --spool "$W/nostarttls.spool" --events "$W/nostarttls.events" || exit 1
setup nostarttls $N CA_FILE="$W/tls/ca.pem"
sf_once "$D" "$AT" nostarttls.1
dm_is "nostarttls: connections" "$(count connect "$W/nostarttls.events")" 1
dm_is "nostarttls: nothing arrived" "$(tb_spool_count "$W/nostarttls.spool")" 0
rows "nostarttls" "$D" $N
once_in_log "nostarttls: names STARTTLS" 'STARTTLS'
tb_smtpd_stop

# --- a server that never speaks ----------------------------------------
tb_smtpd_start --silent --events "$W/silent.events" || exit 1
setup silent $NS CA_FILE="$W/tls/ca.pem"
sf_once "$D" "$AT" silent.1
dm_is "silent: connection attempts" "$(count connect "$W/silent.events")" 1
rows "silent" "$D" $NS
once_in_log "silent: names the timeout" 'time(d)? ?out'
tb_smtpd_stop

# --- a certificate for another name -------------------------------------
tb_smtpd_start --tls-cert "$W/tls/wrong.pem" --tls-key "$W/tls/wrong.key" \
    --spool "$W/wrongname.spool" --events "$W/wrongname.events" || exit 1
setup wrongname $N CA_FILE="$W/tls/ca.pem"
sf_once "$D" "$AT" wrongname.1
dm_is "wrongname: connections" "$(count connect "$W/wrongname.events")" 1
dm_is "wrongname: nothing arrived" "$(tb_spool_count "$W/wrongname.spool")" 0
rows "wrongname" "$D" $N
once_in_log "wrongname: names the certificate" 'certificate'
tb_smtpd_stop

tb_done
