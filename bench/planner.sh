#!/bin/sh
# bench/planner.sh - how long the planner takes for a year of 100,000
# clients, against glibc mktime() in the same run.  Numbers only; nothing
# here fails on a slow machine.
#
#	sh bench/planner.sh [CLIENTS] [ROUNDS]
set -e
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
make --no-print-directory build/libtouchbase.a >/dev/null
OUT=build/bench/bench_planner
mkdir -p build/bench
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -Iinclude -Wall -Wextra \
    -o "$OUT" bench/bench_planner.c build/libtouchbase.a \
    $(pkg-config --libs libcurl sqlite3 libconfig inih 2>/dev/null) -lm
"$OUT" "${1:-100000}" "${2:-3}"
