/* runscope-run: systemd-run for containers. Builds the OCI configuration from the command line
 * (systemd-run's option names where one exists), writes it as a bundle under /run/runscope-run and
 * runs it through the same core as `runscope run`: in a scope in the foreground, or with --service
 * in a transient service of its own. Never leaves its bundle behind. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/bus.h"
#include "config.h"
#include "container.h"
#include "spec/spec-run.h"
#include "state/state.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/sealed.h"
#include "util/strv.h"

#define BUNDLES "/run/runscope-run"

static void help(void) {
        printf("runscope-run [OPTIONS] [--] COMMAND [ARGS...]\n\n"
               "Runs COMMAND as a container in a transient scope (or, with --service, a service).\n\n"
               "  -p, --property=NAME=VALUE   a unit property (MemoryMax=, CPUQuota=, TasksMax=, ...;\n"
               "                              -p help lists them)\n"
               "      --unit=NAME             the unit's name      --slice=SLICE    its slice\n"
               "      --description=TEXT      its description      --name=NAME      the container's id\n"
               "  -E, --setenv=NAME=VALUE     environment          --uid=UID --gid=GID\n"
               "      --working-directory=DIR   -t, --pty (a terminal)  -P, --pipe (stdio is passed anyway)\n"
               "      --service               a detached transient service  --wait  wait for it\n"
               "      --collect               unload the unit even if it failed  -q, --quiet\n"
               "      --rootfs=DIR            the root (default: the host's, read-only)  --read-only\n"
               "      --bind=SRC[:DST[:ro]]   --tmpfs=DST[:OPTIONS]   --hostname=NAME\n"
               "      --network=host|none     --cap-add=CAP --cap-drop=CAP\n"
               "      --seccomp=default|unconfined|FILE   --machine / --no-machine  --root=DIR (state)\n");
}

static int random_name(char *buf, size_t size) {
        uint64_t v;
        _cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t) sizeof(v))
                return log_error_errno(errno ?: EIO, "Failed to make a name: %m");
        snprintf(buf, size, "run-r%016llx", (unsigned long long) v);
        return 0;
}

static int self_dir(char *buf, size_t size) {
        ssize_t n = readlink("/proc/self/exe", buf, size - 1);
        if (n < 0)
                return log_error_errno(errno, "Failed to find runscope: %m");
        buf[n] = 0;
        char *slash = strrchr(buf, '/');
        if (slash)
                *slash = 0;
        return 0;
}

int main(int argc, char *argv[]) {
        enum { UNIT = 0x100, SLICE, DESCRIPTION, UID, GID, WORKDIR, WAIT, COLLECT, SERVICE, ROOTFS, BIND, TMPFS,
               HOSTNAME, NETWORK, READ_ONLY, CAP_ADD, CAP_DROP, SECCOMP, MACHINE, NO_MACHINE, NAME, ROOT, SHOW_VERSION };
        static const struct option options[] = {
                { "property", required_argument, NULL, 'p' }, { "unit", required_argument, NULL, UNIT },
                { "slice", required_argument, NULL, SLICE }, { "description", required_argument, NULL, DESCRIPTION },
                { "setenv", required_argument, NULL, 'E' }, { "uid", required_argument, NULL, UID },
                { "gid", required_argument, NULL, GID }, { "working-directory", required_argument, NULL, WORKDIR },
                { "pty", no_argument, NULL, 't' }, { "pipe", no_argument, NULL, 'P' },
                { "wait", no_argument, NULL, WAIT }, { "quiet", no_argument, NULL, 'q' },
                { "collect", no_argument, NULL, COLLECT }, { "service", no_argument, NULL, SERVICE },
                { "rootfs", required_argument, NULL, ROOTFS }, { "bind", required_argument, NULL, BIND },
                { "tmpfs", required_argument, NULL, TMPFS }, { "hostname", required_argument, NULL, HOSTNAME },
                { "network", required_argument, NULL, NETWORK }, { "read-only", no_argument, NULL, READ_ONLY },
                { "cap-add", required_argument, NULL, CAP_ADD }, { "cap-drop", required_argument, NULL, CAP_DROP },
                { "seccomp", required_argument, NULL, SECCOMP }, { "machine", no_argument, NULL, MACHINE },
                { "no-machine", no_argument, NULL, NO_MACHINE }, { "name", required_argument, NULL, NAME },
                { "root", required_argument, NULL, ROOT }, { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, SHOW_VERSION }, {}
        };
        _cleanup_strv_free_ char **props = NULL, **env = NULL, **binds = NULL, **tmpfs = NULL, **cap_add = NULL,
                                 **cap_drop = NULL;
        const char *unit = NULL, *slice = NULL, *description = NULL, *name = NULL, *root = STATE_ROOT_DEFAULT;
        SpecRunOptions o = {};
        bool service = false, wait = false, quiet = false, collect = false;
        char rootfs[PATH_MAX], namebuf[64], *end;
        int c, r;

        sealed_init(argv);
        /* Inherited as ignored, SIGCHLD would have the kernel reap the launcher and the
         * container's processes before runscope waits for them (and the container's init would
         * inherit it): the default, whoever started runscope. */
        (void) signal(SIGCHLD, SIG_DFL);

        log_set_prefix("runscope-run");
        while ((c = getopt_long(argc, argv, "+p:E:tPqh", options, NULL)) >= 0) {
                char ***list = NULL;
                switch (c) {
                case 'p':
                        if (strcmp(optarg, "help") == 0) { /* as systemd's --type=help and the like */
                                for (size_t i = 0; spec_run_property_name(i); i++)
                                        puts(spec_run_property_name(i));
                                return 0;
                        }
                        list = &props;
                        break;
                case 'E': list = &env; break;
                case BIND: list = &binds; break;
                case TMPFS: list = &tmpfs; break;
                case CAP_ADD: list = &cap_add; break;
                case CAP_DROP: list = &cap_drop; break;
                case UNIT: unit = optarg; break;
                case SLICE: slice = optarg; break;
                case DESCRIPTION: description = optarg; break;
                case NAME: name = optarg; break;
                case ROOT: root = optarg; break;
                case WORKDIR: o.cwd = optarg; break;
                case HOSTNAME: o.hostname = optarg; break;
                case READ_ONLY: o.read_only = true; break;
                case WAIT: wait = true; break;
                case COLLECT: collect = true; break;
                case SERVICE: service = true; break;
                case 'q': quiet = true; break;
                case 'P': break;
                case MACHINE: o.no_machine = false; break;
                case NO_MACHINE: o.no_machine = true; break;
                case UID:
                case GID: {
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (end == optarg || *end || v >= UINT32_MAX)
                                return log_error("--%s %s: expected a number", c == UID ? "uid" : "gid", optarg), 1;
                        if (c == UID)
                                o.has_uid = true, o.uid = (uint32_t) v;
                        else
                                o.has_gid = true, o.gid = (uint32_t) v;
                        break;
                }
                case ROOTFS:
                        if (!realpath(optarg, rootfs))
                                return log_error_errno(errno, "--rootfs %s: %m", optarg), 1;
                        o.rootfs = rootfs;
                        break;
                case NETWORK:
                        if (strcmp(optarg, "host") != 0 && strcmp(optarg, "none") != 0)
                                return log_error("--network %s: expected host or none", optarg), 1;
                        o.host_network = strcmp(optarg, "host") == 0;
                        break;
                case SECCOMP:
                        o.seccomp = optarg;
                        break;
                case 't':
                        o.terminal = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case SHOW_VERSION:
                        printf("runscope-run " PACKAGE_VERSION "\n");
                        return 0;
                default:
                        return 1;
                }
                if (list && strv_extend(list, optarg) < 0)
                        return log_oom(), 1;
        }
        if (optind >= argc)
                return log_error("Missing COMMAND (see runscope-run --help)"), 1;
        o.args = argv + optind;
        o.env = env;
        o.binds = binds;
        o.tmpfs = tmpfs;
        o.cap_add = cap_add;
        o.cap_drop = cap_drop;

        /* The unit's name, without its suffix, doubles as the container's id unless --name says. */
        _cleanup_free_ char *unit_base = NULL, *cgroups_path = NULL, *desc_prop = NULL;
        if (unit) {
                size_t l = strlen(unit);
                const char *suffix = service ? ".service" : ".scope";
                unit_base = strndup(unit, l > strlen(suffix) && strcmp(unit + l - strlen(suffix), suffix) == 0 ? l - strlen(suffix) : l);
                if (!unit_base)
                        return log_oom(), 1;
        }
        if (!name && unit_base)
                name = unit_base;
        if (!name) {
                if (random_name(namebuf, sizeof(namebuf)) < 0)
                        return 1;
                name = namebuf;
        }
        if (state_validate_id(name) < 0)
                return 1;
        if (!service && (unit_base || slice) &&
            asprintf(&cgroups_path, "%s::%s", slice ?: "", unit_base ?: name) < 0)
                return log_oom(), 1;
        o.cgroups_path = cgroups_path;
        if (description && (strchr(description, '\'') || asprintf(&desc_prop, "Description=%s", description) < 0))
                return log_error("--description: a quote cannot be passed on"), 1;
        if (desc_prop && !service && strv_extend(&props, desc_prop) < 0)
                return log_oom(), 1;
        o.properties = props;

        _cleanup_free_ char *text = NULL, *bundle = NULL;
        if (spec_run_build(&o, &text) < 0)
                return 1;
        /* As `runscope create` does, but before the bundle is written: a re-exec starts over. */
        _cleanup_(spec_freep) Spec *check = NULL;
        if (spec_parse(text, &check) < 0)
                return 1;
        if (!service && spec_can_ptrace_host(check) && (r = sealed_reexec()) < 0)
                return log_error_errno(r, "Failed to run from a sealed copy of runscope-run: %m"), 1;
        if (asprintf(&bundle, BUNDLES "/%s", name) < 0)
                return log_oom(), 1;
        if ((r = mkdir_p(bundle, 0700)) < 0)
                return log_error_errno(r, "Failed to create %s: %m", bundle), 1;
        _cleanup_close_ int bundle_fd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (bundle_fd < 0 || (r = write_file_atomic_at(bundle_fd, "config.json", text, strlen(text), 0600)) < 0) {
                log_error_errno(bundle_fd < 0 ? errno : r, "Failed to write %s/config.json: %m", bundle);
                (void) rm_rf_at(AT_FDCWD, bundle);
                return 1;
        }

        if (service && o.terminal) {
                (void) rm_rf_at(AT_FDCWD, bundle);
                return log_error("--pty and --service: a service has no terminal to give"), 1;
        }
        if (!service) {
                CreateOptions co = { .root = root, .id = name, .bundle = bundle, .no_machine = o.no_machine,
                                     .relay_notify = getenv("NOTIFY_SOCKET") != NULL, .foreground = true };
                if (!quiet)
                        fprintf(stderr, "Running container %s as unit: %s%s.scope\n", name, unit_base ? "" : "runscope-",
                                unit_base ?: name);
                r = container_run(&co, false);
                (void) rm_rf_at(AT_FDCWD, bundle);
                return r < 0 ? 1 : r;
        }

        /* --service: runscope run --keep-unit as the ExecStart of a transient service. */
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *service_unit = NULL, *runscope = NULL, *desc = NULL;
        char dir[PATH_MAX];
        if (self_dir(dir, sizeof(dir)) < 0)
                return 1;
        if (asprintf(&runscope, "%s/runscope", dir) < 0 || asprintf(&service_unit, "%s.service", unit_base ?: name) < 0 ||
            asprintf(&desc, "%s", description ?: "runscope-run container") < 0)
                return log_oom(), 1;
        char *start[] = { runscope, "--root", (char *) root, o.no_machine ? "--no-machine" : "--systemd-cgroup", "run",
                          "--keep-unit", "--bundle", bundle, (char *) name, NULL };
        char *cleanup[] = { runscope, "--root", (char *) root, "delete", "--force", (char *) name, NULL };
        char *remove[] = { "/bin/rm", "-rf", "--", bundle, NULL };
        ServiceRequest req = { .unit = service_unit, .slice = slice ?: BUS_DEFAULT_SLICE, .description = desc,
                               .exec_start = start, .exec_stop_post = { cleanup, remove, NULL }, .collect = collect,
                               .wait = wait, .spec = check };
        /* --wait holds a reference on the unit, which only a peer on the bus can (not the private socket). */
        r = wait ? sd_bus_open_system(&bus) : bus_connect_system(&bus);
        if (r < 0)
                log_error_errno(r, "Failed to connect to systemd: %m");
        if (r < 0 || bus_start_service(bus, &req) < 0) {
                (void) rm_rf_at(AT_FDCWD, bundle);
                return 1;
        }
        if (!quiet)
                fprintf(stderr, "Running container %s as unit: %s\n", name, service_unit);
        if (!wait)
                return 0;
        int status;
        if (bus_wait_service_exit(bus, service_unit, &status) < 0)
                return 1;
        if (!quiet)
                fprintf(stderr, "Finished with status %d\n", status);
        return status;
}
