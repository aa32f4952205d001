/* StartTransientUnit, StopUnit, KillUnit and unit state, with job tracking. Never returns before
 * the job it started has ended (but for bus_stop_unit_queue, whose caller knows the unit is empty),
 * and never leaves a unit behind when starting fails. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "util/clock.h"
#include "util/fault.h"
#include "util/fd.h"
#include "util/log.h"

#define DEST "org.freedesktop.systemd1"
#define PATH "/org/freedesktop/systemd1"
#define MANAGER "org.freedesktop.systemd1.Manager"

typedef struct JobWait {
        char *job;
        char *result;
} JobWait;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        JobWait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        (void) error;
        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->job && !w->result && strcmp(path, w->job) == 0)
                w->result = strdup(result) ?: strdup("");
        return 0;
}

/* Installs the JobRemoved match. It must exist before the call that queues the job: the job can
 * finish before the reply arrives, and a signal nobody matched yet is dropped. */
static int job_match(sd_bus *bus, JobWait *w, sd_bus_slot **ret_slot) {
        /* Direct connections (the private socket) carry no sender; the bus does. */
        const char *sender = sd_bus_is_bus_client(bus) > 0 ? DEST : NULL;
        /* Through dbus-daemon, its AddMatch is sent without waiting for the answer: it is read
         * before the call that follows, in order. */
        int r = sender ? sd_bus_match_signal_async(bus, ret_slot, sender, PATH, MANAGER, "JobRemoved", on_job_removed,
                                                   NULL, w)
                       : sd_bus_match_signal(bus, ret_slot, sender, PATH, MANAGER, "JobRemoved", on_job_removed, w);
        if (r < 0)
                return log_error_errno(r, "Failed to watch systemd jobs: %m");
        return 0;
}

static int job_wait(sd_bus *bus, JobWait *w, const char *unit, const char *what) {
        /* The fault build lets a test make it short. */
        uint64_t deadline = now_usec() + FAULT_USEC("RUNSCOPE_FAULT_JOB_TIMEOUT_SEC", BUS_JOB_TIMEOUT_USEC);
        int r;

        while (!w->result) {
                r = sd_bus_process(bus, NULL);
                if (r > 0)
                        continue;
                uint64_t now = now_usec();
                if (r >= 0 && now >= deadline)
                        return log_error_errno(ETIMEDOUT, "Timed out waiting for systemd to %s %s", what, unit);
                if (r >= 0)
                        r = sd_bus_wait(bus, deadline - now);
                /* A lost connection is not logged: systemd re-executing drops every client, and
                 * the caller may retry. */
                if (r < 0)
                        return bus_disconnected(r) ? r : log_error_errno(r, "Failed to wait for systemd to %s %s: %m", what, unit);
        }
        if (strcmp(w->result, "done") != 0)
                return log_error_errno(EIO, "systemd failed to %s %s: job %s", what, unit, w->result);
        return 0;
}

static void job_wait_done(JobWait *w) {
        free(w->job);
        free(w->result);
}

/* The job path a Start/Stop call answered with, waited for until it is removed. A lost connection
 * is logged unless the caller will try again (may_retry). */
static int job_wait_reply(sd_bus *bus, JobWait *w, sd_bus_message *reply, const char *unit, const char *what,
                          bool may_retry) {
        const char *job;
        int r;

        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return log_error_errno(r, "Bad reply from systemd to %s %s: %m", what, unit);
        w->job = strdup(job);
        if (!w->job)
                return log_oom();
        r = job_wait(bus, w, unit, what);
        job_wait_done(w);
        if (r < 0 && bus_disconnected(r) && !may_retry)
                return log_error_errno(r, "Lost the connection to systemd while waiting to %s %s: %m", what, unit);
        return r;
}

/* Resource and cgroup properties live on the unit type's own interface. */
static const char *unit_interface(const char *unit) {
        const char *dot = strrchr(unit, '.');
        if (dot && strcmp(dot, ".service") == 0)
                return "org.freedesktop.systemd1.Service";
        return "org.freedesktop.systemd1.Scope";
}

/* StartTransientUnit's (unit, "fail", a(sv) …) with the properties every runscope unit has
 * (Description, Slice, Delegate, TimeoutStopUSec), its property array left open. */
static int transient_head(PropsOut *o, const char *unit, const char *description, const char *slice) {
        int r = props_out_append(o, "ss", unit, "fail");
        if (r >= 0)
                r = props_out_open(o, 'a', "(sv)");
        if (r >= 0)
                r = props_out_append(o, "(sv)(sv)(sv)", "Description", "s", description, "Slice", "s", slice, "Delegate",
                                     "b", 1);
        /* A container's init is pid 1 of its namespace and ignores SIGTERM unless it handles it: stop
         * would wait systemd's 90 s for it. Before the annotations, so that theirs wins (the last
         * value of a property given twice is the one systemd keeps). */
        if (r >= 0)
                r = props_out_append(o, "(sv)", "TimeoutStopUSec", "t", BUS_STOP_TIMEOUT_USEC);
        if (r < 0)
                return log_error_errno(r, "Failed to build the properties of %s: %m", unit);
        return 0;
}

static int transient_message(sd_bus *bus, const char *unit, const char *description, const char *slice,
                             sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "StartTransientUnit");
        if (r < 0)
                return log_error_errno(r, "Failed to build the properties of %s: %m", unit);
        r = transient_head(&(PropsOut) { .sd = m }, unit, description, slice);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

int bus_scope_body(PropsOut *o, const ScopeRequest *req, pid_t pid) {
        int r;

        r = transient_head(o, req->unit, req->description, req->slice);
        if (r < 0)
                return r;
        r = props_out_append(o, "(sv)(sv)", "DefaultDependencies", "b", 0, "CollectMode", "s", "inactive-or-failed");
        /* PIDs, not PIDFDs: the launcher is the caller's child, not reaped before the job is done
         * (SIGCHLD is at its default, so the kernel does not reap it either), so its PID cannot be
         * reused meanwhile. PIDFDs would only cost, on systemd before 253, which refuses them, a
         * round trip to learn so (or to check a cache of it against systemd's version). */
        if (r >= 0 && pid > 0)
                r = props_out_append(o, "(sv)", "PIDs", "au", 1, (uint32_t) pid);
        if (r < 0)
                return log_error_errno(r, "Failed to build the properties of %s: %m", req->unit);
        r = props_write_resources(o, req->spec, NULL);
        if (r < 0)
                return r;
        r = props_out_close(o);
        if (r >= 0)
                r = props_out_append(o, "a(sa(sv))", 0);
        if (r < 0)
                return log_error_errno(r, "Failed to build the properties of %s: %m", req->unit);
        return 0;
}

static int scope_message(sd_bus *bus, const ScopeRequest *req, pid_t pid, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "StartTransientUnit");
        if (r < 0)
                return log_error_errno(r, "Failed to build the properties of %s: %m", req->unit);
        r = bus_scope_body(&(PropsOut) { .sd = m }, req, pid);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

int bus_scope_check(sd_bus *bus, const ScopeRequest *req) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = scope_message(bus, req, 0, &m);
        if (r >= 0 && bus_user_manager())
                r = bus_check_delegated(bus, req->spec);
        return r;
}

/* Errors systemd answered with are the caller's to judge (a leftover unit); a lost
 * connection too, when it may retry; anything else is logged here. */
static int start_transient(sd_bus *bus, const ScopeRequest *req, pid_t pid, sd_bus_error *error,
                           bool may_retry) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        JobWait w = {};
        int r;

        r = scope_message(bus, req, pid, &m);
        if (r < 0)
                return r;
        r = job_match(bus, &w, &slot);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, BUS_JOB_TIMEOUT_USEC, error, &reply);
        if (r < 0 && !sd_bus_error_is_set(error) && !(may_retry && bus_disconnected(r)))
                return log_error_errno(r, "Failed to start unit %s: %m", req->unit);
        if (r < 0)
                return r;
        return job_wait_reply(bus, &w, reply, req->unit, "start", may_retry);
}

/* Whether unit has a job queued: a start queued before systemd re-executed runs after. */
static bool unit_job_pending(sd_bus *bus, const char *unit) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL;
        uint32_t id = 0;
        const char *job;

        if (sd_bus_path_encode(PATH "/unit", unit, &path) < 0 ||
            sd_bus_get_property(bus, DEST, path, "org.freedesktop.systemd1.Unit", "Job", &error, &reply, "(uo)") < 0 ||
            sd_bus_message_read(reply, "(uo)", &id, &job) < 0)
                return false;
        return id != 0;
}

/* Whether unit has a stop job queued or running. */
static bool unit_stopping(sd_bus *bus, const char *unit) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL, *type = NULL;
        uint32_t id = 0;
        const char *job;

        return sd_bus_path_encode(PATH "/unit", unit, &path) >= 0 &&
               sd_bus_get_property(bus, DEST, path, "org.freedesktop.systemd1.Unit", "Job", &error, &reply, "(uo)") >= 0 &&
               sd_bus_message_read(reply, "(uo)", &id, &job) >= 0 && id != 0 &&
               sd_bus_get_property_string(bus, DEST, job, "org.freedesktop.systemd1.Job", "JobType", &error, &type) >= 0 &&
               strcmp(type, "stop") == 0;
}

static bool inactive_or_failed(const char *state) {
        return strcmp(state, "failed") == 0 || strcmp(state, "inactive") == 0;
}

/* A unit of the same name that systemd is stopping, as a foreground run leaves its empty scope
 * (bus_stop_unit_queue): *state once that stop is done. */
static int wait_stopped(sd_bus *bus, const char *unit, char **state) {
        uint64_t deadline = now_usec() + FAULT_USEC("RUNSCOPE_FAULT_JOB_TIMEOUT_SEC", BUS_JOB_TIMEOUT_USEC);

        if (inactive_or_failed(*state))
                return 0;
        while (unit_stopping(bus, unit)) {
                if (now_usec() >= deadline)
                        return log_error_errno(ETIMEDOUT, "Timed out waiting for systemd to stop the earlier %s", unit);
                (void) usleep(5 * 1000);
        }
        /* Read once no stop is left: a state read while one ran may be from just before it ended. */
        free(*state);
        *state = NULL;
        return bus_unit_active_state(bus, unit, state);
}

bool bus_unit_has_pid(sd_bus *bus, const char *unit, pid_t pid) {
        /* Up to a second for a start still queued to move the process in. */
        for (unsigned i = 0; i < 50 && unit_job_pending(bus, unit); i++)
                (void) usleep(20 * 1000);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *id = NULL;
        const char *path;

        return sd_bus_call_method(bus, DEST, PATH, MANAGER, "GetUnitByPID", &error, &reply, "u", (uint32_t) pid) >= 0 &&
               sd_bus_message_read(reply, "o", &path) >= 0 &&
               sd_bus_get_property_string(bus, DEST, path, "org.freedesktop.systemd1.Unit", "Id", &error, &id) >= 0 &&
               strcmp(id, unit) == 0;
}

int bus_start_scope(sd_bus **busp, const ScopeRequest *req, pid_t pid) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = start_transient(*busp, req, pid, &error, true);
        /* systemd re-executing (daemon-reexec, an upgrade) drops every client, maybe before it
         * answered: as runc does, once more on a new connection, unless the start was done. */
        if (r < 0 && bus_disconnected(r)) {
                log_debug_errno(r, "Lost the connection to systemd while starting %s, connecting again: %m", req->unit);
                sd_bus_error_free(&error);
                r = bus_reconnect(busp);
                if (r < 0)
                        return r;
                if (bus_unit_has_pid(*busp, req->unit, pid))
                        return 0;
                r = start_transient(*busp, req, pid, &error, false);
        }
        sd_bus *bus = *busp;
        if (r >= 0 || !sd_bus_error_is_set(&error))
                return r;
        if (sd_bus_error_has_name(&error, "org.freedesktop.systemd1.UnitExists")) {
                _cleanup_free_ char *state = NULL;
                r = bus_unit_active_state(bus, req->unit, &state);
                if (r >= 0)
                        r = wait_stopped(bus, req->unit, &state);
                if (r < 0)
                        return r;
                if (!inactive_or_failed(state))
                        return log_error_errno(EEXIST, "Unit %s already exists and is %s", req->unit, state);
                log_debug("Unit %s is a %s leftover, resetting it", req->unit, state);
                (void) sd_bus_call_method(bus, DEST, PATH, MANAGER, "ResetFailedUnit", NULL, NULL, "s", req->unit);
                sd_bus_error_free(&error);
                r = start_transient(bus, req, pid, &error, false);
                if (r >= 0 || !sd_bus_error_is_set(&error))
                        return r;
        }
        return log_error_errno(r, "Failed to start unit %s: %s", req->unit, bus_error_text(&error, r));
}

/* StopUnit and its job. With may_retry, systemd going away meanwhile is not logged but said in
 * *ret_gone: the connection dropped (a connection to the private socket is closed unanswered once a
 * re-executed systemd is back), or, through dbus-daemon, no answer (NoReply) or nobody there yet
 * (ServiceUnknown, NameHasNoOwner). */
static int stop_once(sd_bus *bus, const char *unit, bool may_retry, bool *ret_gone) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        JobWait w = {};
        int r;

        r = job_match(bus, &w, &slot);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "StopUnit", &error, &reply, "ss", unit, "replace");
        if (r < 0) {
                if (sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                        return 0;
                *ret_gone = may_retry && (bus_disconnected(r) || r == -ETIMEDOUT || r == -EHOSTUNREACH || r == -ENXIO);
                return *ret_gone ? r : log_error_errno(r, "Failed to stop unit %s: %s", unit, bus_error_text(&error, r));
        }
        r = job_wait_reply(bus, &w, reply, unit, "stop", may_retry);
        *ret_gone = r < 0 && may_retry && bus_disconnected(r);
        if (r < 0)
                return r;
        /* A scope whose processes were killed may be left "failed"; clear it so the name is free.
         * Sent without waiting: our scopes are collected when failed too (CollectMode), so this
         * only hurries that, and its answer (usually NoSuchUnit) would cost a round trip. */
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        if (sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "ResetFailedUnit") >= 0 &&
            sd_bus_message_append(m, "s", unit) >= 0 && sd_bus_message_set_expect_reply(m, 0) >= 0)
                (void) sd_bus_send(bus, m, NULL);
        return 0;
}

int bus_stop_unit(sd_bus *bus, const char *unit) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *fresh = NULL;
        bool gone = false;
        int r;

        r = stop_once(bus, unit, true, &gone);
        if (!gone)
                return r;
        /* systemd re-executed under the call: once more, as for a start, on a new connection to its
         * private socket, which stays open across the re-exec. bus itself stays open: machined's
         * link may share it. StopUnit may be repeated: a unit already gone is no error. */
        log_debug_errno(r, "Lost systemd while stopping %s, connecting again: %m", unit);
        r = bus_reconnect(&fresh);
        if (r < 0)
                return r;
        return stop_once(fresh, unit, false, &gone);
}

int bus_stop_unit_queue(sd_bus *bus, const char *unit) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "StopUnit", &error, NULL, "ss", unit, "replace");
        if (r >= 0 || sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                return 0;
        /* systemd re-executing under the call, or anything else: the whole stop, as delete does it. */
        log_debug("Failed to queue the stop of %s (%s), stopping it and waiting", unit, bus_error_text(&error, r));
        return bus_stop_unit(bus, unit);
}

int bus_kill_unit(sd_bus *bus, const char *unit, int sig) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "KillUnit", &error, NULL, "ssi", unit, "all", sig);
        if (r < 0 && sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                return -ESRCH;
        if (r < 0)
                return log_error_errno(r, "Failed to signal unit %s: %s", unit, bus_error_text(&error, r));
        return 0;
}

int bus_unit_active_state(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = sd_bus_path_encode(PATH "/unit", unit, &path);
        if (r < 0)
                return log_oom();
        r = sd_bus_get_property_string(bus, DEST, path, "org.freedesktop.systemd1.Unit", "ActiveState", &error, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to read the state of unit %s: %s", unit, bus_error_text(&error, r));
        return 0;
}

int bus_attach_process(sd_bus *bus, const char *unit, const char *subcgroup, pid_t pid) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        /* systemd moves it on every hierarchy, v1 controllers included; CLONE_INTO_CGROUP could
         * only place it on the unified one of a hybrid host. */
        r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "AttachProcessesToUnit", &error, NULL, "ssau", unit, subcgroup, 1,
                               (uint32_t) pid);
        if (r < 0)
                return log_error_errno(r, "Failed to move process %d into unit %s: %s", (int) pid, unit,
                                       bus_error_text(&error, r));
        return 0;
}

/* dbus-daemon's socket, from DBUS_SYSTEM_BUS_ADDRESS when that names one (unix:path=…), else
 * the default one; NULL for an address of another kind, which is sd-bus's to follow. */
const char *bus_system_socket(void) {
#ifdef RUNSCOPE_FAULT_POINTS
        if (getenv("RUNSCOPE_FAULT_DIRECT_SOCKET"))
                return NULL; /* the test of the way through sd-bus: no direct connection at all */
#endif
        const char *a = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        if (!a)
                return "/run/dbus/system_bus_socket";
        return strncmp(a, "unix:path=", 10) == 0 && !strpbrk(a + 10, ",;") ? a + 10 : NULL;
}

/* Through dbus-daemon first, as delete: systemd 252 spends about a millisecond setting up each
 * connection to its private socket before it reads a call there (exec was 0.5-0.7 ms faster
 * through dbus-daemon, same binary, interleaved); then the private socket, where there is no
 * dbus-daemon. */
static int wire_open(AttachLink *l, bool wait) {
        const char *bus = bus_system_socket();
        int r = bus ? wire_connect(&l->wire, bus, wait) : -ENOENT;
        if (r >= 0) {
                r = wire_hello(&l->wire);
                l->via_dbus = r >= 0;
                if (r >= 0)
                        return 0;
                wire_close(&l->wire);
        }
        log_debug_errno(r, "Failed to connect to dbus-daemon directly, trying %s: %m", bus_private_socket());
        return wire_connect(&l->wire, bus_private_socket(), wait);
}

void attach_link_prepare(AttachLink *l) {
        if (geteuid() != 0 || bus_user_manager())
                return; /* sd-bus: a user's manager, or the system's through polkit */
        int r = wire_open(l, false);
        if (r < 0)
                log_debug_errno(r, "Failed to connect to %s directly, trying again when needed: %m", bus_private_socket());
}

int attach_link_open(AttachLink *l) {
        int r;

        if (l->wire.fd >= 0)
                return 0;
        if (geteuid() == 0 && !bus_user_manager()) {
                r = wire_open(l, true);
                if (r >= 0)
                        return 0;
                log_debug_errno(r, "Failed to connect to %s directly, trying sd-bus: %m", bus_private_socket());
        }
        return bus_connect_system(&l->bus);
}

int attach_link_process(AttachLink *l, const char *unit, const char *subcgroup, pid_t pid) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (l->bus)
                return bus_attach_process(l->bus, unit, subcgroup, pid);
        r = wire_attach_process(&l->wire, unit, subcgroup, pid, &error);
        /* dbus-daemon refusing us (its connection limit, an authentication it will not take) or
         * not reaching systemd: once more, on the private socket. */
        if (l->via_dbus && (r == -EPERM || r == -ECONNRESET || r == -EPIPE || r == -ENOBUFS || r == -EHOSTUNREACH ||
                            r == -ENXIO)) {
                log_debug("dbus-daemon did not pass exec's call on (%s), trying %s", error ? error : strerror(-r),
                          bus_private_socket());
                free(error);
                error = NULL;
                wire_close(&l->wire);
                l->via_dbus = false;
                int k = wire_connect(&l->wire, bus_private_socket(), true);
                r = k < 0 ? k : wire_attach_process(&l->wire, unit, subcgroup, pid, &error);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to move process %d into unit %s: %s", (int) pid, unit,
                                       error ? error : strerror(-r));
        return 0;
}

void attach_link_ask_control_group(AttachLink *l, const char *unit) {
        if (l->wire.fd >= 0 && wire_send_control_group(&l->wire, unit, unit_interface(unit), &l->cgroup_serial) < 0)
                l->cgroup_serial = 0;
}

int attach_link_control_group(AttachLink *l, const char *unit, char **ret) {
        _cleanup_free_ char *error = NULL, *cg = NULL;
        int r;

        if (l->bus)
                return -EOPNOTSUPP;
        if (l->cgroup_serial != 0)
                r = wire_read_control_group(&l->wire, l->cgroup_serial, &cg, &error);
        else
                r = wire_unit_control_group(&l->wire, unit, unit_interface(unit), &cg, &error);
        l->cgroup_serial = 0;
        if (r < 0)
                return log_debug_errno(r, "Failed to read the cgroup of %s: %s", unit, error ? error : strerror(-r));
        if (!cg[0])
                return -ESRCH;
        *ret = TAKE_PTR(cg);
        return 0;
}

void attach_link_close(AttachLink *l) {
        wire_close(&l->wire);
        l->bus = sd_bus_flush_close_unref(l->bus);
}

int bus_freeze_unit(sd_bus *bus, const char *unit, bool freeze) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *method = freeze ? "FreezeUnit" : "ThawUnit";
        int r;

        r = sd_bus_call_method(bus, DEST, PATH, MANAGER, method, &error, NULL, "s", unit);
        if (r >= 0)
                return 0;
        /* systemd freezes only on the unified hierarchy; a hybrid host answers NotSupported. */
        if (sd_bus_error_has_names(&error, SD_BUS_ERROR_NOT_SUPPORTED, SD_BUS_ERROR_UNKNOWN_METHOD)) {
                log_debug("%s %s: %s", method, unit, bus_error_text(&error, r));
                return -EOPNOTSUPP;
        }
        return log_error_errno(r, "Failed to %s unit %s: %s", freeze ? "freeze" : "thaw", unit, bus_error_text(&error, r));
}

int bus_unit_control_group(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *cg = NULL;
        int r;

        r = sd_bus_path_encode(PATH "/unit", unit, &path);
        if (r < 0)
                return log_oom();
        r = sd_bus_get_property_string(bus, DEST, path, unit_interface(unit), "ControlGroup", &error, &cg);
        if (r < 0)
                return log_error_errno(r, "Failed to read the cgroup of unit %s: %s", unit, bus_error_text(&error, r));
        if (!cg[0])
                return log_error_errno(ESRCH, "Unit %s has no cgroup (it is not running)", unit);
        *ret = TAKE_PTR(cg);
        return 0;
}

int bus_unit_cpu_quota(sd_bus *bus, const char *unit, int64_t *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        uint64_t per_sec, period;
        int r;

        r = sd_bus_path_encode(PATH "/unit", unit, &path);
        if (r < 0)
                return log_oom();
        r = sd_bus_get_property_trivial(bus, DEST, path, unit_interface(unit), "CPUQuotaPerSecUSec", &error, 't', &per_sec);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, DEST, path, unit_interface(unit), "CPUQuotaPeriodUSec", &error, 't',
                                                &period);
        if (r < 0)
                return log_error_errno(r, "Failed to read the CPU quota of %s: %s", unit, bus_error_text(&error, r));
        /* infinity: no quota, or systemd's default period of 100 ms. */
        if (period == UINT64_MAX)
                period = 100000;
        *ret = per_sec == UINT64_MAX ? -1 : (int64_t) (per_sec * period / 1000000);
        return 0;
}

int bus_update_unit(sd_bus *bus, const char *unit, const Spec *spec) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *path = NULL;
        PropsApplied applied = {};
        int r;

        if (bus_user_manager()) {
                r = bus_check_delegated(bus, spec);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "SetUnitProperties");
        if (r >= 0)
                r = sd_bus_message_append(m, "sb", unit, 1);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return log_error_errno(r, "Failed to build SetUnitProperties: %m");
        r = props_append_resources(m, spec, &applied);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return log_error_errno(r, "Failed to build SetUnitProperties: %m");
        r = sd_bus_call(bus, m, BUS_JOB_TIMEOUT_USEC, &error, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to update unit %s: %s", unit, bus_error_text(&error, r));

        /* Read back: a value systemd clamped or ignored is an error, not a silent difference. */
        r = sd_bus_path_encode(PATH "/unit", unit, &path);
        if (r < 0)
                return log_oom();
        for (size_t i = 0; i < applied.n; i++) {
                uint64_t v;
                r = sd_bus_get_property_trivial(bus, DEST, path, unit_interface(unit), applied.items[i].name,
                                                &error, 't', &v);
                if (r < 0)
                        return log_error_errno(r, "Failed to read back %s of %s: %s", applied.items[i].name, unit,
                                               bus_error_text(&error, r));
                if (v != applied.items[i].value)
                        return log_error_errno(EIO, "systemd holds %s=%llu for %s, not the %llu asked for",
                                               applied.items[i].name, (unsigned long long) v, unit,
                                               (unsigned long long) applied.items[i].value);
        }
        return 0;
}

int bus_unit_pids(sd_bus *bus, const char *unit, pid_t **ret, size_t *ret_n) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, size = 0;
        const char *cg, *cmdline;
        uint32_t pid;
        int r;

        r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "GetUnitProcesses", &error, &reply, "s", unit);
        if (r < 0)
                return log_error_errno(r, "Failed to list the processes of unit %s: %s", unit, bus_error_text(&error, r));
        r = sd_bus_message_enter_container(reply, 'a', "(sus)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sus)", &cg, &pid, &cmdline)) > 0) {
                if (n == size) {
                        size = size ? size * 2 : 16;
                        pid_t *p = realloc(pids, size * sizeof(pid_t));
                        if (!p)
                                return log_oom();
                        pids = p;
                }
                pids[n++] = (pid_t) pid;
        }
        if (r < 0)
                return log_error_errno(r, "Bad reply to GetUnitProcesses: %m");
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int bus_unit_stats(sd_bus *bus, const char *unit, UnitStats *ret) {
        static const struct {
                const char *name;
                size_t offset;
        } props[] = {
                { "MemoryCurrent", offsetof(UnitStats, memory_current) },
                { "MemoryMax", offsetof(UnitStats, memory_max) },
                { "CPUUsageNSec", offsetof(UnitStats, cpu_usage_nsec) },
                { "TasksCurrent", offsetof(UnitStats, tasks_current) },
                { "TasksMax", offsetof(UnitStats, tasks_max) },
                { "IOReadBytes", offsetof(UnitStats, io_read_bytes) },
                { "IOWriteBytes", offsetof(UnitStats, io_write_bytes) },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        UnitStats s = {};
        int r;

        r = sd_bus_path_encode(PATH "/unit", unit, &path);
        if (r < 0)
                return log_oom();
        /* systemd answers UINT64_MAX for what it does not account on this host. */
        for (size_t i = 0; i < ELEMENTSOF(props); i++) {
                r = sd_bus_get_property_trivial(bus, DEST, path, unit_interface(unit), props[i].name, &error,
                                                't', (uint64_t *) ((char *) &s + props[i].offset));
                if (r < 0)
                        return log_error_errno(r, "Failed to read %s of %s: %s", props[i].name, unit, bus_error_text(&error, r));
        }
        *ret = s;
        return 0;
}

int bus_unit_of_pid(sd_bus *bus, pid_t pid, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "GetUnitByPID", &error, &reply, "u", (uint32_t) pid);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = sd_bus_get_property_string(bus, DEST, path, "org.freedesktop.systemd1.Unit", "Id", &error, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to find the unit of process %d: %s", (int) pid, bus_error_text(&error, r));
        return 0;
}

static int append_exec(sd_bus_message *m, const char *name, char **argv, bool ignore_failure) {
        int r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "a(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "sasb");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[0]);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, argv);
        if (r >= 0)
                r = sd_bus_message_append(m, "b", ignore_failure);
        for (int i = 0; r >= 0 && i < 4; i++)
                r = sd_bus_message_close_container(m);
        return r;
}

int bus_start_service(sd_bus *bus, const ServiceRequest *req) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        JobWait w = {};
        int r;

        r = job_match(bus, &w, &slot);
        if (r < 0)
                return r;
        r = transient_message(bus, req->unit, req->description, req->slice, &m);
        if (r < 0)
                return r;
        /* Type=exec: started once runscope runs; delegated, so the container may live in its payload. */
        r = sd_bus_message_append(m, "(sv)(sv)", "Type", "s", "exec", "KillMode", "s", "mixed");
        if (r >= 0 && req->collect)
                r = sd_bus_message_append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
        /* AddRef keeps the unit, and how it ended, until we have read it; it needs a bus peer
         * name, so only a connection through the bus can ask for it. */
        if (r >= 0 && req->wait)
                r = sd_bus_message_append(m, "(sv)", "AddRef", "b", 1);
        /* The same properties `run --keep-unit` sets on the service later: in force from its start. */
        if (r >= 0 && req->spec)
                r = props_append_resources(m, req->spec, NULL);
        if (r >= 0)
                r = append_exec(m, "ExecStart", req->exec_start, false);
        for (size_t i = 0; r >= 0 && req->exec_stop_post[i]; i++)
                r = append_exec(m, "ExecStopPost", req->exec_stop_post[i], true);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return log_error_errno(r, "Failed to build the service %s: %m", req->unit);
        r = sd_bus_call(bus, m, BUS_JOB_TIMEOUT_USEC, &error, &reply);
        if (r < 0)
                return log_error_errno(r, "Failed to start service %s: %s", req->unit, bus_error_text(&error, r));
        return job_wait_reply(bus, &w, reply, req->unit, "start", false);
}

int bus_wait_service_exit(sd_bus *bus, const char *unit, int *ret_status) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = sd_bus_path_encode(PATH "/unit", unit, &path);
        if (r < 0)
                return log_oom();
        for (;;) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *state = NULL;
                int32_t code = 0, status = 0;

                r = sd_bus_get_property_string(bus, DEST, path, "org.freedesktop.systemd1.Unit", "ActiveState", &error, &state);
                if (r < 0)
                        return log_error_errno(r, "Lost service %s: %s", unit, bus_error_text(&error, r));
                if (strcmp(state, "inactive") == 0 || strcmp(state, "failed") == 0) {
                        r = sd_bus_get_property_trivial(bus, DEST, path, "org.freedesktop.systemd1.Service", "ExecMainCode",
                                                        &error, 'i', &code);
                        if (r >= 0)
                                r = sd_bus_get_property_trivial(bus, DEST, path, "org.freedesktop.systemd1.Service",
                                                                "ExecMainStatus", &error, 'i', &status);
                        if (r < 0)
                                return log_error_errno(r, "Failed to read how %s ended: %s", unit, bus_error_text(&error, r));
                        /* ExecMainCode is a CLD_* code: exited, or killed/dumped by a signal. */
                        *ret_status = code == CLD_EXITED ? status : 128 + status;
                        (void) sd_bus_call_method(bus, DEST, PATH, MANAGER, "ResetFailedUnit", NULL, NULL, "s", unit);
                        (void) sd_bus_call_method(bus, DEST, PATH, MANAGER, "UnrefUnit", NULL, NULL, "s", unit);
                        return 0;
                }
                /* PropertiesChanged would do without polling; a service's end is not a hot path. */
                (void) usleep(20000);
        }
}
