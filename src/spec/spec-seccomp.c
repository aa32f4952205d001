/* linux.seccomp into libseccomp's terms: actions, syscall numbers, architectures, argument
 * comparisons. Every name is resolved here, so an unknown one fails `create`, never the launcher. */
#include <seccomp.h>
#include <string.h>

#include "spec-internal.h"
#include "util/log.h"
#include "util/strv.h"

static const struct {
        const char *name;
        uint32_t action;
} actions[] = {
        { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD },         { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS }, { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },           { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },              { "SCMP_ACT_LOG", SCMP_ACT_LOG },
        { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
};

/* An action with its errno (ERRNO, TRACE): errnoRet, else EPERM as runc and crun default it. */
static int parse_action(const cJSON *j, const cJSON *errno_ret, const char *path, uint32_t *ret) {
        char p[512];

        if (!cJSON_IsString(j))
                return spec_error(EINVAL, path, "expected an action name");
        for (size_t i = 0; i < ELEMENTSOF(actions); i++) {
                if (strcmp(actions[i].name, j->valuestring) != 0)
                        continue;
                uint32_t a = actions[i].action;
                if (a == SCMP_ACT_ERRNO(0) || a == SCMP_ACT_TRACE(0)) {
                        int64_t e = EPERM;
                        spec_path_join(p, sizeof(p), path, "errnoRet");
                        if (errno_ret && !cJSON_IsNull(errno_ret) && spec_int64(errno_ret, p, 0, 65535, &e) < 0)
                                return -EINVAL;
                        a = a == SCMP_ACT_ERRNO(0) ? SCMP_ACT_ERRNO((uint32_t) e) : SCMP_ACT_TRACE((uint32_t) e);
                }
                *ret = a;
                return 0;
        }
        return spec_error(EINVAL, path, "unknown seccomp action '%s'", j->valuestring);
}

static const struct {
        const char *name;
        int op;
} ops[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int parse_op(const cJSON *j, const char *path, void *dest) {
        for (size_t i = 0; cJSON_IsString(j) && i < ELEMENTSOF(ops); i++)
                if (strcmp(ops[i].name, j->valuestring) == 0) {
                        *(int *) dest = ops[i].op;
                        return 0;
                }
        return spec_error(EINVAL, path, "unknown comparison%s%s", cJSON_IsString(j) ? " " : "",
                          cJSON_IsString(j) ? j->valuestring : "");
}

static const SpecField arg_fields[] = {
        { "index", FIELD_UINT32, offsetof(SpecSeccompArg, index), FIELD_REQUIRED },
        { "value", FIELD_UINT64, offsetof(SpecSeccompArg, value), FIELD_REQUIRED },
        { "valueTwo", FIELD_UINT64, offsetof(SpecSeccompArg, value_two) },
        { "op", FIELD_CUSTOM, offsetof(SpecSeccompArg, op), FIELD_REQUIRED, .parse = parse_op },
        {}
};

static int parse_rule(const cJSON *j, const char *path, SpecSeccompRule *rule) {
        const cJSON *e;
        char p[512], np[512];
        int r;

        if (!cJSON_IsObject(j))
                return spec_error(EINVAL, path, "expected an object");
        spec_path_join(np, sizeof(np), path, "names");
        r = spec_strv(cJSON_GetObjectItemCaseSensitive(j, "names"), np, &rule->names);
        if (r < 0)
                return r;
        rule->syscalls = calloc(strv_length(rule->names) + 1, sizeof(int));
        if (!rule->syscalls)
                return log_oom();
        for (size_t i = 0; rule->names[i]; i++) {
                int nr = seccomp_syscall_resolve_name(rule->names[i]);
                if (nr == __NR_SCMP_ERROR)
                        return spec_error(EINVAL, np, "unknown syscall '%s'", rule->names[i]);
                rule->syscalls[rule->n_syscalls++] = nr;
        }
        spec_path_join(p, sizeof(p), path, "action");
        r = parse_action(cJSON_GetObjectItemCaseSensitive(j, "action"), cJSON_GetObjectItemCaseSensitive(j, "errnoRet"),
                         p, &rule->action);
        if (r < 0)
                return r;
        /* Every write the launcher makes after loading the filter (the exec fifo, its error lines, the
         * hooks' state) would wait on the agent, and runscope with it. runc refuses it too. */
        for (size_t i = 0; rule->action == SCMP_ACT_NOTIFY && i < rule->n_syscalls; i++)
                if (rule->syscalls[i] == SCMP_SYS(write))
                        return spec_error(EINVAL, np, "SCMP_ACT_NOTIFY on write would deadlock the runtime");
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(j, "args");
        if (!args || cJSON_IsNull(args))
                return 0;
        spec_path_join(p, sizeof(p), path, "args");
        if (!cJSON_IsArray(args) || cJSON_GetArraySize(args) > 6)
                return spec_error(EINVAL, p, "expected an array of at most 6 comparisons");
        rule->args = calloc((size_t) cJSON_GetArraySize(args) + 1, sizeof(SpecSeccompArg));
        if (!rule->args)
                return log_oom();
        cJSON_ArrayForEach(e, args) {
                char ap[512];
                spec_path_index(ap, sizeof(ap), p, rule->n_args);
                r = spec_parse_object(e, ap, arg_fields, &rule->args[rule->n_args]);
                if (r < 0)
                        return r;
                if (rule->args[rule->n_args].index > 5)
                        return spec_error(EINVAL, ap, "index must be from 0 to 5");
                rule->n_args++;
        }
        return 0;
}

static int parse_listener(const cJSON *j, const char *path, SpecSeccomp *s) {
        const cJSON *lp = cJSON_GetObjectItemCaseSensitive(j, "listenerPath");
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(j, "listenerMetadata");
        char p[512];

        spec_path_join(p, sizeof(p), path, "listenerPath");
        if (lp && !cJSON_IsNull(lp)) {
                if (!cJSON_IsString(lp) || lp->valuestring[0] != '/')
                        return spec_error(EINVAL, p, "expected an absolute path");
                s->listener_path = strdup(lp->valuestring);
                if (!s->listener_path)
                        return log_oom();
        }
        spec_path_join(p, sizeof(p), path, "listenerMetadata");
        if (md && !cJSON_IsNull(md)) {
                if (!cJSON_IsString(md))
                        return spec_error(EINVAL, p, "expected a string");
                s->listener_metadata = strdup(md->valuestring);
                if (!s->listener_metadata)
                        return log_oom();
        }
        return 0;
}

static void note_last(SpecSeccomp *s, uint32_t arch) {
        int last = -1;

        for (size_t i = 0; i < s->n_last; i++)
                if (s->last[i].arch == arch)
                        return;
        for (size_t i = 0; i < s->n_rules; i++)
                for (char **n = s->rules[i].names; n && *n; n++) {
                        int nr = seccomp_syscall_resolve_name_arch(arch, *n);
                        /* Negative: not a syscall on this architecture (libseccomp's pseudo numbers). */
                        if (nr > last)
                                last = nr;
                }
        if (last >= 0)
                s->last[s->n_last++] = (typeof(*s->last)) { arch, (uint32_t) last };
}

static int find_last_syscalls(SpecSeccomp *s) {
        s->last = calloc(s->n_arches + 1, sizeof(*s->last));
        if (!s->last)
                return log_oom();
        note_last(s, seccomp_arch_native());
        for (size_t i = 0; i < s->n_arches; i++)
                note_last(s, s->arches[i]);
        return 0;
}

int spec_parse_seccomp(const cJSON *j, const char *path, void *dest) {
        SpecSeccomp **ret = dest;
        _cleanup_(spec_seccomp_freep) SpecSeccomp *s = NULL;
        const cJSON *e;
        char p[512];
        size_t i = 0;
        int r;

        if (!cJSON_IsObject(j))
                return spec_error(EINVAL, path, "expected an object");
        s = calloc(1, sizeof(SpecSeccomp));
        if (!s)
                return log_oom();
        spec_path_join(p, sizeof(p), path, "defaultAction");
        r = parse_action(cJSON_GetObjectItemCaseSensitive(j, "defaultAction"), cJSON_GetObjectItemCaseSensitive(j, "defaultErrnoRet"),
                         p, &s->default_action);
        if (r < 0)
                return r;
        /* Every syscall would wait for a listener that runscope itself would have to serve. */
        if (s->default_action == SCMP_ACT_NOTIFY)
                return spec_error(EINVAL, p, "SCMP_ACT_NOTIFY cannot be the default action");
        r = parse_listener(j, path, s);
        if (r < 0)
                return r;

        const cJSON *arches = cJSON_GetObjectItemCaseSensitive(j, "architectures");
        spec_path_join(p, sizeof(p), path, "architectures");
        if (arches && !cJSON_IsNull(arches)) {
                if (!cJSON_IsArray(arches))
                        return spec_error(EINVAL, p, "expected an array");
                s->arches = calloc((size_t) cJSON_GetArraySize(arches) + 1, sizeof(uint32_t));
                if (!s->arches)
                        return log_oom();
                cJSON_ArrayForEach(e, arches) {
                        char ap[512], lower[64];
                        spec_path_index(ap, sizeof(ap), p, s->n_arches);
                        if (!cJSON_IsString(e) || strncmp(e->valuestring, "SCMP_ARCH_", 10) != 0 ||
                            strlen(e->valuestring) >= sizeof(lower) + 10)
                                return spec_error(EINVAL, ap, "expected SCMP_ARCH_*");
                        /* libseccomp names them in lower case without the prefix. */
                        size_t k = 0;
                        for (const char *c = e->valuestring + 10; *c; c++)
                                lower[k++] = (char) (*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
                        lower[k] = 0;
                        uint32_t a = seccomp_arch_resolve_name(lower);
                        if (a == 0)
                                return spec_error(EINVAL, ap, "unknown architecture '%s'", e->valuestring);
                        s->arches[s->n_arches++] = a;
                }
        }

        const cJSON *flags = cJSON_GetObjectItemCaseSensitive(j, "flags");
        spec_path_join(p, sizeof(p), path, "flags");
        if (flags && !cJSON_IsNull(flags)) {
                if (!cJSON_IsArray(flags))
                        return spec_error(EINVAL, p, "expected an array");
                cJSON_ArrayForEach(e, flags) {
                        if (cJSON_IsString(e) && strcmp(e->valuestring, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
                                s->tsync = true;
                        else if (cJSON_IsString(e) && strcmp(e->valuestring, "SECCOMP_FILTER_FLAG_LOG") == 0)
                                s->log = true;
                        else if (cJSON_IsString(e) && strcmp(e->valuestring, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
                                s->spec_allow = true;
                        else
                                return spec_error(EINVAL, p, "unknown seccomp flag%s%s", cJSON_IsString(e) ? " " : "",
                                                  cJSON_IsString(e) ? e->valuestring : "");
                }
        }

        const cJSON *syscalls = cJSON_GetObjectItemCaseSensitive(j, "syscalls");
        spec_path_join(p, sizeof(p), path, "syscalls");
        if (syscalls && !cJSON_IsNull(syscalls)) {
                if (!cJSON_IsArray(syscalls))
                        return spec_error(EINVAL, p, "expected an array");
                s->rules = calloc((size_t) cJSON_GetArraySize(syscalls) + 1, sizeof(SpecSeccompRule));
                if (!s->rules)
                        return log_oom();
                cJSON_ArrayForEach(e, syscalls) {
                        char rp[512];
                        spec_path_index(rp, sizeof(rp), p, i++);
                        s->n_rules++; /* counted first: a half-parsed rule is freed too */
                        r = parse_rule(e, rp, &s->rules[s->n_rules - 1]);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t k = 0; k < s->n_rules; k++)
                s->notify = s->notify || s->rules[k].action == SCMP_ACT_NOTIFY;
        r = find_last_syscalls(s);
        if (r < 0)
                return r;
        spec_path_join(p, sizeof(p), path, "listenerPath");
        if (s->notify && !s->listener_path)
                return spec_error(EINVAL, p, "SCMP_ACT_NOTIFY needs a listenerPath to send the listener to");
        spec_seccomp_free(*ret);
        *ret = TAKE_PTR(s);
        return 0;
}

SpecSeccomp *spec_seccomp_free(SpecSeccomp *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_rules; i++) {
                strv_free(s->rules[i].names);
                free(s->rules[i].syscalls);
                free(s->rules[i].args);
        }
        free(s->rules);
        free(s->arches);
        free(s->last);
        free(s->listener_path);
        free(s->listener_metadata);
        free(s);
        return NULL;
}
