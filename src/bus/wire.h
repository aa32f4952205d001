/* systemd's private socket spoken without libsystemd, for the calls on exec's path (see wire.c). */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include <stdint.h>
#include <sys/types.h>

#include "bus/wire-msg.h"

/* A JobRemoved signal systemd sent: the job's object path and its result. */
typedef struct WireJob {
        char path[96];
        char result[16];
} WireJob;

typedef struct WireConn {
        int fd;
        uint32_t serial;
        bool authenticated;
        bool ahead_ok; /* the server takes messages sent before its OK (dbus-daemon, after wire_hello()) */
        int timeout_msec; /* of each call, answer included: 25 s as sd-bus's */
        size_t start, end; /* the bytes read and not yet consumed: buf[start, end) */
        uint64_t skipping; /* bytes of a message not wanted, still to come */
        char error_name[128]; /* of the last error answer read ("" after a method return) */
        WireJob jobs[16];  /* the last JobRemoved signals read, a ring */
        unsigned n_jobs;   /* read in all; jobs[(n_jobs - 1) % 16] the last */
        uint8_t *buf;      /* WIRE_BUF_SIZE bytes, from wire_start() to wire_close(); not part of
                            * the struct, which callers zero where they make it: only what a
                            * connection reads is ever touched */
} WireConn;
#define WIRE_BUF_SIZE 16384
#define WIRE_CONN_NULL { .fd = -EBADF }

/* Connects to the socket at path and sends the authentication (EXTERNAL, as the caller's uid)
 * without waiting for its answer. With wait false, a listener whose backlog is full (a systemd
 * that hangs) fails it at once with -EAGAIN; else connect waits as long as a call may take.
 * -errno, not logged. */
int wire_connect(WireConn *c, const char *path, bool wait);
/* Only the connect of wire_connect(): a blocking stream socket (SO_SNDTIMEO set), or -errno. */
int wire_socket_connect(const char *path, bool wait);
/* The same on a connected stream socket, which c then owns (the tests' socketpair): wire_close()
 * closes it and frees c's buffer, also when this fails. */
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
/* A call of member on destination's path and interface with body (NULL: none), sent without
 * waiting for its answer: its serial in *ret_serial. */
int wire_send_call(WireConn *c, const char *destination, const char *path, const char *interface, const char *member,
                   const WireMsg *body, uint32_t *ret_serial);
/* Reads messages until the answer to serial: 0 for a method return (with ret_path, the object path
 * its body holds, which must be one "o"), an error answer as wire_attach_process(). JobRemoved
 * signals read meanwhile are kept for wire_wait_job(); other messages are skipped. */
int wire_read_reply(WireConn *c, uint32_t serial, char **ret_path, char **ret_error);
/* Reads until systemd says job (an object path) was removed, unless that was read already, for at
 * most timeout_usec (-ETIMEDOUT); its result ("done", "failed", "canceled", …) in *ret_result. */
int wire_wait_job(WireConn *c, const char *job, uint64_t timeout_usec, char **ret_result);
/* wire_read_reply() without waiting (and without ret_path): -EAGAIN while the answer is not all
 * there; what came meanwhile is consumed. */
int wire_try_reply(WireConn *c, uint32_t serial, char **ret_error);
