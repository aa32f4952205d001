/* process.terminal on runscope's side. */
#pragma once

#include <stdbool.h>
#include <termios.h>

typedef struct Console {
        int master;          /* borrowed: the Launcher owns it */
        bool raw, in_open;
        struct termios saved;
} Console;

/* Connects to a --console-socket and sends the pty master (SCM_RIGHTS), as runc does. */
int console_send(const char *socket_path, int master);
/* Puts runscope's terminal (if stdin is one) in raw mode and copies its size to the pty. */
void console_begin(Console *c, int master);
void console_resize(Console *c);
/* Copies what is ready from stdin to the pty, or from the pty to stdout. */
void console_input(Console *c);
void console_output(Console *c);
/* Drains the pty's last output and restores runscope's terminal. */
void console_end(Console *c);
