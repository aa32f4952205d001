/* The peak RSS of a command for bench/run.sh, as GNU time's %M reports it: the ru_maxrss (KiB) that
 * wait4 gives for the command, the largest of its process and of the children it waited for. A
 * measuring tool built by bench/build-tools.sh (the modern-host tier's guest has no /usr/bin/time, and
 * this one is the same there and on the host); never part of runscope. It prints nothing but the
 * figure, and that to FILE, never into the command's output.
 *
 * Usage: maxrss FILE CMD...   exits with CMD's status (128+N for a signal, 127 if CMD cannot run) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
        struct rusage ru;
        FILE *f;
        pid_t pid;
        int status;

        if (argc < 3) {
                fprintf(stderr, "usage: maxrss FILE CMD...\n");
                return 2;
        }
        pid = fork();
        if (pid < 0) {
                fprintf(stderr, "maxrss: fork: %s\n", strerror(errno));
                return 127;
        }
        if (pid == 0) {
                execvp(argv[2], argv + 2);
                fprintf(stderr, "maxrss: %s: %s\n", argv[2], strerror(errno));
                _exit(127);
        }
        while (wait4(pid, &status, 0, &ru) < 0)
                if (errno != EINTR) {
                        fprintf(stderr, "maxrss: wait4: %s\n", strerror(errno));
                        return 127;
                }
        f = fopen(argv[1], "we");
        if (!f || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) != 0) {
                fprintf(stderr, "maxrss: %s: %s\n", argv[1], strerror(errno));
                return 127;
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
