/* libFuzzer target: state.json bytes of the container "c1" into a ContainerState (state_parse),
 * then freed. */
#include "fuzz.h"
#include "state/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = fuzz_text(data, size);
        _cleanup_(state_freep) ContainerState *s = NULL;

        if (state_parse(text, "c1", &s) < 0 && s)
                abort();
        return 0;
}
