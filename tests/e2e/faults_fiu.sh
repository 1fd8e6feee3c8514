#!/bin/bash
# faults_fiu.sh - touchbased under injected I/O faults (libfiu's POSIX
# preload via fiu-run) and a full disk never loses a greeting nor sends one
# twice.
#   maildir   40 birthday greetings due at Wed 2027-03-03 13:30; 30
#             `touchbased --once` passes 5 minutes apart, each under random
#             failures (2 % each) of write, pwrite, fsync, fdatasync and
#             open; then clean passes until nothing is due.  No pass crashes
#             (exit 0 or 1, no sanitizer report), the ledger holds each
#             occurrence `sent` once, and the Maildir holds each greeting
#             once (by Message-ID, new/ and cur/ together).
#   smtp      the same against tests/smtpd.py: the ledger holds each `sent`
#             once; the server may hold a greeting twice only when a fault
#             hit the commit after the server took it, at most once per
#             pass (libfiu does not say which calls it failed, so the bound
#             is the number of faulted passes), with the same Message-ID.
#   enospc    the database's file system fills up (a small tmpfs when this
#             root may mount, else fiu failing every pwrite with ENOSPC,
#             which only SQLite uses): the pass stops with exit 1 and says
#             so, nothing sent is lost from the ledger, and once there is
#             space again the next pass sends the rest, each once.
# The random faults are reproducible: FAULTS_SEED=N reruns a given seed;
# FAULTS_NO_MOUNT=1 takes the fiu path for the full disk even as root.
# fiu-run missing is a failure, not a skip (tests/deps.sh installs it).
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require

command -v fiu-run >/dev/null 2>&1 ||
	{ echo "FAIL: fiu-run is missing: apt-get install fiu-utils (make deps)"; exit 1; }
FIU_DIR=
for d in /usr/lib/fiu /usr/local/lib/fiu /usr/lib/x86_64-linux-gnu/fiu; do
	[ -r "$d/fiu_posix_preload.so" ] && [ -r "$d/fiu_run_preload.so" ] && { FIU_DIR=$d; break; }
done
[ -n "$FIU_DIR" ] || { echo "FAIL: libfiu's preload libraries are missing (fiu-utils, libfiu0)"; exit 1; }

# libfiu's preloaded wrappers and ASan's runtime cannot share a process
# (it crashes before main).  Under SANITIZE=1 the faults are injected into
# the plain build, made here when missing; the sanitizers cover the same
# paths in every other test.
if [ "${SANITIZE:-}" = 1 ]; then
	# (not the sanitized build that make's own variables would ask for)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u BUILD \
	    make -C "$SRC" --no-print-directory -s all >/dev/null ||
		{ echo "FAIL: cannot build the plain binaries for libfiu"; exit 1; }
	DM_TB=$SRC/build/touchbase
	DM_TBD=$SRC/build/touchbased
	echo "SANITIZE=1: faults injected into $DM_TBD (libfiu cannot preload into ASan)"
fi

N=40
PASSES=30
P=0.02
SEED=${FAULTS_SEED:-$RANDOM}
echo "fault seed $SEED (FAULTS_SEED=$SEED reproduces it)"
FAULTS=()
for fp in posix/io/rw/write posix/io/rw/pwrite posix/io/sync/fsync \
    posix/io/sync/fdatasync posix/io/oc/open; do
	FAULTS+=(-c "enable_random name=$fp,probability=$P")
done

# fiu_once DIR WHEN SEED ERR FIU-COMMANDS…: one `touchbased --once` at WHEN
# under fiu-run with the given fiu commands; exit status in FIU_RC.  fiu-run
# sets LD_PRELOAD to its own libraries; env (a program that does no I/O of
# its own to fail) adds libfaketime behind them.
fiu_once() {
	local d=$1 when=$2 seed=$3 err=$4
	shift 4
	FIU_PRNG_SEED=$seed fiu-run -x -f "" -l "$FIU_DIR" "$@" \
	    env LD_PRELOAD="$FIU_DIR/fiu_run_preload.so $FIU_DIR/fiu_posix_preload.so $DM_FAKETIME_LIB" \
	    FAKETIME="@$when" FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Europe/Berlin \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    "$DM_TBD" -c "$d/touchbase.ini" --once 2>"$err"
	FIU_RC=$?
}

# status_ok LABEL RC ERR: exit 0 or 1 only, and no sanitizer report.
status_ok() {
	case $2 in
	0|1) ;;
	*) tb_fail "$1: exit status $2 (a crash or an unexpected status):"; tail -n 5 "$3" | sed 's/^/    /' ;;
	esac
	if grep -q 'Sanitizer\|runtime error' "$3"; then
		tb_fail "$1: sanitizer report:"
		grep -A5 'Sanitizer\|runtime error' "$3" | head -n 20
	fi
}

sent() { dm_sql "$1" "SELECT COUNT(*) FROM messages WHERE status = 'sent'"; }

# Clean passes after the faults: the retry ladder (5min 15min 1h 4h 12h)
# within three days (give_up_after), in the send window.
CLEAN="2027-03-03 16:00:00|2027-03-03 16:55:00|2027-03-04 09:00:00|2027-03-04 13:00:00|2027-03-04 16:55:00|2027-03-05 09:00:00|2027-03-05 13:00:00|2027-03-05 16:55:00"

# scenario NAME URL-KIND: N greetings, PASSES faulted passes, clean passes.
scenario() {
	local name=$1 d=$TMPDIR_E2E/$1 i when rc0=0 rc1=0 s store maxdup
	mkdir -p "$d"
	tb_birthday_book $N "${name:0:1}" >"$d/book.conf"
	dm_case "$d" "$d/book.conf"
	if [ "$name" = smtp ]; then
		tb_smtpd_start --spool "$d/spool" || exit 1
		dm_ini "$d" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=none TIMEOUT=5s DAILY_LIMIT=1000
		store=$d/spool
	else
		dm_ini "$d" URL="maildir:outbox" TLS=none TIMEOUT=5s DAILY_LIMIT=1000
		store=$d/outbox
	fi
	dm_once "$d" "2027-03-01 08:00:00" >/dev/null
	dm_is "$name: day 0 exit status" "$DM_RC" 0
	for i in $(seq 1 $PASSES); do
		when=$(TZ=Europe/Berlin date -d "2027-03-03 13:30:00 $(( (i - 1) * 5 )) minutes" '+%Y-%m-%d %H:%M:%S')
		fiu_once "$d" "$when" $((SEED * 100 + i)) "$d/fiu.$i.err" "${FAULTS[@]}"
		status_ok "$name: faulted pass $i at $when" "$FIU_RC" "$d/fiu.$i.err"
		[ "$FIU_RC" = 0 ] && rc0=$((rc0 + 1))
		[ "$FIU_RC" = 1 ] && rc1=$((rc1 + 1))
	done
	echo "$name: $PASSES faulted passes ($rc0 exit 0, $rc1 exit 1): $(sent "$d") of $N sent"
	IFS='|' read -r -a times <<<"$CLEAN"
	for when in "${times[@]}"; do
		dm_once "$d" "$when" >/dev/null
		dm_is "$name: clean pass at $when: exit status" "$DM_RC" 0
		status_ok "$name: clean pass at $when" "$DM_RC" "$DM_ERR"
		s=$(sent "$d")
		echo "$name: clean pass at $when: $s of $N sent"
		[ "$s" -ge $N ] && break
	done
	dm_is "$name: all $N sent after the clean passes" "$(sent "$d")" $N
	dm_is "$name: nothing left queued or deferred" \
	    "$(dm_sql "$d" "SELECT COUNT(*) FROM messages WHERE status IN ('queued','deferred')")" 0
	dm_is "$name: one sent attempt per occurrence" \
	    "$(dm_sql "$d" "SELECT COUNT(*) FROM attempts WHERE outcome = 'sent'"):$(dm_sql "$d" "SELECT COUNT(*) FROM (SELECT message_id FROM attempts WHERE outcome = 'sent' GROUP BY message_id HAVING COUNT(*) > 1)")" \
	    "$N:0"
	dm_is "$name: one row per client" \
	    "$(dm_sql "$d" "SELECT COUNT(DISTINCT client) FROM messages WHERE occurrence = 'birthday/2027'")" $N
	dm_is "$name: the ledger is sound" "$(dm_sql "$d" 'PRAGMA integrity_check')" ok
	# One more pass finds nothing to do.
	dm_once "$d" "2027-03-05 16:58:00" >/dev/null
	dm_is "$name: a last pass sends nothing" "$(sed -n 's/.*pass done: \([0-9]*\) sent.*/\1/p' "$DM_ERR")" 0
	maxdup=0
	[ "$name" = smtp ] && maxdup=$PASSES
	tb_store_check "$name" "$store" "$d/touchbase.db" $N $maxdup || TB_FAILS=$((TB_FAILS + 1))
	[ "$name" = smtp ] && tb_smtpd_stop
}

scenario maildir
scenario smtp

# --- a full disk under the database -----------------------------------
E=$TMPDIR_E2E/enospc
M=$E/db
NE=20
mkdir -p "$M"
tb_birthday_book $NE e >"$E/book.conf"
dm_case "$E" "$E/book.conf"
dm_ini "$E" URL="maildir:$E/outbox" TLS=none TIMEOUT=5s DAILY_LIMIT=1000
sed -i "s|^database *=.*|database  = $M/touchbase.db|" "$E/touchbase.ini"
mounted=0
trap '[ "$mounted" = 1 ] && umount "$M" 2>/dev/null; tb_cleanup' EXIT
if [ -z "$FAULTS_NO_MOUNT" ] && [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m,mode=0755 touchbase-e2e "$M" 2>/dev/null; then
	mounted=1
	echo "enospc: a 1 MiB tmpfs under the database"
else
	echo "enospc: cannot mount here: fiu fails every pwrite with ENOSPC instead"
fi
E_SQL() { sqlite3 -cmd '.timeout 5000' "$M/touchbase.db" "$1"; }
dm_once "$E" "2027-03-01 08:00:00" >/dev/null
dm_is "enospc: day 0 exit status" "$DM_RC" 0
dm_is "enospc: day 0 saw $NE clients" "$(E_SQL 'SELECT COUNT(*) FROM clients_seen')" $NE
# full_pass WHEN LABEL FIU-COMMAND: one pass with (nearly) no space left:
# on the tmpfs as it is, or under fiu with FIU-COMMAND.  FULL_RC, FULL_ERR.
full_pass() {
	if [ "$mounted" = 1 ]; then
		dm_once "$E" "$1" >/dev/null
		FULL_RC=$DM_RC FULL_ERR=$DM_ERR
	else
		FULL_ERR=$E/fiu.$2.err
		fiu_once "$E" "$1" $((SEED * 100 + 77)) "$FULL_ERR" -c "$3"
		FULL_RC=$FIU_RC
	fi
	sed 's/^/    /' "$FULL_ERR"
}
# full_lines LABEL: the pass says the disk is full once, not per message.
full_lines() {
	local c
	c=$(grep -Eci 'full|no space' "$FULL_ERR")
	[ "$c" -ge 1 ] || tb_fail "$1: does not say the disk is full (see its log above)"
	[ "$c" -le 1 ] || tb_fail "$1: says the disk is full $c times, not once: it did not stop"
}
# claimed_ok LABEL: whatever reached the Maildir has its row, claimed.
claimed_ok() {
	local f mid st
	for f in $(find "$E/outbox/new" "$E/outbox/cur" -type f 2>/dev/null); do
		mid=$(dm_raw_hdr "$f" Message-ID)
		st=$(E_SQL "SELECT status FROM messages WHERE message_id = '$mid'")
		case $st in
		sent|queued) ;;
		*) tb_fail "$1: ${f##*/} ($mid) is in the Maildir, its row is '$st'" ;;
		esac
	done
}
avail() { df --output=avail -k "$M" | tail -n 1 | tr -d ' '; }

# 1. Room for a few commits only: the pass stops when the disk fills.
if [ "$mounted" = 1 ]; then
	dd if=/dev/zero of="$M/filler" bs=4k count=$(( $(avail) / 4 - 40 )) >/dev/null 2>&1
	echo "enospc: $(avail) KiB left"
fi
full_pass "2027-03-03 13:30:00" 1 "enable_random name=posix/io/rw/pwrite,probability=0.05,failinfo=28"
dm_is "enospc: the pass that fills the disk exits 1" "$FULL_RC" 1
status_ok "enospc: the pass that fills the disk" "$FULL_RC" "$FULL_ERR"
full_lines "enospc: the pass that fills the disk"
sent1=$(E_SQL "SELECT COUNT(*) FROM messages WHERE status = 'sent'")
[ "$sent1" -lt $NE ] || tb_fail "enospc: the disk never filled: all $NE sent in the first pass"
claimed_ok "enospc: after the pass that filled the disk"
echo "enospc: $sent1 sent before the disk filled"
before=$(E_SQL .dump)

# 2. Not a block left: the next pass stops at once, sends nothing.
if [ "$mounted" = 1 ]; then
	dd if=/dev/zero of="$M/filler2" bs=4k >/dev/null 2>&1
	dm_is "enospc: the file system is full" "$(avail)" 0
fi
n1=$(find "$E/outbox/new" "$E/outbox/cur" -type f 2>/dev/null | wc -l)
full_pass "2027-03-03 13:50:00" 2 "enable name=posix/io/rw/pwrite,failinfo=28"
dm_is "enospc: a pass on the full disk exits 1" "$FULL_RC" 1
status_ok "enospc: a pass on the full disk" "$FULL_RC" "$FULL_ERR"
full_lines "enospc: the pass on the full disk"
n2=$(find "$E/outbox/new" "$E/outbox/cur" -type f 2>/dev/null | wc -l)
dm_is "enospc: nothing delivered while the ledger cannot record it" "$n2" "$n1"

# 3. Space returns: the next passes finish the work, each greeting once.
rm -f "$M/filler" "$M/filler2"
dm_is "enospc: the ledger is unchanged by the failed pass, and sound" \
    "$( [ "$(E_SQL .dump)" = "$before" ] && echo same):$(E_SQL 'PRAGMA integrity_check')" "same:ok"
for when in "2027-03-03 14:00:00" "2027-03-03 14:30:00" "2027-03-04 09:00:00" "2027-03-04 14:00:00"; do
	dm_once "$E" "$when" >/dev/null
	dm_is "enospc: pass at $when after space returned: exit status" "$DM_RC" 0
	[ "$(E_SQL "SELECT COUNT(*) FROM messages WHERE status = 'sent'")" -ge $NE ] && break
done
dm_is "enospc: all $NE sent once space returned" \
    "$(E_SQL "SELECT COUNT(*) FROM messages WHERE status = 'sent'")" $NE
tb_store_check enospc "$E/outbox" "$M/touchbase.db" $NE 0 || TB_FAILS=$((TB_FAILS + 1))
tb_done
