/* `runscope start ID`: lets a created container exec its process. */
#include <getopt.h>

#include "cmd.h"
#include "container.h"

int verb_start(int argc, char *argv[]) {
        if (getopt_long(argc, argv, "", (const struct option[]) { {} }, NULL) >= 0 ||
            cmd_expect_args(argc, argv, 1, 1, "start ID") < 0)
                return 1;
        return container_start(arg_root, argv[optind]) < 0 ? 1 : 0;
}
