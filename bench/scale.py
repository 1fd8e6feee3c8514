#!/usr/bin/python3
"""scale.py - the book figures of `make bench` (issue 17), each next to its
peer measured in the same run, on generated books of several sizes.

    /usr/bin/python3 bench/scale.py BUILD TSV [SIZE...]   (default 100 10000 100000)

For each size, on a book from bench/genbook.py (cached in
BUILD/bench/books/SIZE):
  libconfig parse    bench_libconfig on clients.conf: the peer of all below
  check              touchbase check
  preview            touchbase preview --from DAY --days 365 --format json
  remind -s12        on the birthdays alone, when Debian's remind is there
  touchbased         READY=1 (bench/notify_wait.py), then VmRSS and VmHWM
                     after its first pass (faked clock: DAY 16:00 Berlin)
  wake-up            a running touchbased's next pass (not its first): the
                     CPU of the wake-up at the first due moment from DAY
                     on, per message it sent (P4)
then the growth from 10k to 100k, and the Maildir pass: touchbased --once
delivering BENCH_ONCE_N (default 2000) due messages into a Maildir, with
user and system time and the system calls per message (strace -c -f),
next to Python's mailbox.Maildir adding as many with an fsync each.
Elapsed seconds are measured around the command (monotonic clock); user and
system time and the peak (maximum resident set) come from /usr/bin/time.
Prints a table; appends "section clients metric value unit" rows to TSV.
Nothing is asserted: a step that fails prints "failed: REASON" and the
run goes on.
"""
import os
import shutil
import subprocess
import sys
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"
FT = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
DAY = os.environ.get("BENCH_DAY", "2027-03-03")     # a Wednesday, no holiday
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))   # best of
ONCE_N = int(os.environ.get("BENCH_ONCE_N", "2000"))


class Failed(Exception):
    pass


class Out:
    """The table on stdout and the same numbers as TSV rows."""

    def __init__(self, path):
        self.tsv = open(path, "a")

    def row(self, section, clients, metric, value, unit):
        if isinstance(value, float):
            value = "%.4f" % value
        self.tsv.write("%s\t%s\t%s\t%s\t%s\n" % (section, clients, metric,
                                                 value, unit))
        self.tsv.flush()

    @staticmethod
    def say(text):
        print(text, flush=True)


def faked(at):
    return ["env", "LD_PRELOAD=" + FT, "FAKETIME=@" + at, "TZ=Europe/Berlin",
            "FAKETIME_DONT_FAKE_MONOTONIC=1"]


def timed(cmd, cwd, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time; returns (elapsed, user, sys, peak KB)."""
    tf = os.path.join(cwd, ".time")
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", tf]
                       + cmd, cwd=cwd, stdout=stdout,
                       stderr=subprocess.PIPE, check=False)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        raise Failed("%s exited %d%s" % (os.path.basename(cmd[0]),
                     p.returncode, ": " + err[-1] if err else ""))
    with open(tf) as f:
        u, s, m = f.read().split()[-3:]
    return wall, float(u), float(s), int(m)


def best(cmd, cwd, n):
    runs = [timed(cmd, cwd) for _ in range(n)]
    return min(runs, key=lambda r: r[0])


def book(build, n):
    """The cached book of n clients: its folder."""
    d = os.path.join(build, "bench", "books", str(n))
    conf = os.path.join(d, "clients.conf")
    gen = os.path.join(SRC, "bench", "genbook.py")
    if (not os.path.exists(conf) or
            os.path.getmtime(conf) < os.path.getmtime(gen)):
        shutil.rmtree(d, ignore_errors=True)
        subprocess.run([PY, gen, str(n), d], check=True)
    return d


def workdir(build, name, src):
    """A fresh folder that uses the book in src (its database and outbox
    start empty)."""
    w = os.path.join(build, "bench", "work", name)
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    shutil.copy(os.path.join(src, "touchbase.ini"), w)
    shutil.copytree(os.path.join(src, "templates"),
                    os.path.join(w, "templates"))
    os.symlink(os.path.join(src, "clients.conf"),
               os.path.join(w, "clients.conf"))
    return w


def peer_binary(build):
    exe = os.path.join(build, "bench", "bench_libconfig")
    src = os.path.join(SRC, "bench", "bench_libconfig.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        os.makedirs(os.path.dirname(exe), exist_ok=True)
        libs = subprocess.run(["pkg-config", "--libs", "libconfig"],
                              capture_output=True, text=True, check=False)
        p = subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-o",
                            exe, src] + (libs.stdout.split() or
                                         ["-lconfig"]),
                           capture_output=True, text=True, check=False)
        if p.returncode != 0:
            err = p.stderr.strip().splitlines()
            raise Failed("cannot build bench_libconfig" +
                         (": " + err[-1] if err else ""))
    return exe


def mb(kb):
    return kb / 1024.0


def ratio(a, b):
    return a / b if b > 0 else float("nan")


def fx(x, width=5):
    """A ratio for the table: 1.23x, or n/a."""
    return "%*.2fx" % (width, x) if x == x else "%*s" % (width + 1, "n/a")


def step(out, label, fn):
    """Runs fn(); on failure prints the line as failed and returns None."""
    try:
        return fn()
    except (Failed, OSError, subprocess.CalledProcessError, ValueError) as e:
        out.say("  %-40s failed: %s" % (label, e))
        return None


def measure_size(out, build, n, res):
    d = book(build, n)
    w = workdir(build, "book-%d" % n, d)
    tb = os.path.join(build, "touchbase")
    tbd = os.path.join(build, "touchbased")
    reps = REPEAT
    size = os.path.getsize(os.path.join(d, "clients.conf")) / 1e6
    out.say("\n%d clients (clients.conf %.1f MB, best of %d)" % (n, size,
                                                                  reps))
    r = res.setdefault(n, {})
    parse = step(out, "libconfig parse", lambda: best(
        [peer_binary(build), "clients.conf"], w, reps))
    if parse:
        r["parse_s"], r["parse_kb"] = parse[0], parse[3]
        out.say("  %-40s %7.2f s  %7.1f MB peak" % (
            "libconfig parse (the peer)", parse[0], mb(parse[3])))
        for k, v, u in (("parse_time", parse[0], "s"),
                        ("parse_peak", parse[3], "KB")):
            out.row("book", n, k, v, u)
    for name, cmd, goal in (
            ("check", [tb, "-c", "touchbase.ini", "check"],
             "P2: time <= 2x"),
            ("preview", [tb, "-c", "touchbase.ini", "preview", "--from", DAY,
                         "--days", "365", "--format", "json"],
             "P2: time <= 1.5x")):
        t = step(out, "touchbase " + name, lambda c=cmd: best(c, w, reps))
        if t is None:
            continue
        r[name + "_s"], r[name + "_kb"] = t[0], t[3]
        line = "  %-40s %7.2f s  %7.1f MB peak" % (
            "touchbase " + name, t[0], mb(t[3]))
        out.row("book", n, name + "_time", t[0], "s")
        out.row("book", n, name + "_peak", t[3], "KB")
        if parse:
            rt, rp = ratio(t[0], parse[0]), ratio(t[3], parse[3])
            line += "   vs parse: time %s  peak %s  (%s)" % (
                fx(rt), fx(rp, 4), goal)
            out.row("book", n, name + "_time_ratio", "%.3f" % rt, "x")
            out.row("book", n, name + "_peak_ratio", "%.3f" % rp, "x")
        out.say(line)
    remind(out, w, n, r)
    daemon(out, w, n, r, tbd, parse)
    wakeup(out, build, d, n, r, tb, tbd)


def remind(out, w, n, r):
    exe = shutil.which("remind")
    if exe is None:
        out.say("  %-40s skipped: remind is not installed (apt install "
                "remind)" % "remind -s12, birthdays alone")
        return
    # One REM a client, its birthday every year, from the book itself.
    import re
    pat = re.compile(r'id = "([^"]+)";.*birthday = "\d{4}-(\d\d)-(\d\d)"')
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
              "Oct", "Nov", "Dec"]
    with open(os.path.join(w, "clients.conf")) as f, \
            open(os.path.join(w, "birthdays.rem"), "w") as rem:
        for line in f:
            m = pat.search(line)
            if m:
                rem.write("REM %s %d MSG %s birthday\n" % (
                    months[int(m.group(2)) - 1], int(m.group(3)), m.group(1)))
    y, mo, dd = DAY.split("-")
    t = step(out, "remind -s12", lambda: timed(
        [exe, "-s12", "birthdays.rem", "%s %s %s" % (dd, months[int(mo) - 1],
                                                      y)], w))
    if t is None:
        return
    line = "  %-40s %7.2f s  %7.1f MB peak" % ("remind -s12, birthdays alone",
                                               t[0], mb(t[3]))
    out.row("book", n, "remind_time", t[0], "s")
    if "preview_s" in r:
        line += "   preview/remind: time %s" % fx(ratio(r["preview_s"], t[0]))
    out.say(line)


def daemon(out, w, n, r, tbd, parse):
    cmd = [PY, os.path.join(SRC, "bench", "notify_wait.py"), "600"] + \
        faked(DAY + " 16:00:00") + [tbd, "-c", os.path.join(w,
                                                             "touchbase.ini")]

    def run():
        p = subprocess.run(cmd, cwd=w, capture_output=True, check=False)
        if p.returncode != 0:
            err = p.stderr.decode(errors="replace").strip().splitlines()
            raise Failed(err[-1] if err else "exit %d" % p.returncode)
        return [float(x) for x in p.stdout.split()]
    got = step(out, "touchbased", run)
    if got is None:
        return
    ready, passed = got[0], got[1]
    rss, hwm, cpu = int(got[2]), int(got[3]), got[4]
    sent = len(os.listdir(os.path.join(w, "outbox", "new"))) \
        if os.path.isdir(os.path.join(w, "outbox", "new")) else 0
    r.update(ready_s=ready, rss_kb=rss, hwm_kb=hwm)
    for k, v, u in (("ready_time", ready, "s"), ("first_pass_end", passed,
                    "s"), ("steady_vmrss", rss, "KB"), ("vmhwm", hwm, "KB"),
                    ("first_pass_sent", sent, "messages"),
                    ("first_pass_cpu", cpu, "s")):
        out.row("daemon", n, k, v, u)
    line = "  %-40s %7.2f s" % ("touchbased ready (READY=1)", ready)
    line2 = "  %-40s %7.1f MB VmRSS, %.1f MB VmHWM (pass done at %.2f s, " \
        "%d sent)" % ("touchbased after its first pass", mb(rss), mb(hwm),
                      passed, sent)
    if parse:
        rr, rh = ratio(ready, parse[0]), ratio(hwm, parse[3])
        line += "%s vs parse: time %s  (P3: <= 2x)" % (" " * 21, fx(rr))
        line2 += "\n  %-40s %s vs parse: peak %s  (P3: VmRSS <= 50 MB, " \
            "peak <= 1.1x)" % ("", " " * 16, fx(rh, 4))
        out.row("daemon", n, "ready_ratio", "%.3f" % rr, "x")
        out.row("daemon", n, "vmhwm_ratio", "%.3f" % rh, "x")
    out.say(line)
    out.say(line2)
    out.say("  %-40s %7.3f s CPU, %d sent (a fresh database: every "
            "client first seen)" % ("touchbased first pass", cpu, sent))


def first_send(tb, w, day):
    """The first day from day on with a message to send, and its first due
    moment as Berlin local time (the book's sender zone): preview of one
    day at a time, a fresh database first-seeing every client that day, as
    the daemon started on it will."""
    import datetime
    import json
    from zoneinfo import ZoneInfo
    d = datetime.date.fromisoformat(day)
    for _ in range(60):
        p = subprocess.run([tb, "-c", "touchbase.ini", "preview", "--from",
                            d.isoformat(), "--days", "1", "--format", "json"],
                           cwd=w, capture_output=True, check=False)
        if p.returncode != 0:
            raise Failed("preview exited %d" % p.returncode)
        dues = [datetime.datetime.fromisoformat(it["due"])
                for it in json.loads(p.stdout) if it["action"] == "send"]
        if dues:
            return min(dues).astimezone(ZoneInfo("Europe/Berlin"))
        d += datetime.timedelta(days=1)
    raise Failed("nothing to send in 60 days from %s" % day)


def wakeup(out, build, d, n, r, tb, tbd):
    """P4: a wake-up of a running daemon, not its first pass: started 20 s
    before the first due moment of a day (faked running clock), it plans,
    sends what is due then, and sleeps; the CPU of that second pass per
    message it sent, against the same at 100 clients."""
    import datetime
    w = workdir(build, "wake-%d" % n, d)

    def run():
        due = first_send(tb, w, DAY)
        start = (due - datetime.timedelta(seconds=20)).strftime(
            "%Y-%m-%d %H:%M:%S")
        cmd = [PY, os.path.join(SRC, "bench", "notify_wait.py"), "300",
               "--count", os.path.join(w, "outbox", "new")] + \
            faked(start) + [tbd, "-c", os.path.join(w, "touchbase.ini")]
        p = subprocess.run(cmd, cwd=w, capture_output=True, check=False)
        if p.returncode != 0:
            err = p.stderr.decode(errors="replace").strip().splitlines()
            raise Failed(err[-1] if err else "exit %d" % p.returncode)
        f = p.stdout.split()
        return due, float(f[5]), int(f[6])
    got = step(out, "touchbased wake-up", run)
    if got is None:
        return
    due, cpu, sent = got
    out.row("daemon", n, "wakeup_cpu", "%.4f" % cpu, "s")
    out.row("daemon", n, "wakeup_sent", sent, "messages")
    line = "  %-40s %7.1f ms CPU, %d sent" % (
        "touchbased wake-up at " + due.strftime("%m-%d %H:%M"),
        1000 * cpu, sent)
    if sent > 0:
        r["wake_cpu_per_msg"] = cpu / sent
        out.row("daemon", n, "wakeup_cpu_per_message", "%.4f" % (cpu / sent),
                "s")
        line += " (%.2f ms per message)" % (1000 * cpu / sent)
    out.say(line)


GROWTH = (("libconfig parse time", "parse_s"), ("libconfig parse peak",
          "parse_kb"), ("check time", "check_s"), ("check peak", "check_kb"),
          ("preview time", "preview_s"), ("preview peak", "preview_kb"),
          ("touchbased ready", "ready_s"), ("touchbased VmRSS", "rss_kb"),
          ("touchbased VmHWM", "hwm_kb"))


def growth(out, res, small=10000, big=100000, base=100):
    """Per client above the smallest book's: big's over small's; 1.00 is
    linear, below it better."""
    if small not in res or big not in res:
        out.say("\ngrowth %d -> %d: skipped (both sizes are needed)"
                % (small, big))
        return
    b = res.get(base, {})
    out.say("\ngrowth %dk -> %dk, per client above the %d-client book "
            "(1.00 linear, below: better)" % (small // 1000, big // 1000,
                                               base))
    for label, k in GROWTH:
        s, g = res[small].get(k), res[big].get(k)
        if s is None or g is None:
            out.say("  %-40s skipped: a measurement failed" % label)
            continue
        z = b.get(k, 0)
        per_s = (s - z) / (small - base)
        per_b = (g - z) / (big - base)
        unit = "KB" if k.endswith("_kb") else "ms"
        scale = 1 if unit == "KB" else 1000
        gr = ratio(per_b, per_s)
        out.say("  %-40s %8.3f -> %8.3f %s/client   %s" % (
            label, per_s * scale, per_b * scale, unit, fx(gr)))
        out.row("growth", "%d-%d" % (small, big), k, "%.3f" % gr, "x")
    # P4: a later wake-up's CPU per sent message, the biggest book's over
    # the smallest's (the goal: within 2x).
    w_b, w_s = res[big].get("wake_cpu_per_msg"), b.get("wake_cpu_per_msg")
    if w_b is not None and w_s is not None:
        wr = ratio(w_b, w_s)
        out.say("  %-40s %8.2f -> %8.2f ms/message   %s  (P4: <= 2x)" % (
            "wake-up CPU per sent message, %d vs %d" % (base, big),
            1000 * w_s, 1000 * w_b, fx(wr)))
        out.row("growth", "%d-%d" % (base, big), "wake_cpu_per_msg",
                "%.3f" % wr, "x")


def due_book(build, n):
    """n clients whose birthday is DAY, one occasion, into a Maildir."""
    d = os.path.join(build, "bench", "books", "due-%d" % n)
    conf = os.path.join(d, "clients.conf")
    if os.path.exists(conf) and \
            os.path.getmtime(conf) >= os.path.getmtime(__file__):
        return d
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "templates"))
    with open(os.path.join(d, "touchbase.ini"), "w") as f:
        f.write("[sender]\nname = Atelier Lindgrün\n"
                "address = hallo@lindgruen.example\nlanguage = de\n"
                "basis = customer\n[delivery]\nurl = maildir:outbox\n"
                "timeout = 30s\n[schedule]\ntimezone = Europe/Berlin\n"
                "holidays = DE-BE\ndaily_limit = 1000000\nmin_gap = 21d\n"
                "[paths]\nclients = clients.conf\ntemplates = templates\n"
                "database = touchbase.db\n")
    with open(os.path.join(d, "templates", "birthday.de.txt"), "w") as f:
        f.write("Subject: Alles Gute, {{first_name}}!\n\n{{salutation}},\n\n"
                "alles Gute zum Geburtstag!\n\n{{sender_name}}\n")
    with open(conf, "w") as f:
        f.write('occasions = (\n  { name = "birthday"; kind = "birthday"; '
                'template = "birthday"; }\n);\n'
                'defaults = { occasions = ["birthday"]; };\nclients = (\n')
        for i in range(n):
            f.write('  { id = "c%06d"; name = "Anna Müller"; first_name = '
                    '"Anna"; email = "c%06d@example.org"; salutation = '
                    '"Hallo Anna"; birthday = "1980-%s"; }%s\n'
                    % (i, i, DAY[5:], "," if i + 1 < n else ""))
        f.write(");\n")
    return d


def maildir_peer(w, n, data):
    """Python's mailbox.Maildir: n messages, each file fsynced."""
    import mailbox
    t0 = time.monotonic()
    md = mailbox.Maildir(os.path.join(w, "peer"), create=True)
    for _ in range(n):
        key = md.add(data)
        fd = os.open(os.path.join(md._path, "new", key), os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    return time.monotonic() - t0


def strace_counts(path):
    calls = {}
    with open(path) as f:
        for line in f:
            fl = line.split()
            if len(fl) >= 5 and fl[-1] != "total" and fl[3].isdigit():
                calls[fl[-1]] = int(fl[3])
    return calls


def maildir_pass(out, build):
    n = ONCE_N
    out.say("\nthe --once pass into a Maildir: %d due messages (faked clock "
            "%s 16:00 Berlin, fresh database)" % (n, DAY))
    d = due_book(build, n)
    tbd = os.path.join(build, "touchbased")
    at = faked(DAY + " 16:00:00")

    def once(prefix):
        w = workdir(build, "maildir", d)
        t = timed(prefix + [tbd, "-c", "touchbase.ini", "--once"], w)
        new = os.path.join(w, "outbox", "new")
        sent = len(os.listdir(new)) if os.path.isdir(new) else 0
        if sent != n:
            raise Failed("delivered %d of %d" % (sent, n))
        return w, t
    got = step(out, "touchbased --once -> Maildir", lambda: once(at))
    if got is None:
        return
    w, (e, u, s, m) = got
    out.say("  %-40s %7.2f s  (%.2f s user, %.2f s system, %.1f MB peak) "
            "%6.0f msg/s" % ("touchbased --once -> Maildir", e, u, s, mb(m),
                             n / e))
    for k, v, unit in (("elapsed", e, "s"), ("user", u, "s"), ("system", s,
                       "s"), ("peak", m, "KB")):
        out.row("maildir", n, k, v, unit)
    new = os.path.join(w, "outbox", "new")
    with open(os.path.join(new, sorted(os.listdir(new))[0]), "rb") as f:
        data = f.read()
    pe = step(out, "python mailbox.Maildir", lambda: maildir_peer(w, n, data))
    if pe is not None:
        out.say("  %-40s %7.2f s  %27s %6.0f msg/s   touchbased/peer: "
                "time %s" % ("python mailbox.Maildir, fsync each", pe, "",
                             n / pe, fx(ratio(e, pe), 4)))
        out.row("maildir", n, "peer_elapsed", "%.3f" % pe, "s")
        out.row("maildir", n, "time_ratio", "%.3f" % ratio(e, pe), "x")
    syscalls(out, build, d, n, at, tbd)


def syscalls(out, build, d, n, at, tbd):
    if shutil.which("strace") is None:
        out.say("  %-40s skipped: strace is not installed" % "system calls")
        return
    sf = os.path.join(build, "bench", "work", "strace.out")
    st = ["strace", "-f", "-c", "-o", sf] + [
        "-E" + a for a in at[1:]]
    got = step(out, "system calls (strace -c -f)", lambda: timed(
        st + [tbd, "-c", "touchbase.ini", "--once"],
        workdir(build, "maildir", d)))
    if got is None:
        return
    calls = strace_counts(sf)
    total = sum(calls.values())
    top = sorted(calls.items(), key=lambda kv: -kv[1])[:8]
    out.say("  %-40s %.1f in all: %s" % (
        "system calls per message (strace -c -f)", total / n,
        ", ".join("%.1f %s" % (c / n, k) for k, c in top)))
    out.row("syscalls", n, "total_per_message", "%.2f" % (total / n), "calls")
    for k, c in sorted(calls.items()):
        out.row("syscalls", n, k + "_per_message", "%.2f" % (c / n), "calls")


def main(argv):
    build, tsv = argv[1], argv[2]
    sizes = [int(x) for x in argv[3:]] or [100, 10000, 100000]
    out = Out(tsv)
    res = {}
    for n in sizes:
        try:
            measure_size(out, build, n, res)
        except (OSError, subprocess.CalledProcessError) as e:
            out.say("  %d clients: failed: %s" % (n, e))
    growth(out, res)
    if os.environ.get("BENCH_SKIP_MAILDIR"):
        out.say("\nthe --once pass into a Maildir: skipped (BENCH_SKIP_MAILDIR)")
    else:
        try:
            maildir_pass(out, build)
        except (OSError, subprocess.CalledProcessError) as e:
            out.say("  the Maildir pass: failed: %s" % e)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
