/* `runscope exec [OPTIONS] ID COMMAND [ARGS...]` or `exec --process FILE ID`: runc's flags. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "util/log.h"
#include "util/strv.h"

/* UID[:GID], decimal digits only: strtoul alone would take " 0", "+0" and "-0" (root) or wrap "-1". A
 * missing GID is 0, as in runc. */
static int parse_id(const char *s, char stop, unsigned long *ret, const char **ret_end) {
        char *end;

        if (!isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        *ret = strtoul(s, &end, 10);
        if (errno == ERANGE)
                *ret = ULONG_MAX;
        if (*end && *end != stop)
                return -EINVAL;
        *ret_end = end;
        return 0;
}

static int parse_user(const char *s, ExecOptions *o) {
        unsigned long uid, gid = 0;
        const char *end;

        if (parse_id(s, ':', &uid, &end) < 0 || (*end == ':' && parse_id(end + 1, 0, &gid, &end) < 0))
                return log_error_errno(EINVAL, "--user %s: expected UID[:GID], in decimal digits", s);
        if (uid > UINT32_MAX - 1 || gid > UINT32_MAX - 1)
                return log_error_errno(ERANGE, "--user %s: out of range", s);
        o->has_user = true;
        o->uid = (uint32_t) uid;
        o->gid = (uint32_t) gid;
        return 0;
}

/* --additional-gids GID, repeated for more: one decimal GID each time, as runc takes it (a list
 * "10,20" is refused there too). */
static int add_gid(const char *s, ExecOptions *o) {
        unsigned long gid;
        const char *end;

        if (parse_id(s, 0, &gid, &end) < 0)
                return log_error_errno(EINVAL, "--additional-gids %s: expected one GID, in decimal digits", s);
        if (gid > UINT32_MAX - 1)
                return log_error_errno(ERANGE, "--additional-gids %s: out of range", s);
        uint32_t *gids = reallocarray(o->additional_gids, o->n_additional_gids + 1, sizeof(uint32_t));
        if (!gids)
                return log_oom();
        gids[o->n_additional_gids++] = (uint32_t) gid;
        o->additional_gids = gids;
        return 0;
}

int verb_exec(int argc, char *argv[]) {
        enum { ARG_CWD = 0x100, ARG_PID_FILE, ARG_CAP, ARG_NNP, ARG_PRESERVE, ARG_APPARMOR, ARG_LABEL, ARG_CONSOLE,
               ARG_IGNORE_PAUSED, ARG_PIDFD_SOCKET };
        static const struct option options[] = {
                { "process", required_argument, NULL, 'p' },
                { "cwd", required_argument, NULL, ARG_CWD },
                { "env", required_argument, NULL, 'e' },
                { "user", required_argument, NULL, 'u' },
                { "additional-gids", required_argument, NULL, 'g' },
                { "ignore-paused", no_argument, NULL, ARG_IGNORE_PAUSED },
                { "cap", required_argument, NULL, ARG_CAP },
                { "no-new-privs", no_argument, NULL, ARG_NNP },
                { "detach", no_argument, NULL, 'd' },
                { "pid-file", required_argument, NULL, ARG_PID_FILE },
                { "preserve-fds", required_argument, NULL, ARG_PRESERVE },
                { "tty", no_argument, NULL, 't' },
                { "console-socket", required_argument, NULL, ARG_CONSOLE },
                { "pidfd-socket", required_argument, NULL, ARG_PIDFD_SOCKET },
                { "apparmor", required_argument, NULL, ARG_APPARMOR },
                { "process-label", required_argument, NULL, ARG_LABEL },
                {}
        };
        _cleanup_strv_free_ char **env = NULL, **caps = NULL;
        _cleanup_free_ uint32_t *gids = NULL;
        ExecOptions o = { .root = arg_root };
        char *end;
        int c, r;

        /* "+": the container's command and its options start at the first non-option. */
        while ((c = getopt_long(argc, argv, "+p:e:u:g:dt", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        o.process_file = optarg;
                        break;
                case ARG_CWD:
                        o.cwd = optarg;
                        break;
                case 'e':
                        if (strv_extend(&env, optarg) < 0)
                                return log_oom(), 1;
                        break;
                case 'u':
                        if (parse_user(optarg, &o) < 0)
                                return 1;
                        break;
                case 'g':
                        r = add_gid(optarg, &o);
                        /* NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): gids owns them, read by the cleanup */
                        gids = o.additional_gids;
                        if (r < 0)
                                return 1;
                        break;
                case ARG_IGNORE_PAUSED:
                        o.ignore_paused = true;
                        break;
                case ARG_CAP:
                        if (strv_extend(&caps, optarg) < 0)
                                return log_oom(), 1;
                        break;
                case ARG_NNP:
                        o.no_new_privs = true;
                        break;
                case 'd':
                        o.detach = true;
                        break;
                case ARG_PID_FILE:
                        o.pid_file = optarg;
                        break;
                case ARG_PRESERVE:
                        o.preserve_fds = (int) strtol(optarg, &end, 10);
                        if (*end || o.preserve_fds < 0 || o.preserve_fds > 1024) {
                                log_error("--preserve-fds %s: expected a number of fds", optarg);
                                return 1;
                        }
                        break;
                case 't':
                        o.tty = true;
                        break;
                case ARG_CONSOLE:
                        o.console_socket = optarg;
                        break;
                case ARG_PIDFD_SOCKET:
                        o.pidfd_socket = optarg;
                        break;
                case ARG_APPARMOR:
                        o.apparmor = optarg;
                        break;
                case ARG_LABEL:
                        o.process_label = optarg;
                        break;
                default:
                        return 1;
                }
        if (cmd_expect_args(argc, argv, o.process_file ? 1 : 2, o.process_file ? 1 : INT32_MAX,
                            "exec [OPTIONS] ID COMMAND [ARGS...] | exec --process FILE ID") < 0)
                return 1;
        o.id = argv[optind];
        o.args = argv + optind + 1;
        o.env = env;
        o.caps = caps;
        r = container_exec(&o);
        return r < 0 ? 1 : r;
}
