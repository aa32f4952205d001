/* Entry point of the cloned launcher. */
#pragma once

#include "spec/spec.h"
#include "util/alloc.h"

typedef struct ChildArgs {
        const Spec *spec;
        const char *bundle;
        int sync_fd;
        int state_dir_fd;
} ChildArgs;

_noreturn_ void child_main(const ChildArgs *a);
