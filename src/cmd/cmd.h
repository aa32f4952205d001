/* The runscope CLI: global flags and one function per verb. arg_* globals live only here. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

extern const char *arg_root;
extern bool arg_no_machine;

typedef int (*VerbFunc)(int argc, char *argv[]);

/* Each returns the process exit status (0, 1 for an error, or the container's status for run). */
int verb_create(int argc, char *argv[]);
int verb_run(int argc, char *argv[]);
int verb_start(int argc, char *argv[]);
int verb_exec(int argc, char *argv[]);
int verb_pause(int argc, char *argv[]);
int verb_update(int argc, char *argv[]);
int verb_ps(int argc, char *argv[]);
int verb_events(int argc, char *argv[]);
int verb_features(int argc, char *argv[]);
int verb_resume(int argc, char *argv[]);
int verb_state(int argc, char *argv[]);
int verb_kill(int argc, char *argv[]);
int verb_delete(int argc, char *argv[]);
int verb_list(int argc, char *argv[]);
int verb_spec(int argc, char *argv[]);
int verb_checkpoint(int argc, char *argv[]);
int verb_restore(int argc, char *argv[]);

/* Checks that exactly n positional arguments follow the options; logs the usage error. */
int cmd_expect_args(int argc, char *argv[], int min, int max, const char *usage);

typedef struct ContainerState ContainerState;
/* The OCI state object as runc prints it (pid 0 once stopped), plus the unit's name and oom_kills,
 * the OOM kills in its memory cgroup (-1: unknown, not printed). */
void cmd_print_state(const ContainerState *st, int status, int64_t oom_kills, bool pretty);
/* The user name of uid, "" when it has none; valid until the next call with another uid. Main
 * thread only: the last answer is kept in a static. */
const char *cmd_owner_name(uid_t uid);
