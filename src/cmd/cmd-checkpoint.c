/* `runscope checkpoint` and `runscope restore`: runc's flags for CRIU. Parses only; the work is
 * container_checkpoint() and container_restore(). */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "container.h"
#include "util/log.h"

static void checkpoint_help(void) {
        printf("Usage: runscope checkpoint [OPTIONS] ID\n\n"
               "Dump a running container's processes with CRIU, then delete the container.\n\n"
               "  --image-path DIR            where CRIU writes the images (default ./checkpoint)\n"
               "  --work-path DIR             where CRIU writes dump.log (default: the image path)\n"
               "  --parent-path DIR           an earlier --pre-dump, relative to the image path\n"
               "  --leave-running             keep the container running after the dump\n"
               "  --pre-dump                  dump memory only, for a later dump with --parent-path\n"
               "  --tcp-established           dump established TCP connections\n"
               "  --ext-unix-sk               allow connections to unix sockets outside the container\n"
               "  --shell-job                 allow a terminal from outside the container\n"
               "  --file-locks                dump file locks\n"
               "  --manage-cgroups-mode MODE  soft (default), full, strict or ignore\n");
}

static void restore_help(void) {
        printf("Usage: runscope restore [OPTIONS] ID\n\n"
               "Restore a container from a CRIU checkpoint into a new scope unit.\n\n"
               "  -b, --bundle DIR            the bundle (default: the current directory)\n"
               "  --image-path DIR            the checkpoint's images (default ./checkpoint)\n"
               "  --work-path DIR             where CRIU writes restore.log (default: the image path)\n"
               "  -d, --detach                return once restored, instead of waiting for the container\n"
               "  --pid-file FILE             write the restored init's pid there\n"
               "  --console-socket SOCKET     where the restored terminal's pty master goes\n"
               "  --tcp-established           restore established TCP connections\n"
               "  --tcp-close                 restore them closed\n"
               "  --ext-unix-sk               allow connections to unix sockets outside the container\n"
               "  --shell-job                 allow a terminal from outside the container\n"
               "  --file-locks                restore file locks\n"
               "  --manage-cgroups-mode MODE  soft (default) or ignore\n"
               "  --lsm-profile TYPE:NAME     the LSM profile of the restored processes\n"
               "  --lsm-mount-context CONTEXT the SELinux mount context of the restored mounts\n"
               "  --no-pivot, --no-new-keyring, --no-subreaper  accepted as runc does; CRIU makes the root\n");
}

/* Flags both verbs have, runc's names. */
enum {
        ARG_IMAGE_PATH = 0x100, ARG_WORK_PATH, ARG_PARENT_PATH, ARG_LEAVE_RUNNING, ARG_PRE_DUMP, ARG_TCP_ESTABLISHED,
        ARG_TCP_CLOSE, ARG_EXT_UNIX_SK, ARG_SHELL_JOB, ARG_FILE_LOCKS, ARG_MANAGE_CGROUPS_MODE, ARG_PID_FILE,
        ARG_CONSOLE_SOCKET, ARG_LSM_PROFILE, ARG_LSM_MOUNT_CONTEXT, ARG_IGNORED,
};

int verb_checkpoint(int argc, char *argv[]) {
        static const struct option options[] = {
                { "image-path", required_argument, NULL, ARG_IMAGE_PATH },
                { "work-path", required_argument, NULL, ARG_WORK_PATH },
                { "parent-path", required_argument, NULL, ARG_PARENT_PATH },
                { "leave-running", no_argument, NULL, ARG_LEAVE_RUNNING },
                { "pre-dump", no_argument, NULL, ARG_PRE_DUMP },
                { "tcp-established", no_argument, NULL, ARG_TCP_ESTABLISHED },
                { "ext-unix-sk", no_argument, NULL, ARG_EXT_UNIX_SK },
                { "shell-job", no_argument, NULL, ARG_SHELL_JOB },
                { "file-locks", no_argument, NULL, ARG_FILE_LOCKS },
                { "manage-cgroups-mode", required_argument, NULL, ARG_MANAGE_CGROUPS_MODE },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        CheckpointOptions o = { .root = arg_root };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_IMAGE_PATH: o.image_path = optarg; break;
                case ARG_WORK_PATH: o.work_path = optarg; break;
                case ARG_PARENT_PATH: o.parent_path = optarg; break;
                case ARG_LEAVE_RUNNING: o.leave_running = true; break;
                case ARG_PRE_DUMP: o.pre_dump = true; break;
                case ARG_TCP_ESTABLISHED: o.tcp_established = true; break;
                case ARG_EXT_UNIX_SK: o.ext_unix_sk = true; break;
                case ARG_SHELL_JOB: o.shell_job = true; break;
                case ARG_FILE_LOCKS: o.file_locks = true; break;
                case ARG_MANAGE_CGROUPS_MODE: o.manage_cgroups_mode = optarg; break;
                case 'h':
                        /* podman asks `checkpoint --help` whether a runtime checkpoints: exit 0. */
                        checkpoint_help();
                        return 0;
                default:
                        return 1;
                }
        if (cmd_expect_args(argc, argv, 1, 1, "checkpoint [OPTIONS] ID") < 0)
                return 1;
        o.id = argv[optind];
        return container_checkpoint(&o) < 0 ? 1 : 0;
}

int verb_restore(int argc, char *argv[]) {
        static const struct option options[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "image-path", required_argument, NULL, ARG_IMAGE_PATH },
                { "work-path", required_argument, NULL, ARG_WORK_PATH },
                { "detach", no_argument, NULL, 'd' },
                { "pid-file", required_argument, NULL, ARG_PID_FILE },
                { "console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET },
                { "tcp-established", no_argument, NULL, ARG_TCP_ESTABLISHED },
                { "tcp-close", no_argument, NULL, ARG_TCP_CLOSE },
                { "ext-unix-sk", no_argument, NULL, ARG_EXT_UNIX_SK },
                { "shell-job", no_argument, NULL, ARG_SHELL_JOB },
                { "file-locks", no_argument, NULL, ARG_FILE_LOCKS },
                { "manage-cgroups-mode", required_argument, NULL, ARG_MANAGE_CGROUPS_MODE },
                { "lsm-profile", required_argument, NULL, ARG_LSM_PROFILE },
                { "lsm-mount-context", required_argument, NULL, ARG_LSM_MOUNT_CONTEXT },
                { "no-pivot", no_argument, NULL, ARG_IGNORED },
                { "no-new-keyring", no_argument, NULL, ARG_IGNORED },
                { "no-subreaper", no_argument, NULL, ARG_IGNORED },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        RestoreOptions o = { .root = arg_root, .no_machine = arg_no_machine };
        int c, r;

        while ((c = getopt_long(argc, argv, "b:dh", options, NULL)) >= 0)
                switch (c) {
                case 'b': o.bundle = optarg; break;
                case ARG_IMAGE_PATH: o.image_path = optarg; break;
                case ARG_WORK_PATH: o.work_path = optarg; break;
                case 'd': o.detach = true; break;
                case ARG_PID_FILE: o.pid_file = optarg; break;
                case ARG_CONSOLE_SOCKET: o.console_socket = optarg; break;
                case ARG_TCP_ESTABLISHED: o.tcp_established = true; break;
                case ARG_TCP_CLOSE: o.tcp_close = true; break;
                case ARG_EXT_UNIX_SK: o.ext_unix_sk = true; break;
                case ARG_SHELL_JOB: o.shell_job = true; break;
                case ARG_FILE_LOCKS: o.file_locks = true; break;
                case ARG_MANAGE_CGROUPS_MODE: o.manage_cgroups_mode = optarg; break;
                case ARG_LSM_PROFILE: o.lsm_profile = optarg; break;
                case ARG_LSM_MOUNT_CONTEXT: o.lsm_mount_context = optarg; break;
                case ARG_IGNORED: break;
                case 'h':
                        restore_help();
                        return 0;
                default:
                        return 1;
                }
        if (cmd_expect_args(argc, argv, 1, 1, "restore [OPTIONS] ID") < 0)
                return 1;
        o.id = argv[optind];
        r = container_restore(&o);
        return r < 0 ? 1 : r;
}
