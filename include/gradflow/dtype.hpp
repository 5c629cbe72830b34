// Runtime element types and the global settings that go with them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace gf {

// Ordered as torch's promotion lattice: a binary op on two dimensioned tensors of the same
// category gets the later of the two (bool < uint8 < int32 < int64 < float32 < float64).
enum class DType { Bool, UInt8, Int32, Int64, Float32, Float64 };

void set_default_dtype(DType);  // Float32 unless changed (seed 003 switches to Float64)
DType default_dtype();

std::size_t element_size(DType);
bool is_floating(DType);
bool is_integral(DType, bool include_bool);  // torch's isIntegralType
// PyTorch's spelling: "torch.bool", "torch.uint8", "torch.int32", "torch.int64",
// "torch.float32", "torch.float64".
std::string dtype_name(DType);
// c10's ScalarType names, as torch's error messages spell dtypes: "Bool", "Byte", "Int", "Long",
// "Float", "Double".
std::string scalar_type_name(DType);
// torch.promote_types: the later of the two in the order above.
DType promote_types(DType a, DType b);

// Maps a C++ type to its DType: dtype_of<float>() == DType::Float32.
template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<bool>() { return DType::Bool; }
template <>
constexpr DType dtype_of<uint8_t>() { return DType::UInt8; }
template <>
constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <>
constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <>
constexpr DType dtype_of<float>() { return DType::Float32; }
template <>
constexpr DType dtype_of<double>() { return DType::Float64; }

// Calls f(T{}) with T the C++ type of dtype: dispatch(dt, [&](auto tag) { using T = decltype(tag); });
template <class F>
decltype(auto) dispatch(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int64: return f(int64_t{});
    case DType::Int32: return f(int32_t{});
    case DType::UInt8: return f(uint8_t{});
    default: return f(bool{});
  }
}
// Same, without Bool (callers convert or refuse Bool first): arithmetic on bool is not closed.
template <class F>
decltype(auto) dispatch_numeric(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int32: return f(int32_t{});
    case DType::UInt8: return f(uint8_t{});
    default: return f(int64_t{});
  }
}
// Same, for the floating types only; integer inputs are promoted to the default dtype by callers.
template <class F>
decltype(auto) dispatch_floating(DType dtype, F&& f) {
  if (dtype == DType::Float32) return f(float{});
  return f(double{});
}

// Value conversion between element types as torch does it: to bool is "nonzero" (NaN is true),
// floating to a narrower integer goes through int64 (so -1.5 -> uint8 is 255, as on x86 torch).
template <class D, class S>
constexpr D convert(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != S{0};
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D> &&
                       sizeof(D) < sizeof(int64_t)) {
    return static_cast<D>(static_cast<int64_t>(v));
  } else {
    return static_cast<D>(v);
  }
}

}  // namespace gf
