#!/bin/sh
# Runs every cmocka unit test binary given; prints one summary line.
fail=0; n=0; failed=""
for t in "$@"; do
	n=$((n + 1))
	if ! "$t"; then
		fail=$((fail + 1)); failed="$failed ${t##*/}"
	fi
done
if [ "$fail" -eq 0 ]; then
	echo "unit: $n test programs, all passed"
else
	echo "unit: $n test programs, $fail FAILED:$failed"
	exit 1
fi
