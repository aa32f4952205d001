/* Talking to systemd's manager over sd-bus: connecting, transient scopes, jobs and unit state.
 * Every cgroup decision is systemd's; nothing here touches a cgroup file. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <sys/types.h>

#include "bus/wire-msg.h"
#include "bus/wire.h"
#include "spec/spec.h"
#include "util/alloc.h"

#define BUS_JOB_TIMEOUT_USEC (90ULL * 1000 * 1000)
/* A unit's default TimeoutStopSec, as podman stop and docker stop wait before SIGKILL. */
#define BUS_STOP_TIMEOUT_USEC (10ULL * 1000 * 1000)
#define BUS_DEFAULT_SLICE "machine.slice"
#define BUS_USER_SLICE "app.slice"
#define BUS_PRIVATE_SOCKET "/run/systemd/private"

/* Whether runscope talks to a user's own manager (rootless: not the host's root, or root of a user
 * namespace given $XDG_RUNTIME_DIR or whose user has a manager: podman's rootless one) rather than
 * the system's. Decided once. */
bool bus_user_manager(void);
/* That user's runtime directory: $XDG_RUNTIME_DIR, else /run/user/UID (UID as the host sees it). */
const char *bus_runtime_dir(void);
/* Its manager's private socket, <runtime dir>/systemd/private. */
const char *bus_user_private_socket(void);
/* machine.slice, or app.slice in a user's manager. */
const char *bus_default_slice(void);
/* The user manager: on fd (a bus_preconnect() connection, taken) or its private socket, then the
 * user bus (the other way round with dbus_first). Not logged. */
int bus_connect_user_quiet(int fd, bool dbus_first, sd_bus **ret);
/* The user bus (dbus-daemon's): $DBUS_SESSION_BUS_ADDRESS, else <runtime dir>/bus. Not logged. */
int bus_open_user_bus(sd_bus **ret);
/* The one line said when the user's manager cannot be reached: what is missing, and how to get it. */
int bus_log_no_user_manager(int r);


/* As root, systemd's private socket (no dbus-daemon hop); else, or if that fails, the system bus.
 * Rootless, the same of the user's manager (bus_user_manager()). */
int bus_connect_system(sd_bus **ret);
/* The private socket's path (the fault build can name another). */
const char *bus_private_socket(void);
/* A connection to the private socket (root: the system's; rootless: the user manager's) made now,
 * before libsystemd is even loaded, or -errno (said at debug level only). systemd sets a connection
 * up as it accepts it (systemd 252 registers every object it serves on each one, about a
 * millisecond of its time): made ahead, that overlaps the caller's own work rather than delaying
 * its first call. */
int bus_preconnect(void);
/* bus_connect_system() on fd, a bus_preconnect() connection (taken, whatever the result), when it
 * is one (>= 0). */
int bus_connect_system_on(int fd, sd_bus **ret);
/* Through dbus-daemon first (then the private socket), for a caller whose first call follows the
 * connect at once: there, dbus-daemon sets the connection up, at a fraction of systemd's cost. */
int bus_connect_dbus(sd_bus **ret);
/* A connection kept from earlier, once what arrived on it meanwhile is read (and dropped, as
 * nothing matches it any more): itself, or NULL, closed, when the peer has gone away since
 * (systemd re-executed, dbus-daemon restarted). */
sd_bus *bus_kept(sd_bus *bus);
/* Whether r says systemd dropped the connection (as it does to every client when it re-executes). */
bool bus_disconnected(int r);
/* A new connection in place of *bus, waiting a while for a re-executing systemd to be back. */
int bus_reconnect(sd_bus **bus);
/* *bus, or a new connection when systemd dropped it. */
int bus_ensure_connected(sd_bus **bus);
const char *bus_error_text(const sd_bus_error *e, int r);

/* The slice of a container whose slice nothing names: one of BUS_SPREAD_SLICES sub-slices of
 * machine.slice, machine-runscope_XX.slice, XX from a hash of the id. systemd walks every unit of a
 * slice, and of each slice above it, on each start in it: spread, 1000 containers are 32 slices of
 * about 31, not one slice of 1000. An '_', not a '-': "machine-runscope-XX.slice" would nest in a
 * machine-runscope.slice of its own (systemd's dash naming), a level that cost systemd a third more
 * CPU on each start (measured). */
#define BUS_SPREAD_SLICES 32
#define BUS_SPREAD_SLICE_PREFIX "machine-runscope_"
/* As a user's manager: app.slice itself. */
int bus_spread_slice(const char *id, char **ret);
/* The unit and slice of a container: `runscope-<id>.scope` in bus_spread_slice(id), or from
 * linux.cgroupsPath in runc's systemd form "slice:prefix:name" (an empty slice: the spread one) or a
 * path ".../name.slice/unit.scope"; a slice named there is kept as named. */
int bus_unit_names(const char *cgroups_path, const char *id, char **ret_unit, char **ret_slice);

/* Where unit properties are written: an sd-bus message, or a body wire.c sends (exactly one of the
 * two set). props-out.c gives each the part of sd-bus's append API the properties use. */
typedef struct PropsOut {
        sd_bus_message *sd;
        WireMsg *wire;
} PropsOut;
int props_out_append(PropsOut *o, const char *types, ...);
int props_out_open(PropsOut *o, char type, const char *contents);
int props_out_close(PropsOut *o);
int props_out_append_array(PropsOut *o, char type, const void *p, size_t size);
int props_out_append_strv(PropsOut *o, char **l);

typedef struct ScopeRequest {
        const char *unit, *slice, *description;
        const Spec *spec;
} ScopeRequest;

/* Rootless: fails, naming the property and the controller, when spec's resources need a cgroup
 * controller the user's manager was not delegated (which would take the property and set nothing). */
int bus_check_delegated(sd_bus *bus, const Spec *spec);
/* Builds the StartTransientUnit call once without sending it: every resource error surfaces here,
 * before anything is forked or sent (rootless, bus_check_delegated() too). */
int bus_scope_check(sd_bus *bus, const ScopeRequest *req);
/* StartTransientUnit(unit, "fail") with PIDs=[pid] (the caller's unreaped child), Delegate, Slice, …
 * and the translated resources;
 * waits for the job to end "done". A failed or inactive leftover of the same name is reset and the
 * call retried once; one that systemd is stopping is waited for first. A property systemd refuses
 * is an error naming it. */
/* Whether process pid is in unit: a start whose answer was lost may have been done. */
bool bus_unit_has_pid(sd_bus *bus, const char *unit, pid_t pid);
/* *bus may be replaced: a connection systemd dropped (re-executing) is made again. */
int bus_start_scope(sd_bus **bus, const ScopeRequest *req, pid_t pid);
/* StartTransientUnit's body for req (PIDs=[pid] unless pid is 0), written to o. */
int bus_scope_body(PropsOut *o, const ScopeRequest *req, pid_t pid);
/* Without libsystemd (unit-wire.c), on a connection to systemd's private socket: what
 * bus_scope_check() checks; and the start itself, its job waited for, with what it cannot do itself
 * (a unit of that name there, a lost connection) left to bus_start_scope() on a connection made then
 * in *busp (c closed). *ret_ours: systemd queued the start we asked for, so the unit is ours to
 * stop even if the start failed (its job timed out or ended otherwise than "done"). */
int bus_wire_check_scope(const ScopeRequest *req);
int bus_start_scope_on(WireConn *c, sd_bus **busp, const ScopeRequest *req, pid_t pid, bool *ret_ours);
/* StopUnit(unit, "replace") answered, and with wait its job done (bus_stop_unit(); without,
 * bus_stop_unit_queue()'s case); a unit gone is no error. -ENOTCONN, at debug level only, when the
 * exchange broke: the caller goes the sd-bus way. Other errors are logged. */
int bus_wire_stop_unit(WireConn *c, const char *unit, bool wait);
/* c connected to systemd's private socket again, if it was closed (root only; -EPERM else). */
int bus_wire_reopen(WireConn *c);
typedef struct ServiceRequest {
        const char *unit, *slice, *description;
        char **exec_start;        /* argv; argv[0] is the absolute path */
        char **exec_stop_post[4]; /* NULL-terminated list of argvs, failures ignored */
        bool collect, wait;
        const Spec *spec;         /* its resources (if any) hold from the start, as systemd-run -p */
} ServiceRequest;

/* StartTransientUnit of a Type=exec, Delegate=yes service; waits for the start job. With wait, bus
 * must be a connection through the system bus (AddRef needs a peer name). */
int bus_start_service(sd_bus *bus, const ServiceRequest *req);
/* Waits until the service is inactive or failed and returns its main process's status the shell
 * way (n, or 128+signal); then resets and unreferences it. */
int bus_wait_service_exit(sd_bus *bus, const char *unit, int *ret_status);

/* StopUnit and wait for the job; a unit systemd does not know is already stopped (returns 0). Should
 * systemd re-execute under the call, once more on a new connection (bus stays open). */
int bus_stop_unit(sd_bus *bus, const char *unit);
/* StopUnit, answered (its job queued), the job not waited for: only for a unit that holds no process
 * any more (run's container, its pid namespace gone with its init reaped), which systemd stops in a
 * moment, with nothing to signal and no timeout to wait, while the caller goes on. A start of the
 * same name meanwhile waits for that stop (bus_start_scope). */
int bus_stop_unit_queue(sd_bus *bus, const char *unit);
/* AttachProcessesToUnit(unit, subcgroup, [pid]): into the unit's cgroup ("") or one below it (a
 * delegated unit's "payload"), on every hierarchy. */
int bus_attach_process(sd_bus *bus, const char *unit, const char *subcgroup, pid_t pid);
/* exec's connection, for its one call: as root, spoken directly (wire.c: no libsystemd to load, no
 * round trip for the authentication) through dbus-daemon, else on systemd's private socket; not
 * root or rootless, sd-bus. */
typedef struct AttachLink {
        WireConn wire;
        sd_bus *bus;
        bool via_dbus;          /* wire is a connection to dbus-daemon */
        uint32_t cgroup_serial; /* of a Get of ControlGroup sent ahead on wire, not yet answered */
} AttachLink;
#define ATTACH_LINK_NULL { .wire = WIRE_CONN_NULL }
/* As root, connects (dbus-daemon first) and sends the authentication, saying nothing if that
 * fails: the server accepts and authenticates while the caller goes on. */
void attach_link_prepare(AttachLink *l);
/* Connects, unless prepared (before anything is forked, so that an error comes first). */
int attach_link_open(AttachLink *l);
/* As bus_attach_process, on whichever connection l has (once more on the private socket when
 * dbus-daemon does not pass the call on); logs its one error line. */
int attach_link_process(AttachLink *l, const char *unit, const char *subcgroup, pid_t pid);
/* Asks for the unit's ControlGroup ahead, on a prepared connection, without waiting for the answer,
 * which attach_link_control_group() reads; nothing when there is none. */
void attach_link_ask_control_group(AttachLink *l, const char *unit);
/* The unit's ControlGroup on l's connection to systemd (root only: -EOPNOTSUPP on sd-bus's); -ESRCH
 * for a unit without one. Not logged: the caller has another way. */
int attach_link_control_group(AttachLink *l, const char *unit, char **ret);
void attach_link_close(AttachLink *l);
/* FreezeUnit/ThawUnit; -EOPNOTSUPP (not logged) where systemd cannot freeze (a hybrid host). */
int bus_freeze_unit(sd_bus *bus, const char *unit, bool freeze);
/* The name of the unit pid belongs to (GetUnitByPID). */
int bus_unit_of_pid(sd_bus *bus, pid_t pid, char **ret);
/* The unit's ControlGroup, as systemd reports it now. */
int bus_unit_control_group(sd_bus *bus, const char *unit, char **ret);
/* The pids in the unit's cgroup, from GetUnitProcesses. */
int bus_unit_pids(sd_bus *bus, const char *unit, pid_t **ret, size_t *ret_n);
typedef struct UnitStats {
        uint64_t memory_current, memory_max, cpu_usage_nsec, tasks_current, tasks_max, io_read_bytes, io_write_bytes;
} UnitStats;
/* The unit's accounting, as systemd reports it (UINT64_MAX: not accounted here). */
int bus_unit_stats(sd_bus *bus, const char *unit, UnitStats *ret);
/* KillUnit(unit, "all", sig); -ESRCH, not logged, if systemd has no such unit. */
int bus_kill_unit(sd_bus *bus, const char *unit, int sig);
/* ActiveState ("active", "inactive", "failed", …); "inactive" for a unit systemd does not have. */
int bus_unit_active_state(sd_bus *bus, const char *unit, char **ret);

/* The integer properties a translation set, so that `update` can read back what systemd applied. */
typedef struct PropsApplied {
        struct {
                const char *name;
                uint64_t value;
        } items[48];
        size_t n;
} PropsApplied;

/* One Varlink call at a time (varlink.c), for systemd-machined: the system's (systemd 257 and
 * later) and the per-user one of systemd 259. */
#define VARLINK_TIMEOUT_MSEC (25 * 1000)
typedef struct VarlinkCall {
        int fd;
        bool pending; /* sent, its reply not read whole yet */
        size_t used;
        char reply[4096];
} VarlinkCall;
/* Writes {"method":method,"parameters":parameters} (parameters: a JSON object's text) on c->fd. */
int varlink_send(VarlinkCall *c, const char *method, const char *parameters);
/* Reads the reply: 1 once it is whole, 0 when it is not yet and !wait, -errno. */
int varlink_read(VarlinkCall *c, bool wait);
/* 1 and its name in name when the reply is an error, else 0. */
int varlink_error(const VarlinkCall *c, char *name, size_t size);
/* Where the per-user systemd-machined listens (systemd 259), in the user's runtime directory. */
#define BUS_USER_MACHINED "systemd/machine/io.systemd.Machine"
/* Where the system's systemd-machined listens (systemd 256 and later; Unregister since 257). */
#define MACHINED_VARLINK "/run/systemd/machine/io.systemd.Machine"

/* systemd's machine_name_is_valid() (hostname_is_valid()): 1 to 64 of [a-zA-Z0-9.-], in labels
 * between dots that are not empty and neither start nor end with '-'. No '_'. */
bool bus_machine_name_is_valid(const char *name);
/* The machine name of a container: its id when that is a valid machine name, else the id with
 * every character but a letter or digit as '-' (leading ones dropped), cut to 55, plus "-" and 8
 * hex digits of its hash: deterministic, valid, and distinct for distinct ids. */
int bus_machine_name(const char *id, char **ret);
/* dbus-daemon's socket, from DBUS_SYSTEM_BUS_ADDRESS when that names one (unix:path=…), else the
 * default one; NULL for an address of another kind, which is sd-bus's to follow. */
const char *bus_system_socket(void);

/* A connection to systemd-machined (its Varlink socket where it has one, else the system bus;
 * rootless, the per-user machined's Varlink socket, where systemd has one) whose calls are sent at
 * once and answered later, so that machined works while runscope goes on. None of it ever fails a
 * container: machined absent is a debug line, machined refusing a warning. */

typedef struct MachineLink {
        sd_bus *bus;
        WireConn *wire; /* instead of bus, as root: dbus-daemon spoken without libsystemd */
        uint32_t wire_serial;
        bool wire_pending; /* the call sent on wire, its answer not taken yet */
        char wire_error_name[128], wire_error[256];
        sd_bus_slot *slot; /* the call sent and not yet answered (or failed), if any */
        sd_bus_error error;
        VarlinkCall varlink; /* machined's Varlink socket: instead of bus and wire */
        char varlink_error[128];
        char *name;
        int result;
        bool replied, registered;
        bool shared; /* bus is the caller's (machine_link_use) */
} MachineLink;
#define MACHINE_LINK_NULL { .error = SD_BUS_ERROR_NULL, .varlink = { .fd = -EBADF } }
/* Connects; without a system bus (rootless: without a per-user machined) the other calls do nothing. */
void machine_link_open(MachineLink *l);
/* Whether machine_link_open() found a machined to talk to. */
bool machine_link_connected(const MachineLink *l);
/* The link's own connection if it kept one from the registration, else machined's Varlink socket,
 * else the system bus connection bus, shared (a connection of its own when bus is not one). */
void machine_link_use(MachineLink *l, sd_bus *bus);
/* Sends RegisterMachine(name, id from the container id, "runscope", "container", leader, root):
 * machined takes the leader's unit as the machine's, so the leader must be in it already. */
int machine_link_register(MachineLink *l, const char *name, const char *id, pid_t leader, const char *root_directory);
/* Reads the answer of the registration sent. */
int machine_link_wait(MachineLink *l);
/* Whether that answer is still awaited. While it is: the connection's fd and the poll events it
 * needs now (else -EBADF), and, when poll reports them, machine_link_poll() to read it without
 * waiting. */
bool machine_link_pending(const MachineLink *l);
/* Pending, and its answer already read (sd-bus read it with the send, or with another message): the
 * socket will not become readable for it, so poll's caller takes it now (machine_link_poll()). */
bool machine_link_answered(const MachineLink *l);
int machine_link_pending_fd(MachineLink *l, short *ret_events);
void machine_link_poll(MachineLink *l);
/* UnregisterMachine(name), sent (on a new connection if the link has none), and its answer read. */
void machine_link_unregister_send(MachineLink *l, const char *name);
void machine_link_unregister_wait(MachineLink *l);
/* UnregisterMachine sent for the machine this link registered, if it did and nothing is pending. */
void machine_link_unregister_registered(MachineLink *l);
/* Undoes a registration sent or made (a create that fails after it). */
void machine_link_abort(MachineLink *l);
void machine_link_done(MachineLink *l);
/* Closes the connection, keeping the name and whether it is registered (unregister reconnects). */
void machine_link_disconnect(MachineLink *l);


/* Translation of OCI resources (and org.systemd.property.* annotations) into unit properties,
 * appended as (sv) entries to an open a(sv). applied may be NULL. */
int props_write_resources(PropsOut *o, const Spec *spec, PropsApplied *applied);
int props_append_resources(sd_bus_message *m, const Spec *spec, PropsApplied *applied);
/* The CPU quota systemd holds for unit, in microseconds per period (CPUQuotaPerSecUSec at
 * CPUQuotaPeriodUSec); -1 for none. */
int bus_unit_cpu_quota(sd_bus *bus, const char *unit, int64_t *ret);
/* SetUnitProperties(unit, runtime=true) with the resources of spec, then reads back every integer
 * property and fails if systemd holds another value. */
int bus_update_unit(sd_bus *bus, const char *unit, const Spec *spec);
/* The curve runc and crun use for cpu.shares -> cpu.weight: 2 -> 1, 1024 -> 100, 262144 -> 10000. */
int props_cpu_shares_to_weight(uint64_t shares, uint64_t *ret);
/* The name /proc/devices (its text) gives major of type 'c' or 'b', if that name has no other major
 * and the major no other name: DeviceAllow=char-NAME is then exactly "major:*". -ENOENT, -ENOTUNIQ. */
int props_device_major_name(const char *proc_devices, char type, int64_t major, char **ret);
/* quota/period as CPUQuotaPerSecUSec, rounded up to 10 ms as systemd keeps it (1% steps). */
uint64_t props_cpu_quota_per_sec_usec(int64_t quota, uint64_t period);
