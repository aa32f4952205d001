/* String vector helpers. Never logs: callers decide what a failure means. */
#include <string.h>

#include "strv.h"

char **strv_free(char **l) {
        if (!l)
                return NULL;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        if (l)
                while (l[n])
                        n++;
        return n;
}

int strv_extend(char ***l, const char *s) {
        size_t n = strv_length(*l);
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        char **nl = realloc(*l, sizeof(char *) * (n + 2));
        if (!nl) {
                free(c);
                return -ENOMEM;
        }
        nl[n] = c;
        nl[n + 1] = NULL;
        *l = nl;
        return 0;
}

const char *strv_env_get(char *const *l, const char *name) {
        size_t len = strlen(name);

        if (!l)
                return NULL;
        for (; *l; l++)
                if (strncmp(*l, name, len) == 0 && (*l)[len] == '=')
                        return *l + len + 1;
        return NULL;
}
