#!/bin/bash
# owner_approval.sh - a year in approval mode (the preview fixture with
# [owner] approval = required), the daemon run twice a day: only the
# approved messages go (approved by client and occurrence, by a preview
# id, by --until); every other one is logged skipped "not approved" (a
# fixed one after its day, a movable one after catch_up); a hold wins
# over an approval; holding what was sent is an error that says so.
. "$SRC/tests/e2e/lib.sh"

TB=$BUILD/touchbase
TBD=$BUILD/touchbased
FT_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT_LIB" ] || tb_skip "libfaketime is missing ($FT_LIB)"

D=$TMPDIR_E2E/case
mkdir -p "$D"
cp -r "$SRC/tests/fixtures/preview/." "$D/"
cd "$D" || exit 1
printf '\n[owner]\napproval = required\n' >>touchbase.ini
# libfaketime preloaded (the faketime wrapper's semaphores collide
# between parallel runs).
at() {
	env LD_PRELOAD="$FT_LIB" FAKETIME="@$1" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    TZ=Europe/Berlin "${@:2}"
}
tb() { at "$NOW" "$TB" -c touchbase.ini "$@"; }

NOW="2027-02-20 08:00:00"
tb approve --until 2027-03-01 >out 2>err || { tb_fail "approve --until"; cat err; }
tb_grep "approve --until: anna" "anna-mueller birthday/2027: approved" out
tb_grep "approve --until: dora launch" "dora-schmidt launch/2027-03-01: approved" out
tb hold dora-schmidt birthday/2027 --note "eine Karte von Hand" >out 2>err ||
	{ tb_fail "hold"; cat err; }
tb hold anna-mueller birthday/2027 >/dev/null 2>&1 || tb_fail "second hold"
tb release anna-mueller birthday/2027 >/dev/null 2>&1 || tb_fail "release"
# A key the plan does not have (a typo) is refused, with what it has.
tb hold anna-mueller birthday/2072 >/dev/null 2>err && tb_fail "hold of a typo"
tb_grep "hold of a typo" "touchbase hold: nothing is planned for anna-mueller as 'birthday/2072' in the next 400 days; planned: " err
tb approve anna-mueller nonsense/2027 >/dev/null 2>err && tb_fail "approve of a typo"
tb_grep "approve of a typo" "touchbase approve: nothing is planned for anna-mueller as 'nonsense/2027'" err
tb_grep "approve of a typo names the plan" "planned: 'birthday/2027' on 2027-02-28, 'followup/Logo, Relaunch; Teil 2/14d' on 2027-03-30, " err
tb release anna-mueller birthday/2027 >/dev/null 2>err && tb_fail "release twice"
tb_grep "release of nothing" "is not held" err
# history shows the owner's say: the approval, the hold in force.
tb history dora-schmidt --format json >hist.json 2>err || { tb_fail "history"; cat err; }
"$TB_PYTHON" - hist.json <<'PY' || tb_fail "history shows approvals and holds"
import json, sys
ev = [(e["what"], e["detail"]) for e in json.load(open(sys.argv[1]))]
want = [("approval", "launch/2027-03-01"), ("approval", "birthday/2027"),
        ("hold", "birthday/2027: eine Karte von Hand")]
missing = [w for w in want if w not in ev]
if missing:
    print("missing", missing, "in", ev)
sys.exit(1 if missing else 0)
PY
# By the id preview shows.
tb preview --days 60 --format json >plan.json
ID=$("$TB_PYTHON" -c '
import json
for i in json.load(open("plan.json")):
    if i["client"] == "carla-nyc" and i["occurrence"] == "birthday/2027":
        print(i["approval"].split()[-1])')
[ -n "$ID" ] || tb_fail "no id for carla's birthday in preview"
tb approve "$ID" >out 2>err || { tb_fail "approve ID"; cat err; }
tb_grep "approve ID" "carla-nyc birthday/2027: approved" out
tb approve 00000000 >/dev/null 2>err && tb_fail "approve of an unknown id"
tb_grep "unknown id" "no planned message has the id" err
tb preview --days 60 --format json >plan.json
"$TB_PYTHON" - plan.json <<'PY' || tb_fail "preview shows the owner's say"
import json, sys
say = {(i["client"], i["occurrence"]): i["approval"] for i in json.load(open(sys.argv[1]))}
ok = True
def want(k, v):
    global ok
    if say.get(k) != v and not (v.endswith("*") and (say.get(k) or "").startswith(v[:-1])):
        print(k, say.get(k), "!=", v); ok = False
want(("anna-mueller", "birthday/2027"), "approved")
want(("dora-schmidt", "birthday/2027"), "held")
want(("carla-nyc", "birthday/2027"), "approved")
want(("anna-mueller", "followup/Logo, Relaunch; Teil 2/14d"), "awaiting approval: touchbase approve *")
sys.exit(0 if ok else 1)
PY

# A year and ten days (to 2028-03-01: two birthdays unapproved), twice a day (09:30 and 18:00 Berlin; 12:00 in New York).
start=$(date -u -d 2027-02-20 +%s)
for i in $(seq 0 375); do
	day=$(date -u -d "@$((start + i * 86400))" +%F)
	for t in 09:30:00 18:00:00; do
		at "$day $t" "$TBD" -c touchbase.ini --once 2>>daemon.log ||
			tb_fail "touchbased --once at $day $t"
	done
done
NOW="2028-03-02 20:00:00"
tb log --format json >log.json
"$TB_PYTHON" - log.json <<'PY' || tb_fail "the year's send log"
import json, sys
rows = json.load(open(sys.argv[1]))
ok = True
sent = sorted((r["client"], r["occurrence"]) for r in rows if r["status"] == "sent")
want = sorted([("anna-mueller", "birthday/2027"), ("carla-nyc", "birthday/2027"),
               ("dora-schmidt", "launch/2027-03-01")])
if sent != want:
    print("sent:", sent); ok = False
held = [r for r in rows if (r["client"], r["occurrence"]) == ("dora-schmidt", "birthday/2027")]
if len(held) != 1 or held[0]["status"] != "skipped" or \
   held[0]["reason"] != "skipped: held by the owner: eine Karte von Hand":
    print("held:", held); ok = False
na = [r for r in rows if r["reason"] == "skipped: not approved"]
kinds = {r["occasion"] for r in na}
for k in ("followup", "checkin", "birthday"):
    if k not in kinds:
        print("no %s skipped 'not approved': %s" % (k, sorted(kinds))); ok = False
for r in rows:
    if r["status"] == "sent" or r in held or r in na:
        continue
    if r["client"] == "ben-weber" and r["status"] == "skipped" and "paused" in r["reason"]:
        continue
    print("unexpected row:", r["client"], r["occurrence"], r["status"], r["reason"]); ok = False
# A fixed message is skipped once its day has passed: after its window.
for r in na:
    if r["occurrence"] == "birthday/2027" and r["client"] == "anna-mueller":
        print("approved but skipped:", r); ok = False
sys.exit(0 if ok else 1)
PY
tb hold anna-mueller birthday/2027 >/dev/null 2>err && tb_fail "hold of a sent message"
tb_grep "hold of a sent message says so" "birthday/2027 for anna-mueller was already sent on 2027-02-28" err
# A clock behind the send log (set back, or right again after running
# ahead): check and preview say why nothing is planned.
NOW="2027-01-15 08:00:00"
tb check >out 2>err || { tb_fail "check with the clock behind"; cat err; }
tb_grep "check: the log is ahead of the clock" "touchbase check: warning: the send log has entries up to " err
tb_grep "check: the way back" "later than the clock (2027-01-15 08:00): the daemon plans and sends nothing until the clock passes them; if the clock was wrong then, go back to a backup from before" err
tb preview --days 3 >out 2>err || { tb_fail "preview with the clock behind"; cat err; }
tb_grep "preview: the log is ahead of the clock" "touchbase preview: warning: the send log has entries up to " err
tb_done
