/* The properties that are not plain numbers: device rules as DevicePolicy/DeviceAllow, cgroup v2
 * `unified` keys, and org.systemd.property.* annotations. Never widens access: device rules systemd
 * cannot express, and unified keys it has no property for, are errors. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "props-internal.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/strv.h"

/* Devices an OCI runtime always makes usable (runtime-spec config-linux.md, "Default Devices"). */
static const char *const default_devices[] = {
        "/dev/char/1:3", "/dev/char/1:5", "/dev/char/1:7", "/dev/char/1:8", "/dev/char/1:9",
        "/dev/char/5:0", "/dev/char/5:1", "/dev/char/5:2", "char-pts",
};

/* The next "MAJOR NAME" line of the section of /proc/devices for type, from *p on. */
static bool next_device_line(const char **p, bool *in_section, char type, long long *ret_major,
                             const char **ret_name, size_t *ret_len) {
        const char *section = type == 'b' ? "Block devices:" : "Character devices:";

        while (**p) {
                const char *line = *p;
                size_t len = strcspn(line, "\n");
                int at = 0;

                *p = line[len] ? line + len + 1 : line + len;
                if (len > 0 && line[len - 1] == ':')
                        *in_section = len == strlen(section) && strncmp(line, section, len) == 0;
                else if (*in_section && sscanf(line, "%lld %n", ret_major, &at) == 1 && at > 0 && (size_t) at < len) {
                        *ret_name = line + at;
                        *ret_len = len - at;
                        return true;
                }
        }
        return false;
}

int props_device_major_name(const char *proc_devices, char type, int64_t major, char **ret) {
        const char *p = proc_devices, *name, *found = NULL;
        size_t len, found_len = 0;
        bool in_section = false;
        long long m;

        /* systemd's DeviceAllow=char-NAME allows every major /proc/devices lists under NAME (a glob):
         * it means "any minor of this major" only if the major has one name that no other major has. */
        while (next_device_line(&p, &in_section, type, &m, &name, &len))
                if (m == major) {
                        if (found && (len != found_len || strncmp(name, found, len) != 0))
                                return -ENOTUNIQ;
                        found = name, found_len = len;
                }
        if (!found)
                return -ENOENT;
        for (size_t i = 0; i < found_len; i++)
                if (strchr("*?[\\", found[i]))
                        return -ENOTUNIQ;
        p = proc_devices, in_section = false;
        while (next_device_line(&p, &in_section, type, &m, &name, &len))
                if (m != major && len == found_len && strncmp(name, found, len) == 0)
                        return -ENOTUNIQ;
        char *copy = strndup(found, found_len);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

static int device_entry(const SpecDeviceRule *d, const char *path, char *buf, size_t size) {
        const char *kind = d->type == 'b' ? "block" : "char";

        if (d->type == 'a')
                return props_error(EOPNOTSUPP, path, "type \"a\" with a major or minor cannot be expressed as DeviceAllow");
        if (d->major < 0)
                (void) snprintf(buf, size, "%s-*", kind);
        else if (d->minor < 0) {
                _cleanup_free_ char *devices = NULL, *name = NULL;
                int r = read_file_at(AT_FDCWD, "/proc/devices", (size_t) 64 * 1024, &devices, NULL);
                if (r < 0)
                        return log_error_errno(r, "Failed to read /proc/devices: %m");
                r = props_device_major_name(devices, d->type, d->major, &name);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0 || strlen(name) + 6 >= size)
                        return props_error(EOPNOTSUPP, path, "any minor of major %lld cannot be expressed as DeviceAllow "
                                           "(no name in /proc/devices for that major alone)", (long long) d->major);
                (void) snprintf(buf, size, "%s-%s", kind, name);
        } else
                (void) snprintf(buf, size, "/dev/%s/%lld:%lld", kind, (long long) d->major, (long long) d->minor);
        return 0;
}

int props_append_devices(PropsOut *m, const Spec *spec) {
        const SpecResources *res = &spec->resources;
        char path[64], entry[64];
        size_t first = 0;
        bool strict = false;
        int r;

        /* Only the effect of the rules matters: everything before the last deny-all is overridden. */
        for (size_t i = 0; i < res->n_devices; i++) {
                const SpecDeviceRule *d = &res->devices[i];
                bool all = d->type == 'a' && d->major < 0 && d->minor < 0 && strcmp(d->access, "rwm") == 0;
                if (all) {
                        strict = !d->allow;
                        first = i + 1;
                }
        }
        if (!strict) {
                /* systemd only lists what is allowed: a deny rule on an open device cgroup cannot be held. */
                for (size_t i = first; i < res->n_devices; i++)
                        if (!res->devices[i].allow) {
                                (void) snprintf(path, sizeof(path), "devices[%zu]", i);
                                return props_error(EOPNOTSUPP, path, "a deny rule without a preceding deny-all cannot be expressed");
                        }
                return 0;
        }

        r = props_out_append(m, "(sv)", "DevicePolicy", "s", "strict");
        if (r >= 0)
                r = props_out_open(m, 'r', "sv");
        if (r >= 0)
                r = props_out_append(m, "s", "DeviceAllow");
        if (r >= 0)
                r = props_out_open(m, 'v', "a(ss)");
        if (r >= 0)
                r = props_out_open(m, 'a', "(ss)");
        for (size_t i = first; r >= 0 && i < res->n_devices; i++) {
                const SpecDeviceRule *d = &res->devices[i];
                (void) snprintf(path, sizeof(path), "devices[%zu]", i);
                if (!d->allow)
                        return props_error(EOPNOTSUPP, path, "a deny rule after an allow rule cannot be expressed as DeviceAllow");
                r = device_entry(d, path, entry, sizeof(entry));
                if (r < 0)
                        return r;
                if (d->access[0])
                        r = props_out_append(m, "(ss)", entry, d->access);
        }
        /* Last: systemd keeps one entry per device and the last access given wins, and these are
         * always rwm (OCI "Default Devices"), whatever a rule above said of them. */
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(default_devices); i++)
                r = props_out_append(m, "(ss)", default_devices[i], "rwm");
        /* The nodes linux.devices makes are usable whatever the rules say, as in runc and crun.
         * /dev/char/M:N is parsed by systemd, never looked up: the host need not have the node. */
        for (size_t i = 0; r >= 0 && i < spec->n_devices; i++) {
                const SpecDevice *d = &spec->devices[i];
                if (d->type == 'p')
                        continue;
                (void) snprintf(entry, sizeof(entry), "/dev/%s/%lld:%lld", d->type == 'b' ? "block" : "char",
                                (long long) d->major, (long long) d->minor);
                r = props_out_append(m, "(ss)", entry, "rwm");
        }
        if (r >= 0)
                r = props_out_close(m);
        if (r >= 0)
                r = props_out_close(m);
        if (r >= 0)
                r = props_out_close(m);
        if (r < 0)
                return log_error_errno(r, "Failed to add property DeviceAllow: %m");
        return 0;
}


static int parse_limit(const char *value, uint64_t *ret) {
        char *end;

        if (strcmp(value, "max") == 0) {
                *ret = INFINITY_U64;
                return 0;
        }
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (errno || end == value || *end || value[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

/* unified: the cgroup v2 file names systemd has a property for. */
static const struct {
        const char *key, *property;
} unified_limits[] = {
        { "memory.max", "MemoryMax" },      { "memory.high", "MemoryHigh" }, { "memory.low", "MemoryLow" },
        { "memory.min", "MemoryMin" },      { "memory.swap.max", "MemorySwapMax" },
        { "pids.max", "TasksMax" },         { "cpu.weight", "CPUWeight" },
};

static int append_unified_one(PropsOut *m, PropsApplied *a, const char *key, const char *value) {
        char path[256];
        uint64_t v;

        (void) snprintf(path, sizeof(path), "unified.%s", key);
        for (size_t i = 0; i < ELEMENTSOF(unified_limits); i++)
                if (strcmp(unified_limits[i].key, key) == 0) {
                        if (parse_limit(value, &v) < 0)
                                return props_error(EINVAL, path, "'%s' is not a number or \"max\"", value);
                        return props_u64(m, a, unified_limits[i].property, v);
                }
        if (strcmp(key, "cpu.max") == 0) {
                char quota[32];
                unsigned long long period = 100000;
                int n = sscanf(value, "%31s %llu", quota, &period);
                if (n < 1 || parse_limit(quota, &v) < 0 || period < 1000 || period > 1000000)
                        return props_error(EINVAL, path, "'%s' is not \"QUOTA|max [PERIOD]\"", value);
                int r = props_u64(m, a, "CPUQuotaPerSecUSec",
                                  v == INFINITY_U64 ? v : props_cpu_quota_per_sec_usec((int64_t) v, period));
                return r < 0 ? r : props_u64(m, a, "CPUQuotaPeriodUSec", period);
        }
        if (strcmp(key, "io.weight") == 0) {
                const char *w = strncmp(value, "default ", 8) == 0 ? value + 8 : value;
                if (parse_limit(w, &v) < 0 || v < 1 || v > 10000)
                        return props_error(EINVAL, path, "'%s' is not a weight from 1 to 10000", value);
                return props_u64(m, a, "IOWeight", v);
        }
        /* The OOM killer takes the whole unit (kill) or one process (continue): OOMPolicy, which
         * systemd takes only when it makes the unit (for scopes from 253 on). a is set for update. */
        if (strcmp(key, "memory.oom.group") == 0) {
                if (a)
                        return props_error(EOPNOTSUPP, path, "systemd sets OOMPolicy= only when it makes the unit, "
                                                             "not on update");
                if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
                        return props_error(EINVAL, path, "'%s' is not 0 or 1", value);
                int r = props_out_append(m, "(sv)", "OOMPolicy", "s", value[0] == '1' ? "kill" : "continue");
                return r < 0 ? log_error_errno(r, "Failed to append OOMPolicy: %m") : 0;
        }
        if (strcmp(key, "cpuset.cpus") == 0)
                return props_cpuset(m, "AllowedCPUs", value, path);
        if (strcmp(key, "cpuset.mems") == 0)
                return props_cpuset(m, "AllowedMemoryNodes", value, path);
        return props_error(EOPNOTSUPP, path, "systemd has no property for this cgroup file");
}

int props_append_unified(PropsOut *m, PropsApplied *a, char **unified) {
        for (char **u = unified; u && u[0] && u[1]; u += 2) {
                int r = append_unified_one(m, a, u[0], u[1]);
                if (r < 0)
                        return r;
        }
        return 0;
}

#define ANNOTATION_PREFIX "org.systemd.property."

/* "10s", "5min", "1h", "250ms", "infinity" or plain seconds, into microseconds. */
static int parse_timespan(const char *s, uint64_t *ret) {
        static const struct {
                const char *suffix;
                double usec;
        } units[] = { { "us", 1 }, { "ms", 1e3 }, { "s", 1e6 }, { "sec", 1e6 }, { "min", 60e6 },
                      { "m", 60e6 }, { "h", 3600e6 }, { "d", 86400e6 }, { "", 1e6 } };
        char *end;

        if (strcmp(s, "infinity") == 0) {
                *ret = INFINITY_U64;
                return 0;
        }
        double v = strtod(s, &end);
        if (end == s || !(v >= 0)) /* NaN too */
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (strcmp(end, units[i].suffix) == 0) {
                        double usec = v * units[i].usec;
                        /* Converting 2^64 or more (inf included) to uint64_t is undefined. */
                        if (usec >= 0x1p64)
                                return -ERANGE;
                        *ret = (uint64_t) usec;
                        return 0;
                }
        return -EINVAL;
}

/* A GVariant array of strings, "['a.service', 'b.service']" (or "@as []"), as runc documents for
 * After= and the like, into *ret. -EINVAL for anything else, quotes inside a string too. */
static int parse_string_array(const char *value, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = value + strspn(value, " ");

        if (strncmp(p, "@as", 3) == 0)
                p += 3 + strspn(p + 3, " ");
        if (*p++ != '[')
                return -EINVAL;
        p += strspn(p, " ");
        while (*p != ']' || l) {
                char q = *p;
                const char *end = q == '\'' || q == '"' ? strchr(p + 1, q) : NULL;
                if (!end || end == p + 1 || strcspn(p + 1, "'\"\\") < (size_t) (end - p - 1))
                        return -EINVAL;
                _cleanup_free_ char *s = strndup(p + 1, (size_t) (end - p - 1));
                if (!s || strv_extend(&l, s) < 0)
                        return log_oom();
                p = end + 1 + strspn(end + 1, " ");
                if (*p == ']')
                        break;
                if (*p++ != ',')
                        return -EINVAL;
                p += strspn(p, " ");
        }
        if (p[1 + strspn(p + 1, " ")] != '\0')
                return -EINVAL;
        *ret = TAKE_PTR(l);
        return 0;
}

static int append_string_array(PropsOut *m, const char *name, const char *value) {
        _cleanup_strv_free_ char **l = NULL;
        int r = parse_string_array(value, &l);
        if (r < 0)
                return r;
        r = props_out_open(m, 'r', "sv");
        if (r >= 0)
                r = props_out_append(m, "s", name);
        if (r >= 0)
                r = props_out_open(m, 'v', "as");
        if (r >= 0)
                r = props_out_append_strv(m, l);
        if (r >= 0)
                r = props_out_close(m);
        return r < 0 ? r : props_out_close(m);
}

/* One value in GVariant text form, as runc documents it: 'string', true/false, "uint64 N" and
 * the other typed integers, a bare integer (int32), "double D", or an array of strings. */
static int append_gvariant(PropsOut *m, const char *name, const char *value) {
        static const struct {
                const char *prefix;
                char type;
        } typed[] = { { "uint64 ", 't' }, { "int64 ", 'x' }, { "uint32 ", 'u' }, { "int32 ", 'i' },
                      { "uint16 ", 'q' }, { "int16 ", 'n' }, { "byte ", 'y' } };
        size_t n = strlen(value);
        char *end;

        if (n >= 2 && (value[0] == '\'' || value[0] == '"') && value[n - 1] == value[0]) {
                _cleanup_free_ char *s = strndup(value + 1, n - 2);
                if (!s)
                        return log_oom();
                return props_out_append(m, "(sv)", name, "s", s);
        }
        if (value[strspn(value, " ")] == '[' || strncmp(value, "@as", 3) == 0)
                return append_string_array(m, name, value);
        if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
                return props_out_append(m, "(sv)", name, "b", (int) (value[0] == 't'));
        if (strncmp(value, "double ", 7) == 0) {
                double d = strtod(value + 7, &end);
                return end == value + 7 || *end ? -EINVAL : props_out_append(m, "(sv)", name, "d", d);
        }
        for (size_t i = 0; i < ELEMENTSOF(typed); i++) {
                size_t l = strlen(typed[i].prefix);
                if (strncmp(value, typed[i].prefix, l) != 0)
                        continue;
                const char *num = value + l;
                errno = 0;
                if (strchr("tuqy", typed[i].type)) {
                        unsigned long long v = strtoull(num, &end, 0);
                        if (errno || end == num || *end || num[0] == '-')
                                return -EINVAL;
                        char sig[2] = { typed[i].type, 0 };
                        switch (typed[i].type) {
                        case 't': return props_out_append(m, "(sv)", name, sig, (uint64_t) v);
                        case 'u': return v > UINT32_MAX ? -ERANGE : props_out_append(m, "(sv)", name, sig, (uint32_t) v);
                        case 'q': return v > UINT16_MAX ? -ERANGE : props_out_append(m, "(sv)", name, sig, (int) v);
                        default: return v > UINT8_MAX ? -ERANGE : props_out_append(m, "(sv)", name, sig, (int) v);
                        }
                }
                long long v = strtoll(num, &end, 0);
                if (errno || end == num || *end)
                        return -EINVAL;
                if (typed[i].type == 'x')
                        return props_out_append(m, "(sv)", name, "x", (int64_t) v);
                if (typed[i].type == 'i')
                        return v < INT32_MIN || v > INT32_MAX ? -ERANGE : props_out_append(m, "(sv)", name, "i", (int32_t) v);
                return v < INT16_MIN || v > INT16_MAX ? -ERANGE : props_out_append(m, "(sv)", name, "n", (int) v);
        }
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end || v < INT32_MIN || v > INT32_MAX)
                return -EINVAL;
        return props_out_append(m, "(sv)", name, "i", (int32_t) v);
}

int props_append_annotations(PropsOut *m, char **annotations) {
        for (char **a = annotations; a && a[0] && a[1]; a += 2) {
                const char *name, *value = a[1];
                char usec_name[256];
                size_t n;
                int r;

                if (strncmp(a[0], ANNOTATION_PREFIX, strlen(ANNOTATION_PREFIX)) != 0)
                        continue;
                name = a[0] + strlen(ANNOTATION_PREFIX);
                n = strlen(name);
                if (n == 0 || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != n)
                        return log_error_errno(EINVAL, "config.json: annotations.%s: not a property name", a[0]);
                if (n > 3 && strcmp(name + n - 3, "Sec") == 0 && (n < 4 || strcmp(name + n - 4, "USec") != 0)) {
                        /* Documented as FooSec, sent on the bus as FooUSec in microseconds. */
                        uint64_t usec;
                        if (parse_timespan(value, &usec) < 0)
                                return log_error_errno(EINVAL, "config.json: annotations.%s: '%s' is not a time span", a[0], value);
                        (void) snprintf(usec_name, sizeof(usec_name), "%.*sUSec", (int) (n - 3), name);
                        r = props_out_append(m, "(sv)", usec_name, "t", usec);
                } else
                        r = append_gvariant(m, name, value);
                if (r < 0)
                        return log_error_errno(r, "config.json: annotations.%s: '%s' is not a GVariant value "
                                                  "('string', true, uint64 N, …)", a[0], value);
        }
        return 0;
}
