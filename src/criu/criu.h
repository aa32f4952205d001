/* Running CRIU: the criu binary found in PATH (as runc runs it), its version, `criu check`, and
 * the `criu swrk` RPC session runc and crun's libcriu use. Knows nothing of containers. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "criu/criu-rpc.h"
#include "util/alloc.h"

/* The criu executable in $PATH: -ENOENT (not logged) when there is none. */
int criu_find(char **ret_path);
/* "4.1.1" from `criu --version`; -errno, not logged. */
int criu_version(const char *path, char **ret);
/* `criu check`: 0 when it passes; otherwise -EOPNOTSUPP and *ret_why the line of its output that
 * says why (its first "Error" line; else its last line). Logs nothing. */
int criu_check(const char *path, char **ret_why);

typedef struct CriuSwrk {
        pid_t pid;
        int pidfd;
        int sock; /* runscope's end of the RPC socket */
} CriuSwrk;

#define CRIU_SWRK_NULL { .pid = 0, .pidfd = -EBADF, .sock = -EBADF }

/* Forks `criu swrk 3`: the RPC socket is its fd 3, extra_fds[i] its fd 4+i (CriuOpts' inherit_fd
 * numbers are criu's; its images and work directories are the caller's fds). With caller_stdio, criu's stdin, stdout and stderr are runscope's (the
 * restored process's inherited descriptors are taken from them); else /dev/null. criu waits for
 * the request, so the caller may first place it (in a unit). */
int criu_swrk_start(const char *path, const int *extra_fds, size_t n_extra, bool caller_stdio, CriuSwrk *ret);
/* A notification, and the fd that came with it (-EBADF: none; the callee takes it). A negative
 * return fails the notification, and criu gives up. */
typedef int (*CriuNotifyFunc)(const CriuResponse *notify, int fd, void *userdata);
/* Sends the request and answers each notification until criu's final response, which *ret gets
 * whatever it says (check ret->success). -errno when the conversation itself fails (criu died:
 * -ECONNRESET). Logs only that. */
int criu_swrk_call(CriuSwrk *s, CriuReqType type, const CriuOpts *o, CriuNotifyFunc notify, void *userdata,
                   CriuResponse *ret);
/* Waits for criu to exit: its status the shell way (n, or 128+signal). */
int criu_swrk_wait(CriuSwrk *s);
/* Kills criu if it still runs, reaps it, closes the socket. */
void criu_swrk_done(CriuSwrk *s);
