/* File descriptor and file content helpers. They return -errno and never log. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "alloc.h"

int write_all(int fd, const void *buf, size_t n);
/* Reads a whole file below dir_fd (AT_FDCWD for a plain path) into a NUL-terminated buffer;
 * files larger than max_size fail with -EFBIG. */
int read_file_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size);
/* A small file (procfs, cgroupfs) in one read into buf, NUL-terminated: open, read, close and no
 * allocation, for what `list` reads of every container. -EFBIG when it does not fit. */
int read_small_file(const char *path, char *buf, size_t size);
/* The same, from an open fd to its end. */
int read_file_fd(int fd, size_t max_size, char **ret, size_t *ret_size);
/* Writes data to dir_fd/name through a temporary file, fsync and rename: readers see the old or the
 * new content, never a part. */
int write_file_atomic_at(int dir_fd, const char *name, const char *data, size_t n, mode_t mode);
/* Removes dir_fd/name and everything below it, without following symlinks. */
int rm_rf_at(int dir_fd, const char *name);
/* One message with data and, if fd >= 0, that fd (SCM_RIGHTS). */
int fd_send(int sock, int fd, const void *data, size_t n);
/* A blocking connection to the unix stream socket at path. */
int socket_connect_unix(const char *path);
/* Connects to the unix stream socket at path and sends fd with name (NUL included), as runc sends a
 * pty master to --console-socket and a pidfd to --pidfd-socket. -errno; logs nothing. */
int socket_send_fd(const char *path, int fd, const char *name);
/* Receives one message; *ret_fd is the fd that came with it, or -EBADF. Returns the bytes read. */
ssize_t fd_recv(int sock, void *data, size_t n, int *ret_fd);
/* Creates every missing directory of path (absolute or relative to the cwd). */
int mkdir_p(const char *path, mode_t mode);
