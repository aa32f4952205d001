/* Reads process facts from /proc and opens pidfds that are checked against PID reuse. Never
 * signals or waits for anything. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fd.h"
#include "missing.h"
#include "proc.h"

/* PF_EXITING in field 9 (include/linux/sched.h): the process is in the kernel's exit path. */
#define PROC_PF_EXITING 0x00000004U

static int stat_read(pid_t pid, uint64_t *ret_start_time, char *ret_state, unsigned *ret_flags) {
        char path[64], text[2048];
        unsigned long long start;
        unsigned flags;
        char state;
        int r;

        (void) snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        r = read_small_file(path, text, sizeof(text));
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return r;
        /* comm may hold spaces and ')': fields start after the last ')'. */
        char *p = strrchr(text, ')');
        if (!p)
                return -EIO;
        if (sscanf(p + 1, " %c %*d %*d %*d %*d %*d %u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &state, &flags, &start) != 3)
                return -EIO;
        *ret_start_time = start;
        *ret_state = state;
        *ret_flags = flags;
        return 0;
}

int proc_stat(pid_t pid, uint64_t *ret_start_time, char *ret_state) {
        uint64_t start;
        unsigned flags;
        char state;
        int r = stat_read(pid, &start, &state, &flags);

        if (r < 0)
                return r;
        if (ret_start_time)
                *ret_start_time = start;
        if (ret_state)
                *ret_state = state;
        return 0;
}

/* Whether the process that started at start_time has ended: a zombie, or exiting. A pid namespace's
 * init that exits shows 'S' until every other process of its namespace is reaped, by parents that
 * may be outside it (an exec's runscope, conmon, a shim) and may take their time; it stays exiting
 * (PF_EXITING) all along, and no signal reaches it any more. */
static bool ended(pid_t pid, uint64_t start_time) {
        uint64_t t;
        unsigned flags;
        char state;

        return pid <= 0 || stat_read(pid, &t, &state, &flags) < 0 || t != start_time || state == 'Z' || state == 'X' ||
               (flags & PROC_PF_EXITING);
}

bool proc_alive(pid_t pid, uint64_t start_time) {
        return !ended(pid, start_time);
}

int proc_pidfd_verified(pid_t pid, uint64_t start_time) {
        _cleanup_close_ int fd = -EBADF;

        if (pid <= 0)
                return -ESRCH;
        fd = pidfd_open(pid, 0);
        if (fd < 0)
                return -errno;
        /* Checked once the pidfd pins the process: the pid cannot be reused in between. */
        if (ended(pid, start_time))
                return -ESRCH;
        return TAKE_FD(fd);
}

int proc_ns_differs(pid_t pid, const char *ns) {
        char path[64];
        struct stat a, b;

        (void) snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) pid, ns);
        if (stat(path, &a) < 0)
                return -errno;
        (void) snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
        if (stat(path, &b) < 0)
                return -errno;
        return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}
