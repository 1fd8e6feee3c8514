#!/bin/bash
# deliver_faults.sh - `touchbase test-mail` against tests/smtpd.py: over
# STARTTLS with ca_file and AUTH the message arrives once, encrypted and
# authenticated; a wrong password, a server without STARTTLS and a password
# file readable by others are refused as configuration problems, clearly;
# a 550 at RCPT and a 451 at DATA end in exit 1 with the server's reply.
. "$SRC/tests/e2e/lib.sh"
tb_require_smtpd

TB="$BUILD/touchbase"
W="$TMPDIR_E2E"
TO=anna@example.net
[ -x "$TB" ] || { echo "FAIL: $TB is missing"; exit 1; }

tb_make_certs "$W/tls" || exit 1
printf 's3cret-Pass\n' >"$W/pw"
chmod 600 "$W/pw"
cp "$W/pw" "$W/server-pw"
printf 'not-the-password\n' >"$W/wrong-pw"
chmod 600 "$W/wrong-pw"
cp "$W/pw" "$W/pw644"
chmod 644 "$W/pw644"

# conf URL TLS [extra [delivery] lines]: writes $W/touchbase.ini
conf() {
	cat >"$W/touchbase.ini" <<EOF
[sender]
name    = Atelier Lindgrün
address = hallo@lindgruen.example
language = de
[delivery]
url     = $1
tls     = $2
timeout = 5s
$3
[paths]
database = $W/touchbase.db
EOF
}

# run NAME: touchbase test-mail $TO; sets rc, output in $W/NAME.out/.err
run() {
	"$TB" -c "$W/touchbase.ini" test-mail "$TO" >"$W/$1.out" 2>"$W/$1.err"
	rc=$?
}

tls_server() {
	tb_smtpd_start --tls-cert "$W/tls/server.pem" --tls-key "$W/tls/server.key" "$@"
}

# 1. STARTTLS, ca_file, AUTH: arrives once, over TLS, authenticated.
tls_server --auth-user bob --auth-password-file "$W/server-pw" --spool "$W/spool1" || exit 1
conf "smtp://127.0.0.1:$SMTPD_PORT" required "username = bob
password_file = $W/pw
ca_file = $W/tls/ca.pem"
run ok
tb_expect "ok: exit 0 (got $rc: $(cat "$W/ok.err"))" test "$rc" -eq 0
tb_grep "ok: reply printed" "sent to $TO via smtp://127.0.0.1:$SMTPD_PORT: 250 2.0.0 OK: queued as T000001" "$W/ok.out"
tb_smtpd_stop
tb_expect "ok: exactly one message arrived" test "$(tb_spool_count "$W/spool1")" -eq 1
j="$W/spool1/000001.json"
if [ -f "$j" ]; then
	tb_expect "ok: over TLS" test "$(tb_json "$j" 'j["tls"]')" = True
	tb_expect "ok: authenticated as bob" test "$(tb_json "$j" 'j["auth_user"]')" = bob
	tb_expect "ok: envelope sender" test "$(tb_json "$j" 'j["mail_from"]')" = hallo@lindgruen.example
	tb_expect "ok: envelope recipient" test "$(tb_json "$j" 'j["rcpt_tos"]')" = "['$TO']"
	"$TB_PYTHON" - "$W/spool1/000001.eml" >"$W/ok.parse" 2>&1 <<'EOF' || tb_fail "ok: message does not parse: $(cat "$W/ok.parse")"
import email, email.policy, email.utils, sys
raw = open(sys.argv[1], "rb").read()
assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), "not CRLF only"
m = email.message_from_bytes(raw, policy=email.policy.default)
assert m["To"] == "anna@example.net", m["To"]
assert m["From"].addresses[0].addr_spec == "hallo@lindgruen.example", m["From"]
assert m["From"].addresses[0].display_name == "Atelier Lindgrün", m["From"]
assert m["Subject"] == "touchbase: Testnachricht", m["Subject"]
assert m["Message-ID"].endswith("@lindgruen.example>"), m["Message-ID"]
assert email.utils.parsedate_to_datetime(m["Date"]).utcoffset() is not None
assert m["MIME-Version"] == "1.0"
assert "Testnachricht von touchbase" in m.get_content(), m.get_content()
EOF
fi
if grep -qF s3cret-Pass "$W/ok.out" "$W/ok.err"; then tb_fail "ok: the password was printed"; fi

# 2. Wrong password: exit 1, a clear message, nothing sent.
tls_server --auth-user bob --auth-password-file "$W/server-pw" --spool "$W/spool2" || exit 1
conf "smtp://127.0.0.1:$SMTPD_PORT" required "username = bob
password_file = $W/wrong-pw
ca_file = $W/tls/ca.pem"
run wrongpw
tb_expect "wrong password: exit 1 (got $rc)" test "$rc" -eq 1
tb_grep "wrong password: says so" "AUTH refused by 127.0.0.1:$SMTPD_PORT for user 'bob': 535 5.7.8 Authentication credentials invalid: check username and the password" "$W/wrongpw.err"
tb_grep "wrong password: a configuration problem" "(a configuration problem: fix [delivery] in $W/touchbase.ini" "$W/wrongpw.err"
if grep -qF not-the-password "$W/wrongpw.out" "$W/wrongpw.err"; then tb_fail "wrong password: the password was printed"; fi
tb_smtpd_stop
tb_expect "wrong password: nothing arrived" test "$(tb_spool_count "$W/spool2")" -eq 0

# 3. A server without STARTTLS: refused, a configuration problem.
tls_server --no-starttls --spool "$W/spool3" || exit 1
conf "smtp://127.0.0.1:$SMTPD_PORT" required "ca_file = $W/tls/ca.pem"
run nostarttls
tb_expect "no STARTTLS: exit 1 (got $rc)" test "$rc" -eq 1
tb_grep "no STARTTLS: says so" "127.0.0.1:$SMTPD_PORT does not offer STARTTLS: refusing to send in clear" "$W/nostarttls.err"
tb_grep "no STARTTLS: a configuration problem" "(a configuration problem" "$W/nostarttls.err"
tb_smtpd_stop
tb_expect "no STARTTLS: nothing arrived" test "$(tb_spool_count "$W/spool3")" -eq 0

# 4. A password file readable by others: refused before connecting.
tls_server --auth-user bob --auth-password-file "$W/server-pw" --events "$W/events4" || exit 1
conf "smtp://127.0.0.1:$SMTPD_PORT" required "username = bob
password_file = $W/pw644
ca_file = $W/tls/ca.pem"
run pw644
tb_expect "password file 0644: exit 1 (got $rc)" test "$rc" -eq 1
tb_grep "password file 0644: says so" "password file $W/pw644 is readable by others than its owner (mode 0644): chmod 600 $W/pw644" "$W/pw644.err"
tb_smtpd_stop
tb_expect "password file 0644: no connection made" test ! -s "$W/events4"

# 5. 550 at RCPT: exit 1, the 550 printed.
tb_smtpd_start --fail-rcpt 550 --spool "$W/spool5" || exit 1
conf "smtp://127.0.0.1:$SMTPD_PORT" none ""
run rcpt550
tb_expect "550 at RCPT: exit 1 (got $rc)" test "$rc" -eq 1
tb_grep "550 at RCPT: reply printed" "550 5.0.0 smtpd.py: injected failure at RCPT" "$W/rcpt550.err"
tb_grep "550 at RCPT: permanent" "(a permanent failure" "$W/rcpt550.err"
tb_smtpd_stop

# 6. 451 at DATA: exit 1, the 451 printed.
tb_smtpd_start --fail-data 451 --spool "$W/spool6" || exit 1
conf "smtp://127.0.0.1:$SMTPD_PORT" none ""
run data451
tb_expect "451 at DATA: exit 1 (got $rc)" test "$rc" -eq 1
tb_grep "451 at DATA: reply printed" "451 4.0.0 smtpd.py: injected failure at DATA" "$W/data451.err"
tb_grep "451 at DATA: temporary" "(a temporary failure" "$W/data451.err"
tb_smtpd_stop
tb_expect "451 at DATA: nothing arrived" test "$(tb_spool_count "$W/spool6")" -eq 0

# 7. The Maildir default: one file in new/, LF line ends.
conf "maildir:outbox" required ""
run maildir
tb_expect "maildir: exit 0 (got $rc: $(cat "$W/maildir.err"))" test "$rc" -eq 0
tb_grep "maildir: where" "sent to $TO via maildir:$W/outbox: written to $W/outbox/new/" "$W/maildir.out"
n=$(find "$W/outbox/new" -type f | wc -l)
tb_expect "maildir: one file in new/ (got $n)" test "$n" -eq 1
tb_expect "maildir: tmp/ is empty" test -z "$(ls -A "$W/outbox/tmp")"
f=$(find "$W/outbox/new" -type f | head -n 1)
if [ -n "$f" ] && grep -q $'\r' "$f"; then tb_fail "maildir: CR in the Maildir file"; fi

# 8. Usage and a bad address.
"$TB" -c "$W/touchbase.ini" test-mail >/dev/null 2>&1
rc=$?
tb_expect "no address: exit 2 (got $rc)" test "$rc" -eq 2
"$TB" -c "$W/touchbase.ini" test-mail 'anna@example.net
RCPT TO:<x@example.com>' >/dev/null 2>"$W/bad.err"
rc=$?
tb_expect "line break in the address: exit 1 (got $rc)" test "$rc" -eq 1

tb_done
