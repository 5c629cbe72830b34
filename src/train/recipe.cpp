// The model registry and the optimizer / schedule factories of recipe.hpp.
#include "gradflow/train/recipe.hpp"

#include <cmath>

#include "gradflow/error.hpp"
#include "gradflow/models/lenet5.hpp"
#include "gradflow/nn/activation.hpp"
#include "gradflow/nn/batchnorm.hpp"
#include "gradflow/nn/container.hpp"
#include "gradflow/nn/conv.hpp"
#include "gradflow/nn/dropout.hpp"
#include "gradflow/nn/flatten.hpp"
#include "gradflow/nn/linear.hpp"
#include "gradflow/nn/pooling.hpp"
#include "gradflow/optim/adam.hpp"
#include "gradflow/optim/sgd.hpp"

namespace gf::train {
namespace {

// Linear(F, h1), ReLU, ..., Linear(hk, C); with no hidden sizes, softmax regression.
std::shared_ptr<nn::Module> mlp(const std::vector<int64_t>& hidden, const ModelOptions& o) {
  auto model = std::make_shared<nn::Sequential>();
  int64_t in = o.in_features;
  for (int64_t h : hidden) {
    model->push_back(nn::Linear(in, h, true, o.dtype));
    model->push_back(nn::ReLU());
    in = h;
  }
  model->push_back(nn::Linear(in, o.num_classes, true, o.dtype));
  return model;
}

int64_t image_side(const ModelOptions& o) {
  return static_cast<int64_t>(std::llround(std::sqrt(double(o.in_features))));
}

// The CLI's CNN for 1 x S x S images: two 3x3 convolutions (32, 64 channels, padding 1, no bias:
// the BatchNorm2d after each shifts), each followed by BatchNorm2d, ReLU and a 2x2 max-pool, then
// Linear(64·(S/4)², 128), ReLU, Dropout(0.25), Linear(128, C). BatchNorm took the 10-epoch
// Fashion-MNIST test accuracy from 91.69% to the number in BENCHMARKS.md.
std::shared_ptr<nn::Module> cnn(const ModelOptions& o) {
  const int64_t side = image_side(o) / 2 / 2;
  GF_CHECK(side >= 1, "model cnn: images of ", image_side(o), "x", image_side(o),
           " are too small (at least 4x4)");
  auto conv = [&](int64_t in, int64_t out) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false).dtype(o.dtype));
  };
  auto bn = [&](int64_t c) { return nn::BatchNorm2d(nn::BatchNorm2dOptions(c).dtype(o.dtype)); };
  return std::make_shared<nn::Sequential>(
      conv(1, 32), bn(32), nn::ReLU(), nn::MaxPool2d(2), conv(32, 64), bn(64), nn::ReLU(),
      nn::MaxPool2d(2), nn::Flatten(), nn::Linear(64 * side * side, 128, true, o.dtype), nn::ReLU(),
      nn::Dropout(0.25), nn::Linear(128, o.num_classes, true, o.dtype));
}

std::shared_ptr<nn::Module> lenet5(const ModelOptions& o) {
  GF_CHECK(image_side(o) == 28, "model lenet5 wants 28x28 images, got ", image_side(o), "x",
           image_side(o));
  return std::make_shared<models::LeNet5>(o.num_classes, o.dtype);
}

}  // namespace

const std::vector<ModelEntry>& models() {
  static const std::vector<ModelEntry> table = {
      {"softmax", "softmax regression: Linear(F, C)", false, false,
       [](const ModelOptions& o) { return mlp({}, o); }},
      {"mlp", "Linear, ReLU, ..., Linear with the hidden sizes", true, false,
       [](const ModelOptions& o) { return mlp(o.hidden, o); }},
      {"cnn",
       "Conv 32@3x3, BatchNorm, ReLU, MaxPool 2, Conv 64@3x3, BatchNorm, ReLU, MaxPool 2, "
       "Linear 128, ReLU, Dropout 0.25, Linear (images)",
       false, true, cnn},
      {"lenet5",
       "LeNet-5: Conv 6@5x5 pad 2, ReLU, MaxPool 2, Conv 16@5x5, ReLU, MaxPool 2, Linear 120, "
       "84, C (28x28 images)",
       false, true, lenet5},
  };
  return table;
}

const ModelEntry* find_model(const std::string& name) {
  for (const auto& m : models())
    if (m.name == name) return &m;
  return nullptr;
}

std::string model_names(const std::string& separator) {
  std::string r;
  for (const auto& m : models()) r += (r.empty() ? "" : separator) + m.name;
  return r;
}

Shape input_shape(const ModelEntry& m, int64_t features) {
  if (!m.images) return Shape{features};
  const auto side = static_cast<int64_t>(std::llround(std::sqrt(double(features))));
  GF_CHECK(side * side == features, "model ", m.name, " wants square images, but the data has ",
           features, " features per sample");
  return Shape{1, side, side};
}

double training_bytes(const ModelEntry& m, const ModelOptions& o) {
  double params = 0, in = double(o.in_features);
  for (int64_t h : m.uses_hidden ? o.hidden : std::vector<int64_t>{})
    params += (in + 1) * double(h), in = double(h);
  params += (in + 1) * double(o.num_classes);
  return 4 * params * double(element_size(o.dtype));
}

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name,
                                                 const std::vector<Tensor>& parameters,
                                                 const OptimizerOptions& o) {
  if (name == "sgd")
    return std::make_unique<optim::SGD>(
        parameters, optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
  if (name == "adamw")
    return std::make_unique<optim::AdamW>(parameters,
                                          optim::AdamWOptions(o.lr).weight_decay(o.weight_decay));
  GF_CHECK(name == "adam", "make_optimizer: '", name, "' is not sgd, adam or adamw");
  return std::make_unique<optim::Adam>(parameters,
                                       optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const std::string& name,
                                                   optim::Optimizer& optimizer, int64_t epochs) {
  if (name == "none") return nullptr;
  GF_CHECK(name == "cosine", "make_scheduler: '", name, "' is not cosine or none");
  return std::make_unique<optim::CosineAnnealingLR>(optimizer, epochs);
}

}  // namespace gf::train
