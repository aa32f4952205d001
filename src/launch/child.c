/* The launcher's side: the ordered setup between clone and exec, top to bottom. It runs as the
 * container's future init; it must never return into runscope's code paths (only _exit) and never
 * exec with an fd, capability or mount it was not told to keep. */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "child.h"
#include "launch-internal.h"
#include "launch.h"
#include "sync.h"
#include "util/fd.h"
#include "util/missing.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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

static int set_rlimits(const SpecProcess *p) {
        for (size_t i = 0; i < p->n_rlimits; i++) {
                struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
                if (setrlimit(p->rlimits[i].resource, &rl) < 0)
                        return launch_error(errno, "process.rlimits[%zu]: %m", i);
        }
        return 0;
}

static int set_oom_score_adj(const SpecProcess *p) {
        char buf[32];
        int n;

        if (!p->has_oom_score_adj)
                return 0;
        _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return launch_error(errno, "process.oomScoreAdj: /proc/self/oom_score_adj: %m");
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

static int switch_user(const SpecProcess *p) {
        _Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

        if (setgroups(p->n_additional_gids, (const gid_t *) p->additional_gids) < 0)
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

static bool command_failed;

static int setup(const ChildArgs *a, char *exe, size_t exe_size) {
        const Spec *spec = a->spec;
        const SpecProcess *p = &spec->process;
        int r;

        /* A cgroup namespace made now is rooted at the scope systemd just moved us into; made at
         * clone time it would have been rooted at runscope's own cgroup. */
        if (spec_has_namespace(spec, NAMESPACE_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                return launch_error(errno, "linux.namespaces: cgroup: %m");

        _cleanup_close_ int root_fd = -EBADF;
        r = mount_setup_rootfs(spec, a->bundle, &root_fd);
        if (r < 0)
                return r;
        r = mount_pivot_root(root_fd);
        if (r < 0)
                return r;
        /* cwd is created as root and before the root turns read-only, like runc, so a non-root
         * user may start in a fresh directory. */
        r = mkdir_p(p->cwd, 0755);
        if (r < 0)
                return launch_error(r, "process.cwd %s: %m", p->cwd);
        r = mount_finish(spec);
        if (r < 0)
                return r;

        if (spec->hostname && spec_has_namespace(spec, NAMESPACE_UTS) &&
            sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return launch_error(errno, "hostname %s: %m", spec->hostname);
        if (spec->hostname && !spec_has_namespace(spec, NAMESPACE_UTS))
                return launch_error(EINVAL, "hostname: needs a uts namespace");

        r = set_rlimits(p);
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
        r = switch_user(p);
        if (r < 0)
                return r;
        if (p->has_capabilities) {
                r = set_capabilities(&p->capabilities);
                if (r < 0)
                        return r;
        }
        if (chdir(p->cwd) < 0)
                return launch_error(errno, "process.cwd %s: %m", p->cwd);

        /* After the user switch: the command must be executable by the container's user. */
        r = resolve_command(p, exe, exe_size);
        if (r < 0) {
                command_failed = true;
                return r;
        }

        /* no_new_privs last before exec, so nothing above is limited by it (and seccomp, when it
         * comes, is loaded right after it). */
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return launch_error(errno, "process.noNewPrivileges: %m");
        return 0;
}

/* Closes every fd but stdio and the two the launcher owns: the parent's bus connection and its
 * locked state directory must not live on in the container. */
static void close_inherited(int a, int b) {
        int lo = a < b ? a : b, hi = a < b ? b : a;

        if (lo > 3)
                (void) close_range(3, (unsigned) lo - 1, 0);
        if (hi > lo + 1)
                (void) close_range((unsigned) lo + 1, (unsigned) hi - 1, 0);
        (void) close_range((unsigned) hi + 1, ~0U, 0);
}

_noreturn_ void child_main(const ChildArgs *a) {
        SyncMessage m;
        char exe[PATH_MAX];
        int r;

        close_inherited(a->sync_fd, a->state_dir_fd);

        /* If runscope dies before the container is created, the launcher dies with it. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

        r = sync_recv(a->sync_fd, &m);
        if (r < 0 || m.kind != SYNC_GO)
                _exit(1);

        r = setup(a, exe, sizeof(exe));
        if (r < 0) {
                (void) sync_send(a->sync_fd, SYNC_ERROR, r, command_failed, error_text);
                _exit(1);
        }

        /* From here the container outlives a `create` that returns. */
        (void) prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        if (sync_send(a->sync_fd, SYNC_READY, 0, false, exe) < 0)
                _exit(1);

        /* Blocks until `start` opens the fifo for reading. The state directory fd reaches the fifo
         * from inside the new root without any path the container could have changed. */
        _cleanup_close_ int fifo = openat(a->state_dir_fd, LAUNCH_EXEC_FIFO, O_WRONLY | O_CLOEXEC);
        if (fifo < 0 || write_all(fifo, "0", 1) < 0)
                _exit(1);
        fifo = safe_close(fifo);

        /* Everything but stdio goes now: the sync socket and the state directory would otherwise
         * let the container reach runscope's state on the host. */
        (void) close_range(3, ~0U, 0);

        execve(exe, a->spec->process.args, a->spec->process.env ?: (char *[]) { NULL });
        r = errno;
        dprintf(STDERR_FILENO, "runscope: exec %s: %s\n", exe, strerror(r));
        _exit(r == ENOENT ? 127 : 126);
}
