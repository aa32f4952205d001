/* `runscope pause ID` and `runscope resume ID`. */
#include <getopt.h>

#include "cmd.h"
#include "container.h"

static int pause_or_resume(int argc, char *argv[], bool pause) {
        if (getopt_long(argc, argv, "", (const struct option[]) { {} }, NULL) >= 0 ||
            cmd_expect_args(argc, argv, 1, 1, pause ? "pause ID" : "resume ID") < 0)
                return 1;
        return container_pause(arg_root, argv[optind], pause) < 0 ? 1 : 0;
}

int verb_pause(int argc, char *argv[]) {
        return pause_or_resume(argc, argv, true);
}

int verb_resume(int argc, char *argv[]) {
        return pause_or_resume(argc, argv, false);
}
