// gf::models::AlexNet — torchvision.models.AlexNet, module for module:
//
//   features:   Conv2d(3, 64, 11, stride 4, pad 2), ReLU, MaxPool2d(3, 2),
//               Conv2d(64, 192, 5, pad 2), ReLU, MaxPool2d(3, 2),
//               Conv2d(192, 384, 3, pad 1), ReLU, Conv2d(384, 256, 3, pad 1), ReLU,
//               Conv2d(256, 256, 3, pad 1), ReLU, MaxPool2d(3, 2)
//   avgpool:    AdaptiveAvgPool2d((6, 6))
//   classifier: Dropout(p), Linear(9216, 4096), ReLU, Dropout(p), Linear(4096, 4096), ReLU,
//               Linear(4096, num_classes)
//
// Parameter names are torchvision's ("features.0.weight" ... "classifier.6.bias"), so a
// state_dict saved from torchvision as safetensors loads unchanged (io::load_state_dict +
// Module::load_state_dict) and gives torchvision's logits. Input N x 3 x H x W (H, W ≥ 63).
#pragma once
#include <memory>

#include "gradflow/nn/container.hpp"
#include "gradflow/nn/module.hpp"
#include "gradflow/nn/pooling.hpp"

namespace gf::models {

class AlexNet : public nn::Module {
 public:
  explicit AlexNet(int64_t num_classes = 1000, double dropout = 0.5, DType dtype = default_dtype());
  Tensor forward(const Tensor& x) override;

  std::shared_ptr<nn::Sequential> features;
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<nn::Sequential> classifier;
};

}  // namespace gf::models
