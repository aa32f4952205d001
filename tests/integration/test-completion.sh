#!/bin/bash
# bash completion with running containers: the ids runscope offers are those `list -q` gives under
# the --root the command line names (the flags and the rest: tests/check-completion.sh).
. "$(dirname "$0")/../lib/common.sh"
. "$RUNSCOPE_TOP/completion/runscope"

# offered WORD...: completes the last WORD of `runscope WORD...` as bash does; COMPREPLY, sorted.
offered() {
        COMP_WORDS=("$RUNSCOPE" "$@")
        COMP_CWORD=$#
        COMPREPLY=()
        _runscope
        printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
a=$(t_id) b=$(t_id)
rs run -d -b "$B" "$a"
rs create -b "$B" "$b"
both=$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ' | sed 's/ $//')
t_is "$(offered --root "$T_ROOT" kill "")" "$both" "kill ID: the running and the created container under --root DIR"
t_is "$(offered --root = "$T_ROOT" start "${b%%-*}-")" "$both" "start ID: ... with --root=DIR, by prefix"
t_ok "exec ID COMMAND: no id for the command" not_contains "$(offered --root "$T_ROOT" exec --tty "$a" "")" "$a"
other=$T_WORK/other
mkdir "$other"
t_is "$(offered --root "$other" state "")" "" "state ID: none under another root"
t_ok "... and the default root's are not this one's" not_contains "$(offered state "")" "$a"
rs delete -f "$a"
t_is "$(offered --root "$T_ROOT" delete "")" "$b" "delete ID: a deleted container is no longer offered"
rs delete -f "$b"
t_done
