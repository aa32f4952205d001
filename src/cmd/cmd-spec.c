/* `runscope spec [--bundle DIR]`: writes a default config.json, refusing to overwrite one. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "spec/spec.h"
#include "util/fd.h"
#include "util/log.h"

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
        int c, r;

        while ((c = getopt_long(argc, argv, "b:", options, NULL)) >= 0)
                switch (c) {
                case 'b':
                        bundle = optarg;
                        break;
                case ARG_ROOTLESS:
                        log_error("spec --rootless: rootless containers are not supported by runscope yet");
                        return 1;
                default:
                        return 1;
                }
        if (cmd_expect_args(argc, argv, 0, 0, "spec [--bundle DIR]") < 0)
                return 1;
        text = spec_default_json();
        if (!text) {
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
