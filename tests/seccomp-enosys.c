/* Test helper: runs a command under a seccomp filter that answers the named system calls ENOSYS,
 * as container seccomp profiles do for clone3 so that libcs fall back to clone. It lets the tests
 * run runscope where such a profile holds it. Usage: seccomp-enosys SYSCALL... -- COMMAND [ARG...] */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int i;

        if (!ctx)
                return fputs("seccomp-enosys: seccomp_init failed\n", stderr), 125;
        for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                int nr = seccomp_syscall_resolve_name(argv[i]);
                if (nr == __NR_SCMP_ERROR || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0) < 0)
                        return fprintf(stderr, "seccomp-enosys: cannot filter %s\n", argv[i]), 125;
        }
        if (i + 1 >= argc)
                return fputs("usage: seccomp-enosys SYSCALL... -- COMMAND [ARG...]\n", stderr), 125;
        /* No no_new_privs: root holds CAP_SYS_ADMIN, and the command must keep its privileges. */
        if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0 || seccomp_load(ctx) < 0)
                return fputs("seccomp-enosys: cannot load the filter\n", stderr), 125;
        seccomp_release(ctx);
        execvp(argv[i + 1], argv + i + 1);
        fprintf(stderr, "seccomp-enosys: %s: %s\n", argv[i + 1], strerror(errno));
        return 127;
}
