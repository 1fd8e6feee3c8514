#!/bin/bash
# completion.sh - bash completion for touchbase (completion/touchbase.bash):
# subcommands and their options from `touchbase --help`, client ids and
# occasion names from the book the configuration names (-c FILE, else
# $TOUCHBASE_CONFIG), the values of --format and --status, import's
# formats.  Each case completes one command line and compares the offers.
. "$SRC/tests/e2e/lib.sh"

bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || tb_skip "bash-completion is not installed (package bash-completion)"
# bash_completion wants an interactive-ish shell; these are enough.
set +o posix
. "$bc"
. "$SRC/completion/touchbase.bash"

D=$TMPDIR_E2E/conf
mkdir -p "$D/sub"
cp "$SRC/conf/clients.conf" "$D/sub/book.conf"
printf '[sender]\naddress = a@b.example\n[paths]\nclients = sub/book.conf ; the book\n' >"$D/touchbase.ini"
PATH=$BUILD:$PATH

# offers LINE EXPECTED: completing LINE (the cursor at its end) offers
# exactly EXPECTED (sorted, space-separated).
offers() {
	local line=$1 want=$2 got
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *' ' ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_touchbase touchbase "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ')
	got=${got% }
	[ "$got" = "$want" ] || tb_fail "'$line' offers '$got', expected '$want'"
}

offers "touchbase " "$(touchbase --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
offers "touchbase ch" "check"
offers "touchbase -c $D/touchbase.ini te" "test-mail"
offers "touchbase -c $D/touchbase.ini render " "anna-mueller atelier-gruber cafe-sonnenschein juergen-schaefer kanzlei-brandt lena-koenig praxis-weiss sarah-collins thomas-mueller"
offers "touchbase -c $D/touchbase.ini render an" "anna-mueller"
offers "touchbase -c $D/touchbase.ini render anna-mueller " "advent birthday checkin followup jubilee studio-opening"
offers "touchbase -c $D/touchbase.ini render anna-mueller b" "birthday"
offers "touchbase -c $D/touchbase.ini preview --client s" "sarah-collins"
offers "touchbase -c $D/touchbase.ini touch th" "thomas-mueller"
offers "touchbase preview --format " "csv ics json table"
offers "touchbase log --format " "csv json table"
offers "touchbase log --status f" "failed"
offers "touchbase log --s" "--since --status"
offers "touchbase preview --days " ""
offers "touchbase import " "csv vcard"
offers "touchbase import v" "vcard"
TOUCHBASE_CONFIG=$D/touchbase.ini offers "touchbase optout k" "kanzlei-brandt"
# A configuration that cannot be read: nothing to offer, no error.
offers "touchbase -c $D/none.ini render " ""
tb_done
