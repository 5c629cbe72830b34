// gf::nn::Upsample — torch.nn.Upsample with libtorch's UpsampleOptions: forward is
// F::interpolate with the module's size or scale_factor, mode and align_corners.
//
//   gf::nn::Upsample up(gf::nn::UpsampleOptions().scale_factor(std::vector<double>{2}));
//   std::cout << up;   // Upsample(scale_factor=2.0, mode=nearest)
//   gf::nn::Upsample b(gf::nn::UpsampleOptions()
//                          .size(std::vector<int64_t>{4, 5})
//                          .mode(gf::nn::UpsampleMode::Bilinear)
//                          .align_corners(true));   // Upsample(size=(4, 5), mode=bilinear)
//
// One value prints as a number, several as a tuple (torch prints what it was given).
#pragma once
#include <optional>
#include <vector>

#include "gradflow/nn/functional/upsampling.hpp"
#include "gradflow/nn/module.hpp"

namespace gf::nn {

using UpsampleMode = functional::InterpolateMode;

struct UpsampleOptions {
  GF_NN_ARG(std::optional<std::vector<int64_t>>, size);
  GF_NN_ARG(std::optional<std::vector<double>>, scale_factor);
  GF_NN_ARG(UpsampleMode, mode) = UpsampleMode::Nearest;
  GF_NN_ARG(std::optional<bool>, align_corners);
};

class Upsample : public Module {
 public:
  explicit Upsample(const UpsampleOptions& options = {}) : Module("Upsample"), options_(options) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "scale_factor=2.0, mode=nearest"
  const UpsampleOptions& options() const { return options_; }

 private:
  UpsampleOptions options_;
};

}  // namespace gf::nn
