/* Messages between runscope and its launcher over a SOCK_SEQPACKET pair. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum SyncKind {
        SYNC_GO = 1, /* parent -> launcher: set up (exec launcher: fork) */
        SYNC_READY,  /* launcher -> parent: set up, waiting on the exec fifo */
        SYNC_ERROR,  /* launcher -> parent: err and text say why it gave up */
        SYNC_PID,    /* exec launcher -> parent: pid (as runscope sees it) of the process to exec */
        SYNC_CONSOLE, /* launcher -> parent: the pty master of process.terminal, as SCM_RIGHTS */
        SYNC_HOOKS,   /* launcher -> parent: mounts are done, run prestart/createRuntime, then GO */
        SYNC_SECCOMP, /* launcher -> parent: the seccomp filter's listener (SCMP_ACT_NOTIFY), as SCM_RIGHTS */
        SYNC_SCOPE,   /* parent -> launcher: you are in your unit now */
} SyncKind;

typedef struct SyncMessage {
        int32_t kind;
        int32_t err;
        int32_t command; /* SYNC_ERROR: 1 when process.args[0] could not be found or executed */
        int32_t pid;     /* SYNC_PID */
        char text[1024];
} SyncMessage;

int sync_send(int fd, SyncKind kind, int err, bool command, const char *text);
/* A message of `kind` carrying pass_fd (SYNC_CONSOLE, SYNC_SECCOMP). */
int sync_send_fd(int fd, SyncKind kind, int pass_fd);
/* GO with the launcher's pid as runscope sees it, for the state the launcher's hooks get. */
int sync_send_go(int fd, pid_t pid);
/* -EPIPE when the peer is gone without a word. An fd that came along goes to *ret_fd (if not NULL). */
int sync_recv(int fd, SyncMessage *ret, int *ret_fd);
