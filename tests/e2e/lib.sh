# lib.sh - shared helpers of the end-to-end tests (sourced by bash, never run).
#
# run.sh sets BUILD (folder with touchbase, touchbased), SRC (repo root) and
# TMPDIR_E2E (a fresh folder).  A script does:
#
#	. "$SRC/tests/e2e/lib.sh"
#	tb_require_smtpd			# exit 77 when aiosmtpd is missing
#	tb_make_certs "$TMPDIR_E2E/tls"		# ca.pem server.pem server.key
#	tb_smtpd_start --spool "$TMPDIR_E2E/spool" \
#	    --tls-cert "$TMPDIR_E2E/tls/server.pem" \
#	    --tls-key "$TMPDIR_E2E/tls/server.key"
#	# ... $SMTPD_PORT is the port, $SMTPD_PID its PID ...
#	tb_expect "what" test "$x" = y		# prints "FAIL: what" on failure
#	tb_done					# exit 0, or 1 after any failure
#
# Every server started here listens on 127.0.0.1 on a port picked free at
# run time and is stopped by its PID when the script exits (trap EXIT; a
# script that sets its own EXIT trap calls tb_cleanup from it).

TB_PYTHON=/usr/bin/python3
TB_FAILS=0
TB_PIDS=""
TB_NSERVERS=0
: "${SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

tb_skip() {
	echo "skip: $*" >&2
	exit 77
}

# tb_fail MESSAGE: records one failed assertion.
tb_fail() {
	echo "FAIL: $*"
	TB_FAILS=$((TB_FAILS + 1))
}

# tb_expect WHAT CMD...: runs CMD; a failure is reported as WHAT.
tb_expect() {
	local what=$1
	shift
	"$@" || tb_fail "$what"
}

# tb_grep WHAT PATTERN FILE: FILE must contain the fixed string PATTERN.
tb_grep() {
	grep -qF -- "$2" "$3" || { tb_fail "$1: no '$2' in ${3##*/}:"; sed 's/^/    /' "$3" | head -n 20; }
}

tb_done() {
	if [ "$TB_FAILS" -ne 0 ]; then
		echo "$TB_FAILS assertion(s) failed"
		exit 1
	fi
	exit 0
}

tb_require_smtpd() {
	[ -x "$TB_PYTHON" ] || tb_skip "$TB_PYTHON is missing"
	"$TB_PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
		tb_skip "python3-aiosmtpd is not installed for $TB_PYTHON"
}

# tb_make_certs DIR: a throw-away CA (DIR/ca.pem) and a server certificate
# for 127.0.0.1 and localhost signed by it (DIR/server.pem, DIR/server.key).
tb_make_certs() {
	local d=$1
	command -v openssl >/dev/null 2>&1 || tb_skip "openssl is missing"
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=touchbase test CA $$-$RANDOM" \
	    -keyout "$d/ca.key" -out "$d/ca.pem" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
	    -keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf" &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	    -CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" >/dev/null 2>&1 ||
		{ echo "tb_make_certs: openssl failed" >&2; return 1; }
}

# tb_make_wrong_name_cert DIR NAME: DIR/wrong.pem and DIR/wrong.key, a
# server certificate valid ten years for NAME only (not 127.0.0.1 nor
# localhost), signed by the CA that tb_make_certs or dm_certs left in DIR
# (DIR/ca.pem, DIR/ca.key): a client that trusts the CA must still refuse
# it for a server it reached as 127.0.0.1.
tb_make_wrong_name_cert() {
	local d=$1 name=$2
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -subj "/CN=$name" -keyout "$d/wrong.key" -out "$d/wrong.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	    "$name" >"$d/wrong.cnf" &&
	openssl x509 -req -in "$d/wrong.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	    -CAcreateserial -days 3650 -extfile "$d/wrong.cnf" -out "$d/wrong.pem" >/dev/null 2>&1 ||
		{ echo "tb_make_wrong_name_cert: openssl failed" >&2; return 1; }
}

# tb_smtpd_start [smtpd.py options]: starts tests/smtpd.py on a free port of
# 127.0.0.1 and waits until it listens.  Sets SMTPD_PID and SMTPD_PORT.  Its
# output goes to $TMPDIR_E2E/smtpd.N.log.
tb_smtpd_start() {
	local n pf i
	: "${TMPDIR_E2E:?TMPDIR_E2E is not set}"
	TB_NSERVERS=$((TB_NSERVERS + 1))
	n=$TB_NSERVERS
	pf="$TMPDIR_E2E/smtpd.$n.port"
	rm -f "$pf"
	"$TB_PYTHON" "$SRC/tests/smtpd.py" --port-file "$pf" "$@" \
	    >"$TMPDIR_E2E/smtpd.$n.log" 2>&1 &
	SMTPD_PID=$!
	TB_PIDS="$TB_PIDS $SMTPD_PID"
	for i in $(seq 1 100); do
		if [ -s "$pf" ]; then
			SMTPD_PORT=$(cat "$pf")
			return 0
		fi
		kill -0 "$SMTPD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "tb_smtpd_start: server did not start:" >&2
	cat "$TMPDIR_E2E/smtpd.$n.log" >&2
	return 1
}

# tb_smtpd_stop [PID]: stops one server (default: the last started).
tb_smtpd_stop() {
	local pid=${1:-$SMTPD_PID} rest="" p
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	for p in $TB_PIDS; do [ "$p" = "$pid" ] || rest="$rest $p"; done
	TB_PIDS=$rest
}

tb_cleanup() {
	local p
	for p in $TB_PIDS; do kill "$p" 2>/dev/null; done
	for p in $TB_PIDS; do wait "$p" 2>/dev/null; done
	TB_PIDS=""
}
trap tb_cleanup EXIT

# tb_spool_count DIR: how many complete messages (.json) DIR holds.
tb_spool_count() {
	local n
	n=$(find "$1" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l)
	echo "$n"
}

# tb_json FILE EXPR: prints a Python expression over the JSON document `j`,
# e.g. tb_json "$spool/000001.json" 'j["auth_user"]'.
tb_json() {
	"$TB_PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# tb_birthday_book N PREFIX: prints a clients.conf of N clients PREFIX01…
# (zero-padded to the width of N) with e-mail PREFIX01@example.org… and one
# occasion, a birthday on 03-03: all N are due at once on Wed 2027-03-03
# within the send window.
tb_birthday_book() {
	local n=$1 p=$2 i first=1
	echo 'occasions = ( { name = "birthday"; kind = "birthday"; template = "birthday"; } );'
	echo 'defaults = { occasions = ["birthday"]; };'
	echo 'clients = ('
	for i in $(seq -w 1 "$n"); do
		[ "$first" = 1 ] || echo ','
		first=0
		printf '  { id = "%s%s"; name = "Client %s"; first_name = "F%s"; email = "%s%s@example.org"; salutation = "Hallo F%s"; birthday = "1980-03-03"; }' \
		    "$p" "$i" "$i" "$i" "$p" "$i" "$i"
	done
	echo
	echo ');'
}

# tb_store_check WHAT STORE DB N MAXDUP: what arrived in STORE (a Maildir:
# new/ and cur/; or a smtpd.py spool) against the ledger DB, whose N rows
# must all be `sent` once: every row's recipient got the row's Message-ID,
# nobody else got anything, and at most MAXDUP messages arrived twice, each
# with the Message-ID of its row.  Prints one FAIL line per problem and a
# summary; returns 1 on any problem (the caller counts it).
tb_store_check() {
	"$TB_PYTHON" - "$@" <<'PY'
import collections, email, email.policy, email.utils, glob, json, os, sqlite3, sys
what, store, db, n, maxdup = sys.argv[1:6]
n, maxdup = int(n), int(maxdup)
got = collections.defaultdict(list)
def mid_of(path):
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.compat32)
    return " ".join((m["Message-ID"] or "").split()), m
if os.path.isdir(os.path.join(store, "new")):
    for sub in ("new", "cur"):
        for p in sorted(glob.glob(os.path.join(store, sub, "*"))):
            mid, m = mid_of(p)
            for _, addr in email.utils.getaddresses(m.get_all("To") or []):
                got[addr.lower()].append(mid)
else:
    for j in sorted(glob.glob(os.path.join(store, "*.json"))):
        mid, _ = mid_of(j[:-5] + ".eml")
        for r in json.load(open(j))["rcpt_tos"]:
            got[r.lower()].append(mid)
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
rows = con.execute("SELECT to_addr, message_id, status FROM messages").fetchall()
con.close()
bad = []
want = {}
for to, mid, status in rows:
    want[(to or "").lower()] = mid
    if status != "sent":
        bad.append("%s: ledger row for %s is %s, not sent" % (what, to, status))
if len(rows) != n:
    bad.append("%s: the ledger holds %d rows, expected %d" % (what, len(rows), n))
missing = sorted(set(want) - set(got))
if missing:
    bad.append("%s: %d never arrived, e.g. %s" % (what, len(missing), missing[:5]))
extra = sorted(set(got) - set(want))
if extra:
    bad.append("%s: unexpected recipients %s" % (what, extra[:5]))
dups = sum(len(v) - 1 for v in got.values())
for to, mids in sorted(got.items()):
    if to in want and set(mids) != {want[to]}:
        bad.append("%s: %s got %s, the ledger says %s" % (what, to, mids, want[to]))
if dups > maxdup:
    bad.append("%s: %d duplicate message(s), at most %d allowed: %s" % (
        what, dups, maxdup,
        sorted(t for t, v in got.items() if len(v) > 1)[:5]))
print("%s: %d messages for %d recipients, %d duplicate(s) (at most %d allowed)" % (
    what, sum(map(len, got.values())), len(got), dups, maxdup))
for b in bad[:20]:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
PY
}
