#!/bin/bash
# manpages.sh - the four manual pages format without a single warning
# (`man --warnings`, and `mandoc -Tlint` at warning level when mandoc is
# installed), can be indexed by apropos (lexgrog), document what the SPEC
# promises (environment, signals, send-log statuses, the crash guarantee)
# and every option and command the programs' --help lists.
. "$SRC/tests/e2e/lib.sh"

command -v man >/dev/null 2>&1 || tb_skip "man (man-db) is not installed"

pages="touchbased.8 touchbase.1 touchbase.ini.5 touchbase-clients.conf.5"
export LC_ALL=C.UTF-8 MANWIDTH=200

for p in $pages; do
	f=$SRC/man/$p
	if [ ! -f "$f" ]; then
		tb_fail "man/$p is missing"
		continue
	fi
	w=$(man --warnings -l "$f" 2>&1 >/dev/null)
	[ -z "$w" ] || { tb_fail "man --warnings -l man/$p:"; echo "$w" | sed 's/^/    /'; }
	if command -v mandoc >/dev/null 2>&1; then
		w=$(mandoc -Tlint -Wwarning "$f" 2>&1 | grep -v 'mandoc\.db')
		[ -z "$w" ] || { tb_fail "mandoc -Tlint man/$p:"; echo "$w" | sed 's/^/    /'; }
	fi
	if command -v lexgrog >/dev/null 2>&1; then
		lexgrog "$f" >/dev/null 2>&1 || tb_fail "lexgrog cannot read the NAME section of man/$p"
	fi
	man --nh --nj -l "$f" 2>/dev/null | col -b >"$TMPDIR_E2E/$p.txt"
	[ -s "$TMPDIR_E2E/$p.txt" ] || tb_fail "man/$p renders to nothing"
done

# must PAGE STRING...: the rendered PAGE contains each STRING.
must() {
	local p=$1 s
	shift
	for s in "$@"; do
		grep -qF -- "$s" "$TMPDIR_E2E/$p.txt" ||
			tb_fail "$p does not mention '$s'"
	done
}

must touchbased.8 TOUCHBASE_CONFIG NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID \
	JOURNAL_STREAM CREDENTIALS_DIRECTORY SIGHUP SIGTERM SIGINT \
	READY=1 RELOADING=1 MONOTONIC_USEC STOPPING=1 STATUS= WATCHDOG=1 \
	Type=notify --once /etc/touchbase/touchbase.ini \
	/var/lib/touchbase/touchbase.db "same Message-ID" "EXIT STATUS" \
	/etc/touchbase/smtp-password
for st in queued sent deferred failed skipped missed; do
	must touchbased.8 "$st"
	must touchbase.1 "$st"
done
must touchbase.1 TOUCHBASE_CONFIG "EXIT STATUS" "--format" message_id \
	smtp_code smtp_reply vcard csv ics
must touchbase.ini.5 "[sender]" "[delivery]" "[schedule]" "[paths]" \
	objection_notice password_file ca_file give_up_after send_window \
	weekdays holidays min_gap daily_limit catch_up DE-BY maildir: \
	smtp:// smtps://
must touchbase-clients.conf.5 birthday yearly once after_project casual \
	feb29 offsets jitter every paused_until consent_date \
	"{{salutation}}" "{{first_name}}" "{{project}}" "{{years}}" "{{age}}" \
	"{{sender_name}}" -belated List-Unsubscribe consent customer personal \
	min_gap daily_limit catch_up

# Every option and command in the programs' own usage is documented.
if [ -x "$BUILD/touchbased" ] && [ -x "$BUILD/touchbase" ]; then
	for o in $("$BUILD/touchbased" --help 2>&1 | grep -o -- ' --\?[a-z][a-z-]*' | sort -u); do
		must touchbased.8 "$o"
	done
	for c in $("$BUILD/touchbase" --help 2>&1 | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'); do
		must touchbase.1 "touchbase [-c file] $c"
		# touchbase --help lists the same options as `touchbase C
		# --help` (e.g. show --raw)
		all=$("$BUILD/touchbase" --help 2>&1 | awk -v c="$c" '
			/^  [a-z]/ { on = ($1 == c) } on' |
		    grep -o -- '--[a-z][a-z-]*' | grep -vx -- '--help' | sort -u)
		own=$("$BUILD/touchbase" "$c" --help 2>&1 |
		    grep -o -- '--[a-z][a-z-]*' | grep -vx -- '--help' | sort -u)
		[ "$all" = "$own" ] ||
		    tb_fail "touchbase --help for $c lists '$(echo $all)', touchbase $c --help '$(echo $own)'"
	done
else
	echo "note: $BUILD has no touchbase/touchbased; usage not compared" >&2
fi

tb_done
