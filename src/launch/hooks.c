/* OCI hooks: each is run with the container's state as JSON on its stdin, and waited for (up to
 * its timeout). Used by runscope in the runtime namespace and by the launcher in the container's;
 * it never logs, the caller reports the one-line error it returns. */
#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "hooks.h"
#include "util/fd.h"
#include "util/json.h"
#include "util/missing.h"

static const char *const hook_names[_HOOK_MAX] = {
        [HOOK_PRESTART] = "prestart",           [HOOK_CREATE_RUNTIME] = "createRuntime",
        [HOOK_CREATE_CONTAINER] = "createContainer", [HOOK_START_CONTAINER] = "startContainer",
        [HOOK_POSTSTART] = "poststart",         [HOOK_POSTSTOP] = "poststop",
};

char *hook_state_json(const char *id, const char *status, pid_t pid, const char *bundle, char **annotations) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        fputs("{\"ociVersion\":\"1.0.2\",\"id\":", f);
        json_print_string(f, id);
        fprintf(f, ",\"status\":\"%s\",\"pid\":%d,\"bundle\":", status, (int) pid);
        json_print_string(f, bundle);
        fputs(",\"annotations\":{", f);
        for (char **a = annotations; a && a[0] && a[1]; a += 2) {
                if (a != annotations)
                        fputc(',', f);
                json_print_string(f, a[0]);
                fputc(':', f);
                json_print_string(f, a[1]);
        }
        fputs("}}", f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int run_one(const SpecHook *h, const char *state, char *err, size_t err_size, const char *where) {
        int in[2], pidfd = -EBADF;
        siginfo_t si = {};

        if (pipe2(in, O_CLOEXEC) < 0)
                return snprintf(err, err_size, "%s: %s", where, strerror(errno)), -errno;
        pid_t pid = clone3_fork(0, &pidfd);
        if (pid < 0) {
                int e = errno;
                safe_close(in[0]);
                safe_close(in[1]);
                return snprintf(err, err_size, "%s: fork: %s", where, strerror(e)), -e;
        }
        if (pid == 0) {
                if (dup2(in[0], STDIN_FILENO) < 0)
                        _exit(127);
                char *default_args[] = { h->path, NULL };
                execve(h->path, h->args && h->args[0] ? h->args : default_args, h->env ?: (char *[]) { NULL });
                _exit(127);
        }
        safe_close(in[0]);
        /* A hook that does not read its stdin must not make us wait: a broken pipe is fine. */
        struct sigaction ign = { .sa_handler = SIG_IGN }, old;
        (void) sigaction(SIGPIPE, &ign, &old);
        (void) write_all(in[1], state, strlen(state));
        (void) sigaction(SIGPIPE, &old, NULL);
        safe_close(in[1]);

        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int r;
        do
                r = poll(&p, 1, h->has_timeout ? h->timeout * 1000 : -1);
        while (r < 0 && errno == EINTR);
        if (r == 0) {
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED);
                safe_close(pidfd);
                snprintf(err, err_size, "%s (%s) timed out after %d s", where, h->path, h->timeout);
                return -ETIMEDOUT;
        }
        (void) waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED);
        safe_close(pidfd);
        if (si.si_code == CLD_EXITED && si.si_status == 0)
                return 0;
        if (si.si_code == CLD_EXITED)
                snprintf(err, err_size, "%s (%s) exited with status %d", where, h->path, si.si_status);
        else
                snprintf(err, err_size, "%s (%s) was killed by signal %d (%s)", where, h->path, si.si_status,
                         strsignal(si.si_status));
        return -EIO;
}

int hooks_run_one(const Spec *spec, HookKind kind, size_t i, const char *state, char *err, size_t err_size) {
        char where[64];

        assert(i < spec->n_hooks[kind]);
        snprintf(where, sizeof(where), "hooks.%s[%zu]", hook_names[kind], i);
        return run_one(&spec->hooks[kind][i], state, err, err_size, where);
}

int hooks_run(const Spec *spec, HookKind kind, const char *state, char *err, size_t err_size) {
        for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
                int r = hooks_run_one(spec, kind, i, state, err, err_size);
                if (r < 0)
                        return r;
        }
        return 0;
}
