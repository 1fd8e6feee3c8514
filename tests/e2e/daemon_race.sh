#!/bin/bash
# daemon_race.sh - four `touchbased --once` passes started at the same
# moment on one database never send an occurrence twice.
#   new messages   40 birthday greetings all due at Wed 2027-03-03 13:30;
#                  four passes at that instant, the server slow enough to
#                  RCPT (40 ms) that they overlap: every greeting arrives
#                  once, the ledger holds each `sent` once, the passes'
#                  "pass done: N sent" add up to 40, and exactly one pass
#                  sent: the lock the daemon and --once share lets one
#                  pass work; one that finds it held exits 0 and says it
#                  leaves the work to the other.  (Two holders of one row
#                  are kept apart by leases too: test_ledger.)
#   retries        the same 40 deferred by a 451 after DATA; four passes at
#                  the retry time: the same guarantees (one pass claims
#                  every ready row in one transaction, the others find
#                  none), each with the Message-ID of its first attempt
# Plain TCP (tls = none) on 127.0.0.1 to stay fast.
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require

N=40
K=4
AT="2027-03-03 13:30:00"

book() {
	echo 'occasions = ( { name = "birthday"; kind = "birthday"; template = "birthday"; } );'
	echo 'defaults = { occasions = ["birthday"]; };'
	echo 'clients = ('
	for i in $(seq -w 1 $N); do
		[ "$i" = 01 ] || echo ','
		printf '  { id = "r%s"; name = "Client %s"; first_name = "R%s"; email = "r%s@example.org"; salutation = "Hallo R%s"; birthday = "1980-03-03"; }' \
		    "$i" "$i" "$i" "$i" "$i"
	done
	echo; echo ');'
}

# race DIR WHEN LABEL: K passes at WHEN, started together; waits for all,
# checks their exit status, echoes their logs; RACE_SENT is the sum of
# their "N sent", RACE_BUSY how many of them sent anything.
race() {
	local d=$1 when=$2 label=$3 i pids=() rc n
	RACE_SENT=0
	RACE_BUSY=0
	for i in $(seq 1 $K); do
		dm_ft_bg "$when" "$DM_TBD" -c "$d/touchbase.ini" --once 2>"$d/race.$label.$i.err"
		pids+=("$DM_BG")
	done
	for i in $(seq 1 $K); do
		wait "${pids[$((i - 1))]}"
		rc=$?
		dm_is "$label: pass $i exit status" "$rc" 0
		echo "--- $label pass $i (exit $rc):"
		sed 's/^/    /' "$d/race.$label.$i.err"
		n=$(sed -n 's/.*pass done: \([0-9]*\) sent.*/\1/p' "$d/race.$label.$i.err")
		if [ -z "$n" ]; then
			grep -q "is already running on .*; this pass leaves the work to it" "$d/race.$label.$i.err" ||
			    tb_fail "$label: pass $i printed neither 'pass done' nor that it left the work to another"
			n=0
		fi
		RACE_SENT=$((RACE_SENT + n))
		[ "$n" -gt 0 ] && RACE_BUSY=$((RACE_BUSY + 1))
	done
}

# check DIR SPOOL LABEL: ledger and server both hold each greeting once.
check() {
	local d=$1 sp=$2 label=$3
	dm_is "$label: passes sent $N in all" "$RACE_SENT" $N
	# New occurrences are claimed one by one, so overlapping passes share
	# the work; retries are claimed all at once by the first pass.
	dm_is "$label: passes that sent anything" "$RACE_BUSY" 1
	dm_is "$label: ledger rows" "$(dm_sql "$d" 'SELECT COUNT(*) FROM messages')" $N
	dm_is "$label: all sent" "$(dm_sql "$d" "SELECT COUNT(*) FROM messages WHERE status = 'sent'")" $N
	dm_is "$label: one sent attempt per row" \
	    "$(dm_sql "$d" "SELECT COUNT(*) FROM attempts WHERE outcome = 'sent'"):$(dm_sql "$d" "SELECT COUNT(*) FROM (SELECT message_id FROM attempts WHERE outcome = 'sent' GROUP BY message_id HAVING COUNT(*) > 1)")" \
	    "$N:0"
	"$TB_PYTHON" - "$sp" "$N" "$label" <<'PY' || TB_FAILS=$((TB_FAILS + 1))
import collections, email, email.policy, glob, json, sys
spool, n, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
got = collections.Counter()
for j in sorted(glob.glob(spool + "/*.json")):
    for r in json.load(open(j))["rcpt_tos"]:
        got[r] += 1
want = {"r%02d@example.org" % i for i in range(1, n + 1)}
bad = 0
if set(got) != want:
    print("FAIL: %s: recipients differ: missing %s, extra %s" % (
        label, sorted(want - set(got))[:5], sorted(set(got) - want)[:5]))
    bad = 1
twice = sorted(r for r, c in got.items() if c > 1)
if twice:
    print("FAIL: %s: %d greetings arrived more than once, e.g. %s" % (label, len(twice), twice[:5]))
    bad = 1
print("%s: %d messages at the server" % (label, sum(got.values())))
sys.exit(bad)
PY
}

# --- new messages ------------------------------------------------------
D=$TMPDIR_E2E/new
mkdir -p "$D"
book >"$D/book.conf"
dm_case "$D" "$D/book.conf"
tb_smtpd_start --spool "$D/spool" --slow-rcpt 0.04 || exit 1
dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=none TIMEOUT=10s DAILY_LIMIT=1000
dm_once "$D" "2027-03-01 08:00:00"
dm_is "new: day 0 exit status" "$DM_RC" 0
race "$D" "$AT" new
check "$D" "$D/spool" new
dm_once "$D" "$AT"
dm_is "new: a fifth pass sends nothing" "$(tb_spool_count "$D/spool")" $N

# --- retries -----------------------------------------------------------
D=$TMPDIR_E2E/retry
mkdir -p "$D"
book >"$D/book.conf"
dm_case "$D" "$D/book.conf"
tb_smtpd_start --spool "$D/spool" --fail-data 451:$N --slow-rcpt 0.04 || exit 1
dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=none TIMEOUT=10s DAILY_LIMIT=1000
dm_once "$D" "2027-03-01 08:00:00"
dm_once "$D" "$AT"
dm_is "retry: first pass exit status" "$DM_RC" 0
dm_is "retry: all deferred" "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'deferred'")" $N
dm_sql "$D" "SELECT to_addr, message_id FROM messages" | sort >"$D/mids.before"
race "$D" "2027-03-03 13:50:00" retry
check "$D" "$D/spool" retry
"$TB_PYTHON" - "$D/spool" "$D/mids.before" <<'PY' || TB_FAILS=$((TB_FAILS + 1))
import email, email.policy, glob, json, sys
want = dict(l.rstrip("\n").split("|", 1) for l in open(sys.argv[2]))
bad = 0
for j in sorted(glob.glob(sys.argv[1] + "/*.json")):
    with open(j[:-5] + ".eml", "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    for r in json.load(open(j))["rcpt_tos"]:
        if str(m["Message-ID"]) != want.get(r):
            print("FAIL: retry: %s arrived with %s, first tried as %s" % (r, m["Message-ID"], want.get(r)))
            bad = 1
sys.exit(bad)
PY
tb_done
