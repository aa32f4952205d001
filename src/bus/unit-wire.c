/* A container's scope started and stopped on systemd's private socket without libsystemd (wire.c):
 * what `create`, `run` and run's delete need as root when nothing is in the way, so that they
 * neither load libsystemd nor the libraries it binds at load (on Debian 12 two milliseconds of
 * every `run` and over a mebibyte of its memory). The properties are the ones sd-bus would send,
 * written by the same code (bus_scope_body through props-out.c).
 *
 * Anything but the plain answers is left to the sd-bus code (unit.c), which knows every case: a
 * unit of that name already there (UnitExists), a systemd that re-executed under the call. Must
 * never report a start systemd did not finish, nor leave a unit that the sd-bus way would not. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "util/fault.h"
#include "util/log.h"

#define DEST "org.freedesktop.systemd1"
#define PATH "/org/freedesktop/systemd1"
#define MANAGER "org.freedesktop.systemd1.Manager"

int bus_wire_check_scope(const ScopeRequest *req) {
        _cleanup_(wire_msg_done) WireMsg body = WIRE_MSG_NULL;
        return bus_scope_body(&(PropsOut) { .wire = &body }, req, 0);
}

/* The start, its job waited for (*ret_queued once systemd answered with the job): -EEXIST when a
 * unit of that name is there, -ENOTCONN when the exchange broke (the start maybe done), neither
 * logged; every other error is. */
static int wire_start_scope(WireConn *c, const ScopeRequest *req, pid_t pid, bool *ret_queued) {
        _cleanup_(wire_msg_done) WireMsg body = WIRE_MSG_NULL;
        _cleanup_free_ char *job = NULL, *error = NULL, *result = NULL;
        uint32_t serial;
        int r;

        r = bus_scope_body(&(PropsOut) { .wire = &body }, req, pid);
        if (r < 0)
                return r;
        /* The answer may take as long as sd-bus's call would wait for it (unit.c). */
        c->timeout_msec = (int) (BUS_JOB_TIMEOUT_USEC / 1000);
        r = wire_send_call(c, DEST, PATH, MANAGER, "StartTransientUnit", &body, &serial);
        if (r >= 0) {
                c->error_name[0] = 0;
                r = wire_read_reply(c, serial, &job, &error);
        }
        if (r < 0 && strcmp(c->error_name, "org.freedesktop.systemd1.UnitExists") == 0)
                return -EEXIST; /* the sd-bus way waits for a unit systemd is stopping */
        if (r < 0 && !c->error_name[0] && bus_disconnected(r))
                return -ENOTCONN; /* systemd re-executing, maybe after the start: the caller asks sd-bus */
        if (r < 0)
                return log_error_errno(r, "Failed to start unit %s: %s", req->unit, error ?: strerror(-r));
        *ret_queued = true; /* the unit is ours from here, started or not */
        /* The fault build lets a test make the wait short, as for sd-bus's (unit.c). */
        r = wire_wait_job(c, job, FAULT_USEC("RUNSCOPE_FAULT_JOB_TIMEOUT_SEC", BUS_JOB_TIMEOUT_USEC), &result);
        if (r == -ETIMEDOUT)
                return log_error_errno(r, "Timed out waiting for systemd to start %s", req->unit);
        if (r < 0 && bus_disconnected(r))
                return -ENOTCONN;
        if (r < 0)
                return log_error_errno(r, "Failed to wait for systemd to start %s: %m", req->unit);
        if (strcmp(result, "done") != 0)
                return log_error_errno(EIO, "systemd failed to start %s: job %s", req->unit, result);
        return 0;
}

/* StopUnit(unit, "replace") answered, and with wait its job too; a unit gone is no error. A broken
 * exchange is -ENOTCONN, not logged. */
static int stop_unit(WireConn *c, const char *unit, bool wait) {
        _cleanup_(wire_msg_done) WireMsg body = WIRE_MSG_NULL;
        _cleanup_free_ char *job = NULL, *error = NULL, *result = NULL;
        uint32_t serial;

        int r = wire_msg_append(&body, "ss", unit, "replace");
        if (r >= 0)
                r = wire_send_call(c, DEST, PATH, MANAGER, "StopUnit", &body, &serial);
        if (r >= 0) {
                c->error_name[0] = 0;
                r = wire_read_reply(c, serial, &job, &error);
        }
        if (r == -ENOENT && strcmp(c->error_name, "org.freedesktop.systemd1.NoSuchUnit") == 0)
                return 0;
        if (r < 0 && !c->error_name[0] && bus_disconnected(r))
                return -ENOTCONN;
        if (r < 0)
                return log_error_errno(r, "Failed to stop unit %s: %s", unit, error ?: strerror(-r));
        if (!wait)
                return 0;
        r = wire_wait_job(c, job, FAULT_USEC("RUNSCOPE_FAULT_JOB_TIMEOUT_SEC", BUS_JOB_TIMEOUT_USEC), &result);
        if (r < 0 && r != -ETIMEDOUT && bus_disconnected(r))
                return -ENOTCONN;
        if (r < 0)
                return log_error_errno(r, "Failed to wait for systemd to stop %s: %m", unit);
        if (strcmp(result, "done") != 0)
                return log_error_errno(EIO, "systemd failed to stop %s: job %s", unit, result);
        return 0;
}

int bus_wire_stop_unit(WireConn *c, const char *unit, bool wait) {
        int r = stop_unit(c, unit, wait);
        if (r == -ENOTCONN)
                log_debug("Lost systemd's private socket while stopping %s: the sd-bus way", unit);
        return r;
}

int bus_wire_reopen(WireConn *c) {
        if (c->fd >= 0)
                return 0;
        if (geteuid() != 0 || bus_user_manager())
                return -EPERM; /* only root speaks to systemd's private socket */
        return wire_connect(c, bus_private_socket(), true);
}

int bus_start_scope_on(WireConn *c, sd_bus **busp, const ScopeRequest *req, pid_t pid, bool *ret_ours) {
        bool queued = false;
        int r = wire_start_scope(c, req, pid, &queued);
        *ret_ours = queued;
        if (r != -EEXIST && r != -ENOTCONN)
                return r;
        /* The rest as sd-bus does it all, on a connection of its own: after a lost one, once systemd
         * is back (bus_reconnect() waits for a re-executing systemd). */
        wire_close(c);
        bool maybe_started = r == -ENOTCONN;
        r = maybe_started ? bus_reconnect(busp) : bus_connect_system(busp);
        if (r < 0)
                return r;
        if (maybe_started && bus_unit_has_pid(*busp, req->unit, pid))
                return 0;
        return bus_start_scope(busp, req, pid);
}
