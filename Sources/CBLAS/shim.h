// CBLAS: OpenBLAS's C interface (cblas_sgemm, openblas_set_num_threads), found through pkg-config `openblas`.
#include <cblas.h>
