/* A static multi-call probe copied into test rootfses: `probe NAME [ARGS]` prints one fact of the
 * container it runs in, so tests compare text instead of trusting a shell. Links no project code. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <poll.h>
#include <sched.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/un.h>

static int cat(const char *path, const char *prefix) {
        char line[4096];
        FILE *f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "probe: %s: %s\n", path, strerror(errno));
                return 1;
        }
        while (fgets(line, sizeof(line), f))
                if (!prefix || strncmp(line, prefix, strlen(prefix)) == 0)
                        fputs(line, stdout);
        fclose(f);
        return 0;
}

static int fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int self;

        if (!d)
                return perror("probe: /proc/self/fd"), 1;
        self = dirfd(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && atoi(de->d_name) != self)
                        printf("%s\n", de->d_name);
        closedir(d);
        return 0;
}

int main(int argc, char *argv[]) {
        const char *cmd = argc > 1 ? argv[1] : "";
        char buf[4096];

        if (strcmp(cmd, "hostname") == 0) {
                if (gethostname(buf, sizeof(buf)) < 0)
                        return perror("probe: gethostname"), 1;
                printf("%s\n", buf);
                return 0;
        }
        if (strcmp(cmd, "cgroup") == 0)
                return cat("/proc/self/cgroup", NULL);
        if (strcmp(cmd, "caps") == 0)
                return cat("/proc/self/status", "Cap");
        if (strcmp(cmd, "sigign") == 0)
                return cat("/proc/self/status", "SigIgn");
        if (strcmp(cmd, "nnp") == 0)
                return cat("/proc/self/status", "NoNewPrivs");
        if (strcmp(cmd, "fds") == 0)
                return fds();
        if (strcmp(cmd, "pid") == 0)
                return printf("%d\n", (int) getpid()) < 0;
        if (strcmp(cmd, "id") == 0)
                return printf("uid=%d gid=%d\n", (int) getuid(), (int) getgid()) < 0;
        if (strcmp(cmd, "cwd") == 0)
                return !getcwd(buf, sizeof(buf)) || printf("%s\n", buf) < 0;
        if (strcmp(cmd, "env") == 0 && argc > 2) {
                const char *v = getenv(argv[2]);
                return v ? printf("%s\n", v) < 0 : 1;
        }
        if (strcmp(cmd, "exit") == 0 && argc > 2)
                return atoi(argv[2]);
        if (strcmp(cmd, "sleep") == 0 && argc > 2) {
                sleep((unsigned) atoi(argv[2]));
                return 0;
        }
        if (strcmp(cmd, "alloc") == 0 && argc > 2) {
                /* Touches N MiB, one page at a time, and reports progress: an OOM kill shows. */
                size_t mib = (size_t) atoi(argv[2]);
                for (size_t i = 0; i < mib; i++) {
                        char *p = malloc(1 << 20);
                        if (!p)
                                return perror("probe: malloc"), 1;
                        memset(p, 1, 1 << 20);
                }
                printf("allocated %zu MiB\n", mib);
                return 0;
        }
        if (strcmp(cmd, "fork") == 0 && argc > 2) {
                /* Forks up to N sleeping children and prints how many it got. */
                int n = atoi(argv[2]), got = 0;
                for (; got < n; got++) {
                        pid_t pid = fork();
                        if (pid < 0)
                                break;
                        if (pid == 0) {
                                sleep(30);
                                _exit(0);
                        }
                }
                printf("%d\n", got);
                return 0;
        }
        if (strcmp(cmd, "ioprio") == 0) {
                long v = syscall(SYS_ioprio_get, 1, 0);
                return v < 0 ? (perror("probe: ioprio_get"), 1) : printf("class=%ld prio=%ld\n", v >> 13, v & 7) < 0;
        }
        if (strcmp(cmd, "keyring") == 0) {
                long id = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 1);
                return id < 0 ? (perror("probe: keyctl"), 1) : printf("%ld\n", id) < 0;
        }
        if (strcmp(cmd, "keylabel") == 0) {
                /* The LSM label of the session keyring (KEYCTL_GET_SECURITY), as the kernel made it. */
                char label[512];
                long n = syscall(SYS_keyctl, 17 /* KEYCTL_GET_SECURITY */, -3 /* session */, label, sizeof(label) - 1);
                if (n < 0)
                        return perror("probe: keyctl"), 1;
                label[n < (long) sizeof(label) ? n : (long) sizeof(label) - 1] = 0;
                return printf("%s\n", label) < 0;
        }
        if (strcmp(cmd, "session") == 0 && argc > 3) {
                /* Runs CMD in the session keyring NAME (joined, or made). */
                if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, argv[2]) < 0)
                        return perror("probe: keyctl"), 1;
                execvp(argv[3], argv + 3);
                return perror("probe: exec"), 127;
        }
        if (strcmp(cmd, "nr") == 0 && argc > 2) {
                /* A raw syscall by number, so that no libc wrapper hides its errno (ENOSYS above all). */
                long v = syscall(atol(argv[2]), 0L, 0L, 0L);
                return printf("%s\n", v < 0 ? strerror(errno) : "ok") < 0;
        }
        if (strcmp(cmd, "sched") == 0)
                return printf("policy=%d nice=%d\n", sched_getscheduler(0), getpriority(PRIO_PROCESS, 0)) < 0;
        if (strcmp(cmd, "notify") == 0 && argc > 2) {
                /* sd_notify(3) by hand: one datagram to $NOTIFY_SOCKET. */
                const char *path = getenv("NOTIFY_SOCKET");
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (!path || fd < 0)
                        return fprintf(stderr, "probe: no NOTIFY_SOCKET\n"), 1;
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
                if (sendto(fd, argv[2], strlen(argv[2]), 0, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                        return perror("probe: sendto"), 1;
                return 0;
        }
        if (strcmp(cmd, "barrier") == 0) {
                /* sd_notify_barrier(3) by hand: BARRIER=1 with a pipe's write end, which the manager
                 * closes once it has read everything sent before; the read end then hangs up. */
                const char *path = getenv("NOTIFY_SOCKET");
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                int pipefd[2], fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                union {
                        struct cmsghdr h;
                        char space[CMSG_SPACE(sizeof(int))];
                } control = {};
                struct iovec iov = { .iov_base = "BARRIER=1", .iov_len = 9 };
                struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1,
                                     .msg_control = &control, .msg_controllen = sizeof(control) };
                if (!path || fd < 0 || pipe(pipefd) < 0)
                        return fprintf(stderr, "probe: no NOTIFY_SOCKET\n"), 1;
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &pipefd[1], sizeof(int));
                if (sendmsg(fd, &mh, 0) < 0)
                        return perror("probe: sendmsg"), 1;
                close(pipefd[1]);
                struct pollfd pf = { .fd = pipefd[0] };
                int k = poll(&pf, 1, 5000);
                return printf("barrier %s\n", k == 1 && (pf.revents & POLLHUP) ? "passed" : "timed out") < 0;
        }
        if (strcmp(cmd, "kill-self") == 0 && argc > 2) {
                kill(getpid(), atoi(argv[2]));
                pause();
                return 0;
        }
        fprintf(stderr, "usage: probe hostname|cgroup|caps|nnp|fds|pid|id|cwd|env NAME|exit N|sleep N|alloc MIB|fork N|notify MSG|ioprio|sched|keyring|keylabel|session NAME CMD...|kill-self SIG\n");
        return 2;
}
