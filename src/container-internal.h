/* Shared by src/container*.c only. */
#pragma once

#include <systemd/sd-bus.h>

#include "bus/bus.h"
#include "container.h"
#include "criu/criu-rpc.h"
#include "launch/launch.h"
#include "spec/spec.h"
#include "util/cgroup-oom.h"

/* A container on its way up (container-create.c), and a foreground run's hold on it (container.c). */
typedef struct Created {
        int root_fd;
        int dir_fd; /* locked */
        sd_bus *bus;
        WireConn wire;   /* instead of bus, as long as wire_scope */
        bool wire_scope; /* the scope started and stopped without libsystemd (unit-wire.c) */
        Launcher launcher;
        char *unit;
        bool unit_started; /* ours to stop: a unit of the same name may belong to someone else */
        bool kept_unit;    /* --keep-unit: the unit is the service runscope runs in, never ours to stop */
        bool has_poststart; /* so that run need not read the configuration again after start */
        bool own_pidns;     /* a new pid namespace: every process of the container dies with its init */
        int notify_fd;     /* the sd_notify relay socket, with relay_notify */
        bool ready_by_container; /* the container says READY=1 itself (ANNOTATION_NOTIFY_READY) */
        MachineLink machine; /* to systemd-machined, when the container is registered */
        bool released;       /* a foreground run let its connections go (run_release) */
        bool delete_at_exit; /* a foreground run deletes its container once the init exits (no --keep) */
        CgroupOomWatch oom;  /* a foreground run's, to tell an OOM kill */
} Created;
#define CREATED_NULL                                                                                      \
        ((Created) { .root_fd = -EBADF, .dir_fd = -EBADF, .notify_fd = -EBADF, .wire = WIRE_CONN_NULL,          \
                     .launcher = LAUNCHER_NULL, .machine = MACHINE_LINK_NULL, .oom = CGROUP_OOM_WATCH_NULL })
/* create: the bundle and options checked, the id locked, the launcher cloned into its scope, the
 * state saved, the machine registered and the launcher released (its createRuntime hooks run); on
 * failure everything undone (created_abort()) but what created_done() frees. */
int container_create_into(const CreateOptions *o, Created *c);
/* Undoes a create that failed after the id was taken: the machine, the launcher, the unit (where it
 * is ours), the state directory. */
void created_abort(Created *c, const char *id);
/* Frees and closes what c holds; undoes nothing. */
void created_done(Created *c);

/* Opens and locks a container and loads its state. A directory without state.json is a create
 * that died before saving: -ENOENT, logged unless incomplete_ok (with *ret_dir_fd set then). */
int container_open(const char *root, const char *id, bool incomplete_ok, int *ret_root_fd, int *ret_dir_fd,
                   ContainerState **ret_state);
/* Live status from the init's pid and start time; *ret_pidfd (if not NULL) gets a pidfd of a live
 * init. */
ContainerStatus container_status_of(int dir_fd, const ContainerState *st, int *ret_pidfd);
/* Writes pid to path atomically (a temporary file in the same directory, then rename). */
int container_write_pid_file(const char *path, pid_t pid);
/* --pidfd-socket: the pidfd of the container's init or an exec'd process, as runc 1.3 sends it. */
int container_send_pidfd(const char *socket_path, int pidfd);
/* Loads a container without its lock and connects to systemd; -ESRCH (not logged) once stopped. */
int container_connect(const char *root, const char *id, ContainerState **ret_state, sd_bus **ret_bus);
/* A terminal needs somewhere to go: runscope's own stdio in the foreground, or a console socket. */
int container_check_terminal(bool terminal, bool foreground, const char *console_socket);
/* The spec's labels made those to apply (spec_drop_labels()): an AppArmor profile the kernel has not
 * loaded is an error naming apparmor_what (a JSON path or a flag) and the profile. */
int container_labels(Spec *spec, const char *apparmor_what);

/* What v1 hosts need besides the unit's properties: the swap limit on the memory hierarchy
 * (container-swap.c), set on a started unit (cg its memory cgroup's path); before `update` sets the
 * unit's properties, the limit that must change first. */
int container_apply_v1_swap(sd_bus *bus, const char *unit, const SpecResources *res);
int container_set_v1_swap(const char *cg, const char *unit, const SpecResources *res);
int container_v1_swap_before_update(const char *cg, const char *unit, const SpecResources *res);

/* Checkpoint and restore (container-criu.c). */
#define CRIU_DESCRIPTORS "descriptors.json"
/* The criu binary, or one line saying there is none. */
int container_criu_find(const char *verb, const char *id, char **ret);
/* The CRIU options a configuration implies: its external mounts, by name on dump (pid: the init's,
 * for its masked paths) and mapped to the host's sources on restore; the namespaces it joins. */
typedef struct CriuSpec {
        char **mount_kv, **join_kv; /* own the strings the pairs point at */
        CriuPair *ext_mnt;
        size_t n_ext_mnt;
        CriuPair *join_ns; /* restore */
        size_t n_join_ns;
        char **external;   /* dump: "net[INODE]:extRootNetNS", … */
        char **inherit_ns; /* restore: key, namespace file, … for CRIU's inherit_fd */
} CriuSpec;
int criu_spec_for(const Spec *spec, const char *rootfs, const char *bundle, pid_t pid, bool restore, CriuSpec *ret);
void criu_spec_done(CriuSpec *c);
/* descriptors.json in the image directory: where the init's stdin, stdout and stderr led; the ones
 * that are files outside the container are added to external, as CRIU's "file[MNT:INODE]". */
int container_write_descriptors(int image_fd, pid_t pid, char ***external);
int container_read_descriptors(int image_fd, const char *image_path, char ***ret);
/* Why criu failed, logged as one line: `criu check`'s own line when criu cannot run on this host,
 * else the first error of its log (or its answer). Returns -errno. */
typedef struct CriuFailure {
        const char *criu, *verb, *id;
        const CriuResponse *resp; /* NULL: criu died without answering */
        int log_dir_fd;
        const char *log_dir, *log_file;
} CriuFailure;
int container_criu_failed(const CriuFailure *f);
/* An image or work directory, made (0700) first with create; errors name what and path. */
int container_open_dir(const char *path, const char *what, bool create, int *ret_fd);
