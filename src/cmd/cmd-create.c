/* `runscope create` and `runscope run`: runc's flags for both. Never touches state itself. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "util/log.h"

static int parse(int argc, char *argv[], bool is_run, CreateOptions *o, bool *detach) {
        enum { ARG_PID_FILE = 0x100, ARG_CONSOLE_SOCKET, ARG_KEEP_UNIT, ARG_PRESERVE_FDS, ARG_NO_PIVOT, ARG_NO_NEW_KEYRING,
               ARG_KEEP, ARG_PIDFD_SOCKET };
        static const struct option options[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "pid-file", required_argument, NULL, ARG_PID_FILE },
                { "console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET },
                { "pidfd-socket", required_argument, NULL, ARG_PIDFD_SOCKET },
                { "detach", no_argument, NULL, 'd' },
                { "keep-unit", no_argument, NULL, ARG_KEEP_UNIT },
                { "preserve-fds", required_argument, NULL, ARG_PRESERVE_FDS },
                { "no-pivot", no_argument, NULL, ARG_NO_PIVOT },
                { "no-new-keyring", no_argument, NULL, ARG_NO_NEW_KEYRING },
                { "keep", no_argument, NULL, ARG_KEEP },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, is_run ? "b:d" : "b:", options, NULL)) >= 0)
                switch (c) {
                case 'b':
                        o->bundle = optarg;
                        break;
                case ARG_PID_FILE:
                        o->pid_file = optarg;
                        break;
                case ARG_CONSOLE_SOCKET:
                        o->console_socket = optarg;
                        break;
                case ARG_PIDFD_SOCKET:
                        o->pidfd_socket = optarg;
                        break;
                case ARG_KEEP_UNIT:
                        o->keep_unit = true;
                        break;
                case ARG_PRESERVE_FDS: {
                        char *end;
                        long n = strtol(optarg, &end, 10);
                        if (*end || end == optarg || n < 0 || n > 1024)
                                return log_error_errno(EINVAL, "--preserve-fds %s: expected a number of fds", optarg);
                        o->preserve_fds = (int) n;
                        break;
                }
                case ARG_NO_PIVOT:
                        o->no_pivot = true;
                        break;
                case ARG_NO_NEW_KEYRING:
                        o->no_new_keyring = true;
                        break;
                case ARG_KEEP:
                        if (!is_run)
                                return log_error_errno(EINVAL, "create: unknown option --keep");
                        o->keep = true;
                        break;
                case 'd':
                        if (!is_run)
                                return log_error_errno(EINVAL, "create: unknown option --detach");
                        *detach = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (cmd_expect_args(argc, argv, 1, 1, is_run ? "run [OPTIONS] ID" : "create [OPTIONS] ID") < 0)
                return -EINVAL;
        o->id = argv[optind];
        o->root = arg_root;
        o->no_machine = arg_no_machine;
        return 0;
}

int verb_create(int argc, char *argv[]) {
        CreateOptions o = {};
        bool detach = false;

        if (parse(argc, argv, false, &o, &detach) < 0)
                return 1;
        return container_create(&o) < 0 ? 1 : 0;
}

int verb_run(int argc, char *argv[]) {
        CreateOptions o = {};
        bool detach = false;
        int r;

        if (parse(argc, argv, true, &o, &detach) < 0)
                return 1;
        /* In the foreground under a Type=notify unit, the container's own readiness counts. */
        o.relay_notify = !detach && getenv("NOTIFY_SOCKET");
        o.foreground = !detach;
        r = container_run(&o, detach);
        return r < 0 ? 1 : r;
}
