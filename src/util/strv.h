/* NULL-terminated string vectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "alloc.h"

char **strv_free(char **l);
size_t strv_length(char *const *l);
/* Appends a copy of s; on failure l is unchanged. */
int strv_extend(char ***l, const char *s);
/* Returns the value of NAME in an environment-style list ("NAME=value"), or NULL. */
const char *strv_env_get(char *const *l, const char *name);

static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
