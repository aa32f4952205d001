/* `exec`: a process started in a running container's namespaces and unit, with the container's
 * process settings unless overridden. Never lets the process run before it is in the container's
 * cgroup (cloned there, or moved there by systemd), and never writes a file of that cgroup. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "container-internal.h"
#include "launch/console.h"
#include "launch/hooks.h"
#include "launch/launch.h"
#include "spec/spec.h"
#include "util/cgroup.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/sealed.h"
#include "util/strv.h"

/* In the state directory: an exec started a process that may ptrace the host's (see util/sealed.c). */
#define PTRACE_EXEC_MARK "ptrace-exec"

static int env_set(char ***env, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        size_t n;

        if (!eq || eq == assignment)
                return log_error_errno(EINVAL, "--env %s: expected NAME=value", assignment);
        n = (size_t) (eq - assignment) + 1;
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, assignment, n) == 0) {
                        char *c = strdup(assignment);
                        if (!c)
                                return log_oom();
                        free(*e);
                        *e = c;
                        return 0;
                }
        return strv_extend(env, assignment) < 0 ? log_oom() : 0;
}

/* *label replaced by value, when that says something. */
static int override_label(char **label, const char *value) {
        if (!value || !value[0])
                return 0;
        char *c = strdup(value);
        if (!c)
                return log_oom();
        free(*label);
        *label = c;
        return 0;
}

/* The process to run: --process FILE as given, or the container's own process with the command
 * line's overrides. Either way it keeps the container's SELinux label and AppArmor profile unless
 * given others, as in runc: an exec'd process is no less confined than the container. */
static int exec_process(const ExecOptions *o, Spec *spec, const char **ret_apparmor_what) {
        SpecProcess *p = &spec->process;
        int r;

        if (o->process_file) {
                _cleanup_(spec_freep) Spec *other = NULL;
                _cleanup_free_ char *text = NULL;
                r = read_file_at(AT_FDCWD, o->process_file, (size_t) 4 * 1024 * 1024, &text, NULL);
                if (r < 0)
                        return log_error_errno(r, "--process %s: %m", o->process_file);
                r = spec_parse_process(text, &other);
                if (r < 0)
                        return r;
                if (other->process.apparmor_profile && other->process.apparmor_profile[0])
                        *ret_apparmor_what = "--process: apparmorProfile";
                SpecProcess swap = spec->process;
                spec->process = other->process;
                other->process = swap;
                r = 0;
                if (!p->apparmor_profile || !p->apparmor_profile[0])
                        r = override_label(&p->apparmor_profile, swap.apparmor_profile);
                if (r >= 0 && (!p->selinux_label || !p->selinux_label[0]))
                        r = override_label(&p->selinux_label, swap.selinux_label);
                return r;
        }
        if (o->apparmor && o->apparmor[0])
                *ret_apparmor_what = "--apparmor";
        r = override_label(&p->apparmor_profile, o->apparmor);
        if (r >= 0)
                r = override_label(&p->selinux_label, o->process_label);
        if (r < 0)
                return r;

        strv_free(p->args);
        p->args = NULL;
        for (char **a = o->args; a && *a; a++)
                if (strv_extend(&p->args, *a) < 0)
                        return log_oom();
        if (o->cwd) {
                if (o->cwd[0] != '/')
                        return log_error_errno(EINVAL, "--cwd %s: must be absolute", o->cwd);
                free(p->cwd);
                p->cwd = strdup(o->cwd);
                if (!p->cwd)
                        return log_oom();
        }
        for (char **e = o->env; e && *e; e++) {
                r = env_set(&p->env, *e);
                if (r < 0)
                        return r;
        }
        if (o->has_user) {
                p->uid = o->uid;
                p->gid = o->gid;
                free(p->additional_gids);
                p->additional_gids = NULL;
                p->n_additional_gids = 0;
        }
        if (o->additional_gids) {
                uint32_t *gids = calloc(o->n_additional_gids, sizeof(uint32_t));
                if (!gids)
                        return log_oom();
                memcpy(gids, o->additional_gids, o->n_additional_gids * sizeof(uint32_t));
                free(p->additional_gids);
                p->additional_gids = gids;
                p->n_additional_gids = o->n_additional_gids;
        }
        for (char **c = o->caps; c && *c; c++) {
                uint64_t bit = spec_capability_bit("--cap", *c, spec_capability_last());
                if (!bit)
                        continue;
                p->has_capabilities = true;
                p->capabilities.bounding |= bit;
                p->capabilities.effective |= bit;
                p->capabilities.permitted |= bit;
                p->capabilities.inheritable |= bit;
                p->capabilities.ambient |= bit;
        }
        if (o->no_new_privs)
                p->no_new_privileges = true;
        p->terminal = o->tty;
        return 0;
}

/* The container's cgroup below the unit's: none, or the payload child for a --keep-unit container
 * (as AttachProcessesToUnit takes it: absolute from the unit's cgroup). */
static const char *exec_subcgroup(const ContainerState *st) {
        return st->kept_unit ? "/" CGROUP_PAYLOAD : "";
}

/* Whether the launcher may be cloned into the container's cgroup: on a cgroup v2 host. On a hybrid
 * one the v1 controllers (memory, pids, devices…) take a process only through systemd. */
static bool exec_may_clone(void) {
        const char *root;
#ifdef RUNSCOPE_FAULT_POINTS
        /* Tests and timings: systemd's way on a v2 host too; the clone on a hybrid host's unified
         * hierarchy too (where it misses the v1 controllers: for its cost only). */
        if (getenv("RUNSCOPE_FAULT_EXEC_ATTACH"))
                return false;
        if (getenv("RUNSCOPE_FAULT_EXEC_CLONE"))
                return cgroup_unified_root(&root) >= 0;
#endif
        return cgroup_unified_root(&root) >= 0 && strcmp(root, "/sys/fs/cgroup") == 0;
}

/* Whether the cgroup at fd (a directory) has controllers on for its children: then it takes no
 * process of its own (cgroup v2's no-internal-process rule; a systemd in the container does this). */
static bool cgroup_is_inner(int fd) {
        char buf[256];
        _cleanup_close_ int f = openat(fd, "cgroup.subtree_control", O_RDONLY | O_CLOEXEC);
        ssize_t n = f < 0 ? -1 : read(f, buf, sizeof(buf));
        return n > 0 && buf[0] != '\n';
}

/* The container's cgroup directory for the exec launcher to be cloned into: named by systemd's
 * ControlGroup of the unit (where the kernel says the init is), opened O_PATH (never read or
 * written: no file of the cgroup changes) above the fds passed on, so that it is not one of them.
 * Where the container made that cgroup an inner node, the init's cgroup below it, as runc joins it. -errno (logged at debug level)
 * where systemd must move the launcher instead. */
static int exec_cgroup_open(AttachLink *link, const ContainerState *st, const Spec *spec, int keep_fds) {
        _cleanup_free_ char *cg = NULL, *init_cg = NULL;
        _cleanup_close_ int fd = -EBADF;
        char path[PATH_MAX];
        const char *root = NULL;
        int r;

        /* An initial affinity is set before the launcher joins the unit, as runtime-spec asks, which a
         * launcher born there never is outside of. */
        if (!exec_may_clone() || spec->process.cpu_affinity_initial || cgroup_unified_root(&root) < 0)
                return -EOPNOTSUPP;
        r = attach_link_control_group(link, st->unit, &cg);
        if (r < 0)
                return r;
        /* The kernel must agree: the container's init is in that cgroup or below it. Where runscope's
         * view of the hierarchy is not systemd's (another cgroup namespace), systemd moves it. */
        r = cgroup_pid_unified_path(st->pid, &init_cg);
        if (r < 0)
                return log_debug_errno(r, "Failed to read the cgroup of the init %d: %m", (int) st->pid);
        size_t n = strlen(cg);
        if (strncmp(init_cg, cg, n) != 0 || (init_cg[n] != 0 && init_cg[n] != '/'))
                return log_debug_errno(EXDEV, "The init %d is in %s, not in %s's %s", (int) st->pid, init_cg, st->unit, cg);
        if (snprintf(path, sizeof(path), "%s%s%s", root, cg, exec_subcgroup(st)) >= (int) sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_debug_errno(errno, "Failed to open %s: %m", path);
        if (init_cg[n] == '/' && cgroup_is_inner(fd)) {
                (void) snprintf(path, sizeof(path), "%s%s", root, init_cg);
                safe_close(fd);
                fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return log_debug_errno(errno, "Failed to open %s: %m", path);
        }
        r = fcntl(fd, F_DUPFD_CLOEXEC, 3 + keep_fds);
        return r < 0 ? -errno : r;
}

/* The exec launcher, born in the container's cgroup where it can be (1), else where runscope is (0). */
static int exec_fork(AttachLink *link, const ContainerState *st, const Spec *spec, unsigned long ns_flags, int init_pidfd,
                     int keep_fds, Launcher *ret) {
        _cleanup_close_ int cgroup_fd = exec_cgroup_open(link, st, spec, keep_fds);
        return launch_exec_fork(&spec->process, spec->seccomp, ns_flags, init_pidfd, keep_fds, cgroup_fd, ret);
}

int container_exec(const ExecOptions *o) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_(spec_freep) Spec *spec = NULL;
        _cleanup_(attach_link_close) AttachLink link = ATTACH_LINK_NULL;
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF, init_pidfd = -EBADF;
        _cleanup_free_ char *text = NULL;
        Launcher l = LAUNCHER_NULL, proc = LAUNCHER_NULL;
        unsigned long ns_flags = 0;
        int r;

        /* systemd accepts the connection and authenticates it while the state and configuration
         * are read; an error is said, if at all, where the connection is needed. */
        attach_link_prepare(&link);
        r = container_open(o->root, o->id, false, &root_fd, &dir_fd, &st);
        if (r < 0)
                return r;
        /* The unit's cgroup, for the launcher to be cloned into, asked for now: systemd answers while
         * the configuration is read. Unused (systemd moves the launcher), its answer is skipped. */
        if (exec_may_clone())
                attach_link_ask_control_group(&link, st->unit);
        /* As runc: a created container's init is set up and waits for start; a paused one's process
         * would be frozen as soon as it joins the unit, so only if asked for. */
        switch (container_status_of(dir_fd, st, &init_pidfd)) {
        case CONTAINER_CREATED:
        case CONTAINER_RUNNING:
                break;
        case CONTAINER_PAUSED:
                if (o->ignore_paused)
                        break;
                return log_error_errno(EBUSY, "cannot exec in a paused container %s (use --ignore-paused to override)", o->id);
        default:
                return log_error_errno(ESRCH, "cannot exec in a container that is not running: %s", o->id);
        }
        r = read_file_at(dir_fd, "config.json", SPEC_MAX_SIZE, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read the configuration of %s: %m", o->id);
        r = spec_reparse(text, &spec);
        if (r < 0)
                return r;
        /* The exec launcher will run in the container: from a copy no one there can write, when a
         * process there may ptrace it: the container's, this one (--cap, --process), or one an
         * earlier exec started with that power (remembered in the state directory). */
        bool seal = spec_can_ptrace_host(spec) || faccessat(dir_fd, PTRACE_EXEC_MARK, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        const char *apparmor_what = "config.json: process.apparmorProfile";
        r = exec_process(o, spec, &apparmor_what);
        if (r >= 0)
                r = container_labels(spec, apparmor_what);
        if (r < 0)
                return r;
        if (spec_can_ptrace_host(spec)) {
                seal = true;
                _cleanup_close_ int mark = openat(dir_fd, PTRACE_EXEC_MARK, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (mark < 0)
                        return log_error_errno(errno, "Failed to note the exec of a privileged process in %s: %m", o->id);
        }
        /* Not held while the process runs: state, kill and delete must not wait behind an exec. */
        dir_fd = safe_close(dir_fd);
        if (seal) {
                r = sealed_reexec();
                if (r < 0)
                        return log_error_errno(r, "Failed to run from a sealed copy of runscope: %m");
        }
        r = container_check_terminal(spec->process.terminal, !o->detach, o->console_socket);
        if (r < 0)
                return r;
        for (size_t i = 0; i < spec->n_namespaces; i++)
                ns_flags |= namespace_type_clone_flag(spec->namespaces[i].type);
        /* A restored container's processes live in a time namespace CRIU made even when the
         * configuration has none (runc adds it to the container's too): the process joins it. */
        unsigned long time_flag = namespace_type_clone_flag(NAMESPACE_TIME);
        if (!(ns_flags & time_flag) && proc_ns_differs(st->pid, "time") > 0)
                ns_flags |= time_flag;

        r = attach_link_open(&link);
        if (r < 0)
                return r;
        r = exec_fork(&link, st, spec, ns_flags, init_pidfd, o->preserve_fds, &l);
        bool placed = r > 0;
        /* Before the exec launcher joins the unit, as for the init (see create). */
        if (r >= 0)
                r = launch_set_from_outside(&l, &spec->process);
        if (r < 0)
                return r;
        /* Into the unit first: from the moment it joins the namespaces it is the container's. Born
         * in the unit's cgroup, it is there already: systemd sees it there as any process of the
         * delegated unit (its cgroup.procs is the delegate's, and no attribute of it changes). */
        if (!placed) {
                r = attach_link_process(&link, st->unit, exec_subcgroup(st), l.pid);
                if (r < 0) {
                        launch_kill(&l);
                        return r;
                }
        }
        log_debug("exec: launcher %d %s %s", (int) l.pid, placed ? "cloned into the cgroup of" : "moved by systemd into",
                  st->unit);
        /* Its one call is made: not held while the process runs. */
        attach_link_close(&link);
        if (!o->detach) {
                r = launch_block_signals();
                if (r < 0) {
                        launch_kill(&l);
                        return r;
                }
        }
        _cleanup_free_ char *listener_state = NULL;
        if (spec->seccomp && spec->seccomp->notify) {
                listener_state = hook_state_json(o->id, "running", st->pid, st->bundle, st->annotations);
                if (!listener_state) {
                        launch_kill(&l);
                        return log_oom();
                }
                l.listener_spec = spec->seccomp;
                l.listener_state = listener_state;
        }
        r = launch_exec_release(&l, &proc);
        if (r < 0) {
                if (proc.command_error == -ENOENT)
                        return 127;
                if (proc.command_error < 0)
                        return 126;
                return r;
        }
        if (proc.console_fd >= 0 && o->console_socket) {
                r = console_send(o->console_socket, proc.console_fd);
                proc.console_fd = safe_close(proc.console_fd);
                if (r < 0) {
                        launch_kill(&proc);
                        return r;
                }
        }
        if (o->pidfd_socket) {
                r = container_send_pidfd(o->pidfd_socket, proc.pidfd);
                if (r < 0) {
                        launch_kill(&proc);
                        return r;
                }
        }
        if (o->pid_file) {
                r = container_write_pid_file(o->pid_file, proc.pid);
                if (r < 0) {
                        launch_kill(&proc);
                        return r;
                }
        }
        if (o->detach) {
                launcher_done(&proc);
                return 0;
        }
        return launch_wait(&proc, -EBADF, NULL);
}
