// One thread pool for everything: OpenBLAS is Debian's OpenMP build (libopenblas0-openmp), so
// BLAS and our elementwise loops share libgomp's threads instead of oversubscribing the cores.
// By default the count adapts to a busy machine (thread_policy.hpp); set_num_threads fixes it.
#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "gradflow/tensor.hpp"
#include "thread_policy.hpp"

namespace gf {

void set_num_threads(int n) {
  GF_CHECK(n >= 1, "set_num_threads: expected a positive number of threads, got ", n);
  detail::fix_threads(n);
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
  openblas_set_num_threads(n);
}

int get_num_threads() { return detail::configured_threads(); }

}  // namespace gf
