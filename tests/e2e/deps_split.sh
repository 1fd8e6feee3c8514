#!/bin/bash
# deps_split.sh - `make deps` (and so `make demo`) installs only what
# building and running need: none of the packages only the tests, fuzzing
# or benchmarks use; `make check-deps` installs all of them; `make demo`
# and `make check` each call the right one.
. "$SRC/tests/e2e/lib.sh"

# Packages a demo must never pull in: an MTA that listens on port 25, the
# fuzzing compiler, tracing and test tools.
TEST_ONLY="postfix msmtp clang libclang-rt-14-dev strace libcmocka-dev
python3-aiosmtpd python3-icalendar fiu-utils sqlite3 openssl mandoc
man-db locales debhelper lintian"

build=$(sh "$SRC/tests/deps.sh" build --list) || tb_fail "deps.sh build --list failed"
check=$(sh "$SRC/tests/deps.sh" check --list) || tb_fail "deps.sh check --list failed"
for p in $TEST_ONLY; do
	echo "$build" | grep -qx -- "$p" && tb_fail "make deps installs $p, a test-only package"
done
for p in $TEST_ONLY; do
	case $p in debhelper|lintian) continue ;; esac
	echo "$check" | grep -qx -- "$p" || tb_fail "make check-deps does not install $p"
done
for p in $build; do
	echo "$check" | grep -qx -- "$p" || tb_fail "make check-deps lacks $p of make deps"
done
# What building and the demo need is in the build set.
for p in build-essential pkg-config libcurl4-openssl-dev libsqlite3-dev \
    libconfig-dev libinih-dev faketime; do
	echo "$build" | grep -qx -- "$p" || tb_fail "make deps does not install $p"
done

# The targets call the right set (make -n prints the commands).
dry() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$SRC" -n "$1" 2>/dev/null |
	    grep -o 'tests/deps.sh[a-z ]*' | sort -u
}
d=$(dry demo)
[ "$d" = "tests/deps.sh build" ] || tb_fail "make demo runs '$d', expected 'tests/deps.sh build' only"
d=$(dry deps)
[ "$d" = "tests/deps.sh build" ] || tb_fail "make deps runs '$d', expected 'tests/deps.sh build'"
d=$(dry check-deps)
[ "$d" = "tests/deps.sh check" ] || tb_fail "make check-deps runs '$d', expected 'tests/deps.sh check'"
echo "make deps installs: $(echo $build)"
tb_done
