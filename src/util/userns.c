/* runscope's place among user namespaces, read from /proc/self/uid_map, and the subordinate id
 * ranges of /etc/subuid and /etc/subgid as shadow's newuidmap reads them. Only reads; never maps. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fd.h"
#include "userns.h"

/* One "inside outside count" line at a time; NULL at the end. */
static const char *next_triple(const char *p, uint32_t *inside, uint32_t *outside, uint32_t *count) {
        while (p && *p) {
                int used = 0;
                if (sscanf(p, " %" SCNu32 " %" SCNu32 " %" SCNu32 "%n", inside, outside, count, &used) == 3 && used > 0) {
                        p += used;
                        return p;
                }
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return NULL;
}

bool userns_map_is_identity(const char *map) {
        uint32_t in, out, n, lines = 0;
        bool identity = false;

        for (const char *p = map; (p = next_triple(p, &in, &out, &n));) {
                lines++;
                identity = in == 0 && out == 0 && n == UINT32_MAX;
        }
        return lines == 1 && identity;
}

int userns_map_outside(const char *map, uint32_t id, uint32_t *ret) {
        uint32_t in, out, n;

        for (const char *p = map; (p = next_triple(p, &in, &out, &n));)
                if (id >= in && id - in < n) {
                        *ret = out + (id - in);
                        return 0;
                }
        return -ENOENT;
}

static const char *self_uid_map(void) {
        static char text[4096];
        static bool loaded;

        if (!loaded) {
                /* No user namespaces in this kernel: the one there is, is the initial one. */
                if (read_small_file("/proc/self/uid_map", text, sizeof(text)) < 0)
                        (void) snprintf(text, sizeof(text), "0 0 4294967295\n");
                loaded = true;
        }
        return text;
}

bool userns_is_initial(void) {
        return userns_map_is_identity(self_uid_map());
}

uid_t userns_outer_uid(void) {
        uint32_t outer;
        uid_t uid = geteuid();

        return userns_map_outside(self_uid_map(), (uint32_t) uid, &outer) < 0 ? uid : (uid_t) outer;
}

int userns_subid_parse(const char *text, const char *name, uint32_t id, uint32_t *ret_start, uint32_t *ret_count) {
        char number[16];

        (void) snprintf(number, sizeof(number), "%" PRIu32, id);
        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                const char *colon = strchr(line, ':'), *nl = strchr(line, '\n');
                uint32_t start, count;
                if (!colon || (nl && colon > nl) || line[0] == '#')
                        continue;
                size_t len = (size_t) (colon - line);
                bool ours = (name && strlen(name) == len && strncmp(line, name, len) == 0) ||
                            (strlen(number) == len && strncmp(line, number, len) == 0);
                if (ours && sscanf(colon + 1, "%" SCNu32 ":%" SCNu32, &start, &count) == 2 && count > 0) {
                        *ret_start = start;
                        *ret_count = count;
                        return 0;
                }
        }
        return -ENOENT;
}

int userns_subid_range(const char *file, const char *name, uint32_t id, uint32_t *ret_start, uint32_t *ret_count) {
        _cleanup_free_ char *text = NULL;
        int r = read_file_at(AT_FDCWD, file, (size_t) 4 * 1024 * 1024, &text, NULL);
        if (r < 0)
                return r;
        return userns_subid_parse(text, name, id, ret_start, ret_count);
}
