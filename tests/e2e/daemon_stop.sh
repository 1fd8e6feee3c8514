#!/bin/bash
# daemon_stop.sh - SIGTERM while `touchbased` is inside an SMTP
# transaction: two greetings due at Wed 2027-03-03 09:30 (two.conf), the
# server answers the first final dot only after 2 s.  SIGTERM arrives
# during that wait: the daemon finishes the transaction, records it `sent`
# with the server's reply, does not start the second one, sends
# STOPPING=1 and exits 0.  The next pass sends the second greeting, its
# log lines with journald's <N> priority prefix (JOURNAL_STREAM set).
# The same for `touchbased --once` (the timer's route): SIGTERM during the
# first transaction ends the pass after it, recorded, with exit status 0.
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require

D=$TMPDIR_E2E/stop
SP=$D/spool
NS=$TMPDIR_E2E/notify.sock
NL=$TMPDIR_E2E/notify.log
dm_case "$D" "$DM_FIX/two.conf"
tb_smtpd_start --spool "$SP" --events "$D/events" --slow-data 2:1 || exit 1
dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=none TIMEOUT=5s
dm_once "$D" "2027-03-01 08:00:00"
dm_is "day 0: exit status" "$DM_RC" 0

"$TB_PYTHON" "$DM_FIX/notify_reader.py" "$NS" "$NL" 2>"$D/reader.err" &
TB_PIDS="$TB_PIDS $!"
for _ in $(seq 1 100); do [ -e "$NL.ready" ] && break; sleep 0.05; done
[ -e "$NL.ready" ] || { echo "the notify reader did not start:"; cat "$D/reader.err"; exit 1; }

NOTIFY_SOCKET=$NS dm_ft_bg "2027-03-03 09:30:00" "$DM_TBD" -c "$D/touchbase.ini" 2>"$D/daemon.err"
PID=$DM_BG
TB_PIDS="$TB_PIDS $PID"
# Until the first message is queued (its transaction under way).
for _ in $(seq 1 500); do
	[ "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'queued'" 2>/dev/null)" = 1 ] && break
	sleep 0.02
done
dm_is "a transaction under way" "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'queued'")" 1
t0=$(date +%s%N)
kill -TERM "$PID"
wait "$PID"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "--- daemon stderr (exit $rc after ${ms} ms):"
sed 's/^/    /' "$D/daemon.err"
dm_is "SIGTERM: exit status" "$rc" 0
[ "$ms" -ge 1000 ] || tb_fail "SIGTERM: the daemon left after ${ms} ms, before the server's late reply"
grep -q 'STOPPING=1' "$NL" || tb_fail "SIGTERM: no STOPPING=1"
dm_is "the transaction in progress finished: one message at the server" "$(tb_spool_count "$SP")" 1
dm_is "and recorded sent, nothing else claimed" \
    "$(dm_sql "$D" "SELECT status || ' ' || smtp_code FROM messages WHERE occurrence = 'birthday/2027'")" "sent 250"
tb_grep "its send is logged" "sent birthday/2027 to" "$D/daemon.err"

# Under journald (JOURNAL_STREAM set) every line carries its priority.
JOURNAL_STREAM=8:12345 dm_once "$D" "2027-03-03 09:35:00"
dm_is "next pass: exit status" "$DM_RC" 0
tb_grep "journald: the send at priority 6" "<6>sent birthday/2027 to " "$DM_ERR"
grep -v '^<[0-7]>' "$DM_ERR" | grep -q . &&
	tb_fail "journald: a line without a <N> prefix: $(grep -v '^<[0-7]>' "$DM_ERR" | head -n 1)"
dm_is "next pass: the second greeting" "$(tb_spool_count "$SP")" 2
dm_is "next pass: both sent once" "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'sent'")" 2
# --- the same for a --once pass ---------------------------------------
D=$TMPDIR_E2E/once
SP=$D/spool
dm_case "$D" "$DM_FIX/two.conf"
tb_smtpd_start --spool "$SP" --slow-data 2:1 || exit 1
dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=none TIMEOUT=5s
dm_once "$D" "2027-03-01 08:00:00"
dm_ft_bg "2027-03-03 09:30:00" "$DM_TBD" -c "$D/touchbase.ini" --once 2>"$D/once.err"
PID=$DM_BG
TB_PIDS="$TB_PIDS $PID"
for _ in $(seq 1 500); do
	[ "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'queued'" 2>/dev/null)" = 1 ] && break
	sleep 0.02
done
dm_is "--once: a transaction under way" "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'queued'")" 1
kill -TERM "$PID"
wait "$PID"
rc=$?
echo "--- --once stderr (exit $rc):"
sed 's/^/    /' "$D/once.err"
dm_is "--once SIGTERM: exit status" "$rc" 0
dm_is "--once SIGTERM: the transaction in progress finished" "$(tb_spool_count "$SP")" 1
dm_is "--once SIGTERM: recorded sent, nothing else claimed" \
    "$(dm_sql "$D" "SELECT group_concat(status || ' ' || smtp_code) FROM messages")" "sent 250"
tb_grep "--once SIGTERM: says it stopped" "pass done: 1 sent, 0 deferred, 0 failed, 0 skipped, 0 missed (stopped by a signal)" "$D/once.err"
tb_done
