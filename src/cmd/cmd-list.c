/* `runscope list [--format table|json] [--quiet]`. A container that vanishes while listing is
 * skipped, never an error; one whose state cannot be read is listed as "unknown" and named in a
 * warning, and never hides the others. The states are read on threads, one per 128 containers up to
 * the CPUs we may run on (8 at most); they only read, and every line is printed by the main
 * thread, in the order of the ids. */
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "util/alloc.h"
#include "util/cgroup.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

static void print_unreadable(const char *id, bool json, bool quiet, bool first) {
        if (quiet && !json)
                printf("%s\n", id);
        else if (json) {
                printf("%s{\"ociVersion\":\"1.0.2\",\"id\":", first ? "" : ",");
                json_print_string(stdout, id);
                printf(",\"pid\":0,\"status\":\"unknown\",\"bundle\":\"\",\"rootfs\":\"\",\"created\":\"\",\"owner\":\"\"}");
        } else
                printf("%-20s %-8d %-8s %-40s %-31s %s\n", id, 0, "unknown", "", "", "");
}

/* Reading one container's status is a dozen syscalls, most into /proc and the cgroup tree
 * (/proc/PID/cgroup walks every hierarchy of a hybrid host): with a thousand containers, that is
 * nearly all of list's time, and it divides between CPUs. Below this many, a thread costs more
 * than it saves. */
#define LOAD_PER_THREAD 128
#define LOAD_THREADS_MAX 8

typedef struct Loaded {
        ContainerState *st;
        ContainerStatus status;
        int r;
} Loaded;

typedef struct Loader {
        int root_fd;
        char **ids;
        Loaded *out;
        size_t n, first, stride;
} Loader;

static void *load_share(void *userdata) {
        const Loader *l = userdata;

        for (size_t i = l->first; i < l->n; i += l->stride)
                l->out[i].r = container_load(l->root_fd, l->ids[i], &l->out[i].st, &l->out[i].status);
        return NULL;
}

static size_t load_threads(size_t n) {
        size_t k = (n + LOAD_PER_THREAD - 1) / LOAD_PER_THREAD;
        cpu_set_t set;

        if (sched_getaffinity(0, sizeof(set), &set) < 0)
                return 1;
        if (k > (size_t) CPU_COUNT(&set))
                k = (size_t) CPU_COUNT(&set);
        if (k > LOAD_THREADS_MAX)
                k = LOAD_THREADS_MAX;
        return k > 1 ? k : 1;
}

/* Every share is loaded, on a thread of its own or, when one cannot be started, on this one. */
static void load_all(int root_fd, char **ids, size_t n, Loaded *out) {
        Loader loaders[LOAD_THREADS_MAX] = {};
        pthread_t threads[LOAD_THREADS_MAX];
        bool started[LOAD_THREADS_MAX] = {};
        size_t k = load_threads(n);

        for (size_t t = 0; t < k; t++)
                loaders[t] = (Loader) { .root_fd = root_fd, .ids = ids, .out = out, .n = n, .first = t, .stride = k };
        for (size_t t = 1; t < k; t++)
                started[t] = pthread_create(&threads[t], NULL, load_share, &loaders[t]) == 0;
        (void) load_share(&loaders[0]);
        for (size_t t = 1; t < k; t++)
                if (started[t])
                        (void) pthread_join(threads[t], NULL);
                else
                        (void) load_share(&loaders[t]);
}

typedef struct LoadedList {
        Loaded *items;
        size_t n;
} LoadedList;

static void loaded_list_done(LoadedList *l) {
        for (size_t i = 0; l->items && i < l->n; i++)
                state_free(l->items[i].st);
        free(l->items);
}

int verb_list(int argc, char *argv[]) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                {}
        };
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        bool json = false, quiet = false, first = true;
        int c;

        while ((c = getopt_long(argc, argv, "f:q", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0) {
                                log_error("Invalid --format '%s': use table or json", optarg);
                                return 1;
                        }
                        json = strcmp(optarg, "json") == 0;
                        break;
                case 'q':
                        quiet = true;
                        break;
                default:
                        return 1;
                }
        if (cmd_expect_args(argc, argv, 0, 0, "list [--format table|json] [--quiet]") < 0)
                return 1;
        if (state_root_open(arg_root, &root_fd) < 0 || state_list(root_fd, &ids) < 0)
                return 1;

        _cleanup_(loaded_list_done) LoadedList loaded = { .n = strv_length(ids) };
        if (loaded.n > 0) {
                loaded.items = calloc(loaded.n, sizeof(Loaded));
                if (!loaded.items) {
                        log_oom();
                        return 1;
                }
        }
        /* Errors of one container (gone, half-created) are for debug only: list shows what is. */
        LogLevel level = log_get_max_level();
        log_set_max_level(log_debug_enabled() ? LOG_LEVEL_DEBUG : LOG_LEVEL_OFF);
        /* Asked once before the threads start: the answer is kept in a static. */
        const char *unified;
        (void) cgroup_unified_root(&unified);
        load_all(root_fd, ids, loaded.n, loaded.items);

        if (json)
                putchar('[');
        else if (!quiet)
                printf("%-20s %-8s %-8s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        for (size_t i = 0; i < loaded.n; i++) {
                const ContainerState *st = loaded.items[i].st;
                ContainerStatus status = loaded.items[i].status;
                int r = loaded.items[i].r;

                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        LogLevel quiet_level = log_get_max_level();
                        log_set_max_level(level);
                        log_warning_errno(r, "container %s: its state is unreadable (%m); delete --force removes it", ids[i]);
                        log_set_max_level(quiet_level);
                        print_unreadable(ids[i], json, quiet, first);
                        first = false;
                        continue;
                }
                if (quiet && !json)
                        printf("%s\n", st->id);
                else if (json) {
                        if (!first)
                                putchar(',');
                        cmd_print_state(st, status, -1, false);
                } else
                        printf("%-20s %-8d %-8s %-40s %-31s %s\n", st->id, status == CONTAINER_STOPPED ? 0 : (int) st->pid,
                               container_status_to_string(status), st->bundle, st->created, cmd_owner_name(st->owner));
                first = false;
        }
        if (json)
                puts("]");
        return fflush(stdout) == 0 ? 0 : 1;
}
