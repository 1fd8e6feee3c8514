#!/bin/bash
# check_fixtures.sh - `touchbase check` against every broken fixture.
#
# Each tests/fixtures/settings/bad-X.ini is run as touchbase.ini, and each
# tests/fixtures/book/bad-X.conf as the clients.conf of a good
# touchbase.ini; `check` must exit 1 and print exactly the FILE:LINE lines
# of bad-X.expect (the cmocka tests compare the same files).  Then the
# example configuration conf/touchbase.ini must pass, and a password file
# readable by others must be refused.
set -u
: "${BUILD:?}" "${SRC:?}" "${TMPDIR_E2E:?}"
TB=$BUILD/touchbase
if [ ! -x "$TB" ]; then
	echo "skip: $TB not built" >&2
	exit 77
fi
unset TOUCHBASE_CONFIG
fail=0
count=0

bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

# run_check DIR FILEPREFIX EXPECT NAME: runs check in DIR and compares the
# lines starting with FILEPREFIX: (the summary line left out).
run_check() {
	local dir=$1 prefix=$2 expect=$3 name=$4 rc
	(cd "$dir" && "$TB" -c touchbase.ini check) >"$dir/out" 2>"$dir/err"
	rc=$?
	count=$((count + 1))
	if [ "$rc" -ne 1 ]; then
		bad "$name: exit $rc, want 1"
		sed 's/^/    /' "$dir/err"
		return
	fi
	grep "^$prefix:" "$dir/err" |
	    grep -Ev "^$prefix: [0-9]+ errors?, [0-9]+ warnings?$" >"$dir/got"
	if ! cmp -s "$dir/got" "$expect"; then
		bad "$name: output differs (- want, + got)"
		diff -u "$expect" "$dir/got" | tail -n +3 | sed 's/^/    /'
	fi
}

for f in "$SRC"/tests/fixtures/settings/bad-*.ini; do
	n=$(basename "$f" .ini)
	d=$TMPDIR_E2E/settings-$n
	mkdir -p "$d"
	cp "$f" "$d/touchbase.ini"
	run_check "$d" touchbase.ini "${f%.ini}.expect" "settings/$n"
done

for f in "$SRC"/tests/fixtures/book/bad-*.conf; do
	n=$(basename "$f" .conf)
	d=$TMPDIR_E2E/book-$n
	mkdir -p "$d"
	cp "$f" "$d/clients.conf"
	cat >"$d/touchbase.ini" <<EOF
[sender]
address = hallo@lindgruen.example
[paths]
templates = $SRC/conf/templates
database = $d/touchbase.db
EOF
	run_check "$d" clients.conf "${f%.conf}.expect" "book/$n"
done

# The example configuration is clean, found through -c and through
# $TOUCHBASE_CONFIG.
out=$("$TB" -c "$SRC/conf/touchbase.ini" check 2>&1)
rc=$?
[ "$rc" -eq 0 ] || bad "conf/touchbase.ini: exit $rc, want 0: $out"
case $out in
*"ok: 8 clients, 6 occasions, 0 warnings"*) ;;
*) bad "conf/touchbase.ini: unexpected output: $out" ;;
esac
out=$(TOUCHBASE_CONFIG=$SRC/conf/touchbase.ini "$TB" check 2>&1)
rc=$?
[ "$rc" -eq 0 ] || bad "TOUCHBASE_CONFIG: exit $rc, want 0: $out"

# The password file: refused while others can read it, fine at 0600.
d=$TMPDIR_E2E/password
mkdir -p "$d"
printf '[sender]\naddress = hallo@lindgruen.example\n[delivery]\n' >"$d/touchbase.ini"
printf 'url = smtps://mail.lindgruen.example\nusername = hallo\n' >>"$d/touchbase.ini"
printf 'password_file = smtp-password\n[paths]\ntemplates = %s\n' \
    "$SRC/conf/templates" >>"$d/touchbase.ini"
printf 'database = %s/touchbase.db\n' "$d" >>"$d/touchbase.ini"
printf 'clients = ( { id = "a"; name = "A"; email = "a@example.de"; } );\n' \
    >"$d/clients.conf"
printf 'geheim\n' >"$d/smtp-password"
chmod 644 "$d/smtp-password"
echo "touchbase.ini:6: password file 'smtp-password' is readable by others (mode 0644): chmod 600 it" \
    >"$d/expect"
run_check "$d" touchbase.ini "$d/expect" "password file 0644"
chmod 600 "$d/smtp-password"
out=$(cd "$d" && "$TB" -c touchbase.ini check 2>&1)
rc=$?
[ "$rc" -eq 0 ] || bad "password file 0600: exit $rc, want 0: $out"

echo "check_fixtures: $count broken configurations checked, $fail failed"
[ "$fail" -eq 0 ]
