#!/bin/bash
# owner_digest.sh - [owner] digest = Mon 08:00 under libfaketime over
# three weeks (the preview fixture on a Maildir, the daemon run four
# times a day): exactly three digests, to the owner only, each with the
# coming week's messages, the last week's outcomes and the quiet
# clients; recorded once each in the send log and never counted against
# a client.  Then the running daemon, told `digest = off` by SIGHUP just
# before the next Monday 08:00, sends none (a control without the reload
# does).
. "$SRC/tests/e2e/lib.sh"

TB=$BUILD/touchbase
TBD=$BUILD/touchbased
FT_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT_LIB" ] || tb_skip "libfaketime is missing ($FT_LIB)"

D=$TMPDIR_E2E/case
mkdir -p "$D"
cp -r "$SRC/tests/fixtures/preview/." "$D/"
cd "$D" || exit 1
printf '\n[owner]\naddress = chef@lindgruen.example\ndigest = Mon 08:00\n' >>touchbase.ini
# libfaketime preloaded (the faketime wrapper's semaphores collide
# between parallel runs).
at() {
	env LD_PRELOAD="$FT_LIB" FAKETIME="@$1" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    TZ=Europe/Berlin "${@:2}"
}

start=$(date -u -d 2027-03-01 +%s)
for i in $(seq 0 20); do
	day=$(date -u -d "@$((start + i * 86400))" +%F)
	for t in 07:30:00 08:30:00 12:00:00 18:00:00; do
		at "$day $t" "$TBD" -c touchbase.ini --once 2>>daemon.log ||
			tb_fail "touchbased --once at $day $t"
	done
done
"$TB" -c touchbase.ini log --format json >log.json
"$TB_PYTHON" - outbox log.json <<'PY' || tb_fail "three digests"
import email, email.policy, glob, json, sys
ok = True
digests = []
for f in sorted(glob.glob(sys.argv[1] + "/new/*")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if m["To"] == "chef@lindgruen.example":
        digests.append(m)
    elif "chef@" in str(m["To"]) or "digest" in str(m["Subject"]).lower():
        print("a digest to someone else:", m["To"]); ok = False
subjects = sorted(str(m["Subject"]) for m in digests)
want = ["touchbase-Übersicht 2027-W09: 1 geplant, 0 warten auf Freigabe",
        "touchbase-Übersicht 2027-W10: 0 geplant, 0 warten auf Freigabe",
        "touchbase-Übersicht 2027-W11: 1 geplant, 0 warten auf Freigabe"]
if subjects != want:
    print("subjects:", subjects); ok = False
for m in digests:
    text = m.get_body(preferencelist=("plain",)).get_content()
    html = m.get_body(preferencelist=("html",)).get_content()
    week = str(m["Subject"]).split()[1].rstrip(":")
    for need in ("Geht im kommenden Zeitraum hinaus", "Der letzte Zeitraum",
                 "Am längsten still"):
        if need not in text or need not in html:
            print(week, "lacks", need); ok = False
    if week == "2027-W09" and "2027-03-01 09:00  Dora Schmidt  launch/2027-03-01" not in text:
        print(week, "coming:\n" + text); ok = False
    if week == "2027-W10" and "  gesendet       1\n" not in text:
        print(week, "last week:\n" + text); ok = False
    if week == "2027-W11" and "2027-03-20 14:00  Carla Reyes  birthday/2027" not in text:
        print(week, "coming:\n" + text); ok = False
rows = json.load(open(sys.argv[2]))
dg = sorted(r["occurrence"] for r in rows if r["client"] == "@owner")
if dg != ["digest/2027-W09", "digest/2027-W10", "digest/2027-W11"]:
    print("send log digests:", dg); ok = False
if any(r["status"] != "sent" for r in rows if r["client"] == "@owner"):
    print("a digest row not sent"); ok = False
sys.exit(0 if ok else 1)
PY

# The running daemon: 2027-03-22 07:59:50, the digest due at 08:00.
run_daemon() {	# DIR HUP
	local dir=$1 hup=$2 pid
	(cd "$dir" && exec env LD_PRELOAD="$FT_LIB" \
	    FAKETIME="@2027-03-22 07:59:45" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    TZ=Europe/Berlin "$TBD" -c touchbase.ini) 2>"$dir/run.log" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q "loaded" "$dir/run.log" && break
		sleep 0.1
	done
	if [ "$hup" = 1 ]; then
		sed -i 's/^digest = .*/digest = off/' "$dir/touchbase.ini"
		kill -HUP "$pid"
		for _ in $(seq 1 100); do
			grep -q "reloaded" "$dir/run.log" && break
			sleep 0.1
		done
		grep -q "reloaded" "$dir/run.log" || tb_fail "no reload"
	fi
	sleep 22
	grep -q "loaded" "$dir/run.log" || tb_fail "the daemon did not run"
	kill -TERM "$pid"
	wait "$pid"
}
cp -r "$D" "$TMPDIR_E2E/control"
run_daemon "$TMPDIR_E2E/control" 0
run_daemon "$D" 1
"$TB" -c "$TMPDIR_E2E/control/touchbase.ini" log --client @owner >ctl.log 2>&1
grep -q "digest/2027-W12" ctl.log ||
	{ tb_fail "control: no digest at 08:00 without the reload"; cat "$TMPDIR_E2E/control/run.log"; }
"$TB" -c touchbase.ini log >after.log 2>&1
grep -q "digest/2027-W12" after.log &&
	tb_fail "a digest after digest = off and a reload"
n=$(grep -l "chef@lindgruen.example" outbox/new/* | wc -l)
[ "$n" = 3 ] || tb_fail "$n digests in the Maildir, expected 3"
tb_done
