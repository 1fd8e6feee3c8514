#!/usr/bin/python3
"""genbook.py - a generated book for the scale benchmarks.

    /usr/bin/python3 bench/genbook.py N DIR [smtp://127.0.0.1:PORT]

Writes DIR/touchbase.ini, DIR/clients.conf (N clients with a birthday, two
project follow-ups each (14d, 3M) and casual check-ins) and DIR/templates/.
Deterministic: the same N gives the same files.  Without a URL the book
delivers into DIR/outbox (a Maildir).
"""
import os
import random
import sys

FIRST = ["Anna", "Bernd", "Clara", "Dieter", "Elif", "Felix", "Greta",
         "Hannes", "Ines", "Jonas", "Katrin", "Lukas", "Mara", "Nils"]
LAST = ["Müller", "Schmidt", "Weber", "Fischer", "Wagner", "Becker",
        "Hoffmann", "Schulz", "Koch", "Richter", "Klein", "Wolf"]


def main(argv):
    n, out = int(argv[1]), argv[2]
    url = argv[3] if len(argv) > 3 else "maildir:outbox"
    rnd = random.Random(n)
    os.makedirs(os.path.join(out, "templates"), exist_ok=True)
    tls = "tls = none\n" if url.startswith("smtp:") else ""
    with open(os.path.join(out, "touchbase.ini"), "w") as f:
        f.write("[sender]\nname = Atelier Lindgrün\n"
                "address = hallo@lindgruen.example\nlanguage = de\n"
                "basis = customer\n[delivery]\nurl = %s\n%stimeout = 30s\n"
                "[schedule]\ntimezone = Europe/Berlin\nholidays = DE-BE\n"
                "daily_limit = 100000\nmin_gap = 21d\n"
                "[paths]\nclients = clients.conf\ntemplates = templates\n"
                "database = touchbase.db\n" % (url, tls))
    t = os.path.join(out, "templates")
    for name, subj, body in (
            ("birthday", "Alles Gute, {{first_name}}!",
             "{{salutation}},\n\nalles Gute zum Geburtstag!\n\n"
             "{{sender_name}}\n"),
            ("project-checkin", "Wie läuft {{project}}?",
             "{{salutation}},\n\nwie läuft es mit {{project}}?\n\n"
             "{{sender_name}}\n"),
            ("how-are-you", "Wie geht es Ihnen?",
             "{{salutation}},\n\nich musste gerade an Sie denken.\n\n"
             "{{sender_name}}\n")):
        with open(os.path.join(t, name + ".de.txt"), "w") as f:
            f.write("Subject: %s\n\n%s" % (subj, body))
    with open(os.path.join(out, "clients.conf"), "w") as f:
        f.write('occasions = (\n'
                '  { name = "birthday"; kind = "birthday"; '
                'template = "birthday"; },\n'
                '  { name = "followup"; kind = "after_project"; '
                'offsets = ["14d", "3M"]; template = "project-checkin"; },\n'
                '  { name = "checkin"; kind = "casual"; every = "10w"; '
                'jitter = "2w"; template = "how-are-you"; }\n);\n'
                'defaults = { occasions = ["birthday", "followup", '
                '"checkin"]; };\nclients = (\n')
        for i in range(n):
            fn, ln = rnd.choice(FIRST), rnd.choice(LAST)
            month, day = rnd.randint(1, 12), rnd.randint(1, 28)
            pm, pd = rnd.randint(1, 12), rnd.randint(1, 28)
            f.write('  { id = "c%06d"; name = "%s %s"; first_name = "%s"; '
                    'email = "c%06d@example.org"; salutation = "Hallo %s"; '
                    'birthday = "%04d-%02d-%02d"; projects = ( { name = '
                    '"Projekt %d"; ended = "2026-%02d-%02d"; } ); }%s\n'
                    % (i, fn, ln, fn, i, fn, rnd.randint(1950, 2000), month,
                       day, i, pm, pd, "," if i + 1 < n else ""))
        f.write(");\n")


if __name__ == "__main__":
    main(sys.argv)
