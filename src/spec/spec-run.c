/* runscope-run's command line as an OCI configuration: `runscope spec`'s defaults, the host's root
 * read-only unless --rootfs, and -p NAME=VALUE in systemd-run's spelling translated to
 * linux.resources (or, for what OCI has no field for, org.systemd.property.* annotations). Never
 * accepts a property it does not know: the error lists the known ones. */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "spec-internal.h"
#include "spec-run.h"
#include "spec.h"
#include "util/fd.h"
#include "util/log.h"

typedef int (*PropertyFunc)(cJSON *config, const char *name, const char *value);

#define run_error(name, value, fmt, ...) \
        log_error_errno(EINVAL, "-p %s=%s: " fmt, (name), (value), ##__VA_ARGS__)

static cJSON *object_at(cJSON *parent, const char *key) {
        cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);
        if (!o)
                o = cJSON_AddObjectToObject(parent, key);
        return o;
}

static cJSON *resources(cJSON *config) {
        return object_at(object_at(config, "linux"), "resources");
}

static int set_number(cJSON *o, const char *key, double v) {
        cJSON_DeleteItemFromObjectCaseSensitive(o, key);
        return cJSON_AddNumberToObject(o, key, v) ? 0 : log_oom();
}

static int set_string(cJSON *o, const char *key, const char *v) {
        cJSON_DeleteItemFromObjectCaseSensitive(o, key);
        return cJSON_AddStringToObject(o, key, v) ? 0 : log_oom();
}

/* "64M", "1G" (powers of 1024), "50%" of the machine's memory, "infinity". */
static int parse_size(const char *s, bool percent_ok, uint64_t *ret) {
        char *end;
        double v = strtod(s, &end);

        if (strcmp(s, "infinity") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (end == s || !(v >= 0)) /* NaN too */
                return -EINVAL;
        if (strcmp(end, "%") == 0) {
                long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
                if (!percent_ok || v > 100 || pages <= 0 || page <= 0)
                        return -EINVAL;
                *ret = (uint64_t) ((double) pages * (double) page * v / 100.0);
                return 0;
        }
        static const char units[] = "KMGTPE";
        const char *u = *end ? strchr(units, *end) : NULL;
        if (*end && (!u || end[1]))
                return -EINVAL;
        for (const char *k = units; u && k <= u; k++)
                v *= 1024;
        /* Converting 2^64 or more (inf included) to uint64_t is undefined. */
        if (v >= 0x1p64)
                return -ERANGE;
        *ret = (uint64_t) v;
        return 0;
}

static int memory_property(cJSON *config, const char *name, const char *value) {
        static const struct {
                const char *name, *unified;
        } keys[] = { { "MemoryMax", "memory.max" }, { "MemoryHigh", "memory.high" }, { "MemoryLow", "memory.low" },
                     { "MemoryMin", "memory.min" }, { "MemorySwapMax", "memory.swap.max" } };
        char buf[32];
        uint64_t v;

        if (parse_size(value, true, &v) < 0)
                return run_error(name, value, "expected bytes with K, M, G or T, a percentage, or infinity");
        if (v == UINT64_MAX)
                snprintf(buf, sizeof(buf), "max");
        else
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long) v);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(keys[i].name, name) == 0)
                        return set_string(object_at(resources(config), "unified"), keys[i].unified, buf);
        return -EINVAL;
}

static int cpu_weight_property(cJSON *config, const char *name, const char *value) {
        char *end;
        unsigned long v = strtoul(value, &end, 10);
        if (end == value || *end || v < 1 || v > 10000)
                return run_error(name, value, "expected a weight from 1 to 10000");
        return set_string(object_at(resources(config), "unified"), strcmp(name, "CPUWeight") == 0 ? "cpu.weight" : "io.weight",
                          value);
}

static int cpu_quota_property(cJSON *config, const char *name, const char *value) {
        char *end;
        double pct = strtod(value, &end);
        cJSON *cpu = object_at(resources(config), "cpu");
        const cJSON *period = cJSON_GetObjectItemCaseSensitive(cpu, "period");
        double p = cJSON_IsNumber(period) ? period->valuedouble : 100000;
        if (end == value || strcmp(end, "%") != 0 || !(pct > 0) || pct * p / 100.0 >= 0x1p63)
                return run_error(name, value, "expected a percentage of one CPU, like 50%% or 200%%");
        int r = set_number(cpu, "period", p);
        return r < 0 ? r : set_number(cpu, "quota", (double) (int64_t) (pct * p / 100.0 + 0.5));
}

static int cpu_period_property(cJSON *config, const char *name, const char *value) {
        char *end;
        double v = strtod(value, &end);
        double usec = strcmp(end, "ms") == 0 ? v * 1000 : strcmp(end, "s") == 0 || !*end ? v * 1e6 : strcmp(end, "us") == 0 ? v : -1;
        if (end == value || !(usec >= 1000 && usec <= 1000000)) /* NaN too */
                return run_error(name, value, "expected a period from 1ms to 1s");
        cJSON *cpu = object_at(resources(config), "cpu");
        const cJSON *quota = cJSON_GetObjectItemCaseSensitive(cpu, "quota"), *period = cJSON_GetObjectItemCaseSensitive(cpu, "period");
        /* A CPUQuota given first was a percentage of the old period: keep the percentage. */
        if (cJSON_IsNumber(quota) && cJSON_IsNumber(period)) {
                int r = set_number(cpu, "quota", quota->valuedouble * usec / period->valuedouble);
                if (r < 0)
                        return r;
        }
        return set_number(cpu, "period", usec);
}

static int cpuset_property(cJSON *config, const char *name, const char *value) {
        if (!*value || strspn(value, "0123456789-, ") != strlen(value))
                return run_error(name, value, "expected a list like 0-3,5");
        return set_string(object_at(resources(config), "cpu"), strcmp(name, "AllowedCPUs") == 0 ? "cpus" : "mems", value);
}

static int tasks_property(cJSON *config, const char *name, const char *value) {
        char *end;
        if (strcmp(value, "infinity") == 0)
                return set_number(object_at(resources(config), "pids"), "limit", -1);
        unsigned long v = strtoul(value, &end, 10);
        if (end == value || *end || v < 1)
                return run_error(name, value, "expected a number of tasks or infinity");
        return set_number(object_at(resources(config), "pids"), "limit", (double) v);
}

/* "PATH VALUE" with PATH a device node: its major and minor. */
static int device_of(const char *name, const char *value, char *path, size_t size, const char **ret_rest,
                     struct stat *ret_st) {
        const char *space = strchr(value, ' ');
        if (!space || (size_t) (space - value) >= size)
                return run_error(name, value, "expected \"DEVICE VALUE\"");
        snprintf(path, size, "%.*s", (int) (space - value), value);
        if (stat(path, ret_st) < 0 || !(S_ISBLK(ret_st->st_mode) || S_ISCHR(ret_st->st_mode)))
                return run_error(name, value, "%s is not a device node", path);
        *ret_rest = space + 1;
        return 0;
}

static int io_device_property(cJSON *config, const char *name, const char *value) {
        static const struct {
                const char *name, *key;
        } keys[] = { { "IODeviceWeight", "weightDevice" }, { "IOReadBandwidthMax", "throttleReadBpsDevice" },
                     { "IOWriteBandwidthMax", "throttleWriteBpsDevice" }, { "IOReadIOPSMax", "throttleReadIOPSDevice" },
                     { "IOWriteIOPSMax", "throttleWriteIOPSDevice" } };
        char path[256];
        const char *rest;
        struct stat st;
        uint64_t v;
        int r = device_of(name, value, path, sizeof(path), &rest, &st);
        if (r < 0)
                return r;
        if (parse_size(rest, false, &v) < 0 || v == UINT64_MAX)
                return run_error(name, value, "expected a number after the device");
        bool weight = strcmp(name, "IODeviceWeight") == 0;
        if (weight && (v < 1 || v > 10000))
                return run_error(name, value, "expected a weight from 1 to 10000");
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (strcmp(keys[i].name, name) != 0)
                        continue;
                cJSON *list = cJSON_GetObjectItemCaseSensitive(object_at(resources(config), "blockIO"), keys[i].key);
                if (!list)
                        list = cJSON_AddArrayToObject(object_at(resources(config), "blockIO"), keys[i].key);
                cJSON *e = cJSON_CreateObject();
                if (!list || !e)
                        return log_oom();
                cJSON_AddItemToArray(list, e);
                /* OCI weights are blkio's 10…1000, io's 1…10000 mapped back (a whole number: the
                 * division truncates on purpose). */
                uint64_t blkio_weight = 10 + (v - 1) * 990 / 9999;
                if (!cJSON_AddNumberToObject(e, "major", major(st.st_rdev)) ||
                    !cJSON_AddNumberToObject(e, "minor", minor(st.st_rdev)) ||
                    !cJSON_AddNumberToObject(e, weight ? "weight" : "rate", (double) (weight ? blkio_weight : v)))
                        return log_oom();
                return 0;
        }
        return -EINVAL;
}

static int device_allow_property(cJSON *config, const char *name, const char *value) {
        char path[256], spaced[300];
        const char *access;
        struct stat st;

        snprintf(spaced, sizeof(spaced), "%s%s", value, strchr(value, ' ') ? "" : " rwm");
        int r = device_of(name, spaced, path, sizeof(path), &access, &st);
        if (r < 0)
                return r;
        if (!*access || strspn(access, "rwm") != strlen(access))
                return run_error(name, value, "expected access of r, w and m");
        cJSON *devices = cJSON_GetObjectItemCaseSensitive(resources(config), "devices");
        cJSON *e = cJSON_CreateObject();
        if (!devices || !e)
                return log_oom();
        cJSON_AddItemToArray(devices, e);
        if (!cJSON_AddBoolToObject(e, "allow", true) || !cJSON_AddStringToObject(e, "type", S_ISBLK(st.st_mode) ? "b" : "c") ||
            !cJSON_AddNumberToObject(e, "major", major(st.st_rdev)) || !cJSON_AddNumberToObject(e, "minor", minor(st.st_rdev)) ||
            !cJSON_AddStringToObject(e, "access", access))
                return log_oom();
        return 0;
}

static int device_policy_property(cJSON *config, const char *name, const char *value) {
        cJSON *res = resources(config);
        /* The default configuration denies every device but the standard ones: strict (and
         * closed, which systemd and OCI both mean the same by here). auto lifts that. */
        if (strcmp(value, "auto") == 0) {
                cJSON_DeleteItemFromObjectCaseSensitive(res, "devices");
                return cJSON_AddArrayToObject(res, "devices") ? 0 : log_oom();
        }
        if (strcmp(value, "strict") != 0 && strcmp(value, "closed") != 0)
                return run_error(name, value, "expected auto, closed or strict");
        return 0;
}

static int annotation_property(cJSON *config, const char *name, const char *value) {
        static const char *const strings[] = { "Description", "CollectMode", "OOMPolicy" };
        char key[128], quoted[1024];
        cJSON *annotations = object_at(config, "annotations");

        snprintf(key, sizeof(key), "org.systemd.property.%s", name);
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                if (strcmp(strings[i], name) == 0) {
                        if (strchr(value, '\''))
                                return run_error(name, value, "a quote cannot be passed on");
                        snprintf(quoted, sizeof(quoted), "'%s'", value);
                        return set_string(annotations, key, quoted);
                }
        return set_string(annotations, key, value); /* *Sec: a time span, converted when applied */
}

static const struct {
        const char *name;
        PropertyFunc func;
} properties[] = {
        { "MemoryMax", memory_property },       { "MemoryHigh", memory_property },
        { "MemoryLow", memory_property },       { "MemoryMin", memory_property },
        { "MemorySwapMax", memory_property },   { "CPUWeight", cpu_weight_property },
        { "CPUQuota", cpu_quota_property },     { "CPUQuotaPeriodSec", cpu_period_property },
        { "AllowedCPUs", cpuset_property },     { "AllowedMemoryNodes", cpuset_property },
        { "TasksMax", tasks_property },         { "IOWeight", cpu_weight_property },
        { "IODeviceWeight", io_device_property }, { "IOReadBandwidthMax", io_device_property },
        { "IOWriteBandwidthMax", io_device_property }, { "IOReadIOPSMax", io_device_property },
        { "IOWriteIOPSMax", io_device_property }, { "DeviceAllow", device_allow_property },
        { "DevicePolicy", device_policy_property }, { "RuntimeMaxSec", annotation_property },
        { "OOMPolicy", annotation_property },   { "Description", annotation_property },
        { "CollectMode", annotation_property },
};

static int apply_property(cJSON *config, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        char name[64], known[1024];
        size_t n = 0;

        if (!eq || eq == assignment || (size_t) (eq - assignment) >= sizeof(name))
                return log_error_errno(EINVAL, "-p %s: expected NAME=VALUE", assignment);
        snprintf(name, sizeof(name), "%.*s", (int) (eq - assignment), assignment);
        for (size_t i = 0; i < ELEMENTSOF(properties); i++)
                if (strcmp(properties[i].name, name) == 0)
                        return properties[i].func(config, name, eq + 1);
        for (size_t i = 0; i < ELEMENTSOF(properties); i++)
                n += (size_t) snprintf(known + n, sizeof(known) - n, "%s%s", i ? ", " : "", properties[i].name);
        return log_error_errno(EINVAL, "-p %s: unknown property; known: %s", name, known);
}

const char *spec_run_property_name(size_t i) {
        return i < ELEMENTSOF(properties) ? properties[i].name : NULL;
}

int spec_run_check_property(const char *assignment) {
        cJSON *config = spec_default_tree();
        int r;

        if (!config)
                return log_oom();
        r = apply_property(config, assignment);
        cJSON_Delete(config);
        return r;
}

static cJSON *string_array(char **l) {
        cJSON *a = cJSON_CreateArray();
        for (char **i = l; a && i && *i; i++) {
                cJSON *s = cJSON_CreateString(*i);
                if (!s) {
                        cJSON_Delete(a);
                        return NULL;
                }
                cJSON_AddItemToArray(a, s);
        }
        return a;
}

static int add_mount(cJSON *mounts, const char *destination, const char *type, const char *source, char **options) {
        cJSON *m = cJSON_CreateObject(), *o = string_array(options);
        if (!m || !o || !cJSON_AddStringToObject(m, "destination", destination) || !cJSON_AddStringToObject(m, "type", type) ||
            !cJSON_AddStringToObject(m, "source", source)) {
                cJSON_Delete(m);
                cJSON_Delete(o);
                return log_oom();
        }
        cJSON_AddItemToObject(m, "options", o);
        cJSON_AddItemToArray(mounts, m);
        return 0;
}

static int add_bind(cJSON *mounts, const char *spec) {
        char src[4096], dst[4096];
        const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        bool ro = false;

        snprintf(src, sizeof(src), "%.*s", c1 ? (int) (c1 - spec) : (int) strlen(spec), spec);
        snprintf(dst, sizeof(dst), "%.*s", c1 ? (c2 ? (int) (c2 - c1 - 1) : (int) strlen(c1 + 1)) : (int) strlen(spec),
                 c1 ? c1 + 1 : spec);
        if (c2) {
                if (strcmp(c2 + 1, "ro") != 0 && strcmp(c2 + 1, "rw") != 0)
                        return log_error_errno(EINVAL, "--bind %s: the third part is ro or rw", spec);
                ro = strcmp(c2 + 1, "ro") == 0;
        }
        if (src[0] != '/' || dst[0] != '/')
                return log_error_errno(EINVAL, "--bind %s: both paths must be absolute", spec);
        char *opts[] = { "rbind", ro ? "ro" : "rw", NULL };
        return add_mount(mounts, dst, "bind", src, opts);
}

static int add_tmpfs(cJSON *mounts, const char *spec) {
        char dst[4096];
        const char *colon = strchr(spec, ':');

        snprintf(dst, sizeof(dst), "%.*s", colon ? (int) (colon - spec) : (int) strlen(spec), spec);
        if (dst[0] != '/')
                return log_error_errno(EINVAL, "--tmpfs %s: the path must be absolute", spec);
        char *opts[] = { "nosuid", "nodev", (char *) (colon ? colon + 1 : "mode=1777"), NULL };
        return add_mount(mounts, dst, "tmpfs", "tmpfs", opts);
}

/* Removes CAP_X from, or adds it to, every capability set. */
static int edit_caps(cJSON *caps, const char *name, bool add) {
        static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };

        if (spec_capability_from_name(name) < 0)
                return log_error_errno(EINVAL, "--cap-%s %s: unknown capability", add ? "add" : "drop", name);
        for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                cJSON *set = cJSON_GetObjectItemCaseSensitive(caps, sets[i]);
                for (int k = cJSON_GetArraySize(set) - 1; k >= 0; k--)
                        if (strcmp(cJSON_GetArrayItem(set, k)->valuestring, name) == 0)
                                cJSON_DeleteItemFromArray(set, k);
                if (add)
                        cJSON_AddItemToArray(set, cJSON_CreateString(name));
        }
        return 0;
}

static const char seccomp_default[] =
#include "spec/seccomp-default.inc"
        ;

int spec_run_build(const SpecRunOptions *o, char **ret) {
        _cleanup_(cjson_deletep) cJSON *config = spec_default_tree();
        int r;

        if (!config)
                return log_oom();
        cJSON *process = cJSON_GetObjectItemCaseSensitive(config, "process");
        cJSON *linux_ = cJSON_GetObjectItemCaseSensitive(config, "linux");
        cJSON *mounts = cJSON_GetObjectItemCaseSensitive(config, "mounts");

        cJSON_ReplaceItemInObjectCaseSensitive(process, "args", string_array(o->args));
        cJSON_ReplaceItemInObjectCaseSensitive(process, "terminal", cJSON_CreateBool(o->terminal));
        cJSON *env = cJSON_GetObjectItemCaseSensitive(process, "env");
        for (char **e = o->env; e && *e; e++) {
                const char *eq = strchr(*e, '=');
                if (!eq || eq == *e)
                        return log_error_errno(EINVAL, "--setenv %s: expected NAME=VALUE", *e);
                for (int k = cJSON_GetArraySize(env) - 1; k >= 0; k--)
                        if (strncmp(cJSON_GetArrayItem(env, k)->valuestring, *e, (size_t) (eq - *e) + 1) == 0)
                                cJSON_DeleteItemFromArray(env, k);
                cJSON_AddItemToArray(env, cJSON_CreateString(*e));
        }
        cJSON *user = cJSON_GetObjectItemCaseSensitive(process, "user");
        if (o->has_uid && (r = set_number(user, "uid", o->uid)) < 0)
                return r;
        if (o->has_gid && (r = set_number(user, "gid", o->gid)) < 0)
                return r;
        if (o->cwd && (r = set_string(process, "cwd", o->cwd)) < 0)
                return r;
        cJSON *caps = cJSON_GetObjectItemCaseSensitive(process, "capabilities");
        for (char **c = o->cap_add; c && *c; c++)
                if ((r = edit_caps(caps, *c, true)) < 0)
                        return r;
        for (char **c = o->cap_drop; c && *c; c++)
                if ((r = edit_caps(caps, *c, false)) < 0)
                        return r;

        cJSON *root = cJSON_GetObjectItemCaseSensitive(config, "root");
        if ((r = set_string(root, "path", o->rootfs ?: "/")) < 0)
                return r;
        cJSON_ReplaceItemInObjectCaseSensitive(root, "readonly", cJSON_CreateBool(!o->rootfs || o->read_only));
        if (!o->rootfs) {
                /* The host's root, read-only, with /tmp and /run of the container's own. */
                char *tmp_opts[] = { "nosuid", "nodev", "mode=1777", NULL }, *run_opts[] = { "nosuid", "nodev", "mode=755", NULL };
                if ((r = add_mount(mounts, "/tmp", "tmpfs", "tmpfs", tmp_opts)) < 0 ||
                    (r = add_mount(mounts, "/run", "tmpfs", "tmpfs", run_opts)) < 0)
                        return r;
        }
        for (char **b = o->binds; b && *b; b++)
                if ((r = add_bind(mounts, *b)) < 0)
                        return r;
        for (char **t = o->tmpfs; t && *t; t++)
                if ((r = add_tmpfs(mounts, *t)) < 0)
                        return r;
        if (o->hostname)
                r = set_string(config, "hostname", o->hostname);
        else
                cJSON_DeleteItemFromObjectCaseSensitive(config, "hostname");
        if (r < 0)
                return r;
        if (o->host_network) {
                cJSON *ns = cJSON_GetObjectItemCaseSensitive(linux_, "namespaces");
                for (int k = cJSON_GetArraySize(ns) - 1; k >= 0; k--)
                        if (strcmp(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ns, k), "type")->valuestring, "network") == 0)
                                cJSON_DeleteItemFromArray(ns, k);
        }
        if (o->cgroups_path && (r = set_string(linux_, "cgroupsPath", o->cgroups_path)) < 0)
                return r;
        for (char **p = o->properties; p && *p; p++)
                if ((r = apply_property(config, *p)) < 0)
                        return r;
        if (o->no_machine && (r = set_string(object_at(config, "annotations"), "org.runscope.machine", "false")) < 0)
                return r;
        if (o->seccomp && strcmp(o->seccomp, "unconfined") != 0) {
                /* "default" is data/seccomp-default.json; anything else, a file with linux.seccomp's object. */
                _cleanup_free_ char *file = NULL;
                if (strcmp(o->seccomp, "default") != 0) {
                        r = read_file_at(AT_FDCWD, o->seccomp, (size_t) 4 * 1024 * 1024, &file, NULL);
                        if (r < 0)
                                return log_error_errno(r, "--seccomp %s: %m", o->seccomp);
                }
                cJSON *profile = cJSON_Parse(file ?: seccomp_default);
                if (!cJSON_IsObject(profile)) {
                        cJSON_Delete(profile);
                        return log_error_errno(EINVAL, "--seccomp %s: not a JSON object", o->seccomp);
                }
                cJSON_DeleteItemFromObjectCaseSensitive(linux_, "seccomp");
                cJSON_AddItemToObject(linux_, "seccomp", profile);
        }

        *ret = cJSON_Print(config);
        return *ret ? 0 : log_oom();
}
