/* Finds the host's node of a device, for a user namespace, where mknod is refused and the node is
 * bound in instead: the spec's own path if the host has that device there, else /dev/char|block/M:N,
 * else any node of it below /dev. Only opens and stats on the host: never creates or changes a node. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "launch-internal.h"
#include "util/fd.h"

/* /dev/dri/by-path/… is as deep as device nodes go. */
#define MAX_DEPTH 3

static bool is_node(const struct stat *st, mode_t type, dev_t rdev) {
        return (st->st_mode & S_IFMT) == type && (type == S_IFIFO || st->st_rdev == rdev);
}

/* An O_PATH fd of path (symlinks followed: /dev/char/M:N is one) if it is that node. */
static int open_if_node(int dir_fd, const char *path, mode_t type, dev_t rdev) {
        struct stat st;
        _cleanup_close_ int fd = openat(dir_fd, path, O_PATH | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        return is_node(&st, type, rdev) ? TAKE_FD(fd) : -ENODEV;
}

/* Depth first below dir, never through a symlink: the first node of that device. */
static int scan(int dir_fd, mode_t type, dev_t rdev, int depth) {
        _cleanup_close_ int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;

        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);
        int found = -ENOENT;
        while (found < 0 && (de = readdir(d))) {
                struct stat st;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (is_node(&st, type, rdev))
                        found = open_if_node(dirfd(d), de->d_name, type, rdev);
                else if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
                        _cleanup_close_ int sub = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                found = scan(sub, type, rdev, depth + 1);
                }
        }
        closedir(d);
        return found;
}

int host_node_open(const SpecDevice *d, int *ret_fd) {
        mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
        dev_t rdev = makedev((unsigned) d->major, (unsigned) d->minor);
        char path[64];

        int fd = open_if_node(AT_FDCWD, d->path, type, rdev);
        if (fd < 0 && type != S_IFIFO) {
                (void) snprintf(path, sizeof(path), "/dev/%s/%u:%u", type == S_IFBLK ? "block" : "char",
                                (unsigned) d->major, (unsigned) d->minor);
                fd = open_if_node(AT_FDCWD, path, type, rdev);
                if (fd < 0) {
                        _cleanup_close_ int dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        fd = dev < 0 ? -errno : scan(dev, type, rdev, 1);
                }
        }
        if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}
