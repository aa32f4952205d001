/* `runscope events [--stats] [--interval 5s] ID`. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "util/log.h"

/* "5s", "500ms", "1m", or seconds. */
static int parse_interval(const char *s, int *ret_ms) {
        char *end;
        double v = strtod(s, &end);
        double scale = strcmp(end, "ms") == 0 ? 1 : strcmp(end, "s") == 0 || !*end ? 1000 : strcmp(end, "m") == 0 ? 60000 : -1;

        if (end == s || scale < 0 || !(v * scale >= 100 && v * scale <= 86400000)) /* NaN too */
                return -EINVAL;
        *ret_ms = (int) (v * scale);
        return 0;
}

int verb_events(int argc, char *argv[]) {
        static const struct option options[] = {
                { "stats", no_argument, NULL, 's' },
                { "interval", required_argument, NULL, 'i' },
                {}
        };
        bool stats = false;
        int c, interval = 5000;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        stats = true;
                        break;
                case 'i':
                        if (parse_interval(optarg, &interval) < 0) {
                                log_error("--interval %s: expected a duration from 100ms to 24h (5s, 500ms)", optarg);
                                return 1;
                        }
                        break;
                default:
                        return 1;
                }
        if (cmd_expect_args(argc, argv, 1, 1, "events [--stats] [--interval DURATION] ID") < 0)
                return 1;
        return container_events(arg_root, argv[optind], stats, interval) < 0 ? 1 : 0;
}
