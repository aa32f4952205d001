/* Which Linux security modules that label processes and files the host has enabled, and which
 * AppArmor profiles it has loaded. */
#pragma once

#include <stdbool.h>

typedef enum LsmMask {
        LSM_SELINUX = 1 << 0,
        LSM_APPARMOR = 1 << 1,
} LsmMask;

/* LSM_* of the modules enabled here, read from sysfs. Never logs; a file it cannot read counts as
 * "not enabled". */
unsigned lsm_enabled(void);
/* Whether profiles, the text of securityfs's apparmor/profiles ("name (mode)" a line), lists name. */
bool lsm_apparmor_profile_listed(const char *profiles, const char *name);
/* 1 if the kernel has loaded the AppArmor profile name, 0 if not, -errno if that cannot be known (the
 * list unreadable, a name it does not show: "unconfined", a stack or a namespace). Never logs. */
int lsm_apparmor_profile_loaded(const char *name);
