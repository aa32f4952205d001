/* Relays the container's sd_notify messages to the service manager. It never forwards a pid the
 * container names without translating it to the host's, and never passes file descriptors on. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "fd.h"
#include "log.h"
#include "notify.h"

int notify_relay_open(int dir_fd, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (mkdirat(dir_fd, NOTIFY_DIR, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create the notify directory: %m");
        /* Through /proc/self/fd: the state directory's path may be longer than sun_path. */
        (void) snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/" NOTIFY_DIR "/" NOTIFY_SOCKET_NAME, dir_fd);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create the notify socket: %m");
        (void) unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_error_errno(errno, "Failed to bind the notify socket: %m");
        /* Any user of the container may notify, as with systemd's own socket. */
        char path[64];
        (void) snprintf(path, sizeof(path), NOTIFY_DIR "/" NOTIFY_SOCKET_NAME);
        if (fchmodat(dir_fd, path, 0777, 0) < 0)
                return log_error_errno(errno, "Failed to open the notify socket to the container: %m");
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* The host pid of the process that is `pid` in the pid namespace of init_pid. */
static pid_t host_pid(pid_t init_pid, long pid) {
        char ns[64], path[64], other[64];
        DIR *d;
        pid_t found = 0;

        if (pid == 1)
                return init_pid;
        (void) snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) init_pid);
        ssize_t n = readlink(path, ns, sizeof(ns) - 1);
        if (n < 0)
                return 0;
        ns[n] = 0;
        d = opendir("/proc");
        if (!d)
                return 0;
        for (struct dirent *de; !found && (de = readdir(d));) {
                _cleanup_free_ char *status = NULL;
                int candidate = atoi(de->d_name);
                if (candidate <= 0)
                        continue;
                (void) snprintf(path, sizeof(path), "/proc/%d/ns/pid", candidate);
                n = readlink(path, other, sizeof(other) - 1);
                if (n < 0)
                        continue;
                other[n] = 0;
                (void) snprintf(path, sizeof(path), "/proc/%d/status", candidate);
                if (strcmp(ns, other) != 0 || read_file_at(AT_FDCWD, path, 65536, &status, NULL) < 0)
                        continue;
                /* NSpid lists the pid in each namespace, the innermost last. */
                char *line = strstr(status, "\nNSpid:");
                if (!line)
                        continue;
                char *eol = strchr(line + 1, '\n'), *last = NULL;
                if (eol)
                        *eol = 0;
                for (char *t = strtok(line + 7, " \t"); t; t = strtok(NULL, " \t"))
                        last = t;
                if (last && atol(last) == pid)
                        found = candidate;
        }
        (void) closedir(d);
        return found;
}

void notify_relay_handle(int fd, pid_t init_pid) {
        char buf[4096 + 1], out[4096 + 64];
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int) * 16)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        bool barrier = false;
        size_t o = 0;

        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return;
        buf[n] = 0;
        for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (strcmp(line, "BARRIER=1") == 0) {
                        barrier = true;
                        continue;
                }
                if (strncmp(line, "FDSTORE", 7) == 0 || strncmp(line, "FDNAME=", 7) == 0)
                        continue;
                if (strncmp(line, "MAINPID=", 8) == 0) {
                        pid_t pid = host_pid(init_pid, atol(line + 8));
                        if (pid <= 0) {
                                log_warning("The container notified %s, which is no process of it; ignoring", line);
                                continue;
                        }
                        o += (size_t) snprintf(out + o, sizeof(out) - o, "MAINPID=%d\n", (int) pid);
                        continue;
                }
                if (strchr(line, '=') && o + strlen(line) + 2 < sizeof(out))
                        o += (size_t) snprintf(out + o, sizeof(out) - o, "%s\n", line);
        }
        if (o > 0) {
                out[o] = 0;
                int r = sd_notify(0, out);
                if (r < 0)
                        log_warning_errno(r, "Failed to pass the container's notification on: %m");
        }
        if (barrier) {
                /* Everything sent so far reached the manager; closing the container's fd then
                 * completes its barrier. */
                int r = sd_notify_barrier(0, 5 * 1000000ULL);
                if (r < 0)
                        log_warning_errno(r, "Failed to pass a notify barrier on: %m");
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
                                safe_close(((int *) CMSG_DATA(c))[i]);
}

void notify_ready(void) {
        int r = sd_notify(0, "READY=1");
        if (r < 0)
                log_warning_errno(r, "Failed to tell systemd that the container started, ignoring: %m");
}
