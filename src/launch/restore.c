/* What checkpoint and restore need of the launcher's path rules, outside a launcher: a mount's
 * destination resolved inside a rootfs as the container sees it (CRIU's names for external mounts),
 * and the mount points of a configuration made in a rootfs before CRIU mounts there. Never follows
 * a path out of the rootfs. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "launch-internal.h"
#include "launch.h"
#include "util/log.h"

bool launch_mount_is_bind(const SpecMount *m) {
        return mount_is_bind(m);
}

int launch_resolve_in_rootfs(const char *rootfs, const char *dest, char **ret) {
        char real[PATH_MAX], proc[64], link[PATH_MAX];
        _cleanup_close_ int root_fd = -EBADF, fd = -EBADF;

        if (!realpath(rootfs, real))
                return log_error_errno(errno, "rootfs %s: %m", rootfs);
        root_fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return log_error_errno(errno, "rootfs %s: %m", real);
        fd = open_in_root(root_fd, dest, O_PATH);
        /* Not there (yet): CRIU takes the destination as written, as crun gives it. */
        if (fd == -ENOENT) {
                char *c = strdup(dest);
                if (!c)
                        return log_oom();
                *ret = c;
                return 0;
        }
        if (fd < 0)
                return log_error_errno(fd, "%s in the rootfs %s: %m", dest, real);
        fd_path(fd, proc);
        ssize_t n = readlink(proc, link, sizeof(link) - 1);
        if (n < 0)
                return log_error_errno(errno, "%s in the rootfs %s: %m", dest, real);
        link[n] = 0;
        size_t k = strlen(real);
        if (strcmp(real, "/") == 0)
                k = 0;
        else if (strncmp(link, real, k) != 0 || (link[k] != '/' && link[k] != 0))
                return log_error_errno(EXDEV, "%s resolves outside the rootfs %s", dest, real);
        char *c = strdup(link[k] ? link + k : "/");
        if (!c)
                return log_oom();
        *ret = c;
        return 0;
}

/* Whether dest lies below the destination of a tmpfs mount of the spec: CRIU restores a tmpfs
 * with its contents, mount points included, so nothing is made there (as runc skips them). */
static bool under_tmpfs(const Spec *spec, const char *dest) {
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];
                size_t n = strlen(m->destination);
                if (m->type && strcmp(m->type, "tmpfs") == 0 && strncmp(dest, m->destination, n) == 0 && dest[n] == '/')
                        return true;
        }
        return false;
}

int launch_make_mount_points(const Spec *spec, const char *bundle, const char *rootfs) {
        _cleanup_close_ int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (root_fd < 0)
                return log_error_errno(errno, "rootfs %s: %m", rootfs);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];
                char source[PATH_MAX];
                bool as_file = false;

                /* A cgroup mount point appears with /sys; a tmpfs brings its own. */
                if ((m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)) ||
                    under_tmpfs(spec, m->destination))
                        continue;
                if (mount_is_bind(m) && m->source) {
                        struct stat st;
                        (void) snprintf(source, sizeof(source), "%s%s%s", m->source[0] == '/' ? "" : bundle,
                                        m->source[0] == '/' ? "" : "/", m->source);
                        if (stat(source, &st) < 0)
                                return log_error_errno(errno, "config.json: mounts[%zu]: bind source %s: %m", i, source);
                        as_file = !S_ISDIR(st.st_mode);
                }
                int fd = open_in_root_mkdir(root_fd, m->destination, as_file);
                if (fd < 0)
                        return log_error_errno(fd, "config.json: mounts[%zu]: destination %s in the rootfs: %m", i,
                                               m->destination);
                safe_close(fd);
        }
        return 0;
}
