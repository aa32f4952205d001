/* create, and the first half of run: validate the bundle and the options, then lock the id, clone
 * the launcher, ask systemd for the scope, save the state, register the machine and release the
 * launcher to its createRuntime hooks. Everything is checked before the first side effect, and a
 * step that fails undoes every one before it (created_abort): never a unit, a state directory, a
 * registered machine or a process left behind. Never calls back into container.c. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>

#include "bus/bus.h"
#include "container-internal.h"
#include "launch/console.h"
#include "launch/hooks.h"
#include "launch/launch.h"
#include "spec/spec.h"
#include "util/cgroup.h"
#include "util/fault.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/missing.h"
#include "util/notify.h"
#include "util/proc.h"
#include "util/sealed.h"
#include "util/strv.h"

int container_write_pid_file(const char *path, pid_t pid) {
        char buf[32], dir[PATH_MAX];
        _cleanup_close_ int dir_fd = -EBADF;
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid), r;

        (void) snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        const char *name = slash ? slash + 1 : path;
        if (slash)
                *slash = 0;
        dir_fd = open(slash ? (dir[0] ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(errno, "Failed to open the directory of pid file %s: %m", path);
        r = write_file_atomic_at(dir_fd, name, buf, (size_t) n, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write pid file %s: %m", path);
        return 0;
}

int container_send_pidfd(const char *socket_path, int pidfd) {
        int r = socket_send_fd(socket_path, pidfd, "pidfd");
        if (r < 0)
                return log_error_errno(r, "--pidfd-socket %s: %m", socket_path);
        return 0;
}

int container_check_terminal(bool terminal, bool foreground, const char *console_socket) {
        if (terminal && !foreground && !console_socket)
                return log_error_errno(EINVAL, "cannot allocate a terminal when runscope detaches without --console-socket");
        if (!terminal && console_socket)
                return log_error_errno(EINVAL, "--console-socket needs process.terminal (or exec -t)");
        return 0;
}

void created_done(Created *c) {
        launcher_done(&c->launcher);
        c->dir_fd = safe_close(c->dir_fd);
        c->root_fd = safe_close(c->root_fd);
        c->bus = sd_bus_flush_close_unref(c->bus);
        wire_close(&c->wire);
        c->notify_fd = safe_close(c->notify_fd);
        machine_link_done(&c->machine);
        cgroup_oom_watch_done(&c->oom);
        free(c->unit);
        c->unit = NULL;
}

void created_abort(Created *c, const char *id) {
        machine_link_abort(&c->machine);
        /* Where the start's answer was read without libsystemd (the connection is still open),
         * unit_started is known, and the stop goes there too. */
        bool by_wire = c->wire.fd >= 0;
        /* systemd may have dropped the connection (re-executing), even after making the unit
         * though its answer was lost: the unit is ours to stop if our launcher is in it. */
        if (c->unit && !c->kept_unit && c->bus && !by_wire) {
                /* Quietly: the failure that brought us here is the one error reported. */
                LogLevel level = log_get_max_level();
                log_set_max_level(log_debug_enabled() ? LOG_LEVEL_DEBUG : LOG_LEVEL_OFF);
                if (bus_ensure_connected(&c->bus) >= 0 && !c->unit_started && c->launcher.pid > 0)
                        c->unit_started = bus_unit_has_pid(c->bus, c->unit, c->launcher.pid);
                log_set_max_level(level);
        }
        launch_kill(&c->launcher);
        if (c->unit_started && by_wire && bus_wire_stop_unit(&c->wire, c->unit, true) != -ENOTCONN)
                c->unit_started = false; /* stopped, or said why not */
        if (c->unit_started && (c->bus || by_wire) && bus_ensure_connected(&c->bus) >= 0)
                (void) bus_stop_unit(c->bus, c->unit);
        (void) state_remove(c->root_fd, id);
}

/* What create() learns on its way, step by step, and frees at its end. */
typedef struct CreatePlan {
        Spec *spec;
        char bundle[PATH_MAX];
        int early_fd; /* bus_preconnect()'s, until the connection takes it */
        int listen_fds;
        char *slice, *description;
        ScopeRequest req;
        bool register_machine;
        ContainerState *st;
        char *listener_state; /* the seccomp listener's, until the launcher is released */
} CreatePlan;

static void create_plan_done(CreatePlan *p) {
        spec_free(p->spec);
        p->early_fd = safe_close(p->early_fd);
        free(p->slice);
        free(p->description);
        state_free(p->st);
        free(p->listener_state);
}

/* --keep-unit: the launcher goes into the "payload" child of the service's delegated cgroup, and
 * the bundle's resources become the service's runtime properties. */
static int place_in_kept_unit(Created *c, const Spec *spec) {
        _cleanup_free_ char *cg = NULL;
        int r;

        r = bus_unit_control_group(c->bus, c->unit, &cg);
        if (r < 0)
                return r;
        r = cgroup_attach_payload(cg, c->launcher.pid);
        if (r < 0)
                return log_error_errno(r, "Failed to move the container into %s/payload (is %s Delegate=yes?): %m", cg,
                                       c->unit);
        return bus_update_unit(c->bus, c->unit, spec);
}

/* The container notifies on a socket of its own, bound in at /run/notify; `run` relays it. */
static int setup_notify_relay(Created *c, const CreateOptions *o, Spec *spec) {
        _cleanup_free_ char *source = NULL, *env = NULL;
        char root[PATH_MAX];
        int r;

        r = notify_relay_open(c->dir_fd, &c->notify_fd);
        if (r < 0)
                return r;
        if (!realpath(o->root, root))
                return log_error_errno(errno, "state root %s: %m", o->root);
        if (asprintf(&source, "%s/%s/" NOTIFY_DIR, root, o->id) < 0 ||
            asprintf(&env, "NOTIFY_SOCKET=" NOTIFY_CONTAINER_DIR "/" NOTIFY_SOCKET_NAME) < 0)
                return log_oom();
        SpecMount *mounts = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(SpecMount));
        if (!mounts)
                return log_oom();
        spec->mounts = mounts;
        spec->mounts[spec->n_mounts] = (SpecMount) {};
        SpecMount *m = &spec->mounts[spec->n_mounts++];
        m->destination = strdup(NOTIFY_CONTAINER_DIR);
        m->type = strdup("bind");
        m->source = TAKE_PTR(source);
        if (!m->destination || !m->type || strv_extend(&m->options, "bind") < 0)
                return log_oom();
        for (char **e = spec->process.env; e && *e; e++)
                if (strncmp(*e, "NOTIFY_SOCKET=", 14) == 0) {
                        free(*e);
                        *e = TAKE_PTR(env);
                        return 0;
                }
        return strv_extend(&spec->process.env, env) < 0 ? log_oom() : 0;
}

typedef struct RuntimeHooks {
        const char *id, *bundle;
        const Spec *spec;
} RuntimeHooks;

/* prestart and createRuntime, in runscope's namespaces, once the launcher's mounts are done. Their
 * state says "created", as every hook's up to startContainer (runtime-spec 1.3, crun). */
static int runtime_hooks(const Launcher *l, void *userdata) {
        const RuntimeHooks *h = userdata;
        _cleanup_free_ char *state = hook_state_json(h->id, "created", l->pid, h->bundle, h->spec->annotations);
        char err[512];
        int r;

        if (!state)
                return log_oom();
        r = launch_move_net_devices(h->spec, l->pid);
        if (r < 0)
                return r;
        r = hooks_run(h->spec, HOOK_PRESTART, state, err, sizeof(err));
        if (r >= 0)
                r = hooks_run(h->spec, HOOK_CREATE_RUNTIME, state, err, sizeof(err));
        if (r < 0)
                return log_error_errno(r, "%s", err);
        return 0;
}

/* Socket activation passes through, as with runc: the fds after the preserved ones, and
 * LISTEN_FDS/LISTEN_PID for the container's init (pid 1 in its namespace). */
static int pass_listen_fds(CreatePlan *p) {
        _cleanup_free_ char *env_fds = NULL;
        const char *lf = getenv("LISTEN_FDS");

        if (!lf || atoi(lf) <= 0)
                return 0;
        p->listen_fds = atoi(lf);
        if (asprintf(&env_fds, "LISTEN_FDS=%d", p->listen_fds) < 0 || strv_extend(&p->spec->process.env, env_fds) < 0 ||
            strv_extend(&p->spec->process.env, "LISTEN_PID=1") < 0)
                return log_oom();
        return 0;
}

/* The bundle and the options, read and checked; nothing made yet but systemd's connection. */
static int create_read(const CreateOptions *o, Created *c, CreatePlan *p) {
        int r;

        r = state_validate_id(o->id);
        if (r < 0)
                return r;
        /* First: systemd sets the connection up while the bundle is read and libsystemd loaded. */
        p->early_fd = bus_preconnect();
        if (!realpath(o->bundle ?: ".", p->bundle))
                return log_error_errno(errno, "bundle %s: %m", o->bundle ?: ".");
        r = spec_load(p->bundle, &p->spec);
        if (r < 0)
                return r;
        r = container_labels(p->spec, "config.json: process.apparmorProfile");
        if (r < 0)
                return r;
        /* Before anything is made: the launcher will run (in the container) from a copy no one can
         * write, when a process there may ptrace it: the container's own, or, in a pid namespace
         * joined by path, another container's. */
        const SpecNamespace *pidns = spec_namespace(p->spec, NAMESPACE_PID);
        if (spec_can_ptrace_host(p->spec) || (pidns && pidns->path)) {
                r = sealed_reexec();
                if (r < 0)
                        return log_error_errno(r, "Failed to run from a sealed copy of runscope: %m");
        }
        r = container_check_terminal(p->spec->process.terminal, o->foreground, o->console_socket);
        if (r < 0)
                return r;
        const char *ready = spec_annotation(p->spec, ANNOTATION_NOTIFY_READY);
        if (ready && strcmp(ready, "runscope") != 0 && strcmp(ready, "container") != 0)
                return log_error_errno(EINVAL, "config.json: annotations.%s: '%s' is neither 'runscope' nor "
                                               "'container'", ANNOTATION_NOTIFY_READY, ready);
        c->ready_by_container = ready && strcmp(ready, "container") == 0;
        c->has_poststart = p->spec->n_hooks[HOOK_POSTSTART] > 0;
        c->own_pidns = pidns && !pidns->path;
        return pass_listen_fds(p);
}

/* Connected to systemd (and machined), the unit named, and its start built once unsent, so that
 * every property systemd would refuse is an error before the first side effect. */
static int create_connect(const CreateOptions *o, Created *c, CreatePlan *p) {
        int r;

        /* As root on the private socket, and with nothing sd-bus alone does (a kept unit, a swap
         * limit on cgroup v1), the scope is started and stopped without libsystemd. */
        c->wire_scope = p->early_fd >= 0 && !bus_user_manager() && !o->keep_unit &&
                        !(p->spec->resources.has_memory_swap && cgroup_memory_is_v1());
        if (c->wire_scope && wire_start(&c->wire, TAKE_FD(p->early_fd)) < 0) {
                wire_close(&c->wire);
                c->wire_scope = false;
        }
        r = c->wire_scope ? 0 : bus_connect_system_on(TAKE_FD(p->early_fd), &c->bus);
        if (r < 0)
                return r;
        const char *machine = spec_annotation(p->spec, ANNOTATION_MACHINE);
        p->register_machine = !o->no_machine && !(machine && strcmp(machine, "false") == 0);
        if (p->register_machine)
                /* Now, so that dbus-daemon authenticates us while systemd makes the scope. */
                machine_link_open(&c->machine);
        /* Rootless, a machine only where the user has a machined of its own (systemd 259). */
        if (p->register_machine && bus_user_manager() && !machine_link_connected(&c->machine))
                p->register_machine = false;
        c->kept_unit = o->keep_unit;
        if (o->keep_unit)
                /* As systemd-nspawn --keep-unit: the service runscope runs in is the container's unit. */
                r = bus_unit_of_pid(c->bus, getpid(), &c->unit);
        else
                r = bus_unit_names(p->spec->cgroups_path, o->id, &c->unit, &p->slice);
        if (r < 0)
                return r;
        if (asprintf(&p->description, "runscope container %s", o->id) < 0)
                return log_oom();
        p->req = (ScopeRequest) { .unit = c->unit, .slice = p->slice ?: bus_default_slice(),
                                  .description = p->description, .spec = p->spec };
        /* Everything is checked before the first side effect. */
        return c->wire_scope ? bus_wire_check_scope(&p->req) : bus_scope_check(c->bus, &p->req);
}

/* The id taken: its state directory, locked, with the configuration exec will read. */
static int create_state_dir(const CreateOptions *o, Created *c, CreatePlan *p) {
        int r;

        r = state_root_open(o->root, &c->root_fd);
        if (r < 0)
                return r;
        r = state_create(c->root_fd, o->id, &c->dir_fd);
        if (r < 0)
                return r;
        FAULT_POINT("create:state-dir");
        /* exec reads the container's configuration from here: the bundle may change meanwhile. */
        r = state_save_config(c->dir_fd, p->bundle);
        if (r >= 0 && o->relay_notify)
                r = setup_notify_relay(c, o, p->spec);
        if (r < 0)
                (void) state_remove(c->root_fd, o->id);
        return r;
}

/* The state as it will be saved, but for the launcher's pid. */
static int create_state(const CreateOptions *o, Created *c, CreatePlan *p) {
        ContainerState *st = p->st = calloc(1, sizeof(ContainerState));
        int r = 0;

        if (!st)
                return log_oom();
        st->id = strdup(o->id);
        st->bundle = strdup(p->bundle);
        st->rootfs = p->spec->root_path[0] == '/' ? strdup(p->spec->root_path) : NULL;
        if (!st->rootfs && asprintf(&st->rootfs, "%s/%s", p->bundle, p->spec->root_path) < 0)
                st->rootfs = NULL;
        st->unit = strdup(c->unit);
        st->slice = p->slice ? strdup(p->slice) : NULL;
        st->kept_unit = o->keep_unit;
        st->owner = getuid();
        if (!st->id || !st->bundle || !st->rootfs || !st->unit || (p->slice && !st->slice) || state_now(&st->created) < 0)
                return log_oom();
        for (char **a = p->spec->annotations; r >= 0 && a && *a; a++)
                if (strv_extend(&st->annotations, *a) < 0)
                        r = log_oom();
        if (r >= 0 && p->register_machine && bus_machine_name(o->id, &st->machine) < 0)
                r = log_oom();
        return r;
}

/* The scope: systemd's own, or the kept service's. */
static int create_place(const CreateOptions *o, Created *c, CreatePlan *p) {
        bool ours = false;
        int r;

        FAULT_POINT("create:cloned");
        if (o->keep_unit)
                return place_in_kept_unit(c, p->spec);
        /* The fault build's create:scope-empty: a runscope killed while systemd starts the scope,
         * its launcher gone before systemd moved it in. systemd moves nothing then and reports
         * success; the scope stays active, empty. */
        FAULT_KILL_CHILD("create:scope-empty", c->launcher.pidfd);
        r = c->wire_scope ? bus_start_scope_on(&c->wire, &c->bus, &p->req, c->launcher.pid, &ours)
                          : bus_start_scope(&c->bus, &p->req, c->launcher.pid);
        FAULT_POINT("create:scope-empty");
        c->unit_started = r >= 0 || ours;
        return r;
}

/* The launcher cloned and in its scope, and the state saved with its pid. */
static int create_launcher(const CreateOptions *o, Created *c, CreatePlan *p) {
        int r;

        r = launch_clone(&(LaunchParams) { .id = o->id, .spec = p->spec, .bundle = p->bundle, .state_dir_fd = c->dir_fd,
                                           .keep_fds = o->preserve_fds + p->listen_fds, .no_pivot = o->no_pivot,
                                           .no_new_keyring = o->no_new_keyring },
                         &c->launcher);
        /* Before systemd moves it into its unit and before it enters a user namespace's limits. */
        if (r >= 0)
                r = launch_set_from_outside(&c->launcher, &p->spec->process);
        /* Rootless, the launcher goes on once it is in its scope: the first thing it does is become
         * root of its user namespace, a subordinate uid to the host. A user manager that cannot move
         * it itself (runscope in a cgroup that is not its user's, a login session's) asks the
         * system's, which before systemd 258 moves only processes of the user's own uid ("Process N
         * not owned by client's UID. Refusing."). */
        bool go_in_scope = bus_user_manager();
        if (r >= 0 && !go_in_scope)
                r = launch_go(&c->launcher);
        if (r >= 0)
                r = create_place(o, c, p);
        if (r >= 0 && go_in_scope)
                r = launch_go(&c->launcher);
        if (r >= 0)
                r = container_apply_v1_swap(c->bus, c->unit, &p->spec->resources);
        if (r < 0)
                return r;
        p->st->pid = c->launcher.pid;
        r = proc_stat(p->st->pid, &p->st->pid_start_time, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read the launcher's start time: %m");
        /* Saved before the launcher sets up, so that a runscope killed from here on leaves a
         * container that `delete --force` finds. */
        FAULT_POINT("create:scope");
        return state_save(c->dir_fd, p->st);
}

/* The launcher set up (mounts, createRuntime hooks) and the machine registered; what the caller
 * asked for (console, pidfd, pid file) sent. */
static int create_release(const CreateOptions *o, Created *c, CreatePlan *p) {
        int r;

        /* The launcher goes on first: it is on the way to the container's start, the registration
         * is not. A runscope killed before this leaves a launcher that dies with it. */
        FAULT_POINT("create:saved");
        r = launch_scope(&c->launcher);
        /* Once the launcher is in the scope (machined takes the leader's unit as the machine's) and
         * the state names the machine (a runscope killed from here on leaves it to delete); its
         * answer is read once the launcher is set up, which machined's work overlaps. */
        if (r >= 0 && p->st->machine)
                r = machine_link_register(&c->machine, p->st->machine, o->id, p->st->pid, p->st->rootfs);
        if (r >= 0 && p->spec->seccomp && p->spec->seccomp->notify) {
                p->listener_state = hook_state_json(o->id, "creating", c->launcher.pid, p->bundle, p->spec->annotations);
                c->launcher.listener_spec = p->spec->seccomp;
                c->launcher.listener_state = p->listener_state;
                if (!p->listener_state)
                        r = log_oom();
        }
        if (r >= 0) {
                RuntimeHooks rh = { .id = o->id, .bundle = p->bundle, .spec = p->spec };
                r = launch_release(&c->launcher, runtime_hooks, &rh);
        }
        c->launcher.listener_state = NULL; /* freed with the plan */
        if (r < 0)
                return r;
        FAULT_POINT("create:released");
        if (c->launcher.console_fd >= 0 && o->console_socket) {
                r = console_send(o->console_socket, c->launcher.console_fd);
                c->launcher.console_fd = safe_close(c->launcher.console_fd);
        }
        if (r >= 0 && o->pidfd_socket)
                r = container_send_pidfd(o->pidfd_socket, c->launcher.pidfd);
        /* run in the foreground reads machined's answer while the container runs instead. */
        if (r >= 0 && !o->foreground)
                r = machine_link_wait(&c->machine);
        if (r >= 0 && o->pid_file)
                r = container_write_pid_file(o->pid_file, p->st->pid);
        return r;
}

int container_create_into(const CreateOptions *o, Created *c) {
        _cleanup_(create_plan_done) CreatePlan p = { .early_fd = -EBADF };
        int r;

        r = create_read(o, c, &p);
        if (r >= 0)
                r = create_connect(o, c, &p);
        if (r >= 0)
                r = create_state_dir(o, c, &p);
        if (r < 0)
                return r;
        /* From here on, a failure undoes the state directory and whatever followed it. */
        r = create_state(o, c, &p);
        if (r >= 0)
                r = create_launcher(o, c, &p);
        if (r >= 0)
                r = create_release(o, c, &p);
        if (r < 0)
                created_abort(c, o->id);
        return r;
}

int container_create(const CreateOptions *o) {
        Created c = CREATED_NULL;
        int r = container_create_into(o, &c);
        created_done(&c);
        return r;
}
