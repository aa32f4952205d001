/* Which Linux security modules that label processes and files the host has enabled. */
#pragma once

typedef enum LsmMask {
        LSM_SELINUX = 1 << 0,
        LSM_APPARMOR = 1 << 1,
} LsmMask;

/* LSM_* of the modules enabled here, read from sysfs. Never logs; a file it cannot read counts as
 * "not enabled". */
unsigned lsm_enabled(void);
