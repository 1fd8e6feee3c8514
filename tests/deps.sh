#!/bin/sh
# deps.sh [build|check|package] [--list]
#
# make deps (build):      what building, running and `make demo` need.
# make check-deps (check): build, plus what `make check`, `make fuzz` and
#                          `make bench` need.
# package:                 build, plus what `make deb` needs.
# Installs the Debian packages of the set that are missing: as root with
# apt-get; otherwise it prints the exact command to run.  --list prints
# the set, one package a line, and installs nothing.
set -u
BUILD_PKGS="build-essential pkg-config libcurl4-openssl-dev libsqlite3-dev
libconfig-dev libinih-dev tzdata ca-certificates python3 faketime"
# Only the tests, fuzzing and benchmarks need these; `make deps` (and so
# `make demo`) must never install one (tests/e2e/deps_split.sh checks it).
CHECK_PKGS="libcmocka-dev clang libclang-rt-14-dev sqlite3 openssl
python3-aiosmtpd python3-icalendar fiu-utils strace locales man-db mandoc
systemd postfix msmtp bash-completion dovecot-imapd chromium tidy"
PACKAGE_PKGS="debhelper dpkg-dev fakeroot lintian"

set_name=${1:-build}
case $set_name in
build) PKGS=$BUILD_PKGS ;;
check) PKGS="$BUILD_PKGS $CHECK_PKGS" ;;
package) PKGS="$BUILD_PKGS $PACKAGE_PKGS" ;;
*) echo "usage: sh tests/deps.sh [build|check|package] [--list]" >&2; exit 2 ;;
esac
if [ "${2:-}" = --list ]; then
	for p in $PKGS; do echo "$p"; done
	exit 0
fi
what="make deps"
[ "$set_name" = check ] && what="make check-deps"
[ "$set_name" = package ] && what="make deb-deps"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
# The Date-header test runs under a German locale.
need_locale() {
	! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'
}
gen_locale() {
	[ "$set_name" = check ] || return 0
	need_locale || return 0
	[ "$(id -u)" -eq 0 ] || { echo "$what: de_DE.UTF-8 locale missing (optional; one test is skipped)" >&2; return 0; }
	sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen 2>/dev/null
	grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen
	locale-gen >/dev/null 2>&1 || echo "$what: locale-gen failed" >&2
}
if [ -z "$missing" ]; then gen_locale; exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "$what: missing packages:$missing (install their equivalents)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "$what: missing packages; run as root:" >&2
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "$what: installing:$missing"
# The tests start their own servers (Postfix's smtp-sink, Dovecot) on
# loopback ports picked at run time; the system services these packages
# bring must not start: invoke-rc.d asks policy-rc.d, and 101 says no.
policy=""
if [ "$set_name" = check ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
fi
apt-get update -qq >/dev/null &&
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
rc=$?
[ -n "$policy" ] && rm -f "$policy"
[ "$rc" -eq 0 ] || { echo "$what: apt-get install failed" >&2; exit 1; }
gen_locale
