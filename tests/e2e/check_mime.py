#!/usr/bin/python3
"""check_mime.py CASE FILE.eml TEMPLATES_DIR

Reads a message printed by `touchbase render` with Python's own e-mail
parser (policy.default) and checks what a mail program would show: the
headers decode to the original UTF-8, the text part decodes to the
template rendered for that client (rendered again here, independently of
the C code), the card's image part is the one its HTML refers to as
cid:FILE, and no part has a defect.  Prints one line per failed check;
exits 1 on any.
"""
import email
import email.policy
import re
import sys

NOTICE = {
    "de": "Lieber keine Grüße mehr von uns? Eine kurze Antwort auf diese E-Mail\n"
          "genügt, dann schreiben wir nicht mehr. Das geht jederzeit und kostet\n"
          "nichts außer den üblichen Übermittlungskosten.",
    "en": "Rather not hear from us? A short reply to this e-mail is enough and\n"
          "we won't write again. You can object at any time, at no cost beyond\n"
          "the usual transmission charges.",
}
SENDER = "Atelier Lindgrün"
FROM = "Atelier Lindgrün <hallo@lindgruen.example>"
UNSUB = "<mailto:hallo@lindgruen.example?subject=unsubscribe>"

CASES = {
    # a customer's birthday card in German, on 28 Feb (born 29 Feb), on
    # first-name terms: the Du version, with her age
    "anna": dict(
        to="Anna Müller <anna@example.de>",
        date="Sun, 28 Feb 2027 09:00:00 +0100",
        template="birthday.de-du.txt", card="birthday.de-du.html",
        image="birthday-card.png", notice="de", form="du",
        vars={"salutation": "Liebe Anna", "first_name": "Anna",
              "name": "Anna Müller", "company": "Müller Gartenbau",
              "age": "43", "years": "43"}),
    # an English birthday card in New York
    "sarah": dict(
        to="Sarah Collins <sarah@collins-studio.example>",
        date="Mon, 03 May 2027 09:00:00 -0400",
        template="birthday.en.txt", card="birthday.en.html",
        image="birthday-card.png", notice="en", form="sie",
        vars={"salutation": "Dear Sarah", "first_name": "Sarah",
              "name": "Sarah Collins", "company": "Collins Studio",
              "age": "37", "years": "37"}),
    # late, and no English belated template: the English ordinary card,
    # never the German belated one
    "sarah-late": dict(
        to="Sarah Collins <sarah@collins-studio.example>",
        date="Tue, 04 May 2027 09:00:00 -0400",
        template="birthday.en.txt", card="birthday.en.html",
        image="birthday-card.png", notice="en", form="sie",
        vars={"salutation": "Dear Sarah", "first_name": "Sarah",
              "name": "Sarah Collins", "company": "Collins Studio",
              "age": "37", "years": "37"}),
    # a private friend: no notice, no List-Unsubscribe; du by default;
    # no year of birth, so no age
    "juergen": dict(
        to="Jürgen Schäfer <juergen@schaefer-familie.example>",
        date="Wed, 14 Jul 2027 09:00:00 +0200",
        template="birthday.de-du.txt", card="birthday.de-du.html",
        image="birthday-card.png", notice=None, form="du",
        vars={"salutation": "Lieber Jürgen", "first_name": "Jürgen",
              "name": "Jürgen Schäfer"}),
    # a check-in after a project: plain text, encoded subject; de-AT and
    # sie: the German Sie version
    "thomas": dict(
        to="Thomas Müller <t.mueller@mueller-bau.example>",
        date="Fri, 26 Mar 2027 09:00:00 +0100",
        template="project-checkin.de-sie.txt", card=None, image=None,
        notice="de", form="sie",
        vars={"salutation": "Sehr geehrter Herr Müller",
              "first_name": "Thomas", "name": "Thomas Müller",
              "company": "Müller Bau GmbH", "project": "Messestand 2027"}),
    # de-AT, sie: subject, text, notice and card German and formal
    "thomas-birthday": dict(
        to="Thomas Müller <t.mueller@mueller-bau.example>",
        date="Tue, 08 Jun 2027 09:00:00 +0200",
        template="birthday.de-sie.txt", card="birthday.de-sie.html",
        image="birthday-card.png", notice="de", form="sie",
        vars={"salutation": "Sehr geehrter Herr Müller",
              "first_name": "Thomas", "name": "Thomas Müller",
              "company": "Müller Bau GmbH", "age": "59", "years": "59"}),
}

failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def expect(what, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))


def render(text, values, form, html=False):
    """The template language, written again from its documentation:
    sections (a tag alone on its line takes the line), choices, plurals
    (German and English: one for 1), variables with fallbacks."""
    text = re.sub(r"(?m)^[ \t]*(\{\{[#^/][^{}\n]*\}\})[ \t]*\n", r"\1",
                  text)
    out, stack = [], []
    for tok in re.split(r"(\{\{.*?\}\})", text):
        keep = all(stack)
        m = re.fullmatch(r"\{\{\s*([#^/])\s*([\w-]+)\s*\}\}", tok)
        if m:
            if m.group(1) == "/":
                stack.pop()
            else:
                has = bool(values.get(m.group(2)))
                stack.append(has if m.group(1) == "#" else not has)
            continue
        if not keep:
            continue
        m = re.fullmatch(r"\{\{(.*)\}\}", tok)
        if not m:
            out.append(tok)
            continue
        inner = m.group(1)
        c = re.fullmatch(r"\s*([\w-]+):(.*)", inner)
        if c and c.group(1) in ("du", "sie"):
            forms = dict(f.strip().split(":", 1) for f in inner.split("|"))
            out.append(forms[form])
            continue
        if c:
            forms = c.group(2).split("|")
            out.append(forms[0] if int(values[c.group(1)]) == 1
                       else forms[1])
            continue
        out.append(one(inner, values, html))
    return "".join(out)


def one(inner, values, html):
    for alt in inner.split("|"):
        alt = alt.strip()
        if alt.startswith('"'):
            return alt[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        v = values.get(alt)
        if v:
            if html:
                v = (v.replace("&", "&amp;").replace("<", "&lt;")
                     .replace(">", "&gt;").replace('"', "&quot;")
                     .replace("'", "&#39;"))
            return v
    raise KeyError(inner)


def check_raw(raw):
    lines = raw.split(b"\r\n")
    if lines[-1] != b"":
        fail("the message does not end in CRLF")
    for i, line in enumerate(lines[:-1], 1):
        if b"\n" in line or b"\r" in line:
            fail("line %d has a bare CR or LF" % i)
        if len(line) > 78:
            fail("line %d is %d octets long (quoted-printable, base64 and "
                 "folded headers stay within 78)" % (i, len(line)))
    head = raw.split(b"\r\n\r\n", 1)[0]
    try:
        head.decode("ascii")
    except UnicodeDecodeError:
        fail("the header block is not ASCII")


def check_defects(msg):
    for part in msg.walk():
        if part.defects:
            fail("%s: defects %r" % (part.get_content_type(), part.defects))
        for name, value in part.items():
            if getattr(value, "defects", None):
                fail("header %s: defects %r" % (name, value.defects))


def main():
    case, path, tdir = sys.argv[1], sys.argv[2], sys.argv[3]
    c = CASES[case]
    raw = open(path, "rb").read()
    check_raw(raw)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    check_defects(msg)

    values = dict(c["vars"], sender_name=SENDER)
    tpl = open("%s/%s" % (tdir, c["template"]), encoding="utf-8").read()
    head, body = tpl.split("\n\n", 1)
    subject = render(head[len("Subject:"):].strip(), values, c["form"])
    text = render(body, values, c["form"])
    if c["notice"]:
        text += "\n-- \n" + NOTICE[c["notice"]] + "\n"

    expect("From", str(msg["From"]), FROM)
    expect("To", str(msg["To"]), c["to"])
    expect("Subject", str(msg["Subject"]), subject)
    expect("Date", str(msg["Date"]), c["date"])
    expect("MIME-Version", str(msg["MIME-Version"]), "1.0")
    if not re.fullmatch(r"<\d{14}\.[0-9a-f]{16}@lindgruen\.example>",
                        str(msg["Message-ID"])):
        fail("Message-ID %r is not <YYYYMMDDhhmmss.HEX@lindgruen.example>"
             % str(msg["Message-ID"]))
    expect("List-Unsubscribe", msg["List-Unsubscribe"] and
           str(msg["List-Unsubscribe"]), UNSUB if c["notice"] else None)
    expect("Bcc", msg["Bcc"], None)

    plain = msg.get_body(("plain",))
    if plain is None:
        fail("no text/plain part")
        return
    expect("text charset", plain.get_content_charset(), "utf-8")
    expect("text transfer encoding", plain["Content-Transfer-Encoding"],
           "quoted-printable")
    expect("text", plain.get_content().replace("\r\n", "\n"), text)

    if c["card"] is None:
        expect("content type", msg.get_content_type(), "text/plain")
        return
    expect("content type", msg.get_content_type(), "multipart/alternative")
    parts = list(msg.iter_parts())
    expect("alternative parts",
           [p.get_content_type() for p in parts],
           ["text/plain", "multipart/related"])
    related = parts[-1]
    rparts = list(related.iter_parts())
    expect("related parts", [p.get_content_type() for p in rparts],
           ["text/html", "image/png"])
    html = rparts[0].get_content().replace("\r\n", "\n")
    card = open("%s/%s" % (tdir, c["card"]), encoding="utf-8").read()
    want_html = render(card, values, c["form"], html=True)
    if c["notice"]:
        cut = want_html.rindex("</body")
        want_html = (want_html[:cut] +
                     '<p style="margin-top:2em;font-size:12px;color:#777777">' +
                     NOTICE[c["notice"]].replace("\n", "<br>\n") + "</p>\n" +
                     want_html[cut:])
    expect("html", html, want_html)
    cids = re.findall(r'cid:([A-Za-z0-9._-]+)', html)
    expect("cid references", sorted(set(cids)), [c["image"]])
    img = rparts[1]
    expect("Content-ID", str(img["Content-ID"]), "<%s>" % c["image"])
    expect("image transfer encoding", img["Content-Transfer-Encoding"],
           "base64")
    expect("image disposition", img.get_content_disposition(), "inline")
    data = img.get_content()
    want = open("%s/%s" % (tdir, c["image"]), "rb").read()
    expect("image bytes", data == want, True)


main()
sys.exit(1 if failures else 0)
