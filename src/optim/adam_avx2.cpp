// adam_kernel with AVX2 vectors (-mavx2 -ffp-contract=off); called only on CPUs that have AVX2.
#define GF_ADAM_TABLE adam_kernels_avx2
#include "adam_kernels.inc"
