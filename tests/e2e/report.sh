#!/bin/bash
# report.sh - `touchbase report` in a real browser: the page of the
# preview fixture (plus a client named <script>) after one delivery pass
# is rendered by headless Chromium to PNG and PDF with the network denied;
# any console message or any request other than the file itself fails.
# The rendered DOM has every client's row and the right counts; tidy finds
# no error and no warning; the client's name shows as text.
. "$SRC/tests/e2e/lib.sh"

TB=$BUILD/touchbase
TBD=$BUILD/touchbased
command -v chromium >/dev/null || tb_skip "chromium is not installed"
command -v tidy >/dev/null || tb_skip "tidy is not installed"
FT_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT_LIB" ] || tb_skip "libfaketime is missing ($FT_LIB)"

D=$TMPDIR_E2E/case
mkdir -p "$D"
cp -r "$SRC/tests/fixtures/preview/." "$D/"
cd "$D" || exit 1
# One more client whose name is markup: it must show as text.
sed -i '$d' clients.conf
cat >>clients.conf <<'CONF'
,
  { id = "xss"; name = "<script>alert(1)</script> & Co"; email = "x@example.de";
    birthday = "--06-01"; }
);
CONF
# libfaketime preloaded (the faketime wrapper's semaphores collide
# between parallel runs).
at() {
	env LD_PRELOAD="$FT_LIB" FAKETIME="@$1" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    TZ=Europe/Berlin "${@:2}"
}

at "2027-02-28 09:30:00" "$TBD" -c touchbase.ini --once 2>/dev/null ||
	tb_fail "touchbased --once failed"
at "2027-02-28 10:00:00" "$TB" -c touchbase.ini report --out report.html >out 2>err ||
	{ tb_fail "report failed"; cat err; }
tb_grep "report prints its path" "report.html" out
# Read-only: the report works from a copy of the database it cannot write.
chmod a-w touchbase.db

tidy -e -q report.html >tidy.out 2>&1
rc=$?
[ "$rc" = 0 ] || { tb_fail "tidy -e -q: exit $rc"; cat tidy.out; }

# Chromium with the network denied: no name resolves, every request goes
# to a proxy that does not exist; the net log records every request.
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --no-first-run --disable-extensions --disable-sync \
	    --disable-background-networking --disable-component-update \
	    --host-resolver-rules="MAP * ~NOTFOUND" \
	    --proxy-server="http://127.0.0.1:9" \
	    --enable-logging=stderr --v=0 \
	    --user-data-dir="$D/profile" "$@"
}
URL="file://$D/report.html"
chrome --log-net-log="$D/net.json" --screenshot="$D/report.png" \
    --window-size=900,1400 "$URL" >chrome.png.out 2>&1 ||
	{ tb_fail "chromium --screenshot failed"; tail -n 5 chrome.png.out; }
chrome --print-to-pdf="$D/report.pdf" --no-pdf-header-footer "$URL" \
    >chrome.pdf.out 2>&1 ||
	{ tb_fail "chromium --print-to-pdf failed"; tail -n 5 chrome.pdf.out; }
chrome --dump-dom "$URL" >dom.html 2>chrome.dom.out ||
	{ tb_fail "chromium --dump-dom failed"; tail -n 5 chrome.dom.out; }
[ -s report.png ] && head -c 8 report.png | grep -q PNG ||
	tb_fail "no PNG written"
[ -s report.pdf ] && head -c 5 report.pdf | grep -q '%PDF' ||
	tb_fail "no PDF written"
# A4 portrait: 595 x 842 points.
grep -aq 'MediaBox \[0 0 59[45]\.[0-9]* 84[12]' report.pdf ||
	grep -aq 'MediaBox \[0 0 595 842\]' report.pdf ||
	tb_fail "the PDF is not A4 portrait"
if grep -h 'CONSOLE' chrome.*.out; then
	tb_fail "the page wrote to the console"
fi
# page_requests NETLOG URL: the requests the page made (Chromium's own,
# updates and the like, have no origin as initiator); fails on any.
page_requests() {
	"$TB_PYTHON" - "$1" "$2" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
bad = set()
for ev in log.get("events", []):
    p = ev.get("params", {})
    url = p.get("url")
    if url is None or "initiator" not in p or p["initiator"] == "not an origin":
        continue
    if url != sys.argv[2]:
        bad.add(url)
for u in sorted(bad):
    print("request:", u)
sys.exit(1 if bad else 0)
PY
}
page_requests "$D/net.json" "$URL" || tb_fail "the page made a request"
# The check itself: a page with one outside image must be caught.
sed 's|</body>|<img src="http://example.com/x.png" alt=""></body>|' report.html >bad.html
chrome --log-net-log="$D/bad.json" --dump-dom "file://$D/bad.html" >/dev/null 2>&1
page_requests "$D/bad.json" "file://$D/bad.html" >/dev/null &&
	tb_fail "the request check does not see an outside image"

# Facts in the rendered DOM.
"$TB_PYTHON" - dom.html <<'PY' || tb_fail "the rendered DOM"
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.scripts, self.counts, self.path = [], 0, [], []
        self.text = []
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "script": self.scripts += 1
        if tag == "tr" and "data-client" in a: self.rows.append(a["data-client"])
        self.path.append(tag)
    def handle_endtag(self, tag):
        if self.path: self.path.pop()
    def handle_data(self, d):
        self.text.append(d)
p = P(); p.feed(open(sys.argv[1]).read())
ok = True
want = ["anna-mueller", "ben-weber", "carla-nyc", "dora-schmidt", "xss"]
if sorted(p.rows) != sorted(want):
    print("client rows:", p.rows); ok = False
if p.scripts != 0:
    print("a <script> element in the DOM"); ok = False
text = "".join(p.text)
if "<script>alert(1)</script> & Co" not in text:
    print("the client's name is not shown as text"); ok = False
for fact in ["5Kontakte", "0warten auf Freigabe", "gesendet 2"]:
    if fact not in text.replace("\n", ""):
        print("missing:", fact); ok = False
sys.exit(0 if ok else 1)
PY
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co' report.html ||
	tb_fail "the name is not escaped in the file"
tb_done
