/* Reading the unified cgroup hierarchy for what systemd does not do on a hybrid host (freezing).
 * Paths come from the kernel (/proc/PID/cgroup) or from systemd (a unit's ControlGroup), never
 * from runscope's state. Return -errno, never log. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Where the unified (v2) hierarchy is mounted: /sys/fs/cgroup on a v2 host, /sys/fs/cgroup/unified
 * on a hybrid one; -ENOMEDIUM when there is none. The answer is kept in a static: a program with
 * threads asks once before it starts them (then every call only reads it). */
int cgroup_unified_root(const char **ret);
/* The cgroup of pid on the v1 hierarchy of controller, or (NULL) on the unified one, as
 * "/machine.slice/x.scope"; -ENOMEDIUM when there is no such hierarchy. */
int cgroup_pid_path(pid_t pid, const char *controller, char **ret);
/* The v2 cgroup of pid, as "/machine.slice/x.scope". */
int cgroup_pid_unified_path(pid_t pid, char **ret);
/* The controllers cgroup.controllers of a v2 cgroup lists (space-separated, "" for none). */
int cgroup_controllers(const char *cg, char *buf, size_t size);
/* The value of "KEY N" in a flat keyed cgroup file (cgroup.events, memory.events), read from its
 * start; -EOPNOTSUPP when the file has no such key. */
int cgroup_read_key(int fd, const char *key, uint64_t *ret);
/* 1 if the cgroup (a v2 path) is frozen, 0 if not. */
int cgroup_is_frozen(const char *cg);
/* Writes cgroup.freeze and waits (up to timeout_ms) until cgroup.events says it took effect. */
int cgroup_set_frozen(const char *cg, bool frozen, int timeout_ms);
/* Whether the memory controller is on a v1 hierarchy (a hybrid or legacy host). */
bool cgroup_memory_is_v1(void);
/* memory.memsw.limit_in_bytes of a cgroup of the v1 memory hierarchy (memory plus swap), which
 * systemd does not manage there (its MemorySwapMax is v2 only). UINT64_MAX means no limit. */
int cgroup_v1_memsw_set(const char *cg, uint64_t bytes);
/* Its current value, UINT64_MAX for none. */
int cgroup_v1_memsw_get(const char *cg, uint64_t *ret);
/* The child of a delegated unit's cgroup that a --keep-unit container lives in (and its execs). */
#define CGROUP_PAYLOAD "payload"
/* Moves pid into the "payload" child of a delegated unit's cgroup (cg, as systemd reports it), on
 * every hierarchy where the unit has a cgroup: the delegated subtree is ours to shape. */
int cgroup_attach_payload(const char *cg, pid_t pid);
