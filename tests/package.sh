#!/bin/bash
# package.sh [DEB] - the Debian package's round trip, as CI runs it after
# `make check` (not part of `make check`: it installs into the running
# system).  Root only, on Debian.  Without DEB it runs `make deb` first.
#
#   lintian: no error and no warning (overrides carry their reasons);
#   dpkg -i: programs, pages, units, completion, conffiles; the system user
#     and group touchbase; /var/lib/touchbase 0750 touchbase:touchbase;
#     touchbased.service enabled, the timer not; the daemon's start is
#     skipped while touchbase.ini is the example, and allowed once the
#     owner has changed it;
#   `touchbase -c /etc/touchbase/touchbase.ini check` passes;
#   `touchbased -t` and one `touchbased --once` pass as the user touchbase
#     (at Anna Müller's birthday, 2027-02-28 09:30 Europe/Berlin, by
#     libfaketime): one greeting in the Maildir outbox, the database 0640
#     touchbase:touchbase;
#   a member of the group touchbase reads `touchbase log` without root; a
#     user outside it cannot;
#   dpkg --purge: nothing of the package is left but the user and group
#     (Debian policy keeps them: files elsewhere may still belong to them).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
step() { echo "== $*"; }
OWNER=tb-pkg-owner	# a throwaway login, member of the group touchbase

[ "$(id -u)" -eq 0 ] || { echo "package.sh: run as root (it installs the package)" >&2; exit 2; }
command -v dpkg >/dev/null || { echo "package.sh: not a Debian system" >&2; exit 2; }
for c in lintian runuser setpriv; do
	command -v $c >/dev/null ||
		{ echo "package.sh: $c is missing (make deb-deps; make deps)" >&2; exit 2; }
done

deb=${1:-}
if [ -z "$deb" ]; then
	step "make deb"
	make -C "$SRC" --no-print-directory deb >/tmp/touchbase-deb.log 2>&1 ||
		{ tail -n 30 /tmp/touchbase-deb.log; echo "FAIL: make deb"; exit 1; }
	deb=$(ls "$SRC"/build/deb/touchbase_*_*.deb | head -n 1)
fi
[ -f "$deb" ] || { echo "package.sh: no package $deb" >&2; exit 2; }
echo "package: $deb"

cleanup() {
	userdel "$OWNER" >/dev/null 2>&1
	rm -rf "$T"
}
T=$(mktemp -d /tmp/touchbase-pkg.XXXXXX)
chmod 755 "$T"
trap cleanup EXIT
userdel "$OWNER" >/dev/null 2>&1
if dpkg-query -W -f='${Status}' touchbase 2>/dev/null | grep -q 'installed\|config-files'; then
	echo "note: an earlier touchbase package is purged first"
	dpkg --purge touchbase >/dev/null || fail "purging the earlier package"
fi

step "lintian"
lintian --pedantic --display-info "$deb" >"$T/lintian" 2>&1
grep -v 'running with root privileges' "$T/lintian" | sed 's/^/    /'
grep -q '^[EW]: ' "$T/lintian" && fail "lintian reports errors or warnings"

step "dpkg -i"
# Whether the system user existed before: purge must leave it either way.
getent passwd touchbase >/dev/null && echo "note: the user touchbase exists already"
if ! dpkg -i "$deb" >"$T/dpkg-i" 2>&1; then
	sed 's/^/    /' "$T/dpkg-i"
	fail "dpkg -i failed"
	exit 1
fi
for f in /usr/sbin/touchbased /usr/bin/touchbase \
    /usr/share/man/man8/touchbased.8.gz /usr/share/man/man1/touchbase.1.gz \
    /usr/share/man/man5/touchbase.ini.5.gz \
    /usr/share/man/man5/touchbase-clients.conf.5.gz \
    /lib/systemd/system/touchbased.service \
    /lib/systemd/system/touchbased@.service \
    /lib/systemd/system/touchbased-once.service \
    /lib/systemd/system/touchbase.timer \
    /usr/lib/sysusers.d/touchbase.conf /usr/lib/tmpfiles.d/touchbase.conf \
    /usr/share/bash-completion/completions/touchbase \
    /etc/touchbase/touchbase.ini /etc/touchbase/clients.conf \
    /etc/touchbase/templates/birthday.de.txt; do
	[ -e "$f" ] || fail "not installed: $f"
done
for f in /etc/touchbase/touchbase.ini /etc/touchbase/clients.conf \
    /etc/touchbase/templates/birthday.de.txt; do
	dpkg-query -W -f='${Conffiles}\n' touchbase | grep -q " $f " ||
		fail "$f is not a conffile"
done
pw=$(getent passwd touchbase)
[ -n "$pw" ] || fail "no user touchbase"
getent group touchbase >/dev/null || fail "no group touchbase"
uid=$(echo "$pw" | cut -d: -f3)
[ -n "$uid" ] && [ "$uid" -lt 1000 ] || fail "touchbase is not a system user: $pw"
case $(echo "$pw" | cut -d: -f7) in
*/nologin|*/false) ;;
*) fail "the user touchbase has a login shell: $pw" ;;
esac
st=$(stat -c '%a %U:%G' /var/lib/touchbase 2>&1)
[ "$st" = "750 touchbase:touchbase" ] || fail "/var/lib/touchbase is '$st', expected '750 touchbase:touchbase'"
[ -L /etc/systemd/system/multi-user.target.wants/touchbased.service ] ||
	fail "touchbased.service is not enabled"
[ -e /etc/systemd/system/timers.target.wants/touchbase.timer ] &&
	fail "touchbase.timer is enabled (it must be the owner's choice)"

step "the daemon's start condition"
# The unit's ExecCondition, run as it is written: skip (exit 1) while
# touchbase.ini is the example, go (0) once the owner changed it.
cond=$(sed -n "s/^ExecCondition=\/bin\/sh -c '\(.*\)'$/\1/p" /lib/systemd/system/touchbased.service)
[ -n "$cond" ] || fail "touchbased.service has no ExecCondition"
sh -c "$cond"; rc=$?
[ $rc -eq 1 ] || fail "on the example configuration the condition exits $rc, expected 1 (skip)"

step "touchbase check"
touchbase -c /etc/touchbase/touchbase.ini check >"$T/check" 2>&1 ||
	{ sed 's/^/    /' "$T/check"; fail "touchbase check of the installed configuration"; }

step "touchbased -t and --once as the user touchbase"
runuser -u touchbase -- touchbased -c /etc/touchbase/touchbase.ini -t >"$T/t" 2>&1 ||
	{ sed 's/^/    /' "$T/t"; fail "touchbased -t as touchbase"; }
# The unit's umask; libfaketime preloaded as in `make demo`.
FT=$(ls /usr/lib/*/faketime/libfaketime.so.1 \
    /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
[ -n "$FT" ] || fail "libfaketime is missing"
(umask 0027 && cd / && runuser -u touchbase -- env TZ=Europe/Berlin \
    FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD="$FT" \
    FAKETIME='@2027-02-28 09:30:00' \
    touchbased -c /etc/touchbase/touchbase.ini --once) >"$T/once" 2>&1 ||
	{ sed 's/^/    /' "$T/once"; fail "touchbased --once as touchbase"; }
sed 's/^/    /' "$T/once"
n=$(find /var/lib/touchbase/outbox/new -type f 2>/dev/null | wc -l)
[ "$n" -ge 1 ] || fail "no greeting in /var/lib/touchbase/outbox/new"
grep -l '^To: .*anna@' /var/lib/touchbase/outbox/new/* >/dev/null 2>&1 ||
	fail "no greeting to Anna Müller in the outbox"
st=$(stat -c '%a %U:%G' /var/lib/touchbase/touchbase.db 2>&1)
[ "$st" = "640 touchbase:touchbase" ] ||
	fail "the database is '$st', expected '640 touchbase:touchbase'"

step "touchbase log as a member of the group touchbase"
useradd --system --no-create-home --shell /usr/sbin/nologin \
    --groups touchbase "$OWNER" || fail "useradd $OWNER"
(cd / && runuser -u "$OWNER" -- touchbase -c /etc/touchbase/touchbase.ini \
    log --format csv) >"$T/log" 2>&1 ||
	{ sed 's/^/    /' "$T/log"; fail "touchbase log as a member of the group"; }
sed 's/^/    /' "$T/log"
grep -q '^[0-9]*,anna-mueller,birthday,birthday/2027,sent,' "$T/log" ||
	fail "the log read by the group member lacks Anna's sent greeting"
(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups \
    touchbase -c /etc/touchbase/touchbase.ini log) >"$T/log-nobody" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "a user outside the group read the log (exit $rc)"

step "the owner's own configuration"
echo "; the owner was here" >>/etc/touchbase/touchbase.ini
sh -c "$cond"; rc=$?
[ $rc -eq 0 ] || fail "on the owner's configuration the condition exits $rc, expected 0 (start)"

step "dpkg --purge"
dpkg -L touchbase >"$T/files"
dpkg --purge touchbase >"$T/purge" 2>&1 || { sed 's/^/    /' "$T/purge"; fail "dpkg --purge"; }
while IFS= read -r f; do
	[ -d "$f" ] && continue		# folders: /lib, /usr/share/man, ...
	[ -e "$f" ] || [ -L "$f" ] || continue
	fail "left after purge: $f"
done <"$T/files"
for d in /etc/touchbase /var/lib/touchbase /usr/share/touchbase \
    /usr/share/doc/touchbase; do
	[ -e "$d" ] && fail "left after purge: $d ($(find "$d" | head -n 5 | tr '\n' ' '))"
done
left=$(find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
    /var/lib/systemd/deb-systemd-helper-masked -name '*touchbase*' 2>/dev/null)
[ -z "$left" ] && left=$(find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
    -name '*touchbased*' 2>/dev/null)
[ -z "$left" ] || fail "left after purge: $left"
s=$(dpkg-query -W -f='${Status}' touchbase 2>/dev/null)
case $s in ""|*not-installed) ;; *) fail "dpkg still knows touchbase: $s" ;; esac
getent passwd touchbase >/dev/null || fail "purge removed the user touchbase (policy keeps it)"

if [ $fails -eq 0 ]; then
	echo "package: round trip passed (the user and group touchbase stay, as Debian policy wants)"
	exit 0
fi
echo "package: $fails failure(s)"
exit 1
