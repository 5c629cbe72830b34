// Runtime element types and the global settings that go with them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace gf {

enum class DType { Float32, Float64, Int64 };

void set_default_dtype(DType);  // Float32 unless changed (seed 003 switches to Float64)
DType default_dtype();

std::size_t element_size(DType);
bool is_floating(DType);
// PyTorch's spelling: "torch.float32", "torch.float64", "torch.int64".
std::string dtype_name(DType);
// The dtype of a binary op's result: Float64 > Float32 > Int64, as torch.result_type.
DType promote_types(DType a, DType b);

// Maps a C++ type to its DType: dtype_of<float>() == DType::Float32.
template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::Float32; }
template <>
constexpr DType dtype_of<double>() { return DType::Float64; }
template <>
constexpr DType dtype_of<int64_t>() { return DType::Int64; }

// Calls f(T{}) with T the C++ type of dtype: dispatch(dt, [&](auto tag) { using T = decltype(tag); });
template <class F>
decltype(auto) dispatch(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    default: return f(int64_t{});
  }
}
// Same, for the floating types only; Int64 is promoted to the default dtype by callers.
template <class F>
decltype(auto) dispatch_floating(DType dtype, F&& f) {
  if (dtype == DType::Float32) return f(float{});
  return f(double{});
}

}  // namespace gf
