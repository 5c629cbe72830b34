// LeNet-5 (models/lenet5.hpp).
#include "gradflow/models/lenet5.hpp"

#include "gradflow/nn/functional.hpp"

namespace gf::models {

LeNet5::LeNet5(int64_t num_classes, DType dt) : Module("LeNet5") {
  conv1 = register_module(
      "conv1", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(1, 6, 5).padding(2).dtype(dt)));
  conv2 =
      register_module("conv2", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(6, 16, 5).dtype(dt)));
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(16 * 5 * 5, 120, true, dt));
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(120, 84, true, dt));
  fc3 = register_module("fc3", std::make_shared<nn::Linear>(84, num_classes, true, dt));
}

Tensor LeNet5::forward(const Tensor& x) {
  namespace F = nn::functional;
  Tensor h = F::max_pool2d(relu(conv1->forward(x)), 2);
  h = F::max_pool2d(relu(conv2->forward(h)), 2);
  h = relu(fc1->forward(flatten(h, 1)));
  h = relu(fc2->forward(h));
  return fc3->forward(h);
}

}  // namespace gf::models
