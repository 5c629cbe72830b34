// A tiny expression language for drawing graphs of scalar formulas (seed 001's (x+y)*z):
// named variables, numbers, + - * /, unary minus, parentheses and every unary op of the library's
// registry (gf::unary_ops(): exp, log, sigmoid, tanh, relu, ...). Each variable becomes a 0-d leaf that requires grad, in order of first
// appearance, so the result can be backpropagated and drawn with make_dot.
//
//   auto e = gf::viz::parse_expression("(x+y)*z", {{"x", -2}, {"y", 5}, {"z", -4}});
//   e.result.backward();                      // e.variables[0].second.grad() == -4
#pragma once
#include <map>
#include <string>

#include "gradflow/viz/graph.hpp"

namespace gf::viz {

struct Expression {
  Tensor result;
  NamedTensors variables;  // leaves, in order of first appearance
};

// Throws gf::Error naming the position and the problem for bad syntax, an unknown function, or
// a variable without a value.
Expression parse_expression(const std::string& text, const std::map<std::string, double>& values,
                            DType dtype = default_dtype());

// "x=-2,y=5,z=-4" -> {x: -2, y: 5, z: -4}; gf::Error on malformed pairs.
std::map<std::string, double> parse_values(const std::string& text);

}  // namespace gf::viz
