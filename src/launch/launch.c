/* runscope's side of the launcher: clone it into the spec's namespaces, release it once its scope
 * exists, start it through the exec fifo, wait for it. Never leaves a launcher alive on failure. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <linux/nsfs.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "child.h"
#include "console.h"
#include "launch-internal.h"
#include "launch.h"
#include "sync.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/cpulist.h"
#include "util/log.h"
#include "util/missing.h"
#include "util/notify.h"

void launcher_done(Launcher *l) {
        l->pidfd = safe_close(l->pidfd);
        l->sync_fd = safe_close(l->sync_fd);
        l->console_fd = safe_close(l->console_fd);
        l->seccomp_fd = safe_close(l->seccomp_fd);
}

/* Joining an existing user namespace: the namespaces the launcher makes must belong to it, so
 * they are made by a process already inside. An intermediate child joins it, clones the launcher
 * and exits; runscope, a child subreaper for this, inherits the launcher as its own child (so it
 * can wait for it, as for any launcher). CLONE_PARENT would do that too, but not with CLONE_NEWPID. */
static pid_t clone_in_user_namespace(int userns_fd, uint64_t flags, ChildArgs *a, int *ret_pidfd) {
        _cleanup_close_ int rd = -EBADF, wr = -EBADF;
        int fds[2], status;
        pid_t mid, pid = -1;

        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 || pipe2(fds, O_CLOEXEC) < 0)
                return -1;
        rd = fds[0];
        wr = fds[1];
        /* The intermediate's death must not kill the launcher: it lives on until its sync socket
         * closes, which runscope's death does too. */
        a->no_pdeathsig = true;
        int mid_pidfd = -EBADF;
        mid = clone3_fork(0, &mid_pidfd);
        if (mid < 0) {
                int err = errno;
                (void) prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
                errno = err;
                return -1;
        }
        if (mid == 0) {
                int err = 0;
                if (setns(userns_fd, CLONE_NEWUSER) < 0)
                        err = errno;
                int child_pidfd;
                pid_t child = err ? -1 : clone3_fork(flags, &child_pidfd);
                if (child == 0)
                        child_main(a);
                if (child < 0 && !err)
                        err = errno;
                int msg[2] = { child, err };
                _exit(write(wr, msg, sizeof(msg)) == (ssize_t) sizeof(msg) ? 0 : 1);
        }
        /* So that the read below sees EOF if the intermediate dies without writing. The store is for
         * the cleanup, which the analyzer does not see. */
        wr = safe_close(wr); /* NOLINT(clang-analyzer-deadcode.DeadStores) */
        safe_close(mid_pidfd);
        int msg[2] = { -1, EPROTO };
        ssize_t n = read(rd, msg, sizeof(msg));
        (void) waitpid(mid, &status, 0);
        /* The launcher is ours by now (or was never made): no other orphan is to come to us. */
        (void) prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        if (n != (ssize_t) sizeof(msg) || msg[0] < 0) {
                errno = msg[1] ?: EPROTO;
                return -1;
        }
        pid = msg[0];
        /* Ours now (reparented to the subreaper), so the pid cannot be reused before we reap it. */
        *ret_pidfd = pidfd_open(pid, 0);
        if (*ret_pidfd < 0) {
                int err = errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                errno = err;
                return -1;
        }
        return pid;
}

int launch_clone(const LaunchParams *lp, Launcher *ret) {
        const Spec *spec = lp->spec;
        int state_dir_fd = lp->state_dir_fd;
        _cleanup_close_ int parent_fd = -EBADF, child_fd = -EBADF, dir_fd = -EBADF, userns_fd = -EBADF;
        int pair[2], pidfd = -EBADF;
        uint64_t flags = 0;
        pid_t pid;

        ChildArgs a = { .id = lp->id, .spec = spec, .bundle = lp->bundle, .keep_fds = lp->keep_fds,
                        .no_pivot = lp->no_pivot, .no_new_keyring = lp->no_new_keyring,
                        .dumpable_until_go = geteuid() != 0 };
        for (size_t i = 0; i < spec->n_namespaces; i++) {
                const SpecNamespace *ns = &spec->namespaces[i];
                int flag = (int) namespace_type_clone_flag(ns->type);
                if (!ns->path) {
                        /* clone makes only what it alone can: the pid namespace (whose pid 1 the
                         * launcher is) and the user one (whose maps runscope writes before GO). The
                         * cgroup namespace is made by the launcher once it is in its scope; the time
                         * namespace by the launcher too, so that it can set the offsets. The ipc,
                         * network, mount and uts ones by the launcher right after GO: what the
                         * kernel spends making them (a third of a millisecond for a network
                         * namespace, a copy of every mount for a mount one) clone would spend before
                         * systemd is even asked for the scope, and the launcher spends while
                         * systemd makes it. */
                        if (ns->type == NAMESPACE_PID || ns->type == NAMESPACE_USER)
                                flags |= (uint64_t) flag;
                        else if (ns->type != NAMESPACE_CGROUP && ns->type != NAMESPACE_TIME)
                                a.unshare_flags |= flag;
                        continue;
                }
                int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(errno, "config.json: linux.namespaces[%zu].path: %s: %m", i, ns->path);
                int type = ioctl(fd, NS_GET_NSTYPE);
                if (type != flag) {
                        safe_close(fd);
                        return log_error_errno(EINVAL, "config.json: linux.namespaces[%zu].path: %s is not a %s namespace", i,
                                               ns->path, namespace_type_to_string(ns->type));
                }
                if (ns->type == NAMESPACE_PID) {
                        /* setns(CLONE_NEWPID) takes effect for children only: runscope joins, so
                         * that the launcher it clones is born in that pid namespace. */
                        int r = setns(fd, CLONE_NEWPID) < 0 ? -errno : 0;
                        safe_close(fd);
                        if (r < 0)
                                return log_error_errno(r, "config.json: linux.namespaces[%zu].path: joining %s: %m", i, ns->path);
                        continue;
                }
                if (ns->type == NAMESPACE_USER) {
                        userns_fd = fd;
                        continue;
                }
                if (ns->type == NAMESPACE_CGROUP)
                        a.join_cgroup = true;
                a.join[a.n_join++] = (NamespaceJoin) { .fd = fd, .flag = flag, .path = ns->path };
        }

        /* 0622 as in runc: a process.user other than root must be able to open it for writing
         * after the user switch; only root can read it, and only a reader starts the container. */
        if (mkfifoat(state_dir_fd, LAUNCH_EXEC_FIFO, 0622) < 0 || fchmodat(state_dir_fd, LAUNCH_EXEC_FIFO, 0622, 0) < 0)
                return log_error_errno(errno, "Failed to create the exec fifo: %m");
        /* Its own open file description, not the locked one: flock() would be shared otherwise. */
        dir_fd = openat(state_dir_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(errno, "Failed to open the state directory: %m");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return log_error_errno(errno, "Failed to create the launcher socket: %m");
        parent_fd = pair[0];
        /* Above the fds passed on (3 … 3+keep_fds-1), so that the launcher keeps both apart. */
        child_fd = fcntl(pair[1], F_DUPFD_CLOEXEC, 3 + lp->keep_fds);
        safe_close(pair[1]);
        int moved = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3 + lp->keep_fds);
        safe_close(dir_fd);
        dir_fd = moved;
        if (child_fd < 0 || dir_fd < 0)
                return log_error_errno(errno, "Failed to move the launcher's fds: %m");

        a.sync_fd = child_fd;
        a.state_dir_fd = dir_fd;
        _cleanup_free_ int *tree_fds = NULL;
        int k = mount_trees(spec, lp->bundle, &tree_fds);
        if (k < 0) {
                for (size_t i = 0; i < a.n_join; i++)
                        safe_close(a.join[i].fd);
                return k;
        }
        a.tree_fds = tree_fds;
        if (userns_fd >= 0)
                pid = clone_in_user_namespace(userns_fd, flags, &a, &pidfd);
        else
                pid = clone3_fork(flags, &pidfd);
        if (pid < 0) {
                mount_trees_close(tree_fds, spec->n_mounts);
                for (size_t i = 0; i < a.n_join; i++)
                        safe_close(a.join[i].fd);
                return log_error_errno(errno, "Failed to clone the launcher into its namespaces: %m");
        }
        if (pid == 0)
                child_main(&a);
        for (size_t i = 0; i < a.n_join; i++)
                safe_close(a.join[i].fd);
        mount_trees_close(tree_fds, spec->n_mounts);
        if (flags & CLONE_NEWUSER) {
                /* Written from outside, as the kernel wants, while the launcher waits for GO:
                 * nothing has run in the namespace yet. */
                int r = write_id_maps(pid, spec);
                if (r < 0) {
                        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        (void) waitpid(pid, NULL, 0);
                        safe_close(pidfd);
                        return r;
                }
        }
        *ret = (Launcher) { .pid = pid, .pidfd = pidfd, .sync_fd = TAKE_FD(parent_fd), .console_fd = -EBADF, .seccomp_fd = -EBADF };
        return 0;
}

void launch_kill(Launcher *l) {
        if (l->pidfd < 0)
                return;
        (void) pidfd_send_signal(l->pidfd, SIGKILL, NULL, 0);
        (void) waitpid(l->pid, NULL, 0);
        launcher_done(l);
}

/* The launcher's next message other than a pty master or a seccomp listener: those come with
 * their fd, which is kept in l. */
int launch_recv(Launcher *l, SyncMessage *m) {
        for (;;) {
                int fd = -EBADF;
                int r = sync_recv(l->sync_fd, m, &fd);
                if (r < 0)
                        return r;
                int *keep = m->kind == SYNC_CONSOLE ? &l->console_fd : m->kind == SYNC_SECCOMP ? &l->seccomp_fd : NULL;
                if (!keep) {
                        safe_close(fd);
                        return 0;
                }
                safe_close(*keep);
                *keep = fd;
                /* -ECANCELED: logged already, the caller only gives up. */
                if (m->kind == SYNC_SECCOMP && l->listener_state && launch_send_listener(l->listener_spec, l, l->listener_state) < 0)
                        return -ECANCELED;
        }
}

/* What runscope sets on the launcher from outside, before GO; the process inherits both:
 * - execCPUAffinity.initial, before systemd moves the launcher into its unit, which it does on the
 *   CPUs the launcher may use (runtime-spec 1.3);
 * - the rlimits: raising a hard limit takes CAP_SYS_RESOURCE in the initial user namespace, which a
 *   launcher in the container's user namespace no longer has (runc sets them from its parent for
 *   this reason). */
int launch_set_from_outside(Launcher *l, const SpecProcess *p) {
        int r = 0;

        if (p->cpu_affinity_initial) {
                r = cpulist_set_affinity(l->pid, p->cpu_affinity_initial);
                if (r < 0)
                        log_error_errno(r, "process.execCPUAffinity.initial %s: %m", p->cpu_affinity_initial);
        }
        for (size_t i = 0; r >= 0 && i < p->n_rlimits; i++) {
                struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
                if (prlimit(l->pid, p->rlimits[i].resource, &rl, NULL) < 0)
                        r = log_error_errno(errno, "process.rlimits[%zu]: %m", i);
        }
        if (r < 0)
                launch_kill(l);
        return r;
}

int launch_go(Launcher *l) {
        int r = sync_send_go(l->sync_fd, l->pid);
        if (r < 0) {
                launch_kill(l);
                return log_error_errno(r, "The launcher died before setting up the container");
        }
        return 0;
}

int launch_scope(Launcher *l) {
        int r = sync_send(l->sync_fd, SYNC_SCOPE, 0, false, NULL);
        if (r < 0) {
                launch_kill(l);
                return log_error_errno(r, "The launcher died before setting up the container");
        }
        return 0;
}

int launch_release(Launcher *l, LaunchHooksFunc hooks, void *userdata) {
        SyncMessage m = {};
        int r;

        r = launch_recv(l, &m);
        /* Mounts are done: the runtime's own hooks run now, then the launcher goes on. */
        if (r >= 0 && m.kind == SYNC_HOOKS) {
                r = hooks ? hooks(l, userdata) : 0;
                if (r < 0) {
                        launch_kill(l);
                        return r;
                }
                r = sync_send(l->sync_fd, SYNC_GO, 0, false, NULL);
                if (r >= 0)
                        r = launch_recv(l, &m);
        }
        if (r < 0) {
                launch_kill(l);
                return r == -ECANCELED ? r : log_error_errno(r, "The launcher died before setting up the container");
        }
        if (m.kind == SYNC_READY) {
                log_debug("Launcher %d is ready to exec %s", (int) l->pid, m.text);
                l->sync_fd = safe_close(l->sync_fd);
                return 0;
        }
        launch_kill(l);
        if (m.kind != SYNC_ERROR || m.err >= 0)
                return log_error_errno(EPROTO, "The launcher sent an unexpected message");
        if (m.command)
                l->command_error = m.err;
        return log_error_errno(m.err, "%s", m.text);
}

int launch_start(int state_dir_fd, const char *id, int init_pidfd) {
        _cleanup_close_ int fd = -EBADF;
        char c;
        ssize_t n;

        /* Non-blocking open, then wait for the launcher's byte or its death: a container whose
         * init was killed while "created" must not hang `start`. */
        fd = openat(state_dir_fd, LAUNCH_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open the exec fifo of %s: %m", id);
        for (;;) {
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = init_pidfd, .events = POLLIN } };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "Failed to wait for container %s: %m", id);
                }
                n = read(fd, &c, 1);
                if (n == 1)
                        break;
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return log_error_errno(errno, "Failed to read the exec fifo of %s: %m", id);
                if (p[1].revents & POLLIN)
                        /* The same words as when start finds it already stopped: which of the two
                         * sees the death is a race a client must not have to know about. */
                        return log_error_errno(ESRCH, "cannot start a container that has stopped");
                if (n == 0)
                        /* No writer yet: the launcher is opening its end; poll would spin on HUP. */
                        (void) usleep(1000);
        }
        if (unlinkat(state_dir_fd, LAUNCH_EXEC_FIFO, 0) < 0)
                return log_error_errno(errno, "Failed to remove the exec fifo of %s: %m", id);
        return 0;
}

/* What `run` passes on to the container's init, as runc does; SIGCHLD and the signals the kernel
 * will not let us catch stay ours. */
static void forwarded_signals(sigset_t *set) {
        sigfillset(set);
        sigdelset(set, SIGCHLD);
        sigdelset(set, SIGKILL);
        sigdelset(set, SIGSTOP);
        sigdelset(set, SIGSEGV);
        sigdelset(set, SIGBUS);
        sigdelset(set, SIGILL);
        sigdelset(set, SIGFPE);
        sigdelset(set, SIGTSTP);
        sigdelset(set, SIGTTIN);
        sigdelset(set, SIGTTOU);
}

int launch_block_signals(void) {
        sigset_t set;

        forwarded_signals(&set);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");
        return 0;
}

int launch_wait(Launcher *l, int notify_fd, const LaunchWatch *watch) {
        _cleanup_close_ int sfd = -EBADF;
        uint64_t deadline = watch && watch->release ? now_usec() + watch->release_after_usec : 0;
        siginfo_t si = {};
        sigset_t set;
        Console console;

        forwarded_signals(&set);
        sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return log_error_errno(errno, "Failed to watch signals: %m");
        if (l->console_fd >= 0)
                console_begin(&console, l->console_fd);
        for (;;) {
                struct pollfd p[5 + LAUNCH_WATCH_FDS] = { { .fd = l->pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN },
                                                          { .fd = notify_fd, .events = POLLIN }, { .fd = -1 }, { .fd = -1 } };
                struct signalfd_siginfo ssi;

                if (l->console_fd >= 0) {
                        p[3] = (struct pollfd) { .fd = l->console_fd, .events = POLLIN };
                        if (console.in_open)
                                p[4] = (struct pollfd) { .fd = STDIN_FILENO, .events = POLLIN };
                }
                /* release is run once, when due; until then poll wakes up for it (ms, rounded up). */
                int timeout = -1;
                if (deadline > 0) {
                        uint64_t t = now_usec();
                        if (t >= deadline) {
                                deadline = 0;
                                watch->release(watch->userdata);
                        } else
                                timeout = (int) ((deadline - t + 999) / 1000);
                }
                for (size_t i = 0; i < LAUNCH_WATCH_FDS; i++)
                        p[5 + i].fd = watch && watch->watch_fd ? watch->watch_fd(watch->userdata, i, &p[5 + i].events) : -1;
                if (poll(p, ELEMENTSOF(p), timeout) < 0 && errno != EINTR) {
                        int err = errno; /* console_end() may change it */
                        if (l->console_fd >= 0)
                                console_end(&console);
                        return log_error_errno(err, "Failed to wait for the container: %m");
                }
                if (notify_fd >= 0 && (p[2].revents & POLLIN))
                        notify_relay_handle(notify_fd, l->pid);
                if (p[3].revents & POLLIN)
                        console_output(&console);
                if (p[4].revents & (POLLIN | POLLHUP))
                        console_input(&console);
                for (size_t i = 0; i < LAUNCH_WATCH_FDS; i++)
                        if (watch && watch->watch_ready && p[5 + i].fd >= 0 && p[5 + i].revents != 0)
                                watch->watch_ready(watch->userdata, i);
                while (read(sfd, &ssi, sizeof(ssi)) == (ssize_t) sizeof(ssi)) {
                        /* A window change is the pty's to tell: its size is copied, not the signal. */
                        if (ssi.ssi_signo == SIGWINCH && l->console_fd >= 0) {
                                console_resize(&console);
                                continue;
                        }
                        if (pidfd_send_signal(l->pidfd, (int) ssi.ssi_signo, NULL, 0) < 0 && errno != ESRCH)
                                log_warning_errno(errno, "Failed to forward signal %u, ignoring: %m", ssi.ssi_signo);
                }
                if (p[0].revents & POLLIN)
                        break;
        }
        if (l->console_fd >= 0)
                console_end(&console);
        if (watch && watch->exited)
                watch->exited(watch->userdata);
        if (waitid(P_PIDFD, (id_t) l->pidfd, &si, WEXITED) < 0)
                return log_error_errno(errno, "Failed to wait for the container: %m");
        launcher_done(l);
        if (si.si_code == CLD_EXITED)
                return si.si_status;
        return 128 + si.si_status;
}
