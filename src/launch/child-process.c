/* The process half of the launcher, shared by a container's init and by exec: user,
 * capabilities, cwd, no_new_privs, and the final execve. Runs in the child only; it must never
 * exec with an fd or a capability it was not told to keep. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>
#include <termios.h>

#include "launch-internal.h"
#include "sync.h"
#include "util/cpulist.h"
#include "util/fd.h"
#include "util/userns.h"
#include "util/missing.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int set_oom_score_adj(const SpecProcess *p) {
        char buf[32];
        int n;

        if (!p->has_oom_score_adj)
                return 0;
        _cleanup_close_ int fd = procfs_open_self("oom_score_adj", O_WRONLY);
        if (fd < 0)
                return launch_error(fd, "process.oomScoreAdj: /proc/self/oom_score_adj: %m");
        n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
        int r = write_all(fd, buf, (size_t) n);
        if (r < 0)
                return launch_error(r, "process.oomScoreAdj: %m");
        return 0;
}

static int drop_bounding_set(const SpecCapabilities *c) {
        for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++)
                if (!(c->bounding & (UINT64_C(1) << v)) && cap_drop_bound(v) < 0 && errno != EINVAL)
                        return launch_error(errno, "process.capabilities.bounding: dropping capability %d: %m", v);
        return 0;
}

static int set_capabilities(const SpecCapabilities *c) {
        cap_t caps = cap_init();
        int r = 0;

        if (!caps)
                return launch_error(ENOMEM, "Failed to allocate capabilities");
        for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++) {
                uint64_t bit = UINT64_C(1) << v;
                if ((c->effective & bit) && cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0)
                        r = -errno;
                if ((c->permitted & bit) && cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0)
                        r = -errno;
                if ((c->inheritable & bit) && cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET) < 0)
                        r = -errno;
        }
        if (r >= 0 && cap_set_proc(caps) < 0)
                r = -errno;
        cap_free(caps);
        if (r < 0)
                return launch_error(r, "process.capabilities: %m");
        /* The kernel raises an ambient capability only if it is permitted and inheritable too; runc
         * and crun skip the others (EPERM) rather than fail, and bundles written for them rely on it. */
        for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++)
                if ((c->ambient & (UINT64_C(1) << v)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0 &&
                    errno != EPERM)
                        return launch_error(errno, "process.capabilities.ambient: raising capability %d: %m", v);
        return 0;
}

bool launch_in_userns(const Spec *spec) {
        return spec_has_namespace(spec, NAMESPACE_USER) || !userns_is_initial();
}

bool launch_setgroups_denied(void) {
        char buf[16];
        _cleanup_close_ int fd = procfs_open_self("setgroups", O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

        return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

static int switch_user(const SpecProcess *p) {
        _Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

        /* A user namespace whose one gid its unprivileged creator mapped itself denies setgroups: the
         * process keeps the groups it has, as with runc and crun, unless it asks for others. */
        bool denied = launch_setgroups_denied();
        if (denied && p->n_additional_gids > 0)
                return launch_error(EPERM, "process.user.additionalGids: setgroups is denied in a user namespace that "
                                           "maps only the rootless caller's gid (map more gids, with newgidmap)");
        if (!denied && setgroups(p->n_additional_gids, (const gid_t *) p->additional_gids) < 0)
                return launch_error(errno, "process.user.additionalGids: %m");
        if (setresgid(p->gid, p->gid, p->gid) < 0)
                return launch_error(errno, "process.user.gid %u: %m", p->gid);
        if (setresuid(p->uid, p->uid, p->uid) < 0)
                return launch_error(errno, "process.user.uid %u: %m", p->uid);
        return 0;
}

/* Finds args[0] the way execvp would, with the container's PATH; -ENOENT or -EACCES when it
 * cannot be run, so `create` fails now rather than at `start`. */
static int resolve_command(const SpecProcess *p, char *ret, size_t size) {
        const char *cmd = p->args[0];
        struct stat st;

        if (strchr(cmd, '/')) {
                (void) snprintf(ret, size, "%s", cmd);
                if (stat(ret, &st) < 0)
                        return launch_error(errno, "exec: \"%s\": %m", cmd);
                if (S_ISDIR(st.st_mode) || access(ret, X_OK) < 0)
                        return launch_error(EACCES, "exec: \"%s\": permission denied", cmd);
                return 0;
        }

        const char *path = strv_env_get(p->env, "PATH") ?: DEFAULT_PATH;
        bool denied = false;
        for (const char *s = path; *s;) {
                size_t n = strcspn(s, ":");
                (void) snprintf(ret, size, "%.*s%s%s", (int) n, s, n ? "/" : "", cmd);
                s += n + (s[n] == ':');
                if (stat(ret, &st) < 0 || S_ISDIR(st.st_mode))
                        continue;
                if (access(ret, X_OK) == 0)
                        return 0;
                denied = true;
        }
        if (denied)
                return launch_error(EACCES, "exec: \"%s\": permission denied", cmd);
        return launch_error(ENOENT, "exec: \"%s\": executable file not found in $PATH", cmd);
}

static int set_affinity(const char *list, const char *path) {
        if (!list)
                return 0;
        uint8_t mask[CPULIST_MAX / 8];
        size_t used;
        if (cpulist_parse(list, mask, &used) < 0)
                return launch_error(EINVAL, "%s: '%s' is not a CPU list", path, list);
        int r = cpulist_set_affinity(0, list);
        if (r < 0)
                return launch_error(r, "%s: %m", path);
        return 0;
}

/* Every CPU, as runc 1.3.1 and crun do: a container must not inherit the affinity of whatever ran
 * runscope (taskset, a service's CPUAffinity=). The kernel keeps it within the unit's cpuset. */
static int reset_affinity(void) {
        cpu_set_t set;

        memset(&set, 0xff, sizeof(set));
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
                return launch_error(errno, "Failed to reset the CPU affinity: %m");
        return 0;
}

/* struct sched_attr of sched_setattr(2), which glibc 2.36 does not declare. */
struct sched_attr_v0 {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
};

static int set_scheduling(const SpecProcess *p) {
        if (p->has_io_priority &&
            syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (p->io_class << 13) | p->io_priority) < 0)
                return launch_error(errno, "process.ioPriority: %m");
        if (p->has_scheduler) {
                struct sched_attr_v0 attr = {
                        .size = sizeof(attr), .sched_policy = (uint32_t) p->sched_policy, .sched_nice = p->sched_nice,
                        .sched_priority = (uint32_t) p->sched_priority, .sched_runtime = p->sched_runtime,
                        .sched_deadline = p->sched_deadline, .sched_period = p->sched_period,
                        .sched_flags = p->sched_flags,
                };
                if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
                        return launch_error(errno, "process.scheduler: %m");
        }
        return 0;
}

/* The pty's peer is taken from the master (TIOCGPTPEER), never by its name: in a /dev/pts the
 * rootfs or a bind mount provides, /dev/pts/N may be a symlink to a host file, which would become
 * /dev/console and the process's stdio (CVE-2025-52565). Both ends must be devpts's. */
static int open_pty(int *ret_master, int *ret_slave, char name[static 64]) {
        struct statfs sf;
        struct stat st;

        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return launch_error(errno, "process.terminal: /dev/ptmx: %m");
        if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
                return launch_error(ENOTTY, "process.terminal: /dev/ptmx is not the pty multiplexer 5:2");
        if (unlockpt(master) < 0 || ptsname_r(master, name, 64) != 0)
                return launch_error(errno, "process.terminal: %m");
        _cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return launch_error(errno, "process.terminal: opening the peer of %s: %m", name);
        if (fstatfs(slave, &sf) < 0 || sf.f_type != DEVPTS_SUPER_MAGIC)
                return launch_error(ENOTTY, "process.terminal: %s is not on a devpts", name);
        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

/* /dev/console, made in the root's /dev without following a symlink, with the pty bound on it by fd. */
static int bind_console(int slave, const char *name) {
        char source[64], target[64];

        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int dev = root < 0 ? -errno : open_in_root(root, "/dev", O_PATH | O_DIRECTORY);
        if (dev < 0)
                return launch_error(dev, "process.terminal: /dev: %m");
        int c = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (c < 0 && errno != EEXIST)
                return launch_error(errno, "process.terminal: /dev/console: %m");
        safe_close(c);
        _cleanup_close_ int console = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (console < 0)
                return launch_error(errno, "process.terminal: /dev/console: %m");
        fd_path(slave, source);
        fd_path(console, target);
        if (mount(source, target, NULL, MS_BIND, NULL) < 0)
                return launch_error(errno, "process.terminal: binding %s to /dev/console: %m", name);
        return 0;
}

int terminal_setup(const SpecProcess *p, bool console_dev, int *ret_master) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        char name[64];
        int r;

        /* The container's own devpts instance (/dev/ptmx -> pts/ptmx), not the host's. */
        r = open_pty(&master, &slave, name);
        if (r < 0)
                return r;
        if (p->has_console_size) {
                struct winsize ws = { .ws_row = (unsigned short) p->console_height, .ws_col = (unsigned short) p->console_width };
                (void) ioctl(slave, TIOCSWINSZ, &ws);
        }
        /* /dev/console is the terminal too (runtime-spec "Default Devices"), where /dev is ours. */
        if (console_dev) {
                r = bind_console(slave, name);
                if (r < 0)
                        return r;
        }
        /* The process's user owns its terminal; its group stays the one devpts gave it (gid=5, tty, in
         * the default spec), as runc leaves it. */
        if (fchown(slave, p->uid, (gid_t) -1) < 0)
                return launch_error(errno, "process.terminal: chown %s: %m", name);
        /* A session of its own with the pty as controlling terminal, then as stdio. */
        if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
                return launch_error(errno, "process.terminal: making %s the controlling terminal: %m", name);
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return launch_error(errno, "process.terminal: %m");
        *ret_master = TAKE_FD(master);
        return 0;
}

/* Loads the filter; its listener, if any, goes to runscope, which hands it to listenerPath: the
 * container never holds the fd that decides its own syscalls. */
static int apply_seccomp(const SpecSeccomp *seccomp, int sync_fd) {
        int notify_fd, r;

        r = seccomp_apply(seccomp, &notify_fd);
        if (r < 0 || notify_fd < 0)
                return r;
        r = sync_send_fd(sync_fd, SYNC_SECCOMP, notify_fd);
        safe_close(notify_fd);
        if (r < 0)
                return launch_error(r, "linux.seccomp: passing the listener on: %m");
        return 0;
}

/* The cwd is looked up inside the root with no magic link: "/proc/self/fd/N" would be a directory
 * this process holds open from the host, and the process would start outside its root
 * (CVE-2024-21626). Then getcwd() must name it from the root: the kernel calls a directory it cannot
 * reach from there unreachable. */
static int enter_cwd(const char *cwd) {
        char buf[PATH_MAX];

        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return launch_error(errno, "process.cwd %s: opening /: %m", cwd);
        _cleanup_close_ int fd = open_in_root(root, cwd, O_PATH | O_DIRECTORY);
        if (fd < 0)
                return launch_error(fd, "process.cwd %s: %m", cwd);
        if (fchdir(fd) < 0)
                return launch_error(errno, "process.cwd %s: %m", cwd);
        if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
                return launch_error(ENOENT, "process.cwd %s: outside the container's root", cwd);
        return 0;
}

/* HOME, when process.env has none: the user's home from the container's /etc/passwd, as runc and
 * crun set it (a user /etc/passwd does not know gets none, as in crun). */
static char home_env[PATH_MAX + 6];

static void find_home(const SpecProcess *p) {
        char line[4096];
        FILE *f;

        if (strv_env_get(p->env, "HOME"))
                return;
        f = fopen("/etc/passwd", "re");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                /* name:password:uid:gid:gecos:home:shell */
                char *field[7] = {}, *t = line;
                size_t n = 0;
                for (char *c = strsep(&t, ":"); c && n < 7; c = strsep(&t, ":"))
                        field[n++] = c;
                if (n < 6 || !field[2][0] || strtoul(field[2], NULL, 10) != p->uid || field[5][0] != '/')
                        continue;
                (void) snprintf(home_env, sizeof(home_env), "HOME=%s", field[5]);
                break;
        }
        fclose(f);
}

/* The process starts with every signal at its default and none blocked, whatever runscope was started
 * with, as in runc and crun: an init that inherited SIGTERM ignored (from a caller like nohup) could
 * not even trap it, a shell cannot trap what it started with ignored, and kill would not stop it. */
static void reset_signals(void) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigset_t none;

        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &dfl, NULL); /* glibc's own real-time signals refuse */
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
}

int process_setup(const SpecProcess *p, const SpecSeccomp *seccomp, int sync_fd, char *exe, size_t exe_size,
                  bool *ret_command_failed) {
        int r;

        reset_signals();
        /* Read as root, before the user switch: /etc/passwd need not be readable by the user. */
        find_home(p);

        r = p->cpu_affinity_initial ? set_affinity(p->cpu_affinity_initial, "process.execCPUAffinity.initial")
                                    : reset_affinity();
        if (r < 0)
                return r;
        r = set_scheduling(p);
        if (r < 0)
                return r;
        r = set_oom_score_adj(p);
        if (r < 0)
                return r;
        if (p->has_umask)
                umask((mode_t) p->umask);

        /* The bounding set is dropped while we still hold CAP_SETPCAP; KEEPCAPS carries the
         * permitted set across setuid, and the capability sets are then set for the new user. */
        if (p->has_capabilities) {
                r = drop_bounding_set(&p->capabilities);
                if (r < 0)
                        return r;
                if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                        return launch_error(errno, "PR_SET_KEEPCAPS: %m");
        }
        /* The AppArmor profile and SELinux label take effect at execve; written now, as runc orders it:
         * before any seccomp filter, which could refuse the writes (or fake their success with
         * SCMP_ACT_ERRNO(0)) and leave the process unconfined, and before the user switch, while the
         * capability a procfs of our own needs (when the container's /proc will not do) is held. */
        r = label_set_exec(p);
        if (r < 0)
                return r;
        /* Without no_new_privs, only CAP_SYS_ADMIN may load a filter: load it while we still hold
         * every capability, before the user and capability switch (whose syscalls it then sees). */
        if (!p->no_new_privileges) {
                r = apply_seccomp(seccomp, sync_fd);
                if (r < 0)
                        return r;
        }
        /* The cwd as runc enters it: before the user switch, so the process may start in a
         * directory only the runtime can reach; on EACCES again after it, for one only the user
         * can reach (a volume chowned to it, where root has no access). */
        r = enter_cwd(p->cwd);
        bool cwd_entered = r >= 0;
        if (r < 0 && r != -EACCES)
                return r;
        r = switch_user(p);
        if (r < 0)
                return r;
        if (p->has_capabilities) {
                r = set_capabilities(&p->capabilities);
                if (r < 0)
                        return r;
        }
        if (!cwd_entered) {
                r = enter_cwd(p->cwd);
                if (r < 0)
                        return r;
        }

        /* After the user switch: the command must be executable by the container's user. */
        r = resolve_command(p, exe, exe_size);
        if (r < 0) {
                *ret_command_failed = true;
                return r;
        }

        /* no_new_privs last before exec, so nothing above is limited by it (and seccomp, when it
         * comes, is loaded right after it). */
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return launch_error(errno, "process.noNewPrivileges: %m");
        /* With no_new_privs, the filter comes last, right before execve: nothing of the set-up
         * above has to pass it. */
        if (p->no_new_privileges)
                return apply_seccomp(seccomp, sync_fd);
        return 0;
}

_noreturn_ void process_exec(const SpecProcess *p, const char *exe, int keep_fds, int sync_fd) {
        /* Everything above stdio and the fds passed on is closed at exec: the sync socket and the
         * state directory would otherwise let the container reach runscope's state on the host.
         * CLOEXEC rather than close, so a failing execve can still report on sync_fd. */
        (void) close_range(3 + (unsigned) keep_fds, ~0U, CLOSE_RANGE_CLOEXEC);

        /* The final affinity is the process's own, set after everything runscope did on its behalf. */
        if (set_affinity(p->cpu_affinity_final, "process.execCPUAffinity.final") < 0) {
                if (sync_fd >= 0)
                        (void) sync_send(sync_fd, SYNC_ERROR, -EINVAL, false, launch_error_text());
                _exit(1);
        }

        size_t n = strv_length(p->env);
        char **env = calloc(n + 2, sizeof(char *));
        if (env) {
                if (n > 0) /* p->env may be NULL (a --process without env): memcpy wants a pointer */
                        memcpy(env, p->env, n * sizeof(char *));
                env[n] = home_env[0] ? home_env : NULL;
        }
        execve(exe, p->args, env ?: p->env ?: (char *[]) { NULL });
        int err = errno;
        (void) launch_error(err, "exec %s: %m", exe);
        if (sync_fd >= 0)
                (void) sync_send(sync_fd, SYNC_ERROR, -err, true, launch_error_text());
        else
                dprintf(STDERR_FILENO, "runscope: %s\n", launch_error_text());
        _exit(err == ENOENT ? 127 : 126);
}
