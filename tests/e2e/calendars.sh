#!/bin/bash
# calendars.sh - every client's own calendar.  A book with clients in
# Vienna (AT-9, own window 08:00-12:00), Zurich (CH-ZH), Geneva (CH-GE),
# Berlin (DE-BE, the schedule's) and New York (holidays none, own window
# 10:00-16:00), each with follow-ups due on its own region's holidays of
# 2027 and on some weekends: `preview` over the year moves every one
# exactly to the next day that is no weekend and no holiday of that
# client, keeps it inside that client's window, and the note names each
# holiday with its region.  The holiday dates below are written down from
# the laws and lists (see test_holidays.c), not taken from touchbase.
# Also: `check` warns about a client abroad keeping German holidays, and
# `touchbase holidays` lists a region's days.
. "$SRC/tests/e2e/lib.sh"

TB=$BUILD/touchbase
[ -x "$TB" ] || { echo "$TB is missing: run make first" >&2; exit 1; }

D=$TMPDIR_E2E/case
mkdir -p "$D/templates"
cd "$D" || exit 1
printf 'Subject: Wie geht es?\n\nHallo {{name}}\n' \
    >templates/project-checkin.de.txt

cat >touchbase.ini <<INI
[sender]
address = hallo@lindgruen.example
[schedule]
timezone    = Europe/Berlin
send_window = 09:00-17:00
weekdays    = Mon-Fri
holidays    = DE-BE
min_gap     = 0d
daily_limit = 1000
[paths]
database = $D/touchbase.db
INI

# The holidays of 2027 per region, with their names.
cat >holidays.txt <<'LIST'
DE-BE 2027-01-01 Neujahr
DE-BE 2027-03-08 Internationaler Frauentag
DE-BE 2027-03-26 Karfreitag
DE-BE 2027-03-29 Ostermontag
DE-BE 2027-05-01 Tag der Arbeit
DE-BE 2027-05-06 Christi Himmelfahrt
DE-BE 2027-05-17 Pfingstmontag
DE-BE 2027-10-03 Tag der Deutschen Einheit
DE-BE 2027-12-25 1. Weihnachtstag
DE-BE 2027-12-26 2. Weihnachtstag
AT-9 2027-01-01 Neujahr
AT-9 2027-01-06 Heilige Drei Könige
AT-9 2027-03-29 Ostermontag
AT-9 2027-05-01 Staatsfeiertag
AT-9 2027-05-06 Christi Himmelfahrt
AT-9 2027-05-17 Pfingstmontag
AT-9 2027-05-27 Fronleichnam
AT-9 2027-08-15 Mariä Himmelfahrt
AT-9 2027-10-26 Nationalfeiertag
AT-9 2027-11-01 Allerheiligen
AT-9 2027-12-08 Mariä Empfängnis
AT-9 2027-12-25 Weihnachten
AT-9 2027-12-26 Stephanstag
CH-ZH 2027-01-01 Neujahrstag
CH-ZH 2027-03-26 Karfreitag
CH-ZH 2027-03-29 Ostermontag
CH-ZH 2027-05-01 Tag der Arbeit
CH-ZH 2027-05-06 Auffahrt
CH-ZH 2027-05-17 Pfingstmontag
CH-ZH 2027-08-01 Bundesfeiertag
CH-ZH 2027-12-25 Weihnachtstag
CH-ZH 2027-12-26 Stephanstag
CH-GE 2027-01-01 Nouvel An
CH-GE 2027-03-26 Vendredi saint
CH-GE 2027-03-29 Lundi de Pâques
CH-GE 2027-05-06 Ascension
CH-GE 2027-05-17 Lundi de Pentecôte
CH-GE 2027-08-01 Fête nationale
CH-GE 2027-09-09 Jeûne genevois
CH-GE 2027-12-25 Noël
CH-GE 2027-12-31 Restauration de la République
LIST

# Each client: follow-ups 14 days after projects that end two weeks before
# every holiday of the five regions and before some weekends.
"$TB_PYTHON" - >clients.conf <<'PY' || tb_fail "writing clients.conf"
import datetime
days = sorted({l.split()[1] for l in open("holidays.txt")} |
              {"2027-02-06", "2027-06-13", "2027-09-11", "2027-10-23"})
clients = [
    ("berlin", "Europe/Berlin", None, None),
    ("geneva", "Europe/Zurich", "CH-GE", None),
    ("new-york", "America/New_York", "none", "10:00-16:00"),
    ("vienna", "Europe/Vienna", "AT-9", "08:00-12:00"),
    ("zurich", "Europe/Zurich", "CH-ZH", None),
]
print('occasions = ( { name = "followup"; kind = "after_project";')
print('  offsets = ["14d"]; template = "project-checkin"; } );')
print("clients = (")
for i, (cid, zone, reg, win) in enumerate(clients):
    print('  { id = "%s"; name = "%s"; email = "%s@example.org";' %
          (cid, cid, cid))
    print('    timezone = "%s";' % zone)
    if reg: print('    holidays = "%s";' % reg)
    if win: print('    send_window = "%s";' % win)
    ps = []
    for d in days:
        end = datetime.date.fromisoformat(d) - datetime.timedelta(days=14)
        ps.append('{ name = "P%s"; ended = "%s"; }' % (d, end))
    print("    projects = ( %s );" % ",\n      ".join(ps))
    print("  }%s" % ("," if i + 1 < len(clients) else ""))
print(");")
PY

# check: the New York client keeps her own (none): no warning.
out=$("$TB" -c "$D/touchbase.ini" check 2>&1) ||
	tb_fail "check failed: $out"
tb_grep "check: clean" "ok: 5 clients, 1 occasion, 0 warnings" <(echo "$out")

"$TB" -c "$D/touchbase.ini" preview --from 2026-12-20 --days 390 \
    --format json >preview.json 2>preview.err ||
	tb_fail "preview failed: $(cat preview.err)"

"$TB_PYTHON" - >py.out 2>&1 <<'PY' || { tb_fail "preview:"; sed 's/^/    /' py.out | head -40; }
import datetime, json
hol = {}
for l in open("holidays.txt", encoding="utf-8"):
    reg, day, name = l.rstrip("\n").split(" ", 2)
    hol.setdefault(reg, {})[datetime.date.fromisoformat(day)] = name
region = {"berlin": "DE-BE", "geneva": "CH-GE", "new-york": "none",
          "vienna": "AT-9", "zurich": "CH-ZH"}
window = {"berlin": ("09:00", "17:00"), "geneva": ("09:00", "17:00"),
          "new-york": ("10:00", "16:00"), "vienna": ("08:00", "12:00"),
          "zurich": ("09:00", "17:00")}
wd = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
rows = json.load(open("preview.json", encoding="utf-8"))
bad = 0
seen = {c: 0 for c in region}
named = set()
for r in rows:
    c = r["client"]
    if r["action"] != "send":
        print("not sent:", r); bad += 1; continue
    seen[c] += 1
    nominal = datetime.date.fromisoformat(r["occurrence"].split("/")[1][1:])
    h = hol.get(region[c], {})
    day, reasons = nominal, []
    while day.weekday() >= 5 or day in h:
        why = ("weekday rule" if day.weekday() >= 5 else
               "%s (%s)" % (h[day], region[c]))
        if why not in reasons:
            reasons.append(why)
        day += datetime.timedelta(days=1)
    want_note = ("moved from %s %s: %s" % (wd[nominal.weekday()], nominal,
                 ", ".join(reasons)) if reasons else "")
    due = r["due"]
    if due[:10] != str(day):
        print("%s %s: due %s, want the day %s" % (c, r["occurrence"], due,
              day)); bad += 1
    if r["note"] != want_note:
        print("%s %s: note %r, want %r" % (c, r["occurrence"], r["note"],
              want_note)); bad += 1
    start, end = window[c]
    if not (start <= due[11:16] < end):
        print("%s %s: %s is outside %s-%s" % (c, r["occurrence"], due,
              start, end)); bad += 1
    for why in reasons:
        if "(" in why:
            named.add(why)
# Every client got all its follow-ups: 19 holiday dates, 4 weekends.
for c, n in seen.items():
    if n != 23:
        print("%s: %d follow-ups, want 23" % (c, n)); bad += 1
for must in ["Nationalfeiertag (AT-9)", "Jeûne genevois (CH-GE)",
             "Auffahrt (CH-ZH)", "Internationaler Frauentag (DE-BE)",
             "Fronleichnam (AT-9)", "Restauration de la République (CH-GE)"]:
    if must not in named:
        print("no note names", must); bad += 1
# New York keeps no holidays: its Karfreitag follow-up stays on the day.
ny = [r for r in rows if r["client"] == "new-york" and
      r["occurrence"] == "followup/P2027-03-26/14d"]
if not ny or not ny[0]["due"].startswith("2027-03-26T10:00:00-04:00"):
    print("new-york on Karfreitag:", ny); bad += 1
raise SystemExit(1 if bad else 0)
PY

# The Viennese Nationalfeiertag note as the table shows it.
"$TB" -c "$D/touchbase.ini" preview --from 2027-10-01 --days 40 \
    --client vienna >table.out 2>&1 || tb_fail "preview table failed"
tb_grep "table: Nationalfeiertag" \
    "moved from Tue 2027-10-26: Nationalfeiertag (AT-9)" table.out

# check warns, not fails, when a client abroad keeps German holidays.
sed -i 's/holidays = "none";//' clients.conf
out=$("$TB" -c "$D/touchbase.ini" check 2>&1) ||
	tb_fail "check with a warning must still pass: $out"
line=$(grep -n 'timezone = "America/New_York"' clients.conf | cut -d: -f1)
tb_grep "check: zone warning" "$D/clients.conf:$line: warning: client 'new-york' (America/New_York) uses the holidays of DE-BE; set holidays = \"none\" or the client's own region" <(echo "$out")

# touchbase holidays: a region's days, in table, JSON and ICS.
"$TB" holidays --region AT-9 --year 2027 >hol.out 2>&1 ||
	tb_fail "holidays failed"
tb_grep "holidays: table" "2027-10-26  Tue  Nationalfeiertag" hol.out
tb_grep "holidays: count" "AT-9 2027: 13 public holidays kept free" hol.out
"$TB" holidays --region CH-GE --year 2027 --format json >hol.json ||
	tb_fail "holidays json failed"
tb_grep "holidays: json" '{"date": "2027-09-09", "weekday": "Thu", "name": "Jeûne genevois", "region": "CH-GE"}' hol.json
"$TB" -c "$D/touchbase.ini" holidays --year 2027 --format ics >hol.ics ||
	tb_fail "holidays ics failed"
tb_grep "holidays: ics default region" "SUMMARY:Internationaler Frauentag (DE-BE)" hol.ics
tb_grep "holidays: ics all-day" "DTSTART;VALUE=DATE:20270308" hol.ics
"$TB" holidays --region XX-1 --year 2027 >/dev/null 2>hol.err
[ $? = 2 ] || tb_fail "holidays --region XX-1 must be a usage error"
"$TB" holidays --region AT --year 99 >/dev/null 2>hol.err
[ $? = 2 ] || tb_fail "holidays --year 99 must be a usage error"

tb_done
