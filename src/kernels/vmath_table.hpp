// The per-instruction-set function tables behind vmath.hpp. Each vmath_<isa>.cpp is compiled with
// that ISA's flags and defines only its table; nothing else may be included there (an inline
// function instantiated with AVX-512 flags could otherwise be picked by the linker for every
// caller, and fault on an older CPU).
#pragma once
#include <cstdint>

namespace gf::kernels::detail {

// The number of VectorFn entries (vmath.hpp's enum; this header may not include it).
constexpr int kVectorFns = 16;

using MapFloat = void (*)(const float*, float*, int64_t);
using MapDouble = void (*)(const double*, double*, int64_t);

// Functions over whole vectors only: n must be a multiple of the table's lane count.
struct VectorTable {
  const char* name;
  int64_t float_lanes, double_lanes;
  MapFloat f32[kVectorFns];  // indexed by VectorFn
  MapDouble f64[kVectorFns];
};

const VectorTable* avx512_table();
const VectorTable* avx2_table();

}  // namespace gf::kernels::detail
