/* A Varlink client of the smallest kind, for systemd-machined: the system's (systemd 257 and later,
 * /run/systemd/machine/io.systemd.Machine) and the per-user one of systemd 259
 * ($XDG_RUNTIME_DIR/systemd/machine/io.systemd.Machine). One call at a time, written at once, its
 * reply (a NUL-terminated JSON object) read when it is wanted and looked at only for its "error"
 * member. Never blocks on a peer without a deadline, and never raises SIGPIPE. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

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
        /* Parsed, not searched: the reply's own "error" member, wherever the peer puts it and however
         * it spaces it, and never a string of the same text inside its parameters. */
        cJSON *reply = cJSON_Parse(c->reply);
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(reply, "error");
        int r = 0;

        if (cJSON_IsString(error)) {
                (void) snprintf(name, size, "%s", error->valuestring);
                r = 1;
        } else if (!cJSON_IsObject(reply)) {
                (void) snprintf(name, size, "%s", "(a reply that is not a JSON object)");
                r = 1;
        }
        cJSON_Delete(reply);
        return r;
}
