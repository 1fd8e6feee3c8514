#!/bin/bash
# bench_deliver.sh - delivery throughput against Postfix's smtp-sink.
#
# Sends the same ~2 KB greeting BENCH_N times (default 2000) to smtp-sink
# on 127.0.0.1 (a port picked free at run time; started and stopped by
# PID) three ways, in one run:
#   touchbase  deliver_send() on one connection (bench/bench_deliver.c
#              linked against build/libtouchbase.a; tls = none, loopback)
#   smtplib    Python's smtplib, one connection for all messages
#   msmtp      one msmtp process per message, as a cron job would do it
#              (at most 200 messages: each costs it ~50 ms here)
# and prints messages per second and the ratios.  Not part of make check.
#
#   bench/bench_deliver.sh            (from the repository root or anywhere)
#   BENCH_N=500 bench/bench_deliver.sh
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-2000}
PY=/usr/bin/python3
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
W=$(mktemp -d /tmp/touchbase-bench.XXXXXX)
SINK_PID=""

cleanup() {
	if [ -n "$SINK_PID" ]; then
		kill "$SINK_PID" 2>/dev/null
		wait "$SINK_PID" 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT

[ -x "$SINK" ] || { echo "bench_deliver: smtp-sink (postfix) is missing" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] && SINK_USER="-u nobody" || SINK_USER=""

# The driver, against the library as built by make.
make -C "$SRC" --no-print-directory build/libtouchbase.a >/dev/null ||
	{ echo "bench_deliver: cannot build the library" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -D_GNU_SOURCE -O2 -I"$SRC/include" -o "$W/bench_deliver" \
    "$SRC/bench/bench_deliver.c" "$SRC/build/libtouchbase.a" \
    $(pkg-config --libs libcurl sqlite3 libconfig inih) -lm ||
	{ echo "bench_deliver: cannot build the driver" >&2; exit 1; }

# A greeting of realistic size, CRLF line ends.
"$PY" - "$W/msg" <<'EOF'
import sys
body = "\r\n".join(
    ["Liebe Anna,", "",
     "herzlichen Glückwunsch zum Geburtstag! " * 3] +
    ["Zeile %02d des Grußes, damit die Nachricht etwa so groß ist wie "
     "eine echte." % i for i in range(20)] +
    ["", "Herzliche Grüße", "Atelier Lindgrün"])
head = ("Date: Sun, 28 Feb 2027 09:00:00 +0100\r\n"
        "Message-ID: <20270228.0123456789abcdef@lindgruen.example>\r\n"
        "From: =?UTF-8?Q?Atelier_Lindgr=C3=BCn?= <hallo@lindgruen.example>\r\n"
        "To: Anna Mueller <anna@example.net>\r\n"
        "Subject: =?UTF-8?Q?Alles_Gute_zum_Geburtstag?=\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n")
open(sys.argv[1], "wb").write((head + body + "\r\n").encode())
EOF

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
"$SINK" $SINK_USER 127.0.0.1:"$PORT" 1000 >"$W/sink.log" 2>&1 &
SINK_PID=$!
for _ in $(seq 1 100); do
	"$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$PORT" 2>/dev/null && break
	kill -0 "$SINK_PID" 2>/dev/null || { echo "bench_deliver: smtp-sink did not start:" >&2; cat "$W/sink.log" >&2; exit 1; }
	sleep 0.05
done

now() { date +%s.%N; }
rate() { "$PY" -c 'import sys; print("%.0f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }

echo "deliver benchmark: $N messages of $(wc -c <"$W/msg") bytes to smtp-sink on 127.0.0.1:$PORT"

# touchbase
# (bench/cputime.py: the driver's CPU time and smtp-sink's meanwhile)
read -r _ tb_user tb_sys tb_sink < <("$PY" "$SRC/bench/cputime.py" "$SINK_PID" "$W/tb.out" \
    "$W/bench_deliver" "$PORT" "$N" "$W/msg")
read -r tb_secs tb_ok <"$W/tb.out"
[ "${tb_ok:-0}" -eq "$N" ] || { echo "bench_deliver: touchbase sent ${tb_ok:-0} of $N" >&2; exit 1; }
tb_rate=$(rate "$N" "$tb_secs")
printf '  %-42s %8s msg/s  (%.2f s)\n' "touchbase deliver_send, one connection" "$tb_rate" "$tb_secs"
"$PY" -c 'import sys; n = int(sys.argv[1]); u, s, k = (float(x) * 1000 / n for x in sys.argv[2:]); print("  %-42s %.3f ms (user %.3f, system %.3f) + smtp-sink %.3f ms" % ("  its CPU a message", u + s, u, s, k))' \
    "$N" "$tb_user" "$tb_sys" "$tb_sink"

# Python smtplib, one connection
py_secs=$("$PY" - "$PORT" "$N" "$W/msg" <<'EOF'
import smtplib, sys, time
port, n, data = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "rb").read()
t0 = time.monotonic()
s = smtplib.SMTP("127.0.0.1", port)
for _ in range(n):
    s.sendmail("hallo@lindgruen.example", ["anna@example.net"], data)
s.quit()
print("%.6f" % (time.monotonic() - t0))
EOF
) || { echo "bench_deliver: smtplib failed" >&2; exit 1; }
py_rate=$(rate "$N" "$py_secs")
printf '  %-42s %8s msg/s  (%.2f s)\n' "python smtplib, one connection" "$py_rate" "$py_secs"

# msmtp, one process per message
if command -v msmtp >/dev/null 2>&1; then
	MS_N=$((N < 200 ? N : 200))
	t0=$(now)
	for _ in $(seq 1 "$MS_N"); do
		msmtp --host=127.0.0.1 --port="$PORT" --tls=off \
		    -f hallo@lindgruen.example anna@example.net <"$W/msg" ||
			{ echo "bench_deliver: msmtp failed" >&2; exit 1; }
	done
	ms_secs=$("$PY" -c 'import sys; print("%.6f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$t0" "$(now)")
	ms_rate=$(rate "$MS_N" "$ms_secs")
	printf '  %-42s %8s msg/s  (%.2f s for %d)\n' "msmtp, one process per message" "$ms_rate" "$ms_secs" "$MS_N"
	# as if it had sent N, for the ratio
	ms_secs=$("$PY" -c 'import sys; print("%.6f" % (float(sys.argv[1]) * int(sys.argv[2]) / int(sys.argv[3])))' "$ms_secs" "$N" "$MS_N")
else
	ms_secs=""
	echo "  msmtp: not installed, skipped"
fi

ratio() { "$PY" -c 'import sys; print("%.2f" % (float(sys.argv[2]) / float(sys.argv[1])))' "$1" "$2"; }
printf '  touchbase vs smtplib: %sx' "$(ratio "$tb_secs" "$py_secs")"
[ -n "$ms_secs" ] && printf ', vs msmtp: %sx' "$(ratio "$tb_secs" "$ms_secs")"
printf ' (higher: touchbase faster)\n'
