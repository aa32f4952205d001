/* libFuzzer target: one `runscope-run -p NAME=VALUE` (spec_run_check_property), applied to the
 * default configuration and thrown away. Only stat()s the device a value names. */
#include "fuzz.h"
#include "spec/spec-run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = fuzz_text(data, size);

        (void) spec_run_check_property(text);
        return 0;
}
