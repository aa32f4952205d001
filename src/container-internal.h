/* Shared by src/container*.c only. */
#pragma once

#include <systemd/sd-bus.h>

#include "container.h"

/* Opens and locks a container and loads its state. A directory without state.json is a create
 * that died before saving: -ENOENT, logged unless incomplete_ok (with *ret_dir_fd set then). */
int container_open(const char *root, const char *id, bool incomplete_ok, int *ret_root_fd, int *ret_dir_fd,
                   ContainerState **ret_state);
/* Live status from the init's pid and start time; *ret_pidfd (if not NULL) gets a pidfd of a live
 * init. */
ContainerStatus container_status_of(int dir_fd, const ContainerState *st, int *ret_pidfd);
/* Writes pid to path atomically (a temporary file in the same directory, then rename). */
int container_write_pid_file(const char *path, pid_t pid);
/* --pidfd-socket: the pidfd of the container's init or an exec'd process, as runc 1.3 sends it. */
int container_send_pidfd(const char *socket_path, int pidfd);
/* Loads a container without its lock and connects to systemd; -ESRCH (not logged) once stopped. */
int container_connect(const char *root, const char *id, ContainerState **ret_state, sd_bus **ret_bus);
/* A terminal needs somewhere to go: runscope's own stdio in the foreground, or a console socket. */
int container_check_terminal(bool terminal, bool foreground, const char *console_socket);
/* The spec's labels made those to apply (spec_drop_labels()): an AppArmor profile the kernel has not
 * loaded is an error naming apparmor_what (a JSON path or a flag) and the profile. */
int container_labels(Spec *spec, const char *apparmor_what);
