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
tb_done
