#!/bin/bash
# daemon_walk.sh - `touchbased --once` walked through March 2027 under
# libfaketime against a real SMTP server on 127.0.0.1 (tests/smtpd.py with
# STARTTLS, a CA given as ca_file, and AUTH; password_file mode 0600).
#
# The book (tests/fixtures/daemon/clients.conf) and its calendar:
#   Mon 03-01 08:00  first pass: every client seen, nothing due yet
#   Wed 03-03 09:00  anna-mueller's birthday: sent; the same pass again: nothing
#   Thu 03-04        dora-paused's birthday: skipped (paused)
#   Mon 03-08        ben-carter's follow-up (moved from Sat 03-06) and
#                    fritz-kuhn's casual check-in: sent
#   Wed 03-10        carla-schmidt's birthday: nobody runs until Mon 03-15,
#                    5 days late, beyond catch_up = 3d: missed
#   Sat 03-13        gerd-bauer's birthday: caught up on 03-15 with the
#                    belated template
#   Wed 03-31        hanna-berg's birthday, after the switch to CEST
. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/fixtures/daemon/lib_daemon.sh"
dm_require

W=$TMPDIR_E2E/walk
SPOOL=$TMPDIR_E2E/spool
dm_certs "$TMPDIR_E2E/tls"
printf 'walk-pa55word\n' >"$TMPDIR_E2E/server-password"
tb_smtpd_start --spool "$SPOOL" --events "$TMPDIR_E2E/events" \
    --tls-cert "$TMPDIR_E2E/tls/server.pem" --tls-key "$TMPDIR_E2E/tls/server.key" \
    --auth-user tb-walk --auth-password-file "$TMPDIR_E2E/server-password" ||
	exit 1

dm_case "$W"
(umask 077 && printf 'walk-pa55word\n' >"$W/smtp-password")
dm_ini "$W" URL="smtp://127.0.0.1:$SMTPD_PORT" TLS=required USERNAME=tb-walk \
    PASSWORD_FILE=smtp-password CA_FILE="$TMPDIR_E2E/tls/ca.pem"

count() { tb_spool_count "$SPOOL"; }

# check_msg WHAT RCPT FROMDATE OFFSET SUBJECT TO: the one message to RCPT.
check_msg() {
	local what=$1 rcpt=$2 date=$3 off=$4 subject=$5 to=$6 emls eml json mid
	emls=$(dm_spool_for "$SPOOL" "$rcpt")
	if [ "$(printf '%s\n' "$emls" | grep -c .)" -ne 1 ]; then
		tb_fail "$what: expected exactly one message to $rcpt, got: $(echo $emls)"
		return
	fi
	eml=$emls
	json=${eml%.eml}.json
	dm_is "$what: over TLS" "$(tb_json "$json" 'j["tls"]')" True
	dm_is "$what: authenticated" "$(tb_json "$json" 'j["auth_user"]')" tb-walk
	dm_is "$what: envelope sender" "$(tb_json "$json" 'j["mail_from"]')" hallo@lindgruen.example
	dm_is "$what: envelope recipients" "$(tb_json "$json" '",".join(j["rcpt_tos"])')" "$rcpt"
	dm_is "$what: From" "$(dm_hdr "$eml" From)" "Atelier Lindgrün <hallo@lindgruen.example>"
	dm_match "$what: From is an RFC 2047 word on the wire" "$(dm_raw_hdr "$eml" From)" \
	    '^=\?(UTF|utf)-8\?[BbQq]\?.*\?= <hallo@lindgruen\.example>$'
	dm_is "$what: To" "$(dm_hdr "$eml" To)" "$to"
	dm_is "$what: Subject" "$(dm_hdr "$eml" Subject)" "$subject"
	mid=$(dm_hdr "$eml" Message-ID)
	dm_match "$what: Message-ID at the sender's domain" "$mid" '^<[^<>@ ]+@lindgruen\.example>$'
	dm_match "$what: Date with offset" "$(dm_hdr "$eml" Date)" "^$date:[0-9]{2} \\$off\$"
	dm_is "$what: MIME-Version" "$(dm_hdr "$eml" MIME-Version)" "1.0"
	LAST_MID=$mid
}

# check_sent WHAT CLIENT OCCURRENCE RCPT SUBJECT: the log row of a sent one.
check_sent() {
	dm_is "$1: log status" "$(dm_row "$W" "$2" "$3" 'r["status"]')" sent
	dm_is "$1: log attempts" "$(dm_row "$W" "$2" "$3" 'r["attempts"]')" 1
	dm_is "$1: log to" "$(dm_row "$W" "$2" "$3" 'r["to"]')" "$4"
	dm_is "$1: log subject" "$(dm_row "$W" "$2" "$3" 'r["subject"]')" "$5"
	dm_is "$1: log smtp_code" "$(dm_row "$W" "$2" "$3" 'r["smtp_code"]')" 250
	dm_match "$1: log smtp_reply" "$(dm_row "$W" "$2" "$3" 'r["smtp_reply"]')" 'queued as T[0-9]{6}'
	dm_is "$1: log message_id = Message-ID sent" \
	    "$(dm_row "$W" "$2" "$3" 'r["message_id"]')" "$LAST_MID"
}

# Day 0: the installation sees its clients for the first time.
dm_once "$W" "2027-03-01 08:00:00"
dm_is "day 0: exit status" "$DM_RC" 0
dm_is "day 0: nothing sent" "$(count)" 0
tb_grep "day 0: the next message" "next: birthday for anna-mueller at 2027-03-03 09:00 CET" "$DM_ERR"
dm_is "day 0: every client marked seen" "$(dm_sql "$W" 'SELECT COUNT(*) FROM clients_seen')" 7

# Wed 03-03: Anna's birthday.
dm_once "$W" "2027-03-03 09:00:00"
dm_is "03-03: exit status" "$DM_RC" 0
dm_is "03-03: one message at the server" "$(count)" 1
check_msg "anna" anna@example.de "Wed, 03 Mar 2027 09:00" +0100 \
    "Alles Gute zum Geburtstag, Anna!" "Anna Müller <anna@example.de>"
dm_log "$W"
check_sent "anna" anna-mueller birthday/2027 anna@example.de "Alles Gute zum Geburtstag, Anna!"
dm_is "anna: log due" "$(dm_row "$W" anna-mueller birthday/2027 'r["due"]')" "2027-03-03T09:00:00+01:00"
dm_match "anna: log sent_at, the send time in the schedule's zone" \
    "$(dm_row "$W" anna-mueller birthday/2027 'r["sent_at"]')" '^2027-03-03T09:00:[0-5][0-9]\+01:00$'
dm_is "anna: log occasion" "$(dm_row "$W" anna-mueller birthday/2027 'r["occasion"]')" birthday

# The same pass again, and a little later: nothing more.
dm_once "$W" "2027-03-03 09:00:00"
dm_is "03-03 again: exit status" "$DM_RC" 0
dm_is "03-03 again: still one message" "$(count)" 1
dm_once "$W" "2027-03-03 16:00:00"
dm_is "03-03 16:00: still one message" "$(count)" 1

# Thu 03-04: Dora is paused.
dm_once "$W" "2027-03-04 10:00:00"
dm_is "03-04: exit status" "$DM_RC" 0
dm_is "03-04: nothing sent" "$(count)" 1
dm_log "$W"
dm_is "dora: skipped" "$(dm_row "$W" dora-paused birthday/2027 'r["status"]')" skipped
dm_is "dora: no attempt" "$(dm_row "$W" dora-paused birthday/2027 'r["attempts"]')" 0
dm_is "dora: no message id" "$(dm_row "$W" dora-paused birthday/2027 'r["message_id"] or ""')" ""

# Mon 03-08: Ben's follow-up (moved off the weekend) and Fritz's check-in.
dm_once "$W" "2027-03-08 16:30:00"
dm_is "03-08: exit status" "$DM_RC" 0
dm_is "03-08: two more messages" "$(count)" 3
dm_log "$W"
check_msg "ben" ben@example.com "Mon, 08 Mar 2027 16:30" +0100 \
    "How is Website going?" "Ben Carter <ben@example.com>"
check_sent "ben" ben-carter followup/Website/14d ben@example.com "How is Website going?"
dm_match "ben: due on Monday, not Saturday" \
    "$(dm_row "$W" ben-carter followup/Website/14d 'r["due"]')" '^2027-03-08T(09|1[0-6]):[0-9]{2}:[0-9]{2}\+01:00$'
check_msg "fritz" fritz@example.de "Mon, 08 Mar 2027 16:30" +0100 \
    "Wie geht es Dir, Fritz?" "Fritz Kuhn <fritz@example.de>"
dm_is "fritz: check-in sent" "$("$TB_PYTHON" -c '
import json,sys
print(",".join(sorted(r["status"] + ":" + r["occurrence"] for r in json.load(open(sys.argv[1])) if r["client"] == "fritz-kuhn")))' "$W/log.json")" \
    "sent:checkin/2027-03-08"

# Mon 03-15: Carla's birthday (Wed 03-10) is missed, Gerd's (Sat 03-13)
# goes belated.
dm_once "$W" "2027-03-15 09:30:00"
dm_is "03-15: exit status" "$DM_RC" 0
dm_is "03-15: one more message" "$(count)" 4
check_msg "gerd" gerd@example.de "Mon, 15 Mar 2027 09:30" +0100 \
    "Nachträglich alles Gute, Gerd!" "Gerd Bauer <gerd@example.de>"
dm_log "$W"
check_sent "gerd" gerd-bauer birthday/2027 gerd@example.de "Nachträglich alles Gute, Gerd!"
dm_is "carla: no message" "$(dm_spool_for "$SPOOL" carla@example.de)" ""
# The SPEC's fields; `reason`, `sent_at` and `note` are cmd_log.c's
# documented extras; `replied`, `bounce_status` and `bounce_diagnostic`
# come from the mailbox (null here).
dm_is "carla: log fields" "$(dm_row "$W" carla-schmidt birthday/2027 '",".join(sorted(set(r) - {"reason"}))')" \
    "attempts,bounce_diagnostic,bounce_status,client,due,id,message_id,note,occasion,occurrence,replied,sent_at,smtp_code,smtp_reply,status,subject,to,updated"
dm_is "carla: no reply, no bounce" "$(dm_row "$W" carla-schmidt birthday/2027 '(r["replied"], r["bounce_status"], r["bounce_diagnostic"])')" \
    "(None, None, None)"
dm_match "carla: the reason names catch_up" "$(dm_row "$W" carla-schmidt birthday/2027 'r.get("reason")')" 'catch.up|late'
dm_is "carla: id is a number" "$(dm_row "$W" carla-schmidt birthday/2027 'type(r["id"]).__name__')" int
dm_is "carla: missed" "$(dm_row "$W" carla-schmidt birthday/2027 'r["status"]')" missed
dm_is "carla: occasion" "$(dm_row "$W" carla-schmidt birthday/2027 'r["occasion"]')" birthday
dm_is "carla: due" "$(dm_row "$W" carla-schmidt birthday/2027 'r["due"]')" "2027-03-10T09:00:00+01:00"
dm_is "carla: attempts" "$(dm_row "$W" carla-schmidt birthday/2027 'r["attempts"]')" 0
dm_match "carla: updated when the pass saw it" \
    "$(dm_row "$W" carla-schmidt birthday/2027 'r["updated"]')" '^2027-03-15T09:30:[0-9]{2}\+01:00$'
dm_is "carla: no message id" "$(dm_row "$W" carla-schmidt birthday/2027 'r["message_id"] or ""')" ""
dm_is "carla: no SMTP reply" "$(dm_row "$W" carla-schmidt birthday/2027 'r["smtp_reply"] or ""')" ""
tb_grep "03-15: missed is logged" "missed birthday/2027 for carla-schmidt" "$DM_ERR"

# Wed 03-31: Hanna's birthday in summer time; then nothing more.
dm_once "$W" "2027-03-31 09:00:00"
dm_is "03-31: exit status" "$DM_RC" 0
dm_is "03-31: one more message" "$(count)" 5
check_msg "hanna" hanna@example.com "Wed, 31 Mar 2027 09:00" +0200 \
    "Happy birthday, Hanna!" "Hanna Berg <hanna@example.com>"
dm_log "$W"
check_sent "hanna" hanna-berg birthday/2027 hanna@example.com "Happy birthday, Hanna!"
dm_is "hanna: due in CEST" "$(dm_row "$W" hanna-berg birthday/2027 'r["due"]')" "2027-03-31T09:00:00+02:00"
dm_once "$W" "2027-03-31 09:45:00"
dm_is "03-31 again: nothing more" "$(count)" 5
dm_once "$W" "2027-04-01 09:30:00"
dm_is "04-01: nothing more" "$(count)" 5

# The whole walk: every message once, all over TLS and authenticated, one
# log row per occurrence.
dm_log "$W"
dm_is "log rows" "$("$TB_PYTHON" -c '
import json,sys
print(" ".join(sorted(r["client"] + "=" + r["status"] for r in json.load(open(sys.argv[1])))))' "$W/log.json")" \
    "anna-mueller=sent ben-carter=sent carla-schmidt=missed dora-paused=skipped fritz-kuhn=sent gerd-bauer=sent hanna-berg=sent"
dm_is "log is newest first" "$("$TB_PYTHON" -c '
import json,sys
u=[r["updated"] for r in json.load(open(sys.argv[1]))]
print(u == sorted(u, reverse=True))' "$W/log.json")" True
dm_is "distinct Message-IDs" "$(for f in "$SPOOL"/*.eml; do dm_hdr "$f" Message-ID; done | sort -u | wc -l)" 5
dm_is "every session authenticated" "$(grep -c ' tb-walk ok$' "$TMPDIR_E2E/events")" \
    "$(grep -c '^connect ' "$TMPDIR_E2E/events")"
dm_is "no failed AUTH" "$(grep -c ' fail$' "$TMPDIR_E2E/events")" 0
tb_done
