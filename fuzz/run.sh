#!/bin/sh
# Runs each libFuzzer target for FUZZ_SECONDS (default 15) on its corpus
# (fuzz/corpus/<name>/, copied so the repository stays as it is).
secs=${FUZZ_SECONDS:-15}
fail=0; n=0
for f in "$@"; do
	name=${f##*/}
	work=$(mktemp -d /tmp/touchbase-fuzz.XXXXXX)
	[ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/"
	n=$((n + 1))
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=0 "$work" >"$work.log" 2>&1; then
		echo "fuzz: ok   $name ($(grep -c . "$work.log") log lines)"
	else
		fail=$((fail + 1))
		echo "fuzz: FAIL $name"; tail -n 30 "$work.log"
	fi
	rm -rf "$work" "$work.log"
done
echo "fuzz: $n targets, $fail failed"
[ "$fail" -eq 0 ]
