/* Probes the host for SELinux and AppArmor, the way crun and runc do, without libselinux or
 * libapparmor. Only reads sysfs; must never change a label or load a profile. */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fd.h"
#include "lsm.h"

#define SELINUX_MAGIC 0xf97cff8c

static bool selinux_enabled(void) {
        struct statfs sfs;

        /* selinuxfs is mounted where the kernel has SELinux on (libselinux's is_selinux_enabled). */
        return statfs("/sys/fs/selinux", &sfs) == 0 && (unsigned) sfs.f_type == SELINUX_MAGIC;
}

static bool apparmor_enabled(void) {
        char c = 0;

        /* runc's apparmor.IsEnabled: securityfs has it, and the module says Y. */
        if (access("/sys/kernel/security/apparmor", F_OK) < 0)
                return false;
        _cleanup_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
        return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

unsigned lsm_enabled(void) {
        return (selinux_enabled() ? LSM_SELINUX : 0) | (apparmor_enabled() ? LSM_APPARMOR : 0);
}
