#include "sp_shim.h"
#include <sentencepiece_processor.h>
extern "C" int bae_sp_version(void) { return 0; }
