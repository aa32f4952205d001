/* What systemd does not do on this host, on a unit's own cgroup: the unified hierarchy's freezer
 * (hybrid), the v1 swap limit, --keep-unit's payload cgroup in a delegated unit. Never writes a
 * cgroup of systemd's own (a slice, another unit). */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "cgroup.h"
#include "fd.h"

int cgroup_unified_root(const char **ret) {
        static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
        static const char *found; /* asked once: `list` asks for every container */
        struct statfs sfs;

        for (size_t i = 0; !found && i < ELEMENTSOF(candidates); i++)
                if (statfs(candidates[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
                        found = candidates[i];
        *ret = found;
        return found ? 0 : -ENOMEDIUM;
}

static bool has_controller(const char *list, size_t n, const char *controller) {
        for (const char *c = list, *end; c < list + n; c = end + 1) {
                end = memchr(c, ',', (size_t) (list + n - c)) ?: list + n;
                if ((size_t) (end - c) == strlen(controller) && strncmp(c, controller, (size_t) (end - c)) == 0)
                        return true;
        }
        return false;
}

int cgroup_pid_path(pid_t pid, const char *controller, char **ret) {
        char path[64], text[8192];
        int r;

        (void) snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        r = read_small_file(path, text, sizeof(text));
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        /* "ID:CONTROLLER,...:/path" for v1, "0::/path" for the unified hierarchy */
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n'), *list = strchr(line, ':'), *cg = list ? strchr(list + 1, ':') : NULL;
                if (nl)
                        *nl = 0;
                if (cg && (controller ? has_controller(list + 1, (size_t) (cg - list - 1), controller)
                                      : strncmp(line, "0::", 3) == 0)) {
                        *ret = strdup(cg + 1);
                        return *ret ? 0 : -ENOMEM;
                }
                line = nl ? nl + 1 : NULL;
        }
        return -ENOMEDIUM;
}

int cgroup_pid_unified_path(pid_t pid, char **ret) {
        return cgroup_pid_path(pid, NULL, ret);
}

static int open_in_cgroup(const char *cg, const char *file, int flags) {
        const char *root;
        char path[PATH_MAX];
        int r, fd;

        r = cgroup_unified_root(&root);
        if (r < 0)
                return r;
        if (snprintf(path, sizeof(path), "%s%s/%s", root, cg, file) >= (int) sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

int cgroup_controllers(const char *cg, char *buf, size_t size) {
        _cleanup_close_ int fd = open_in_cgroup(cg, "cgroup.controllers", O_RDONLY);
        ssize_t n;

        if (fd < 0)
                return fd;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        while (n > 0 && buf[n - 1] == '\n')
                n--;
        buf[n] = 0;
        return 0;
}

int cgroup_read_key(int fd, const char *key, uint64_t *ret) {
        char buf[1024];
        size_t len = strlen(key);
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

        if (n < 0)
                return -errno;
        buf[n] = 0;
        for (const char *p = buf; (p = strstr(p, key)); p += len)
                if ((p == buf || p[-1] == '\n') && p[len] == ' ') {
                        *ret = strtoull(p + len + 1, NULL, 10);
                        return 0;
                }
        return -EOPNOTSUPP;
}

static int read_frozen(int fd) {
        uint64_t v = 0;
        int r = cgroup_read_key(fd, "frozen", &v); /* none: a kernel without the v2 freezer */

        return r < 0 ? r : v == 1;
}

int cgroup_is_frozen(const char *cg) {
        _cleanup_close_ int fd = open_in_cgroup(cg, "cgroup.events", O_RDONLY);
        if (fd < 0)
                return fd;
        return read_frozen(fd);
}

int cgroup_set_frozen(const char *cg, bool frozen, int timeout_ms) {
        _cleanup_close_ int events = -EBADF, freeze = -EBADF;
        int r;

        events = open_in_cgroup(cg, "cgroup.events", O_RDONLY);
        if (events < 0)
                return events;
        freeze = open_in_cgroup(cg, "cgroup.freeze", O_WRONLY);
        if (freeze < 0)
                return freeze;
        r = write_all(freeze, frozen ? "1" : "0", 1);
        if (r < 0)
                return r;
        /* Freezing is asynchronous; the kernel signals changes of cgroup.events with POLLPRI. */
        for (;;) {
                r = read_frozen(events);
                if (r < 0 || r == frozen)
                        return r < 0 ? r : 0;
                struct pollfd p = { .fd = events, .events = POLLPRI };
                r = poll(&p, 1, timeout_ms);
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (r == 0)
                        return -ETIMEDOUT;
        }
}

int cgroup_v1_memsw_get(const char *cg, uint64_t *ret) {
        char path[PATH_MAX], text[32];
        int r;

        (void) snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.memsw.limit_in_bytes", cg);
        r = read_small_file(path, text, sizeof(text));
        if (r < 0)
                return r;
        /* No limit reads as the largest multiple of the page size up to LONG_MAX. */
        *ret = strtoull(text, NULL, 10);
        if (*ret > (uint64_t) INT64_MAX - 65536)
                *ret = UINT64_MAX;
        return 0;
}

int cgroup_v1_memsw_set(const char *cg, uint64_t bytes) {
        char path[PATH_MAX], value[32];
        _cleanup_close_ int fd = -EBADF;

        (void) snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.memsw.limit_in_bytes", cg);
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        int n = bytes == UINT64_MAX ? snprintf(value, sizeof(value), "-1")
                                    : snprintf(value, sizeof(value), "%llu", (unsigned long long) bytes);
        return write_all(fd, value, (size_t) n);
}

bool cgroup_memory_is_v1(void) {
        return access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) == 0;
}

int cgroup_attach_payload(const char *cg, pid_t pid) {
        static const char *const roots[] = { "/sys/fs/cgroup" };
        char path[PATH_MAX], value[32];
        struct statfs sfs;
        int n = snprintf(value, sizeof(value), "%d", (int) pid), attached = 0, r;
        DIR *d;

        /* A pure v2 host: one hierarchy at the root. */
        if (statfs(roots[0], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
                (void) snprintf(path, sizeof(path), "%s%s/" CGROUP_PAYLOAD, roots[0], cg);
                if (mkdir(path, 0755) < 0 && errno != EEXIST)
                        return -errno;
                (void) snprintf(path, sizeof(path), "%s%s/" CGROUP_PAYLOAD "/cgroup.procs", roots[0], cg);
                _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
                return fd < 0 ? -errno : write_all(fd, value, (size_t) n);
        }

        /* Hybrid or legacy: every hierarchy where the unit has a cgroup of its own. */
        d = opendir("/sys/fs/cgroup");
        if (!d)
                return -errno;
        r = 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                (void) snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s", de->d_name, cg);
                if (access(path, F_OK) < 0)
                        continue;
                (void) snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s/" CGROUP_PAYLOAD, de->d_name, cg);
                if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                        r = -errno;
                        break;
                }
                (void) snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s/" CGROUP_PAYLOAD "/cgroup.procs", de->d_name, cg);
                int fd = open(path, O_WRONLY | O_CLOEXEC);
                if (fd < 0) {
                        r = -errno;
                        break;
                }
                r = write_all(fd, value, (size_t) n);
                safe_close(fd);
                attached++;
        }
        (void) closedir(d);
        if (r < 0)
                return r;
        return attached > 0 ? 0 : -ENOENT;
}
