// gf::models::LeNet5 — LeCun et al.'s LeNet-5 for 1 x 28 x 28 images, with ReLU and max-pooling:
//   conv1 Conv2d(1, 6, 5, pad 2) → ReLU → MaxPool 2 → conv2 Conv2d(6, 16, 5) → ReLU → MaxPool 2
//   → flatten (16·5·5 = 400) → fc1 Linear(400, 120) → ReLU → fc2 Linear(120, 84) → ReLU
//   → fc3 Linear(84, num_classes)
// Parameters conv1.weight, conv1.bias, conv2.*, fc1.*, fc2.*, fc3.* — the names the same
// PyTorch module (tests/reference/lenet5_fixture.py) writes, so its state_dict loads unchanged.
#pragma once
#include <memory>

#include "gradflow/nn/conv.hpp"
#include "gradflow/nn/linear.hpp"
#include "gradflow/nn/module.hpp"

namespace gf::models {

class LeNet5 : public nn::Module {
 public:
  explicit LeNet5(int64_t num_classes = 10, DType dtype = default_dtype());
  Tensor forward(const Tensor& x) override;  // x: [N, 1, 28, 28] -> logits [N, num_classes]

  std::shared_ptr<nn::Conv2d> conv1, conv2;
  std::shared_ptr<nn::Linear> fc1, fc2, fc3;
};

}  // namespace gf::models
