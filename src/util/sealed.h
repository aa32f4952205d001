/* Running from a sealed in-memory copy of runscope's binary, for containers that could otherwise
 * reach it through /proc/PID/exe (see sealed.c). */
#pragma once

#include <stdbool.h>

/* main() hands over argv, for the re-exec. */
void sealed_init(char **argv);
/* Execs runscope again from a sealed memfd copy of itself, with the same arguments; returns 0 when
 * already running from one, -errno when it could not. */
int sealed_reexec(void);
