/* Parses CPU lists, and sets a process's affinity from one. Never accepts a list it cannot read whole. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"

int cpulist_parse(const char *list, uint8_t mask[static CPULIST_MAX / 8], size_t *ret_used) {
        size_t used = 0;

        memset(mask, 0, CPULIST_MAX / 8);
        if (!*list)
                return -EINVAL;
        for (const char *p = list; *p;) {
                char *end;
                unsigned long a = strtoul(p, &end, 10), b;
                if (end == p)
                        return -EINVAL;
                b = a;
                if (*end == '-') {
                        const char *q = end + 1;
                        b = strtoul(q, &end, 10);
                        if (end == q || b < a)
                                return -EINVAL;
                }
                if (b >= CPULIST_MAX)
                        return -ERANGE;
                for (unsigned long i = a; i <= b; i++)
                        mask[i / 8] |= (uint8_t) (1u << (i % 8));
                if (b / 8 + 1 > used)
                        used = b / 8 + 1;
                if (*end == ',')
                        end++;
                else if (*end)
                        return -EINVAL;
                p = end;
        }
        *ret_used = used;
        return 0;
}

int cpulist_set_affinity(pid_t pid, const char *list) {
        uint8_t mask[CPULIST_MAX / 8];
        size_t used;
        cpu_set_t set;

        int r = cpulist_parse(list, mask, &used);
        if (r < 0)
                return r;
        CPU_ZERO(&set);
        for (size_t i = 0; i < used * 8 && i < CPU_SETSIZE; i++)
                if (mask[i / 8] & (1u << (i % 8)))
                        CPU_SET(i, &set);
        return sched_setaffinity(pid, sizeof(set), &set) < 0 ? -errno : 0;
}
