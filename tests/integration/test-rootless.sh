#!/bin/bash
# Rootless: runscope run by a user with no privileges talks to that user's systemd manager (a user
# made here, lingering, with subordinate ids), keeps its state in the user's runtime directory, maps
# the user namespace through newuidmap, refuses the limits the user manager cannot hold, and says in
# one line what is missing when the user has no manager; podman run by that user drives it too. On
# this hybrid host the user's manager is delegated no controller: every limit is refused. The
# cgroup v2 tier runs the same scenarios (tests/vm/test-rootless.sh).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/rootless.sh"

if rl_setup; then
        rl_runscope
        rl_podman
fi
t_done
