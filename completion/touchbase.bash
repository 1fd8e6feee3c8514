# bash completion for touchbase(1)                        -*- shell-script -*-
#
# Subcommands, their options and the values of --format are read from
# `touchbase --help`, so they always match the installed program.  Client
# ids (CLIENT, --client) and occasion names (OCCASION) come from the book
# named in the configuration: -c FILE on the command line, else
# $TOUCHBASE_CONFIG, else /etc/touchbase/touchbase.ini, and in it
# [paths] clients (default clients.conf, relative to the file's folder).

# _touchbase_book CONFIG: prints the path of the book CONFIG names.
_touchbase_book()
{
    local ini=$1 dir clients
    [[ -r $ini ]] || return
    dir=${ini%/*}
    [[ $dir == "$ini" ]] && dir=.
    clients=$(awk '
        /^[ \t]*\[/ { sec = $0; gsub(/[][ \t]/, "", sec); next }
        sec == "paths" && /^[ \t]*clients[ \t]*=/ {
            sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]+;.*$/, ""); sub(/[ \t]+$/, "")
            print; exit
        }' "$ini" 2>/dev/null)
    [[ -z $clients ]] && clients=clients.conf
    [[ $clients != /* ]] && clients=$dir/$clients
    printf '%s\n' "$clients"
}

# _touchbase_ids BOOK: the client ids in BOOK.
_touchbase_ids()
{
    [[ -r $1 ]] || return
    sed -n 's/.*\bid[ \t]*=[ \t]*"\([A-Za-z0-9_-]*\)".*/\1/p' "$1" 2>/dev/null
}

# _touchbase_occasions BOOK: the names in BOOK's top-level occasions list.
_touchbase_occasions()
{
    [[ -r $1 ]] || return
    sed -n '/^[ \t]*occasions[ \t]*=[ \t]*(/,/^[ \t]*)[ \t]*;/p' "$1" 2>/dev/null |
        grep -o 'name[ \t]*=[ \t]*"[^"]*"' | sed 's/.*"\(.*\)"/\1/'
}

_touchbase()
{
    local cur prev words cword
    _init_completion || return

    local prog=${words[0]} config=${TOUCHBASE_CONFIG:-/etc/touchbase/touchbase.ini}
    local i cmd= cmdi=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        -c) ((i++)); config=${words[i]}; config=${config/#\~/$HOME} ;;
        -*) ;;
        *) cmd=${words[i]}; cmdi=$i; break ;;
        esac
    done

    if [[ $prev == -c ]]; then
        _filedir ini
        return
    fi

    local help
    help=$("$prog" --help 2>/dev/null)
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-c --version --help' -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p' <<<"$help")" -- "$cur"))
        fi
        return
    fi

    # The synopsis of this command, e.g. "render CLIENT OCCASION [--date DATE]",
    # with its continuation lines (indented deeper than the command names).
    local syn
    syn=$(awk -v c="$cmd" '/^commands:/ { on = 1; next }
        on && /^$/ { exit }
        on && /^  [a-z]/ { take = ($1 == c) }
        on && take { print }' <<<"$help")
    local book
    book=$(_touchbase_book "$config")

    case $prev in
    --client)
        COMPREPLY=($(compgen -W "$(_touchbase_ids "$book")" -- "$cur"))
        return ;;
    --format)
        local f
        f=$(grep -o -- '--format [a-z|]*' <<<"$syn" | head -n 1)
        f=${f#--format }
        COMPREPLY=($(compgen -W "${f//|/ }" -- "$cur"))
        return ;;
    --status)
        COMPREPLY=($(compgen -W 'queued sent deferred failed skipped missed bounced opt-out touch' -- "$cur"))
        return ;;
    --out)
        _filedir
        return ;;
    --*)
        # An option with a value (DATE, N, TEXT): nothing to offer.
        grep -q -- "$prev [A-Z]" <<<"$syn" && return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(grep -o -- '--[a-z-]*' <<<"$syn" | sort -u)" -- "$cur"))
        return
    fi

    # The position among this command's arguments, options and their
    # values left out.
    local pos=0
    for ((i = cmdi + 1; i < cword; i++)); do
        case ${words[i]} in
        --dry-run) ;;
        --*) ((i++)) ;;
        *) ((pos++)) ;;
        esac
    done
    # The placeholders of the synopsis, the bracketed options left out:
    # "render CLIENT OCCASION" -> CLIENT OCCASION.
    local -a args
    args=($(sed -e 's/\[[^]]*\]//g' -e 's/[()]//g' -e 's/ | / /g' \
        -e 's/--[a-z-]* [A-Z]*//g' <<<"$syn"))
    local want=${args[pos + 1]}
    # approve (ID | CLIENT OCCURRENCE | ...): a client id is offered first.
    [[ $pos -eq 0 && " ${args[*]} " == *" CLIENT "* ]] && want=CLIENT
    case $want in
    CLIENT)
        COMPREPLY=($(compgen -W "$(_touchbase_ids "$book")" -- "$cur")) ;;
    OCCASION)
        COMPREPLY=($(compgen -W "$(_touchbase_occasions "$book")" -- "$cur")) ;;
    FILE)
        _filedir ;;
    *'|'*)
        # Literal alternatives: import vcard|csv FILE.
        COMPREPLY=($(compgen -W "${want//|/ }" -- "$cur")) ;;
    esac
} &&
    complete -F _touchbase touchbase

# ex: filetype=sh
