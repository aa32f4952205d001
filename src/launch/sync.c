/* One fixed-size datagram per message on the launcher's socket pair. Never logs: the launcher
 * cannot, and the parent logs what it receives once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sync.h"

int sync_send(int fd, SyncKind kind, int err, bool command, const char *text) {
        SyncMessage m = { .kind = kind, .err = err, .command = command };

        if (text)
                (void) snprintf(m.text, sizeof(m.text), "%s", text);
        while (send(fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

int sync_recv(int fd, SyncMessage *ret) {
        ssize_t n;

        do
                n = recv(fd, ret, sizeof(*ret), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n != (ssize_t) sizeof(*ret))
                return -EPIPE;
        ret->text[sizeof(ret->text) - 1] = 0;
        return 0;
}
