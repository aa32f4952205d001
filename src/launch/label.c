/* The launcher's LSM steps: the AppArmor profile and the SELinux label its process execs into, the
 * SELinux label of the session keyring, and linux.mountLabel on the container's mounts. Must never
 * write an attribute through a path the container's mounts can redirect (CVE-2025-52881): the label
 * would land in another file and the process run unconfined; procfs.c opens every attr file. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "launch-internal.h"

/* value written to the attribute file fd, in one write: the LSMs take a write as a whole command. */
static int write_attr_fd(int fd, const char *value) {
        ssize_t n = write(fd, value, strlen(value));
        if (n < 0)
                return -errno;
        return (size_t) n == strlen(value) ? 0 : -EIO;
}

/* The same to this thread's file (below /proc/thread-self). */
static int write_attr(const char *file, const char *value) {
        _cleanup_close_ int fd = procfs_open_thread_self(file, O_WRONLY);
        if (fd < 0)
                return fd;
        return write_attr_fd(fd, value);
}

static int attr_error(int r, const char *what, const char *value, const char *file) {
        if (r == -EXDEV)
                return launch_error(r, "%s '%s': /proc/thread-self/%s is covered by a mount, not written", what, value,
                                    file);
        return launch_error(r, "%s '%s': /proc/thread-self/%s: %m", what, value, file);
}

static int set_apparmor_exec(const char *profile) {
        char command[4096];
        const char *file = "attr/apparmor/exec";

        if (snprintf(command, sizeof(command), "exec %s", profile) >= (int) sizeof(command))
                return launch_error(ENAMETOOLONG, "process.apparmorProfile: the profile's name is too long");
        /* AppArmor's own directory (Linux 5.8) first: with stacked LSMs, attr/exec is the first one's.
         * runc and libapparmor do the same. */
        _cleanup_close_ int fd = procfs_open_thread_self(file, O_WRONLY);
        if (fd == -ENOENT) {
                file = "attr/exec";
                fd = procfs_open_thread_self(file, O_WRONLY);
        }
        if (fd < 0)
                return attr_error(fd, "process.apparmorProfile", profile, file);
        /* The kernel looks the profile up now: ENOENT is one it has not loaded. */
        int r = write_attr_fd(fd, command);
        if (r == -ENOENT)
                return launch_error(r, "process.apparmorProfile: AppArmor profile '%s' is not loaded", profile);
        return r < 0 ? attr_error(r, "process.apparmorProfile", profile, file) : 0;
}

int label_set_exec(const SpecProcess *p) {
        int r;

        if (p->apparmor_profile) {
                r = set_apparmor_exec(p->apparmor_profile);
                if (r < 0)
                        return r;
        }
        if (p->selinux_label) {
                r = write_attr("attr/exec", p->selinux_label);
                if (r < 0)
                        return attr_error(r, "process.selinuxLabel", p->selinux_label, "attr/exec");
        }
        return 0;
}

int label_set_keycreate(const char *label) {
        if (!label)
                return 0;
        int r = write_attr("attr/keycreate", label);
        return r < 0 ? attr_error(r, "process.selinuxLabel (the session keyring's)", label, "attr/keycreate") : 0;
}

bool label_mount_takes_context(const char *type) {
        /* Not a bind (the kernel ignores its data), nor a file system whose superblock the mount shares
         * with others, made without the option: proc, sysfs and cgroups (as runc and crun leave them),
         * and mqueue, whose superblock the ipc namespace made (label_mount_root() labels that). */
        static const char *const shared[] = { "proc", "sysfs", "cgroup", "cgroup2", "mqueue", "bind" };

        if (!type)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(shared); i++)
                if (strcmp(type, shared[i]) == 0)
                        return false;
        return true;
}

int label_mount_data(const char *label, const char *data, char *buf, size_t size) {
        int n;

        /* Options that set a context already (context=, fscontext=, defcontext=, rootcontext=) are the
         * bundle's choice: another would make the mount fail. */
        if (!label || strstr(data, "context="))
                n = snprintf(buf, size, "%s", data);
        else
                n = snprintf(buf, size, "%s%scontext=\"%s\"", data, data[0] ? "," : "", label);
        return n < 0 || (size_t) n >= size ? -E2BIG : 0;
}

int label_mount_root(const char *label, int root_fd, const char *path) {
        if (!label)
                return 0;
        _cleanup_close_ int fd = open_in_root(root_fd, path, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return fd;
        /* mqueue keeps no extended attributes: SELinux takes this one as the inode's label itself. */
        if (fsetxattr(fd, "security.selinux", label, strlen(label), 0) < 0)
                return -errno;
        return 0;
}
