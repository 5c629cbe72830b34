// adam_kernel with AVX-512 vectors (-mavx512f -ffp-contract=off); called only on CPUs that have it.
#define GF_ADAM_TABLE adam_kernels_avx512
#include "adam_kernels.inc"
