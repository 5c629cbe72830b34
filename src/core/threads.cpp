// One thread pool for everything: OpenBLAS is Debian's OpenMP build (libopenblas0-openmp), so
// BLAS and our elementwise loops share libgomp's threads instead of oversubscribing the cores.
#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "gradflow/tensor.hpp"

namespace gf {

void set_num_threads(int n) {
  GF_CHECK(n >= 1, "set_num_threads: expected a positive number of threads, got ", n);
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
  openblas_set_num_threads(n);
}

int get_num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace gf
