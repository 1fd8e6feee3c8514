#!/bin/bash
# log_commands.sh - touchbase log, show, touch and optout on a real send log.
#
# touch and optout create the database (as the daemon would); message rows
# are written with the sqlite3 CLI exactly as the delivery pass leaves
# them, so every expected line below is fixed.  Also: `log` answers while
# another process holds the write lock, and a writer waits for it.
. "$SRC/tests/e2e/lib.sh"

TB=$BUILD/touchbase
[ -x "$TB" ] || { echo "$TB is missing: run make first" >&2; exit 1; }
command -v sqlite3 >/dev/null 2>&1 || tb_skip "the sqlite3 CLI is missing"

D=$TMPDIR_E2E/case
DB=$D/touchbase.db
OUT=$TMPDIR_E2E/out
ERR=$TMPDIR_E2E/err
mkdir -p "$D"
cp -r "$SRC/tests/fixtures/ledger/." "$D/"
cd "$D" || exit 1

tb() { "$TB" -c "$D/touchbase.ini" "$@"; }

# t WHAT RC CMD…: runs CMD into $OUT/$ERR; its exit status must be RC.
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

# same WHAT FILE: FILE ($OUT or $ERR) must equal stdin.
same() {
	if ! diff -u - "$2" >"$TMPDIR_E2E/diff"; then
		tb_fail "$1: differs (- expected, + actual):"
		sed 's/^/    /' "$TMPDIR_E2E/diff" | head -n 40
	fi
}

# --- no database yet ----------------------------------------------------
# Not an error for log (exit 0, an empty list: nothing has happened yet);
# show names a message that cannot exist (exit 1).
t "log without a database" 0 tb log
same "log without a database: stdout" "$OUT" </dev/null
same "log without a database: stderr" "$ERR" <<EOF
touchbase log: no send log yet at $DB (touchbased has not run)
EOF
t "log json without a database" 0 tb log --format json
same "log json without a database" "$OUT" <<'EOF'
[]
EOF
t "log csv without a database" 0 tb log --format csv
same "log csv without a database" "$OUT" <<'EOF'
id,client,occasion,occurrence,status,due,sent_at,updated,attempts,to,subject,message_id,smtp_code,smtp_reply,reason,note,replied,bounce_status,bounce_diagnostic
EOF
t "show without a database" 1 tb show 1
same "show without a database" "$ERR" <<EOF
touchbase show: no send log yet at $DB (touchbased has not run)
EOF
tb_expect "readers create no database" test ! -e "$DB"

# --- usage errors: exit 2 -----------------------------------------------
t "log --format xml" 2 tb log --format xml
same "log --format xml" "$ERR" <<'EOF'
touchbase log: --format: unknown format 'xml' (use table, csv or json)
EOF
t "log --since after --until" 2 tb log --since 2028-01-01 --until 2027-01-01
same "log --since after --until" "$ERR" <<'EOF'
touchbase log: --since 2028-01-01 is not before --until 2027-01-01: nothing could match
EOF
t "log --status sending" 2 tb log --status sending
same "log --status sending" "$ERR" <<'EOF'
touchbase log: --status: unknown status 'sending' (use queued, sent, deferred, failed, skipped, missed, bounced, opt-out or touch)
EOF
t "log --since 2026-02-30" 2 tb log --since 2026-02-30
tb_grep "log --since 2026-02-30 names the value" "touchbase: --since: '2026-02-30'" "$ERR"
t "show abc" 2 tb show abc
t "show without ID" 2 tb show
t "touch without client" 2 tb touch
t "optout with two clients" 2 tb optout anna-mueller bob-smith
t "optout --note" 2 tb optout anna-mueller --note x
t "touch --date 2026-13-01" 2 tb touch anna-mueller --date 2026-13-01
tb_grep "touch --date 2026-13-01 names the value" "touchbase: --date: '2026-13-01'" "$ERR"
t "optout --date yesterday" 2 tb optout anna-mueller --date yesterday

# --- touch and optout ---------------------------------------------------
t "touch an unknown client" 1 tb touch anna-muller
same "touch an unknown client" "$ERR" <<EOF
touchbase touch: no client 'anna-muller' in $D/clients.conf (did you mean 'anna-mueller'?)
EOF
t "touch with a two-line note" 1 tb touch anna-mueller --note $'two\nlines'
same "touch with a two-line note" "$ERR" <<'EOF'
touchbase touch: --note must be one line of text of at most 1000 bytes, without control characters
EOF
t "touch in the future" 1 tb touch anna-mueller --date 2099-01-01
same "touch in the future" "$ERR" <<'EOF'
touchbase touch: --date 2099-01-01 is in the future; touch records a contact that has happened
EOF
tb_expect "refused commands create no database" test ! -e "$DB"

t "touch" 0 tb touch anna-mueller --date 2026-01-05 --note "Kaffee im Atelier"
same "touch" "$OUT" <<'EOF'
anna-mueller: contact on 2026-01-05 recorded; casual check-ins count from there
EOF
tb_expect "the database is private (0600)" test "$(stat -c %a "$DB")" = 600
# Bob lives in New York: his 2026-03-01 starts at 05:00 UTC.
t "optout" 0 tb optout bob-smith --date 2026-03-01
same "optout" "$OUT" <<'EOF'
bob-smith: opted out on 2026-03-01; from then on touchbase sends nothing to this client, nor to bob@example.com under any id
EOF
t "optout again, later" 0 tb optout bob-smith --date 2026-03-05
same "optout again, later" "$OUT" <<'EOF'
bob-smith: already opted out on 2026-03-01; nothing changed
EOF
# The objection is the person's: renamed in a copy of the book, with his
# address in other case, Bob is still opted out, and check says why.
sed 's/id = "bob-smith"/id = "bob"/; s/bob@example.com/Bob@Example.com/' \
    "$D/clients.conf" >"$D/renamed.conf"
sed 's/^clients *=.*/clients = renamed.conf/' "$D/touchbase.ini" >"$D/renamed.ini"
grep -q '^clients = renamed.conf' "$D/renamed.ini" || tb_fail "renamed.ini: no clients line replaced"
t "check with bob renamed" 0 "$TB" -c "$D/renamed.ini" check
same "check with bob renamed" <(grep '^opted out' "$OUT") <<'EOF'
opted out: bob-smith since 2026-03-01 (no longer in the book)
opted out: bob since 2026-03-01 (its address Bob@Example.com objected as bob-smith)
EOF
same "touches and opt-outs in the database" <(sqlite3 "$DB" \
    "SELECT client, at, note FROM touches; SELECT client, at, address FROM optouts;") <<'EOF'
anna-mueller|1767567600|Kaffee im Atelier
bob-smith|1772341200|bob@example.com
EOF

# --- message rows as the delivery pass writes them ------------------------
printf 'Date: Sat, 28 Feb 2026 09:00:00 +0100\r\nSubject: Alles Gute zum Geburtstag, Anna!\r\n\r\nLiebe Anna,\r\n\r\nheute ist Dein Tag.\r\n' >"$TMPDIR_E2E/msg1.eml"
printf 'Subject: Happy birthday\r\n\r\nHi Bob\r\n' >"$TMPDIR_E2E/msg2.eml"
sqlite3 "$DB" <<EOF || tb_fail "inserting message rows"
INSERT INTO messages (id, client, occasion, occurrence, status, due,
  due_offset, created, updated, attempts, to_addr, subject, message_id,
  template_file, bytes, smtp_code, smtp_reply, reason, next_attempt)
VALUES
 (1, 'anna-mueller', 'birthday', 'birthday/2026', 'sent', 1772265600, 3600,
  1772265600, 1772265903, 2, 'anna@example.de',
  'Alles Gute zum Geburtstag, Anna!', '<1.x@lindgruen.example>',
  'birthday.de.txt', readfile('$TMPDIR_E2E/msg1.eml'), 250,
  '2.0.0 Ok: queued as 4F2A', NULL, 0),
 (2, 'bob-smith', 'birthday', 'birthday/2026', 'deferred', 1772460000,
  -18000, 1772460000, 1772460005, 1, 'bob@example.com',
  'Happy birthday, "Bob"!', '<2.y@lindgruen.example>', 'birthday.de.txt',
  readfile('$TMPDIR_E2E/msg2.eml'), 421, '4.7.0 busy' || char(10) ||
  '4.7.0 try later', NULL, 1772460905),
 (3, 'anna-mueller', 'birthday', 'birthday/2025', 'missed', 1740729600,
  3600, 1772352000, 1772352000, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL,
  'due 2025-02-28 09:00, more than catch_up 3d ago', 0),
 (4, 'bob-smith', 'birthday', 'birthday/2027', 'skipped', 1803996000,
  -18000, 1772352001, 1772352001, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL,
  'opted out on 2026-03-01', 0),
 (5, 'bob-smith', 'birthday', 'birthday/2025', 'failed', 1740924000,
  -18000, 1740924000, 1740924012, 1, 'bob@example.com', 'Happy birthday',
  '<5.z@lindgruen.example>', 'birthday.de.txt', NULL, 550,
  '5.1.1 <bob@example.com>: Recipient address rejected', NULL, 0);
INSERT INTO attempts (message_id, at, smtp_code, reply, outcome) VALUES
 (1, 1772265603, 451, '4.3.0 try later', 'deferred'),
 (1, 1772265903, 250, '2.0.0 Ok: queued as 4F2A', 'sent'),
 (2, 1772460005, 421, '4.7.0 busy' || char(10) || '4.7.0 try later',
  'deferred'),
 (5, 1740924012, 550, '5.1.1 <bob@example.com>: Recipient address rejected',
  'failed');
EOF

# preview lists the plan; the deferred row is the send log's, and it says so
t "preview with a retry pending" 0 tb preview --days 1
same "preview with a retry pending" <(grep deferred "$ERR") <<'EOF'
touchbase preview: also 1 deferred message to retry, not listed above: bob-smith birthday/2026 from 2026-03-02 15:15 (touchbase log --status deferred)
EOF

# --- log ------------------------------------------------------------------
# Every kind of row in every format, with the same content: `due` is the
# planned moment and `sent_at` the accepted attempt, both in the
# schedule's zone (Bob's 09:00 in New York is 15:00 in Berlin).
t "log json" 0 tb log --format json
same "log json" "$OUT" <<'EOF'
[
  {"id": 2, "client": "bob-smith", "occasion": "birthday", "occurrence": "birthday/2026", "status": "deferred", "due": "2026-03-02T15:00:00+01:00", "sent_at": null, "updated": "2026-03-02T15:00:05+01:00", "attempts": 1, "to": "bob@example.com", "subject": "Happy birthday, \"Bob\"!", "message_id": "<2.y@lindgruen.example>", "smtp_code": 421, "smtp_reply": "4.7.0 busy\n4.7.0 try later", "reason": null, "note": null, "replied": null, "bounce_status": null, "bounce_diagnostic": null},
  {"id": 4, "client": "bob-smith", "occasion": "birthday", "occurrence": "birthday/2027", "status": "skipped", "due": "2027-03-02T15:00:00+01:00", "sent_at": null, "updated": "2026-03-01T09:00:01+01:00", "attempts": 0, "to": null, "subject": null, "message_id": null, "smtp_code": null, "smtp_reply": null, "reason": "opted out on 2026-03-01", "note": null, "replied": null, "bounce_status": null, "bounce_diagnostic": null},
  {"id": 3, "client": "anna-mueller", "occasion": "birthday", "occurrence": "birthday/2025", "status": "missed", "due": "2025-02-28T09:00:00+01:00", "sent_at": null, "updated": "2026-03-01T09:00:00+01:00", "attempts": 0, "to": null, "subject": null, "message_id": null, "smtp_code": null, "smtp_reply": null, "reason": "due 2025-02-28 09:00, more than catch_up 3d ago", "note": null, "replied": null, "bounce_status": null, "bounce_diagnostic": null},
  {"id": null, "client": "bob-smith", "occasion": null, "occurrence": null, "status": "opt-out", "due": null, "sent_at": null, "updated": "2026-03-01T06:00:00+01:00", "attempts": null, "to": null, "subject": null, "message_id": null, "smtp_code": null, "smtp_reply": null, "reason": null, "note": null, "replied": null, "bounce_status": null, "bounce_diagnostic": null},
  {"id": 1, "client": "anna-mueller", "occasion": "birthday", "occurrence": "birthday/2026", "status": "sent", "due": "2026-02-28T09:00:00+01:00", "sent_at": "2026-02-28T09:05:03+01:00", "updated": "2026-02-28T09:05:03+01:00", "attempts": 2, "to": "anna@example.de", "subject": "Alles Gute zum Geburtstag, Anna!", "message_id": "<1.x@lindgruen.example>", "smtp_code": 250, "smtp_reply": "2.0.0 Ok: queued as 4F2A", "reason": null, "note": null, "replied": null, "bounce_status": null, "bounce_diagnostic": null},
  {"id": null, "client": "anna-mueller", "occasion": null, "occurrence": null, "status": "touch", "due": null, "sent_at": null, "updated": "2026-01-05T00:00:00+01:00", "attempts": null, "to": null, "subject": null, "message_id": null, "smtp_code": null, "smtp_reply": null, "reason": null, "note": "Kaffee im Atelier", "replied": null, "bounce_status": null, "bounce_diagnostic": null},
  {"id": 5, "client": "bob-smith", "occasion": "birthday", "occurrence": "birthday/2025", "status": "failed", "due": "2025-03-02T15:00:00+01:00", "sent_at": null, "updated": "2025-03-02T15:00:12+01:00", "attempts": 1, "to": "bob@example.com", "subject": "Happy birthday", "message_id": "<5.z@lindgruen.example>", "smtp_code": 550, "smtp_reply": "5.1.1 <bob@example.com>: Recipient address rejected", "reason": null, "note": null, "replied": null, "bounce_status": null, "bounce_diagnostic": null}
]
EOF
cp "$OUT" "$TMPDIR_E2E/log.json"
"$TB_PYTHON" - "$OUT" <<'PY' || tb_fail "log json is not one array of objects with the SPEC's fields"
import json, sys
j = json.load(open(sys.argv[1]))
want = ["id", "client", "occasion", "occurrence", "status", "due", "sent_at",
        "updated", "attempts", "to", "subject", "message_id", "smtp_code",
        "smtp_reply", "reason", "note", "replied", "bounce_status",
        "bounce_diagnostic"]
assert isinstance(j, list) and len(j) == 7, j
for r in j:
    assert list(r) == want, list(r)
PY

# The table: newest first, the opt-out at its moment, every line within
# 80 columns (the occurrence and notes are cut, never wrapped).
t "log table" 0 tb log
same "log table" "$OUT" <<'EOF'
    ID  UPDATED           STATUS    CLIENT            OCCURRENCE
     2  2026-03-02 15:00  deferred  bob-smith         birthday/2026
        421 4.7.0 busy 4.7.0 try later; next try 2026-03-02 15:15
     4  2026-03-01 09:00  skipped   bob-smith         birthday/2027
        opted out on 2026-03-01
     3  2026-03-01 09:00  missed    anna-mueller      birthday/2025
        due 2025-02-28 09:00, more than catch_up 3d ago
     -  2026-03-01 06:00  opt-out   bob-smith         -
        objection recorded: nothing more is sent
     1  2026-02-28 09:05  sent      anna-mueller      birthday/2026
        250 2.0.0 Ok: queued as 4F2A; 2 attempts
     -  2026-01-05 00:00  touch     anna-mueller      -
        contact recorded: Kaffee im Atelier
     5  2025-03-02 15:00  failed    bob-smith         birthday/2025
        550 5.1.1 <bob@example.com>: Recipient address rejected
EOF
cp "$OUT" "$TMPDIR_E2E/log.table"
sqlite3 "$DB" "UPDATE messages SET reason = 'a very long reason that goes on and on past the right edge of an eighty column terminal' WHERE id = 3"
t "log table, long note" 0 tb log
"$TB_PYTHON" -c 'import sys
for n, l in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    assert len(l.rstrip("\n")) <= 80, "line %d has %d columns" % (n, len(l) - 1)' "$OUT" ||
	tb_fail "log table is wider than 80 columns"
tb_grep "a long note is cut with an ellipsis" "        a very long reason that goes on and on past the right edge of an eighty…" "$OUT"
sqlite3 "$DB" "UPDATE messages SET reason = 'due 2025-02-28 09:00, more than catch_up 3d ago' WHERE id = 3"

t "log csv" 0 tb log --format csv
same "log csv" "$OUT" <<'EOF'
id,client,occasion,occurrence,status,due,sent_at,updated,attempts,to,subject,message_id,smtp_code,smtp_reply,reason,note,replied,bounce_status,bounce_diagnostic
2,bob-smith,birthday,birthday/2026,deferred,2026-03-02T15:00:00+01:00,,2026-03-02T15:00:05+01:00,1,bob@example.com,"Happy birthday, ""Bob""!",<2.y@lindgruen.example>,421,"4.7.0 busy
4.7.0 try later",,,,,
4,bob-smith,birthday,birthday/2027,skipped,2027-03-02T15:00:00+01:00,,2026-03-01T09:00:01+01:00,0,,,,,,opted out on 2026-03-01,,,,
3,anna-mueller,birthday,birthday/2025,missed,2025-02-28T09:00:00+01:00,,2026-03-01T09:00:00+01:00,0,,,,,,"due 2025-02-28 09:00, more than catch_up 3d ago",,,,
,bob-smith,,,opt-out,,,2026-03-01T06:00:00+01:00,,,,,,,,,,,
1,anna-mueller,birthday,birthday/2026,sent,2026-02-28T09:00:00+01:00,2026-02-28T09:05:03+01:00,2026-02-28T09:05:03+01:00,2,anna@example.de,"Alles Gute zum Geburtstag, Anna!",<1.x@lindgruen.example>,250,2.0.0 Ok: queued as 4F2A,,,,,
,anna-mueller,,,touch,,,2026-01-05T00:00:00+01:00,,,,,,,,Kaffee im Atelier,,,
5,bob-smith,birthday,birthday/2025,failed,2025-03-02T15:00:00+01:00,,2025-03-02T15:00:12+01:00,1,bob@example.com,Happy birthday,<5.z@lindgruen.example>,550,5.1.1 <bob@example.com>: Recipient address rejected,,,,,
EOF
# The three formats tell the same story: CSV is the JSON field by field
# (null as an empty field), and each table row carries the JSON row's id,
# minute, status, client and occurrence, its detail the reason, reply or
# note.
"$TB_PYTHON" - "$TMPDIR_E2E/log.json" "$OUT" "$TMPDIR_E2E/log.table" <<'PY' || tb_fail "log: table, CSV and JSON disagree"
import csv, json, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
c = list(csv.DictReader(open(sys.argv[2], encoding="utf-8", newline="")))
assert len(c) == len(j) == 7, (len(c), len(j))
for a, b in zip(j, c):
    assert list(a) == list(b), (list(a), list(b))
    for k in a:
        want = "" if a[k] is None else str(a[k])
        assert b[k] == want, (k, a[k], b[k])
lines = open(sys.argv[3], encoding="utf-8").read().split("\n")[1:-1]
rows = [i for i, l in enumerate(lines) if not l.startswith("        ")]
assert len(rows) == len(j), rows
for r, i in zip(j, rows):
    cells = lines[i].split()
    assert cells[0] == (str(r["id"]) if r["id"] is not None else "-"), lines[i]
    assert cells[1] + "T" + cells[2] == r["updated"][:16], (lines[i], r)
    assert cells[3] == r["status"] and cells[4] == r["client"], lines[i]
    assert cells[5] == (r["occurrence"] or "-"), lines[i]
    detail = lines[i + 1]
    for k in ("reason", "note", "smtp_reply"):
        if r[k] is not None:
            assert r[k].split("\n")[0] in detail, (k, r[k], detail)
PY

# Filters.  --until DATE includes that day; both bound the last update.
# An opt-out or touch, having no id, is named by its status.
ids() { "$TB_PYTHON" -c 'import json,sys; print(" ".join(str(r["id"]) if r["id"] is not None else r["status"] for r in json.load(open(sys.argv[1]))))' "$OUT"; }
t "log --client" 0 tb log --client bob-smith --format json
tb_expect "log --client bob-smith: ids 2 4 opt-out 5, got $(ids)" test "$(ids)" = "2 4 opt-out 5"
t "log --status" 0 tb log --status sent --format json
tb_expect "log --status sent: id 1, got $(ids)" test "$(ids)" = "1"
t "log --since --until" 0 tb log --since 2026-03-01 --until 2026-03-01 --format json
tb_expect "log --since/--until 2026-03-01: ids 4 3 opt-out, got $(ids)" test "$(ids)" = "4 3 opt-out"
t "log --status opt-out" 0 tb log --status opt-out --format json
tb_expect "log --status opt-out: the opt-out only, got $(ids)" test "$(ids)" = "opt-out"
t "log --status touch, csv" 0 tb log --status touch --format csv
same "log --status touch, csv" "$OUT" <<'EOF'
id,client,occasion,occurrence,status,due,sent_at,updated,attempts,to,subject,message_id,smtp_code,smtp_reply,reason,note,replied,bounce_status,bounce_diagnostic
,anna-mueller,,,touch,,,2026-01-05T00:00:00+01:00,,,,,,,,Kaffee im Atelier,,,
EOF
t "log --status touch --client bob-smith" 0 tb log --status touch --client bob-smith
tb_expect "log --status touch --client bob-smith: nothing" test ! -s "$OUT"
t "log --since with a time" 0 tb log --since 2026-03-01T09:00:01 --format json
tb_expect "log --since 2026-03-01T09:00:01: ids 2 4, got $(ids)" test "$(ids)" = "2 4"
t "log --client, table" 0 tb log --client anna-mueller
tb_expect "log --client anna-mueller: no opt-out row of bob" \
    test "$(grep -c opt-out "$OUT")" = 0
t "log, no match" 0 tb log --client nobody
same "log, no match: stderr" "$ERR" <<'EOF'
touchbase log: no entries
EOF

# --- show -----------------------------------------------------------------
t "show 1" 0 tb show 1
{ cat <<'EOF'
# message 1: sent
# client:     anna-mueller
# occasion:   birthday
# occurrence: birthday/2026
# due:        2026-02-28T09:00:00+01:00
# updated:    2026-02-28T09:05:03+01:00
# to:         anna@example.de
# subject:    Alles Gute zum Geburtstag, Anna!
# message-id: <1.x@lindgruen.example>
# template:   birthday.de.txt
# attempt 1:  2026-02-28T09:00:03+01:00 deferred 451 4.3.0 try later
# attempt 2:  2026-02-28T09:05:03+01:00 sent 250 2.0.0 Ok: queued as 4F2A

EOF
cat "$TMPDIR_E2E/msg1.eml"; } | same "show 1" "$OUT"
t "show --raw 1" 0 tb show --raw 1
tb_expect "show --raw 1 is the stored message byte for byte" \
    cmp -s "$OUT" "$TMPDIR_E2E/msg1.eml"
t "show 3 (missed)" 0 tb show 3
same "show 3 (missed)" "$OUT" <<'EOF'
# message 3: missed
# client:     anna-mueller
# occasion:   birthday
# occurrence: birthday/2025
# due:        2025-02-28T09:00:00+01:00
# updated:    2026-03-01T09:00:00+01:00
# reason:     due 2025-02-28 09:00, more than catch_up 3d ago
# (no message: missed occurrences are not composed)
EOF
t "show --raw 3 (missed)" 1 tb show --raw 3
same "show --raw 3 (missed)" "$ERR" <<'EOF'
touchbase show: message 3 is missed: no message was composed
EOF
t "show 99" 1 tb show 99
same "show 99" "$ERR" <<EOF
touchbase show: $DB: no message 99
EOF

# Whatever bytes a row holds, json stays valid and the table stays on
# its lines: a control character and a byte that is not UTF-8.
sqlite3 "$DB" "UPDATE messages SET subject = CAST(X'416E6E6101FF0A42' AS TEXT), reason = CAST(X'5A7D0D0A7A' AS TEXT) WHERE id = 1"
t "log json, odd bytes" 0 tb log --format json --status sent
tb_grep "log json escapes controls and replaces bad UTF-8" '"subject": "Anna\u0001\ufffd\nB"' "$OUT"
tb_expect "log json with odd bytes parses" "$TB_PYTHON" -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$OUT"
t "log table, odd bytes" 0 tb log --status sent
same "log table, odd bytes" "$OUT" <<'EOF'
    ID  UPDATED           STATUS    CLIENT            OCCURRENCE
     1  2026-02-28 09:05  sent      anna-mueller      birthday/2026
        Z}  z; 250 2.0.0 Ok: queued as 4F2A; 2 attempts
EOF
sqlite3 "$DB" "UPDATE messages SET subject = 'Alles Gute zum Geburtstag, Anna!', reason = NULL WHERE id = 1"

# --- readers while a writer holds the lock --------------------------------
# Another process (here the sqlite3 CLI, in the daemon's place) takes the
# write lock with an uncommitted change and keeps it for two seconds.
( printf "BEGIN IMMEDIATE;\nUPDATE messages SET subject = 'uncommitted' WHERE id = 1;\n"
  sleep 2; printf "COMMIT;\n" ) | sqlite3 "$DB" &
HOLDER=$!
TB_PIDS="$TB_PIDS $HOLDER"
locked=no
for i in $(seq 1 40); do
	if ! sqlite3 "$DB" ".timeout 0" "BEGIN IMMEDIATE;" "ROLLBACK;" >/dev/null 2>&1; then
		locked=yes
		break
	fi
	sleep 0.05
done
tb_expect "the other process holds the write lock" test "$locked" = yes
start=$(date +%s%N)
t "log while another process writes" 0 tb log --format json
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tb_expect "log did not wait for the writer (${ms} ms)" test "$ms" -lt 1000
tb_grep "log reads the committed state" '"subject": "Alles Gute zum Geburtstag, Anna!"' "$OUT"
t "show while another process writes" 0 tb show 1
# A writer waits for the lock (busy timeout 5 s) instead of failing.
start=$(date +%s%N)
t "touch while another process writes" 0 tb touch anna-mueller --date 2026-02-01
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tb_expect "touch waited for the lock (${ms} ms)" test "$ms" -ge 300
wait "$HOLDER"
t "log after the other process committed" 0 tb log --format json
tb_grep "the other process's change is visible" '"subject": "uncommitted"' "$OUT"
tb_expect "both touches are recorded" \
    test "$(sqlite3 "$DB" "SELECT COUNT(*) FROM touches")" = 2

tb_done
