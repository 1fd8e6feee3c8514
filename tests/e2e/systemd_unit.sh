#!/bin/bash
# systemd_unit.sh - `make install` and the systemd units it installs:
#   the file layout under DESTDIR with PREFIX=/usr (programs, manual pages,
#     units, sysusers.d and tmpfiles.d files, bash completion, example
#     configuration and its pristine copy) and its modes;
#   every unit: the fixed user touchbase (no DynamicUser), the wait for
#     time-sync.target, the daemon's start only on an own configuration
#     that passes `touchbased -t`, the timer's Conflicts= with the daemon;
#   a second `make install` keeps the owner's edited clients.conf and says
#     so; `make uninstall` removes programs, pages and unit but keeps
#     /etc/touchbase;
#   `systemd-analyze verify` of the installed unit prints nothing (the
#     ExecStart path is pointed at the installed binary under DESTDIR, and
#     MANPATH at the installed pages, so Documentation= is checked too);
#   `systemd-analyze security --offline=true` rates it 1.3 or better.
. "$SRC/tests/e2e/lib.sh"

command -v systemd-analyze >/dev/null 2>&1 ||
	tb_skip "systemd-analyze is not installed (package systemd)"

root=$TMPDIR_E2E/root
san=
[ "${BUILD##*/}" = build-san ] && san=1

# make_in TARGET: make TARGET into $root, output in $TMPDIR_E2E/TARGET.out.
make_in() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -C "$SRC" --no-print-directory "$1" DESTDIR="$root" \
	    PREFIX=/usr SANITIZE="$san" >"$TMPDIR_E2E/$1.out" 2>&1
}

# mode WHAT PATH MODE: PATH exists with MODE (octal, as stat %a prints).
mode() {
	local m
	if [ ! -e "$root/$2" ]; then
		tb_fail "$1: $2 is missing"
		return
	fi
	m=$(stat -c %a "$root/$2")
	[ "$m" = "$3" ] || tb_fail "$1: $2 has mode $m, expected $3"
}

if ! make_in install; then
	tb_fail "make install failed:"
	tail -n 20 "$TMPDIR_E2E/install.out" | sed 's/^/    /'
	tb_done
fi

mode "daemon" usr/sbin/touchbased 755
mode "tool" usr/bin/touchbase 755
mode "page" usr/share/man/man8/touchbased.8 644
mode "page" usr/share/man/man1/touchbase.1 644
mode "page" usr/share/man/man5/touchbase.ini.5 644
mode "page" usr/share/man/man5/touchbase-clients.conf.5 644
UNITS="touchbased.service touchbased@.service touchbased-once.service touchbase.timer"
for u in $UNITS; do
	mode "unit" "lib/systemd/system/$u" 644
done
mode "sysusers.d" usr/lib/sysusers.d/touchbase.conf 644
mode "tmpfiles.d" usr/lib/tmpfiles.d/touchbase.conf 644
mode "bash completion" usr/share/bash-completion/completions/touchbase 644
mode "pristine example" usr/share/touchbase/examples/touchbase.ini 644
cmp -s "$SRC/conf/touchbase.ini" "$root/usr/share/touchbase/examples/touchbase.ini" ||
	tb_fail "the pristine example differs from conf/touchbase.ini"
grep -qx 'u touchbase - "touchbase daemon" /var/lib/touchbase' \
    "$root/usr/lib/sysusers.d/touchbase.conf" 2>/dev/null ||
	tb_fail "sysusers.d: no system user touchbase"
grep -qx 'd /var/lib/touchbase 0750 touchbase touchbase -' \
    "$root/usr/lib/tmpfiles.d/touchbase.conf" 2>/dev/null ||
	tb_fail "tmpfiles.d: /var/lib/touchbase is not 0750 touchbase:touchbase"
mode "configuration folder" etc/touchbase 755
mode "configuration" etc/touchbase/touchbase.ini 644
mode "book" etc/touchbase/clients.conf 644
mode "template folder" etc/touchbase/templates 755
ntpl=0
while IFS= read -r f; do
	f=${f#"$SRC/conf/templates/"}
	mode "template" "etc/touchbase/templates/$f" 644
	cmp -s "$SRC/conf/templates/$f" "$root/etc/touchbase/templates/$f" ||
		tb_fail "template $f differs from conf/templates/$f"
	ntpl=$((ntpl + 1))
done < <(find "$SRC/conf/templates" -type f)
[ "$ntpl" -gt 0 ] || tb_fail "conf/templates holds no template to install"
cmp -s "$SRC/conf/clients.conf" "$root/etc/touchbase/clients.conf" ||
	tb_fail "installed clients.conf differs from conf/clients.conf"

sysd=$root/lib/systemd/system
# has UNIT LINE: UNIT holds exactly LINE.
has() {
	grep -qxF -- "$2" "$sysd/$1" 2>/dev/null || tb_fail "$1: no '$2' line"
}
for u in $UNITS; do
	[ -f "$sysd/$u" ] || continue
	grep -q '@[A-Z]*@' "$sysd/$u" &&
		tb_fail "$u still holds a @PLACEHOLDER@: $(grep '@[A-Z]*@' "$sysd/$u")"
	case $u in *.service)
		grep -q '^DynamicUser' "$sysd/$u" && tb_fail "$u: DynamicUser= (the send log must belong to touchbase)"
		has "$u" "User=touchbase"
		has "$u" "Group=touchbase"
		has "$u" "UMask=0027"
		has "$u" "StateDirectoryMode=0750"
		has "$u" "Wants=network-online.target time-sync.target"
		has "$u" "After=network-online.target time-sync.target"
		has "$u" "ProtectSystem=strict"
	esac
done
cond="ExecCondition=/bin/sh -c '! cmp -s /etc/touchbase/touchbase.ini /usr/share/touchbase/examples/touchbase.ini'"
has touchbased.service "ExecStart=/usr/sbin/touchbased"
has touchbased.service "ExecStartPre=/usr/sbin/touchbased -t"
has touchbased.service "$cond"
has touchbased.service "StateDirectory=touchbase"
has touchbased@.service "ExecStart=/usr/sbin/touchbased -c /etc/touchbase/%i/touchbase.ini"
has touchbased@.service "ExecStartPre=/usr/sbin/touchbased -c /etc/touchbase/%i/touchbase.ini -t"
has touchbased@.service "ConditionPathExists=/etc/touchbase/%i/touchbase.ini"
has touchbased@.service "StateDirectory=touchbase/%i"
has touchbased@.service "LoadCredential=smtp-password:/etc/touchbase/%i/smtp-password"
has touchbased-once.service "ExecStart=/usr/sbin/touchbased --once"
has touchbased-once.service "Type=oneshot"
has touchbased-once.service "Conflicts=touchbased.service"
has touchbased-once.service "$cond"
has touchbase.timer "Conflicts=touchbased.service"
has touchbase.timer "Unit=touchbased-once.service"
has touchbase.timer "WantedBy=timers.target"

# The owner edits the book and deletes a template; installing again keeps
# the edit, says so, and brings back only what is missing.
echo "# edited by the owner" >>"$root/etc/touchbase/clients.conf"
cp "$root/etc/touchbase/clients.conf" "$TMPDIR_E2E/clients.edited"
first=$(find "$root/etc/touchbase/templates" -type f | sort | head -n 1)
[ -n "$first" ] && rm -f "$first"
if make_in install; then
	cmp -s "$TMPDIR_E2E/clients.edited" "$root/etc/touchbase/clients.conf" ||
		tb_fail "a second make install overwrote the edited clients.conf"
	grep -q "^kept .*etc/touchbase/clients.conf" "$TMPDIR_E2E/install.out" ||
		tb_fail "a second make install did not say it kept clients.conf"
	grep -q "^kept .*etc/touchbase/touchbase.ini" "$TMPDIR_E2E/install.out" ||
		tb_fail "a second make install did not say it kept touchbase.ini"
	[ -z "$first" ] || [ -f "$first" ] ||
		tb_fail "a second make install did not restore the deleted ${first##*/}"
else
	tb_fail "second make install failed:"
	tail -n 20 "$TMPDIR_E2E/install.out" | sed 's/^/    /'
fi

# verify needs the programs to exist: the same units, pointed at the
# binary installed under DESTDIR; the template as one instance of it.
mkdir -p "$TMPDIR_E2E/verify"
for u in $UNITS; do
	v=$u
	[ "$u" = touchbased@.service ] && v=touchbased@demo.service
	[ -f "$sysd/$u" ] &&
		sed "s|/usr/sbin/touchbased|$root/usr/sbin/touchbased|g" \
		    "$sysd/$u" >"$TMPDIR_E2E/verify/$v"
done
for v in touchbased.service touchbased@demo.service touchbased-once.service \
    touchbase.timer; do
	vunit=$TMPDIR_E2E/verify/$v
	[ -f "$vunit" ] || continue
	out=$(cd "$TMPDIR_E2E/verify" && MANPATH=$root/usr/share/man systemd-analyze verify "./$v" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		tb_fail "systemd-analyze verify $v (exit $rc):"
		echo "$out" | sed 's/^/    /'
	fi
	case $v in *.timer) continue ;; esac
	sec=$(systemd-analyze security --offline=true "$vunit" 2>&1)
	level=$(echo "$sec" | sed -n "s/.*Overall exposure level for $v: \([0-9.]*\).*/\1/p")
	if [ -z "$level" ]; then
		tb_fail "$v: no exposure level in systemd-analyze security output:"
		echo "$sec" | tail -n 5 | sed 's/^/    /'
	elif ! awk -v l="$level" 'BEGIN { exit !(l <= 1.3) }'; then
		tb_fail "$v: exposure level $level is above 1.3:"
		echo "$sec" | grep '✗' | sed 's/^/    /'
	else
		echo "$v: exposure level $level"
	fi
	# A warning about the unit (syntax, unknown setting) shows here too.
	echo "$sec" | grep -q "$v:[0-9]" &&
		tb_fail "security analysis warns about $v: $(echo "$sec" | grep "$v:[0-9]")"
done

# Uninstall takes programs, pages and unit, and leaves the owner's files.
if make_in uninstall; then
	for f in usr/sbin/touchbased usr/bin/touchbase \
	    usr/share/man/man8/touchbased.8 usr/share/man/man1/touchbase.1 \
	    usr/share/man/man5/touchbase.ini.5 \
	    usr/share/man/man5/touchbase-clients.conf.5 \
	    lib/systemd/system/touchbased.service \
	    lib/systemd/system/touchbased@.service \
	    lib/systemd/system/touchbased-once.service \
	    lib/systemd/system/touchbase.timer \
	    usr/lib/sysusers.d/touchbase.conf usr/lib/tmpfiles.d/touchbase.conf \
	    usr/share/bash-completion/completions/touchbase \
	    usr/share/touchbase/examples/touchbase.ini; do
		[ -e "$root/$f" ] && tb_fail "make uninstall left $f"
	done
	cmp -s "$TMPDIR_E2E/clients.edited" "$root/etc/touchbase/clients.conf" ||
		tb_fail "make uninstall touched the owner's clients.conf"
else
	tb_fail "make uninstall failed:"
	tail -n 20 "$TMPDIR_E2E/uninstall.out" | sed 's/^/    /'
fi

tb_done
