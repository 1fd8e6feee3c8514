#!/bin/bash
# systemd_unit.sh - `make install` and the systemd unit it installs:
#   the file layout under DESTDIR with PREFIX=/usr (programs, manual pages,
#     unit, example configuration) and its modes;
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
mode "unit" lib/systemd/system/touchbased.service 644
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

unit=$root/lib/systemd/system/touchbased.service
if [ -f "$unit" ]; then
	grep -q '@[A-Z]*@' "$unit" && tb_fail "unit still holds a @PLACEHOLDER@: $(grep '@[A-Z]*@' "$unit")"
	grep -qx 'ExecStart=/usr/sbin/touchbased' "$unit" ||
		tb_fail "unit: no 'ExecStart=/usr/sbin/touchbased' line"
fi

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

# verify needs ExecStart= to exist: the same unit, pointed at the binary
# installed under DESTDIR.
mkdir -p "$TMPDIR_E2E/verify"
vunit=$TMPDIR_E2E/verify/touchbased.service
sed "s|^ExecStart=/usr/sbin/touchbased|ExecStart=$root/usr/sbin/touchbased|" \
    "$unit" >"$vunit"
out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$vunit" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
	tb_fail "systemd-analyze verify (exit $rc):"
	echo "$out" | sed 's/^/    /'
fi

sec=$(systemd-analyze security --offline=true "$vunit" 2>&1)
level=$(echo "$sec" | sed -n 's/.*Overall exposure level for touchbased.service: \([0-9.]*\).*/\1/p')
if [ -z "$level" ]; then
	tb_fail "no exposure level in systemd-analyze security output:"
	echo "$sec" | tail -n 5 | sed 's/^/    /'
elif ! awk -v l="$level" 'BEGIN { exit !(l <= 1.3) }'; then
	tb_fail "exposure level $level is above 1.3:"
	echo "$sec" | grep '✗' | sed 's/^/    /'
else
	echo "exposure level $level"
fi
# A warning about the unit (syntax, unknown setting) shows here too.
echo "$sec" | grep -q "touchbased.service:[0-9]" &&
	tb_fail "security analysis warns about the unit: $(echo "$sec" | grep 'touchbased.service:[0-9]')"

# Uninstall takes programs, pages and unit, and leaves the owner's files.
if make_in uninstall; then
	for f in usr/sbin/touchbased usr/bin/touchbase \
	    usr/share/man/man8/touchbased.8 usr/share/man/man1/touchbase.1 \
	    usr/share/man/man5/touchbase.ini.5 \
	    usr/share/man/man5/touchbase-clients.conf.5 \
	    lib/systemd/system/touchbased.service; do
		[ -e "$root/$f" ] && tb_fail "make uninstall left $f"
	done
	cmp -s "$TMPDIR_E2E/clients.edited" "$root/etc/touchbase/clients.conf" ||
		tb_fail "make uninstall touched the owner's clients.conf"
else
	tb_fail "make uninstall failed:"
	tail -n 20 "$TMPDIR_E2E/uninstall.out" | sed 's/^/    /'
fi

tb_done
