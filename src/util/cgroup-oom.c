/* Telling OOM kills in a container's memory cgroup, for run, state and events. Reads the kernel's
 * memory files and registers for its notification; never writes a limit or any file systemd
 * manages. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgroup-oom.h"
#include "cgroup.h"
#include "fd.h"

int cgroup_pid_memory_path(pid_t pid, char **ret, bool *ret_v1) {
        int r = cgroup_pid_path(pid, "memory", ret);

        *ret_v1 = r >= 0;
        if (r == -ENOMEDIUM)
                r = cgroup_pid_path(pid, NULL, ret);
        return r;
}

static int open_memory_file(pid_t pid, bool *ret_v1, char **ret_dir) {
        _cleanup_free_ char *cg = NULL;
        const char *root;
        char path[PATH_MAX];
        int r, fd;

        r = cgroup_pid_memory_path(pid, &cg, ret_v1);
        if (r < 0)
                return r;
        if (!*ret_v1 && cgroup_unified_root(&root) < 0)
                return -ENOMEDIUM;
        if (snprintf(path, sizeof(path), "%s%s", *ret_v1 ? "/sys/fs/cgroup/memory" : root, cg) >= (int) sizeof(path))
                return -ENAMETOOLONG;
        *ret_dir = strdup(path);
        if (!*ret_dir)
                return -ENOMEM;
        (void) snprintf(path, sizeof(path), "%s/%s", *ret_dir, *ret_v1 ? "memory.oom_control" : "memory.events");
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

/* None: a v1 kernel before 4.13. */
static int read_oom_kills(int fd, uint64_t *ret) {
        return cgroup_read_key(fd, "oom_kill", ret);
}

int cgroup_pid_oom_kills(pid_t pid, uint64_t *ret) {
        _cleanup_free_ char *dir = NULL;
        bool v1;
        _cleanup_close_ int fd = open_memory_file(pid, &v1, &dir);

        if (fd < 0)
                return fd;
        return read_oom_kills(fd, ret);
}

int cgroup_oom_watch_open(pid_t pid, CgroupOomWatch *ret) {
        CgroupOomWatch w = CGROUP_OOM_WATCH_NULL;
        _cleanup_free_ char *dir = NULL;
        char path[PATH_MAX], line[64];
        bool v1;
        int r;

        w.counter_fd = open_memory_file(pid, &v1, &dir);
        if (w.counter_fd < 0)
                return w.counter_fd;
        r = read_oom_kills(w.counter_fd, &w.kills_at_start);
        if (r >= 0 && v1) {
                /* "<eventfd> <memory.oom_control fd>": the kernel signals the eventfd when the
                 * cgroup runs out of memory (before the OOM killer picks a victim) and when the
                 * cgroup is removed. */
                _cleanup_close_ int control = -EBADF;
                w.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
                (void) snprintf(path, sizeof(path), "%s/cgroup.event_control", dir);
                control = w.fd < 0 ? -EBADF : open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
                int n = snprintf(line, sizeof(line), "%d %d", w.fd, w.counter_fd);
                r = w.fd < 0 || control < 0 ? -errno : write_all(control, line, (size_t) n);
                w.events = POLLIN;
                w.v1 = true;
        } else if (r >= 0) {
                /* memory.events changes notify pollers with POLLPRI (kernfs_notify). */
                w.fd = fcntl(w.counter_fd, F_DUPFD_CLOEXEC, 3);
                r = w.fd < 0 ? -errno : 0;
                w.events = POLLPRI;
        }
        if (r < 0) {
                cgroup_oom_watch_done(&w);
                return r;
        }
        w.kills = w.kills_at_start;
        *ret = w;
        return 0;
}

/* v1: adds what the eventfd counted since the last read, one for each OOM and one for the removal
 * (nothing yet: EAGAIN). */
static void read_signals(CgroupOomWatch *w) {
        uint64_t v;

        if (read(w->fd, &v, sizeof(v)) == (ssize_t) sizeof(v))
                w->signals += v;
}

/* How long the removal's signal may take to come once the cgroup is gone: it comes when the kernel
 * has taken the cgroup offline, an RCU grace period and a work item after its rmdir. */
#define REMOVAL_SIGNAL_MS 2000

void cgroup_oom_watch_handle(CgroupOomWatch *w) {
        uint64_t kills;
        bool alive;

        if (w->fd < 0)
                return;
        if (w->v1)
                read_signals(w);
        /* After the eventfd: a counter that reads means no removal was signalled yet. */
        alive = read_oom_kills(w->counter_fd, &kills) >= 0;
        if (alive && kills > w->kills)
                w->kills = kills;
        /* Gone with one signal: an OOM (signalled before the kill) whose cgroup was removed before
         * this read, its removal's signal still on the way, or that removal alone. Only the removal
         * is sure to come, so wait for it to tell the two apart. */
        if (w->v1 && !alive && !w->oom && w->signals == 1 &&
            poll(&(struct pollfd) { .fd = w->fd, .events = POLLIN }, 1, REMOVAL_SIGNAL_MS) > 0)
                read_signals(w);
        if (w->v1 && w->signals >= (alive ? 1u : 2u))
                w->oom = true;
        if (!alive)
                w->fd = safe_close(w->fd);
}

bool cgroup_oom_watch_struck(CgroupOomWatch *w) {
        if (w->counter_fd < 0)
                return false;
        cgroup_oom_watch_handle(w);
        return w->oom || w->kills > w->kills_at_start;
}

void cgroup_oom_watch_done(CgroupOomWatch *w) {
        w->fd = safe_close(w->fd);
        w->counter_fd = safe_close(w->counter_fd);
}
