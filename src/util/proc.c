/* Reads process facts from /proc and opens pidfds that are checked against PID reuse. Never
 * signals or waits for anything. */
#include <stdio.h>
#include <string.h>

#include "fd.h"
#include "missing.h"
#include "proc.h"

int proc_stat(pid_t pid, uint64_t *ret_start_time, char *ret_state) {
        char path[64], text[2048];
        unsigned long long start;
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
        if (sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &state, &start) != 2)
                return -EIO;
        if (ret_start_time)
                *ret_start_time = start;
        if (ret_state)
                *ret_state = state;
        return 0;
}

bool proc_alive(pid_t pid, uint64_t start_time) {
        uint64_t t;
        char state;

        return pid > 0 && proc_stat(pid, &t, &state) >= 0 && t == start_time && state != 'Z' && state != 'X';
}

int proc_pidfd_verified(pid_t pid, uint64_t start_time) {
        _cleanup_close_ int fd = -EBADF;
        uint64_t t;
        char state;
        int r;

        if (pid <= 0)
                return -ESRCH;
        fd = pidfd_open(pid, 0);
        if (fd < 0)
                return -errno;
        r = proc_stat(pid, &t, &state);
        if (r < 0)
                return r;
        if (t != start_time || state == 'Z' || state == 'X')
                return -ESRCH;
        return TAKE_FD(fd);
}
