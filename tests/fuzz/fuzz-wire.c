/* libFuzzer target: the bytes systemd's side of the private socket sends (authentication line,
 * then messages), read by src/bus/wire.c as the answer to AttachProcessesToUnit or, when the input's
 * length is odd, to the Get of a unit's ControlGroup. */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus/wire.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        WireConn c = WIRE_CONN_NULL;
        _cleanup_free_ char *error = NULL, *cgroup = NULL;
        int sv[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                abort();
        /* The whole answer is queued before the client reads, then the end of the stream. */
        if (fcntl(sv[1], F_SETFL, O_NONBLOCK) < 0)
                abort();
        ssize_t n = size > 0 ? write(sv[1], data, size) : 0;
        (void) n;
        (void) shutdown(sv[1], SHUT_WR);
        int r = wire_start(&c, sv[0]);
        if (r >= 0 && size % 2 == 0)
                r = wire_attach_process(&c, "runscope-fuzz.scope", "", 1, &error);
        else if (r >= 0) {
                r = wire_unit_control_group(&c, "runscope-fuzz.scope", "org.freedesktop.systemd1.Scope",
                                            &cgroup, &error);
                /* A cgroup exactly with success. */
                if ((r >= 0) != (cgroup != NULL))
                        abort();
        }
        /* An error text only with a failure, never with success. */
        if (r >= 0 && error)
                abort();
        wire_close(&c);
        (void) close(sv[1]);
        return 0;
}
