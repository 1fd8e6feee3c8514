#!/bin/bash
# run.sh - `make bench`: every figure of issue 17 in one run, each next to
# its peer measured in the same run.  Nothing is asserted; a piece that
# fails or whose tool is missing prints a line saying so and the run goes
# on.  Prints a readable table and writes the same numbers, one per line
# ("section<TAB>clients<TAB>metric<TAB>value<TAB>unit"), to
# bench/out/latest.tsv (not committed; BENCH_OUT to put it elsewhere).
#
#   make bench                      (builds first, then this)
#   BUILD=$PWD/build bash bench/run.sh
#
# The pieces, in order:
#   scale.py          libconfig parse (the peer), touchbase check, preview
#                     --days 365 --format json, touchbased ready and its
#                     memory after the first pass, on generated books of
#                     BENCH_SIZES clients (default 100 10000 100000, cached
#                     in BUILD/bench/books/), the CPU per sent message of
#                     a running daemon's wake-up at a due moment, the
#                     growth from 10k to 100k (and of that CPU from 100 to
#                     100k clients), and
#                     the --once pass into a Maildir (user and system
#                     time, system calls per message)
#   bench_once.sh     touchbased --once to smtp-sink vs Python smtplib,
#                     and each side's CPU time a message with smtp-sink's
#   bench_deliver.sh  deliver_send() vs smtplib vs msmtp (and its CPU time)
#   planner.sh        the planner vs glibc mktime()
#   inbox.sh          the first scan of an IMAP folder vs Python imaplib
# Each runs under BENCH_TIMEOUT seconds (default 600).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
PY=/usr/bin/python3
OUT=${BENCH_OUT:-$SRC/bench/out/latest.tsv}
LIMIT=${BENCH_TIMEOUT:-600}
export BUILD

mkdir -p "$(dirname "$OUT")" "$BUILD/bench" || exit 1
start=$(date +%s)
commit=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
	printf 'section\tclients\tmetric\tvalue\tunit\n'
	printf 'run\t-\tdate\t%s\tUTC\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf 'run\t-\tcommit\t%s\t-\n' "$commit"
	printf 'run\t-\tcores\t%s\t-\n' "$(nproc)"
	printf 'run\t-\tload_before\t%s\t-\n' "$(cut -d' ' -f1 /proc/loadavg)"
} >"$OUT"

echo "touchbase bench: commit $commit, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(ratios are against the peer measured in this run; the goals are issue 17's)"

# Runs one piece: NAME then the command.  Its output is shown indented
# and kept in the TSV as text rows; a failure is one "failed:" line.
piece() {
	local name=$1 log rc t0 t1
	shift
	log=$(mktemp "$BUILD/bench/piece.XXXXXX")
	echo
	echo "== $name"
	t0=$(date +%s.%N)
	timeout "$LIMIT" "$@" >"$log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	sed 's/^/  /' "$log"
	while IFS= read -r line; do
		printf '%s\t-\ttext\t%s\t-\n' "$name" "$(printf '%s' "$line" | tr '\t' ' ')"
	done <"$log" >>"$OUT"
	if [ "$rc" -eq 124 ]; then
		echo "  failed: $name took longer than $LIMIT s, stopped"
	elif [ "$rc" -ne 0 ]; then
		echo "  failed: $name exited with $rc: $(grep -v '^[[:space:]]*$' "$log" | tail -n 1)"
	fi
	printf '%s\t-\tseconds\t%.1f\ts\n' "$name" "$("$PY" -c "print($t1 - $t0)")" >>"$OUT"
	printf '%s\t-\texit\t%s\t-\n' "$name" "$rc" >>"$OUT"
	rm -f "$log"
}

skip() {
	echo
	echo "== $1"
	echo "  skipped: $2"
	printf '%s\t-\tskipped\t%s\t-\n' "$1" "$2" >>"$OUT"
}

# The book figures: scale.py writes its own TSV rows and prints as it goes.
echo
echo "== books: touchbase check, preview, touchbased vs the libconfig parse"
# shellcheck disable=SC2086
timeout "$LIMIT" "$PY" "$SRC/bench/scale.py" "$BUILD" "$OUT" \
    ${BENCH_SIZES:-100 10000 100000} 2>&1 | sed 's/^/  /'
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || echo "  failed: bench/scale.py exited with $rc"

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

if ! have smtp-sink; then
	skip "once: touchbased --once to smtp-sink vs smtplib" \
	    "smtp-sink is not installed (apt install postfix)"
else
	piece "once: touchbased --once to smtp-sink vs smtplib" \
	    env TOUCHBASED="$BUILD/touchbased" bash "$SRC/bench/bench_once.sh"
fi

if have smtp-sink; then
	piece "deliver: deliver_send() vs smtplib vs msmtp" \
	    bash "$SRC/bench/bench_deliver.sh"
else
	skip "deliver: deliver_send() vs smtplib vs msmtp" \
	    "smtp-sink is not installed (apt install postfix)"
fi

piece "planner: a year for 100,000 clients vs mktime()" \
    sh "$SRC/bench/planner.sh"

if have dovecot; then
	piece "inbox: first scan of a 10,000-message folder vs imaplib" \
	    bash "$SRC/bench/inbox.sh"
else
	skip "inbox: first scan of a 10,000-message folder vs imaplib" \
	    "dovecot is not installed (apt install dovecot-imapd)"
fi

end=$(date +%s)
printf 'run\t-\tseconds\t%s\ts\n' "$((end - start))" >>"$OUT"
echo
echo "bench: $((end - start)) s in all; numbers in $OUT"
exit 0
