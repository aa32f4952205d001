/* runscope's entry: runc's global flags, the verb table and log set-up. Never does a verb's work
 * itself, and never writes to stdout except through a verb. */
#include <getopt.h>
#include <signal.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "bus/bus.h"
#include "cmd.h"
#include "config.h"
#include "criu/criu.h"
#include "state/state.h"
#include "util/log.h"
#include "util/sealed.h"

const char *arg_root = STATE_ROOT_DEFAULT;
bool arg_no_machine = false;

static const struct {
        const char *name;
        VerbFunc func;
        const char *help;
} verbs[] = {
        { "create", verb_create, "create a container" },
        { "start", verb_start, "start the process of a created container" },
        { "run", verb_run, "create and start a container" },
        { "exec", verb_exec, "run a process in a running container" },
        { "pause", verb_pause, "freeze every process of a container" },
        { "resume", verb_resume, "thaw a paused container" },
        { "update", verb_update, "change a running container's resource limits" },
        { "ps", verb_ps, "list the processes of a container's unit" },
        { "events", verb_events, "print a container's stats and OOM events as JSON" },
        { "state", verb_state, "print the state of a container as JSON" },
        { "kill", verb_kill, "send a signal to a container's init (--all: to every process)" },
        { "delete", verb_delete, "delete a container and its unit" },
        { "list", verb_list, "list containers" },
        { "spec", verb_spec, "write a default config.json" },
        { "features", verb_features, "print what runscope supports (OCI features JSON)" },
        { "checkpoint", verb_checkpoint, "dump a running container's processes with CRIU" },
        { "restore", verb_restore, "restore a container from a CRIU checkpoint into a new scope" },
};

static void help(void) {
        printf("runscope - an OCI container runtime whose containers are systemd scopes\n\n"
               "Usage: runscope [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\nCommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-10s %s\n", verbs[i].name, verbs[i].help);
        printf("\nGlobal options:\n"
               "  --root DIR           state directory (default " STATE_ROOT_DEFAULT ", rootless\n"
               "                       $XDG_RUNTIME_DIR/runscope)\n"
               "  --log FILE           write log messages to FILE\n"
               "  --log-format FORMAT  text or json\n"
               "  --debug              log debug messages\n"
               "  --systemd-cgroup     accepted for runc compatibility (always systemd)\n"
               "  --no-machine         do not register containers with systemd-machined\n"
               "  -v, --version        print the version\n");
}

static void version(void) {
        const struct scmp_version *v = seccomp_version();
        _cleanup_free_ char *criu = NULL, *criu_ver = NULL;

        /* runc's layout, which podman info shows as is, and the criu checkpoint and restore run. */
        printf("runscope version " PACKAGE_VERSION "\nspec: 1.3.0\nlibseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
        if (criu_find(&criu) < 0)
                printf("criu: none in PATH (checkpoint and restore need it)\n");
        else if (criu_version(criu, &criu_ver) < 0)
                printf("criu: %s (its version unknown)\n", criu);
        else
                printf("criu: %s (%s)\n", criu_ver, criu);
}

int main(int argc, char *argv[]) {
        enum { ARG_ROOT = 0x100, ARG_LOG, ARG_LOG_FORMAT, ARG_DEBUG, ARG_SYSTEMD_CGROUP, ARG_NO_MACHINE };
        static const struct option options[] = {
                { "root", required_argument, NULL, ARG_ROOT },
                { "log", required_argument, NULL, ARG_LOG },
                { "log-format", required_argument, NULL, ARG_LOG_FORMAT },
                { "debug", no_argument, NULL, ARG_DEBUG },
                { "systemd-cgroup", no_argument, NULL, ARG_SYSTEMD_CGROUP },
                { "no-machine", no_argument, NULL, ARG_NO_MACHINE },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'v' },
                {}
        };
        const char *log_path = NULL;
        LogFormat format = LOG_FORMAT_TEXT;
        bool root_given = false;
        char user_root[320];
        int c;

        sealed_init(argv);
        /* Inherited as ignored, SIGCHLD would have the kernel reap the launcher and the
         * container's processes before runscope waits for them (and the container's init would
         * inherit it): the default, whoever started runscope. */
        (void) signal(SIGCHLD, SIG_DFL);

        /* "+": global options end at the verb; the verb parses the rest. */
        while ((c = getopt_long(argc, argv, "+hv", options, NULL)) >= 0)
                switch (c) {
                case ARG_ROOT:
                        arg_root = optarg;
                        root_given = true;
                        break;
                case ARG_LOG:
                        log_path = optarg;
                        break;
                case ARG_LOG_FORMAT:
                        format = log_format_from_string(optarg);
                        if (format < 0) {
                                log_error("Invalid --log-format '%s': use text or json", optarg);
                                return 1;
                        }
                        break;
                case ARG_DEBUG:
                        log_set_max_level(LOG_LEVEL_DEBUG);
                        break;
                case ARG_SYSTEMD_CGROUP:
                        break;
                case ARG_NO_MACHINE:
                        arg_no_machine = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case 'v':
                        version();
                        return 0;
                default:
                        return 1;
                }
        if (log_open(log_path, format) < 0)
                return 1;
        /* Rootless, as runc and crun: the state lives in the user's runtime directory. */
        if (!root_given && bus_user_manager()) {
                (void) snprintf(user_root, sizeof(user_root), "%s/runscope", bus_runtime_dir());
                arg_root = user_root;
        }
        if (optind >= argc) {
                help();
                return 1;
        }

        const char *verb = argv[optind];
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, verb) == 0) {
                        argv += optind;
                        argc -= optind;
                        optind = 0; /* getopt starts over for the verb's own options */
                        return verbs[i].func(argc, argv);
                }
        log_error("Unknown command '%s' (see runscope --help)", verb);
        return 1;
}
