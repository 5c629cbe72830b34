#include "gradflow/dtype.hpp"

namespace gf {

namespace {
DType g_default_dtype = DType::Float32;
}

void set_default_dtype(DType d) { g_default_dtype = d == DType::Int64 ? DType::Float32 : d; }
DType default_dtype() { return g_default_dtype; }

std::size_t element_size(DType d) { return d == DType::Float32 ? 4 : 8; }
bool is_floating(DType d) { return d != DType::Int64; }

std::string dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "torch.float32";
    case DType::Float64: return "torch.float64";
    default: return "torch.int64";
  }
}

DType promote_types(DType a, DType b) {
  if (a == DType::Float64 || b == DType::Float64) return DType::Float64;
  if (a == DType::Float32 || b == DType::Float32) return DType::Float32;
  return DType::Int64;
}

}  // namespace gf
