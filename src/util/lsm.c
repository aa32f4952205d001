/* Probes the host for SELinux and AppArmor, the way crun and runc do, without libselinux or
 * libapparmor. Only reads sysfs and securityfs; must never change a label or load a profile. */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fd.h"
#include "lsm.h"

#define SELINUX_MAGIC 0xf97cff8c
#define APPARMOR_PROFILES "/sys/kernel/security/apparmor/profiles"

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

bool lsm_apparmor_profile_listed(const char *profiles, const char *name) {
        size_t n = strlen(name);

        /* A profile's name may hold spaces and parentheses: a line is this name when " (" follows it
         * and the mode's ")" ends the line. */
        for (const char *line = profiles; line && *line;) {
                const char *end = strchrnul(line, '\n');
                if ((size_t) (end - line) > n + 3 && strncmp(line, name, n) == 0 && line[n] == ' ' &&
                    line[n + 1] == '(' && !memchr(line + n + 2, '(', (size_t) (end - line) - n - 2) && end[-1] == ')')
                        return true;
                line = *end ? end + 1 : NULL;
        }
        return false;
}

int lsm_apparmor_profile_loaded(const char *name) {
        _cleanup_free_ char *profiles = NULL;

        /* Not listed there, yet valid for a change of profile: "unconfined", a stack ("a//&b") and a
         * profile of another namespace (":ns:name"). */
        if (strcmp(name, "unconfined") == 0 || strstr(name, "//&") || name[0] == ':')
                return -EOPNOTSUPP;
        int r = read_file_at(AT_FDCWD, APPARMOR_PROFILES, (size_t) 16 * 1024 * 1024, &profiles, NULL);
        if (r < 0)
                return r;
        return lsm_apparmor_profile_listed(profiles, name);
}
