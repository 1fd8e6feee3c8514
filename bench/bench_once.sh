#!/bin/bash
# bench_once.sh - a whole `touchbased --once` pass against Postfix's
# smtp-sink, with Python smtplib as the peer in the same run.
#
#   bash bench/bench_once.sh [N]          (N due messages, default 2000)
#   TOUCHBASED=/path/to/touchbased bash bench/bench_once.sh 2000
#
# Generates a book of N clients whose birthday is the (faked) day of the
# pass, so every one of them is due at once; starts smtp-sink (as nobody
# when run as root) on a free port of 127.0.0.1; then, in one run:
#   touchbased --once   plan, compose, record, deliver: N messages, each
#                       committed queued before and its outcome after its
#                       SMTP transaction (a fresh database each time)
#   strace -c -f        the same pass again, counting pwrite, fdatasync
#                       and fcntl per message (when strace is installed)
#   smtplib             one connection, N messages of the same size,
#                       recording nothing
#   maildir             the same pass into a Maildir instead
# and prints messages per second and the ratio to smtplib, then the CPU
# time a message costs the pass and smtplib, and smtp-sink while each ran
# (bench/cputime.py), against the time a message the goal leaves: over
# one connection a message takes at least both ends' CPU.  Nothing is
# asserted; not part of make check.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-${BENCH_N:-2000}}
PY=/usr/bin/python3
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
FT=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
TBD=${TOUCHBASED:-$SRC/build/touchbased}
# A Wednesday in Berlin, no holiday.
DAY=${BENCH_DAY:-2027-03-03}
W=$(mktemp -d /tmp/touchbase-once.XXXXXX)
SINK_PID=""

cleanup() {
	if [ -n "$SINK_PID" ]; then
		kill "$SINK_PID" 2>/dev/null
		wait "$SINK_PID" 2>/dev/null
	fi
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

die() { echo "bench_once: $*" >&2; exit 1; }

[ -x "$SINK" ] || die "smtp-sink (postfix) is missing"
[ -f "$FT" ] || die "libfaketime is missing ($FT)"
if [ -z "${TOUCHBASED:-}" ]; then
	make -C "$SRC" --no-print-directory -j2 build/touchbased >/dev/null ||
		die "cannot build touchbased"
fi
[ -x "$TBD" ] || die "$TBD is missing"
[ "$(id -u)" -eq 0 ] && SINK_USER="-u nobody" || SINK_USER=""

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The book: N clients, one occasion (the birthday), all on DAY.
"$PY" - "$N" "$W" "$DAY" "$PORT" <<'EOF'
import os, sys
n, out, day, port = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
mmdd = day[5:]
for kind, url in (("smtp", "smtp://127.0.0.1:%s" % port),
                  ("maildir", "maildir:outbox")):
    d = os.path.join(out, kind)
    os.makedirs(os.path.join(d, "templates"))
    tls = "tls = none\n" if kind == "smtp" else ""
    with open(os.path.join(d, "touchbase.ini"), "w") as f:
        f.write("[sender]\nname = Atelier Lindgrün\n"
                "address = hallo@lindgruen.example\nlanguage = de\n"
                "basis = customer\n[delivery]\nurl = %s\n%stimeout = 30s\n"
                "[schedule]\ntimezone = Europe/Berlin\nholidays = DE-BE\n"
                "daily_limit = 1000000\nmin_gap = 21d\n"
                "[paths]\nclients = clients.conf\ntemplates = templates\n"
                "database = touchbase.db\n" % (url, tls))
    with open(os.path.join(d, "templates", "birthday.de.txt"), "w") as f:
        f.write("Subject: Alles Gute, {{first_name}}!\n\n{{salutation}},\n\n"
                "alles Gute zum Geburtstag!\n\n{{sender_name}}\n")
    with open(os.path.join(d, "clients.conf"), "w") as f:
        f.write('occasions = (\n  { name = "birthday"; kind = "birthday"; '
                'template = "birthday"; }\n);\n'
                'defaults = { occasions = ["birthday"]; };\nclients = (\n')
        for i in range(n):
            f.write('  { id = "c%06d"; name = "Anna Müller"; first_name = '
                    '"Anna"; email = "c%06d@example.org"; salutation = '
                    '"Hallo Anna"; birthday = "1980-%s"; }%s\n'
                    % (i, i, mmdd, "," if i + 1 < n else ""))
        f.write(");\n")
EOF

# shellcheck disable=SC2086
"$SINK" $SINK_USER 127.0.0.1:"$PORT" 1000 >"$W/sink.log" 2>&1 &
SINK_PID=$!
for _ in $(seq 1 100); do
	"$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$PORT" 2>/dev/null && break
	kill -0 "$SINK_PID" 2>/dev/null || { cat "$W/sink.log" >&2; die "smtp-sink did not start"; }
	sleep 0.05
done

# One pass at 16:00 Berlin (after the first half of the window, over
# which the planner spreads the dues: all of them have come) on DAY, on a
# fresh database.  Prints "elapsed user system sink" (bench/cputime.py):
# seconds of wall clock, of the pass's CPU and of smtp-sink's meanwhile.
once() {
	local dir=$1
	shift
	rm -f "$dir"/touchbase.db*
	rm -rf "$dir/outbox"
	env LD_PRELOAD="$FT" FAKETIME="@$DAY 16:00:00" TZ=Europe/Berlin \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1 \
	    "$PY" "$SRC/bench/cputime.py" "$SINK_PID" "$dir/log" \
	    "$@" "$TBD" -c "$dir/touchbase.ini" --once ||
		{ tail -5 "$dir/log" >&2; die "touchbased --once failed"; }
}
sent() {
	"$PY" - "$1/touchbase.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM messages WHERE status = 'sent'").fetchone()[0])
EOF
}
rate() { "$PY" -c 'import sys; print("%.0f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }

echo "once benchmark: $N due messages, smtp-sink on 127.0.0.1:$PORT, $TBD"

# The pass into smtp-sink; the best of three, each on a fresh database.
tb=""
for _ in 1 2 3; do
	r=$(once "$W/smtp") || exit 1
	[ "$(sent "$W/smtp")" -eq "$N" ] || die "touchbased sent $(sent "$W/smtp") of $N"
	tb=$("$PY" -c 'import sys; a = [x for x in sys.argv[1:] if x]; print(min(a, key=lambda x: float(x.split()[0])))' "$r" "$tb")
done
read -r tb_secs tb_user tb_sys tb_sink <<<"$tb"

# The size of one message as sent, for the peer.
"$PY" - "$W/smtp/touchbase.db" "$W/msg" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
open(sys.argv[2], "wb").write(db.execute("SELECT bytes FROM messages LIMIT 1").fetchone()[0])
EOF

# Python smtplib, one connection, the best of three; with its CPU time
# and smtp-sink's, as for the pass.
py=$("$PY" - "$PORT" "$N" "$W/msg" "$SINK_PID" <<'EOF'
import os, smtplib, sys, time
port, n, data = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "rb").read()
def sink_cpu():
    f = open("/proc/%s/stat" % sys.argv[4]).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
best = None
for _ in range(3):
    c0, s0, t0 = os.times(), sink_cpu(), time.monotonic()
    s = smtplib.SMTP("127.0.0.1", port)
    for _ in range(n):
        s.sendmail("hallo@lindgruen.example", ["c000000@example.org"], data)
    s.quit()
    t, s1, c1 = time.monotonic() - t0, sink_cpu(), os.times()
    r = (t, c1.user - c0.user, c1.system - c0.system, s1 - s0)
    best = r if best is None or r[0] < best[0] else best
print("%.6f %.6f %.6f %.6f" % best)
EOF
) || die "smtplib failed"
read -r py_secs py_user py_sys py_sink <<<"$py"

md=$(once "$W/maildir") || exit 1
[ "$(sent "$W/maildir")" -eq "$N" ] || die "the Maildir pass sent $(sent "$W/maildir") of $N"
read -r md_secs md_user md_sys _ <<<"$md"

tb_rate=$(rate "$N" "$tb_secs")
py_rate=$(rate "$N" "$py_secs")
printf '  %-44s %8s msg/s  (%.2f s)\n' "touchbased --once -> smtp-sink" "$tb_rate" "$tb_secs"
printf '  %-44s %8s msg/s  (%.2f s)\n' "python smtplib, one connection" "$py_rate" "$py_secs"
printf '  %-44s %8s msg/s  (%.2f s; %.2f s user, %.2f s system)\n' "touchbased --once -> Maildir" \
    "$(rate "$N" "$md_secs")" "$md_secs" "$md_user" "$md_sys"
printf '  touchbased vs smtplib: %sx (higher: touchbased faster; goal >= 1.5)\n' \
    "$("$PY" -c 'import sys; print("%.2f" % (float(sys.argv[2]) / float(sys.argv[1])))' "$tb_secs" "$py_secs")"

# Where the time of a message goes: each side's CPU time per message (its
# own, then smtp-sink's while it ran), against the elapsed time per
# message the goal allows (smtplib's over 1.5).  One connection is
# sequential: a message's time is at least the CPU of both ends.
"$PY" - "$N" "$tb_secs" "$tb_user" "$tb_sys" "$tb_sink" \
    "$py_secs" "$py_user" "$py_sys" "$py_sink" <<'EOF'
import sys
n = int(sys.argv[1])
tb = [float(x) * 1000 / n for x in sys.argv[2:6]]
py = [float(x) * 1000 / n for x in sys.argv[6:10]]
for name, (el, us, sy, sk) in (("touchbased --once", tb), ("smtplib", py)):
    print("  %-18s per message: %.3f ms elapsed, CPU %.3f ms (user %.3f, "
          "system %.3f) + smtp-sink %.3f ms" % (name, el, us + sy, us, sy, sk))
goal = py[0] / 1.5
print("  the goal allows %.3f ms a message; the pass's CPU and smtp-sink's "
      "take %.3f ms (%.1fx that)" % (goal, tb[1] + tb[2] + tb[3],
                                    (tb[1] + tb[2] + tb[3]) / goal))
EOF

# System calls per message, from one more pass under strace.
if command -v strace >/dev/null 2>&1; then
	once "$W/smtp" strace -f -c -o "$W/strace" >/dev/null || exit 1
	"$PY" - "$W/strace" "$N" <<'EOF'
import sys
n = int(sys.argv[2])
calls = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 5 and f[-1] in ("pwrite64", "fdatasync", "fsync", "fcntl"):
        calls[f[-1]] = int(f[3])
print("  system calls per message (strace -c -f): " + ", ".join(
    "%.1f %s" % (calls.get(c, 0) / n, c)
    for c in ("pwrite64", "fdatasync", "fsync", "fcntl")))
EOF
else
	echo "  strace: not installed, system calls not counted"
fi
