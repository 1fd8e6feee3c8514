#!/bin/sh
# make deps: install the Debian packages touchbase builds, tests and demos
# with, when any is missing.  As root it runs apt-get; otherwise it prints
# the exact command to run.
PKGS="build-essential pkg-config clang libcurl4-openssl-dev libsqlite3-dev
libconfig-dev libinih-dev libcmocka-dev tzdata sqlite3 python3
python3-aiosmtpd python3-icalendar faketime libfaketime strace openssl
locales man-db systemd postfix msmtp"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
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
