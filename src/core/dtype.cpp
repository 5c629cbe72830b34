#include "gradflow/dtype.hpp"
#include "gradflow/tensor.hpp"

#include <algorithm>

namespace gf {

namespace {
DType g_default_dtype = DType::Float32;
}

void set_default_dtype(DType d) { g_default_dtype = is_floating(d) ? d : DType::Float32; }
DType default_dtype() { return g_default_dtype; }

std::size_t element_size(DType d) {
  switch (d) {
    case DType::Bool:
    case DType::UInt8: return 1;
    case DType::Int32:
    case DType::Float32: return 4;
    default: return 8;
  }
}
bool is_floating(DType d) { return d == DType::Float32 || d == DType::Float64; }
bool is_integral(DType d, bool include_bool) {
  return d == DType::UInt8 || d == DType::Int32 || d == DType::Int64 ||
         (include_bool && d == DType::Bool);
}

std::string dtype_name(DType d) {
  switch (d) {
    case DType::Bool: return "torch.bool";
    case DType::UInt8: return "torch.uint8";
    case DType::Int32: return "torch.int32";
    case DType::Int64: return "torch.int64";
    case DType::Float32: return "torch.float32";
    default: return "torch.float64";
  }
}

std::string scalar_type_name(DType d) {
  switch (d) {
    case DType::Bool: return "Bool";
    case DType::UInt8: return "Byte";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float32: return "Float";
    default: return "Double";
  }
}

DType promote_types(DType a, DType b) { return std::max(a, b); }

// c10's combine_categories(higher = the dimensioned operand's dtype, lower = the 0-d one's).
DType result_type(const Tensor& a, const Tensor& b) {
  bool a0 = a.dim() == 0, b0 = b.dim() == 0;
  if (a0 == b0) return promote_types(a.dtype(), b.dtype());
  DType dimensioned = a0 ? b.dtype() : a.dtype();
  DType zero_dim = a0 ? a.dtype() : b.dtype();
  if (is_floating(dimensioned)) return dimensioned;
  if (dimensioned == DType::Bool || is_floating(zero_dim)) return promote_types(dimensioned, zero_dim);
  return dimensioned;
}

}  // namespace gf
