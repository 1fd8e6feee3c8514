#!/bin/bash
# inbox_maildir.sh - hearing back through the maildir: backend: a Maildir++
# folder as mbsync or a local Dovecot leaves it (unread mail in new/, the
# sent folder in .Sent), read by touchbased and `touchbase inbox`; the
# same story as inbox_imap.sh (tests/fixtures/inbox/lib_inbox.sh).
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/inbox/lib_inbox.sh"
ib_require

NOW=$(date +%s)
ROOT=$TMPDIR_E2E/Maildir
ib_seed "$ROOT" --new
ib_case "$TMPDIR_E2E/case" "maildir:$ROOT" "check_every=15min"
"$IB_TB" -c "$TMPDIR_E2E/case/touchbase.ini" check >"$TMPDIR_E2E/check.out" 2>&1 ||
	{ tb_fail "check refused the configuration:"; cat "$TMPDIR_E2E/check.out"; }
ib_scenario "$TMPDIR_E2E/case" "$ROOT"
ib_is "unread mail stays in new/" "$(ls "$ROOT/new" | wc -l)" 3

# The timer's route: `touchbased --once` scans too, once per check_every.
ROOT2=$TMPDIR_E2E/Maildir2
ib_seed "$ROOT2" --new
ib_case "$TMPDIR_E2E/once" "maildir:$ROOT2" "check_every=15min"
"$IB_TB" -c "$TMPDIR_E2E/once/touchbase.ini" inbox --dry-run >/dev/null 2>&1
ib_rows "$TMPDIR_E2E/once"
for i in 1 2; do
	TZ=Europe/Berlin "$IB_TBD" -c "$TMPDIR_E2E/once/touchbase.ini" --once \
	    >/dev/null 2>"$TMPDIR_E2E/once/once.$i.err"
	echo "--- touchbased --once ($i):"; sed 's/^/    /' "$TMPDIR_E2E/once/once.$i.err"
done
diff <(ib_expected_lines | sed 's/^/inbox: /') \
    <(sed -n 's/^touchbased: \(inbox: .*\)$/\1/p' "$TMPDIR_E2E/once/once.1.err" |
      grep -v "an 'unsubscribe' mail from") >"$TMPDIR_E2E/once/once.diff" ||
	{ tb_fail "--once: its scan logged:"; sed 's/^/    /' "$TMPDIR_E2E/once/once.diff"; }
ib_is "--once: the second run, within check_every, does not scan" \
    "$(grep -c 'inbox: ' "$TMPDIR_E2E/once/once.2.err")" 0
tb_done
