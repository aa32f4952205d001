/* The exec launcher: a child that joins a running container's namespaces (setns on the init's
 * pidfd) and forks the process to exec into them as runscope's own child. It never joins a
 * namespace before runscope has put it into the container's unit, so no process of the
 * container ever runs outside its cgroup. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "launch-internal.h"
#include "launch.h"
#include "sync.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/missing.h"

/* fd itself if it is at least min, else a copy there (CLOEXEC) with fd closed. */
static int move_above(int fd, int min) {
        if (fd >= min)
                return fd;
        int moved = fcntl(fd, F_DUPFD_CLOEXEC, min), err = errno;
        (void) close(fd);
        errno = err;
        return moved;
}

/* Closes every fd from first on but a and b (both at or above it). */
static void close_all_but(int first, int a, int b) {
        int lo = a < b ? a : b, hi = a < b ? b : a;

        if (lo > first)
                (void) close_range((unsigned) first, (unsigned) lo - 1, 0);
        if (hi > lo + 1)
                (void) close_range((unsigned) lo + 1, (unsigned) hi - 1, 0);
        (void) close_range((unsigned) hi + 1, ~0U, 0);
}

/* Runs in the intermediate child: it stays in runscope's pid namespace (setns(CLONE_NEWPID) only
 * affects children), forks the process with CLONE_PARENT so runscope can wait for it, and exits. */
static _noreturn_ void exec_child(const SpecProcess *p, const SpecSeccomp *seccomp, unsigned long ns_flags, int init_pidfd, int keep_fds,
                                  int sync_fd) {
        char exe[PATH_MAX];
        bool command_failed = false;
        SyncMessage m;
        int pidfd = -EBADF, r;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        /* Before joining the container, and inherited by the process it forks: the container
         * must not reach runscope's binary through /proc/PID/exe until execve (CVE-2019-5736). */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* Before joining too: none of runscope's own fds (its connection to systemd, the state
         * root) is held inside the container, not even until execve closes them. Kept: stdio,
         * the fds passed on, and the two above them this launcher needs. */
        close_all_but(3 + keep_fds, sync_fd, init_pidfd);
        if (sync_recv(sync_fd, &m, NULL) < 0 || m.kind != SYNC_GO)
                _exit(1);
        /* All namespaces in one call: the kernel orders them (user first) and it is atomic. */
        if (setns(init_pidfd, (int) ns_flags) < 0) {
                (void) launch_error(errno, "Failed to join the container's namespaces: %m");
                (void) sync_send(sync_fd, SYNC_ERROR, -errno, false, launch_error_text());
                _exit(1);
        }
        /* The process sends on the same socket (its pty, its seccomp listener, its error), and
         * runscope must read SYNC_PID first: it waits for this pipe's end, which this launcher
         * closes after sending it. Above the fds passed on, like the socket. */
        int gate[2] = { -EBADF, -EBADF };
        if (pipe2(gate, O_CLOEXEC) < 0 || (gate[0] = move_above(gate[0], 3 + keep_fds)) < 0 ||
            (gate[1] = move_above(gate[1], 3 + keep_fds)) < 0) {
                (void) launch_error(errno, "Failed to create the exec gate: %m");
                (void) sync_send(sync_fd, SYNC_ERROR, -errno, false, launch_error_text());
                _exit(1);
        }
        pid_t pid = clone3_fork(CLONE_PARENT, &pidfd);
        if (pid < 0) {
                (void) launch_error(errno, "Failed to fork into the container: %m");
                (void) sync_send(sync_fd, SYNC_ERROR, -errno, false, launch_error_text());
                _exit(1);
        }
        if (pid > 0) {
                SyncMessage pm = { .kind = SYNC_PID, .pid = pid };
                FAULT_PAUSE("exec:before-pid");
                (void) !send(sync_fd, &pm, sizeof(pm), MSG_NOSIGNAL);
                /* The pid is queued ahead of whatever the process sends: it may go on now rather
                 * than once this launcher's address space is torn down. */
                safe_close(gate[1]);
                _exit(0);
        }

        safe_close(init_pidfd);
        safe_close(gate[1]);
        char c;
        while (read(gate[0], &c, 1) < 0 && errno == EINTR)
                ;
        safe_close(gate[0]);
        if (p->terminal) {
                _cleanup_close_ int master = -EBADF;
                r = terminal_setup(p, false, &master);
                if (r >= 0)
                        r = sync_send_fd(sync_fd, SYNC_CONSOLE, master);
                if (r < 0) {
                        (void) sync_send(sync_fd, SYNC_ERROR, r, false, launch_error_text());
                        _exit(1);
                }
        }
        r = process_setup(p, seccomp, sync_fd, exe, sizeof(exe), &command_failed);
        if (r < 0) {
                (void) sync_send(sync_fd, SYNC_ERROR, r, command_failed, launch_error_text());
                _exit(1);
        }
        FAULT_PAUSE("exec:before-exec");
        process_exec(p, exe, keep_fds, sync_fd);
}

int launch_exec_fork(const SpecProcess *p, const SpecSeccomp *seccomp, unsigned long ns_flags, int init_pidfd, int keep_fds,
                     int cgroup_fd, Launcher *ret) {
        _cleanup_close_ int parent_fd = -EBADF, child_fd = -EBADF, ns_fd = -EBADF;
        int pair[2], pidfd = -EBADF;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return log_error_errno(errno, "Failed to create the exec socket: %m");
        parent_fd = pair[0];
        /* Above the fds passed on (3 … 3+keep_fds-1), so that none of them is overwritten. */
        child_fd = fcntl(pair[1], F_DUPFD_CLOEXEC, 3 + keep_fds);
        safe_close(pair[1]);
        ns_fd = fcntl(init_pidfd, F_DUPFD_CLOEXEC, 3 + keep_fds);
        if (child_fd < 0 || ns_fd < 0)
                return log_error_errno(errno, "Failed to move the exec fds: %m");

        /* Born in the unit's cgroup, it is never anywhere else; where the kernel cannot (before 5.7,
         * clone3 filtered, a cgroup that takes no process), the caller moves it. */
        bool placed = false;
        pid = -1;
        if (cgroup_fd >= 0) {
                pid = clone3_fork_into_cgroup(cgroup_fd, &pidfd);
                placed = pid >= 0;
                if (pid < 0)
                        log_debug_errno(errno, "Failed to clone the exec launcher into the unit's cgroup: %m");
        }
        if (pid < 0)
                pid = clone3_fork(0, &pidfd);
        if (pid < 0)
                return log_error_errno(errno, "Failed to fork the exec launcher: %m");
        if (pid == 0)
                exec_child(p, seccomp, ns_flags, ns_fd, keep_fds, child_fd);
        *ret = (Launcher) { .pid = pid, .pidfd = pidfd, .sync_fd = TAKE_FD(parent_fd), .console_fd = -EBADF, .seccomp_fd = -EBADF };
        return placed;
}

int launch_exec_release(Launcher *l, Launcher *ret_process) {
        siginfo_t si;
        SyncMessage m;
        int r, pidfd;

        r = sync_send(l->sync_fd, SYNC_GO, 0, false, NULL);
        if (r >= 0)
                r = sync_recv(l->sync_fd, &m, NULL);
        (void) waitid(P_PIDFD, (id_t) l->pidfd, &si, WEXITED);
        if (r < 0) {
                launcher_done(l);
                return log_error_errno(r, "The exec launcher died before forking the process");
        }
        if (m.kind == SYNC_ERROR) {
                launcher_done(l);
                return log_error_errno(m.err, "%s", m.text);
        }
        if (m.kind != SYNC_PID) {
                launcher_done(l);
                return log_error_errno(EPROTO, "The exec launcher sent an unexpected message");
        }
        /* Our child (CLONE_PARENT), so the pid cannot be reused before we reap it. */
        pidfd = pidfd_open(m.pid, 0);
        if (pidfd < 0) {
                launcher_done(l);
                return log_error_errno(errno, "Failed to open the exec'd process: %m");
        }
        *ret_process = (Launcher) { .pid = m.pid, .pidfd = pidfd, .sync_fd = -EBADF, .console_fd = -EBADF, .seccomp_fd = -EBADF };

        /* The socket closes on a successful execve (CLOEXEC); a message means it failed. Before
         * that come the pty master (with a terminal) and the seccomp listener (with NOTIFY), kept
         * in ret_process. */
        ret_process->sync_fd = l->sync_fd;
        ret_process->listener_spec = l->listener_spec;
        ret_process->listener_state = l->listener_state;
        r = launch_recv(ret_process, &m);
        ret_process->sync_fd = -EBADF;
        launcher_done(l);
        if (r == -EPIPE)
                return 0;
        if (r >= 0 && m.kind == SYNC_ERROR) {
                ret_process->command_error = m.command ? m.err : 0;
                (void) waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED);
                launcher_done(ret_process);
                return log_error_errno(m.err, "%s", m.text);
        }
        launch_kill(ret_process);
        if (r == -ECANCELED)
                return r; /* the listener could not be handed on, and that was said */
        return log_error_errno(r < 0 ? r : EPROTO, "Lost the exec'd process before it started");
}
