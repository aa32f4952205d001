/* OCI hooks, for runscope and the launcher alike. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "spec/spec.h"

/* The state object a hook reads on stdin (caller frees); NULL when out of memory. */
char *hook_state_json(const char *id, const char *status, pid_t pid, const char *bundle, char **annotations);
/* Runs the hooks of one kind in order; the first failure (exit status, signal, timeout) ends it,
 * described in err as one line naming the hook (hooks.createRuntime[0] (PATH) ...). */
int hooks_run(const Spec *spec, HookKind kind, const char *state, char *err, size_t err_size);
/* Runs the i-th hook of one kind; a failure is described in err as by hooks_run(). */
int hooks_run_one(const Spec *spec, HookKind kind, size_t i, const char *state, char *err, size_t err_size);
