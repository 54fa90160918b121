// oneDNN's C API (Debian libdnnl-dev 2.x, v2 API: operation descriptors such as
// dnnl_matmul_desc_init, then a primitive descriptor from the descriptor and the engine).
#include <oneapi/dnnl/dnnl.h>

// Debian's oneDNN runs its own parallel regions on OpenMP (libgomp). libgomp keeps the thread
// count of a thread that is not inside a parallel region in that thread's own data environment,
// so setting it to 1 on a worker thread makes oneDNN primitives created and executed there run
// single-threaded without touching other threads. (omp.h is not on Swift's clang include path.)
extern void omp_set_num_threads(int num_threads);
extern int omp_get_max_threads(void);
