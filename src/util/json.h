/* Writing JSON text by hand where no cJSON tree is wanted (log lines, command output). */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* Escapes s into buf (always NUL-terminated, truncated to fit). */
void json_escape(const char *s, char *buf, size_t size);
/* Prints "s" with quotes and escapes; NULL prints null. */
void json_print_string(FILE *f, const char *s);
