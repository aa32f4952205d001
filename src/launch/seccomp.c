/* Builds and loads the container's seccomp filter with libseccomp, in the launcher. Never loads a
 * filter looser than the spec's: a rule libseccomp refuses is an error, not skipped. */
#include <seccomp.h>

#include "launch-internal.h"

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
        r = seccomp_load(ctx);
        if (r < 0)
                return launch_error(r, "linux.seccomp: loading the filter: %m");
        /* With a NOTIFY rule the kernel made a listener (close-on-exec) along with the filter. */
        if (s->notify) {
                *ret_notify_fd = seccomp_notify_fd(ctx);
                if (*ret_notify_fd < 0)
                        return launch_error(*ret_notify_fd, "linux.seccomp: the filter has no listener: %m");
        }
        return 0;
}
