#!/bin/sh
# make demo: touchbase doing its main job on the example configuration,
# on the embedded Maildir default.  Everything it writes stays in demo/.
# The clock is set (libfaketime) to the morning of Anna Müller's birthday,
# 28 February 2027 (she was born on 29 February, and 2027 is a common
# year), so there is something to send.
set -e
BUILD=$1
SRC=$(cd "$(dirname "$0")/.." && pwd)
DEMO=$SRC/demo
WHEN="2027-02-28 09:30:00"
rm -rf "$DEMO"
mkdir -p "$DEMO"
cp -r "$SRC/conf/templates" "$SRC/conf/clients.conf" "$DEMO/"
sed -e 's|^url  *=.*|url           = maildir:outbox|' \
    -e 's|^database  *=.*|database  = touchbase.db|' \
    "$SRC/conf/touchbase.ini" > "$DEMO/touchbase.ini"
INI=$DEMO/touchbase.ini
# libfaketime preloaded, not through the faketime wrapper: the wrapper
# refuses to start ("sem_open: File exists") when a process of its PID
# was once killed under libfaketime and left its semaphore behind.
FT=$(ls /usr/lib/*/faketime/libfaketime.so.1 \
    /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
[ -n "$FT" ] || { echo "demo: libfaketime is missing (make deps installs it)" >&2; exit 1; }
at() {
	env TZ=Europe/Berlin FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD="$FT" \
	    FAKETIME="@$WHEN" "$@"
}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "touchbase check: the example book, settings and templates"
"$BUILD/touchbase" -c "$INI" check

step "touchbase preview: what would go out in the six weeks from $WHEN"
at "$BUILD/touchbase" -c "$INI" preview --days 42

step "touchbased --once at $WHEN (Europe/Berlin): one delivery pass"
at "$BUILD/touchbased" -c "$INI" --once

step "the demo outbox (a Maildir any mail program can open): $DEMO/outbox/new"
for f in "$DEMO"/outbox/new/*; do
	[ -e "$f" ] || { echo "(empty)"; continue; }
	echo "--- $f (first lines)"
	sed -n '1,/^$/p' "$f" | grep -E '^(Date|From|To|Subject|Message-ID|List-Unsubscribe):' || true
	/usr/bin/python3 - "$f" <<'PY' || true
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
print("Subject (decoded):", m["subject"])
body = m.get_body(preferencelist=("plain",))
print()
print("\n".join(body.get_content().splitlines()[:8]))
PY
done

step "touchbase log: the send log"
at "$BUILD/touchbase" -c "$INI" log

step "running the same pass again sends nothing twice"
at "$BUILD/touchbased" -c "$INI" --once

step "touchbase report: how the relationships stand, one HTML page"
at "$BUILD/touchbase" -c "$INI" report --out "$DEMO/report.html" >/dev/null
echo "the demo's report: $DEMO/report.html"

echo
echo "Everything above was written under $DEMO (remove it with: rm -rf demo)."
