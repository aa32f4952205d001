/* Opens a path inside the container's rootfs, resolved as the container would see it: symlinks
 * (absolute ones too) and ".." never leave the root. openat2(RESOLVE_IN_ROOT) does it where the
 * kernel has it (5.6+); before, the path is walked here a component at a time. Never follows a
 * symlink with the kernel's own lookup from a directory fd: every step is O_NOFOLLOW. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch-internal.h"
#include "util/fault.h"
#include "util/fd.h"
#include "util/missing.h"

/* As many as the kernel follows in one lookup. */
#define MAX_LINKS 40

static bool same_inode(int a, int b) {
        struct stat sa, sb;
        return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The walk: `todo` holds what is left to resolve; a symlink's target replaces the component that
 * named it (an absolute target starts again from the root); ".." at the root stays there. */
static int walk_in_root(int root_fd, const char *path) {
        char todo[PATH_MAX * 2], link[PATH_MAX], comp[NAME_MAX + 1];
        int links = 0;
        _cleanup_close_ int cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (cur < 0)
                return -errno;
        if (snprintf(todo, sizeof(todo), "%s", path) >= (int) sizeof(todo))
                return -ENAMETOOLONG;
        for (char *p = todo;;) {
                p += strspn(p, "/");
                if (!*p)
                        return TAKE_FD(cur);
                size_t n = strcspn(p, "/");
                if (n > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(comp, p, n);
                comp[n] = 0;
                p += n;
                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0 && same_inode(cur, root_fd))
                        continue;
                int next = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return -errno;
                struct stat st;
                if (fstat(next, &st) < 0 || !S_ISLNK(st.st_mode)) {
                        safe_close(cur);
                        cur = next;
                        continue;
                }
                ssize_t k = readlinkat(next, "", link, sizeof(link) - 1);
                safe_close(next);
                if (k < 0)
                        return -errno;
                if (++links > MAX_LINKS)
                        return -ELOOP;
                link[k] = 0;
                /* The target, then what was left after the link. */
                char rest[PATH_MAX * 2];
                if (snprintf(rest, sizeof(rest), "%s/%s", link, p) >= (int) sizeof(rest) ||
                    snprintf(todo, sizeof(todo), "%s", rest) >= (int) sizeof(todo))
                        return -ENAMETOOLONG;
                p = todo;
                if (link[0] == '/') {
                        safe_close(cur);
                        cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (cur < 0)
                                return -errno;
                }
        }
}

static bool have_openat2(void) {
#ifdef RUNSCOPE_FAULT_POINTS
        /* Test builds only: the walk, as on a kernel without openat2. */
        if (getenv("RUNSCOPE_NO_OPENAT2"))
                return false;
#endif
        return true;
}

int open_in_root(int root_fd, const char *path, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = have_openat2() ? openat2_call(root_fd, path, &how) : (errno = ENOSYS, -1);
        if (fd >= 0)
                return fd;
        if (errno != ENOSYS)
                return -errno;

        _cleanup_close_ int found = walk_in_root(root_fd, path);
        struct stat st;
        if (found < 0)
                return found;
        if ((flags & O_DIRECTORY) && (fstat(found, &st) < 0 || !S_ISDIR(st.st_mode)))
                return -ENOTDIR;
        if (flags & O_PATH)
                return TAKE_FD(found);
        /* Opened again with the flags asked for, through the fd: no path is looked up again. */
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", found);
        fd = open(proc, flags | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* A symlink at name in parent (reached by the in-root path dir) that dangles: the in-root path of
 * its target, to be made instead, as runc and crun (in-root resolution) do. */
static int dangling_target(int parent, const char *dir, const char *name, char *buf, size_t size) {
        char link[PATH_MAX];
        struct stat st;

        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISLNK(st.st_mode))
                return -ENOENT;
        ssize_t k = readlinkat(parent, name, link, sizeof(link) - 1);
        if (k < 0)
                return -errno;
        link[k] = 0;
        /* Trailing slashes dropped: the last component is what gets made. */
        while (k > 1 && link[k - 1] == '/')
                link[--k] = 0;
        if (snprintf(buf, size, "%s/%s", link[0] == '/' ? "" : dir, link) >= (int) size)
                return -ENAMETOOLONG;
        return 0;
}

static int mkdir_in_root(int root_fd, const char *dest, bool as_file, int *links) {
        char buf[PATH_MAX], target[PATH_MAX];
        int fd;

        fd = open_in_root(root_fd, dest, O_PATH);
        if (fd != -ENOENT)
                return fd;

        if (snprintf(buf, sizeof(buf), "%s", dest) >= (int) sizeof(buf))
                return -ENAMETOOLONG;
        /* "/a//b/" is "/a/b": the name made is the last one that is not empty. */
        for (size_t n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
                buf[n - 1] = 0;
        char *slash = strrchr(buf, '/');
        if (!slash)
                return -EINVAL;
        const char *name = slash + 1;
        while (slash > buf && slash[-1] == '/')
                slash--;
        *slash = 0;
        if (!*name)
                return -EINVAL;

        _cleanup_close_ int parent = mkdir_in_root(root_fd, buf[0] ? buf : "/", false, links);
        if (parent < 0)
                return parent;
        /* A racing process may swap a directory of dest for a symlink now: the name is made in the
         * parent held by fd, and dest is opened again through the root (CVE-2024-45310). */
        FAULT_SWAP("mkdir");
        if (as_file) {
                int f = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (f < 0 && errno != EEXIST)
                        return -errno;
                safe_close(f);
        } else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = open_in_root(root_fd, dest, O_PATH);
        if (fd != -ENOENT)
                return fd;
        /* The name is a symlink that dangles: its target is made, resolved inside the root like any
         * other destination, so it never leaves it. */
        int r = dangling_target(parent, buf[0] ? buf : "/", name, target, sizeof(target));
        if (r < 0)
                return r == -ENOENT ? -ELOOP : r;
        if (++*links > MAX_LINKS)
                return -ELOOP;
        fd = mkdir_in_root(root_fd, target, as_file, links);
        if (fd < 0)
                return fd;
        safe_close(fd);
        return open_in_root(root_fd, dest, O_PATH);
}

/* Opens dest (absolute, inside root) as O_PATH, creating missing directories and, when as_file, a
 * missing last component as an empty file. A symlink is resolved as the container would see it,
 * and one that dangles has its target made inside the root. */
int open_in_root_mkdir(int root_fd, const char *dest, bool as_file) {
        int links = 0;
        return mkdir_in_root(root_fd, dest, as_file, &links);
}
