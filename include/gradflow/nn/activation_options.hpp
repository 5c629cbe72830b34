// libtorch's option structs for the activations, shared by nn::functional (LeakyReLUFuncOptions,
// ...) and the modules (LeakyReLUOptions, ...): chained setters, getters of the same name.
//   F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2));
//   nn::ELU(nn::ELUOptions().alpha(0.5));
#pragma once
#include <cstdint>
#include <string>

// One option: a setter returning *this and a getter, as libtorch's TORCH_ARG.
#define GF_ARG(T, name)                                           \
 public:                                                          \
  inline auto name(const T& new_##name)->decltype(*this) {        \
    this->name##_ = new_##name;                                   \
    return *this;                                                 \
  }                                                               \
  inline const T& name() const noexcept { return this->name##_; } \
                                                                  \
 private:                                                         \
  T name##_

namespace gf::nn {

struct LeakyReLUOptions {
  GF_ARG(double, negative_slope) = 1e-2;
  GF_ARG(bool, inplace) = false;
};
struct ELUOptions {
  GF_ARG(double, alpha) = 1.0;
  GF_ARG(bool, inplace) = false;
};
struct SELUOptions {
  /* implicit */ SELUOptions(bool inplace = false) : inplace_(inplace) {}
  GF_ARG(bool, inplace);
};
struct CELUOptions {
  GF_ARG(double, alpha) = 1.0;
  GF_ARG(bool, inplace) = false;
};
// approximate: "none" (x Φ(x), exact) or "tanh" (0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³)))).
struct GELUOptions {
  GF_ARG(std::string, approximate) = "none";
};
struct SoftplusOptions {
  GF_ARG(double, beta) = 1.0;
  GF_ARG(double, threshold) = 20.0;
};
struct HardtanhOptions {
  GF_ARG(double, min_val) = -1.0;
  GF_ARG(double, max_val) = 1.0;
  GF_ARG(bool, inplace) = false;
};
struct ReLU6Options {
  /* implicit */ ReLU6Options(bool inplace = false) : inplace_(inplace) {}
  GF_ARG(bool, inplace);
};
struct GLUOptions {
  /* implicit */ GLUOptions(int64_t dim = -1) : dim_(dim) {}
  GF_ARG(int64_t, dim);
};
struct PReLUOptions {
  GF_ARG(int64_t, num_parameters) = 1;
  GF_ARG(double, init) = 0.25;
};

namespace functional {
using LeakyReLUFuncOptions = LeakyReLUOptions;
using ELUFuncOptions = ELUOptions;
using SELUFuncOptions = SELUOptions;
using CELUFuncOptions = CELUOptions;
using GELUFuncOptions = GELUOptions;
using SoftplusFuncOptions = SoftplusOptions;
using HardtanhFuncOptions = HardtanhOptions;
using GLUFuncOptions = GLUOptions;
}  // namespace functional

}  // namespace gf::nn
