/* `runscope list [--format table|json] [--quiet]`. A container that vanishes while listing is
 * skipped, never an error; one whose state cannot be read is listed as "unknown" and named in a
 * warning, and never hides the others. */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "util/alloc.h"
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

        if (json)
                putchar('[');
        else if (!quiet)
                printf("%-20s %-8s %-8s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        /* Errors of one container (gone, half-created) are for debug only: list shows what is. */
        LogLevel level = log_get_max_level();
        log_set_max_level(log_debug_enabled() ? LOG_LEVEL_DEBUG : LOG_LEVEL_OFF);
        _cleanup_free_ char *owner_name = NULL;
        uid_t owner = 0;
        for (char **id = ids; id && *id; id++) {
                _cleanup_(state_freep) ContainerState *st = NULL;
                ContainerStatus status;
                int r = container_load(root_fd, *id, &st, &status);
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        LogLevel quiet_level = log_get_max_level();
                        log_set_max_level(level);
                        log_warning_errno(r, "container %s: its state is unreadable (%m); delete --force removes it", *id);
                        log_set_max_level(quiet_level);
                        print_unreadable(*id, json, quiet, first);
                        first = false;
                        continue;
                }
                if (quiet && !json)
                        printf("%s\n", st->id);
                else if (json) {
                        if (!first)
                                putchar(',');
                        cmd_print_state(st, status, false);
                } else {
                        /* Looked up once per owner: most containers have the same one. */
                        if (!owner_name || st->owner != owner) {
                                struct passwd *pw = getpwuid(st->owner);
                                free(owner_name);
                                owner_name = strdup(pw ? pw->pw_name : "");
                                owner = st->owner;
                        }
                        printf("%-20s %-8d %-8s %-40s %-31s %s\n", st->id, status == CONTAINER_STOPPED ? 0 : (int) st->pid,
                               container_status_to_string(status), st->bundle, st->created, owner_name ?: "");
                }
                first = false;
        }
        if (json)
                puts("]");
        return fflush(stdout) == 0 ? 0 : 1;
}
