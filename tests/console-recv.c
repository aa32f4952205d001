/* Test helper, the other end of --console-socket (what conmon does): listens on PATH, takes the
 * pty master that runscope sends, writes INPUT to it, and copies the terminal's output to stdout
 * until the process closes it (or 10 s pass). Usage: console-recv PATH [INPUT]
 * With --pidfd as INPUT, the other end of --pidfd-socket: prints the pid the fd it gets refers to
 * (its fdinfo's Pid), then "exited" once that process has ended (the pidfd polls readable). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char name[128] = "", buf[4096];
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        int fd = -1, listener, conn;

        if (argc < 2)
                return fprintf(stderr, "usage: console-recv PATH [INPUT]\n"), 2;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
        listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        unlink(argv[1]);
        if (listener < 0 || bind(listener, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(listener, 1) < 0)
                return perror("console-recv: listen"), 1;
        printf("listening\n");
        fflush(stdout);
        conn = accept(listener, NULL, NULL);
        if (conn < 0 || recvmsg(conn, &mh, 0) < 0)
                return perror("console-recv: recvmsg"), 1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        if (fd < 0)
                return fprintf(stderr, "console-recv: no fd came\n"), 1;
        printf("got %s\n", name);
        fflush(stdout);
        if (argc > 2 && strcmp(argv[2], "--pidfd") == 0) {
                char path[64], line[256];
                snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
                FILE *f = fopen(path, "re");
                while (f && fgets(line, sizeof(line), f))
                        if (strncmp(line, "Pid:", 4) == 0)
                                printf("pid %s", line + 4 + strspn(line + 4, " \t"));
                if (f)
                        fclose(f);
                fflush(stdout);
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 20000) <= 0)
                        return fprintf(stderr, "console-recv: the process did not exit\n"), 1;
                printf("exited\n");
                return 0;
        }
        if (argc > 2 && write(fd, argv[2], strlen(argv[2])) < 0)
                return perror("console-recv: write"), 1;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 10000) <= 0)
                        return fprintf(stderr, "console-recv: timed out\n"), 1;
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n <= 0)
                        return 0; /* EIO: every slave end is closed, the process is gone */
                fwrite(buf, 1, (size_t) n, stdout);
                fflush(stdout);
        }
}
