#!/bin/bash
# touchbase import: a vCard file and a CSV export become clients.conf
# entries that pass `touchbase check` when pasted into a book.
set -u
T=$TMPDIR_E2E; fail=0
# No book to compare with, whatever this machine has in /etc/touchbase.
export TOUCHBASE_CONFIG=$T/no-such.ini
printf 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:J\xc3\xbcrgen Wei\xc3\x9f-Gro\xc3\x9fmann\r\nN:Wei\xc3\x9f-Gro\xc3\x9fmann;J\xc3\xbcrgen;;;\r\nEMAIL:juergen@example.de\r\nBDAY:--0714\r\nLANG:de-DE\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mary Smith\r\nEMAIL;TYPE=INTERNET:mary@example.com\r\nTZ;VALUE=text:America/New_York\r\nLANG:en\r\nEND:VCARD\r\n' > "$T/c.vcf"
printf 'name;email;birthday\nNo Address;;1990-01-01\nLena Roth;lena@example.de;1990-13-01\n' > "$T/c.csv"

"$BUILD/touchbase" import vcard "$T/c.vcf" > "$T/v.out" 2> "$T/v.err" || { echo "import vcard failed"; cat "$T/v.err"; fail=1; }
"$BUILD/touchbase" import csv "$T/c.csv" > "$T/c.out" 2> "$T/c.err" || { echo "import csv failed"; cat "$T/c.err"; fail=1; }
grep -q 'id = "juergen-weiss-grossmann"; name = "Jürgen Weiß-Großmann"; first_name = "Jürgen";' "$T/v.out" || { echo "vcard entry wrong:"; cat "$T/v.out"; fail=1; }
grep -q 'birthday = "--07-14"; language = "de";' "$T/v.out" || { echo "vcard birthday/lang wrong"; fail=1; }
grep -q 'timezone = "America/New_York"' "$T/v.out" || { echo "vcard tz missing"; fail=1; }
grep -qx "$T/c.csv:2: warning: skipped 'No Address': no e-mail address" "$T/c.err" || { echo "csv warning missing:"; cat "$T/c.err"; fail=1; }
grep -qx "$T/c.csv:3: warning: 'Lena Roth': birthday '1990-13-01' left out: not a date (use YYYY-MM-DD or --MM-DD)" "$T/c.err" || { echo "csv date warning missing:"; cat "$T/c.err"; fail=1; }

# Usage errors exit 2, a missing file 1.
"$BUILD/touchbase" import ldif x >/dev/null 2>&1; [ $? -eq 2 ] || { echo "bad format should exit 2"; fail=1; }
"$BUILD/touchbase" import csv "$T/none.csv" >/dev/null 2>&1; [ $? -eq 1 ] || { echo "missing file should exit 1"; fail=1; }

# Pasted into a book, the entries pass check.
mkdir -p "$T/tpl"
printf 'Subject: Alles Gute, {{first_name|name}}!\n\n{{salutation|"Hallo"}},\nalles Gute!\n{{sender_name}}\n' > "$T/tpl/birthday.de.txt"
printf 'Subject: Happy birthday, {{first_name|name}}!\n\n{{salutation|"Hello"}},\nall the best!\n{{sender_name}}\n' > "$T/tpl/birthday.en.txt"
cat > "$T/touchbase.ini" <<INI
[sender]
name = Atelier Test
address = hallo@atelier.example
[delivery]
url = maildir:outbox
[paths]
clients = clients.conf
templates = tpl
database = tb.db
INI
{ echo 'occasions = ( { name = "birthday"; kind = "birthday"; template = "birthday"; } );'
  echo 'defaults = { occasions = ["birthday"]; };'
  echo 'clients = ('; grep -v '^#' "$T/v.out"; echo ','; grep -v '^#' "$T/c.out"; echo ');'; } > "$T/clients.conf"
"$BUILD/touchbase" -c "$T/touchbase.ini" check > "$T/check.out" 2>&1 || { echo "check of imported book failed:"; cat "$T/check.out" "$T/clients.conf"; fail=1; }

# The fixtures of tests/fixtures/import: each export (Apple and Nextcloud
# vCards, Google, Outlook English and German CSV, a re-import) gives
# exactly NAME.out on stdout and NAME.err on stderr, compared with the
# book of touchbase.ini there (anna-mueller, thomas-weber).
FX=$SRC/tests/fixtures/import
nfx=0
for in in "$FX"/*.vcf "$FX"/*.csv; do
	name=${in##*/}; base=${name%.*}
	case $name in *.vcf) kind=vcard ;; *) kind=csv ;; esac
	(cd "$FX" && "$BUILD/touchbase" -c touchbase.ini import "$kind" "$name") \
	    > "$T/$base.out" 2> "$T/$base.err"
	rc=$?
	[ $rc -eq 0 ] || { echo "import of fixture $name exited $rc"; cat "$T/$base.err"; fail=1; }
	for s in out err; do
		if ! cmp -s "$FX/$base.$s" "$T/$base.$s"; then
			echo "fixture $name: $s differs from $base.$s:"
			diff -u "$FX/$base.$s" "$T/$base.$s" | sed 's/^/    /'
			fail=1
		fi
	done
	nfx=$((nfx + 1))
done
[ $nfx -ge 7 ] || { echo "only $nfx import fixtures found"; fail=1; }

# Appended to the fixtures' book, the new entries of all of them pass
# check: the comments (already in the book, proposals) keep it valid.
mkdir -p "$T/fx"
cp -r "$FX/templates" "$FX/touchbase.ini" "$T/fx/"
{ sed '$d' "$FX/clients.conf" | sed '$s/$/,/'
  first=1
  for o in "$T"/*.out; do
	[ "${o##*/}" = v.out ] || [ "${o##*/}" = c.out ] && continue
	grep -q '^  {' "$o" || continue
	[ $first -eq 1 ] || echo ','
	first=0
	cat "$o"
  done
  echo ');'; } > "$T/fx/clients.conf"
"$BUILD/touchbase" -c "$T/fx/touchbase.ini" check > "$T/fx/check.out" 2>&1 ||
	{ echo "check of the book with the imported fixtures failed:"; cat "$T/fx/check.out"; nl -ba "$T/fx/clients.conf"; fail=1; }
exit $fail
