/* Table-driven JSON object parsing, private to src/spec/: one SpecField table per JSON object. */
#pragma once

#include <cjson/cJSON.h>
#include <stddef.h>

#include "spec.h"

typedef int (*FieldParser)(const cJSON *j, const char *path, void *dest);

typedef enum FieldType {
        FIELD_STRING,
        FIELD_ABSPATH,
        FIELD_STRV,
        FIELD_BOOL,
        FIELD_UINT32,
        FIELD_INT32,
        FIELD_INT64,
        FIELD_UINT64,
        FIELD_OBJECT, /* nested table, offsets relative to the same base */
        FIELD_CUSTOM, /* .parse gets the JSON value and base + offset */
        FIELD_UNSUPPORTED, /* present and not null/empty: -EOPNOTSUPP naming the path */
} FieldType;

typedef struct SpecField {
        const char *name;
        FieldType type;
        size_t offset;
        unsigned flags;
        const struct SpecField *fields;
        FieldParser parse;
        size_t has; /* HAS(): a bool set when the key is present; 0 for none */
        const char *why; /* FIELD_UNSUPPORTED: the reason given, if not "not supported by runscope yet" */
} SpecField;

#define FIELD_REQUIRED 1u
#define HAS(type, member) (offsetof(type, member) + 1)

int spec_parse_object(const cJSON *j, const char *path, const SpecField *fields, void *base);
/* "a.b" + "c" -> "a.b.c"; "" + "c" -> "c". */
void spec_path_join(char *buf, size_t size, const char *path, const char *name);
void spec_path_index(char *buf, size_t size, const char *path, size_t i);
int spec_int64(const cJSON *j, const char *path, int64_t min, int64_t max, int64_t *ret);
int spec_strv(const cJSON *j, const char *path, char ***ret);
/* An array of names of flags: bit i set for names[i]; an unknown name is an error naming it. */
int spec_flag_names(const cJSON *j, const char *path, const char *const *names, size_t n, uint64_t *ret);

#define spec_error(r, path, fmt, ...) log_error_errno((r), "config.json: %s: " fmt, (path), ##__VA_ARGS__)
