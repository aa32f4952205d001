/* Argument checks shared by the verbs. Never exits; returns what the verb returns. */
#include "cmd.h"
#include "util/log.h"

#include <getopt.h>

int cmd_expect_args(int argc, char *argv[], int min, int max, const char *usage) {
        int n = argc - optind;

        (void) argv;
        if (n < min || n > max) {
                log_error("%s: expected %s", usage, n < min ? "more arguments" : "fewer arguments");
                return -EINVAL;
        }
        return 0;
}
