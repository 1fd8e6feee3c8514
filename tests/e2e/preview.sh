#!/bin/bash
# preview.sh - `touchbase preview` on tests/fixtures/preview, planned from
# 2027-02-20 for 45 days: JSON against the expected file, the table within
# 80 columns, CSV as RFC 4180, the ICS read back by python3-icalendar, the
# send log honoured (opt-out, touch) and template variants rotating; long
# notes wrap in the table, ICS UIDs stay the same from another --from.
. "$SRC/tests/e2e/lib.sh"

TB=$BUILD/touchbase
[ -x "$TB" ] || { echo "$TB is missing: run make first" >&2; exit 1; }

D=$TMPDIR_E2E/case
OUT=$TMPDIR_E2E/out
ERR=$TMPDIR_E2E/err
mkdir -p "$D"
cp -r "$SRC/tests/fixtures/preview/." "$D/"
rm -f "$D/expected.json"
cd "$D" || exit 1

tb() { "$TB" -c "$D/touchbase.ini" "$@"; }

# t WHAT RC CMD...: runs CMD into $OUT/$ERR; its exit status must be RC.
t() {
	local what=$1 want=$2 rc
	shift 2
	"$@" >"$OUT" 2>"$ERR"
	rc=$?
	if [ "$rc" != "$want" ]; then
		tb_fail "$what: exit $rc, expected $want"
		sed 's/^/    stderr: /' "$ERR" | head -n 5
	fi
}

# py WHAT SCRIPT [ARGS]: a python3 check; it prints its own failures and
# exits non-zero on any.
py() {
	local what=$1
	shift
	"$TB_PYTHON" - "$@" >"$TMPDIR_E2E/py" 2>&1 ||
		{ tb_fail "$what:"; sed 's/^/    /' "$TMPDIR_E2E/py" | head -n 30; }
}

FROM="--as-if-down-until 2027-02-20 --days 45"

# --- JSON: the whole plan, exactly --------------------------------------
t "preview json" 0 tb preview $FROM --format json
py "preview json equals tests/fixtures/preview/expected.json" \
    "$OUT" "$SRC/tests/fixtures/preview/expected.json" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1], encoding="utf-8"))
want = json.load(open(sys.argv[2], encoding="utf-8"))
if got != want:
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g != w:
            print("item %d:\n  got  %s\n  want %s" % (i, g, w))
    sys.exit(1)
EOF

# --- table: 80 columns, the notes a user reads -------------------------
t "preview table" 0 tb preview $FROM
py "preview table fits 80 columns" "$OUT" <<'EOF'
import sys
bad = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines()
       if len(l) > 80]
for l in bad:
    print("%d columns: %s" % (len(l), l))
sys.exit(1 if bad else 0)
EOF
tb_grep "table: Karfreitag move" \
    "moved from Fri 2027-03-26: Karfreitag (DE), weekday rule, Ostermontag (DE)" "$OUT"
tb_grep "table: New York local time" \
    "Sat 2027-03-20 09:00 -04:00  carla-nyc     birthday/2027" "$OUT"
tb_grep "table: paused" "    skipped: paused until 2027-03-31" "$OUT"
# Every note is shown in full (a long one wraps onto lines indented by 6):
# the example configuration has long ones (its own copy, without a send
# log).
X=$TMPDIR_E2E/example
cp -r "$SRC/conf" "$X"
sed -i "s|^database *=.*|database = $X/touchbase.db|" "$X/touchbase.ini"
t "example json, a year" 0 "$TB" -c "$X/touchbase.ini" preview \
    --as-if-down-until 2027-02-20 --days 400 --format json
cp "$OUT" "$TMPDIR_E2E/year.json"
t "example table, a year" 0 "$TB" -c "$X/touchbase.ini" preview \
    --as-if-down-until 2027-02-20 --days 400
py "table shows every note in full" "$OUT" "$TMPDIR_E2E/year.json" <<'EOF'
import json, re, sys
table = open(sys.argv[1], encoding="utf-8").read()
if "\u2026" in table:
    print("something was cut short with an ellipsis")
joined = re.sub(r"\n {6}(?=\S)", " ", table)
notes = [i["note"] for i in json.load(open(sys.argv[2], encoding="utf-8"))]
missing = [n for n in notes if n and n not in joined]
for n in missing:
    print("not in the table:", n)
long = [n for n in notes if len(n) > 76]
if not long:
    print("the fixture has no note long enough to wrap")
sys.exit(1 if missing or not long or "\u2026" in table else 0)
EOF

# --- CSV: RFC 4180 ------------------------------------------------------
t "preview csv" 0 tb preview $FROM --format csv
py "preview csv" "$OUT" <<'EOF'
import csv, sys
raw = open(sys.argv[1], "rb").read()
ok = True
if raw.count(b"\r\n") != raw.count(b"\n"):
    print("not every line ends in CRLF"); ok = False
rows = list(csv.reader(raw.decode("utf-8").splitlines()))
if rows[0] != ["due", "client", "occasion", "occurrence", "template",
               "note", "action", "approval"]:
    print("header:", rows[0]); ok = False
if len(rows) != 8:
    print("rows:", len(rows)); ok = False
last = rows[-1]
if last[3] != "followup/Logo, Relaunch; Teil 2/14d" or last[6] != "send":
    print("quoted field lost:", last); ok = False
skip = [r for r in rows if r[1] == "ben-weber"]
if not skip or skip[0][4] != "" or skip[0][6] != "skip":
    print("skip row:", skip); ok = False
sys.exit(0 if ok else 1)
EOF

# --- ICS: parsed back by python3-icalendar ------------------------------
t "preview ics" 0 tb preview $FROM --format ics
if "$TB_PYTHON" -c 'import icalendar' 2>/dev/null; then
	py "preview ics" "$OUT" <<'EOF'
import sys, datetime
from icalendar import Calendar
raw = open(sys.argv[1], "rb").read()
ok = True
lines = raw.split(b"\r\n")
if lines[-1] != b"" or b"\n" in raw.replace(b"\r\n", b""):
    print("lines must end in CRLF"); ok = False
for l in lines:
    if len(l) > 75:
        print("line over 75 octets:", l); ok = False
    try:
        l.decode("utf-8")
    except UnicodeDecodeError:
        print("fold split a UTF-8 character:", l); ok = False
if not any(l.startswith(b" ") for l in lines):
    print("no folded line at all (the notes are long)"); ok = False
cal = Calendar.from_ical(raw)
if not str(cal.get("PRODID", "")).startswith("-//touchbase//"):
    print("PRODID:", cal.get("PRODID")); ok = False
ev = {str(e["UID"]): e for e in cal.walk("VEVENT")}
if len(ev) != 7:
    print("events:", sorted(ev)); ok = False
def utc(y, mo, d, h, mi):
    return datetime.datetime(y, mo, d, h, mi, tzinfo=datetime.timezone.utc)
want = {
    "birthday/2027.anna-mueller@touchbase": utc(2027, 2, 28, 8, 0),
    "birthday/2027.dora-schmidt@touchbase": utc(2027, 2, 28, 8, 2),
    "birthday/2027.carla-nyc@touchbase": utc(2027, 3, 20, 13, 0),
    "followup/Logo, Relaunch; Teil 2/14d.anna-mueller@touchbase":
        utc(2027, 3, 30, 7, 0),
}
for uid, start in want.items():
    e = ev.get(uid)
    if e is None:
        print("missing UID", uid); ok = False; continue
    got = e.decoded("DTSTART")
    if got != start:
        print(uid, "DTSTART", got, "!=", start); ok = False
    if "DTSTAMP" not in e:
        print(uid, "has no DTSTAMP"); ok = False
uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
if len(uids) != len(set(uids)):
    print("UIDs not unique:", uids); ok = False
# SUMMARY in the sender's language ([sender] language = de), per kind;
# SEQUENCE: the days a fixed occasion was moved, 0 when it was not.
summ = {str(e["UID"]): (str(e["SUMMARY"]), int(e["SEQUENCE"]))
        for e in cal.walk("VEVENT")}
want_summ = {
    "birthday/2027.anna-mueller@touchbase": ("Geburtstagsgruß an Anna Müller", 0),
    "birthday/2027.ben-weber@touchbase":
        ("Übersprungen: Geburtstagsgruß an Ben Weber", 0),
    "launch/2027-03-01.dora-schmidt@touchbase":
        ("Nachricht zu launch an Dora Schmidt", 0),
    "checkin/1.dora-schmidt@touchbase":
        ("Übersprungen: Lebenszeichen an Dora Schmidt", 20885),
    "followup/Logo, Relaunch; Teil 2/14d.anna-mueller@touchbase":
        ("Nachfrage zu Logo, Relaunch; Teil 2 an Anna Müller", 4),
}
for uid, w in want_summ.items():
    if summ.get(uid) != w:
        print(uid, "SUMMARY/SEQUENCE", summ.get(uid), "!=", w); ok = False
e = ev.get("followup/Logo, Relaunch; Teil 2/14d.anna-mueller@touchbase")
if e is not None:
    d = str(e["DESCRIPTION"])
    if ("note: moved from Fri 2027-03-26: Karfreitag (DE), weekday rule, "
            "Ostermontag (DE)") not in d or "\noccurrence: followup/Logo, " \
            "Relaunch; Teil 2/14d\n" not in d:
        print("DESCRIPTION:", repr(d)); ok = False
e = ev.get("birthday/2027.ben-weber@touchbase")
if e is None or str(e["STATUS"]) != "CANCELLED" or \
        not str(e["SUMMARY"]).startswith("Übersprungen: "):
    print("skipped event:", e); ok = False
sys.exit(0 if ok else 1)
EOF
	# UIDs are stable: a later --from gives the same UID for the same
	# occurrence, whatever else is in the calendar.
	cp "$OUT" "$TMPDIR_E2E/a.ics"
	t "preview ics, later start" 0 tb preview --from 2027-03-15 --days 30 \
	    --format ics
	py "ics UIDs stable across runs" "$TMPDIR_E2E/a.ics" "$OUT" <<'EOF'
import sys
from icalendar import Calendar
def uids(p):
    cal = Calendar.from_ical(open(p, "rb").read())
    return {str(e["UID"]): e.decoded("DTSTART") for e in cal.walk("VEVENT")}
a, b = uids(sys.argv[1]), uids(sys.argv[2])
common = set(a) & set(b)
want = {"birthday/2027.carla-nyc@touchbase",
        "followup/Logo, Relaunch; Teil 2/14d.anna-mueller@touchbase"}
if not want <= common:
    print("later run lost UIDs:", sorted(want - common), sorted(b)); sys.exit(1)
for u in want:
    if a[u] != b[u]:
        print(u, a[u], "!=", b[u]); sys.exit(1)
EOF
	# An English sender gets English summaries.
	E=$TMPDIR_E2E/english
	cp -r "$D" "$E"
	sed -i 's/^language *=.*/language = en/' "$E/touchbase.ini"
	t "preview ics, English sender" 0 "$TB" -c "$E/touchbase.ini" preview \
	    $FROM --format ics
	py "ics SUMMARY in English" "$OUT" <<'EOF'
import sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], "rb").read())
s = {str(e["UID"]): str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
want = {"birthday/2027.anna-mueller@touchbase": "Birthday greeting to Anna Müller",
        "birthday/2027.ben-weber@touchbase": "skipped: Birthday greeting to Ben Weber",
        "checkin/1.dora-schmidt@touchbase": "skipped: Check-in with Dora Schmidt",
        "followup/Logo, Relaunch; Teil 2/14d.anna-mueller@touchbase":
            "Follow-up on Logo, Relaunch; Teil 2 to Anna Müller"}
for u, w in want.items():
    if s.get(u) != w:
        print(u, s.get(u), "!=", w); sys.exit(1)
EOF
else
	echo "note: python3-icalendar missing, ICS only checked for CRLF" >&2
	grep -q $'^BEGIN:VCALENDAR\r$' "$OUT" || tb_fail "ics: no BEGIN:VCALENDAR"
fi

# --- --help says what happens without a database ------------------------
t "preview --help" 0 tb preview --help
tr '\n' ' ' <"$OUT" | tr -s ' ' >"$TMPDIR_E2E/help1"
tb_grep "--help: no database means first seen when the plan starts" \
    "without one, every client counts as first seen when the plan starts" "$TMPDIR_E2E/help1"

# --- one client; usage errors -------------------------------------------
t "preview --client" 0 tb preview $FROM --client dora-schmidt --format json
py "preview --client keeps dora's three" "$OUT" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
keys = [(i["client"], i["occurrence"]) for i in j]
want = [("dora-schmidt", "birthday/2027"), ("dora-schmidt", "launch/2027-03-01"),
        ("dora-schmidt", "checkin/2027-02-21")]
if keys != want:
    print(keys); sys.exit(1)
# Alone in the plan, dora still keeps her spread rank after anna.
if j[0]["due"] != "2027-02-28T09:02:00+01:00":
    print(j[0]["due"]); sys.exit(1)
EOF
t "preview unknown client" 1 tb preview $FROM --client dora
tb_grep "unknown client names it" "no client 'dora'" "$ERR"
t "preview bad format" 2 tb preview $FROM --format xml
tb_grep "bad format says what is valid" "table, csv, json or ics" "$ERR"
t "preview bad days" 2 tb preview --days 0
t "preview bad from" 2 tb preview --from 2027-02-30
t "preview empty range" 0 tb preview --as-if-down-until 2027-04-10 --days 1 --format json
[ "$(cat "$OUT")" = "[]" ] || tb_fail "empty range: '$(cat "$OUT")' is not []"

# --- variants rotate through a longer preview ---------------------------
t "preview a year" 0 tb preview --as-if-down-until 2027-02-20 --days 400 --client \
    anna-mueller --format json
py "variants rotate" "$OUT" <<'EOF'
import json, sys
j = {i["occurrence"]: i["template"] for i in json.load(open(sys.argv[1]))}
if j.get("birthday/2027") != "birthday.de.txt" or \
        j.get("birthday/2028") != "birthday.de.2.txt":
    print(j); sys.exit(1)
EOF

# --- with a send log: touch, then opt-out -------------------------------
# touch and optout refuse future dates: they run on 2027-02-26 (faketime).
FT=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -e "$FT" ] || tb_skip "libfaketime is missing ($FT)"
later() {
	LD_PRELOAD=$FT FAKETIME="@2027-02-26 08:00:00" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Europe/Berlin \
	    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"
}
# A touch on 2027-02-19 restarts dora's 6-week clock; the birthday and the
# launch after it restart it again: 2027-03-01 + 6w = Mon 2027-04-12.
t "ics before the touch" 0 tb preview --as-if-down-until 2027-02-20 --days 60 \
    --client dora-schmidt --format ics
cp "$OUT" "$TMPDIR_E2E/before.ics"
t "touch dora" 0 later tb touch dora-schmidt --date 2027-02-19
if [ -e "$D/touchbase.db" ]; then
	# The moved check-in keeps its UID with a higher SEQUENCE, so a
	# calendar that imports the file again moves the event.
	t "ics after the touch" 0 tb preview --as-if-down-until 2027-02-20 \
	    --days 60 --client dora-schmidt --format ics
	py "ics: a moved check-in keeps its UID" "$TMPDIR_E2E/before.ics" "$OUT" <<'EOF'
import sys, datetime
from icalendar import Calendar
def evs(p):
    cal = Calendar.from_ical(open(p, "rb").read())
    return {str(e["UID"]): (e.decoded("DTSTART"), int(e["SEQUENCE"]))
            for e in cal.walk("VEVENT")}
a, b = evs(sys.argv[1]), evs(sys.argv[2])
# Before: the first check-in (skipped on 03-08) and the second (04-19);
# after the touch the chain has one, the first, moved to 04-12.
u = "checkin/1.dora-schmidt@touchbase"
if sorted(b) != ['birthday/2027.dora-schmidt@touchbase', u,
                 'launch/2027-03-01.dora-schmidt@touchbase'] or \
        not set(b) <= set(a):
    print("UIDs:", sorted(a), sorted(b)); sys.exit(1)
utc = datetime.timezone.utc
if a[u] != (datetime.datetime(2027, 3, 8, 8, 0, tzinfo=utc), 20885) or \
        b[u] != (datetime.datetime(2027, 4, 12, 7, 0, tzinfo=utc), 20920):
    print(u, a[u], b[u]); sys.exit(1)
EOF
	t "preview after touch" 0 tb preview --as-if-down-until 2027-02-20 --days 60 \
	    --client dora-schmidt --format json
	py "touch moves the check-in to 2027-04-12" "$OUT" <<'EOF'
import json, sys
j = [(i["occurrence"], i["due"]) for i in json.load(open(sys.argv[1]))
     if i["occasion"] == "checkin"]
if j != [("checkin/2027-04-12", "2027-04-12T09:00:00+02:00")]:
    print(j); sys.exit(1)
EOF
	t "optout dora" 0 later tb optout dora-schmidt --date 2027-02-25
	t "preview after optout" 0 tb preview --as-if-down-until 2027-02-20 --days 60 \
	    --client dora-schmidt --format json
	# Skipped messages do not restart the check-in clock: back to
	# 2027-02-19 + 6w = Fri 2027-04-02.
	py "opt-out skips dora from 2027-02-25 on" "$OUT" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
acts = [(i["occurrence"], i["action"], i["note"]) for i in j]
want = [("birthday/2027", "skip", "skipped: opted out on 2027-02-25"),
        ("launch/2027-03-01", "skip", "skipped: opted out on 2027-02-25"),
        ("checkin/2027-04-02", "skip", "skipped: opted out on 2027-02-25")]
if acts != want:
    print(acts); sys.exit(1)
EOF
else
	tb_fail "touch did not create $D/touchbase.db"
fi

tb_done
