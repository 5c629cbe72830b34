// Each op file that defines unary ops lists them by name next to their definitions;
// src/ops/registry.cpp merges the lists into gf::unary_ops(). A new op file with unary ops adds
// its list here and in registry.cpp; a new op in an existing file adds one line to its file's list.
#pragma once
#include <span>

#include "gradflow/op_registry.hpp"

namespace gf::detail {

std::span<const UnaryOp> arithmetic_unary_ops();  // arithmetic.cpp: neg
std::span<const UnaryOp> math_unary_ops();        // unary.cpp: exp, log, relu, ...
std::span<const UnaryOp> trig_unary_ops();        // math.cpp: sin, cos, ..., erf, erfc
std::span<const UnaryOp> rounding_unary_ops();    // rounding.cpp: floor, ceil, round, trunc, frac

}  // namespace gf::detail
