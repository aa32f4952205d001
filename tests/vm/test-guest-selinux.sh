#!/bin/bash
# vm-boot: selinux
# In the modern-host guest's SELinux boot (tests/vm/run.sh): SELinux is the major LSM, permissive,
# with Debian's default policy loaded, the image labelled (no relabelling pending) and PID 1 in
# init_t; and a container runs there as on the AppArmor boot.
. "$(dirname "$0")/../lib/common.sh"

t_match "$(cat /sys/kernel/security/lsm)" "(^|,)selinux(,|$)" "SELinux is among the active LSMs"
t_ok "... and AppArmor is not" not_contains ",$(cat /sys/kernel/security/lsm)," ",apparmor,"
t_is "$(cat /sys/fs/selinux/enforce)" 0 "SELinux is permissive"
t_match "$(sestatus)" "Loaded policy name: +default" "Debian's default policy is loaded"
t_is "$(tr -d '\0' </proc/1/attr/current)" system_u:system_r:init_t:s0 "PID 1 runs in init_t"
t_is "$(stat -c %C /usr/bin/bash)" system_u:object_r:shell_exec_t:s0 "the image is labelled (bash is shell_exec_t)"
t_is "$(stat -c %C /etc/.updated)" "$(matchpathcon -n /etc/.updated)" "... down to what its first boot wrote"
t_ok "no relabelling is pending" test ! -e /.autorelabel

B=$T_WORK/bundle
make_bundle "$B" /bin/probe exit 7
id=$(t_id)
rs run -b "$B" "$id"
t_is "$?" 7 "a container runs and its exit status comes back"
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"

t_done
