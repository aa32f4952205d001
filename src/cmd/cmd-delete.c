/* `runscope delete [--force] ID`. */
#include <getopt.h>

#include "cmd.h"
#include "container.h"

int verb_delete(int argc, char *argv[]) {
        static const struct option options[] = { { "force", no_argument, NULL, 'f' }, {} };
        bool force = false;
        int c;

        while ((c = getopt_long(argc, argv, "f", options, NULL)) >= 0)
                if (c == 'f')
                        force = true;
                else
                        return 1;
        if (cmd_expect_args(argc, argv, 1, 1, "delete [--force] ID") < 0)
                return 1;
        return container_delete(arg_root, argv[optind], force) < 0 ? 1 : 0;
}
