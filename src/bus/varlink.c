/* A Varlink client of the smallest kind, for the per-user systemd-machined (systemd 259), which
 * listens on $XDG_RUNTIME_DIR/systemd/machine/io.systemd.Machine: one call at a time, written at
 * once, its reply (a NUL-terminated JSON object) read when it is wanted. The reply is only looked at
 * for an "error" member; nothing else of it is parsed. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "bus.h"

int varlink_send(VarlinkCall *c, const char *method, const char *parameters) {
        char msg[2048];
        int n = snprintf(msg, sizeof(msg), "{\"method\":\"%s\",\"parameters\":%s}", method, parameters);

        if (n < 0 || (size_t) n >= sizeof(msg))
                return -E2BIG;
        c->used = 0;
        c->pending = false;
        /* The NUL ends the message. MSG_NOSIGNAL: a machined gone away is an error, not SIGPIPE. */
        for (size_t done = 0, len = (size_t) n + 1; done < len;) {
                ssize_t k = send(c->fd, msg + done, len - done, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                done += (size_t) k;
        }
        c->pending = true;
        return 0;
}

int varlink_read(VarlinkCall *c, bool wait) {
        while (c->pending) {
                struct pollfd p = { .fd = c->fd, .events = POLLIN };
                int k = poll(&p, 1, wait ? VARLINK_TIMEOUT_MSEC : 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return wait ? -ETIMEDOUT : 0;
                if (c->used >= sizeof(c->reply) - 1)
                        return -EMSGSIZE;
                ssize_t n = read(c->fd, c->reply + c->used, sizeof(c->reply) - 1 - c->used);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -ECONNRESET;
                char *end = memchr(c->reply + c->used, 0, (size_t) n);
                c->used += (size_t) n;
                c->reply[c->used] = 0;
                if (end)
                        c->pending = false;
        }
        return 1;
}

int varlink_error(const VarlinkCall *c, char *name, size_t size) {
        static const char key[] = "\"error\":\"";
        const char *e = strstr(c->reply, key);

        if (!e)
                return 0;
        e += strlen(key);
        const char *q = strchr(e, '"');
        size_t n = q ? (size_t) (q - e) : strlen(e);
        (void) snprintf(name, size, "%.*s", (int) n, e);
        return 1;
}
