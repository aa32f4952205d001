/* The launcher's side: the ordered setup between clone and exec, top to bottom. It runs as the
 * container's future init; it must never return into runscope's code paths (only _exit) and never
 * exec with an fd, capability or mount it was not told to keep. */
#include <fcntl.h>
#include <inttypes.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "child.h"
#include "hooks.h"
#include "launch-internal.h"
#include "launch.h"
#include "sync.h"
#include "util/cpulist.h"
#include "util/fd.h"
#include "util/missing.h"
#include "util/strv.h"

static char error_text[1024];

int launch_error(int err, const char *fmt, ...) {
        va_list ap;

        if (err < 0)
                err = -err;
        errno = err;
        va_start(ap, fmt);
        (void) vsnprintf(error_text, sizeof(error_text), fmt, ap);
        va_end(ap);
        return -err;
}

const char *launch_error_text(void) {
        return error_text;
}

static bool command_failed;
static pid_t host_pid; /* the launcher's pid as runscope sees it, from GO */

static int run_hooks(const ChildArgs *a, HookKind kind, const char *status) {
        char err[512];
        if (a->spec->n_hooks[kind] == 0)
                return 0;
        _cleanup_free_ char *state = hook_state_json(a->id, status, host_pid, a->bundle, a->spec->annotations);
        if (!state)
                return launch_error(ENOMEM, "Out of memory");
        int r = hooks_run(a->spec, kind, state, err, sizeof(err));
        return r < 0 ? launch_error(r, "%s", err) : 0;
}

/* Through procfs_open(): a /proc/sys file the bundle covered with a bind mount is refused, and the
 * file over it stays unwritten (CVE-2025-52881). */
static int set_sysctls(const Spec *spec) {
        for (char **k = spec->sysctl; k && k[0] && k[1]; k += 2) {
                char path[PATH_MAX];
                int n = snprintf(path, sizeof(path), "sys/%s", k[0]);
                for (char *c = path + 4; c < path + n; c++)
                        if (*c == '.')
                                *c = '/';
                _cleanup_close_ int fd = procfs_open(path, O_WRONLY);
                if (fd == -EXDEV)
                        return launch_error(EXDEV, "linux.sysctl.%s: /proc/%s is covered by a mount, not written", k[0], path);
                int r = fd < 0 ? fd : write_all(fd, k[1], strlen(k[1]));
                if (r < 0)
                        return launch_error(r, "linux.sysctl.%s: %m", k[0]);
        }
        return 0;
}

/* Joins the namespaces the spec names by path, before anything else happens in them. */
static int join_namespaces(const ChildArgs *a) {
        for (size_t i = 0; i < a->n_join; i++) {
                if (setns(a->join[i].fd, a->join[i].flag) < 0)
                        return launch_error(errno, "linux.namespaces: joining %s: %m", a->join[i].path);
                safe_close(a->join[i].fd);
        }
        return 0;
}

/* A new time namespace: unshare() makes it the namespace of this launcher's children and of its
 * own execve() (the kernel moves a task into it at exec), not of the launcher itself. The offsets
 * can only be written before any process is in it, so right away: before a hook is forked. */
static int new_time_namespace(const Spec *spec) {
        char buf[128];
        size_t n = 0;
        const SpecNamespace *ns = spec_namespace(spec, NAMESPACE_TIME);

        if (!ns || ns->path)
                return 0;
        if (unshare(CLONE_NEWTIME) < 0)
                return launch_error(errno, "linux.namespaces: time: %m");
        for (int c = 0; c < _TIME_CLOCK_MAX; c++)
                if (spec->time_offsets[c].set)
                        n += (size_t) snprintf(buf + n, sizeof(buf) - n, "%s %" PRIi64 " %" PRIu32 "\n", time_clock_names[c],
                                               spec->time_offsets[c].secs, spec->time_offsets[c].nanosecs);
        if (n == 0)
                return 0;
        _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        /* One write: the kernel takes all the offsets of a namespace at once. */
        if (fd < 0 || write(fd, buf, n) != (ssize_t) n)
                return launch_error(errno, "linux.timeOffsets: %m");
        return 0;
}

/* The launcher sets up while systemd starts its scope: runscope sends GO at once and SCOPE once
 * the launcher is in the unit. What needs the scope waits for SCOPE: the cgroup namespace (rooted
 * at the cgroup the launcher is in when it is made), cgroup mounts, and every process forked
 * (hooks), which would otherwise start outside the unit. */
static bool scope_entered;

static void await_scope(const ChildArgs *a) {
        SyncMessage m;

        if (scope_entered)
                return;
        if (sync_recv(a->sync_fd, &m, NULL) < 0 || m.kind != SYNC_SCOPE)
                _exit(1); /* runscope gave up (it kills the launcher too) */
        scope_entered = true;
}

static int enter_scope(const void *userdata) {
        const ChildArgs *a = userdata;

        if (scope_entered)
                return 0;
        await_scope(a);
        /* A cgroup namespace made now is rooted at the scope systemd just moved us into; made at
         * clone time it would have been rooted at runscope's own cgroup. The binds of a hybrid
         * host's hierarchies name the scope's cgroups as runscope's namespace shows them: kept
         * first. */
        if (!spec_has_namespace(a->spec, NAMESPACE_CGROUP) || a->join_cgroup)
                return 0;
        int r = mount_cgroup_keep_own(a->spec);
        if (r < 0)
                return r;
        if (unshare(CLONE_NEWCGROUP) < 0)
                return launch_error(errno, "linux.namespaces: cgroup: %m");
        return 0;
}

/* A failure is reported once runscope listens for it: after SCOPE, as before the overlap. */
static _noreturn_ void fail(const ChildArgs *a, int err, bool command) {
        await_scope(a);
        (void) sync_send(a->sync_fd, SYNC_ERROR, err, command, error_text);
        _exit(1);
}

/* linux.memoryPolicy, which execve keeps. Set last before the process's own setup, so that what the
 * launcher allocated before is not placed by it. The kernel refuses a mode or flag it lacks. */
static int set_memory_policy(const Spec *spec) {
        const SpecMemoryPolicy *m = &spec->memory_policy;
        unsigned long mask[CPULIST_MAX / (8 * sizeof(unsigned long))] = {};
        uint8_t bytes[CPULIST_MAX / 8];
        size_t used = 0;

        if (!spec->has_memory_policy)
                return 0;
        if (m->nodes && m->nodes[0] && cpulist_parse(m->nodes, bytes, &used) < 0)
                return launch_error(EINVAL, "linux.memoryPolicy.nodes: '%s' is not a node list", m->nodes);
        for (size_t i = 0; i < used * 8; i++)
                if (bytes[i / 8] & (1u << (i % 8)))
                        mask[i / (8 * sizeof(long))] |= 1UL << (i % (8 * sizeof(long)));
        /* maxnode counts one more than the bits the kernel reads (set_mempolicy(2), BUGS). */
        if (syscall(SYS_set_mempolicy, m->mode | m->flags, used ? mask : NULL, used ? CPULIST_MAX + 1 : 0) < 0)
                return launch_error(errno, "linux.memoryPolicy: %m");
        return 0;
}

/* Made inside the new root with no magic link: "/proc/self/fd/N/x" would name a directory this
 * process holds open on the host (the state directory), and mkdir there escapes (CVE-2024-21626). */
static int make_cwd(const char *cwd) {
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return launch_error(errno, "process.cwd %s: opening /: %m", cwd);
        _cleanup_close_ int fd = open_in_root_mkdir(root, cwd, false);
        if (fd < 0)
                return launch_error(fd, "process.cwd %s: %m", cwd);
        return 0;
}

static int setup(const ChildArgs *a, char *exe, size_t exe_size) {
        const Spec *spec = a->spec;
        const SpecProcess *p = &spec->process;
        int r;

        r = new_time_namespace(spec);
        if (r < 0)
                return r;

        /* Without a mount namespace of its own the container lives in runscope's, the host's: no
         * rootfs, pivot, mount, device or /dev/console is made there (the spec has none left). */
        bool own_mounts = spec_has_namespace(spec, NAMESPACE_MOUNT);
        /* The cgroup mount waits for the scope; when it can wait until after pivot_root, the
         * pivot and the masked and read-only paths are done while systemd starts the scope. */
        CgroupLate late_mount = { .fd = -EBADF };
        CgroupLate *late = own_mounts && mount_cgroup_can_wait(spec, a->no_pivot) ? &late_mount : NULL;
        _cleanup_close_ int root_fd = -EBADF;
        r = own_mounts ? mount_setup_rootfs(spec, a->bundle, a->state_dir_fd, a->tree_fds, late, enter_scope, a, &root_fd)
                       : 0;
        if (r < 0)
                return r;
        if (!late) {
                r = enter_scope(a);
                if (r < 0)
                        return r;
        }
        /* prestart and createRuntime run in runscope, createContainer here: all after the mounts,
         * before pivot_root (runtime-spec, "Lifecycle"). runscope moves linux.netDevices into the
         * network namespace then too, before the hooks (which may configure them). */
        if (spec->n_hooks[HOOK_PRESTART] + spec->n_hooks[HOOK_CREATE_RUNTIME] > 0 || spec->net_devices) {
                SyncMessage m = {};
                /* runscope sent SCOPE before it waits for this: taken first, or it would stand for GO. */
                r = enter_scope(a);
                if (r < 0)
                        return r;
                r = sync_send(a->sync_fd, SYNC_HOOKS, 0, false, NULL);
                if (r >= 0)
                        r = sync_recv(a->sync_fd, &m, NULL);
                if (r < 0 || m.kind != SYNC_GO)
                        _exit(1); /* runscope reports its hook's failure itself */
        }
        r = run_hooks(a, HOOK_CREATE_CONTAINER, "created");
        if (r < 0)
                return r;
        if (own_mounts) {
                r = a->no_pivot ? mount_move_root(root_fd) : mount_pivot_root(root_fd);
                if (r < 0)
                        return r;
                /* cwd is created as root and before the root turns read-only, like runc, so a
                 * non-root user may start in a fresh directory. */
                r = make_cwd(p->cwd);
                if (r < 0)
                        return r;
        }
        /* Before mount_finish: /proc/sys turns read-only there (readonlyPaths). */
        r = set_sysctls(spec);
        if (r < 0)
                return r;
        r = own_mounts ? mount_finish(spec) : 0;
        if (r < 0)
                return r;
        if (late) {
                /* In the scope, its cgroup namespace made: only now may a hierarchy be mounted. */
                r = enter_scope(a);
                if (r >= 0)
                        r = mount_cgroup_late(late);
                if (r < 0)
                        return r;
        }

        if (p->terminal) {
                _cleanup_close_ int master = -EBADF;
                r = terminal_setup(p, own_mounts && mount_dev_is_ours(spec), &master);
                if (r >= 0)
                        r = sync_send_fd(a->sync_fd, SYNC_CONSOLE, master);
                if (r < 0)
                        return r;
        } else if (setsid() < 0)
                /* A session of its own, as runc's init makes one: CRIU dumps no process whose
                 * session leader is outside its pid namespace, and the caller's terminal signals
                 * runscope, which forwards them. */
                return launch_error(errno, "setsid: %m");
        r = own_mounts ? mount_dev_readonly(spec) : 0;
        if (r < 0)
                return r;

        if (spec->hostname && spec_has_namespace(spec, NAMESPACE_UTS) &&
            sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return launch_error(errno, "hostname %s: %m", spec->hostname);
        if (spec->hostname && !spec_has_namespace(spec, NAMESPACE_UTS))
                return launch_error(EINVAL, "hostname: needs a uts namespace");
        if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                return launch_error(errno, "domainname %s: %m", spec->domainname);
        if (spec->has_personality && personality(spec->personality) < 0)
                return launch_error(errno, "linux.personality: %m");

        r = set_memory_policy(spec);
        if (r < 0)
                return r;
        return process_setup(p, spec->seccomp, a->sync_fd, exe, exe_size, &command_failed);
}

/* Closes every fd but stdio and the ones the launcher owns: the parent's bus connection and its
 * locked state directory must not live on in the container. */
static int cmp_int(const void *a, const void *b) {
        return *(const int *) a - *(const int *) b;
}

static void close_inherited(const ChildArgs *a) {
        size_t n = 0, n_mounts = a->tree_fds ? a->spec->n_mounts : 0;
        _cleanup_free_ int *keep = malloc((2 + _NAMESPACE_MAX + n_mounts) * sizeof(int));
        unsigned next = 3;

        if (!keep)
                _exit(1);
        keep[n++] = a->sync_fd;
        keep[n++] = a->state_dir_fd;
        for (size_t i = 0; i < a->n_join; i++)
                keep[n++] = a->join[i].fd;
        for (size_t i = 0; i < n_mounts; i++)
                if (a->tree_fds[i] >= 0)
                        keep[n++] = a->tree_fds[i];
        qsort(keep, n, sizeof(int), cmp_int);
        /* --preserve-fds: 3 … 3+keep_fds-1 are the container's. */
        next += (unsigned) a->keep_fds;
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < (int) next)
                        continue;
                if (keep[i] > (int) next)
                        (void) close_range(next, (unsigned) keep[i] - 1, 0);
                next = (unsigned) keep[i] + 1;
        }
        (void) close_range(next, ~0U, 0);
}

_noreturn_ void child_main(const ChildArgs *a) {
        SyncMessage m;
        char exe[PATH_MAX];
        int r;

        close_inherited(a);

        /* Not dumpable until execve: other processes of the container (exec, a container sharing
         * its pid namespace) must not reach runscope's binary or memory through /proc/PID/exe or
         * /proc/PID/mem while this process still runs runscope's code (CVE-2019-5736). */
        if (!a->dumpable_until_go)
                (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

        /* If runscope dies before the container is created, the launcher dies with it. */
        if (!a->no_pdeathsig)
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

        r = sync_recv(a->sync_fd, &m, NULL);
        if (r < 0 || m.kind != SYNC_GO)
                _exit(1);
        host_pid = m.pid;
        /* Rootless, only now: an unprivileged runscope writes this process's maps through
         * /proc/PID, which is root's once it is not dumpable. Until GO nothing runs in the new
         * namespaces, and the launcher holds nothing its user does not (a host binary included,
         * which that user cannot write). */
        if (a->dumpable_until_go)
                (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

        /* In a new user namespace the launcher still holds the host's ids, which the namespace
         * does not map: become its root (the maps are written by now), or nothing it creates
         * could be owned by anyone. */
        if (spec_has_namespace(a->spec, NAMESPACE_USER) &&
            (setresgid(0, 0, 0) < 0 || (!launch_setgroups_denied() && setgroups(0, NULL) < 0) || setresuid(0, 0, 0) < 0)) {
                (void) launch_error(errno, "Failed to become root of the user namespace: %m");
                fail(a, -errno, false);
        }
        /* The new namespaces clone did not make, as if it had: before anything is joined or
         * mounted, by the root of the user namespace (so they are owned by it, and the ipc
         * namespace's mqueue, /dev/mqueue, is the container root's, not an unmapped host id's), the
         * network one there for sysfs (which shows the network namespace of its mounter). */
        static const struct {
                int flag;
                const char *name;
        } made_here[] = { { CLONE_NEWIPC, "ipc" }, { CLONE_NEWNET, "network" }, { CLONE_NEWNS, "mount" }, { CLONE_NEWUTS, "uts" } };
        for (size_t i = 0; i < ELEMENTSOF(made_here); i++)
                if ((a->unshare_flags & made_here[i].flag) && unshare(made_here[i].flag) < 0) {
                        (void) launch_error(errno, "linux.namespaces: %s: %m", made_here[i].name);
                        fail(a, -errno, false);
                }

        /* A session keyring of its own, so the container cannot read or add to the caller's keys
         * (runc's default; --no-new-keyring keeps the caller's), made with the process's SELinux
         * label, as runc and crun make it, so that the process may use it. */
        r = a->no_new_keyring ? 0 : label_set_keycreate(a->spec->process.selinux_label);
        if (r < 0)
                fail(a, r, false);
        if (!a->no_new_keyring && syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, 0L, 0L, 0L, 0L) < 0 &&
            errno != ENOSYS) {
                (void) launch_error(errno, "Failed to create a session keyring: %m");
                fail(a, -errno, false);
        }

        /* Existing namespaces first, so all set-up happens inside them. */
        r = join_namespaces(a);
        if (r < 0) {
                fail(a, r, false);
        }

        r = setup(a, exe, sizeof(exe));
        if (r < 0) {
                fail(a, r, command_failed);
        }

        /* From here the container outlives a `create` that returns. */
        (void) prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        if (sync_send(a->sync_fd, SYNC_READY, 0, false, exe) < 0)
                _exit(1);

        /* Blocks until `start` opens the fifo for reading. The state directory fd reaches the fifo
         * from inside the new root without any path the container could have changed. No cleanup
         * attribute: this function never returns, it execs or exits. */
        int fifo = openat(a->state_dir_fd, LAUNCH_EXEC_FIFO, O_WRONLY | O_CLOEXEC);
        if (fifo < 0 || write_all(fifo, "0", 1) < 0)
                _exit(1);
        safe_close(fifo);

        /* startContainer: in the container, after start, before the process. */
        if (run_hooks(a, HOOK_START_CONTAINER, "created") < 0) {
                dprintf(STDERR_FILENO, "runscope: %s\n", launch_error_text());
                _exit(1);
        }

        process_exec(&a->spec->process, exe, a->keep_fds, -EBADF);
}
