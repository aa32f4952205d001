/* Builds the container's seccomp filter with libseccomp, puts runc's ENOSYS stub before it and loads
 * it, in the launcher. Never loads a filter looser than the spec's: a rule libseccomp refuses is an
 * error, not skipped. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch-internal.h"
#include "util/fd.h"

#define X32_SYSCALL_BIT 0x40000000u
#define STUB_MAX 64

static void ctx_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

/* Arguments on the same index are alternatives (one rule each), on different indexes they all
 * must match (one rule), as runc and crun read them. */
static bool args_share_an_index(const SpecSeccompRule *rule) {
        for (size_t i = 0; i < rule->n_args; i++)
                for (size_t k = i + 1; k < rule->n_args; k++)
                        if (rule->args[i].index == rule->args[k].index)
                                return true;
        return false;
}

static int add_rule(scmp_filter_ctx ctx, const SpecSeccompRule *rule, int nr, size_t index) {
        struct scmp_arg_cmp cmp[6];
        int r;

        for (size_t i = 0; i < rule->n_args; i++)
                cmp[i] = (struct scmp_arg_cmp) { .arg = rule->args[i].index, .op = (enum scmp_compare) rule->args[i].op,
                                                 .datum_a = rule->args[i].value, .datum_b = rule->args[i].value_two };
        if (args_share_an_index(rule)) {
                for (size_t i = 0; i < rule->n_args; i++) {
                        r = seccomp_rule_add_array(ctx, rule->action, nr, 1, &cmp[i]);
                        if (r < 0)
                                return launch_error(r, "linux.seccomp.syscalls[%zu]: %m", index);
                }
                return 0;
        }
        r = seccomp_rule_add_array(ctx, rule->action, nr, (unsigned) rule->n_args, cmp);
        if (r < 0)
                return launch_error(r, "linux.seccomp.syscalls[%zu]: %m", index);
        return 0;
}

/* A default that lets an unknown syscall through, or answers it ENOSYS already, needs no stub (as in
 * runc: a tracer is left to handle new syscalls itself). */
static bool wants_enosys_stub(uint32_t action) {
        return action != SCMP_ACT_ALLOW && action != SCMP_ACT_LOG && action != SCMP_ACT_ERRNO(ENOSYS) &&
               (action & 0xffff0000u) != SCMP_ACT_TRACE(0);
}

static uint32_t last_for(const SpecSeccomp *s, uint32_t arch) {
        for (size_t i = 0; i < s->n_last; i++)
                if (s->last[i].arch == arch)
                        return s->last[i].nr;
        return UINT32_MAX; /* no syscall named: nothing is newer, libseccomp's filter decides */
}

/* runc's answer to a syscall newer than the profile: ENOSYS, not the default action, so that libcs
 * fall back (clone3 to clone) instead of failing with EPERM or being killed. Per architecture: load
 * the number, ENOSYS above the profile's highest, else on to libseccomp's program. x32 shares
 * x86_64's audit arch with X32_SYSCALL_BIT set in the number. Returns the stub's length. */
static size_t enosys_stub(const SpecSeccomp *s, struct sock_filter *stub) {
        size_t n = 0, jumps[STUB_MAX], n_jumps = 0;

        stub[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
        for (size_t i = 0; i < s->n_last; i++) {
                uint32_t arch = s->last[i].arch;
                if (arch == SCMP_ARCH_X32) {
                        if (last_for(s, SCMP_ARCH_X86_64) != UINT32_MAX)
                                continue; /* in x86_64's block */
                        arch = SCMP_ARCH_X86_64;
                }
                bool x86_64 = arch == SCMP_ARCH_X86_64;
                uint8_t size = x86_64 ? 4 : 2;
                stub[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, size);
                stub[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
                if (x86_64) {
                        stub[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
                        jumps[n_jumps++] = n;
                        stub[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, last_for(s, SCMP_ARCH_X32), 0, 0);
                }
                jumps[n_jumps++] = n;
                stub[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, last_for(s, arch), 0, 0);
        }
        /* An architecture without a block goes straight on to libseccomp's program. */
        stub[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, 1, 0, 0);
        stub[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
        for (size_t i = 0; i < n_jumps; i++) {
                stub[jumps[i]].jt = (uint8_t) (n - 2 - jumps[i]);
                stub[jumps[i]].jf = (uint8_t) (n - 1 - jumps[i]);
        }
        return n;
}

/* libseccomp's program behind the stub, loaded with the flags the spec asks for; returns the
 * listener fd with SECCOMP_FILTER_FLAG_NEW_LISTENER, else 0. */
static int load(scmp_filter_ctx ctx, const SpecSeccomp *s) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ struct sock_filter *prog = NULL;
        struct stat st;
        size_t n = 0;
        int r;

        fd = memfd_create("seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return launch_error(errno, "linux.seccomp: memfd_create: %m");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return launch_error(r, "linux.seccomp: exporting the filter: %m");
        if (fstat(fd, &st) < 0)
                return launch_error(errno, "linux.seccomp: %m");
        size_t n_filter = (size_t) st.st_size / sizeof(struct sock_filter);
        prog = calloc(STUB_MAX + n_filter, sizeof(struct sock_filter));
        if (!prog)
                return launch_error(ENOMEM, "linux.seccomp: %m");
        if (wants_enosys_stub(s->default_action) && s->n_last > 0)
                n = enosys_stub(s, prog);
        if (pread(fd, prog + n, (size_t) st.st_size, 0) != st.st_size)
                return launch_error(EIO, "linux.seccomp: reading the exported filter: %m");
        if (n + n_filter > BPF_MAXINSNS)
                return launch_error(E2BIG, "linux.seccomp: the filter has %zu instructions, more than %d", n + n_filter,
                                    BPF_MAXINSNS);

        unsigned flags = (s->tsync ? SECCOMP_FILTER_FLAG_TSYNC : 0) | (s->log ? SECCOMP_FILTER_FLAG_LOG : 0) |
                         (s->spec_allow ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0) |
                         (s->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
        /* With a listener, TSYNC's failure would be a thread id, indistinguishable from the fd. */
        if (s->tsync && s->notify)
                flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        struct sock_fprog fprog = { .len = (unsigned short) (n + n_filter), .filter = prog };
        r = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
        /* Without seccomp(2) (before 3.17, valgrind 3.19), prctl loads a filter that needs no flag,
         * as libseccomp does then. */
        if (r < 0 && errno == ENOSYS && flags == 0)
                r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
        if (r < 0)
                return launch_error(errno, "linux.seccomp: loading the filter: %m");
        return r;
}

int seccomp_apply(const SpecSeccomp *s, int *ret_notify_fd) {
        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        *ret_notify_fd = -EBADF;
        if (!s)
                return 0;
        ctx = seccomp_init(s->default_action);
        if (!ctx)
                return launch_error(ENOMEM, "linux.seccomp: failed to set up a filter");
        /* no_new_privs is the spec's to decide (process.noNewPrivileges), not libseccomp's. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0 && s->tsync)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
        if (r >= 0 && s->log)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
        if (r >= 0 && s->spec_allow)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
        if (r < 0)
                return launch_error(r, "linux.seccomp.flags: %m");
        for (size_t i = 0; i < s->n_arches; i++) {
                r = seccomp_arch_add(ctx, s->arches[i]);
                if (r < 0 && r != -EEXIST)
                        return launch_error(r, "linux.seccomp.architectures[%zu]: %m", i);
        }
        for (size_t i = 0; i < s->n_rules; i++) {
                const SpecSeccompRule *rule = &s->rules[i];
                /* libseccomp refuses a rule that repeats the default; it would change nothing. */
                if (rule->action == s->default_action)
                        continue;
                for (size_t k = 0; k < rule->n_syscalls; k++) {
                        r = add_rule(ctx, rule, rule->syscalls[k], i);
                        if (r < 0)
                                return r;
                }
        }
        r = load(ctx, s);
        if (r < 0)
                return r;
        /* With a NOTIFY rule the kernel made a listener (close-on-exec) along with the filter. */
        if (s->notify)
                *ret_notify_fd = r;
        return 0;
}
