#!/bin/sh
# Runs every cmocka unit test binary given; prints one summary line.
# test_pass runs a second time with the real clock in 2030: the pass reads
# time only through the clock it is given, so a test written for 2027
# must not start failing once the machine's clock passes its instants.
fail=0; n=0; failed=""
for t in "$@"; do
	n=$((n + 1))
	if ! "$t"; then
		fail=$((fail + 1)); failed="$failed ${t##*/}"
	fi
	if [ "${t##*/}" = test_pass ]; then
		n=$((n + 1))
		lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
		[ -r "$lib" ] ||
			{ echo "unit: libfaketime is missing (make deps installs it)"; exit 1; }
		# Preloaded directly: the faketime wrapper's semaphores collide
		# between parallel runs.
		if ! LD_PRELOAD=$lib FAKETIME="@2030-06-01 12:00:00" \
		    FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC \
		    ASAN_OPTIONS=verify_asan_link_order=0 "$t" >/dev/null 2>&1; then
			fail=$((fail + 1)); failed="$failed test_pass(in-2030)"
		fi
	fi
done
if [ "$fail" -eq 0 ]; then
	echo "unit: $n test programs, all passed"
else
	echo "unit: $n test programs, $fail FAILED:$failed"
	exit 1
fi
