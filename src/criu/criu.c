/* The criu binary: found in $PATH, asked its version and `criu check`, and run as `criu swrk` for
 * one RPC conversation. Never lets criu keep a descriptor it was not given; never leaves it
 * running (criu_swrk_done kills and reaps it). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "criu.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/missing.h"

/* An answer is a few hundred bytes; runc reads into 40 KiB. */
#define CRIU_MSG_MAX ((size_t) 64 * 1024)
#define CRIU_OUTPUT_MAX ((size_t) 64 * 1024)

int criu_find(char **ret_path) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy = strdup(path ?: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = NULL;
                struct stat st;

                if (dir[0] != '/')
                        continue; /* a relative PATH entry would depend on the cwd */
                if (asprintf(&p, "%s/criu", dir) < 0)
                        return -ENOMEM;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
                        *ret_path = TAKE_PTR(p);
                        return 0;
                }
        }
        return -ENOENT;
}

/* In the forked child: fds[i] becomes fd first+i, every other fd from 3 on is closed; stdio is
 * /dev/null unless kept. Async-signal-safe only. */
static void child_fds(const int *fds, size_t n, int first, bool keep_stdio) {
        int high[16];

        if (n > ELEMENTSOF(high))
                _exit(126);
        /* Above every target first: a source may sit where another one goes. */
        for (size_t i = 0; i < n; i++)
                if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, first + (int) n)) < 0)
                        _exit(126);
        for (size_t i = 0; i < n; i++)
                if (dup2(high[i], first + (int) i) < 0)
                        _exit(126);
        if (!keep_stdio) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
                        _exit(126);
        }
        (void) close_range((unsigned) first + (unsigned) n, ~0U, 0);
}

/* Runs criu with args, its stdout and stderr captured together; returns its exit status. */
static int run_captured(const char *path, const char *arg, char **ret_output) {
        _cleanup_close_ int rd = -EBADF, wr = -EBADF;
        int fds[2], status;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        rd = fds[0];
        wr = fds[1];
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int out[] = { wr };
                child_fds(out, 1, 3, false);
                if (dup2(3, 1) < 0 || dup2(3, 2) < 0)
                        _exit(126);
                (void) close(3);
                execl(path, "criu", arg, (char *) NULL);
                _exit(127);
        }
        wr = safe_close(wr); /* NOLINT(clang-analyzer-deadcode.DeadStores): so that the read sees EOF */
        int r = read_file_fd(rd, CRIU_OUTPUT_MAX, ret_output, NULL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (r < 0)
                return r;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int criu_version(const char *path, char **ret) {
        _cleanup_free_ char *out = NULL;
        int r = run_captured(path, "--version", &out);

        if (r < 0)
                return r;
        char *v = out ? strstr(out, "Version: ") : NULL;
        if (r != 0 || !v)
                return -EPROTO;
        v += strlen("Version: ");
        v[strcspn(v, " \n")] = 0;
        char *c = strdup(v);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

int criu_check(const char *path, char **ret_why) {
        _cleanup_free_ char *out = NULL;
        const char *why = NULL, *last = NULL;
        int r = run_captured(path, "check", &out);

        if (r < 0)
                return r;
        if (r == 0)
                return 0;
        for (char *save = NULL, *line = strtok_r(out ?: (char[]) { 0 }, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                if (!why && strncmp(line, "Error", 5) == 0)
                        why = line;
                last = line;
        }
        char *c = why || last ? strdup(why ?: last) : NULL;
        if (!c && asprintf(&c, "criu check exited with status %d and said nothing", r) < 0)
                return -ENOMEM;
        if (!c)
                return -ENOMEM;
        *ret_why = c;
        return -EOPNOTSUPP;
}

int criu_swrk_start(const char *path, const int *extra_fds, size_t n_extra, bool caller_stdio, CriuSwrk *ret) {
        _cleanup_close_ int ours = -EBADF, theirs = -EBADF;
        int pair[2], pidfd = -EBADF, fds[16];

        if (n_extra + 1 > ELEMENTSOF(fds))
                return log_error_errno(E2BIG, "Too many descriptors for criu");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return log_error_errno(errno, "Failed to create the socket to criu: %m");
        ours = pair[0];
        theirs = pair[1];
        fds[0] = theirs;
        for (size_t i = 0; i < n_extra; i++)
                fds[i + 1] = extra_fds[i];
        pid_t pid = clone3_fork(0, &pidfd);
        if (pid < 0)
                return log_error_errno(errno, "Failed to start %s: %m", path);
        if (pid == 0) {
                /* criu must not die with a signal runscope blocks for its own waiting. */
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                child_fds(fds, n_extra + 1, 3, caller_stdio);
                execl(path, "criu", "swrk", "3", (char *) NULL);
                _exit(127);
        }
        *ret = (CriuSwrk) { .pid = pid, .pidfd = pidfd, .sock = TAKE_FD(ours) };
        return 0;
}

static int send_msg(int sock, const uint8_t *data, size_t size) {
        ssize_t n;

        do
                n = send(sock, data, size, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EPIPE ? -ECONNRESET : -errno;
        return 0;
}

static int send_request(int sock, CriuReqType type, const CriuOpts *o) {
        _cleanup_free_ uint8_t *data = NULL;
        size_t size;
        int r = criu_encode_request(type, o, &data, &size);

        return r < 0 ? r : send_msg(sock, data, size);
}

static int send_notify_reply(int sock, bool success) {
        _cleanup_free_ uint8_t *data = NULL;
        size_t size;
        int r = criu_encode_notify_reply(success, &data, &size);

        return r < 0 ? r : send_msg(sock, data, size);
}

int criu_swrk_call(CriuSwrk *s, CriuReqType type, const CriuOpts *o, CriuNotifyFunc notify, void *userdata,
                   CriuResponse *ret) {
        uint8_t buf[CRIU_MSG_MAX];
        int r;

        r = send_request(s->sock, type, o);
        if (r == -ECONNRESET)
                return r; /* criu died before it read the request: the caller finds out why */
        if (r < 0)
                return log_error_errno(r, "Failed to send the request to criu: %m");
        for (;;) {
                CriuResponse resp;
                int fd = -EBADF;
                ssize_t n = fd_recv(s->sock, buf, CRIU_MSG_MAX, &fd);
                if (n == 0 || n == -ECONNRESET)
                        return -ECONNRESET;
                if (n < 0)
                        return log_error_errno((int) n, "Failed to read criu's answer: %m");
                r = criu_decode_response(buf, (size_t) n, &resp);
                if (r < 0) {
                        safe_close(fd);
                        return log_error_errno(r, "criu sent a message that is not a criu_resp");
                }
                if (resp.type != CRIU_REQ_NOTIFY || !resp.success) {
                        safe_close(fd);
                        *ret = resp;
                        return 0;
                }
                r = notify ? notify(&resp, fd, userdata) : (safe_close(fd), 0);
                int k = send_notify_reply(s->sock, r >= 0);
                if (r < 0)
                        return r;
                if (k < 0)
                        return k == -ECONNRESET ? k : log_error_errno(k, "Failed to answer criu: %m");
        }
}

int criu_swrk_wait(CriuSwrk *s) {
        siginfo_t si = {};

        if (s->pidfd < 0)
                return -ECHILD;
        while (waitid(P_PIDFD, (id_t) s->pidfd, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "Failed to wait for criu: %m");
        s->pidfd = safe_close(s->pidfd);
        s->pid = 0;
        return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

void criu_swrk_done(CriuSwrk *s) {
        s->sock = safe_close(s->sock);
        if (s->pidfd >= 0) {
                (void) pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
                (void) criu_swrk_wait(s);
        }
        s->pidfd = safe_close(s->pidfd);
}
