/* What runscope remembers of a container: <root>/<id>/state.json, written atomically, and the
 * lock that serializes commands on one container. It names the systemd unit, never a cgroup path. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/alloc.h"

#define STATE_ROOT_DEFAULT "/run/runscope"
#define STATE_ID_MAX 1024
#define STATE_MAX_SIZE ((size_t) 1024 * 1024) /* of state.json */

typedef struct ContainerState {
        char *id;
        char *bundle;
        char *rootfs;
        pid_t pid;
        uint64_t pid_start_time;
        char *created; /* RFC 3339, UTC */
        uid_t owner;
        char *unit;
        char *slice;
        char *machine; /* the systemd-machined name, or NULL when not registered */
        bool kept_unit; /* unit is the service runscope ran in (--keep-unit), not a scope of its own */
        char **annotations; /* key, value, … */
} ContainerState;

ContainerState *state_free(ContainerState *s);
DEFINE_CLEANUP(ContainerState *, state_free);

/* Logs and fails for ids that are empty, too long, start with '-' or '.', or hold anything but
 * letters, digits and "_+-.": such an id could escape the root or read as an option. */
int state_validate_id(const char *id);
/* Opens (creating it 0700 if missing) the state root. */
int state_root_open(const char *root, int *ret_fd);
/* Makes <root>/<id> and returns it locked; -EEXIST (logged) if the id is in use. */
int state_create(int root_fd, const char *id, int *ret_dir_fd);
/* Opens <root>/<id> and waits for its lock; -ENOENT (logged) if there is no such container. */
int state_open(int root_fd, const char *id, int *ret_dir_fd);
/* 1 if <root>/<id> exists (complete or not), 0 if not; logs only other errors. */
int state_exists(int root_fd, const char *id);
int state_save(int dir_fd, const ContainerState *s);
/* Keeps <bundle>/config.json as <root>/<id>/config.json, for exec. */
int state_save_config(int dir_fd, const char *bundle);
/* Reads state.json; -ENOENT (not logged) if the container was never completely created. */
int state_load(int dir_fd, const char *id, ContainerState **ret);
/* state.json text of the container id into a ContainerState; -EBADMSG (logged) if it is not. */
int state_parse(const char *text, const char *id, ContainerState **ret);
int state_remove(int root_fd, const char *id);
/* The ids under the root, sorted. */
int state_list(int root_fd, char ***ret);
/* Now, in the RFC 3339 form OCI state uses. */
int state_now(char **ret);
