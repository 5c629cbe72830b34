// The cases of tests/reference/conv_pool.json (written by tests/reference/conv_pool.py with
// PyTorch 1.13) and the gradflow call each one stands for, with its options read from the case.
// Used by test_conv and test_pool; each runs the ops of its area, in float64 and float32.
#pragma once
#include <fstream>
#include <set>
#include <string>

#include "support/op_check.hpp"

namespace gf::test {

inline const nlohmann::json& conv_pool_reference() {
  static const nlohmann::json data = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/conv_pool.json");
    if (!in) throw std::runtime_error("cannot open tests/reference/conv_pool.json");
    return nlohmann::json::parse(in);
  }();
  return data;
}

// One int or a list, as torch's int-or-tuple arguments.
template <std::size_t D>
nn::ExpandingArray<D> expanding(const nlohmann::json& v) {
  if (v.is_number()) return nn::ExpandingArray<D>(v.get<int64_t>());
  return nn::ExpandingArray<D>(v.get<std::vector<int64_t>>());
}

template <std::size_t D>
nn::ConvPadding<D> conv_padding(const nlohmann::json& o) {
  if (!o.contains("padding")) return 0;
  const auto& v = o["padding"];
  if (v.is_string()) return v.get<std::string>();
  return expanding<D>(v);
}

// The gradflow function for one reference case; max pools return the values (the indices are
// checked by conv_pool_indices).
inline OpFn conv_pool_op(const nlohmann::json& c) {
  namespace F = gf::nn::functional;
  const std::string op = c.at("op");
  const nlohmann::json o = c.at("options");
  auto e2 = [o](const char* k, int64_t d) {
    return o.contains(k) ? expanding<2>(o[k]) : nn::ExpandingArray<2>(d);
  };
  auto e1 = [o](const char* k, int64_t d) {
    return o.contains(k) ? expanding<1>(o[k]) : nn::ExpandingArray<1>(d);
  };
  const int64_t groups = o.value("groups", int64_t{1});
  const bool bias = o.value("bias", false);
  if (op == "conv2d")
    return [=](const Inputs& x) {
      return F::conv2d(x[0], x[1],
                       F::Conv2dFuncOptions()
                           .bias(bias ? x[2] : Tensor())
                           .stride(e2("stride", 1))
                           .padding(conv_padding<2>(o))
                           .dilation(e2("dilation", 1))
                           .groups(groups));
    };
  if (op == "conv1d")
    return [=](const Inputs& x) {
      return F::conv1d(x[0], x[1],
                       F::Conv1dFuncOptions()
                           .bias(bias ? x[2] : Tensor())
                           .stride(e1("stride", 1))
                           .padding(conv_padding<1>(o))
                           .dilation(e1("dilation", 1))
                           .groups(groups));
    };
  if (op == "conv_transpose2d")
    return [=](const Inputs& x) {
      return F::conv_transpose2d(x[0], x[1],
                                 F::ConvTranspose2dFuncOptions()
                                     .bias(bias ? x[2] : Tensor())
                                     .stride(e2("stride", 1))
                                     .padding(e2("padding", 0))
                                     .output_padding(e2("output_padding", 0))
                                     .dilation(e2("dilation", 1))
                                     .groups(groups));
    };
  auto max_options = [=] {
    auto k = e2("kernel_size", 1);
    return F::MaxPool2dFuncOptions(k)
        .stride(o.contains("stride") ? e2("stride", 1) : k)
        .padding(e2("padding", 0))
        .dilation(e2("dilation", 1))
        .ceil_mode(o.value("ceil_mode", false));
  };
  if (op == "max_pool2d_with_indices")
    return [=](const Inputs& x) { return F::max_pool2d(x[0], max_options()); };
  if (op == "avg_pool2d")
    return [=](const Inputs& x) {
      auto k = e2("kernel_size", 1);
      auto opts = F::AvgPool2dFuncOptions(k)
                      .stride(o.contains("stride") ? e2("stride", 1) : k)
                      .padding(e2("padding", 0))
                      .ceil_mode(o.value("ceil_mode", false))
                      .count_include_pad(o.value("count_include_pad", true));
      if (o.contains("divisor_override"))
        opts.divisor_override(o["divisor_override"].get<int64_t>());
      return F::avg_pool2d(x[0], opts);
    };
  if (op == "adaptive_avg_pool2d")
    return [=](const Inputs& x) { return F::adaptive_avg_pool2d(x[0], e2("output_size", 1)); };
  if (op == "adaptive_max_pool2d_with_indices")
    return [=](const Inputs& x) { return F::adaptive_max_pool2d(x[0], e2("output_size", 1)); };
  throw std::runtime_error("conv_pool.json: unknown op " + op);
}

// The indices a max-pool case returns.
inline Tensor conv_pool_indices(const nlohmann::json& c, const Tensor& input) {
  namespace F = gf::nn::functional;
  const nlohmann::json o = c.at("options");
  auto e2 = [o](const char* k, int64_t d) {
    return o.contains(k) ? expanding<2>(o[k]) : nn::ExpandingArray<2>(d);
  };
  if (c.at("op") == "adaptive_max_pool2d_with_indices")
    return std::get<1>(F::adaptive_max_pool2d_with_indices(input, e2("output_size", 1)));
  auto k = e2("kernel_size", 1);
  return std::get<1>(
      F::max_pool2d_with_indices(input, F::MaxPool2dFuncOptions(k)
                                            .stride(o.contains("stride") ? e2("stride", 1) : k)
                                            .padding(e2("padding", 0))
                                            .dilation(e2("dilation", 1))
                                            .ceil_mode(o.value("ceil_mode", false))));
}

// Checks every reference case whose op is in `ops`: values, gradients, grad_fn name and (max
// pools) indices. Float32 cases are compared at float32 precision. Returns how many ran.
inline int check_conv_pool_reference(const std::set<std::string>& ops) {
  int n = 0;
  for (const auto& c : conv_pool_reference().at("cases")) {
    if (!ops.count(c.at("op").get<std::string>())) continue;
    const bool f32 = c["inputs"][0].value("dtype", "float64") == "float32";
    const OpFn fn = conv_pool_op(c);
    EXPECT_TRUE(check_reference(fn, c, f32 ? 1e-4 : 1e-10, f32 ? 1e-5 : 1e-12));
    Inputs xs;
    for (const auto& in : c["inputs"]) xs.push_back(json_tensor(in).requires_grad_());
    EXPECT_EQ(fn(xs).grad_fn_name(), c.at("grad_fn").get<std::string>()) << c["name"];
    if (c.contains("indices")) {
      Tensor got = conv_pool_indices(c, xs[0]);
      EXPECT_EQ(got.dtype(), DType::Int64);
      EXPECT_TRUE(check_values(got, json_values(c["indices"]), json_shape(c["indices"]), 0, 0))
          << c["name"];
    }
    ++n;
  }
  return n;
}

}  // namespace gf::test
