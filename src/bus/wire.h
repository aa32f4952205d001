/* systemd's private socket spoken without libsystemd, for the calls on exec's path (see wire.c). */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include <stdint.h>
#include <sys/types.h>

typedef struct WireConn {
        int fd;
        uint32_t serial;
        bool authenticated;
        int timeout_msec; /* of each call, answer included: 25 s as sd-bus's */
        size_t start, end; /* the bytes read and not yet consumed: buf[start, end) */
        uint8_t buf[16384];
} WireConn;
#define WIRE_CONN_NULL { .fd = -EBADF }

/* Connects to the socket at path and sends the authentication (EXTERNAL, as the caller's uid)
 * without waiting for its answer. With wait false, a listener whose backlog is full (a systemd
 * that hangs) fails it at once with -EAGAIN; else connect waits as long as a call may take.
 * -errno, not logged. */
int wire_connect(WireConn *c, const char *path, bool wait);
/* Only the connect of wire_connect(): a blocking stream socket (SO_SNDTIMEO set), or -errno. */
int wire_socket_connect(const char *path, bool wait);
/* The same on a connected stream socket, which c then owns (the tests' socketpair). */
int wire_start(WireConn *c, int fd);
void wire_close(WireConn *c);
/* The Hello a bus (dbus-daemon) wants first, sent without waiting; its answer is skipped. */
int wire_hello(WireConn *c);
/* AttachProcessesToUnit(unit, subcgroup, [pid]) and its answer. An error answer returns the errno sd-bus
 * would (-ENOENT for NoSuchUnit, …; -EIO for a name it does not map) with systemd's message (or
 * its error name) in *ret_error; a broken exchange returns the errno of what broke (-EBADMSG for a
 * malformed message, -EPERM for a refused authentication, with a text, -ECONNRESET for a closed
 * socket, -ETIMEDOUT). Not logged. */
int wire_attach_process(WireConn *c, const char *unit, const char *subcgroup, pid_t pid, char **ret_error);
/* The ControlGroup property (Get on interface, org.freedesktop.systemd1.Scope or .Service) of unit,
 * as "/machine.slice/x.scope" ("" for a unit without one), in *ret_cgroup; errors as above. */
int wire_unit_control_group(WireConn *c, const char *unit, const char *interface, char **ret_cgroup, char **ret_error);
/* The same in two halves: the call sent (its serial in *ret_serial), then its answer read, with
 * other work between them. Messages before the answer, other answers included, are skipped. */
int wire_send_control_group(WireConn *c, const char *unit, const char *interface, uint32_t *ret_serial);
int wire_read_control_group(WireConn *c, uint32_t serial, char **ret_cgroup, char **ret_error);
