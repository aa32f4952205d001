/* `runscope list [--format table|json] [--quiet]`. A container that vanishes while listing is
 * skipped, never an error. */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/strv.h"

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
        log_set_max_level(log_debug_enabled() ? LOG_LEVEL_DEBUG : LOG_LEVEL_OFF);
        _cleanup_free_ char *owner_name = NULL;
        uid_t owner = 0;
        for (char **id = ids; id && *id; id++) {
                _cleanup_(state_freep) ContainerState *st = NULL;
                ContainerStatus status;
                if (container_load(root_fd, *id, &st, &status) < 0)
                        continue;
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
