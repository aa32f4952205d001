/* `runscope update [--resources FILE|-] [runc's limit flags] ID`: live limits through systemd. */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "spec/spec.h"
#include "util/fd.h"
#include "util/log.h"

/* "512M", "1g", "1024", "-1" (runc's units: powers of 1024). */
static int parse_bytes(const char *s, int64_t *ret) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || end == s)
                return -EINVAL;
        if (v == -1 && !*end) {
                *ret = -1;
                return 0;
        }
        const char *units = "kmgt";
        const char *u = *end ? strchr(units, *end | 0x20) : NULL;
        if (*end && (!u || (end[1] && !((end[1] | 0x20) == 'b' && !end[2]))))
                return -EINVAL;
        for (const char *k = units; u && k <= u; k++) {
                if (v > INT64_MAX / 1024)
                        return -ERANGE;
                v *= 1024;
        }
        if (v < 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* An integer of at least min (-1 where runc takes -1 for "no limit"). */
static int parse_int(const char *opt, const char *s, int64_t min, int64_t *ret) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || *end || v < min)
                return log_error_errno(EINVAL, "--%s %s: expected an integer of at least %lld", opt, s, (long long) min);
        *ret = v;
        return 0;
}

int verb_update(int argc, char *argv[]) {
        enum { MEMORY = 0x100, MEMORY_RES, MEMORY_SWAP, CPU_SHARES, CPU_QUOTA, CPU_PERIOD, CPUSET_CPUS, CPUSET_MEMS,
               PIDS, BLKIO_WEIGHT };
        static const struct option options[] = {
                { "resources", required_argument, NULL, 'r' },
                { "memory", required_argument, NULL, MEMORY },
                { "memory-reservation", required_argument, NULL, MEMORY_RES },
                { "memory-swap", required_argument, NULL, MEMORY_SWAP },
                { "cpu-share", required_argument, NULL, CPU_SHARES },
                { "cpu-shares", required_argument, NULL, CPU_SHARES },
                { "cpu-quota", required_argument, NULL, CPU_QUOTA },
                { "cpu-period", required_argument, NULL, CPU_PERIOD },
                { "cpuset-cpus", required_argument, NULL, CPUSET_CPUS },
                { "cpuset-mems", required_argument, NULL, CPUSET_MEMS },
                { "pids-limit", required_argument, NULL, PIDS },
                { "blkio-weight", required_argument, NULL, BLKIO_WEIGHT },
                {}
        };
        _cleanup_(spec_freep) Spec *spec = NULL;
        SpecResources flags = {};
        const char *file = NULL;
        int64_t v = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "r:", options, NULL)) >= 0) {
                r = 0;
                switch (c) {
                case 'r':
                        file = optarg;
                        break;
                case MEMORY:
                case MEMORY_RES:
                case MEMORY_SWAP:
                        r = parse_bytes(optarg, &v);
                        if (r < 0)
                                return log_error_errno(r, "--memory…: '%s' is not a size (512M, 1G, -1)", optarg), 1;
                        if (c == MEMORY)
                                flags.has_memory_limit = true, flags.memory_limit = v;
                        else if (c == MEMORY_RES)
                                flags.has_memory_reservation = true, flags.memory_reservation = v;
                        else
                                flags.has_memory_swap = true, flags.memory_swap = v;
                        break;
                case CPU_SHARES:
                        r = parse_int("cpu-shares", optarg, 0, &v);
                        flags.has_cpu_shares = true, flags.cpu_shares = (uint64_t) v;
                        break;
                case CPU_QUOTA:
                        r = parse_int("cpu-quota", optarg, -1, &v);
                        flags.has_cpu_quota = true, flags.cpu_quota = v;
                        break;
                case CPU_PERIOD:
                        r = parse_int("cpu-period", optarg, 0, &v);
                        flags.has_cpu_period = true, flags.cpu_period = (uint64_t) v;
                        break;
                case CPUSET_CPUS:
                        flags.cpu_cpus = optarg;
                        break;
                case CPUSET_MEMS:
                        flags.cpu_mems = optarg;
                        break;
                case PIDS:
                        r = parse_int("pids-limit", optarg, -1, &v);
                        flags.has_pids_limit = true, flags.pids_limit = v;
                        break;
                case BLKIO_WEIGHT:
                        r = parse_int("blkio-weight", optarg, 0, &v);
                        flags.has_blkio_weight = true, flags.blkio_weight = (uint32_t) v;
                        break;
                default:
                        return 1;
                }
                if (r < 0)
                        return 1;
        }
        if (cmd_expect_args(argc, argv, 1, 1, "update [OPTIONS] ID") < 0)
                return 1;

        if (file) {
                _cleanup_free_ char *text = NULL;
                r = read_file_at(strcmp(file, "-") == 0 ? STDIN_FILENO : AT_FDCWD, strcmp(file, "-") == 0 ? "/dev/stdin" : file,
                                 (size_t) 1024 * 1024, &text, NULL);
                if (r < 0) {
                        log_error_errno(r, "--resources %s: %m", file);
                        return 1;
                }
                if (spec_parse_resources(text, &spec) < 0)
                        return 1;
        } else {
                spec = calloc(1, sizeof(Spec));
                if (!spec)
                        return log_oom(), 1;
        }

        /* runc's flags win over the file, field by field. */
        SpecResources *res = &spec->resources;
#define TAKE(field) if (flags.has_##field) res->has_##field = true, res->field = flags.field
        TAKE(memory_limit);
        TAKE(memory_reservation);
        TAKE(memory_swap);
        TAKE(cpu_shares);
        TAKE(cpu_quota);
        TAKE(cpu_period);
        TAKE(pids_limit);
        TAKE(blkio_weight);
#undef TAKE
        if (flags.cpu_cpus && !(free(res->cpu_cpus), res->cpu_cpus = strdup(flags.cpu_cpus)))
                return log_oom(), 1;
        if (flags.cpu_mems && !(free(res->cpu_mems), res->cpu_mems = strdup(flags.cpu_mems)))
                return log_oom(), 1;
        return container_update(arg_root, argv[optind], spec) < 0 ? 1 : 0;
}
