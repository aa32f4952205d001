/* The launcher's side: the ordered setup between clone and exec, top to bottom. It runs as the
 * container's future init; it must never return into runscope's code paths (only _exit) and never
 * exec with an fd, capability or mount it was not told to keep. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>

#include "child.h"
#include "launch-internal.h"
#include "launch.h"
#include "sync.h"
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

static int setup(const ChildArgs *a, char *exe, size_t exe_size) {
        const Spec *spec = a->spec;
        const SpecProcess *p = &spec->process;
        int r;

        /* A cgroup namespace made now is rooted at the scope systemd just moved us into; made at
         * clone time it would have been rooted at runscope's own cgroup. */
        if (spec_has_namespace(spec, NAMESPACE_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                return launch_error(errno, "linux.namespaces: cgroup: %m");

        _cleanup_close_ int root_fd = -EBADF;
        r = mount_setup_rootfs(spec, a->bundle, a->state_dir_fd, &root_fd);
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

        if (p->terminal) {
                _cleanup_close_ int master = -EBADF;
                r = terminal_setup(p, &master);
                if (r >= 0)
                        r = sync_send_console(a->sync_fd, master);
                if (r < 0)
                        return r;
        }

        if (spec->hostname && spec_has_namespace(spec, NAMESPACE_UTS) &&
            sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return launch_error(errno, "hostname %s: %m", spec->hostname);
        if (spec->hostname && !spec_has_namespace(spec, NAMESPACE_UTS))
                return launch_error(EINVAL, "hostname: needs a uts namespace");

        return process_setup(p, spec->seccomp, exe, exe_size, &command_failed);
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

        r = sync_recv(a->sync_fd, &m, NULL);
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

        process_exec(&a->spec->process, exe, 0, -EBADF);
}
