#!/bin/sh
# run.sh - the benchmarks behind `make bench`: delivery throughput
# (bench_deliver.sh) and, when present, the planner (planner.sh).
dir=$(cd "$(dirname "$0")" && pwd)
rc=0
sh -c "bash '$dir/bench_deliver.sh'" || rc=1
if [ -f "$dir/planner.sh" ]; then
	bash "$dir/planner.sh" || rc=1
fi
exit $rc
