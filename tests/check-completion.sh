#!/bin/bash
# The bash completion of runscope and runscope-run (completion/), driven as bash drives it
# (COMP_WORDS, COMP_CWORD, then COMPREPLY): its flags are exactly those of the option tables in
# src/cmd/ (so neither can change alone), and verbs, values, container ids under --root (from states
# written here by hand, as test-list does; test-completion.sh does it with a running container),
# signals, -p's property names and commands are offered where they belong. Needs the built binaries.
src=$(cd "$(dirname "$0")/.." && pwd)
build=$PWD
[ -x "$build/runscope" ] || build=$src
RUNSCOPE=$build/runscope
RUNSCOPE_RUN=$build/runscope-run
# Never the completion of the machine's own bash-completion: these files, sourced here.
. "$src/completion/runscope" || exit 1
. "$src/completion/runscope-run" || exit 1

n=0 fail=0
result() {
        n=$((n + 1))
        if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
# is GOT EXPECTED DESC
is() {
        [ "$1" = "$2" ]
        result $? "$3"
        [ "$1" = "$2" ] || printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
}

# offered FUNCTION WORD...: completes the last WORD (the command's path first) with FUNCTION, as bash
# would; prints COMPREPLY sorted, on one line.
offered() {
        local f=$1
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$f"
        printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
rs() { offered _runscope "$RUNSCOPE" "$@"; }
rr() { offered _runscope_run "$RUNSCOPE_RUN" "$@"; }
words() { tr ' ' '\n' | grep . | sort | tr '\n' ' ' | sed 's/ $//'; }

# What the sources say. long_options FILE [HAS_ARG]: the long names of FILE's struct option tables
# (those with required_argument, no_argument or either).
long_options() {
        grep -o '{ "[a-z-]*", [a-z]*_argument' "$src/src/cmd/$1" | grep "${2:-_argument}" | sed 's/{ "\([^"]*\)".*/--\1/'
}
# verb_file VERB: the file that defines verb_VERB.
verb_file() { grep -l "^int verb_$1(" "$src"/src/cmd/cmd-*.c | xargs -n1 basename; }
# verb_text VERB: verb_VERB's function where it holds an option table of its own (two verbs of one
# file, as checkpoint and restore), else its whole file.
verb_text() {
        local f body
        f="$src/src/cmd/$(verb_file "$1")"
        body=$(sed -n "/^int verb_$1(/,/^}/p" "$f")
        if grep -q 'struct option' <<<"$body"; then echo "$body"; else cat "$f"; fi
}
# refused VERB FILE: the flags of the shared table that VERB refuses ("VERB: unknown option --X").
refused() { grep -o "\"$1: unknown option --[a-z-]*\"" "$src/src/cmd/$2" | sed 's/.*option \(--[a-z-]*\)"/\1/'; }
# source_flags VERB [HAS_ARG]: VERB's flags by the sources.
source_flags() {
        local f
        f=$(verb_file "$1")
        verb_text "$1" | grep -o '{ "[a-z-]*", [a-z]*_argument' | grep "${2:-_argument}" | sed 's/{ "\([^"]*\)".*/--\1/' |
                grep -vxF -f <(refused "$1" "$f"; echo "--never-a-flag") | words
}
verbs=$(grep -o '{ "[a-z]*", verb_' "$src/src/cmd/main.c" | sed 's/{ "\([a-z]*\)".*/\1/' | words)

is "$(rs "")" "$verbs" "runscope: the verbs are main.c's verb table"
is "$(rs "st")" "start state" "... a prefix of one"
is "$(rs -)" "$(long_options main.c | words)" "runscope -: the global flags are main.c's option table"
for v in $verbs; do
        is "$(rs "$v" -)" "$(source_flags "$v")" "runscope $v -: $v's flags are those of $(verb_file "$v")"
        # The completion knows which take a value: after one, a value is completed, never a flag.
        _runscope_flags "$v"
        is "$(words <<<"$flags_arg")" "$(source_flags "$v" required)" "... those that take a value"
        bad=""
        for s in $(verb_text "$v" | grep -o "getopt_long(argc, argv, \"[^\"]*\"" | grep -o '"[^"]*"' |
                   tr -d '"+:' | grep -o .); do
                long=$(verb_text "$v" | grep -o "{ \"[a-z-]*\", [a-z]*_argument, NULL, '$s' }" |
                       sed 's/{ "\([^"]*\)".*/--\1/')
                # Only the short forms of flags the verb takes (create's table has run's -d).
                grep -qxF -- "$long" <(source_flags "$v" | tr ' ' '\n') || continue
                [ "$(_runscope_long "$v" "-$s")" = "$long" ] || bad+=" -$s"
        done
        is "$bad" "" "... and its short forms are the same flags"
done
is "$(rs --log-format "")" "json text" "--log-format VALUE: text or json"
is "$(rs --log-format = "")" "json text" "... also as --log-format=VALUE"
is "$(rs --root /x list --format "")" "json table" "list --format VALUE, after --root DIR: table or json"
is "$(rs ps -f j)" "json" "ps -f VALUE"
is "$(rs kill someid "")" "$(grep -o '{ "[A-Z0-9]*", SIG' "$src/src/cmd/cmd-kill.c" | cut -d'"' -f2 | words)" \
        "kill ID SIGNAL: the signal names of cmd-kill.c"
is "$(rs exec someid -)" "" "exec ID -: no flag after the id (it is the command's)"

# Values that are paths: directories for --bundle and --root, files for --pid-file.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/adir" "$tmp/state"
: >"$tmp/afile"
is "$(cd "$tmp" && rs create --bundle a)" "adir" "create --bundle DIR: directories"
is "$(cd "$tmp" && rs --root a)" "adir" "--root DIR: directories"
is "$(cd "$tmp" && rs run -d --pid-file a)" "adir afile" "run --pid-file FILE: files"

# Container ids: `list -q` under the --root the line names (states made by hand: no systemd).
for id in web1 web2 db; do
        mkdir "$tmp/state/$id"
        printf '{"id":"%s","bundle":"/b","rootfs":"/b/rootfs","pid":0,"pidStartTime":0,"created":"2026-11-24T00:00:00Z","owner":0,"unit":"runscope-%s.scope","slice":"machine.slice","annotations":{}}' \
                "$id" "$id" >"$tmp/state/$id/state.json"
done
is "$(rs --root "$tmp/state" delete "")" "db web1 web2" "delete ID: the ids under --root DIR"
is "$(rs --root = "$tmp/state" kill --all w)" "web1 web2" "kill --all ID: ... with --root=DIR, by prefix"
is "$(rs --root "$tmp/adir" state "")" "" "state ID: none under an empty root"
is "$(rs --root "$tmp/state" create "")" "" "create ID: a new id, nothing offered"

# runscope-run.
is "$(rr -)" "$(long_options runscope-run.c | words)" "runscope-run -: the flags are runscope-run.c's option table"
is "$(words <<<"$_runscope_run_flags_arg")" "$(long_options runscope-run.c required | words)" "... those that take a value"
is "$(rr -p "")" "$("$RUNSCOPE_RUN" -p help | sed 's/$/=/' | words)" "-p NAME=: every property runscope-run -p help lists"
is "$(rr -p "")" "$(grep -o '{ "[A-Za-z]*", [a-z_]*_property }' "$src/src/spec/spec-run.c" | cut -d'"' -f2 |
        sed 's/$/=/' | words)" "... which are spec-run.c's property table"
is "$(rr --property = Mem)" "MemoryHigh= MemoryLow= MemoryMax= MemoryMin= MemorySwapMax=" "--property=NAME: by prefix"
is "$(rr -q --network "")" "host none" "--network: host or none"
is "$(rr -p TasksMax=5 sleep)" "$(compgen -c -- sleep | sort -u | words)" "the command: commands"
is "$(rr -- -)" "$(compgen -c -- - | sort -u | words)" "... after --, even one that looks like a flag"
is "$(cd "$tmp" && rr --rootfs adir /bin/ls a)" "adir afile" "the command's arguments: files"
echo "1..$n"
exit $fail
