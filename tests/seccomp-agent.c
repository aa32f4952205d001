/* Test helper, a seccomp agent (the other end of linux.seccomp.listenerPath): listens on PATH,
 * takes each container process state with its listener fd and prints the state JSON, and answers
 * every notified syscall with errno ERRNO (printing the syscall's name), until 20 s pass without
 * anything happening. Usage: seccomp-agent PATH ERRNO */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Takes one container process state and its listener from a connection; prints the state. */
static int take(int listener) {
        char json[65536] = "";
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = json, .iov_len = sizeof(json) - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        int fd = -1, conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

        if (conn < 0 || recvmsg(conn, &mh, 0) < 0)
                return perror("seccomp-agent: recvmsg"), -1;
        close(conn);
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        if (fd < 0)
                return fprintf(stderr, "seccomp-agent: no fd came\n"), -1;
        printf("%s\n", json);
        fflush(stdout);
        return fd;
}

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct pollfd p[64] = {};
        size_t n = 1;
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;

        if (argc != 3)
                return fprintf(stderr, "usage: seccomp-agent PATH ERRNO\n"), 2;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
        p[0] = (struct pollfd) { .fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), .events = POLLIN };
        unlink(argv[1]);
        if (p[0].fd < 0 || bind(p[0].fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(p[0].fd, 16) < 0)
                return perror("seccomp-agent: listen"), 1;
        if (seccomp_notify_alloc(&req, &resp) < 0)
                return fprintf(stderr, "seccomp-agent: out of memory\n"), 1;
        for (;;) {
                if (poll(p, n, 20000) <= 0)
                        return fprintf(stderr, "seccomp-agent: timed out\n"), 1;
                if ((p[0].revents & POLLIN) && n < 64) {
                        int fd = take(p[0].fd);
                        if (fd >= 0)
                                p[n++] = (struct pollfd) { .fd = fd, .events = POLLIN };
                }
                for (size_t i = 1; i < n; i++) {
                        if (p[i].revents & POLLHUP) {
                                /* every process under this filter is gone */
                                close(p[i].fd);
                                p[i--] = p[--n];
                                continue;
                        }
                        if (!(p[i].revents & POLLIN))
                                continue;
                        memset(req, 0, sizeof(*req));
                        if (seccomp_notify_receive(p[i].fd, req) < 0)
                                continue; /* the process died meanwhile */
                        char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
                        printf("notified %s\n", name ? name : "?");
                        fflush(stdout);
                        free(name);
                        *resp = (struct seccomp_notif_resp) { .id = req->id, .error = -atoi(argv[2]) };
                        (void) seccomp_notify_respond(p[i].fd, resp);
                }
        }
}
