#!/bin/bash
# In the modern-host guest (tests/vm/run.sh): Kubernetes' path on pure cgroup v2, systemd 257,
# AppArmor and Debian 13's containerd 1.7, through tests/integration/test-cri.sh, whose checks take
# their cgroup v2 side there: CPUWeight on runc's and crun's curve, memory.max, cpu.max and
# cpu.weight of each scope, a cgroup namespace per container whose root is its scope.
exec bash "$(dirname "$0")/../integration/test-cri.sh"
