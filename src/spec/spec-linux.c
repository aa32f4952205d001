/* Parsers for the `linux` object and `mounts`: namespaces, resources, device rules, paths.
 * Refuses what runscope cannot honour instead of ignoring it, so no limit is ever looser than asked. */
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"
#include "util/log.h"
#include "util/strv.h"

static const char *const namespace_names[_NAMESPACE_MAX] = {
        [NAMESPACE_PID] = "pid",   [NAMESPACE_NETWORK] = "network", [NAMESPACE_MOUNT] = "mount",
        [NAMESPACE_IPC] = "ipc",   [NAMESPACE_UTS] = "uts",         [NAMESPACE_USER] = "user",
        [NAMESPACE_CGROUP] = "cgroup", [NAMESPACE_TIME] = "time",
};

NamespaceType namespace_type_from_string(const char *s) {
        for (int i = 0; i < _NAMESPACE_MAX; i++)
                if (strcmp(namespace_names[i], s) == 0)
                        return (NamespaceType) i;
        return _NAMESPACE_INVALID;
}

const char *namespace_type_to_string(NamespaceType t) {
        return t >= 0 && t < _NAMESPACE_MAX ? namespace_names[t] : NULL;
}

unsigned long namespace_type_clone_flag(NamespaceType t) {
        static const unsigned long flags[_NAMESPACE_MAX] = {
                [NAMESPACE_PID] = CLONE_NEWPID, [NAMESPACE_NETWORK] = CLONE_NEWNET,
                [NAMESPACE_MOUNT] = CLONE_NEWNS, [NAMESPACE_IPC] = CLONE_NEWIPC,
                [NAMESPACE_UTS] = CLONE_NEWUTS, [NAMESPACE_USER] = CLONE_NEWUSER,
                [NAMESPACE_CGROUP] = CLONE_NEWCGROUP, [NAMESPACE_TIME] = 0x00000080 /* CLONE_NEWTIME */,
        };
        return t >= 0 && t < _NAMESPACE_MAX ? flags[t] : 0;
}

static int parse_namespace_type(const cJSON *j, const char *path, void *dest) {
        NamespaceType t = cJSON_IsString(j) ? namespace_type_from_string(j->valuestring) : _NAMESPACE_INVALID;
        if (t < 0)
                return spec_error(EINVAL, path, "unknown namespace type%s%s", cJSON_IsString(j) ? " " : "",
                                  cJSON_IsString(j) ? j->valuestring : "");
        *(NamespaceType *) dest = t;
        return 0;
}

static const SpecField namespace_fields[] = {
        { "type", FIELD_CUSTOM, offsetof(SpecNamespace, type), FIELD_REQUIRED, .parse = parse_namespace_type },
        { "path", FIELD_ABSPATH, offsetof(SpecNamespace, path) },
        {}
};

static int parse_namespaces(const cJSON *j, const char *path, void *dest) {
        Spec *s = (Spec *) ((char *) dest - offsetof(Spec, namespaces));
        unsigned seen = 0;
        char ep[512];
        const cJSON *e;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        s->namespaces = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(SpecNamespace));
        if (!s->namespaces)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                SpecNamespace *ns = &s->namespaces[s->n_namespaces];
                spec_path_index(ep, sizeof(ep), path, s->n_namespaces);
                ns->type = _NAMESPACE_INVALID;
                s->n_namespaces++; /* counted before parsing, so spec_free() sees a half-parsed entry */
                r = spec_parse_object(e, ep, namespace_fields, ns);
                if (r < 0)
                        return r;
                if (seen & (1u << ns->type))
                        return spec_error(EINVAL, ep, "namespace '%s' is listed twice",
                                          namespace_type_to_string(ns->type));
                seen |= 1u << ns->type;
        }
        return 0;
}

static int parse_device_type(const cJSON *j, const char *path, void *dest) {
        if (!cJSON_IsString(j) || strlen(j->valuestring) != 1 || !strchr("acb", j->valuestring[0]))
                return spec_error(EINVAL, path, "expected \"a\", \"c\" or \"b\"");
        *(char *) dest = j->valuestring[0];
        return 0;
}

static int parse_device_access(const cJSON *j, const char *path, void *dest) {
        if (!cJSON_IsString(j) || strlen(j->valuestring) > 3 || strspn(j->valuestring, "rwm") != strlen(j->valuestring))
                return spec_error(EINVAL, path, "expected a combination of r, w and m");
        /* Into SpecDeviceRule.access, char[4]: at most 3 letters and the NUL, checked above. */
        memcpy(dest, j->valuestring, strlen(j->valuestring) + 1);
        return 0;
}

static const SpecField device_rule_fields[] = {
        { "allow", FIELD_BOOL, offsetof(SpecDeviceRule, allow), FIELD_REQUIRED },
        { "type", FIELD_CUSTOM, offsetof(SpecDeviceRule, type), .parse = parse_device_type },
        { "major", FIELD_INT64, offsetof(SpecDeviceRule, major) },
        { "minor", FIELD_INT64, offsetof(SpecDeviceRule, minor) },
        { "access", FIELD_CUSTOM, offsetof(SpecDeviceRule, access), .parse = parse_device_access },
        {}
};

static int parse_device_rules(const cJSON *j, const char *path, void *dest) {
        SpecResources *res = (SpecResources *) ((char *) dest - offsetof(SpecResources, devices));
        char ep[512];
        const cJSON *e;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        res->devices = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(SpecDeviceRule));
        if (!res->devices)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                SpecDeviceRule *d = &res->devices[res->n_devices];
                spec_path_index(ep, sizeof(ep), path, res->n_devices);
                *d = (SpecDeviceRule) { .type = 'a', .major = -1, .minor = -1, .access = "rwm" };
                r = spec_parse_object(e, ep, device_rule_fields, d);
                if (r < 0)
                        return r;
                res->n_devices++;
        }
        return 0;
}

static int parse_disable_oom_killer(const cJSON *j, const char *path, void *dest) {
        if (!cJSON_IsBool(j))
                return spec_error(EINVAL, path, "expected true or false");
        if (cJSON_IsTrue(j))
                return spec_error(EOPNOTSUPP, path, "systemd cannot turn the OOM killer off (cgroup v2 has no such switch)");
        return 0;
}

static const SpecField block_device_fields[] = {
        { "major", FIELD_INT64, offsetof(SpecBlockDevice, major), FIELD_REQUIRED },
        { "minor", FIELD_INT64, offsetof(SpecBlockDevice, minor), FIELD_REQUIRED },
        { "weight", FIELD_UINT64, offsetof(SpecBlockDevice, value) },
        { "rate", FIELD_UINT64, offsetof(SpecBlockDevice, value) },
        { "leafWeight", FIELD_UNSUPPORTED, .why = "systemd has no leaf weight" },
        {}
};

static int parse_block_devices(const cJSON *j, const char *path, void *dest, BlkioList which) {
        SpecResources *res = (SpecResources *) ((char *) dest - offsetof(SpecResources, blkio) -
                                                (size_t) which * sizeof(SpecBlockDevice *));
        SpecBlockDevice **list = &res->blkio[which];
        size_t *n = &res->n_blkio[which];
        char ep[512];
        const cJSON *e;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        *list = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(SpecBlockDevice));
        if (!*list)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                spec_path_index(ep, sizeof(ep), path, *n);
                r = spec_parse_object(e, ep, block_device_fields, &(*list)[*n]);
                if (r < 0)
                        return r;
                if ((*list)[*n].major < 0 || (*list)[*n].minor < 0)
                        return spec_error(EINVAL, ep, "major and minor must not be negative");
                (*n)++;
        }
        return 0;
}

#define BLKIO_PARSER(func, which)                                                                         \
        static int func(const cJSON *j, const char *path, void *dest) {                                   \
                return parse_block_devices(j, path, dest, which);                                         \
        }
BLKIO_PARSER(parse_weight_devices, BLKIO_WEIGHT_DEVICE)
BLKIO_PARSER(parse_read_bps, BLKIO_THROTTLE_READ_BPS)
BLKIO_PARSER(parse_write_bps, BLKIO_THROTTLE_WRITE_BPS)
BLKIO_PARSER(parse_read_iops, BLKIO_THROTTLE_READ_IOPS)
BLKIO_PARSER(parse_write_iops, BLKIO_THROTTLE_WRITE_IOPS)

#define R(member) offsetof(Spec, resources.member)
static const SpecField memory_fields[] = {
        { "limit", FIELD_INT64, R(memory_limit), .has = HAS(Spec, resources.has_memory_limit) },
        { "reservation", FIELD_INT64, R(memory_reservation), .has = HAS(Spec, resources.has_memory_reservation) },
        { "swap", FIELD_INT64, R(memory_swap), .has = HAS(Spec, resources.has_memory_swap) },
        { "disableOOMKiller", FIELD_CUSTOM, 0, .parse = parse_disable_oom_killer },
        { "swappiness", FIELD_UNSUPPORTED, .why = "systemd has no swappiness setting" },
        { "kernel", FIELD_UNSUPPORTED, .why = "kernel memory limits are gone from the kernel" },
        { "kernelTCP", FIELD_UNSUPPORTED, .why = "kernel memory limits are gone from the kernel" },
        { "useHierarchy", FIELD_UNSUPPORTED, .why = "systemd always uses the hierarchy" },
        { "checkBeforeUpdate", FIELD_UNSUPPORTED },
        {}
};

static const SpecField cpu_fields[] = {
        { "shares", FIELD_UINT64, R(cpu_shares), .has = HAS(Spec, resources.has_cpu_shares) },
        { "quota", FIELD_INT64, R(cpu_quota), .has = HAS(Spec, resources.has_cpu_quota) },
        { "period", FIELD_UINT64, R(cpu_period), .has = HAS(Spec, resources.has_cpu_period) },
        { "cpus", FIELD_STRING, R(cpu_cpus) },
        { "mems", FIELD_STRING, R(cpu_mems) },
        { "realtimeRuntime", FIELD_UNSUPPORTED, .why = "systemd has no real-time CPU budget" },
        { "realtimePeriod", FIELD_UNSUPPORTED, .why = "systemd has no real-time CPU budget" },
        { "idle", FIELD_UNSUPPORTED },
        { "burst", FIELD_UNSUPPORTED, .why = "systemd 252 has no CPU burst setting" },
        {}
};

static const SpecField pids_fields[] = {
        { "limit", FIELD_INT64, R(pids_limit), FIELD_REQUIRED, .has = HAS(Spec, resources.has_pids_limit) },
        {}
};

static const SpecField blkio_fields[] = {
        { "weight", FIELD_UINT32, R(blkio_weight), .has = HAS(Spec, resources.has_blkio_weight) },
        { "leafWeight", FIELD_UNSUPPORTED, .why = "systemd has no leaf weight" },
        { "weightDevice", FIELD_CUSTOM, R(blkio[BLKIO_WEIGHT_DEVICE]), .parse = parse_weight_devices },
        { "throttleReadBpsDevice", FIELD_CUSTOM, R(blkio[BLKIO_THROTTLE_READ_BPS]), .parse = parse_read_bps },
        { "throttleWriteBpsDevice", FIELD_CUSTOM, R(blkio[BLKIO_THROTTLE_WRITE_BPS]), .parse = parse_write_bps },
        { "throttleReadIOPSDevice", FIELD_CUSTOM, R(blkio[BLKIO_THROTTLE_READ_IOPS]), .parse = parse_read_iops },
        { "throttleWriteIOPSDevice", FIELD_CUSTOM, R(blkio[BLKIO_THROTTLE_WRITE_IOPS]), .parse = parse_write_iops },
        {}
};

const SpecField spec_resources_fields[] = {
        { "memory", FIELD_OBJECT, 0, .fields = memory_fields },
        { "cpu", FIELD_OBJECT, 0, .fields = cpu_fields },
        { "pids", FIELD_OBJECT, 0, .fields = pids_fields },
        { "devices", FIELD_CUSTOM, R(devices), .parse = parse_device_rules },
        { "blockIO", FIELD_OBJECT, 0, .fields = blkio_fields },
        { "unified", FIELD_CUSTOM, R(unified), .parse = spec_parse_annotations },
        { "hugepageLimits", FIELD_UNSUPPORTED, .why = "systemd has no hugetlb limits" },
        { "network", FIELD_UNSUPPORTED, .why = "systemd has no net_cls/net_prio settings" },
        { "rdma", FIELD_UNSUPPORTED, .why = "systemd has no rdma limits" },
        {}
};
#undef R

static int parse_propagation(const cJSON *j, const char *path, void *dest) {
        static const char *const allowed[] = { "private", "rprivate", "slave", "rslave", "shared",
                                                "rshared", "unbindable", "runbindable" };
        if (cJSON_IsString(j))
                for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                        if (strcmp(allowed[i], j->valuestring) == 0) {
                                char *s = strdup(j->valuestring);
                                if (!s)
                                        return log_oom();
                                *(char **) dest = s;
                                return 0;
                        }
        return spec_error(EINVAL, path, "expected one of private, slave, shared, unbindable (or r-prefixed)");
}

static int parse_node_type(const cJSON *j, const char *path, void *dest) {
        if (!cJSON_IsString(j) || strlen(j->valuestring) != 1 || !strchr("cbup", j->valuestring[0]))
                return spec_error(EINVAL, path, "expected \"c\", \"b\", \"u\" or \"p\"");
        *(char *) dest = j->valuestring[0];
        return 0;
}

static const SpecField device_fields[] = {
        { "path", FIELD_ABSPATH, offsetof(SpecDevice, path), FIELD_REQUIRED },
        { "type", FIELD_CUSTOM, offsetof(SpecDevice, type), FIELD_REQUIRED, .parse = parse_node_type },
        { "major", FIELD_INT64, offsetof(SpecDevice, major) },
        { "minor", FIELD_INT64, offsetof(SpecDevice, minor) },
        { "fileMode", FIELD_UINT32, offsetof(SpecDevice, file_mode), .has = HAS(SpecDevice, has_file_mode) },
        { "uid", FIELD_UINT32, offsetof(SpecDevice, uid), .has = HAS(SpecDevice, has_uid) },
        { "gid", FIELD_UINT32, offsetof(SpecDevice, gid), .has = HAS(SpecDevice, has_gid) },
        {}
};

static int parse_devices(const cJSON *j, const char *path, void *dest) {
        Spec *s = (Spec *) ((char *) dest - offsetof(Spec, devices));
        char ep[512];
        const cJSON *e;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        s->devices = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(SpecDevice));
        if (!s->devices)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                SpecDevice *d = &s->devices[s->n_devices++];
                spec_path_index(ep, sizeof(ep), path, s->n_devices - 1);
                r = spec_parse_object(e, ep, device_fields, d);
                if (r < 0)
                        return r;
                if (d->type != 'p' && (d->major < 0 || d->minor < 0 || d->major > 4095 || d->minor > 1048575))
                        return spec_error(EINVAL, ep, "needs a major (0-4095) and minor (0-1048575)");
                /* Anywhere in the rootfs (runtime-spec 1.1), but a node of its own: not / itself. */
                const char *name = strrchr(d->path, '/') + 1;
                if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                        return spec_error(EINVAL, ep, "path %s does not name a node", d->path);
        }
        return 0;
}

static const SpecField id_mapping_fields[] = {
        { "containerID", FIELD_UINT32, offsetof(SpecIdMapping, container_id), FIELD_REQUIRED },
        { "hostID", FIELD_UINT32, offsetof(SpecIdMapping, host_id), FIELD_REQUIRED },
        { "size", FIELD_UINT32, offsetof(SpecIdMapping, size), FIELD_REQUIRED },
        {}
};

static int parse_id_mappings(const cJSON *j, const char *path, SpecIdMapping **list, size_t *n) {
        char ep[512];
        const cJSON *e;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        /* The kernel takes at most 340 lines in a map. */
        if (cJSON_GetArraySize(j) > 340)
                return spec_error(EINVAL, path, "more than 340 mappings");
        *list = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(SpecIdMapping));
        if (!*list)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                spec_path_index(ep, sizeof(ep), path, *n);
                r = spec_parse_object(e, ep, id_mapping_fields, &(*list)[*n]);
                if (r < 0)
                        return r;
                if ((*list)[*n].size == 0)
                        return spec_error(EINVAL, ep, "size must be at least 1");
                (*n)++;
        }
        return 0;
}

static int parse_uid_mappings(const cJSON *j, const char *path, void *dest) {
        Spec *s = (Spec *) ((char *) dest - offsetof(Spec, uid_mappings));
        return parse_id_mappings(j, path, &s->uid_mappings, &s->n_uid_mappings);
}

static int parse_gid_mappings(const cJSON *j, const char *path, void *dest) {
        Spec *s = (Spec *) ((char *) dest - offsetof(Spec, gid_mappings));
        return parse_id_mappings(j, path, &s->gid_mappings, &s->n_gid_mappings);
}

/* The clocks a time namespace offsets, by their name in timens_offsets(5) and the spec. */
const char *const time_clock_names[_TIME_CLOCK_MAX] = { [TIME_CLOCK_MONOTONIC] = "monotonic",
                                                        [TIME_CLOCK_BOOTTIME] = "boottime" };

static int parse_time_offsets(const cJSON *j, const char *path, void *dest) {
        SpecTimeOffset *offsets = dest;
        char ep[512], fp[600];
        const cJSON *e;
        int64_t v;
        int r;

        if (!cJSON_IsObject(j))
                return spec_error(EINVAL, path, "expected an object");
        cJSON_ArrayForEach(e, j) {
                spec_path_join(ep, sizeof(ep), path, e->string);
                int c = -1;
                for (int i = 0; i < _TIME_CLOCK_MAX; i++)
                        if (strcmp(e->string, time_clock_names[i]) == 0)
                                c = i;
                /* Only these two clocks can be offset; another name cannot be honoured. */
                if (c < 0)
                        return spec_error(EINVAL, ep, "unknown clock: a time namespace offsets monotonic and boottime");
                if (!cJSON_IsObject(e))
                        return spec_error(EINVAL, ep, "expected an object with secs and nanosecs");
                offsets[c].set = true;
                const cJSON *secs = cJSON_GetObjectItemCaseSensitive(e, "secs");
                const cJSON *nsecs = cJSON_GetObjectItemCaseSensitive(e, "nanosecs");
                if (secs && !cJSON_IsNull(secs)) {
                        spec_path_join(fp, sizeof(fp), ep, "secs");
                        r = spec_int64(secs, fp, INT64_MIN, INT64_MAX, &offsets[c].secs);
                        if (r < 0)
                                return r;
                }
                if (nsecs && !cJSON_IsNull(nsecs)) {
                        spec_path_join(fp, sizeof(fp), ep, "nanosecs");
                        r = spec_int64(nsecs, fp, 0, 999999999, &v);
                        if (r < 0)
                                return r;
                        offsets[c].nanosecs = (uint32_t) v;
                }
        }
        return 0;
}

int spec_check_time_namespace(const Spec *s) {
        const SpecNamespace *ns = spec_namespace(s, NAMESPACE_TIME);
        bool own = ns && !ns->path;

        for (int i = 0; i < _TIME_CLOCK_MAX; i++)
                if (s->time_offsets[i].set && !own)
                        return spec_error(EINVAL, "linux.timeOffsets", "offsets need a new time namespace in linux.namespaces");
        return 0;
}

int spec_check_user_namespace(const Spec *s) {
        const SpecNamespace *ns = spec_namespace(s, NAMESPACE_USER);
        bool userns = ns, joined = ns && ns->path;

        /* A namespace joined by path has its maps already; the kernel takes a map only once. */
        if (joined && (s->n_uid_mappings > 0 || s->n_gid_mappings > 0))
                return spec_error(EINVAL, "linux.uidMappings", "a user namespace joined by path has its mappings already");
        for (size_t i = 0; i < s->n_mounts; i++)
                if ((s->mounts[i].idmap || s->mounts[i].ridmap) && s->mounts[i].n_uid_mappings == 0 &&
                    (s->n_uid_mappings == 0 || s->n_gid_mappings == 0)) {
                        char p[64];
                        spec_path_index(p, sizeof(p), "mounts", i);
                        return spec_error(EINVAL, p, "idmap needs uidMappings and gidMappings, the mount's or the container's");
                }
        if (userns && !joined && (s->n_uid_mappings == 0 || s->n_gid_mappings == 0))
                return spec_error(EINVAL, "linux.uidMappings", "a user namespace needs uidMappings and gidMappings");
        if (!userns && (s->n_uid_mappings > 0 || s->n_gid_mappings > 0))
                return spec_error(EINVAL, "linux.uidMappings", "mappings need a user namespace in linux.namespaces");
        return 0;
}

/* runc's rule: a sysctl is set only in a namespace the container has of its own. */
int spec_check_sysctl(const Spec *s) {
        static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                                "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                                "kernel.shm_rmid_forced" };
        char p[512];

        for (char **k = s->sysctl; k && k[0] && k[1]; k += 2) {
                NamespaceType need = _NAMESPACE_INVALID;
                for (size_t i = 0; i < ELEMENTSOF(ipc_keys); i++)
                        if (strcmp(ipc_keys[i], k[0]) == 0)
                                need = NAMESPACE_IPC;
                if (strncmp(k[0], "fs.mqueue.", 10) == 0)
                        need = NAMESPACE_IPC;
                if (strncmp(k[0], "net.", 4) == 0)
                        need = NAMESPACE_NETWORK;
                if (strcmp(k[0], "kernel.hostname") == 0 || strcmp(k[0], "kernel.domainname") == 0)
                        need = NAMESPACE_UTS;
                spec_path_join(p, sizeof(p), "linux.sysctl", k[0]);
                if (need < 0)
                        return spec_error(EINVAL, p, "not a namespaced sysctl: setting it would change the host");
                if (!spec_has_namespace(s, need))
                        return spec_error(EINVAL, p, "needs a %s namespace of the container's own", namespace_type_to_string(need));
                if (strstr(k[0], "..") || strchr(k[0], '/'))
                        return spec_error(EINVAL, p, "not a sysctl name");
                /* As crun: the same value twice is fine, two different ones leave the winner to the
                 * order of setup. */
                bool is_host = strcmp(k[0], "kernel.hostname") == 0;
                const char *field = is_host ? s->hostname : s->domainname;
                if ((is_host || strcmp(k[0], "kernel.domainname") == 0) && field && strcmp(field, k[1]) != 0)
                        return spec_error(EINVAL, p, "'%s' conflicts with %s '%s'", k[1],
                                          is_host ? "hostname" : "domainname", field);
        }
        return 0;
}

const SpecField spec_linux_fields[] = {
        { "namespaces", FIELD_CUSTOM, offsetof(Spec, namespaces), .parse = parse_namespaces },
        { "resources", FIELD_OBJECT, 0, .fields = spec_resources_fields },
        { "cgroupsPath", FIELD_STRING, offsetof(Spec, cgroups_path) },
        { "rootfsPropagation", FIELD_CUSTOM, offsetof(Spec, rootfs_propagation), .parse = parse_propagation },
        { "maskedPaths", FIELD_STRV, offsetof(Spec, masked_paths) },
        { "readonlyPaths", FIELD_STRV, offsetof(Spec, readonly_paths) },
        { "uidMappings", FIELD_CUSTOM, offsetof(Spec, uid_mappings), .parse = parse_uid_mappings },
        { "gidMappings", FIELD_CUSTOM, offsetof(Spec, gid_mappings), .parse = parse_gid_mappings },
        { "timeOffsets", FIELD_CUSTOM, offsetof(Spec, time_offsets), .parse = parse_time_offsets },
        { "devices", FIELD_CUSTOM, offsetof(Spec, devices), .parse = parse_devices },
        { "sysctl", FIELD_CUSTOM, offsetof(Spec, sysctl), .parse = spec_parse_annotations },
        { "seccomp", FIELD_CUSTOM, offsetof(Spec, seccomp), .parse = spec_parse_seccomp },
        { "intelRdt", FIELD_UNSUPPORTED,
          .why = "Intel RDT is not supported by runscope (features: linux.intelRdt.enabled is false)" },
        { "netDevices", FIELD_CUSTOM, offsetof(Spec, net_devices), .parse = spec_parse_net_devices },
        { "memoryPolicy", FIELD_OBJECT, 0, .fields = spec_memory_policy_fields, .has = HAS(Spec, has_memory_policy) },
        { "personality", FIELD_OBJECT, 0, .fields = spec_personality_fields, .has = HAS(Spec, has_personality) },
        { "mountLabel", FIELD_STRING, offsetof(Spec, mount_label) },
        {}
};

static int parse_mount_uid_mappings(const cJSON *j, const char *path, void *dest) {
        SpecMount *m = (SpecMount *) ((char *) dest - offsetof(SpecMount, uid_mappings));
        return parse_id_mappings(j, path, &m->uid_mappings, &m->n_uid_mappings);
}

static int parse_mount_gid_mappings(const cJSON *j, const char *path, void *dest) {
        SpecMount *m = (SpecMount *) ((char *) dest - offsetof(SpecMount, gid_mappings));
        return parse_id_mappings(j, path, &m->gid_mappings, &m->n_gid_mappings);
}

/* A destination in one spelling, so that comparing two is comparing strings: relative ones are
 * relative to the container's / (runtime-spec 1.2), "//" and "/./" are "/", a trailing "/" goes. */
static int parse_destination(const cJSON *j, const char *path, void *dest) {
        if (!cJSON_IsString(j) || !j->valuestring[0])
                return spec_error(EINVAL, path, "expected a non-empty string");
        size_t len = strlen(j->valuestring);
        if (len >= PATH_MAX - 1)
                return spec_error(ENAMETOOLONG, path, "longer than %d bytes", PATH_MAX - 2);
        char *s = malloc(len + 2), *o = s;
        if (!s)
                return log_oom();
        for (const char *p = j->valuestring; *p;) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        *o++ = '/';
                        memcpy(o, p, n);
                        o += n;
                }
                p += n;
        }
        if (o == s)
                *o++ = '/';
        *o = 0;
        free(*(char **) dest);
        *(char **) dest = s;
        return 0;
}

static const SpecField mount_fields[] = {
        { "destination", FIELD_CUSTOM, offsetof(SpecMount, destination), FIELD_REQUIRED, .parse = parse_destination },
        { "type", FIELD_STRING, offsetof(SpecMount, type) },
        { "source", FIELD_STRING, offsetof(SpecMount, source) },
        { "options", FIELD_STRV, offsetof(SpecMount, options) },
        { "uidMappings", FIELD_CUSTOM, offsetof(SpecMount, uid_mappings), .parse = parse_mount_uid_mappings },
        { "gidMappings", FIELD_CUSTOM, offsetof(SpecMount, gid_mappings), .parse = parse_mount_gid_mappings },
        {}
};

/* idmap and ridmap (runc's and crun's options): a bind mount seen through a user namespace's maps. */
static int check_idmap(SpecMount *m, const char *path) {
        bool bind = m->type && strcmp(m->type, "bind") == 0;

        for (char **o = m->options; o && *o; o++) {
                m->idmap = m->idmap || strcmp(*o, "idmap") == 0;
                m->ridmap = m->ridmap || strcmp(*o, "ridmap") == 0;
                bind = bind || strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0;
        }
        if ((m->idmap || m->ridmap) && !bind)
                return spec_error(EINVAL, path, "idmap and ridmap need a bind mount");
        if ((m->n_uid_mappings > 0 || m->n_gid_mappings > 0) && !m->idmap && !m->ridmap)
                return spec_error(EINVAL, path, "uidMappings and gidMappings need the idmap or ridmap option");
        if ((m->n_uid_mappings > 0) != (m->n_gid_mappings > 0))
                return spec_error(EINVAL, path, "an idmapped mount needs both uidMappings and gidMappings");
        return 0;
}

int spec_parse_mounts(const cJSON *j, const char *path, void *dest) {
        Spec *s = (Spec *) ((char *) dest - offsetof(Spec, mounts));
        char ep[512];
        const cJSON *e;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        s->mounts = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(SpecMount));
        if (!s->mounts)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                SpecMount *m = &s->mounts[s->n_mounts++];
                spec_path_index(ep, sizeof(ep), path, s->n_mounts - 1);
                r = spec_parse_object(e, ep, mount_fields, m);
                if (r < 0)
                        return r;
                if (!m->type && !m->options)
                        return spec_error(EINVAL, ep, "needs a type, or a \"bind\" option");
                r = check_idmap(m, ep);
                if (r < 0)
                        return r;
        }
        return 0;
}

int spec_parse_annotations(const cJSON *j, const char *path, void *dest) {
        _cleanup_strv_free_ char **l = NULL;
        char ep[512];
        const cJSON *e;
        size_t n = 0;

        if (!cJSON_IsObject(j))
                return spec_error(EINVAL, path, "expected an object of strings");
        /* Sized once: appending one by one is quadratic in the number of keys. */
        l = calloc(2 * (size_t) cJSON_GetArraySize(j) + 1, sizeof(char *));
        if (!l)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                if (!cJSON_IsString(e)) {
                        spec_path_join(ep, sizeof(ep), path, e->string);
                        return spec_error(EINVAL, ep, "expected a string");
                }
                if (!(l[n++] = strdup(e->string)) || !(l[n++] = strdup(e->valuestring)))
                        return log_oom();
        }
        strv_free(*(char ***) dest);
        *(char ***) dest = TAKE_PTR(l);
        return 0;
}
