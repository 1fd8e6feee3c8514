#!/bin/bash
# daemon_service.sh - `touchbased` as a systemd Type=notify service, with
# NOTIFY_SOCKET pointing at a datagram socket the test reads
# (tests/fixtures/daemon/notify_reader.py) and the clock faked to start at
# Wed 2027-03-03 08:59:57 Berlin, three seconds before Anna's birthday
# greeting is due:
#   READY=1 within a second, STATUS= naming the next message;
#   SIGHUP with a broken book: still running, the problems on stderr as
#     FILE:LINE, the old plan in force (Anna, whom the broken book drops,
#     still gets her greeting at 09:00, by the daemon's own wake-up: under
#     strace, one ppoll that times out, then the pass, nothing in between);
#   an idle stretch of 3 s under strace: no system call but the wait;
#   SIGHUP with a fixed book: RELOADING=1 with MONOTONIC_USEC, READY=1, the
#     new plan in STATUS=;
#   a second instance on the same database refuses, exit 1;
#   SIGHUP with a changed database path: a warning, the old send log kept;
#   SIGTERM: STOPPING=1, exit 0;
#   WATCHDOG_USEC=1 s: WATCHDOG=1 at least every half second; none when
#     WATCHDOG_PID names another process.
# About strace and libfaketime: libfaketime answers time() and
# clock_gettime() in user space and makes no system call of its own while
# the daemon sleeps, so "no system call but the wait" is checked with it
# preloaded, exactly as the daemon runs here: the trace may show only
# ppoll (or restart_syscall resuming it, when strace attaches mid-wait).
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require

D=$TMPDIR_E2E/svc
SP=$D/spool
NS=$TMPDIR_E2E/notify.sock
NL=$TMPDIR_E2E/notify.log
dm_case "$D" "$DM_FIX/service.conf"
tb_smtpd_start --spool "$SP" --events "$D/events" || exit 1
dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=none TIMEOUT=5s

"$TB_PYTHON" "$DM_FIX/notify_reader.py" "$NS" "$NL" 2>"$D/reader.err" &
TB_PIDS="$TB_PIDS $!"
for i in $(seq 1 100); do [ -e "$NL.ready" ] && break; sleep 0.05; done
[ -e "$NL.ready" ] || { echo "the notify reader did not start:"; cat "$D/reader.err"; exit 1; }
touch "$NL"

# wait_for SECONDS PATTERN [N]: until the notify log has N (default 1)
# datagrams matching the ERE; 1 when it does not happen in time.
wait_for() {
	local want=${3:-1} i
	for i in $(seq 1 $(( $1 * 20 ))); do
		[ "$(grep -cE -- "$2" "$NL")" -ge "$want" ] && return 0
		sleep 0.05
	done
	return 1
}
alive() { kill -0 "$PID" 2>/dev/null; }
status_line() { grep -E '(^| |\|)STATUS=' "$NL" | tail -n 1 | sed 's/.*STATUS=//; s/|.*//'; }

STRACE_OK=
strace -o /dev/null true 2>/dev/null && STRACE_OK=1

T0=$(date +%s.%N)
export NOTIFY_SOCKET=$NS
dm_ft_bg "2027-03-03 08:59:57" "$DM_TBD" -c "$D/touchbase.ini" 2>"$D/daemon.err"
PID=$DM_BG
unset NOTIFY_SOCKET
TB_PIDS="$TB_PIDS $PID"

# READY=1 within a second, and the next message.
wait_for 2 'READY=1' || tb_fail "no READY=1 within 2 s"
ready_at=$(grep -m1 'READY=1' "$NL" | cut -d' ' -f1)
"$TB_PYTHON" -c 'import sys; sys.exit(not float(sys.argv[1]) - float(sys.argv[2]) < 1.0)' "${ready_at:-1e12}" "$T0" ||
	tb_fail "READY=1 came at ${ready_at:-never}, the start was $T0 (limit 1 s)"
wait_for 2 'STATUS=next: ' || tb_fail "no STATUS= after the first pass"
dm_is "STATUS names the next message" "$(status_line)" "next: birthday for anna-mueller at 2027-03-03 09:00 CET"
dm_is "nothing sent before 09:00" "$(tb_spool_count "$SP")" 0

# SIGHUP with a broken book that drops Anna.
cp "$DM_FIX/service-broken.conf" "$D/clients.conf"
kill -HUP "$PID"
wait_for 2 'RELOADING=1' || tb_fail "broken reload: no RELOADING=1"
wait_for 2 'READY=1' 2 || tb_fail "broken reload: no READY=1 after RELOADING=1"
sleep 0.2
alive || tb_fail "broken reload: the daemon died"
tb_grep "broken reload: the problem with file and line" "$D/clients.conf:7:" "$D/daemon.err"
grep -qi 'previous configuration\|old configuration\|keep' "$D/daemon.err" ||
	tb_fail "broken reload: stderr does not say the old configuration stays"

# 09:00 fake = T0 + 3 s: Anna's greeting, from the old book.  strace
# watches the wait up to it: one ppoll that times out, then the pass.
if [ -n "$STRACE_OK" ]; then
	strace -f -p "$PID" -o "$D/strace-wait.out" 2>"$D/strace-wait.err" &
	SPID=$!
fi
for i in $(seq 1 160); do
	[ "$(tb_spool_count "$SP")" -ge 1 ] && break
	sleep 0.05
done
if [ -n "$STRACE_OK" ]; then
	sleep 0.3
	kill -INT "$SPID"
	wait "$SPID"
	echo "--- strace from the reload to the delivery (first 15 lines):"
	head -n 15 "$D/strace-wait.out" | sed 's/^/    /'
	dm_is "the wait for a message due in 3 s: one ppoll that times out, then the pass" \
	    "$("$TB_PYTHON" - "$D/strace-wait.out" <<'PY'
import re, sys
calls = []
for line in open(sys.argv[1]):
    line = re.sub(r"^\d+ +", "", line.rstrip("\n"))
    m = re.match(r"<\.\.\. (\w+) resumed>.*= (-?\w+)", line)
    if m:
        calls[-1] = (m.group(1), m.group(2))
        continue
    m = re.match(r"(\w+)\(.*?(?:= (-?\w+).*)?$", line)
    if m:
        calls.append((m.group(1), m.group(2)))
waits = []
for name, ret in calls:
    if name not in ("ppoll", "restart_syscall"):
        break
    waits.append(ret)
rest = [c[0] for c in calls[len(waits):]]
print("waits=%s connect=%s" % (",".join(str(w) for w in waits), "connect" in rest))
PY
)" "waits=0 connect=True"
fi
sent_at=$(stat -c %.3Y "$SP/000001.json" 2>/dev/null)
dm_is "the old plan in force: Anna's greeting sent" "$(tb_spool_count "$SP")" 1
if [ -n "$sent_at" ]; then
	dm_is "sent on time (2.5-5.5 s after the start, due at +3 s)" \
	    "$("$TB_PYTHON" -c 'import sys; d=float(sys.argv[1])-float(sys.argv[2]); print(2.5 <= d <= 5.5 or d)' "$sent_at" "$T0")" True
	dm_is "to Anna" "$(tb_json "$SP/000001.json" 'j["rcpt_tos"]')" "['anna@example.de']"
	dm_match "Date at 09:00 fake time" "$(dm_hdr "$SP/000001.eml" Date)" '^Wed, 03 Mar 2027 09:00:0[0-9] \+0100$'
fi
alive || tb_fail "the daemon died after sending"
sleep 0.3
dm_is "STATUS after sending" "$(status_line)" "next: birthday for bert-lang at 2027-04-02 09:00 CEST"

# An idle stretch: nothing due for a month.  Only the wait may show.
if [ -n "$STRACE_OK" ]; then
	strace -f -p "$PID" -o "$D/strace.out" 2>"$D/strace.err" &
	SPID=$!
	sleep 3
	kill -INT "$SPID"
	wait "$SPID"
	echo "--- strace over 3 s idle:"
	sed 's/^/    /' "$D/strace.out"
	grep -q . "$D/strace.out" || tb_fail "strace recorded nothing (did it attach?): $(cat "$D/strace.err")"
	other=$(sed -E 's/^[0-9]+ +//' "$D/strace.out" |
	    grep -vE '^(ppoll|restart_syscall)\(|^<\.\.\. (ppoll|restart_syscall) resumed|^ *<detached|^\+\+\+|^$' || true)
	[ -z "$other" ] || tb_fail "system calls other than the wait while idle: $other"
	alive || tb_fail "the daemon died under strace"
else
	echo "note: strace cannot trace here; the idle check is skipped"
fi

# SIGHUP with the fixed book: Cora joins.
n_reload=$(grep -c 'RELOADING=1' "$NL")
n_ready=$(grep -c 'READY=1' "$NL")
cp "$DM_FIX/service-fixed.conf" "$D/clients.conf"
kill -HUP "$PID"
wait_for 2 'RELOADING=1' $((n_reload + 1)) || tb_fail "fixed reload: no RELOADING=1"
wait_for 2 'READY=1' $((n_ready + 1)) || tb_fail "fixed reload: no READY=1"
sleep 0.3
dm_is "fixed reload: RELOADING=1, then READY=1" \
    "$(grep -nE 'RELOADING=1|READY=1' "$NL" | tail -n 2 | sed -E 's/^[0-9]+:[^ ]+ [^ ]+ //; s/\|.*//' | tr '\n' ' ')" \
    "RELOADING=1 READY=1 "
line=$(grep 'RELOADING=1' "$NL" | tail -n 1)
mono=$(printf '%s\n' "$line" | sed -n 's/.*MONOTONIC_USEC=\([0-9]*\).*/\1/p')
if [ -z "$mono" ]; then
	tb_fail "RELOADING=1 without MONOTONIC_USEC: $line"
else
	recv=$(printf '%s\n' "$line" | cut -d' ' -f2)
	diff=$(( recv - mono ))
	[ "$diff" -ge 0 ] && [ "$diff" -lt 2000000 ] ||
		tb_fail "MONOTONIC_USEC=$mono is not CLOCK_MONOTONIC at sending (reader saw $recv)"
fi
dm_is "fixed reload: the new plan in STATUS" "$(status_line)" "next: birthday for cora-wolf at 2027-03-08 09:00 CET"
alive || tb_fail "fixed reload: the daemon died"
grep -q 'reloaded .*3 clients' "$D/daemon.err" || tb_fail "fixed reload: no 'reloaded …: 3 clients' on stderr"

# A second instance on the same database.
dm_ft "2027-03-03 09:00:10" timeout 10 "$DM_TBD" -c "$D/touchbase.ini" 2>"$D/second.err"
dm_is "second instance: exit status" "$?" 1
tb_grep "second instance: says why" "another touchbased is already running" "$D/second.err"
tb_grep "second instance: names the running one" "(pid $PID)" "$D/second.err"
alive || tb_fail "the first instance died when the second started"

# SIGHUP with a new database path: the reload applies the rest, warns,
# and the daemon keeps its send log (and lock) until a restart.
n_ready=$(grep -c 'READY=1' "$NL")
sed -i 's|^database *=.*|database = moved.db|' "$D/touchbase.ini"
grep -q '^database = moved.db' "$D/touchbase.ini" || tb_fail "could not change the database path"
kill -HUP "$PID"
wait_for 2 'READY=1' $((n_ready + 1)) || tb_fail "database reload: no READY=1"
sleep 0.3
alive || tb_fail "database reload: the daemon died"
tb_grep "database reload: warns" "the database path changed to $D/moved.db; still writing $D/touchbase.db until touchbased is restarted" "$D/daemon.err"
[ -e "$D/moved.db" ] && tb_fail "database reload: $D/moved.db was created"
dm_is "database reload: the plan still from the old send log" "$(status_line)" "next: birthday for cora-wolf at 2027-03-08 09:00 CET"

# SIGTERM.
kill -TERM "$PID"
wait "$PID"
dm_is "SIGTERM: exit status" "$?" 0
grep -q 'STOPPING=1' "$NL" || tb_fail "SIGTERM: no STOPPING=1"
dm_is "one message in all" "$(tb_spool_count "$SP")" 1

# The watchdog: WATCHDOG_USEC=1 s gives WATCHDOG=1 at least every 0.5 s;
# with WATCHDOG_PID naming another process, none.  wd [PID]: WD_N pings
# in 2.2 s.
wd() {
	local n0
	n0=$(grep -c 'WATCHDOG=1' "$NL")
	if [ -n "$1" ]; then export WATCHDOG_PID=$1; else unset WATCHDOG_PID; fi
	NOTIFY_SOCKET=$NS WATCHDOG_USEC=1000000 \
	    dm_ft_bg "2027-03-04 10:00:00" "$DM_TBD" -c "$D/touchbase.ini" 2>"$D/wd.err"
	PID=$DM_BG
	unset WATCHDOG_PID
	sleep 2.2
	kill -TERM "$PID"
	wait "$PID"
	dm_is "watchdog: exit status" "$?" 0
	WD_N=$(( $(grep -c 'WATCHDOG=1' "$NL") - n0 ))
}
wd
echo "watchdog: $WD_N pings in 2.2 s"
[ "$WD_N" -ge 4 ] || tb_fail "watchdog: $WD_N WATCHDOG=1 in 2.2 s with WATCHDOG_USEC=1000000 (expected 4 or more)"
wd 1
dm_is "watchdog meant for another process: no WATCHDOG=1" "$WD_N" 0
echo "--- notify datagrams:"
sed 's/^/    /' "$NL"
echo "--- daemon stderr:"
sed 's/^/    /' "$D/daemon.err"
tb_done
