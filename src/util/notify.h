/* sd_notify passthrough: a socket the container notifies on, relayed to runscope's own
 * NOTIFY_SOCKET, and runscope's own READY=1 for a container that does not say it. */
#pragma once

#include <sys/types.h>

#define NOTIFY_DIR "notify"
#define NOTIFY_SOCKET_NAME "notify.sock"
#define NOTIFY_CONTAINER_DIR "/run/notify"

/* Binds <dir_fd>/notify/notify.sock (datagram), writable by any user of the container. */
int notify_relay_open(int dir_fd, int *ret_fd);
/* Reads one message from the container and passes READY, STATUS, MAINPID (translated from the
 * container's pid namespace, whose init is init_pid), BARRIER and the other plain assignments on
 * to systemd; file descriptors (FDSTORE) are not passed on. Never fails the container. */
void notify_relay_handle(int fd, pid_t init_pid);
/* READY=1 from runscope itself, for a container that does not notify. Never fails the container. */
void notify_ready(void);
