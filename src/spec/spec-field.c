/* The field-table engine that turns a cJSON object into typed struct members. Never accepts a
 * value of the wrong type or out of range, and never keeps a pointer into the cJSON tree. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "spec-field.h"
#include "util/log.h"
#include "util/strv.h"

void spec_path_join(char *buf, size_t size, const char *path, const char *name) {
        (void) snprintf(buf, size, "%s%s%s", path, *path ? "." : "", name);
}

void spec_path_index(char *buf, size_t size, const char *path, size_t i) {
        (void) snprintf(buf, size, "%s[%zu]", path, i);
}

int spec_int64(const cJSON *j, const char *path, int64_t min, int64_t max, int64_t *ret) {
        if (!cJSON_IsNumber(j))
                return spec_error(EINVAL, path, "expected an integer");
        double d = j->valuedouble;
        if (d != floor(d))
                return spec_error(EINVAL, path, "expected an integer, got %g", d);
        /* 2^63 is exactly representable; anything at or past it does not fit. */
        if (d < (double) min || d >= 9223372036854775808.0 || (max < INT64_MAX && d > (double) max))
                return spec_error(ERANGE, path, "%.0f is out of range", d);
        *ret = (int64_t) d;
        return 0;
}

int spec_strv(const cJSON *j, const char *path, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        char p[512];
        size_t i = 0;
        const cJSON *e;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array of strings");
        /* Sized once: appending one by one is quadratic, and a million env entries would hang. */
        l = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(char *));
        if (!l)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                if (!cJSON_IsString(e)) {
                        spec_path_index(p, sizeof(p), path, i);
                        return spec_error(EINVAL, p, "expected a string");
                }
                l[i] = strdup(e->valuestring);
                if (!l[i++])
                        return log_oom();
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

static int parse_field(const SpecField *f, const cJSON *j, const char *path, void *base) {
        void *dest = (char *) base + f->offset;
        int64_t v;
        int r;

        switch (f->type) {
        case FIELD_STRING:
        case FIELD_ABSPATH:
                if (!cJSON_IsString(j))
                        return spec_error(EINVAL, path, "expected a string");
                if (f->type == FIELD_ABSPATH && j->valuestring[0] != '/')
                        return spec_error(EINVAL, path, "must be an absolute path, got '%s'", j->valuestring);
                /* Refused here, not by the kernel in the container after the scope was started. */
                if (f->type == FIELD_ABSPATH && strlen(j->valuestring) >= PATH_MAX)
                        return spec_error(ENAMETOOLONG, path, "longer than %d bytes", PATH_MAX - 1);
                char *s = strdup(j->valuestring);
                if (!s)
                        return log_oom();
                free(*(char **) dest);
                *(char **) dest = s;
                return 0;
        case FIELD_STRV:
                return spec_strv(j, path, (char ***) dest);
        case FIELD_BOOL:
                if (!cJSON_IsBool(j))
                        return spec_error(EINVAL, path, "expected true or false");
                *(bool *) dest = cJSON_IsTrue(j);
                return 0;
        case FIELD_UINT32:
                r = spec_int64(j, path, 0, UINT32_MAX, &v);
                if (r < 0)
                        return r;
                *(uint32_t *) dest = (uint32_t) v;
                return 0;
        case FIELD_INT32:
                r = spec_int64(j, path, INT32_MIN, INT32_MAX, &v);
                if (r < 0)
                        return r;
                *(int32_t *) dest = (int32_t) v;
                return 0;
        case FIELD_INT64:
                return spec_int64(j, path, INT64_MIN, INT64_MAX, (int64_t *) dest);
        case FIELD_UINT64:
                r = spec_int64(j, path, 0, INT64_MAX, &v);
                if (r < 0)
                        return r;
                *(uint64_t *) dest = (uint64_t) v;
                return 0;
        case FIELD_OBJECT:
                return spec_parse_object(j, path, f->fields, base);
        case FIELD_CUSTOM:
                return f->parse(j, path, dest);
        case FIELD_UNSUPPORTED:
                if (cJSON_IsNull(j) || ((cJSON_IsArray(j) || cJSON_IsObject(j)) && !j->child) ||
                    (cJSON_IsString(j) && !*j->valuestring))
                        return 0;
                return spec_error(EOPNOTSUPP, path, "%s", f->why ?: "not supported by runscope yet");
        }
        return -EINVAL;
}

int spec_parse_object(const cJSON *j, const char *path, const SpecField *fields, void *base) {
        char p[512];
        int r;

        if (!cJSON_IsObject(j))
                return spec_error(EINVAL, *path ? path : "(top level)", "expected an object");

        for (const SpecField *f = fields; f->name; f++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, f->name);
                spec_path_join(p, sizeof(p), path, f->name);
                /* OCI: an absent key and null mean the same; only required keys must be there. */
                if (!v || (cJSON_IsNull(v) && f->type != FIELD_UNSUPPORTED)) {
                        if (f->flags & FIELD_REQUIRED)
                                return spec_error(EINVAL, p, "required but missing");
                        continue;
                }
                r = parse_field(f, v, p, base);
                if (r < 0)
                        return r;
                if (f->has > 0)
                        *((bool *) ((char *) base + f->has - 1)) = true;
        }

        if (log_debug_enabled()) {
                const cJSON *e;
                cJSON_ArrayForEach(e, j) {
                        bool known = false;
                        for (const SpecField *f = fields; f->name && !known; f++)
                                known = strcmp(f->name, e->string) == 0;
                        if (!known) {
                                spec_path_join(p, sizeof(p), path, e->string);
                                log_debug("config.json: %s: unknown key, ignored", p);
                        }
                }
        }
        return 0;
}

int spec_flag_names(const cJSON *j, const char *path, const char *const *names, size_t n, uint64_t *ret) {
        const cJSON *e;
        uint64_t bits = 0;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        cJSON_ArrayForEach(e, j) {
                size_t i = 0;
                while (i < n && !(cJSON_IsString(e) && strcmp(names[i], e->valuestring) == 0))
                        i++;
                if (i == n)
                        return spec_error(EINVAL, path, "unknown flag%s%s", cJSON_IsString(e) ? " " : "",
                                          cJSON_IsString(e) ? e->valuestring : "");
                bits |= UINT64_C(1) << i;
        }
        *ret = bits;
        return 0;
}
