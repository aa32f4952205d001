/* libFuzzer target: config.json bytes into the typed Spec (spec_parse), then freed. Never touches
 * the filesystem beyond /dev/null for the log. */
#include "fuzz.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = fuzz_text(data, size);
        _cleanup_(spec_freep) Spec *s = NULL;

        if (spec_parse(text, &s) < 0 && s)
                abort(); /* an error must leave nothing behind */
        return 0;
}
