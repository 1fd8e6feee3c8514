#!/bin/sh
# run.sh - the benchmarks behind `make bench`: delivery throughput
# (bench_deliver.sh), when present the planner (planner.sh), and with
# Dovecot installed the first scan of a large mailbox (inbox.sh).
dir=$(cd "$(dirname "$0")" && pwd)
rc=0
sh -c "bash '$dir/bench_deliver.sh'" || rc=1
if [ -f "$dir/planner.sh" ]; then
	bash "$dir/planner.sh" || rc=1
fi
if command -v dovecot >/dev/null 2>&1; then
	bash "$dir/inbox.sh" || rc=1
fi
exit $rc
