#!/bin/sh
# make deps: install the Debian packages touchbase builds, tests and demos
# with, when any is missing.  As root it runs apt-get; otherwise it prints
# the exact command to run.
PKGS="build-essential pkg-config clang libclang-rt-14-dev libcurl4-openssl-dev libsqlite3-dev
libconfig-dev libinih-dev libcmocka-dev tzdata sqlite3 python3
python3-aiosmtpd python3-icalendar faketime libfaketime strace openssl
locales man-db mandoc systemd postfix msmtp fiu-utils chromium tidy"
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
	need_locale || return 0
	[ "$(id -u)" -eq 0 ] || { echo "make deps: de_DE.UTF-8 locale missing (optional; one test is skipped)" >&2; return 0; }
	sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen 2>/dev/null
	grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen
	locale-gen >/dev/null 2>&1 || echo "make deps: locale-gen failed" >&2
}
if [ -z "$missing" ]; then gen_locale; exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "make deps: missing packages:$missing (install their equivalents)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "make deps: missing packages; run as root:" >&2
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y$missing" >&2
	exit 1
fi
echo "make deps: installing:$missing"
apt-get update -qq >/dev/null &&
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	{ echo "make deps: apt-get install failed" >&2; exit 1; }
gen_locale
