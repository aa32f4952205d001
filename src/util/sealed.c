/* CVE-2019-5736: runscope's own code runs in a container's pid namespace (the launcher before its
 * execve, the exec launcher), and a process there holding CAP_SYS_PTRACE (a privileged container)
 * can open /proc/PID/exe of it: not being dumpable does not stop that capability. To leave nothing
 * there to write to, runscope then runs from a sealed in-memory copy of itself (as runc does): it
 * execs again from a memfd that can never be written, and its launchers, its forks, share that.
 * Never used for a container without the capability: the copy costs a re-exec. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "fault.h"
#include "fd.h"
#include "sealed.h"

#define SEALED_ENV "_RUNSCOPE_SEALED_COPY"
/* How often F_SEAL_WRITE is tried before its EBUSY is runscope's error: at most some 0.75 s. */
#define SEAL_ATTEMPTS 5

static char **saved_argv;
static bool sealed;

void sealed_init(char **argv) {
        saved_argv = argv;
        /* Set by ourselves before the re-exec; no one else's business, so gone at once. */
        sealed = getenv(SEALED_ENV) != NULL;
        (void) unsetenv(SEALED_ENV);
}

/* F_SEAL_WRITE fails with EBUSY while the copy's pages have references beyond the page cache's: a
 * writable mapping (none: the copy is ours alone, never mapped) or transient ones, such as an LRU
 * batch or a migration holds, which the kernel waits 150 ms for first. A loaded machine's outlast
 * that now and then (CI saw it once); they are gone by a later try. The seals are added all or none. */
static int seal_copy(int fd) {
        for (unsigned attempt = 0;; attempt++) {
                /* The test build's stand-in for those references, on its first tries. */
                void *busy = FAULT_WRITABLE_MAP("RUNSCOPE_FAULT_SEAL_BUSY", fd, attempt);
                int r = fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0 ? -errno : 0;
                if (busy != MAP_FAILED)
                        (void) munmap(busy, 1);
                if (r != -EBUSY || attempt + 1 == SEAL_ATTEMPTS)
                        return r;
        }
}

int sealed_reexec(void) {
        struct stat st;

        if (sealed || !saved_argv)
                return 0;
        _cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (exe < 0 || fstat(exe, &st) < 0)
                return -errno;
        _cleanup_close_ int copy = memfd_create("runscope-sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (copy < 0)
                return -errno;
        for (off_t left = st.st_size; left > 0;) {
                ssize_t n = sendfile(copy, exe, NULL, (size_t) left);
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                left -= n;
        }
        int r = seal_copy(copy);
        if (r < 0)
                return r;
        if (setenv(SEALED_ENV, "1", 1) < 0)
                return -errno;
        extern char **environ;
        fexecve(copy, saved_argv, environ);
        r = -errno;
        (void) unsetenv(SEALED_ENV);
        return r;
}
