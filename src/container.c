/* Orchestrates the lifecycle over spec/, state/, bus/ and launch/ after create (container-create.c):
 * start, a foreground run's wait, kill, delete, pause, update. Never leaves a unit, a state
 * directory or a process behind when a step fails. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bus/bus.h"
#include "container-internal.h"
#include "launch/hooks.h"
#include "launch/launch.h"
#include "spec/spec.h"
#include "util/cgroup.h"
#include "util/cgroup-oom.h"
#include "util/fault.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/missing.h"
#include "util/notify.h"
#include "util/proc.h"

static const char *const status_names[_CONTAINER_STATUS_MAX] = {
        [CONTAINER_CREATED] = "created",
        [CONTAINER_RUNNING] = "running",
        [CONTAINER_PAUSED] = "paused",
        [CONTAINER_STOPPED] = "stopped",
};

const char *container_status_to_string(ContainerStatus s) {
        return s >= 0 && s < _CONTAINER_STATUS_MAX ? status_names[s] : NULL;
}

ContainerStatus container_status_of(int dir_fd, const ContainerState *st, int *ret_pidfd) {
        /* Without a caller for the pidfd (state, list), the start time alone says it is the init. */
        if (!ret_pidfd && !proc_alive(st->pid, st->pid_start_time))
                return CONTAINER_STOPPED;
        if (ret_pidfd) {
                *ret_pidfd = proc_pidfd_verified(st->pid, st->pid_start_time);
                if (*ret_pidfd < 0)
                        return CONTAINER_STOPPED;
        }
        /* The init blocks on the exec fifo until `start`, which removes it. */
        if (faccessat(dir_fd, LAUNCH_EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return CONTAINER_CREATED;
        /* Frozen or not is the kernel's word, read where the init is now: by systemd's FreezeUnit
         * or by our own fallback, or thawed behind our back, the answer is the same. */
        _cleanup_free_ char *cg = NULL;
        if (cgroup_pid_unified_path(st->pid, &cg) >= 0 && cgroup_is_frozen(cg) > 0)
                return CONTAINER_PAUSED;
        return CONTAINER_RUNNING;
}

int container_load(int root_fd, const char *id, ContainerState **ret_state, ContainerStatus *ret_status) {
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        r = state_validate_id(id);
        if (r < 0)
                return r;
        dir_fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0 && (errno == ENOENT || errno == ENOTDIR))
                return log_error_errno(ENOENT, "container %s does not exist", id);
        if (dir_fd < 0)
                return log_error_errno(errno, "Failed to open state of %s: %m", id);
        r = state_load(dir_fd, id, ret_state);
        if (r == -ENOENT)
                return log_error_errno(ENOENT, "container %s does not exist (it is being created or deleted)", id);
        if (r < 0)
                return r;
        *ret_status = container_status_of(dir_fd, *ret_state, NULL);
        return 0;
}

static int delete_container(const char *root, const char *id, bool force, bool emptied, MachineLink *machine,
                            sd_bus **kept, WireConn *kept_wire);

/* poststart and poststop, read from the configuration kept in the state directory, only when it
 * has such hooks. A failing poststop hook is a warning and the next ones still run; the first
 * failing poststart hook is an error, the caller stops the container (runtime-spec 1.3). */
static int late_hooks(int dir_fd, const ContainerState *st, HookKind kind, const char *key, const char *status) {
        _cleanup_free_ char *text = NULL, *state = NULL;
        _cleanup_(spec_freep) Spec *spec = NULL;
        char err[512];
        int r;

        if (read_file_at(dir_fd, "config.json", SPEC_MAX_SIZE, &text, NULL) < 0 || !strstr(text, key))
                return 0;
        if (spec_reparse(text, &spec) < 0)
                return 0;
        state = hook_state_json(st->id, status, st->pid, st->bundle, st->annotations);
        if (!state)
                return log_oom();
        for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
                r = hooks_run_one(spec, kind, i, state, err, sizeof(err));
                if (r < 0 && kind == HOOK_POSTSTOP)
                        log_warning("%s, ignoring", err);
                else if (r < 0)
                        return log_error_errno(r, "%s", err);
        }
        return 0;
}

/* After a failed poststart hook: the init is killed and waited for, so that the container is
 * stopped (state says so) by the time start returns. */
static void stop_init(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0)
                return (void) log_warning_errno(errno, "Failed to kill the container's init: %m");
        while (poll(&p, 1, 10 * 1000) < 0 && errno == EINTR)
                ;
}

int container_open(const char *root, const char *id, bool incomplete_ok, int *ret_root_fd, int *ret_dir_fd,
                   ContainerState **ret_state) {
        int r = state_root_open(root, ret_root_fd);
        if (r < 0)
                return r;
        r = state_open(*ret_root_fd, id, ret_dir_fd);
        if (r < 0)
                return r;
        r = state_load(*ret_dir_fd, id, ret_state);
        if (r == -ENOENT && !incomplete_ok)
                return log_error_errno(r, "container %s does not exist (it is being created)", id);
        return r;
}

int container_start(const char *root, const char *id) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF, pidfd = -EBADF;
        int r;

        r = container_open(root, id, false, &root_fd, &dir_fd, &st);
        if (r < 0)
                return r;
        switch (container_status_of(dir_fd, st, &pidfd)) {
        case CONTAINER_CREATED:
                /* The init may still die between that look and the wait for its byte. */
                FAULT_PAUSE("start:before-wait");
                r = launch_start(dir_fd, id, pidfd);
                if (r < 0)
                        return r;
                r = late_hooks(dir_fd, st, HOOK_POSTSTART, "\"poststart\"", "running");
                if (r < 0)
                        stop_init(pidfd); /* delete, the caller's, runs the poststop hooks */
                return r;
        case CONTAINER_RUNNING:
                return log_error_errno(EEXIST, "cannot start an already running container");
        default:
                return log_error_errno(ESRCH, "cannot start a container that has stopped");
        }
}

/* How long a foreground run keeps its bus connections while the container runs. */
#define RUN_KEEP_BUS_USEC (1000 * 1000ULL)

/* What a foreground run does while its container runs (launch_wait): machined's answer to the
 * registration is read as it comes, so that it is not waited for on the way to the start; the bus
 * connections are let go after a second. */
static void run_watch_ready(void *userdata, size_t i) {
        Created *c = userdata;
        if (i == 1) {
                cgroup_oom_watch_handle(&c->oom);
                return;
        }
        machine_link_poll(&c->machine);
        /* Answered after the connections were let go: this one goes now. */
        if (c->released && !machine_link_pending(&c->machine))
                machine_link_disconnect(&c->machine);
}

/* 0: machined's answer; 1: the OOM killer in the container's memory cgroup. */
static int run_watch_fd(void *userdata, size_t i, short *ret_events) {
        Created *c = userdata;
        if (i == 1) {
                *ret_events = c->oom.events;
                return c->oom.fd;
        }
        /* Not a reason to wait for a readable socket: an answer sd-bus has read already. */
        if (machine_link_answered(&c->machine))
                run_watch_ready(c, 0);
        return machine_link_pending_fd(&c->machine, ret_events);
}

static void run_exited(void *userdata) {
        Created *c = userdata;
        /* Before the init is reaped: machined finds the leader's unit through it, even for a process
         * that exited at once. */
        (void) machine_link_wait(&c->machine);
        /* The machine goes at once, while run reaps the init and loads the state: machined's
         * answer is read by delete_container(). */
        if (c->delete_at_exit)
                machine_link_unregister_registered(&c->machine);
}

static void run_release(void *userdata) {
        Created *c = userdata;

        c->released = true;
        /* systemd sends every job signal to each connection on its private socket: an unread one
         * would pile up in PID 1 for the container's whole life. */
        c->bus = sd_bus_flush_close_unref(c->bus);
        wire_close(&c->wire);
        /* dbus-daemon allows a user 256 connections: one held by each running container would
         * leave none for the next one's registration, exec or delete. Not before machined's
         * answer, which is not waited for here (a slow machined would hold the signals run
         * forwards): an unanswered registration cannot be told from a refused one, so the
         * connection goes once run_watch_ready() has read it. */
        if (!machine_link_pending(&c->machine))
                machine_link_disconnect(&c->machine);
}

int container_run(const CreateOptions *o, bool detach) {
        Created c = CREATED_NULL;
        int r, status;

        r = container_create_into(o, &c);
        if (r < 0) {
                int command_error = c.launcher.command_error;
                created_done(&c);
                /* Like a shell: a missing command is 127, one that cannot be executed 126. */
                if (command_error == -ENOENT)
                        return 127;
                if (command_error < 0)
                        return 126;
                return r;
        }
        if (!detach) {
                r = launch_block_signals();
                if (r < 0) {
                        created_abort(&c, o->id);
                        created_done(&c);
                        return r;
                }
                /* Before start: an OOM kill can come at once. A host without the memory controller
                 * has nothing to tell. */
                r = cgroup_oom_watch_open(c.launcher.pid, &c.oom);
                if (r < 0)
                        log_debug_errno(r, "Not watching %s for OOM kills: %m", c.unit);
        }
        r = launch_start(c.dir_fd, o->id, c.launcher.pidfd);
        if (r < 0) {
                created_abort(&c, o->id);
                created_done(&c);
                return r;
        }
        FAULT_POINT("run:started");
        if (c.has_poststart) {
                _cleanup_(state_freep) ContainerState *st = NULL;
                r = state_load(c.dir_fd, o->id, &st);
                if (r >= 0)
                        r = late_hooks(c.dir_fd, st, HOOK_POSTSTART, "\"poststart\"", "running");
                if (r < 0) {
                        /* The container is stopped, and run goes on to its delete (poststop). */
                        launch_kill(&c.launcher);
                        c.dir_fd = safe_close(c.dir_fd);
                        if (!o->keep)
                                (void) delete_container(o->root, o->id, true, false, &c.machine, &c.bus, &c.wire);
                        created_done(&c);
                        return r;
                }
        }
        /* As systemd-nspawn without --notify-ready: most payloads (a shell, sleep, nginx) never
         * notify, and a Type=notify unit would wait for them until its start timed out. */
        if (c.notify_fd >= 0 && !c.ready_by_container)
                notify_ready();
        if (detach) {
                created_done(&c);
                return 0;
        }
        /* Unlocked while it runs, so that state, kill and delete from elsewhere are not blocked. */
        c.dir_fd = safe_close(c.dir_fd);
        /* Still connected, to systemd and machined, for a container that ends soon: its delete
         * goes through the connections that created it (0.4-0.8 ms less than making new ones,
         * measured). One that runs on lets them go (run_release). */
        c.delete_at_exit = !o->keep;
        LaunchWatch watch = { .release_after_usec = FAULT_USEC("RUNSCOPE_FAULT_KEEP_BUS_SEC", RUN_KEEP_BUS_USEC),
                              .release = run_release,
                              .watch_fd = run_watch_fd, .watch_ready = run_watch_ready, .exited = run_exited,
                              .userdata = &c };
        status = launch_wait(&c.launcher, c.notify_fd, &watch);
        if (status == 128 + SIGKILL && cgroup_oom_watch_struck(&c.oom))
                log_error("container %s: its process was killed by the OOM killer (out of memory in %s)", o->id, c.unit);
        if (status >= 0 && !o->keep) {
                /* The init is reaped: with a pid namespace of its own, nothing is left in the scope. */
                r = delete_container(o->root, o->id, true, c.own_pidns, &c.machine, &c.bus, &c.wire);
                if (r < 0 && r != -ENOENT)
                        status = r;
        }
        created_done(&c);
        return status;
}

int container_kill(const char *root, const char *id, int sig, bool all) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF, pidfd = -EBADF;
        int r;

        r = container_open(root, id, false, &root_fd, &dir_fd, &st);
        if (r < 0)
                return r;
        ContainerStatus s = container_status_of(dir_fd, st, &pidfd);
        /* Signal 0 asks whether the init is alive, as in runc: --all changes nothing to that. */
        if (all && sig != 0) {
                /* As runc, even after the init exited: what is left in the unit (the init had no pid
                 * namespace of its own) gets the signal; containerd's shim sends KILL then. */
                _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
                r = bus_connect_system(&bus);
                if (r < 0)
                        return r;
                r = bus_kill_unit(bus, st->unit, sig);
                if (r == -ESRCH && s == CONTAINER_STOPPED)
                        return 0; /* nothing is left to signal */
                if (r == -ESRCH)
                        return log_error_errno(r, "Failed to signal container %s: its unit %s is gone", id, st->unit);
                return r;
        }
        if (s == CONTAINER_STOPPED)
                return log_error_errno(ESRCH, "container not running");
        /* Through the pidfd: the pid cannot have been reused since it was verified. */
        if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
                return log_error_errno(errno, "Failed to signal container %s: %m", id);
        return 0;
}

/* Deletes a container without a readable state.json: its unit is the one named by the copy of
 * config.json kept beside it (else the default name), killed and stopped if systemd has it (KILL
 * first: the init, pid 1 of its namespace, ignores StopUnit's SIGTERM; a unit systemd does not have
 * is no error); then its state goes. machined forgets the machine when the unit stops. Only that
 * scope: never the service of a --keep-unit create, which no state says was kept. */
static int delete_without_state(const char *root, int root_fd, const char *id) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *dir = NULL, *unit = NULL, *slice = NULL, *active = NULL;
        _cleanup_(spec_freep) Spec *spec = NULL;
        LogLevel level = log_get_max_level();
        int r;

        if (asprintf(&dir, "%s/%s", root, id) < 0)
                return log_oom();
        /* Quietly: a broken or missing copy means the default name, not a second error. */
        log_set_max_level(LOG_LEVEL_OFF);
        (void) spec_load(dir, &spec);
        log_set_max_level(level);
        r = bus_unit_names(spec ? spec->cgroups_path : NULL, id, &unit, &slice);
        if (r < 0)
                return r;
        r = bus_connect_system(&bus);
        if (r < 0)
                return r;
        r = bus_unit_active_state(bus, unit, &active);
        if (r < 0)
                return r;
        if (strcmp(active, "active") == 0 && (r = bus_kill_unit(bus, unit, SIGKILL)) < 0)
                return r;
        r = bus_stop_unit(bus, unit);
        if (r < 0)
                return r;
        return state_remove(root_fd, id);
}

/* The unit stopped through sd-bus (connected now, if bus is not): only queued when emptied. */
static int stop_by_bus(sd_bus **bus, const char *unit, bool emptied) {
        int r = *bus ? 0 : bus_connect_dbus(bus);
        if (r < 0)
                return r;
        return emptied ? bus_stop_unit_queue(*bus, unit) : bus_stop_unit(*bus, unit);
}

/* machine: run's link to machined (its registration state, its connection if still kept), or an
 * unused one. kept: run's connection to systemd, taken, if it still has it, else NULL; kept_wire:
 * run's connection to systemd's private socket without libsystemd (unit-wire.c), open or closed,
 * else NULL. emptied: the caller knows the unit holds no process (run, its init reaped in a pid
 * namespace of its own): its stop is queued, not waited for; systemd has nothing to signal, and
 * makes the name free for a new start within a few milliseconds (a start of the same name waits
 * for it). */
static int delete_container(const char *root, const char *id, bool force, bool emptied, MachineLink *machine,
                            sd_bus **kept, WireConn *kept_wire) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = kept ? bus_kept(TAKE_PTR(*kept)) : NULL;
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF, pidfd = -EBADF;
        int r;

        r = state_root_open(root, &root_fd);
        if (r < 0)
                return r;
        if (force) {
                /* As runc and crun: --force of a container that does not exist succeeds. containerd's
                 * cleanup runs `delete --force` after every delete, and warns when it fails. */
                r = state_exists(root_fd, id);
                if (r <= 0)
                        return r;
        }
        r = state_open(root_fd, id, &dir_fd);
        if (r < 0)
                return r;
        /* With --force an unreadable state is no error: the warning below says it. */
        LogLevel level = log_get_max_level();
        if (force)
                log_set_max_level(LOG_LEVEL_OFF);
        r = state_load(dir_fd, id, &st);
        log_set_max_level(level);
        if (r == -ENOENT) {
                /* A create killed before it saved its state, maybe while systemd started its scope:
                 * that scope may be active, even empty (the launcher died before systemd moved it
                 * in, so systemd never sees the scope empty), and would hold the id's name. */
                log_debug("Removing the incomplete container %s and the scope it may have started", id);
                return delete_without_state(root, root_fd, id);
        }
        if (r < 0 && force) {
                log_warning_errno(r, "container %s: its state.json is unreadable (%m): stopping its unit and removing it",
                                  id);
                return delete_without_state(root, root_fd, id);
        }
        if (r < 0)
                return r;
        ContainerStatus s = container_status_of(dir_fd, st, &pidfd);
        if (s == CONTAINER_RUNNING && !force)
                return log_error_errno(EBUSY, "cannot delete container %s that is not stopped: running", id);
        /* Connected before the kill: a delete that cannot reach systemd changes nothing. Through
         * dbus-daemon: StopUnit follows at once, and a new connection to systemd's private socket
         * would make it wait while systemd sets that connection up. The one connection serves
         * machined too. A connection run kept needs no setup: it is used as it is. */
        /* So is run's own to systemd's private socket, kept from its create or, once let go, made
         * again without libsystemd (as root; its call goes once systemd's OK is there). */
        bool by_wire = !bus && kept_wire && !st->kept_unit && bus_wire_reopen(kept_wire) >= 0;
        if (!bus && !by_wire) {
                r = bus_connect_dbus(&bus);
                if (r < 0)
                        return r;
        }
        if (st->machine)
                machine_link_use(machine, bus);
        if (pidfd >= 0 && pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
                return log_error_errno(errno, "Failed to kill container %s: %m", id);

        /* The unit may still hold processes that left the init (no pid namespace); stopping it
         * ends them and waits until systemd is done. */
        /* Sent now (unless run sent it as the init exited), its answer read once the unit is
         * stopped: machined and systemd work at once. Should the stop win, machined drops the
         * machine itself (NoSuchMachine is no error). */
        if (st->machine && !machine_link_pending(machine))
                machine_link_unregister_send(machine, st->machine);
        FAULT_POINT("delete:killed");
        /* A kept unit is the service runscope ran in: systemd stops it, and its payload cgroup with it. */
        if (st->kept_unit) {
                machine_link_unregister_wait(machine);
                (void) late_hooks(dir_fd, st, HOOK_POSTSTOP, "\"poststop\"", "stopped");
                return state_remove(root_fd, id);
        }
        r = by_wire ? bus_wire_stop_unit(kept_wire, st->unit, !emptied) : -ENOTCONN;
        if (r == -ENOTCONN) /* else, or where the private socket failed it, through dbus-daemon */
                r = stop_by_bus(&bus, st->unit, emptied);
        machine_link_unregister_wait(machine);
        if (r < 0)
                return r;
        FAULT_POINT("delete:stopped");
        (void) late_hooks(dir_fd, st, HOOK_POSTSTOP, "\"poststop\"", "stopped");
        return state_remove(root_fd, id);
}

int container_delete(const char *root, const char *id, bool force) {
        _cleanup_(machine_link_done) MachineLink machine = MACHINE_LINK_NULL;
        return delete_container(root, id, force, false, &machine, NULL, NULL);
}

int container_pause(const char *root, const char *id, bool pause) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        _cleanup_free_ char *cg = NULL;
        int r;

        r = container_open(root, id, false, &root_fd, &dir_fd, &st);
        if (r < 0)
                return r;
        ContainerStatus s = container_status_of(dir_fd, st, NULL);
        if (pause && s != CONTAINER_RUNNING)
                return log_error_errno(EINVAL, "container %s is not running (%s)", id, container_status_to_string(s));
        if (!pause && s != CONTAINER_PAUSED)
                return log_error_errno(EINVAL, "container %s is not paused (%s)", id, container_status_to_string(s));

        r = bus_connect_system(&bus);
        if (r < 0)
                return r;
        r = bus_freeze_unit(bus, st->unit, pause);
        if (r != -EOPNOTSUPP)
                return r;
        /* systemd cannot freeze here; the unit's own cgroup on the unified hierarchy can. */
        r = bus_unit_control_group(bus, st->unit, &cg);
        if (r < 0)
                return r;
        r = cgroup_set_frozen(cg, pause, 10000);
        if (r < 0)
                return log_error_errno(r, "Failed to %s the cgroup %s of %s: %m", pause ? "freeze" : "thaw", cg, st->unit);
        return 0;
}

int container_update(const char *root, const char *id, Spec *resources) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *cg = NULL;
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        int r;

        r = container_open(root, id, false, &root_fd, &dir_fd, &st);
        if (r < 0)
                return r;
        if (container_status_of(dir_fd, st, NULL) == CONTAINER_STOPPED)
                return log_error_errno(ESRCH, "container %s is not running", id);
        r = bus_connect_system(&bus);
        if (r < 0)
                return r;
        SpecResources *res = &resources->resources;
        /* A new period alone keeps the quota's microseconds per period, as runc keeps them: the
         * quota systemd holds now is carried over, so the share of a second changes with it. */
        if (res->has_cpu_period && !res->has_cpu_quota) {
                int64_t quota;
                r = bus_unit_cpu_quota(bus, st->unit, &quota);
                if (r < 0)
                        return r;
                if (quota > 0)
                        res->has_cpu_quota = true, res->cpu_quota = quota;
        }
        if ((res->has_memory_swap || res->has_memory_limit) && cgroup_memory_is_v1()) {
                r = bus_unit_control_group(bus, st->unit, &cg);
                if (r < 0)
                        return r;
                r = container_v1_swap_before_update(cg, st->unit, res);
                if (r < 0)
                        return r;
        }
        r = bus_update_unit(bus, st->unit, resources);
        if (r < 0)
                return r;
        return cg ? container_set_v1_swap(cg, st->unit, res) : 0;
}

int container_connect(const char *root, const char *id, ContainerState **ret_state, sd_bus **ret_bus) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        ContainerStatus status;
        int r;

        r = state_root_open(root, &root_fd);
        if (r < 0)
                return r;
        r = container_load(root_fd, id, &st, &status);
        if (r < 0)
                return r;
        /* Set: container_load() fails or sets it. clang 14's analyzer cannot follow
         * log_error_errno(errno, ...) to a negative return (it does not negate a symbol). */
        if (status == CONTAINER_STOPPED) /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult) */
                return -ESRCH;
        r = bus_connect_system(ret_bus);
        if (r < 0)
                return r;
        *ret_state = TAKE_PTR(st);
        return 0;
}

int container_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = container_connect(root, id, &st, &bus);
        if (r == -ESRCH) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r < 0)
                return r;
        return bus_unit_pids(bus, st->unit, ret, ret_n);
}
