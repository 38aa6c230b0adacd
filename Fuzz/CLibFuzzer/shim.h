#ifndef USHER_CLIBFUZZER_SHIM_H
#define USHER_CLIBFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver, from the runtime that -sanitize=fuzzer links in. SwiftPM gives an executable target a main of
// its own, so the target's main calls this instead of libFuzzer's main calling LLVMFuzzerTestOneInput.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
