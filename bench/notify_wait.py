#!/usr/bin/python3
"""notify_wait.py - starts touchbased under a NOTIFY_SOCKET of its own and
reports how soon it is ready and how big it is once its first pass is done.

    /usr/bin/python3 bench/notify_wait.py TIMEOUT-SECONDS [--count DIR]
        COMMAND [ARG...]

Prints one line: "READY-SECONDS PASS-SECONDS VMRSS-KB VMHWM-KB
PASS-CPU-SECONDS", where READY is the time from the start to READY=1, PASS
the time to the first STATUS= after it (the end of the first pass), the
memory figures are read from /proc/PID/status at that moment, and
PASS-CPU the user and system time the daemon spent between the two (its
first wake-up: plan, compose, record, deliver).  With --count DIR it also
waits for the second STATUS= (the daemon's next wake-up, at the next due
moment) and adds "WAKE-CPU-SECONDS WAKE-SENT": that pass's CPU and how
many files it added to DIR (a Maildir's new/).  Then stops the daemon with
SIGTERM.  Exit 1 with a reason on stderr if it exits or times out first.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def status_kb(pid):
    got = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                got[k] = int(v.split()[0])
    return got.get("VmRSS", 0), got.get("VmHWM", 0)


def cpu_s(pid):
    """The CPU time pid's threads have run so far, in seconds: from
    /proc/PID/task/*/schedstat (nanoseconds; /proc/PID/stat counts clock
    ticks, too coarse for a pass of a small book)."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total / 1e9


def files(d):
    return len(os.listdir(d)) if os.path.isdir(d) else 0


def main(argv):
    timeout, cmd, count = float(argv[1]), argv[2:], None
    if cmd[:1] == ["--count"]:
        count, cmd = cmd[1], cmd[2:]
    tmp = tempfile.mkdtemp(prefix="touchbase-notify.")
    path = os.path.join(tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    ready = passed = None
    rss = hwm = 0
    cpu_ready = cpu_pass = 0.0
    statuses, n1, cpu_wake = 0, 0, 0.0
    try:
        while statuses < (2 if count else 1):
            left = t0 + timeout - time.monotonic()
            if left <= 0:
                sys.stderr.write("timed out after %.0f s\n" % timeout)
                return 1
            sock.settimeout(min(left, 0.5))
            try:
                msg = sock.recv(4096).decode(errors="replace")
            except socket.timeout:
                if proc.poll() is not None:
                    sys.stderr.write("touchbased exited with %d\n"
                                     % proc.returncode)
                    return 1
                continue
            now = time.monotonic() - t0
            for line in msg.splitlines():
                if line == "READY=1" and ready is None:
                    ready = now
                    cpu_ready = cpu_s(proc.pid)
                elif line.startswith("STATUS=") and ready is not None:
                    statuses += 1
                    if statuses == 1:
                        passed = now
                        cpu_pass = cpu_s(proc.pid)
                        rss, hwm = status_kb(proc.pid)
                        n1 = files(count) if count else 0
                    elif statuses == 2:
                        cpu_wake = cpu_s(proc.pid) - cpu_pass
        line = "%.3f %.3f %d %d %.3f" % (ready, passed, rss, hwm,
                                         cpu_pass - cpu_ready)
        if count:
            line += " %.4f %d" % (cpu_wake, files(count) - n1)
        print(line)
        return 0
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        sock.close()
        os.unlink(path)
        os.rmdir(tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
