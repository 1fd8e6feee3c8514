#!/usr/bin/python3
# cputime.py - run a command and print what it cost:
#
#   cputime.py SINK_PID LOG COMMAND [ARG...]
#
# runs COMMAND with its output to LOG and prints one line, "elapsed user
# system sink": the wall-clock seconds, the command's CPU seconds in user
# space and in the kernel (its children's included), and the CPU seconds
# smtp-sink (SINK_PID) spent meanwhile, from /proc (clock-tick
# resolution, 10 ms: fine for passes of a second).  Exits 1 when the
# command fails.  Used by bench_once.sh.
import os, resource, subprocess, sys, time

def sink_cpu(pid):
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

sink, log, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
r0, s0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), sink_cpu(sink), time.monotonic()
with open(log, "w") as out:
    rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT)
t1, s1 = time.monotonic(), sink_cpu(sink)
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
if rc != 0:
    sys.exit(1)
print("%.6f %.6f %.6f %.6f" % (t1 - t0, r1.ru_utime - r0.ru_utime,
                               r1.ru_stime - r0.ru_stime, s1 - s0))
