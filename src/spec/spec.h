/* The typed OCI runtime configuration (config.json). Everything the rest of runscope knows of a
 * bundle's configuration is in these structs; cJSON never leaves src/spec/. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/alloc.h"

typedef enum NamespaceType {
        NAMESPACE_PID,
        NAMESPACE_NETWORK,
        NAMESPACE_MOUNT,
        NAMESPACE_IPC,
        NAMESPACE_UTS,
        NAMESPACE_USER,
        NAMESPACE_CGROUP,
        NAMESPACE_TIME,
        _NAMESPACE_MAX,
        _NAMESPACE_INVALID = -EINVAL,
} NamespaceType;

NamespaceType namespace_type_from_string(const char *s);
const char *namespace_type_to_string(NamespaceType t);
/* The CLONE_NEW* flag of a namespace type. */
unsigned long namespace_type_clone_flag(NamespaceType t);

typedef struct SpecRlimit {
        int resource;
        uint64_t soft, hard;
} SpecRlimit;

typedef struct SpecCapabilities {
        uint64_t bounding, effective, inheritable, permitted, ambient; /* bit n = capability n */
} SpecCapabilities;

typedef struct SpecProcess {
        bool terminal;
        bool has_console_size;
        uint32_t console_height, console_width;
        uint32_t uid, gid;
        uint32_t *additional_gids;
        size_t n_additional_gids;
        bool has_umask;
        uint32_t umask;
        char **args;
        char **env;
        char *cwd;
        bool has_capabilities;
        SpecCapabilities capabilities;
        char *selinux_label;    /* NULL where SELinux is off, after spec_drop_labels() */
        char *apparmor_profile; /* NULL where AppArmor is off, likewise */
        SpecRlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        bool has_oom_score_adj;
        int32_t oom_score_adj;
        bool has_io_priority;
        int io_class; /* IOPRIO_CLASS_* */
        int32_t io_priority;
        bool has_scheduler;
        int sched_policy; /* SCHED_* */
        int32_t sched_nice, sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
        uint64_t sched_flags; /* SCHED_FLAG_* bits */
        char *cpu_affinity_initial, *cpu_affinity_final; /* "0-3,5" */
} SpecProcess;

typedef struct SpecIdMapping SpecIdMapping;

typedef struct SpecMount {
        char *destination;
        char *type;
        char *source;
        char **options;
        bool idmap, ridmap; /* an idmapped bind mount (ridmap: and every mount under it) */
        SpecIdMapping *uid_mappings, *gid_mappings; /* its own; else the container's */
        size_t n_uid_mappings, n_gid_mappings;
} SpecMount;

typedef struct SpecNamespace {
        NamespaceType type;
        char *path;
} SpecNamespace;

typedef struct SpecDeviceRule {
        bool allow;
        char type; /* 'a', 'c' or 'b' */
        int64_t major, minor; /* -1: any */
        char access[4];
} SpecDeviceRule;

typedef enum BlkioList {
        BLKIO_WEIGHT_DEVICE,
        BLKIO_THROTTLE_READ_BPS,
        BLKIO_THROTTLE_WRITE_BPS,
        BLKIO_THROTTLE_READ_IOPS,
        BLKIO_THROTTLE_WRITE_IOPS,
        _BLKIO_MAX,
} BlkioList;

typedef struct SpecBlockDevice {
        int64_t major, minor;
        uint64_t value; /* weight, or rate */
} SpecBlockDevice;

/* A limit is applied only where its has_* flag is set. */
typedef struct SpecResources {
        bool has_memory_limit, has_memory_reservation, has_memory_swap;
        int64_t memory_limit, memory_reservation, memory_swap;
        bool has_cpu_shares, has_cpu_quota, has_cpu_period;
        uint64_t cpu_shares, cpu_period;
        int64_t cpu_quota;
        char *cpu_cpus, *cpu_mems; /* "0-3,5" */
        bool has_pids_limit;
        int64_t pids_limit;
        SpecDeviceRule *devices;
        size_t n_devices;
        bool has_blkio_weight;
        uint32_t blkio_weight;
        SpecBlockDevice *blkio[_BLKIO_MAX]; /* per-device weights and throttles */
        size_t n_blkio[_BLKIO_MAX];
        char **unified; /* key, value, … */
} SpecResources;

struct SpecIdMapping {
        uint32_t container_id, host_id, size;
};

/* linux.timeOffsets, for a new time namespace: what its clocks add to the host's. */
typedef enum TimeClock { TIME_CLOCK_MONOTONIC, TIME_CLOCK_BOOTTIME, _TIME_CLOCK_MAX } TimeClock;
extern const char *const time_clock_names[_TIME_CLOCK_MAX];
typedef struct SpecTimeOffset {
        bool set;
        int64_t secs;
        uint32_t nanosecs;
} SpecTimeOffset;

typedef struct SpecDevice {
        char *path;
        char type; /* c, b, u (unbuffered char) or p (fifo) */
        int64_t major, minor;
        bool has_file_mode, has_uid, has_gid;
        uint32_t file_mode, uid, gid;
} SpecDevice;

typedef enum HookKind {
        HOOK_PRESTART,
        HOOK_CREATE_RUNTIME,
        HOOK_CREATE_CONTAINER,
        HOOK_START_CONTAINER,
        HOOK_POSTSTART,
        HOOK_POSTSTOP,
        _HOOK_MAX,
} HookKind;

typedef struct SpecHook {
        char *path;
        char **args, **env;
        bool has_timeout;
        int32_t timeout; /* seconds */
} SpecHook;

typedef struct SpecSeccompArg {
        uint32_t index;
        uint64_t value, value_two;
        int op; /* enum scmp_compare */
} SpecSeccompArg;

typedef struct SpecSeccompRule {
        char **names;
        int *syscalls; /* resolved for the native architecture */
        size_t n_syscalls;
        uint32_t action; /* a libseccomp action, errno included */
        SpecSeccompArg *args;
        size_t n_args;
} SpecSeccompRule;

typedef struct SpecSeccomp {
        uint32_t default_action;
        uint32_t *arches; /* SCMP_ARCH_* tokens */
        size_t n_arches;
        bool tsync, log, spec_allow;
        /* Per architecture of the filter (native first), the highest syscall number the rules name:
         * above it a syscall is newer than the profile. An architecture with none is left out. */
        struct {
                uint32_t arch;
                uint32_t nr;
        } *last;
        size_t n_last;
        SpecSeccompRule *rules;
        size_t n_rules;
        bool notify;           /* a rule is SCMP_ACT_NOTIFY: the filter's listener goes to listener_path */
        char *listener_path;   /* a unix socket on the host */
        char *listener_metadata;
} SpecSeccomp;

/* linux.memoryPolicy: set_mempolicy(2)'s mode (MPOL_*), its MPOL_F_* flags, and a node list. */
typedef struct SpecMemoryPolicy {
        int mode, flags;
        char *nodes;
} SpecMemoryPolicy;

typedef struct Spec {
        char *oci_version;
        char *root_path;
        bool root_readonly;
        SpecProcess process;
        char *hostname;
        char *domainname;
        char *mount_label; /* linux.mountLabel: context= of the mounts that take one; see spec_drop_labels() */
        bool has_personality;
        unsigned long personality; /* PER_LINUX or PER_LINUX32 */
        SpecMount *mounts;
        size_t n_mounts;
        SpecNamespace *namespaces;
        size_t n_namespaces;
        SpecResources resources;
        char *cgroups_path;
        char *rootfs_propagation;
        char **masked_paths;
        char **readonly_paths;
        SpecSeccomp *seccomp; /* NULL: no filter */
        char **sysctl;        /* key, value, … */
        SpecDevice *devices;  /* linux.devices: nodes made in the container */
        size_t n_devices;
        SpecIdMapping *uid_mappings, *gid_mappings; /* with a new user namespace */
        size_t n_uid_mappings, n_gid_mappings;
        SpecTimeOffset time_offsets[_TIME_CLOCK_MAX];
        char **net_devices; /* linux.netDevices: host name, name in the container ("": the same), … */
        bool has_memory_policy;
        SpecMemoryPolicy memory_policy;
        SpecHook *hooks[_HOOK_MAX];
        size_t n_hooks[_HOOK_MAX];
        char **annotations; /* key, value, key, value, … */
} Spec;

SpecSeccomp *spec_seccomp_free(SpecSeccomp *s);
DEFINE_CLEANUP(SpecSeccomp *, spec_seccomp_free);
Spec *spec_free(Spec *s);
DEFINE_CLEANUP(Spec *, spec_free);

/* Parses config.json text completely; errors name the JSON path and are logged here. */
int spec_parse(const char *text, Spec **ret);
/* spec_parse() of a configuration parsed once already (the state directory's copy, at exec or a
 * hook): its warnings were given then, and are not repeated, unless --debug. */
int spec_reparse(const char *text, Spec **ret);
/* The largest config.json read, the bundle's and the copy in the state directory alike. */
#define SPEC_MAX_SIZE ((size_t) 16 * 1024 * 1024)
/* Reads and parses <bundle>/config.json. */
int spec_load(const char *bundle, Spec **ret);
/* A JSON array of strings (CRIU's descriptors.json, as runc writes it); errors name file. */
int spec_parse_strings(const char *text, const char *file, char ***ret);
/* The default configuration `runscope spec` writes, as JSON text (caller frees). */
char *spec_default_json(void);
/* `runscope spec --rootless`'s, for uid and gid with their first subordinate ranges (NULL or size 0:
 * none), in sub_*->host_id and size. */
int spec_rootless_json(uid_t uid, gid_t gid, const SpecIdMapping *sub_uids, const SpecIdMapping *sub_gids, char **ret);

/* Parses a process object (as `exec --process FILE` gets it) into s->process of a new Spec. */
int spec_parse_process(const char *text, Spec **ret);
/* Parses a LinuxResources object (as `update --resources FILE` gets it) into s->resources. */
int spec_parse_resources(const char *text, Spec **ret);
/* "CAP_SYS_ADMIN" -> 21; -EINVAL for names libcap does not know. */
int spec_capability_from_name(const char *name);
/* The kernel's last capability (cap_last_cap), as libcap found it. */
int spec_capability_last(void);
/* The bit of capability `name` for a kernel whose last capability is last_cap; 0, after a warning
 * naming `what` (a JSON path or a flag) and the name, for a name no capability has or that kernel
 * lacks: runtime-spec 1.1 says to warn, and not fail, and runc does the same for a kernel's lack. */
uint64_t spec_capability_bit(const char *what, const char *name, int last_cap);

/* The labels of an LSM the host has not enabled (host_lsms: lsm_enabled()'s LSM_* mask) mean nothing
 * there and are dropped, as runc and crun ignore them (said at debug level); so are empty ones. What is
 * left of linux.mountLabel, process.selinuxLabel and process.apparmorProfile is to be applied. */
void spec_drop_labels(Spec *s, unsigned host_lsms);

/* The entry of linux.namespaces of type t (each type is there at most once), or NULL. */
const SpecNamespace *spec_namespace(const Spec *s, NamespaceType t);
bool spec_has_namespace(const Spec *s, NamespaceType t);
/* Whether the container's processes may hold CAP_SYS_PTRACE in the host's user namespace, where
 * runscope's launchers run: then /proc/PID/exe of a launcher is open to them (see util/sealed.c). */
bool spec_can_ptrace_host(const Spec *s);
const char *spec_annotation(const Spec *s, const char *key);
