/* OCI linux.resources as systemd unit properties (DESIGN.md, "OCI resources to unit properties"):
 * memory, cpu, cpuset, pids and block I/O. Never widens a limit: what systemd cannot express
 * exactly, or cannot apply on this host, is an error naming the JSON path. */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "props-internal.h"
#include "util/cgroup.h"
#include "util/cpulist.h"
#include "util/log.h"

/* log2() and pow() from libm, loaded here only: cpu.shares is the one use of floating-point maths,
 * and linking libm would cost every invocation its loading and some 300 KiB of memory. */
static int math_functions(double (**ret_log2)(double), double (**ret_pow)(double, double)) {
        static double (*log2_fn)(double), (*pow_fn)(double, double);

        if (!log2_fn || !pow_fn) {
                void *lib = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
                if (!lib)
                        return log_error_errno(ENOPKG, "Failed to load libm.so.6 for cpu.shares: %s", dlerror());
                *(void **) &log2_fn = dlsym(lib, "log2");
                *(void **) &pow_fn = dlsym(lib, "pow");
                if (!log2_fn || !pow_fn)
                        return log_error_errno(ENOPKG, "libm.so.6 has no log2 or pow: %s", dlerror());
        }
        *ret_log2 = log2_fn;
        *ret_pow = pow_fn;
        return 0;
}

int props_cpu_shares_to_weight(uint64_t shares, uint64_t *ret) {
        double (*log2_fn)(double), (*pow_fn)(double, double);
        int r;

        if (shares <= 2) {
                *ret = 1;
                return 0;
        }
        if (shares >= 262144) {
                *ret = 10000;
                return 0;
        }
        r = math_functions(&log2_fn, &pow_fn);
        if (r < 0)
                return r;
        /* A quadratic in log2(shares) through (2, 1), (1024, 100) and (262144, 10000). */
        double l = log2_fn((double) shares);
        double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
        *ret = (uint64_t) ceil(pow_fn(10.0, exponent));
        return 0;
}

uint64_t props_cpu_quota_per_sec_usec(int64_t quota, uint64_t period) {
        if (quota < 0)
                return INFINITY_U64;
        if (period == 0)
                period = 100000;
        uint64_t usec = (uint64_t) quota * 1000000 / period;
        /* systemd keeps the quota in 1% steps (10 ms a second); round up so it is not tighter. */
        if (usec % 10000 != 0)
                usec = (usec / 10000 + 1) * 10000;
        return usec;
}

int props_u64(PropsOut *m, PropsApplied *applied, const char *name, uint64_t v) {
        int r = props_out_append(m, "(sv)", name, "t", v);
        if (r < 0)
                return log_error_errno(r, "Failed to add property %s: %m", name);
        if (applied && applied->n < ELEMENTSOF(applied->items)) {
                applied->items[applied->n].name = name;
                applied->items[applied->n++].value = v;
        }
        return 0;
}

static bool host_is_hybrid(void) {
        const char *root;
        return cgroup_unified_root(&root) >= 0 && strcmp(root, "/sys/fs/cgroup/unified") == 0;
}

/* The controllers are v1 ones unless the unified hierarchy is the whole of /sys/fs/cgroup. */
static bool host_controllers_are_v1(void) {
        const char *root;
        return cgroup_unified_root(&root) < 0 || strcmp(root, "/sys/fs/cgroup") != 0;
}

static int append_memory(PropsOut *m, PropsApplied *a, const SpecResources *res) {
        int r;

        if (res->has_memory_limit) {
                if (res->memory_limit < -1 || res->memory_limit == 0)
                        return props_error(EINVAL, "memory.limit", "%lld is not a limit (bytes, or -1 for none)",
                                           (long long) res->memory_limit);
                r = props_u64(m, a, "MemoryMax", res->memory_limit == -1 ? INFINITY_U64 : (uint64_t) res->memory_limit);
                if (r < 0)
                        return r;
        }
        if (res->has_memory_reservation) {
                if (res->memory_reservation < -1)
                        return props_error(EINVAL, "memory.reservation", "must be -1 or more");
                r = props_u64(m, a, "MemoryLow",
                              res->memory_reservation == -1 ? INFINITY_U64 : (uint64_t) res->memory_reservation);
                if (r < 0)
                        return r;
        }
        if (res->has_memory_swap) {
                uint64_t swap;
                if (res->memory_swap == -1)
                        swap = INFINITY_U64;
                else if (!res->has_memory_limit || res->memory_limit == -1)
                        return props_error(EINVAL, "memory.swap", "needs memory.limit (OCI counts memory plus swap)");
                else if (res->memory_swap < res->memory_limit)
                        return props_error(EINVAL, "memory.swap", "%lld is below memory.limit %lld",
                                           (long long) res->memory_swap, (long long) res->memory_limit);
                else
                        swap = (uint64_t) (res->memory_swap - res->memory_limit);
                r = props_u64(m, a, "MemorySwapMax", swap);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int append_cpu(PropsOut *m, PropsApplied *a, const SpecResources *res) {
        int r;

        if (res->has_cpu_shares && res->cpu_shares > 0) {
                uint64_t weight;
                /* A v1 cpu controller holds cpu.shares: CPUShares passes the request through, as runc
                 * and crun send it there; systemd would turn a CPUWeight back into shares off the
                 * curve (512 -> 59 -> 604). 2 to 262144 are the kernel's bounds and systemd's. */
                if (host_controllers_are_v1())
                        r = props_u64(m, a, "CPUShares",
                                      res->cpu_shares < 2 ? 2 : res->cpu_shares > 262144 ? 262144 : res->cpu_shares);
                else {
                        r = props_cpu_shares_to_weight(res->cpu_shares, &weight);
                        if (r >= 0)
                                r = props_u64(m, a, "CPUWeight", weight);
                }
                if (r < 0)
                        return r;
        }
        if (res->has_cpu_period && (res->cpu_period < 1000 || res->cpu_period > 1000000))
                return props_error(EINVAL, "cpu.period", "must be between 1000 and 1000000 µs");
        if (res->has_cpu_quota && res->cpu_quota != 0) {
                if (res->cpu_quota < -1)
                        return props_error(EINVAL, "cpu.quota", "must be -1 or positive");
                r = props_u64(m, a, "CPUQuotaPerSecUSec",
                              props_cpu_quota_per_sec_usec(res->cpu_quota, res->has_cpu_period ? res->cpu_period : 0));
                if (r < 0)
                        return r;
        }
        if (res->has_cpu_period) {
                r = props_u64(m, a, "CPUQuotaPeriodUSec", res->cpu_period);
                if (r < 0)
                        return r;
        }
        if ((res->cpu_cpus && *res->cpu_cpus) || (res->cpu_mems && *res->cpu_mems)) {
                /* systemd drives cpuset only on the unified hierarchy; on a hybrid host the
                 * setting would be accepted and silently not applied. */
                if (host_is_hybrid())
                        return props_error(EOPNOTSUPP, res->cpu_cpus && *res->cpu_cpus ? "cpu.cpus" : "cpu.mems",
                                           "systemd applies cpusets on cgroup v2 only, and this host's cpuset is v1");
                if (res->cpu_cpus && *res->cpu_cpus && (r = props_cpuset(m, "AllowedCPUs", res->cpu_cpus, "cpu.cpus")) < 0)
                        return r;
                if (res->cpu_mems && *res->cpu_mems &&
                    (r = props_cpuset(m, "AllowedMemoryNodes", res->cpu_mems, "cpu.mems")) < 0)
                        return r;
        }
        return 0;
}

static int append_pids(PropsOut *m, PropsApplied *a, const SpecResources *res) {
        if (!res->has_pids_limit)
                return 0;
        if (res->pids_limit < -1)
                return props_error(EINVAL, "pids.limit", "must be -1 or more");
        /* 0 would mean no task at all, which systemd cannot hold; 1 is the tightest it can. */
        return props_u64(m, a, "TasksMax",
                         res->pids_limit == -1 ? INFINITY_U64 : res->pids_limit == 0 ? 1 : (uint64_t) res->pids_limit);
}

int props_cpuset(PropsOut *m, const char *name, const char *list, const char *path) {
        uint8_t mask[CPULIST_MAX / 8];
        size_t used;

        int k = cpulist_parse(list, mask, &used);
        if (k == -ERANGE)
                return props_error(ERANGE, path, "'%s' goes beyond the %d CPUs or nodes runscope handles", list, CPULIST_MAX);
        if (k < 0)
                return props_error(EINVAL, path, "'%s' is not a list like 0-3,5", list);
        int r = props_out_open(m, 'r', "sv");
        if (r >= 0)
                r = props_out_append(m, "s", name);
        if (r >= 0)
                r = props_out_open(m, 'v', "ay");
        if (r >= 0)
                r = props_out_append_array(m, 'y', mask, used);
        if (r >= 0)
                r = props_out_close(m);
        if (r >= 0)
                r = props_out_close(m);
        if (r < 0)
                return log_error_errno(r, "Failed to add property %s: %m", name);
        return 0;
}

static const char *const io_properties[_BLKIO_MAX] = {
        [BLKIO_WEIGHT_DEVICE] = "IODeviceWeight",
        [BLKIO_THROTTLE_READ_BPS] = "IOReadBandwidthMax",
        [BLKIO_THROTTLE_WRITE_BPS] = "IOWriteBandwidthMax",
        [BLKIO_THROTTLE_READ_IOPS] = "IOReadIOPSMax",
        [BLKIO_THROTTLE_WRITE_IOPS] = "IOWriteIOPSMax",
};

static const char *const io_paths[_BLKIO_MAX] = {
        [BLKIO_WEIGHT_DEVICE] = "blockIO.weightDevice",
        [BLKIO_THROTTLE_READ_BPS] = "blockIO.throttleReadBpsDevice",
        [BLKIO_THROTTLE_WRITE_BPS] = "blockIO.throttleWriteBpsDevice",
        [BLKIO_THROTTLE_READ_IOPS] = "blockIO.throttleReadIOPSDevice",
        [BLKIO_THROTTLE_WRITE_IOPS] = "blockIO.throttleWriteIOPSDevice",
};

static int append_io(PropsOut *m, PropsApplied *a, const SpecResources *res) {
        char dev[64];
        int r;

        if (res->has_blkio_weight && res->blkio_weight > 0) {
                if (res->blkio_weight < 10 || res->blkio_weight > 1000)
                        return props_error(EINVAL, "blockIO.weight", "must be between 10 and 1000");
                /* blkio's 10…1000 onto io's 1…10000, as runc and crun map it. */
                r = props_u64(m, a, "IOWeight", 1 + ((uint64_t) res->blkio_weight - 10) * 9999 / 990);
                if (r < 0)
                        return r;
        }
        for (int l = 0; l < _BLKIO_MAX; l++) {
                if (res->n_blkio[l] == 0)
                        continue;
                r = props_out_open(m, 'r', "sv");
                if (r >= 0)
                        r = props_out_append(m, "s", io_properties[l]);
                if (r >= 0)
                        r = props_out_open(m, 'v', "a(st)");
                if (r >= 0)
                        r = props_out_open(m, 'a', "(st)");
                for (size_t i = 0; r >= 0 && i < res->n_blkio[l]; i++) {
                        const SpecBlockDevice *d = &res->blkio[l][i];
                        if (l == BLKIO_WEIGHT_DEVICE && (d->value < 10 || d->value > 1000))
                                return props_error(EINVAL, io_paths[l], "weight %llu is not between 10 and 1000",
                                                   (unsigned long long) d->value);
                        (void) snprintf(dev, sizeof(dev), "/dev/block/%lld:%lld", (long long) d->major, (long long) d->minor);
                        r = props_out_append(m, "(st)", dev,
                                                  l == BLKIO_WEIGHT_DEVICE ? 1 + (d->value - 10) * 9999 / 990 : d->value);
                }
                for (int k = 0; r >= 0 && k < 3; k++)
                        r = props_out_close(m);
                if (r < 0)
                        return log_error_errno(r, "Failed to add property %s: %m", io_properties[l]);
        }
        return 0;
}

/* On a hybrid host systemd applies a controller's v1 settings to its v1 hierarchy, and the unified
 * ones (memory.high, …) only where the controller is on cgroup v2: with both given for one
 * controller, the unified ones would be dropped without a word. runc refuses unified on v1 too. */
static int check_unified_with_v1(const SpecResources *res) {
        bool blkio = res->has_blkio_weight;
        for (int l = 0; l < _BLKIO_MAX; l++)
                blkio = blkio || res->n_blkio[l] > 0;
        const struct {
                const char *prefix, *path;
                bool v1;
        } controllers[] = {
                { "memory.", "memory", res->has_memory_limit || res->has_memory_reservation || res->has_memory_swap },
                { "cpu.", "cpu", res->has_cpu_shares || res->has_cpu_quota || res->has_cpu_period },
                { "cpuset.", "cpu", (res->cpu_cpus && *res->cpu_cpus) || (res->cpu_mems && *res->cpu_mems) },
                { "pids.", "pids", res->has_pids_limit },
                { "io.", "blockIO", blkio },
        };
        char path[256];

        if (!res->unified || !host_is_hybrid())
                return 0;
        for (char **u = res->unified; u[0] && u[1]; u += 2)
                for (size_t i = 0; i < ELEMENTSOF(controllers); i++)
                        if (controllers[i].v1 && strncmp(u[0], controllers[i].prefix, strlen(controllers[i].prefix)) == 0) {
                                (void) snprintf(path, sizeof(path), "unified.%s", u[0]);
                                return props_error(EOPNOTSUPP, path,
                                                   "cannot apply together with linux.resources.%s on this host, "
                                                   "whose controllers are cgroup v1",
                                                   controllers[i].path);
                        }
        return 0;
}

int props_write_resources(PropsOut *m, const Spec *spec, PropsApplied *applied) {
        const SpecResources *res = &spec->resources;
        int r;

        if ((r = check_unified_with_v1(res)) < 0 || (r = append_memory(m, applied, res)) < 0 || (r = append_cpu(m, applied, res)) < 0 ||
            (r = append_pids(m, applied, res)) < 0 || (r = append_io(m, applied, res)) < 0 ||
            (r = props_append_devices(m, spec)) < 0 || (r = props_append_unified(m, applied, res->unified)) < 0)
                return r;
        return props_append_annotations(m, spec->annotations);
}

int props_append_resources(sd_bus_message *m, const Spec *spec, PropsApplied *applied) {
        PropsOut o = { .sd = m };
        return props_write_resources(&o, spec, applied);
}
