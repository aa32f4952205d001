/* The container lifecycle: create, start, run, kill, delete, and its status. The only module that
 * sees every other one. */
#pragma once

#include <stdbool.h>

#include <stdint.h>

#include "state/state.h"

typedef enum ContainerStatus {
        CONTAINER_CREATED,
        CONTAINER_RUNNING,
        CONTAINER_PAUSED,
        CONTAINER_STOPPED,
        _CONTAINER_STATUS_MAX,
        _CONTAINER_STATUS_INVALID = -EINVAL,
} ContainerStatus;

const char *container_status_to_string(ContainerStatus s);

typedef struct CreateOptions {
        const char *root;
        const char *id;
        const char *bundle; /* NULL: the current directory */
        const char *pid_file;
        bool no_machine; /* --no-machine: do not register with systemd-machined */
        bool keep_unit;  /* --keep-unit: live in the calling service's unit, in its "payload" cgroup */
        bool relay_notify; /* run in the foreground with NOTIFY_SOCKET set: relay sd_notify */
        bool foreground;   /* run without --detach: a terminal is proxied to runscope's stdio */
        const char *console_socket; /* --console-socket: where the pty master of process.terminal goes */
        const char *pidfd_socket;   /* --pidfd-socket: where the init's pidfd goes */
        int preserve_fds;  /* --preserve-fds N (plus LISTEN_FDS) */
        bool no_pivot, no_new_keyring;
        bool keep;         /* run --keep: the stopped container is not deleted */
} CreateOptions;

/* The annotation that, set to "false", keeps a container out of systemd-machined. */
#define ANNOTATION_MACHINE "org.runscope.machine"
/* Who says READY=1 to the service manager `run` relays sd_notify to: "runscope" (the default), once
 * the container's process has started, or "container", the container itself. */
#define ANNOTATION_NOTIFY_READY "org.runscope.notify-ready"

int container_create(const CreateOptions *o);
int container_start(const char *root, const char *id);
/* create + start; unless detach, waits and deletes, and returns the process's exit status. */
int container_run(const CreateOptions *o, bool detach);
int container_kill(const char *root, const char *id, int sig, bool all);
int container_delete(const char *root, const char *id, bool force);
/* The pids of the container's unit, as systemd reports them (none once stopped). */
int container_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n);

/* runc's event stream: a stats object every interval and an oom object when the OOM killer
 * strikes, until the container's init exits; with stats_only, one stats object. */
int container_events(const char *root, const char *id, bool stats_only, int interval_ms);

typedef struct Spec Spec;
/* SetUnitProperties with the resources of a Spec (see spec_parse_resources()), read back. A cpu.period
 * without a quota gets the unit's current quota (in µs per period) filled in. */
int container_update(const char *root, const char *id, Spec *resources);
/* Freezes (pause) or thaws (resume) every process of the container's unit. */
int container_pause(const char *root, const char *id, bool pause);

/* Loads a container without taking its lock (for state and list); the status is read live. */
int container_load(int root_fd, const char *id, ContainerState **ret_state, ContainerStatus *ret_status);

typedef struct ExecOptions {
        const char *root;
        const char *id;
        const char *process_file; /* --process: a whole process object; the options below are ignored */
        char **args;
        const char *cwd;
        char **env; /* NAME=value: replaces NAME or is added */
        bool has_user;
        uint32_t uid, gid;
        uint32_t *additional_gids; /* --additional-gids: replace the process's; NULL: not given */
        size_t n_additional_gids;
        bool ignore_paused; /* --ignore-paused: a paused container is no refusal */
        char **caps; /* added to every capability set */
        bool no_new_privs;
        bool detach;
        const char *pid_file;
        int preserve_fds;
        bool tty;                   /* -t: process.terminal */
        const char *console_socket; /* --console-socket */
        const char *pidfd_socket;   /* --pidfd-socket: where the process's pidfd goes */
        const char *process_label;  /* --process-label: replaces process.selinuxLabel */
        const char *apparmor;       /* --apparmor: replaces process.apparmorProfile */
} ExecOptions;

/* Runs a process in a created or running container (paused with ignore_paused): its namespaces, its unit, its configured process defaults
 * (user, env, cwd, capabilities, rlimits, no_new_privs) unless overridden. Returns the process's exit
 * status (0 with detach), or -errno. */
int container_exec(const ExecOptions *o);

/* `checkpoint` (runc's flags): the container's processes dumped by CRIU into image_path, then, unless
 * leave_running or pre_dump, the container is deleted as runc deletes it. */
typedef struct CheckpointOptions {
        const char *root;
        const char *id;
        const char *image_path;  /* NULL: ./checkpoint */
        const char *work_path;   /* NULL: image_path (CRIU's log goes there) */
        const char *parent_path; /* relative to image_path: an earlier pre-dump */
        const char *manage_cgroups_mode; /* soft (default), full, strict or ignore */
        bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump;
} CheckpointOptions;

int container_checkpoint(const CheckpointOptions *o);

/* `restore`: a new container id from the bundle, its processes put back by CRIU from image_path in
 * a new scope that systemd makes first. Unless detach, waits and deletes it, and returns its init's
 * exit status. */
typedef struct RestoreOptions {
        const char *root;
        const char *id;
        const char *bundle; /* NULL: the current directory */
        const char *image_path, *work_path;
        const char *pid_file;
        const char *console_socket;
        const char *manage_cgroups_mode;
        const char *lsm_profile, *lsm_mount_context;
        bool detach, no_machine;
        bool tcp_established, tcp_close, ext_unix_sk, shell_job, file_locks;
} RestoreOptions;

int container_restore(const RestoreOptions *o);
