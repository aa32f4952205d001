/* The LSM labels a container's process and mounts get: none of an LSM the host has not enabled,
 * and an AppArmor profile only once the kernel is known to have it. Reads sysfs and securityfs;
 * never changes a label or loads a profile (the launcher applies them, launch/label.c). */
#include "container-internal.h"
#include "spec/spec.h"
#include "util/log.h"
#include "util/lsm.h"

int container_labels(Spec *spec, const char *apparmor_what) {
        spec_drop_labels(spec, lsm_enabled());

        const char *profile = spec->process.apparmor_profile;
        if (!profile)
                return 0;
        /* Here, before a unit or a launcher exists, so the error leaves nothing behind. Where the
         * list cannot tell, the launcher's write does (ENOENT for a profile not loaded). */
        int r = lsm_apparmor_profile_loaded(profile);
        if (r == 0)
                return log_error_errno(ENOENT, "%s: AppArmor profile '%s' is not loaded", apparmor_what, profile);
        if (r < 0)
                log_debug_errno(r, "%s: cannot tell from the list whether AppArmor profile '%s' is loaded: %m",
                                apparmor_what, profile);
        return 0;
}
