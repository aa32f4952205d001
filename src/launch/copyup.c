/* `tmpcopyup` (a runc and crun mount option podman uses for /tmp, /run, /var/tmp on a read-only
 * root): the image's contents of a directory are copied into the tmpfs mounted over it, keeping
 * modes, owners and symlinks. Runs in the launcher, inside the container's mount namespace, on
 * directory fds opened inside the rootfs. Never follows a symlink while copying: every open is
 * O_NOFOLLOW relative to a directory fd, so an image's symlink is copied as a symlink and cannot
 * make the copy read or write outside the two trees. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch-internal.h"
#include "util/fd.h"

/* Deep enough for any image directory; a deeper tree is refused rather than recursed without end. */
#define COPYUP_MAX_DEPTH 64

static int copy_file(int from_dir, int to_dir, const char *name, const struct stat *st) {
        _cleanup_close_ int in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (in < 0)
                return -errno;
        _cleanup_close_ int out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
        if (out < 0)
                return -errno;
        for (off_t left = st->st_size; left > 0;) {
                ssize_t n = sendfile(out, in, NULL, (size_t) (left > INT_MAX ? INT_MAX : left));
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break; /* the file shrank meanwhile */
                left -= n;
        }
        if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
                return -errno;
        return 0;
}

static int copy_entry(int from_dir, int to_dir, const char *name, unsigned depth);

static int copy_dir_contents(int from_dir, int to_dir, unsigned depth) {
        if (depth > COPYUP_MAX_DEPTH)
                return -ELOOP;
        int dup_fd = openat(from_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dup_fd < 0)
                return -errno;
        DIR *d = fdopendir(dup_fd);
        if (!d) {
                int r = -errno;
                close(dup_fd);
                return r;
        }
        int r = 0;
        struct dirent *de;
        while (r >= 0 && (errno = 0, de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        r = copy_entry(from_dir, to_dir, de->d_name, depth);
        if (r >= 0 && errno != 0)
                r = -errno;
        closedir(d);
        return r;
}

static int copy_entry(int from_dir, int to_dir, const char *name, unsigned depth) {
        struct stat st;
        int r;

        if (fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        switch (st.st_mode & S_IFMT) {
        case S_IFREG:
                return copy_file(from_dir, to_dir, name, &st);
        case S_IFLNK: {
                char target[PATH_MAX];
                ssize_t n = readlinkat(from_dir, name, target, sizeof(target) - 1);
                if (n < 0)
                        return -errno;
                target[n] = 0;
                if (symlinkat(target, to_dir, name) < 0)
                        return -errno;
                break;
        }
        case S_IFDIR: {
                if (mkdirat(to_dir, name, 0700) < 0)
                        return -errno;
                _cleanup_close_ int from = openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_close_ int to = openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (from < 0 || to < 0)
                        return -errno;
                r = copy_dir_contents(from, to, depth + 1);
                if (r < 0)
                        return r;
                /* Mode and owner last: a read-only directory must still take its contents. */
                if (fchown(to, st.st_uid, st.st_gid) < 0 || fchmod(to, st.st_mode & 07777) < 0)
                        return -errno;
                return 0;
        }
        default: /* fifos, devices, sockets: as they are, without contents */
                if (mknodat(to_dir, name, st.st_mode, st.st_rdev) < 0)
                        return -errno;
                break;
        }
        if (fchownat(to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

int copyup_tree(int from_dir, int to_dir) {
        struct stat st;

        /* The tmpfs takes the mode and owner of the directory it covers, as in runc and crun. */
        if (fstat(from_dir, &st) < 0)
                return -errno;
        int r = copy_dir_contents(from_dir, to_dir, 0);
        if (r < 0)
                return r;
        if (fchown(to_dir, st.st_uid, st.st_gid) < 0 || fchmod(to_dir, st.st_mode & 07777) < 0)
                return -errno;
        return 0;
}
