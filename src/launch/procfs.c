/* The launcher's writes to /proc (sysctls, oom_score_adj, LSM attributes): opened below a verified
 * procfs root with no symlink, no magic link and no mount crossed, and checked to be on that very
 * mount. Must never write through a path the container's mounts can redirect: a bundle may bind a
 * host file over a /proc/sys or attr file, and a write there would land on the host (CVE-2025-52881). */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "launch-internal.h"
#include "util/fd.h"
#include "util/missing.h"

#define PROC_ROOT_INO 1

static bool is_proc(int fd) {
        struct statfs sf;
        return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* The mount id of fd: statx's (Linux 5.8), else the "mnt_id:" its fdinfo in root's procfs shows
 * (3.15). Through "self", which resolves only in a procfs of this process's pid namespace. */
static int mount_id(int root, int fd, uint64_t *ret) {
        struct statx stx;
        char path[64], line[256];

        if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID)) {
                *ret = stx.stx_mnt_id;
                return 0;
        }
        (void) snprintf(path, sizeof(path), "self/fdinfo/%d", fd);
        _cleanup_close_ int info = openat(root, path, O_RDONLY | O_CLOEXEC);
        if (info < 0)
                return -errno;
        ssize_t n = read(info, line, sizeof(line) - 1);
        if (n < 0)
                return -errno;
        line[n] = 0;
        const char *m = strstr(line, "mnt_id:");
        if (!m || sscanf(m + 7, "%" SCNu64, ret) != 1)
                return -EOPNOTSUPP;
        return 0;
}

/* The container's /proc when it is the root of a procfs mount: then a file covered by a mount there
 * is refused, not written around. Else a procfs of our own, detached, that nothing can cover. */
static int proc_root_open(void) {
        struct stat st;
        int fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd >= 0 && is_proc(fd) && fstat(fd, &st) == 0 && st.st_ino == PROC_ROOT_INO)
                return fd;
        safe_close(fd);
        _cleanup_close_ int fs = fsopen("proc", FSOPEN_CLOEXEC);
        if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        fd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        return fd < 0 ? -errno : fd;
}

static int open_below(int root, const char *path, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_NOFOLLOW | O_CLOEXEC),
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        uint64_t root_id = 0, file_id = 0;
        int r;

        _cleanup_close_ int fd = openat2_call(root, path, &how);
        if (fd < 0 && errno == ENOSYS)
                fd = openat(root, path, flags | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* Without openat2, or should it let a mount through: the file must be procfs, on the root's
         * own mount (a bind of another procfs file over it is procfs too). A file whose mount is
         * unknown is refused. */
        if (!is_proc(fd))
                return -EXDEV;
        r = mount_id(root, root, &root_id);
        if (r >= 0)
                r = mount_id(root, fd, &file_id);
        if (r < 0)
                return r;
        if (root_id != file_id)
                return -EXDEV;
        return TAKE_FD(fd);
}

int procfs_open(const char *path, int flags) {
        _cleanup_close_ int root = proc_root_open();
        if (root < 0)
                return root;
        return open_below(root, path, flags);
}

/* name below the directory the procfs link ("self", "thread-self") names for this process. */
static int open_below_link(const char *link, const char *name, int flags) {
        char target[64], path[PATH_MAX];

        _cleanup_close_ int root = proc_root_open();
        if (root < 0)
                return root;
        /* This process's pid as that procfs numbers it: a /proc of another pid namespace (the host's
         * bound in) has no "self" for it, and getpid() there would name some other process. */
        ssize_t n = readlinkat(root, link, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = 0;
        (void) snprintf(path, sizeof(path), "%s/%s", target, name);
        return open_below(root, path, flags);
}

int procfs_open_self(const char *name, int flags) {
        return open_below_link("self", name, flags);
}

int procfs_open_thread_self(const char *name, int flags) {
        return open_below_link("thread-self", name, flags);
}
