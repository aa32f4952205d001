/* The parent's end of process.terminal: handing the pty master to a --console-socket, or proxying
 * it to runscope's own stdio in the foreground (raw mode, window size). Never leaves the caller's
 * terminal in raw mode. */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include "console.h"
#include "util/fd.h"
#include "util/log.h"

int console_send(const char *socket_path, int master) {
        char name[64] = "";

        /* As runc: the pty's name along with its master. */
        (void) ptsname_r(master, name, sizeof(name));
        int r = socket_send_fd(socket_path, master, name);
        if (r < 0)
                return log_error_errno(r, "--console-socket %s: %m", socket_path);
        return 0;
}

void console_begin(Console *c, int master) {
        *c = (Console) { .master = master, .in_open = true };
        if (tcgetattr(STDIN_FILENO, &c->saved) == 0) {
                struct termios raw = c->saved;
                c->raw = true;
                cfmakeraw(&raw);
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        }
        console_resize(c);
        (void) fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
}

void console_resize(Console *c) {
        struct winsize ws;
        /* A terminal that knows no size (0x0) says nothing; process.consoleSize stands then. */
        if (c->raw && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
                (void) ioctl(c->master, TIOCSWINSZ, &ws);
}

static int pump(int from, int to) {
        char buf[8192];
        ssize_t n = read(from, buf, sizeof(buf));
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (n == 0)
                return -EPIPE;
        int r = write_all(to, buf, (size_t) n);
        return r < 0 ? r : 1;
}

void console_input(Console *c) {
        if (c->in_open && pump(STDIN_FILENO, c->master) < 0) {
                c->in_open = false;
                /* End of input: the terminal's own end-of-file character, as a typed ^D would be. */
                (void) write(c->master, "\x04", 1);
        }
}

void console_output(Console *c) {
        (void) pump(c->master, STDOUT_FILENO);
}

void console_end(Console *c) {
        /* Whatever the process wrote last is still in the pty. */
        while (pump(c->master, STDOUT_FILENO) > 0)
                ;
        if (c->raw)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
}
