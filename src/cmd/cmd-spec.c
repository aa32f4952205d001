/* `runscope spec [--bundle DIR] [--rootless]`: writes a default config.json, refusing to overwrite
 * one. */
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <string.h>

#include "cmd.h"
#include "spec/spec.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/userns.h"

/* For the caller as the host sees it, with its first subordinate ranges, as podman maps them. */
static int rootless_text(char **ret) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        const struct passwd *pw = getpwuid(uid);
        SpecIdMapping su = {}, sg = {};

        if (userns_subid_range("/etc/subuid", pw ? pw->pw_name : NULL, uid, &su.host_id, &su.size) < 0)
                log_debug("/etc/subuid gives uid %u no range: the container maps that uid alone", (unsigned) uid);
        if (userns_subid_range("/etc/subgid", pw ? pw->pw_name : NULL, uid, &sg.host_id, &sg.size) < 0)
                log_debug("/etc/subgid gives uid %u no range: the container maps gid %u alone", (unsigned) uid, (unsigned) gid);
        return spec_rootless_json(uid, gid, &su, &sg, ret);
}

int verb_spec(int argc, char *argv[]) {
        enum { ARG_ROOTLESS = 0x100 };
        static const struct option options[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "rootless", no_argument, NULL, ARG_ROOTLESS },
                {}
        };
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        const char *bundle = ".";
        bool rootless = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "b:", options, NULL)) >= 0)
                switch (c) {
                case 'b':
                        bundle = optarg;
                        break;
                case ARG_ROOTLESS:
                        rootless = true;
                        break;
                default:
                        return 1;
                }
        if (cmd_expect_args(argc, argv, 0, 0, "spec [--bundle DIR] [--rootless]") < 0)
                return 1;
        if (rootless) {
                if (rootless_text(&text) < 0)
                        return 1;
        } else if (!(text = spec_default_json())) {
                log_oom();
                return 1;
        }
        dir_fd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                log_error_errno(errno, "bundle %s: %m", bundle);
                return 1;
        }
        fd = openat(dir_fd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
                log_error_errno(errno, "%s/config.json: %m", bundle);
                return 1;
        }
        r = write_all(fd, text, strlen(text));
        if (r < 0) {
                log_error_errno(r, "Failed to write %s/config.json: %m", bundle);
                return 1;
        }
        return 0;
}
