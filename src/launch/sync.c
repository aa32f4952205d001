/* One fixed-size datagram per message on the launcher's socket pair. Never logs: the launcher
 * cannot, and the parent logs what it receives once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sync.h"
#include "util/fd.h"

int sync_send(int fd, SyncKind kind, int err, bool command, const char *text) {
        SyncMessage m = { .kind = kind, .err = err, .command = command };

        if (text)
                (void) snprintf(m.text, sizeof(m.text), "%s", text);
        return fd_send(fd, -EBADF, &m, sizeof(m));
}

int sync_send_fd(int fd, SyncKind kind, int pass_fd) {
        SyncMessage m = { .kind = kind };
        return fd_send(fd, pass_fd, &m, sizeof(m));
}

int sync_recv(int fd, SyncMessage *ret, int *ret_fd) {
        int got;
        ssize_t n = fd_recv(fd, ret, sizeof(*ret), &got);

        if (n < 0)
                return (int) n;
        if (n != (ssize_t) sizeof(*ret)) {
                safe_close(got);
                return -EPIPE;
        }
        ret->text[sizeof(ret->text) - 1] = 0;
        if (ret_fd)
                *ret_fd = got;
        else
                safe_close(got);
        return 0;
}

int sync_send_go(int fd, pid_t pid) {
        SyncMessage m = { .kind = SYNC_GO, .pid = pid };
        return fd_send(fd, -EBADF, &m, sizeof(m));
}
