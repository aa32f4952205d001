/* `checkpoint`: a running container's processes dumped by CRIU (`criu swrk`, as runc drives it),
 * then the container deleted, unless it is left running or this is a pre-dump. Never writes the
 * scope's cgroup: CRIU stops the processes with ptrace rather than the freezer, and a dump only
 * reads cgroups. A failed dump leaves the container as it was (CRIU resumes what it stopped). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "container-internal.h"
#include "criu/criu.h"
#include "spec/spec.h"
#include "util/fd.h"
#include "util/log.h"

#define DUMP_LOG "dump.log"

/* One request to a criu of its own: started, asked, waited for. -ECONNRESET: criu died first. */
static int criu_request(const char *criu, CriuReqType type, const CriuOpts *opts, CriuResponse *ret) {
        CriuSwrk s = CRIU_SWRK_NULL;
        int r;

        r = criu_swrk_start(criu, NULL, 0, false, &s);
        if (r < 0)
                return r;
        r = criu_swrk_call(&s, type, opts, NULL, NULL, ret);
        /* criu ends when its socket closes; a pre-dump's criu may wait for more, and is killed. */
        s.sock = safe_close(s.sock);
        if (r >= 0 && type != CRIU_REQ_PRE_DUMP)
                (void) criu_swrk_wait(&s);
        criu_swrk_done(&s);
        return r;
}

/* --pre-dump and --parent-path need CRIU to track memory changes (a kernel feature). */
static int check_mem_track(const char *criu, const CriuFailure *failure) {
        CriuResponse resp = {};
        int r = criu_request(criu, CRIU_REQ_FEATURE_CHECK, NULL, &resp);

        if (r == -ECONNRESET || (r >= 0 && !resp.success))
                return container_criu_failed(&(CriuFailure) { .criu = criu, .verb = failure->verb, .id = failure->id,
                                                              .resp = r >= 0 ? &resp : NULL,
                                                              .log_dir_fd = failure->log_dir_fd,
                                                              .log_dir = failure->log_dir, .log_file = failure->log_file });
        if (r < 0)
                return r;
        if (!resp.mem_track)
                return log_error_errno(EOPNOTSUPP, "checkpoint of %s refused: --pre-dump and --parent-path need CRIU to "
                                                   "track memory changes, which this host's kernel cannot", failure->id);
        return 0;
}

static int check_parent(int image_fd, const char *parent) {
        struct stat st;

        /* CRIU resolves it from the image directory, and says little when it is wrong (as crun). */
        if (parent[0] == '/')
                return log_error_errno(EINVAL, "--parent-path %s: must be relative to --image-path", parent);
        if (fstatat(image_fd, parent, &st, 0) < 0)
                return log_error_errno(errno, "--parent-path %s: %m", parent);
        if (!S_ISDIR(st.st_mode))
                return log_error_errno(ENOTDIR, "--parent-path %s: not a directory", parent);
        return 0;
}

typedef struct Dump {
        char *criu;
        Spec *spec;
        int image_fd, work_fd;
        CriuSpec cs;
} Dump;

static void dump_done(Dump *d) {
        free(d->criu);
        spec_free(d->spec);
        d->image_fd = safe_close(d->image_fd);
        d->work_fd = safe_close(d->work_fd);
        criu_spec_done(&d->cs);
}

static int dump(const CheckpointOptions *o, const ContainerState *st, int dir_fd, CriuCgMode mode, Dump *d) {
        const char *image = o->image_path ?: "checkpoint", *work = o->work_path ?: image;
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_file_at(dir_fd, "config.json", SPEC_MAX_SIZE, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read the configuration of %s: %m", o->id);
        r = spec_reparse(text, &d->spec);
        if (r < 0)
                return r;
        r = container_criu_find("checkpoint", o->id, &d->criu);
        if (r < 0)
                return r;
        r = container_open_dir(image, "--image-path", true, &d->image_fd);
        if (r >= 0 && o->work_path)
                r = container_open_dir(work, "--work-path", true, &d->work_fd);
        if (r >= 0 && o->parent_path)
                r = check_parent(d->image_fd, o->parent_path);
        if (r < 0)
                return r;
        CriuFailure failure = { .criu = d->criu, .verb = "checkpoint", .id = o->id,
                                .log_dir_fd = d->work_fd >= 0 ? d->work_fd : d->image_fd, .log_dir = work,
                                .log_file = DUMP_LOG };
        if (o->pre_dump || o->parent_path) {
                r = check_mem_track(d->criu, &failure);
                if (r < 0)
                        return r;
        }
        /* A pre-dump saves memory only: no mounts, no descriptors (as runc). */
        if (!o->pre_dump) {
                r = criu_spec_for(d->spec, st->rootfs, st->bundle, st->pid, false, &d->cs);
                if (r >= 0)
                        r = container_write_descriptors(d->image_fd, st->pid, &d->cs.external);
                if (r < 0)
                        return r;
        }

        CriuOpts opts = {
                /* criu opens these through /proc/<runscope>/fd: runscope's own numbers (as runc's). */
                .images_dir_fd = d->image_fd, .work_dir_fd = d->work_fd, .pid = st->pid,
                .leave_running = o->leave_running, .ext_unix_sk = o->ext_unix_sk, .tcp_established = o->tcp_established,
                .shell_job = o->shell_job, .file_locks = o->file_locks, .notify_scripts = true,
                .orphan_pts_master = true, .log_level = 4, .log_file = DUMP_LOG, .root = st->rootfs,
                .parent_img = o->parent_path, .track_mem = o->pre_dump || o->parent_path,
                .manage_cgroups_mode = mode, .ext_mnt = d->cs.ext_mnt, .n_ext_mnt = d->cs.n_ext_mnt,
                .external = d->cs.external,
        };
        CriuResponse resp = {};
        r = criu_request(d->criu, o->pre_dump ? CRIU_REQ_PRE_DUMP : CRIU_REQ_DUMP, &opts, &resp);
        if (r == -ECONNRESET || (r >= 0 && !resp.success)) {
                failure.resp = r >= 0 ? &resp : NULL;
                return container_criu_failed(&failure);
        }
        return r;
}

int container_checkpoint(const CheckpointOptions *o) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        Dump d = { .image_fd = -EBADF, .work_fd = -EBADF };
        CriuCgMode mode = CRIU_CG_SOFT;
        int r;

        if (o->manage_cgroups_mode && (mode = criu_cg_mode_from_string(o->manage_cgroups_mode)) < 0)
                return log_error_errno(EINVAL, "--manage-cgroups-mode %s: use soft, full, strict or ignore",
                                       o->manage_cgroups_mode);
        r = container_open(o->root, o->id, false, &root_fd, &dir_fd, &st);
        if (r < 0)
                return r;
        ContainerStatus s = container_status_of(dir_fd, st, NULL);
        /* A frozen process cannot be stopped with ptrace, and the freezer is systemd's. */
        if (s == CONTAINER_PAUSED)
                return log_error_errno(EBUSY, "cannot checkpoint container %s: it is paused (resume it first)", o->id);
        if (s != CONTAINER_RUNNING)
                return log_error_errno(ESRCH, "cannot checkpoint container %s: it is not running (%s)", o->id,
                                       container_status_to_string(s));
        r = dump(o, st, dir_fd, mode, &d);
        dump_done(&d);
        if (r < 0 || o->leave_running || o->pre_dump)
                return r;
        /* Dumped and killed by CRIU: the container goes as runc destroys it (unit, machine, state,
         * poststop hooks), once its lock is let go. */
        dir_fd = safe_close(dir_fd);
        return container_delete(o->root, o->id, true);
}
