#!/bin/bash
# daemon_cache.sh - the resident daemon's wake-ups from the plan it keeps
# (plancache.c), against a real SMTP server on 127.0.0.1, under
# libfaketime running 60 times faster from Wed 2027-03-03 08:59.
#
# Five birthdays that day (c1..c5), spread from 09:00 two minutes apart;
# the owner has held c3's, which keeps its place (09:04).  A watchdog of
# 40 s wakes the daemon every 20 s besides.  The pass at 08:59 sends
# nothing and keeps the day's plan, c3's as "skipped: held"; the wake-ups
# up to 09:02 carry it out.  Then the owner releases c3's birthday from
# another process (`touchbase release`): the next wake-up sees the send
# log changed and plans in full (kept, the plan would record c3 skipped
# at 09:04), and c3's greeting goes at 09:04 after all.  Every row is
# `sent` once, at its planned moment, and the server got each greeting
# once.
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require

D=$TMPDIR_E2E/cache
SP=$D/spool
mkdir -p "$D"
tb_birthday_book 5 c >"$D/clients.conf"
cp -r "$DM_FIX/templates" "$D/templates"
tb_smtpd_start --spool "$SP" --events "$D/events" || exit 1
dm_ini "$D" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=none TIMEOUT=5s
dm_once "$D" "2027-03-01 08:00:00"
dm_is "day 0: exit status" "$DM_RC" 0
dm_ft "2027-03-01 08:05:00" "$DM_TB" -c "$D/touchbase.ini" hold c3 \
    birthday/2027 >"$D/hold.out" 2>&1 || { tb_fail "hold"; cat "$D/hold.out"; }

WATCHDOG_USEC=40000000 dm_ft_bg "2027-03-03 08:59:00 x60" "$DM_TBD" \
    -c "$D/touchbase.ini" -v 2>"$D/daemon.err"
PID=$DM_BG
TB_PIDS="$TB_PIDS $PID"
sent() { dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status = 'sent'" 2>/dev/null; }
# Until c2's greeting is sent (09:02, about 3 s from now), then at once.
for _ in $(seq 1 400); do
	[ "$(sent)" = 2 ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.02
done
dm_is "09:02: c1 and c2 sent" "$(sent)" 2
dm_ft "2027-03-03 09:02:30" "$DM_TB" -c "$D/touchbase.ini" release c3 \
    birthday/2027 >"$D/release.out" 2>&1 ||
	{ tb_fail "release"; cat "$D/release.out"; }
for _ in $(seq 1 600); do
	[ "$(sent)" = 5 ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.05
done
tb_smtpd_stop "$PID"
echo "--- touchbased -v:"
sed 's/^/    /' "$D/daemon.err"

dm_is "all five sent" "$(sent)" 5
dm_is "nothing skipped: c3's was released in time" \
    "$(dm_sql "$D" "SELECT COUNT(*) FROM messages WHERE status <> 'sent'")" 0
# 2027-03-03 09:00 CET is 08:00 UTC: 1804060800.
dm_is "each at its planned moment" \
    "$(dm_sql "$D" "SELECT group_concat(client || '@' || ((due - 1804060800) / 60), ' ') FROM (SELECT client, due FROM messages ORDER BY client)")" \
    "c1@0 c2@2 c3@4 c4@6 c5@8"
dm_is "the server got five greetings" "$(tb_spool_count "$SP")" 5
dm_is "08:59: the day's plan kept" "$(grep -m 1 'keeping the plan' "$D/daemon.err" |
    grep -cE 'keeping the plan until 2027-03-04T0[89]:[0-9:]+\+01:00: 5 items$')" 1
# 09:00 and 09:02 and the watchdog's wake-ups between them.
[ "$(grep -c 'carrying out the kept plan' "$D/daemon.err")" -ge 6 ] ||
	tb_fail "the wake-ups up to 09:02 were not carried out from the kept plan"
dm_is "the release is seen once" \
    "$(grep -c 'the kept plan no longer holds (the send log changed' "$D/daemon.err")" 1
# Order: c2 from the kept plan, then the release seen, then c3 sent.
"$TB_PYTHON" - "$D/daemon.err" <<'PY' || tb_fail "the log's order"
import sys
lines = open(sys.argv[1]).read().splitlines()
def at(text):
    return next(i for i, l in enumerate(lines) if text in l)
c2 = at("sent birthday/2027 to c2 ")
drop = at("the kept plan no longer holds")
c3 = at("sent birthday/2027 to c3 ")
assert c2 < drop < c3, (c2, drop, c3)
assert not any("skipped birthday/2027 for c3" in l for l in lines)
PY
tb_done
