/* `runscope kill [--all] ID [SIGNAL]`: SIGNAL as a name (KILL, SIGKILL) or a number; TERM by
 * default, as in runc; 0 only checks that the container is running. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "util/log.h"

static const struct {
        const char *name;
        int sig;
} signals[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "ILL", SIGILL },   { "TRAP", SIGTRAP },
        { "ABRT", SIGABRT }, { "BUS", SIGBUS },   { "FPE", SIGFPE },   { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
        { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
        { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
        { "TTOU", SIGTTOU }, { "URG", SIGURG },   { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
        { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR },   { "SYS", SIGSYS },
};

static int signal_from_string(const char *s) {
        char *end;
        long n = strtol(s, &end, 10);

        if (*s && !*end)
                return n >= 0 && n <= SIGRTMAX ? (int) n : -EINVAL;
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (strcmp(signals[i].name, s) == 0)
                        return signals[i].sig;
        return -EINVAL;
}

int verb_kill(int argc, char *argv[]) {
        static const struct option options[] = { { "all", no_argument, NULL, 'a' }, {} };
        bool all = false;
        int c, sig = SIGTERM;

        while ((c = getopt_long(argc, argv, "a", options, NULL)) >= 0)
                if (c == 'a')
                        all = true;
                else
                        return 1;
        if (cmd_expect_args(argc, argv, 1, 2, "kill [--all] ID [SIGNAL]") < 0)
                return 1;
        if (optind + 1 < argc) {
                sig = signal_from_string(argv[optind + 1]);
                if (sig < 0) {
                        log_error("Invalid signal '%s'", argv[optind + 1]);
                        return 1;
                }
        }
        return container_kill(arg_root, argv[optind], sig, all) < 0 ? 1 : 0;
}
