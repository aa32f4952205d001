/* Hands a container's seccomp listener (the fd of its SCMP_ACT_NOTIFY filter) to the agent at
 * linux.seccomp.listenerPath, as the runtime spec says: one message on a unix stream socket, the
 * container process state as JSON with the fd as SCM_RIGHTS. Runs in runscope, never in the
 * launcher: the path is the host's, and the container must never hold its own listener. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "launch.h"
#include "util/alloc.h"
#include "util/fd.h"
#include "util/json.h"
#include "util/log.h"

int launch_send_listener(const SpecSeccomp *s, Launcher *l, const char *state_json) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int sock = -EBADF, listener = TAKE_FD(l->seccomp_fd);
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (listener < 0)
                return 0;
        if (!s || !s->listener_path)
                return log_error_errno(EPROTO, "The launcher sent a seccomp listener nobody asked for");
        size_t len = strlen(s->listener_path);
        if (len >= sizeof(sa.sun_path))
                return log_error_errno(ENAMETOOLONG, "config.json: linux.seccomp.listenerPath: %s: path too long", s->listener_path);
        memcpy(sa.sun_path, s->listener_path, len + 1);

        /* The spec's ContainerProcessState: fds names what SCM_RIGHTS carries, in order. */
        f = open_memstream(&buf, &size);
        if (!f)
                return log_oom();
        fprintf(f, "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":", (int) l->pid);
        json_print_string(f, s->listener_metadata ?: "");
        fprintf(f, ",\"state\":%s}", state_json);
        if (fclose(f) != 0)
                return log_oom();

        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0 || connect(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_error_errno(errno, "config.json: linux.seccomp.listenerPath: %s: %m", s->listener_path);
        int r = fd_send(sock, listener, buf, size);
        if (r < 0)
                return log_error_errno(r, "config.json: linux.seccomp.listenerPath: %s: sending the listener: %m", s->listener_path);
        return 0;
}
