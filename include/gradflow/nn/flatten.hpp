// gf::nn::Flatten — flattens dims [start_dim, end_dim] into one, like torch.nn.Flatten
// (defaults keep the batch dim: [N, 1, 28, 28] -> [N, 784]).
#pragma once
#include <cstdint>

#include "gradflow/nn/module.hpp"

namespace gf::nn {

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : Module("Flatten"), start_dim_(start_dim), end_dim_(end_dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "start_dim=1, end_dim=-1"

 private:
  int64_t start_dim_, end_dim_;
};

}  // namespace gf::nn
