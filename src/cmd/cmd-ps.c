/* `runscope ps [--format table|json] ID [PS-ARGS...]`: the processes of the container's unit, as
 * runc prints them: `ps -ef` (or PS-ARGS) lines of those pids, or a JSON array of pids. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cmd.h"
#include "container.h"
#include "util/log.h"
#include "util/alloc.h"

/* Runs ps (no shell: the arguments are passed as they are) and keeps runc's output: the header and
 * the lines whose PID column is one of pids. */
static int print_ps(char **ps_args, const pid_t *pids, size_t n) {
        char *default_args[] = { "ps", "-ef", NULL };
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        int pid_column = -1, fds[2], status;
        bool header = true;
        pid_t child;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to create a pipe: %m");
        child = fork();
        if (child < 0)
                return log_error_errno(errno, "Failed to fork ps: %m");
        if (child == 0) {
                if (dup2(fds[1], STDOUT_FILENO) < 0)
                        _exit(127);
                if (ps_args[0]) {
                        ps_args[-1] = "ps"; /* the container id's slot in argv */
                        execvp("ps", ps_args - 1);
                } else
                        execvp("ps", default_args);
                _exit(127);
        }
        safe_close(fds[1]);
        FILE *f = fdopen(fds[0], "re");
        if (!f) {
                safe_close(fds[0]);
                (void) waitpid(child, NULL, 0);
                return log_oom();
        }
        while (getline(&line, &size, f) >= 0) {
                char *copy = strdupa(line), *save = NULL;
                char *t = strtok_r(copy, " \t\n", &save);
                if (header) {
                        for (int col = 0; t; t = strtok_r(NULL, " \t\n", &save), col++)
                                if (strcmp(t, "PID") == 0)
                                        pid_column = col;
                        header = false;
                        fputs(line, stdout);
                        continue;
                }
                for (int col = 0; t && col < pid_column; col++)
                        t = strtok_r(NULL, " \t\n", &save);
                pid_t pid = t && pid_column >= 0 ? (pid_t) atoi(t) : 0;
                for (size_t i = 0; i < n; i++)
                        if (pids[i] == pid) {
                                fputs(line, stdout);
                                break;
                        }
        }
        (void) fclose(f);
        if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return log_error_errno(EIO, "ps failed");
        if (pid_column < 0)
                return log_error_errno(EINVAL, "ps printed no PID column");
        return 0;
}

int verb_ps(int argc, char *argv[]) {
        static const struct option options[] = { { "format", required_argument, NULL, 'f' }, {} };
        _cleanup_free_ pid_t *pids = NULL;
        bool json = false;
        size_t n;
        int c;

        while ((c = getopt_long(argc, argv, "+f:", options, NULL)) >= 0)
                if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
                        json = strcmp(optarg, "json") == 0;
                else {
                        if (c == 'f')
                                log_error("Invalid --format '%s': use table or json", optarg);
                        return 1;
                }
        if (cmd_expect_args(argc, argv, 1, INT32_MAX, "ps [--format table|json] ID [PS-ARGS...]") < 0)
                return 1;
        if (json && optind + 1 < argc) {
                log_error("ps: PS-ARGS cannot be combined with --format json");
                return 1;
        }
        if (container_pids(arg_root, argv[optind], &pids, &n) < 0)
                return 1;
        if (json) {
                putchar('[');
                for (size_t i = 0; i < n; i++)
                        printf("%s%d", i ? "," : "", (int) pids[i]);
                puts("]");
                return fflush(stdout) == 0 ? 0 : 1;
        }
        return print_ps(argv + optind + 1, pids, n) < 0 ? 1 : 0;
}
