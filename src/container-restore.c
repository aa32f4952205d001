/* `restore`: a new container from a bundle and a checkpoint. systemd makes its scope first, with
 * `criu swrk` as the scope's one process (where runc's systemd driver places criu too), and CRIU
 * forks the restored processes from there, so they are born in the unit; the state names the unit
 * as for any container. Never leaves a unit, a state directory, a mount or a process behind when a
 * step fails, and never lets CRIU write a limit systemd holds (see --manage-cgroups-mode). */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "bus/bus.h"
#include "container-internal.h"
#include "criu/criu.h"
#include "launch/console.h"
#include "launch/hooks.h"
#include "launch/launch.h"
#include "spec/spec.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/lsm.h"
#include "util/missing.h"
#include "util/proc.h"
#include "util/strv.h"

#define RESTORE_LOG "restore.log"
#define CRIU_ROOT "criu-root"

typedef struct Restore {
        const RestoreOptions *o;
        char bundle[PATH_MAX], criu_root[PATH_MAX];
        char *rootfs, *criu, *unit, *slice, *description;
        Spec *spec;
        char **descriptors;
        CriuSpec cs;
        sd_bus *bus;
        int root_fd, dir_fd, image_fd, work_fd;
        int fds[8]; /* criu's fds 4 on: inherited namespaces and stdio */
        size_t n_fds;
        CriuSwrk swrk;
        MachineLink machine;
        bool state_made, mounted, unit_started;
        pid_t pid;      /* the restored init */
        int console_fd; /* its pty master, without --console-socket */
} Restore;

static void restore_done(Restore *r) {
        free(r->rootfs);
        free(r->criu);
        free(r->unit);
        free(r->slice);
        free(r->description);
        spec_free(r->spec);
        strv_free(r->descriptors);
        criu_spec_done(&r->cs);
        r->bus = sd_bus_flush_close_unref(r->bus);
        r->root_fd = safe_close(r->root_fd);
        r->dir_fd = safe_close(r->dir_fd);
        r->image_fd = safe_close(r->image_fd);
        r->work_fd = safe_close(r->work_fd);
        for (size_t i = 0; i < r->n_fds; i++)
                safe_close(r->fds[i]);
        r->n_fds = 0;
        criu_swrk_done(&r->swrk);
        machine_link_done(&r->machine);
        r->console_fd = safe_close(r->console_fd);
}

/* The rootfs bound at <state>/criu-root, for CRIU wants its root a mount point whose parent is not
 * overmounted (runc does the same). The bind is made in the mount namespace restore() made, a slave
 * of the host's: it never shows on the host, and goes with runscope whatever happens. */
static int mount_criu_root(Restore *r) {
        char root[PATH_MAX];

        if (!realpath(r->o->root, root))
                return log_error_errno(errno, "state root %s: %m", r->o->root);
        if (snprintf(r->criu_root, sizeof(r->criu_root), "%s/%s/" CRIU_ROOT, root, r->o->id) >= (int) sizeof(r->criu_root))
                return log_error_errno(ENAMETOOLONG, "state directory of %s: path too long", r->o->id);
        if (mkdirat(r->dir_fd, CRIU_ROOT, 0755) < 0)
                return log_error_errno(errno, "Failed to make %s: %m", r->criu_root);
        if (mount(r->rootfs, r->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0) {
                int err = errno;
                (void) unlinkat(r->dir_fd, CRIU_ROOT, AT_REMOVEDIR);
                return log_error_errno(err, "Failed to bind the rootfs %s at %s: %m", r->rootfs, r->criu_root);
        }
        r->mounted = true;
        return 0;
}

/* Unmounted before anything removes the state directory: its removal must never reach the rootfs. */
static int umount_criu_root(Restore *r) {
        if (!r->mounted)
                return 0;
        if (umount2(r->criu_root, MNT_DETACH) < 0)
                return log_error_errno(errno, "Failed to unmount %s: %m", r->criu_root);
        r->mounted = false;
        (void) unlinkat(r->dir_fd, CRIU_ROOT, AT_REMOVEDIR);
        return 0;
}

/* Undoes a restore that failed once the id was taken: the processes go with their unit. */
static void restore_abort(Restore *r) {
        criu_swrk_done(&r->swrk);
        machine_link_abort(&r->machine);
        if (r->unit_started && r->bus) {
                if (r->pid > 0)
                        (void) bus_kill_unit(r->bus, r->unit, SIGKILL);
                (void) bus_stop_unit(r->bus, r->unit);
        }
        if (umount_criu_root(r) >= 0 && r->state_made)
                (void) state_remove(r->root_fd, r->o->id);
}

/* The bundle, its configuration, and every option checked before anything is made. */
static int prepare(Restore *r, CriuCgMode *ret_mode) {
        const RestoreOptions *o = r->o;
        const char *image = o->image_path ?: "checkpoint";
        int k;

        k = state_validate_id(o->id);
        if (k < 0)
                return k;
        *ret_mode = CRIU_CG_SOFT;
        if (o->manage_cgroups_mode && (*ret_mode = criu_cg_mode_from_string(o->manage_cgroups_mode)) < 0)
                return log_error_errno(EINVAL, "--manage-cgroups-mode %s: use soft, full, strict or ignore",
                                       o->manage_cgroups_mode);
        /* full would write the checkpoint's limits over the unit's, and strict wants no cgroup there
         * at all: the unit's cgroup and its limits are systemd's (see README, Checkpoint and restore). */
        if (*ret_mode == CRIU_CG_FULL || *ret_mode == CRIU_CG_STRICT)
                return log_error_errno(EOPNOTSUPP, "--manage-cgroups-mode %s: CRIU would write cgroup limits of the "
                                                   "scope systemd makes, which runscope leaves to systemd; use soft "
                                                   "(the default) or ignore", o->manage_cgroups_mode);
        if (!realpath(o->bundle ?: ".", r->bundle))
                return log_error_errno(errno, "bundle %s: %m", o->bundle ?: ".");
        k = spec_load(r->bundle, &r->spec);
        if (k >= 0)
                k = container_labels(r->spec, "config.json: process.apparmorProfile");
        if (k >= 0)
                k = container_check_terminal(r->spec->process.terminal, !o->detach, o->console_socket);
        if (k >= 0)
                k = container_criu_find("restore", o->id, &r->criu);
        if (k >= 0)
                k = container_open_dir(image, "--image-path", false, &r->image_fd);
        if (k >= 0 && o->work_path)
                k = container_open_dir(o->work_path, "--work-path", true, &r->work_fd);
        if (k >= 0)
                k = container_read_descriptors(r->image_fd, image, &r->descriptors);
        if (k < 0)
                return k;
        if (r->spec->root_path[0] == '/')
                r->rootfs = strdup(r->spec->root_path);
        else if (asprintf(&r->rootfs, "%s/%s", r->bundle, r->spec->root_path) < 0)
                r->rootfs = NULL;
        if (!r->rootfs)
                return log_oom();
        return criu_spec_for(r->spec, r->rootfs, r->bundle, 0, true, &r->cs);
}

/* The unit, checked as create checks it, and the id taken with the configuration kept. */
static int take_id(Restore *r, ScopeRequest *req) {
        int k;

        k = bus_connect_system(&r->bus);
        if (k >= 0)
                k = bus_unit_names(r->spec->cgroups_path, r->o->id, &r->unit, &r->slice);
        if (k < 0)
                return k;
        if (asprintf(&r->description, "runscope container %s", r->o->id) < 0)
                return log_oom();
        *req = (ScopeRequest) { .unit = r->unit, .slice = r->slice ?: BUS_DEFAULT_SLICE, .description = r->description,
                                .spec = r->spec };
        k = bus_scope_check(r->bus, req);
        if (k >= 0)
                k = state_root_open(r->o->root, &r->root_fd);
        if (k >= 0)
                k = state_create(r->root_fd, r->o->id, &r->dir_fd);
        if (k < 0)
                return k;
        r->state_made = true;
        return state_save_config(r->dir_fd, r->bundle);
}

/* criu's extra fds, from 4: the namespaces it restores into, and runscope's stdio for the pipes
 * the init had (criu's own stdio is /dev/null, unless --shell-job: it speaks on stderr). */
static int criu_fds(Restore *r, CriuInheritFd *inherit, size_t *n_inherit) {
        for (char **kv = r->cs.inherit_ns; kv && kv[0] && kv[1]; kv += 2) {
                int fd = open(kv[1], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(errno, "config.json: namespace %s: %m", kv[1]);
                inherit[(*n_inherit)++] = (CriuInheritFd) { .key = kv[0], .fd = 4 + (int) r->n_fds };
                r->fds[r->n_fds++] = fd;
        }
        /* The stdio pipes the init had, and its files outside the container, connected to
         * restore's own stdio (its caller's new ones). */
        for (int i = 0; i < 3 && i < (int) strv_length(r->descriptors); i++) {
                if (strncmp(r->descriptors[i], "pipe:", 5) != 0 && strncmp(r->descriptors[i], "file[", 5) != 0)
                        continue;
                int fd = r->o->shell_job ? i : fcntl(i, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return log_error_errno(errno, "Failed to pass on descriptor %d: %m", i);
                inherit[(*n_inherit)++] = (CriuInheritFd) { .key = r->descriptors[i],
                                                            .fd = r->o->shell_job ? i : 4 + (int) r->n_fds };
                if (!r->o->shell_job)
                        r->fds[r->n_fds++] = fd;
        }
        return 0;
}

/* CRIU's cgroup roots: where criu itself is now, the unit's cgroup, per hierarchy (as runc). */
static int cg_roots(pid_t pid, char ***ret_kv) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        int k;

        (void) snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        k = read_file_at(AT_FDCWD, path, (size_t) 1024 * 1024, &text, NULL);
        if (k < 0)
                return log_error_errno(k, "Failed to read %s: %m", path);
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *ctrl = strchr(line, ':'), *cg = ctrl ? strchr(ctrl + 1, ':') : NULL;
                if (!cg)
                        continue;
                *cg++ = 0;
                if (strv_extend(ret_kv, ctrl + 1) < 0 || strv_extend(ret_kv, cg) < 0)
                        return log_oom();
        }
        return 0;
}

static int on_notify(const CriuResponse *n, int fd, void *userdata) {
        Restore *r = userdata;

        log_debug("criu: %s (pid %d)", n->notify_script, (int) n->notify_pid);
        if (strcmp(n->notify_script, "orphan-pts-master") == 0) {
                /* The restored terminal's new master: to --console-socket, or kept for the foreground. */
                if (!r->o->console_socket) {
                        safe_close(r->console_fd);
                        r->console_fd = fd;
                        return 0;
                }
                int k = fd < 0 ? log_error_errno(EPROTO, "criu sent no pty master") : console_send(r->o->console_socket, fd);
                safe_close(fd);
                return k;
        }
        safe_close(fd);
        if (strcmp(n->notify_script, "setup-namespaces") == 0) {
                /* The namespaces exist, nothing runs yet: the runtime's hooks, as runc runs them here. */
                _cleanup_free_ char *state = hook_state_json(r->o->id, "created", n->notify_pid, r->bundle,
                                                             r->spec->annotations);
                char err[512];
                if (!state)
                        return log_oom();
                int k = hooks_run(r->spec, HOOK_PRESTART, state, err, sizeof(err));
                if (k >= 0)
                        k = hooks_run(r->spec, HOOK_CREATE_RUNTIME, state, err, sizeof(err));
                if (k < 0)
                        return log_error_errno(k, "%s", err);
        }
        return 0;
}

/* criu started, placed in the new scope by systemd, then asked to restore: the processes it forks
 * are in the unit from their first instruction, and the scope is never empty. */
static int run_criu(Restore *r, const ScopeRequest *req, CriuCgMode mode) {
        _cleanup_strv_free_ char **cg_kv = NULL;
        _cleanup_free_ CriuPair *cg = NULL;
        CriuInheritFd inherit[8];
        size_t n_inherit = 0, n_cg = 0;
        CriuResponse resp = {};
        int k;

        k = criu_fds(r, inherit, &n_inherit);
        if (k >= 0)
                k = criu_swrk_start(r->criu, r->fds, r->n_fds, r->o->shell_job, &r->swrk);
        if (k < 0)
                return k;
        k = bus_start_scope(&r->bus, req, r->swrk.pid);
        r->unit_started = k >= 0;
        if (k >= 0)
                k = container_apply_v1_swap(r->bus, r->unit, &r->spec->resources);
        /* ignore: CRIU touches no cgroup, and the processes stay where criu forks them, in the unit. */
        if (k >= 0 && mode != CRIU_CG_IGNORE)
                k = cg_roots(r->swrk.pid, &cg_kv);
        if (k < 0)
                return k;
        n_cg = strv_length(cg_kv) / 2;
        if (cg_kv && n_cg > 0) {
                cg = calloc(n_cg, sizeof(CriuPair));
                if (!cg)
                        return log_oom();
                for (size_t i = 0; i < n_cg; i++)
                        cg[i] = (CriuPair) { .key = cg_kv[2 * i], .val = cg_kv[2 * i + 1] };
        }

        CriuOpts opts = {
                /* criu opens these through /proc/<runscope>/fd: runscope's own numbers (as runc's). */
                .images_dir_fd = r->image_fd, .work_dir_fd = r->work_fd, .ext_unix_sk = r->o->ext_unix_sk,
                .tcp_established = r->o->tcp_established, .tcp_close = r->o->tcp_close, .evasive_devices = true,
                .shell_job = r->o->shell_job, .file_locks = r->o->file_locks, .notify_scripts = true,
                .rst_sibling = true, .orphan_pts_master = true, .log_level = 4, .log_file = RESTORE_LOG,
                .root = r->criu_root, .lsm_profile = r->o->lsm_profile, .lsm_mount_context = r->o->lsm_mount_context,
                .manage_cgroups_mode = mode, .ext_mnt = r->cs.ext_mnt, .n_ext_mnt = r->cs.n_ext_mnt, .cg_root = cg,
                .n_cg_root = n_cg, .inherit_fd = inherit, .n_inherit_fd = n_inherit, .join_ns = r->cs.join_ns,
                .n_join_ns = r->cs.n_join_ns,
        };
        k = criu_swrk_call(&r->swrk, CRIU_REQ_RESTORE, &opts, on_notify, r, &resp);
        if (k == -ECONNRESET || (k >= 0 && (!resp.success || resp.restored_pid <= 0))) {
                const char *log_dir = r->o->work_path ?: r->o->image_path ?: "checkpoint";
                return container_criu_failed(&(CriuFailure) {
                        .criu = r->criu, .verb = "restore", .id = r->o->id, .resp = k >= 0 ? &resp : NULL,
                        .log_dir_fd = r->work_fd >= 0 ? r->work_fd : r->image_fd, .log_dir = log_dir,
                        .log_file = RESTORE_LOG });
        }
        if (k < 0)
                return k;
        r->pid = resp.restored_pid;
        /* Done: criu leaves; the restored init is runscope's child (rst_sibling). */
        r->swrk.sock = safe_close(r->swrk.sock);
        (void) criu_swrk_wait(&r->swrk);
        return 0;
}

static int save_state(Restore *r) {
        _cleanup_(state_freep) ContainerState *st = calloc(1, sizeof(ContainerState));
        int k = 0;

        if (!st)
                return log_oom();
        st->id = strdup(r->o->id);
        st->bundle = strdup(r->bundle);
        st->rootfs = strdup(r->rootfs);
        st->unit = strdup(r->unit);
        st->slice = r->slice ? strdup(r->slice) : NULL;
        st->owner = getuid();
        st->pid = r->pid;
        if (!st->id || !st->bundle || !st->rootfs || !st->unit || (r->slice && !st->slice) || state_now(&st->created) < 0)
                return log_oom();
        for (char **a = r->spec->annotations; a && *a; a++)
                if (strv_extend(&st->annotations, *a) < 0)
                        return log_oom();
        const char *m = spec_annotation(r->spec, ANNOTATION_MACHINE);
        if (!r->o->no_machine && !(m && strcmp(m, "false") == 0) && bus_machine_name(r->o->id, &st->machine) < 0)
                return log_oom();
        k = proc_stat(r->pid, &st->pid_start_time, NULL);
        if (k < 0)
                return log_error_errno(k, "Failed to read the start time of the restored init %d: %m", (int) r->pid);
        k = state_save(r->dir_fd, st);
        if (k < 0 || !st->machine)
                return k;
        machine_link_open(&r->machine);
        k = machine_link_register(&r->machine, st->machine, r->o->id, r->pid, r->rootfs);
        return k < 0 ? k : machine_link_wait(&r->machine);
}

static int restore(Restore *r) {
        ScopeRequest req;
        CriuCgMode mode;
        int k;

        /* First: criu reaches the image and work directories through runscope's fds, and mounts
         * its cgroup yard in the work directory, which must be a mount of criu's namespace. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return log_error_errno(errno, "Failed to make a mount namespace for the restore: %m");
        k = prepare(r, &mode);
        if (k < 0)
                return k;
        k = take_id(r, &req);
        if (k >= 0)
                k = launch_make_mount_points(r->spec, r->bundle, r->rootfs);
        if (k >= 0)
                k = mount_criu_root(r);
        if (k >= 0)
                k = run_criu(r, &req, mode);
        if (k >= 0)
                k = save_state(r);
        if (k >= 0)
                k = umount_criu_root(r);
        if (k >= 0 && r->o->pid_file)
                k = container_write_pid_file(r->o->pid_file, r->pid);
        if (k < 0)
                restore_abort(r);
        return k;
}

int container_restore(const RestoreOptions *o) {
        Restore r = { .o = o, .root_fd = -EBADF, .dir_fd = -EBADF, .image_fd = -EBADF, .work_fd = -EBADF,
                      .swrk = CRIU_SWRK_NULL, .machine = MACHINE_LINK_NULL, .console_fd = -EBADF };
        int k = restore(&r);

        if (k < 0 || o->detach) {
                restore_done(&r);
                return k;
        }
        /* In the foreground, as run: signals forwarded, the terminal proxied, then the delete. */
        Launcher l = LAUNCHER_NULL;
        l.pid = r.pid;
        l.pidfd = pidfd_open(r.pid, 0);
        l.console_fd = r.console_fd;
        r.console_fd = -EBADF;
        restore_done(&r);
        if (l.pidfd < 0) {
                launcher_done(&l);
                return log_error_errno(errno, "Failed to watch the restored init of %s: %m", o->id);
        }
        k = launch_block_signals();
        int status = k < 0 ? k : launch_wait(&l, -EBADF, NULL);
        launcher_done(&l);
        if (status >= 0) {
                k = container_delete(o->root, o->id, true);
                if (k < 0 && k != -ENOENT)
                        status = k;
        }
        return status;
}
