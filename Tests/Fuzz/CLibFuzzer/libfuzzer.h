// libFuzzer's driver entry point (compiler-rt FuzzerInterface.h), linked in by
// `-sanitize=fuzzer`. bae-fuzz calls it from its own main, because SwiftPM links an executable's
// `main` to the module's entry point (`--defsym main=bae_fuzz_main`), which hides libFuzzer's.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
