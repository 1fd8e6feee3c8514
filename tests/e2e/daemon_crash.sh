#!/bin/bash
# daemon_crash.sh - SIGKILL `touchbased` (daemon mode) at random moments
# while it sends 200 due birthday greetings, restart it, repeat until every
# occurrence is claimed; then one pass a minute later (the killed
# processes' leases still run, but their holders are gone) sends what was
# in flight.  Afterwards: every greeting arrived, the
# ledger records each occurrence `sent` exactly once (sqlite3), and the
# server holds at most one duplicate per kill, each with the same
# Message-ID.  Plain TCP (tls = none) on 127.0.0.1 to stay fast.
#
# The clock: a relative libfaketime offset (FAKETIME="+N"), so fake time
# keeps running across restarts, starting Wed 2027-03-03 13:30 Berlin.
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require

N=200
D=$TMPDIR_E2E/crash
SP=$D/spool
mkdir -p "$D"
{
	echo 'occasions = ( { name = "birthday"; kind = "birthday"; template = "birthday"; } );'
	echo 'defaults = { occasions = ["birthday"]; };'
	echo 'clients = ('
	for i in $(seq -w 1 $N); do
		[ "$i" = 001 ] || echo ','
		printf '  { id = "c%s"; name = "Client %s"; first_name = "C%s"; email = "c%s@example.org"; salutation = "Hallo C%s"; birthday = "1980-03-03"; }' \
		    "$i" "$i" "$i" "$i" "$i"
	done
	echo; echo ');'
} >"$D/book.conf"
dm_case "$D" "$D/book.conf"
tb_smtpd_start --spool "$SP" --events "$D/events" || exit 1
dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=none TIMEOUT=5s DAILY_LIMIT=1000

dm_once "$D" "2027-03-01 08:00:00"
dm_is "day 0: exit status" "$DM_RC" 0
dm_is "day 0: all seen" "$(dm_sql "$D" 'SELECT COUNT(*) FROM clients_seen')" $N

# The planner spreads messages due at one instant over the first half of
# the window (2 min apart); at 13:30 all 200 are due at once.
START="2027-03-03 13:30:00"
OFF=$(( $(TZ=Europe/Berlin date -d "$START" +%s) - $(date +%s) ))
# ft OFFSET CMD…: CMD with the clock OFFSET seconds ahead of the real one
# (set FT_BG=1 to start it in the background, its PID in FT_PID).
ft() {
	local off=$1
	shift
	set -- env LD_PRELOAD="$DM_FAKETIME_LIB" FAKETIME="+$off" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Europe/Berlin \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
	if [ -n "$FT_BG" ]; then
		"$@" &
		FT_PID=$!
	else
		"$@"
	fi
}
claimed() { dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status IN ('sent','queued')"; }

kills=0
stalls=0
last=0
pid=
trap 'kill -KILL $pid 2>/dev/null; tb_cleanup' EXIT
t0=$(date +%s)
while :; do
	FT_BG=1 ft "$OFF" "$DM_TBD" -c "$D/touchbase.ini" 2>>"$D/daemon.err"
	pid=$FT_PID
	# 5-75 ms, longer while the daemon makes no progress (a slow start
	# under load or ASan), so the loop always ends.
	ms=$((5 + RANDOM % 70 + 40 * stalls))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	if kill -KILL "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait "$pid" 2>/dev/null
	# What libfaketime would have removed at a clean exit.
	rm -f "/dev/shm/faketime_shm_$pid" "/dev/shm/sem.faketime_sem_$pid"
	pid=
	c=$(claimed)
	if [ "$c" -gt "$last" ]; then stalls=0; else stalls=$((stalls + 1)); fi
	last=$c
	echo "kill $kills after $ms ms: $c of $N claimed, $(tb_spool_count "$SP") at the server"
	[ "$c" -ge $N ] && break
	if [ $(( $(date +%s) - t0 )) -gt 40 ]; then
		tb_fail "after 40 s only $c of $N occurrences claimed"
		tail -n 20 "$D/daemon.err"
		break
	fi
done
queued=$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'queued'")
echo "$kills kills; $queued left queued by a kill"
[ "$kills" -ge 2 ] || tb_fail "only $kills kill(s) landed: the test did not test crashes"

# A minute later, long before the leases (1 h + 4 timeouts) run out: the
# killed processes are gone, so the in-flight ones go again at once, with
# their Message-ID.
DM_N=100
DM_ERR=$D/final.err
ft $((OFF + 60)) "$DM_TBD" -c "$D/touchbase.ini" --once 2>"$DM_ERR"
dm_is "final pass: exit status" "$?" 0
sed 's/^/    /' "$DM_ERR"
dm_is "final pass: nothing left queued" "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'queued'")" 0
[ "$queued" -eq 0 ] || tb_grep "final pass: says it resends" "after an interrupted pass (same Message-ID" "$DM_ERR"
ft $((OFF + 120)) "$DM_TBD" -c "$D/touchbase.ini" --once 2>"$D/final2.err"
dm_is "one more pass: exit status" "$?" 0

dm_is "ledger: $N rows" "$(dm_sql "$D" 'SELECT COUNT(*) FROM messages')" $N
dm_is "ledger: all sent" "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'sent'")" $N
dm_is "ledger: one row per client" "$(dm_sql "$D" "SELECT COUNT(DISTINCT client) FROM messages WHERE status = 'sent' AND occurrence = 'birthday/2027'")" $N
dm_is "ledger: exactly one sent attempt per occurrence" \
    "$(dm_sql "$D" "SELECT COUNT(*) FROM attempts WHERE outcome = 'sent'"):$(dm_sql "$D" "SELECT COUNT(*) FROM (SELECT message_id FROM attempts WHERE outcome = 'sent' GROUP BY message_id HAVING COUNT(*) > 1)")" \
    "$N:0"
dm_log "$D"
dm_is "touchbase log: $N sent" "$(tb_json "$D/log.json" 'sum(1 for r in j if r["status"] == "sent")')" $N

"$TB_PYTHON" - "$SP" "$N" "$kills" <<'PY' || TB_FAILS=$((TB_FAILS + 1))
import collections, email, email.policy, glob, json, sys
spool, n, kills = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
mids = collections.defaultdict(list)
for j in sorted(glob.glob(spool + "/*.json")):
    meta = json.load(open(j))
    with open(j[:-5] + ".eml", "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    for r in meta["rcpt_tos"]:
        mids[r].append(str(m["Message-ID"]))
want = {"c%03d@example.org" % i for i in range(1, n + 1)}
bad = 0
missing = sorted(want - set(mids))
if missing:
    print("FAIL: %d greetings never arrived, e.g. %s" % (len(missing), missing[:5]))
    bad = 1
extra = sorted(set(mids) - want)
if extra:
    print("FAIL: unexpected recipients %s" % extra[:5])
    bad = 1
dups = sum(len(v) - 1 for v in mids.values())
print("%d messages at the server, %d duplicates, %d kills" % (sum(map(len, mids.values())), dups, kills))
if dups > kills:
    print("FAIL: %d duplicates for %d kills" % (dups, kills))
    bad = 1
for r, v in mids.items():
    if len(set(v)) != 1:
        print("FAIL: %s got different Message-IDs %s" % (r, v))
        bad = 1
sys.exit(bad)
PY
if grep -q 'Sanitizer\|runtime error' "$D/daemon.err"; then
	tb_fail "sanitizer reports in the daemon's stderr:"
	grep -A5 'Sanitizer\|runtime error' "$D/daemon.err" | head -n 30
fi
echo "runtime $(( $(date +%s) - t0 )) s after day 0"
tb_done
