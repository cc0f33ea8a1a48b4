// OpenBLAS's CBLAS interface (Debian: libopenblas-dev puts cblas.h under openblas-pthread/,
// found through pkg-config's --cflags).
#include <cblas.h>
// Thread control, so that our own parallel-for and OpenBLAS's threads do not fight.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
