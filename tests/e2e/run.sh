#!/bin/sh
# Runs every end-to-end test script tests/e2e/*.sh (lib.sh excepted) with
#   BUILD      the folder holding touchbase and touchbased
#   SRC        the repository root
#   TMPDIR_E2E a fresh temporary folder, removed afterwards
# A script exits 0 to pass, anything else fails.  77 (a script that
# cannot run: a test dependency is missing) fails too, loudly: `make
# check` installs what the tests need, and a suite that skips is not a
# suite that passed.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
export SRC BUILD
pass=0; fail=0; failed=""
for t in "$SRC"/tests/e2e/*.sh; do
	name=${t##*/}
	[ "$name" = lib.sh ] && continue
	[ "$name" = run.sh ] && continue
	if [ -n "$E2E_ONLY" ] && [ "${name%.sh}" != "$E2E_ONLY" ]; then continue; fi
	TMPDIR_E2E=$(mktemp -d /tmp/touchbase-e2e.XXXXXX)
	export TMPDIR_E2E
	start=$(date +%s)
	bash "$t" >"$TMPDIR_E2E.log" 2>&1 </dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "e2e: ok   $name (${secs}s)" ;;
	77) fail=$((fail + 1)); failed="$failed $name"
	   echo "e2e: FAIL $name: could not run: $(tail -n 1 "$TMPDIR_E2E.log") (make deps installs what the tests need)" ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   echo "e2e: FAIL $name (exit $rc, ${secs}s)"; sed 's/^/    | /' "$TMPDIR_E2E.log" | tail -n 40 ;;
	esac
	rm -rf "$TMPDIR_E2E" "$TMPDIR_E2E.log"
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "e2e: failed:$failed"; exit 1; }
