#!/bin/bash
# db_faults.sh - the send log when something is wrong with the database.
#   locked     another process holds the write lock (BEGIN EXCLUSIVE) while
#              20 greetings are due: the pass gives up after one busy
#              timeout (one "locked"/"busy" line, exit 1, the database
#              unchanged, nothing delivered); once the lock is gone the next
#              pass sends all 20
#   readonly   the reading commands (log, log --format json, show, preview,
#              render, check) as `nobody` with read access only, through a
#              group, to the database and its folder: with -wal/-shm present
#              (a writer's connection open) and without them (after a clean
#              stop); each exits 0, prints the expected rows and writes
#              nothing.  Without read access the error says which access is
#              missing and mentions the group `touchbase`.
#   backup     `touchbase backup FILE` while a pass sends 100 greetings:
#              the copy passes integrity_check and holds every row sent
#              before the backup began; an existing FILE is refused (exit 1,
#              untouched)
#   damaged    pages in the middle of the database overwritten: touchbased
#              --once exits 1 naming the file, says it will not touch it and
#              how to restore it from a backup, and leaves it byte for byte
#              as it was; `touchbase check` reports it (exit 1)
# Every pass runs under `timeout` so a pass that waits once per message
# fails the test instead of hanging it.  No test here asserts a duration.
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require
command -v setpriv >/dev/null 2>&1 || tb_skip "setpriv (util-linux) is missing"

W=$TMPDIR_E2E
N=20
AT="2027-03-03 13:30:00"
HOLDER=

trap '[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null; tb_cleanup' EXIT

# db_once DIR WHEN LABEL [CAP]: one `touchbased --once`; DB_RC, DB_ERR.
db_once() {
	DB_ERR=$1/$3.err
	timeout -k 5 "${4:-60}" env LD_PRELOAD="$DM_FAKETIME_LIB" FAKETIME="@$2" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Europe/Berlin \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    "$DM_TBD" -c "$1/touchbase.ini" --once 2>"$DB_ERR"
	DB_RC=$?
	echo "--- $3 at $2 (exit $DB_RC):"
	head -n 8 "$DB_ERR" | sed 's/^/    /'
	case $DB_RC in
	124|137) tb_fail "$3: the pass did not end within ${4:-60} s" ;;
	esac
}

# setup NAME COUNT [INI-ARGS…]: DIR $W/NAME, COUNT due at $AT into a
# Maildir unless INI-ARGS say otherwise; day 0 done.
setup() {
	local name=$1 n=$2
	shift 2
	D=$W/$name
	mkdir -p "$D"
	tb_birthday_book "$n" "${name:0:2}" >"$D/book.conf"
	dm_case "$D" "$D/book.conf"
	dm_ini "$D" URL="maildir:outbox" TLS=none TIMEOUT=5s DAILY_LIMIT=1000 "$@"
	db_once "$D" "2027-03-01 08:00:00" "$name.day0"
	dm_is "$name: day 0 exit status" "$DB_RC" 0
}

sent() { dm_sql "$1" "SELECT COUNT(*) FROM messages WHERE status = 'sent'"; }
delivered() { find "$1/outbox/new" "$1/outbox/cur" -type f 2>/dev/null | wc -l; }

# --- locked -------------------------------------------------------------
setup locked $N
before=$(dm_sql "$D" .dump)
"$TB_PYTHON" - "$D/touchbase.db" "$D/holder.ready" <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
con.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(120)
PY
HOLDER=$!
for i in $(seq 1 100); do [ -e "$D/holder.ready" ] && break; sleep 0.05; done
[ -e "$D/holder.ready" ] || { echo "FAIL: the lock holder did not start"; exit 1; }
db_once "$D" "$AT" locked.1 40
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
HOLDER=
dm_is "locked: the pass exits 1" "$DB_RC" 1
c=$(grep -v ': loaded ' "$DB_ERR" | grep -Eci 'lock|busy')
[ "$c" -le 1 ] || tb_fail "locked: $c lines about the lock, at most one expected (one busy timeout, then stop)"
[ "$c" -ge 1 ] || tb_fail "locked: the pass does not say the database is locked"
dm_is "locked: the database is unchanged" "$( [ "$(dm_sql "$D" .dump)" = "$before" ] && echo same)" same
dm_is "locked: nothing delivered" "$(delivered "$D")" 0
db_once "$D" "2027-03-03 13:35:00" locked.2
dm_is "locked: the pass after the lock exits 0" "$DB_RC" 0
dm_is "locked: all $N sent after the lock" "$(sent "$D")" $N
tb_store_check locked "$D/outbox" "$D/touchbase.db" $N 0 || TB_FAILS=$((TB_FAILS + 1))

# --- read-only ----------------------------------------------------------
setup readonly $N
db_once "$D" "$AT" readonly.1
dm_is "readonly: the sending pass exits 0" "$DB_RC" 0
dm_is "readonly: $N sent" "$(sent "$D")" $N
ID=$(dm_sql "$D" "SELECT id FROM messages WHERE client = 're01'")
MID=$(dm_sql "$D" "SELECT message_id FROM messages WHERE client = 're01'")
GID=4242	# a group of nobody's for this test only: no /etc/group entry
chmod 0711 "$W"

# as_reader CMD…: CMD as nobody with the one extra group GID, fake clock.
as_reader() {
	setpriv --reuid=65534 --regid=65534 --groups="$GID" -- \
	    env LD_PRELOAD="$DM_FAKETIME_LIB" FAKETIME="@2027-03-04 10:00:00" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Europe/Berlin \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}

# rd LABEL OUT CMD…: CMD as the reader, stdout to OUT, stderr to OUT.err;
# it must exit 0.
rd() {
	local l=$1 o=$2 rc
	shift 2
	as_reader "$@" >"$o" 2>"$o.err"
	rc=$?
	[ "$rc" = 0 ] || { tb_fail "$l: exit status $rc:"; head -n 5 "$o.err" | sed 's/^/    /'; }
}

# readers LABEL: every reading command as the reader; exit 0, the rows.
readers() {
	local l=$1 t="$DM_TB -c $D/touchbase.ini" o=$D/reader
	local sum0 sum1
	sum0=$(cat "$D"/touchbase.db* | md5sum)
	rd "$l: log" "$o.log" $t log
	dm_is "$l: log lists the $N sent" \
	    "$(grep -Ec '\bsent\b.*\bre[0-9]{2}\b.*birthday/2027' "$o.log")" $N
	rd "$l: log --format json" "$o.json" $t log --format json
	dm_is "$l: log --format json: $N sent" \
	    "$("$TB_PYTHON" -c 'import json,sys; print(sum(1 for r in json.load(open(sys.argv[1])) if r["status"] == "sent"))' "$o.json" 2>/dev/null || echo "no JSON")" $N
	rd "$l: show $ID" "$o.show" $t show "$ID"
	tb_grep "$l: show $ID prints the message as sent" "Message-ID: $MID" "$o.show"
	rd "$l: preview" "$o.preview" $t preview --from 2028-02-20 --days 30 --format json
	dm_is "$l: preview: next year's $N" \
	    "$("$TB_PYTHON" -c 'import json,sys; print(sum(1 for r in json.load(open(sys.argv[1])) if r["occurrence"] == "birthday/2028"))' "$o.preview" 2>/dev/null || echo "no JSON")" $N
	rd "$l: render" "$o.render" $t render re01 birthday --date 2028-03-03
	tb_grep "$l: render prints the message" "re01@example.org" "$o.render"
	rd "$l: check" "$o.check" $t check
	sum1=$(cat "$D"/touchbase.db* | md5sum)
	dm_is "$l: the readers wrote nothing" "$sum1" "$sum0"
}

# 1. A writer's connection is open (-wal and -shm exist), as while the
# daemon runs; everything readable by the group, nothing writable.
# It closes its connection cleanly (the last one: SQLite checkpoints and
# removes -wal and -shm) once $D/holder.stop exists.
"$TB_PYTHON" - "$D/touchbase.db" "$D/holder.ready" "$D/holder.stop" <<'PY' &
import os, sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("SELECT COUNT(*) FROM messages").fetchall()
open(sys.argv[2], "w").close()
for _ in range(2400):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.05)
con.close()
PY
HOLDER=$!
for i in $(seq 1 100); do [ -e "$D/holder.ready" ] && break; sleep 0.05; done
rm -f "$D/holder.ready"
tb_expect "readonly: -wal and -shm exist while a writer is connected" \
    test -e "$D/touchbase.db-wal" -a -e "$D/touchbase.db-shm"
chgrp "$GID" "$D" "$D"/touchbase.db*
chmod 0640 "$D"/touchbase.db*
chmod 0750 "$D"
readers "readonly (with -wal/-shm)"
chmod 0755 "$D"
touch "$D/holder.stop"
wait "$HOLDER" 2>/dev/null
HOLDER=
rm -f "$D/holder.stop"
chmod 0750 "$D"

# 2. A clean stop removed -wal and -shm; the folder is still not writable.
tb_expect "readonly: no -wal/-shm after the last connection closed" \
    test ! -e "$D/touchbase.db-wal" -a ! -e "$D/touchbase.db-shm"
readers "readonly (no -wal/-shm)"
tb_expect "readonly: the readers created no -wal/-shm" \
    test ! -e "$D/touchbase.db-wal" -a ! -e "$D/touchbase.db-shm"

# 3. No read access at all: the error says what is missing and how to get it.
chgrp 0 "$D/touchbase.db"
chmod 0600 "$D/touchbase.db"
as_reader "$DM_TB" -c "$D/touchbase.ini" log >"$D/denied.out" 2>"$D/denied.err"
dm_is "readonly: no read access: exit status" "$?" 1
sed 's/^/    /' "$D/denied.err"
tb_grep "readonly: no read access: names the file" "$D/touchbase.db" "$D/denied.err"
# (the folder's name, "readonly", taken out of the text first)
sed "s|$D||g" "$D/denied.err" | grep -Eqi 'read' ||
	tb_fail "readonly: no read access: does not say that read access is missing"
grep -Eqi "group[^[:alnum:]]{1,3}touchbase|touchbase[^[:alnum:]]{1,3}group" "$D/denied.err" ||
	tb_fail "readonly: no read access: no hint at the group 'touchbase'"
chmod 0755 "$D"
chmod 0700 "$W"

# --- backup -------------------------------------------------------------
NB=100
tb_smtpd_start --spool "$W/backup.spool" --slow-rcpt 0.03 || exit 1
setup backup $NB URL="smtp://127.0.0.1:$SMTPD_PORT"
dm_ft_bg "$AT" "$DM_TBD" -c "$D/touchbase.ini" --once 2>"$D/sending.err"
SENDER=$DM_BG
for i in $(seq 1 600); do
	[ "$(sent "$D")" -ge 10 ] && break
	kill -0 "$SENDER" 2>/dev/null || break
	sleep 0.05
done
before=$(sent "$D")
dm_ft "$AT" timeout 60 "$DM_TB" -c "$D/touchbase.ini" backup "$W/copy.db" >"$D/backup.out" 2>"$D/backup.err"
rc=$?
during=$(kill -0 "$SENDER" 2>/dev/null && echo "while the pass ran" || echo "after the pass ended")
wait "$SENDER"
src=$?
echo "backup: $before sent when the backup began, $during; backup exit $rc:"
sed 's/^/    /' "$D/backup.out" "$D/backup.err"
dm_is "backup: exit status" "$rc" 0
if [ -f "$W/copy.db" ]; then
	dm_is "backup: the copy passes integrity_check" \
	    "$(sqlite3 "$W/copy.db" 'PRAGMA integrity_check' 2>&1)" ok
	c=$(sqlite3 "$W/copy.db" "SELECT COUNT(*) FROM messages WHERE status = 'sent'" 2>&1)
	echo "backup: the copy holds $c sent rows"
	[ "$c" -ge "$before" ] 2>/dev/null ||
		tb_fail "backup: the copy holds '$c' sent rows, $before were committed before it began"
else
	tb_fail "backup: no copy written"
fi
dm_is "backup: the sending pass exit status" "$src" 0
dm_is "backup: all $NB sent despite the backup" "$(sent "$D")" $NB
tb_smtpd_stop
tb_store_check backup "$W/backup.spool" "$D/touchbase.db" $NB 0 || TB_FAILS=$((TB_FAILS + 1))
printf 'not a database: keep me\n' >"$W/existing"
cp "$W/existing" "$W/existing.orig"
"$DM_TB" -c "$D/touchbase.ini" backup "$W/existing" >"$D/backup2.out" 2>"$D/backup2.err"
rc=$?
dm_is "backup: an existing FILE is refused: exit status ($(head -c 300 "$D/backup2.err"))" "$rc" 1
tb_expect "backup: the existing FILE is unchanged" cmp -s "$W/existing" "$W/existing.orig"

# --- damaged --------------------------------------------------------------
setup damaged $N
db_once "$D" "$AT" damaged.1
dm_is "damaged: the sending pass exits 0" "$DB_RC" 0
dm_is "damaged: $N sent" "$(sent "$D")" $N
tb_expect "damaged: no -wal left after the pass" test ! -s "$D/touchbase.db-wal"
ps=$(dm_sql "$D" 'PRAGMA page_size')
# The middle leaf pages of the messages table (every pass reads them).
pages=$(dm_sql "$D" "SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' ORDER BY pageno" 2>/dev/null)
np=$(echo "$pages" | grep -c .)
if [ "$np" -ge 2 ]; then
	victims=$(echo "$pages" | sed -n "$((np / 2)),$((np / 2 + 1))p")
else
	n=$(dm_sql "$D" 'PRAGMA page_count')
	victims="$((n / 2)) $((n / 2 + 1))"
fi
echo "damaged: overwriting pages" $victims "of $(dm_sql "$D" 'PRAGMA page_count') (page size $ps)"
rm -f "$D/touchbase.db-wal" "$D/touchbase.db-shm"
for p in $victims; do
	yes 'damaged!' | tr -d '\n' | head -c "$ps" |
	    dd of="$D/touchbase.db" bs="$ps" seek=$((p - 1)) count=1 conv=notrunc 2>/dev/null
done
cp "$D/touchbase.db" "$W/damaged.orig"
db_once "$D" "2027-03-04 10:00:00" damaged.2
dm_is "damaged: touchbased --once exits 1" "$DB_RC" 1
sed 's/^/    /' "$DB_ERR"
tb_grep "damaged: names the file" "$D/touchbase.db" "$DB_ERR"
grep -Eqi "not (touch|modify|change|write|use)|won't|will not|refus" "$DB_ERR" ||
	tb_fail "damaged: does not say it will leave the file alone"
grep -qi 'backup' "$DB_ERR" || tb_fail "damaged: does not name the backups"
grep -qi 'restor' "$DB_ERR" || tb_fail "damaged: does not say how to restore"
tb_expect "damaged: the file is left byte for byte as it was" cmp -s "$D/touchbase.db" "$W/damaged.orig"
dm_is "damaged: nothing delivered again" "$(delivered "$D")" $N
"$DM_TB" -c "$D/touchbase.ini" check >"$D/check.out" 2>&1
dm_is "damaged: touchbase check exits 1" "$?" 1
sed 's/^/    /' "$D/check.out"
tb_grep "damaged: check names the file" "$D/touchbase.db" "$D/check.out"
tb_expect "damaged: check left the file as it was" cmp -s "$D/touchbase.db" "$W/damaged.orig"
tb_done
