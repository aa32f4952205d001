/* `runscope state ID`: the OCI state JSON. Reads without taking the container's lock, so it never
 * waits behind a long-running command. */
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "util/cgroup-oom.h"
#include "util/json.h"

const char *cmd_owner_name(uid_t uid) {
        /* Looked up once per owner: `list` of many containers asks for the same one each time,
         * and every getpwuid() reads the passwd database anew. */
        static char *name = NULL;
        static uid_t cached;

        if (!name || uid != cached) {
                struct passwd *pw = getpwuid(uid);
                char *n = strdup(pw ? pw->pw_name : "");
                if (!n)
                        return "";
                free(name);
                name = n;
                cached = uid;
        }
        return name;
}

void cmd_print_state(const ContainerState *st, int status, int64_t oom_kills, bool pretty) {
        const char *nl = pretty ? "\n  " : "", *sp = pretty ? " " : "";

        printf("{%s\"ociVersion\":%s\"1.0.2\",%s\"id\":%s", nl, sp, nl, sp);
        json_print_string(stdout, st->id);
        printf(",%s\"pid\":%s%d,%s\"status\":%s\"%s\",%s\"bundle\":%s", nl, sp,
               status == CONTAINER_STOPPED ? 0 : (int) st->pid, nl, sp, container_status_to_string(status), nl, sp);
        json_print_string(stdout, st->bundle);
        printf(",%s\"rootfs\":%s", nl, sp);
        json_print_string(stdout, st->rootfs);
        printf(",%s\"created\":%s", nl, sp);
        json_print_string(stdout, st->created);
        printf(",%s\"owner\":%s", nl, sp);
        json_print_string(stdout, cmd_owner_name(st->owner));
        printf(",%s\"unit\":%s", nl, sp);
        json_print_string(stdout, st->unit);
        if (st->machine) {
                printf(",%s\"machine\":%s", nl, sp);
                json_print_string(stdout, st->machine);
        }
        if (oom_kills >= 0)
                printf(",%s\"oomKills\":%s%lld", nl, sp, (long long) oom_kills);
        printf(",%s\"annotations\":%s{", nl, sp);
        for (char **a = st->annotations; a && a[0] && a[1]; a += 2) {
                if (a != st->annotations)
                        fputc(',', stdout);
                json_print_string(stdout, a[0]);
                fputc(':', stdout);
                json_print_string(stdout, a[1]);
        }
        printf("}%s}", pretty ? "\n" : "");
}

int verb_state(int argc, char *argv[]) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        ContainerStatus status;

        if (getopt_long(argc, argv, "", (const struct option[]) { {} }, NULL) >= 0 ||
            cmd_expect_args(argc, argv, 1, 1, "state ID") < 0)
                return 1;
        if (state_root_open(arg_root, &root_fd) < 0 || container_load(root_fd, argv[optind], &st, &status) < 0)
                return 1;
        /* What the kernel counts in the container's memory cgroup, while that is there. */
        uint64_t kills;
        int64_t oom_kills = status != CONTAINER_STOPPED && cgroup_pid_oom_kills(st->pid, &kills) >= 0 ? (int64_t) kills : -1;
        cmd_print_state(st, status, oom_kills, true);
        putchar('\n');
        return fflush(stdout) == 0 ? 0 : 1;
}
