#!/bin/bash
# render_mime.sh - `touchbase render` prints messages that Python's e-mail
# parser reads back exactly: headers decode to the original UTF-8, the
# text part to the rendered template, the card's image is the part its
# HTML names as cid:FILE, and nothing has a defect (check_mime.py).
#
# The shipped example configuration is used as it is, copied so that the
# database path points into the test's own folder: render then sees no
# send history and picks the first variant, whatever the machine has in
# /var/lib/touchbase.
. "$SRC/tests/e2e/lib.sh"

TB=$BUILD/touchbase
D=$TMPDIR_E2E/conf
cp -r "$SRC/conf" "$D"
sed -i "s|^database *=.*|database = $TMPDIR_E2E/touchbase.db|" "$D/touchbase.ini"
export TZ=Europe/Berlin
# The bytes do not depend on the owner's locale: render runs under a
# German one when the machine has it (make deps generates de_DE.UTF-8),
# and check_mime.py still wants "Date: Sun, 28 Feb 2027 ...".
LOC=C
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	LOC=de_DE.UTF-8
else
	echo "note: no de_DE.UTF-8 locale; render runs under C" >&2
fi

RENDER_PRE=()	# a command prefix for render (faketime)
# render_case NAME CLIENT OCCASION DATE: renders and checks one message
# that the planner has on DATE (so stderr stays empty: no fallback note).
render_case() {
	local name=$1 out=$TMPDIR_E2E/$1.eml err=$TMPDIR_E2E/$1.err rc=0
	# RENDER_AT: the clock for this render (render --date renders the
	# plan's occurrence on a day still ahead, the late path only for a
	# day already past).  libfaketime is preloaded directly: the faketime
	# wrapper's semaphores collide between test runs.
	LC_ALL=$LOC ${RENDER_AT:+env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME="@$RENDER_AT" FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC ASAN_OPTIONS=verify_asan_link_order=0} \
	    "$TB" -c "$D/touchbase.ini" render "$2" "$3" --date "$4" \
	    >"$out" 2>"$err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		tb_fail "$name: render $2 $3 --date $4 exited $rc: $(cat "$err")"
		return
	fi
	[ -s "$err" ] && tb_fail "$name: render said: $(cat "$err")"
	"$TB_PYTHON" "$SRC/tests/e2e/check_mime.py" "$name" "$out" \
	    "$D/templates" || tb_fail "$name: the message does not read back"
}

# 29 Feb birthday in a common year; New York; yearless birthday of a
# private friend; the 14-day check-in after a project ended on 12 March:
# Good Friday 26 March, a working day in Vienna (AT-9), so not moved.
render_case anna anna-mueller birthday 2027-02-28
render_case sarah sarah-collins birthday 2027-05-03
render_case juergen juergen-schaefer birthday 2027-07-14
render_case thomas thomas-mueller followup 2027-03-26
# Vienna, de-AT, sie: the German formal card (birthday.de-sie.*), German
# notice; one language and one form throughout.
render_case thomas-birthday thomas-mueller birthday 2027-06-08
tb_grep "de-AT sie: formal subject" \
    "Subject: =?UTF-8?Q?Herzlichen_Gl=C3=BCckwunsch_zum_Geburtstag?=" \
    "$TMPDIR_E2E/thomas-birthday.eml"
tb_expect "de-AT sie: no English anywhere" \
    sh -c "! grep -q 'Rather not' '$TMPDIR_E2E/thomas-birthday.eml'"

# A late birthday of an English client when there is no English belated
# template: the English ordinary card, not the German belated one.  The
# client was first seen in January (so the birthday of 3 May is caught
# up on the 4th, not skipped as older than the installation).  render
# plans from now: it runs on 4 May (faketime), the daemon having carried
# the plan out until 3 May 12:00 UTC, before her 09:00 in New York.
rm "$D/templates/birthday-belated.en.txt"
"$TB" -c "$D/touchbase.ini" touch juergen-schaefer --date 2026-01-01 \
    >/dev/null || tb_fail "touch (to create the database) failed"
"$TB_PYTHON" -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO clients_seen (client, first_seen) "
          "VALUES (\x27sarah-collins\x27, 1798761600)")
c.execute("INSERT INTO state (key, value) "
          "VALUES (\x27plan_carried_until\x27, 1809345600)")
c.commit()' "$TMPDIR_E2E/touchbase.db" || tb_fail "cannot mark sarah seen"
RENDER_AT="2027-05-05 12:00:00" render_case sarah-late sarah-collins birthday 2027-05-04
tb_grep "sarah-late: the English ordinary card" "Subject: Happy birthday!" \
    "$TMPDIR_E2E/sarah-late.eml"

# Not the occasion's day: rendered all the same, as if it were due then,
# with a note on stderr.
rc=0
"$TB" -c "$D/touchbase.ini" render anna-mueller birthday --date 2027-03-01 \
    >"$TMPDIR_E2E/off.eml" 2>"$TMPDIR_E2E/off.err" || rc=$?
tb_expect "render off the day exits 0 (got $rc)" test "$rc" -eq 0
tb_grep "render off the day says so" "touchbase render: note: the plan has no birthday for anna-mueller on 2027-03-01; rendered as if it were due then" "$TMPDIR_E2E/off.err"
tb_grep "render off the day is dated that day" \
    "Date: Mon, 01 Mar 2027 09:00:00 +0100" "$TMPDIR_E2E/off.eml"

# the same render twice differs only in its Message-ID and boundaries
"$TB" -c "$D/touchbase.ini" render anna-mueller birthday --date 2027-02-28 \
    >"$TMPDIR_E2E/again.eml" 2>/dev/null
a=$(grep -v -e '^Message-ID:' -e '=_tb-' "$TMPDIR_E2E/anna.eml" | md5sum)
b=$(grep -v -e '^Message-ID:' -e '=_tb-' "$TMPDIR_E2E/again.eml" | md5sum)
tb_expect "two renders of the same message differ beyond the Message-ID" \
    test "$a" = "$b"
tb_expect "each render gets its own Message-ID" \
    test "$(grep '^Message-ID:' "$TMPDIR_E2E/anna.eml")" != \
    "$(grep '^Message-ID:' "$TMPDIR_E2E/again.eml")"

# errors: unknown client (exit 1, close ids listed), occasion, usage (2)
rc=0
"$TB" -c "$D/touchbase.ini" render anna-muller birthday --date 2027-02-28 \
    >"$TMPDIR_E2E/out" 2>"$TMPDIR_E2E/err" || rc=$?
tb_expect "unknown client exits 1 (got $rc)" test "$rc" -eq 1
tb_expect "unknown client: nothing on stdout" test ! -s "$TMPDIR_E2E/out"
tb_grep "unknown client names close ids" \
    "clients.conf; close: 'anna-mueller'" "$TMPDIR_E2E/err"
tb_grep "unknown client is named" "no client 'anna-muller' in " \
    "$TMPDIR_E2E/err"
rc=0
"$TB" -c "$D/touchbase.ini" render anna-mueller advent \
    >"$TMPDIR_E2E/out" 2>"$TMPDIR_E2E/err" || rc=$?
tb_expect "an occasion the client does not get exits 1 (got $rc)" \
    test "$rc" -eq 1
tb_grep "lists the client's occasions" \
    "client 'anna-mueller' does not receive 'advent'; the occasions of 'anna-mueller' are: birthday, followup, checkin, jubilee, studio-opening" \
    "$TMPDIR_E2E/err"
rc=0
"$TB" -c "$D/touchbase.ini" render anna-mueller >/dev/null 2>&1 || rc=$?
tb_expect "a missing argument is a usage error (got $rc)" test "$rc" -eq 2
rc=0
"$TB" -c "$D/touchbase.ini" render anna-mueller birthday --date 2027-02-30 \
    >/dev/null 2>"$TMPDIR_E2E/err" || rc=$?
tb_expect "an impossible --date is a usage error (got $rc)" test "$rc" -eq 2
tb_grep "a bad --date says why" "2027-02-30" "$TMPDIR_E2E/err"

tb_done
