// torchvision/models/alexnet.py, in gradflow modules.
#include "gradflow/models/alexnet.hpp"

#include "gradflow/nn/activation.hpp"
#include "gradflow/nn/conv.hpp"
#include "gradflow/nn/dropout.hpp"
#include "gradflow/nn/linear.hpp"
#include "gradflow/ops.hpp"

namespace gf::models {

AlexNet::AlexNet(int64_t num_classes, double dropout, DType dt) : Module("AlexNet") {
  using nn::Conv2d;
  using nn::Conv2dOptions;
  using nn::MaxPool2d;
  using nn::ReLU;
  auto conv = [dt](int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
    return Conv2d(Conv2dOptions(in, out, k).stride(stride).padding(pad).dtype(dt));
  };
  features = register_module(
      "features",
      std::make_shared<nn::Sequential>(
          conv(3, 64, 11, 4, 2), ReLU(true), MaxPool2d(nn::MaxPool2dOptions(3).stride(2)),
          conv(64, 192, 5, 1, 2), ReLU(true), MaxPool2d(nn::MaxPool2dOptions(3).stride(2)),
          conv(192, 384, 3, 1, 1), ReLU(true), conv(384, 256, 3, 1, 1), ReLU(true),
          conv(256, 256, 3, 1, 1), ReLU(true), MaxPool2d(nn::MaxPool2dOptions(3).stride(2))));
  avgpool = register_module(
      "avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(nn::AdaptiveAvgPool2dOptions({6, 6})));
  classifier = register_module(
      "classifier", std::make_shared<nn::Sequential>(
                        nn::Dropout(dropout), nn::Linear(256 * 6 * 6, 4096, true, dt), ReLU(true),
                        nn::Dropout(dropout), nn::Linear(4096, 4096, true, dt), ReLU(true),
                        nn::Linear(4096, num_classes, true, dt)));
}

Tensor AlexNet::forward(const Tensor& x) {
  Tensor h = avgpool->forward(features->forward(x));
  return classifier->forward(flatten(h, 1));
}

}  // namespace gf::models
