// Models, optimizers and schedules by name, for programs that train from a recipe (the `gradflow`
// command's --model / --optimizer / --schedule). One registry entry per model; an entry says
// which input it wants, so a convolutional model gets [N, 1, H, W] images and an MLP [N, F]:
//
//   const gf::train::ModelEntry* m = gf::train::find_model("mlp");
//   auto model = m->build({.hidden = {256, 128}, .in_features = 784, .num_classes = 10});
//   auto opt = gf::train::make_optimizer("adam", model->parameters(), {.lr = 2e-3});
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gradflow/nn/module.hpp"
#include "gradflow/optim/lr_scheduler.hpp"
#include "gradflow/optim/optimizer.hpp"

namespace gf::train {

struct ModelOptions {
  std::vector<int64_t> hidden;  // hidden layer sizes, for models that take them
  int64_t in_features = 0;      // features per sample (C·H·W for image models)
  int64_t num_classes = 0;
  DType dtype = DType::Float32;
};

struct ModelEntry {
  std::string name, help;
  bool uses_hidden = false;  // reads ModelOptions::hidden
  bool images = false;       // wants [N, 1, H, W] square images instead of [N, features]
  // Parameters come from the default generator (seed it first).
  std::function<std::shared_ptr<nn::Module>(const ModelOptions&)> build;
};
// softmax (Linear(F, C)), mlp (Linear, ReLU, ..., Linear), cnn and lenet5 (1 x S x S images).
const std::vector<ModelEntry>& models();
const ModelEntry* find_model(const std::string& name);  // nullptr when there is none
std::string model_names(const std::string& separator = ", ");
// {F}, or {1, H, W} for image models (gf::Error unless F is a square).
Shape input_shape(const ModelEntry& model, int64_t features);
// Parameters, gradients and two optimizer moments of an MLP-shaped entry, in bytes.
double training_bytes(const ModelEntry& model, const ModelOptions& options);

struct OptimizerOptions {
  double lr = 1e-3, momentum = 0.0, weight_decay = 0.0;
};
// "sgd" (momentum), "adam", "adamw"; gf::Error for other names.
std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name,
                                                 const std::vector<Tensor>& parameters,
                                                 const OptimizerOptions& options);
// "cosine": CosineAnnealingLR(T_max = epochs); "none": nullptr.
std::unique_ptr<optim::LRScheduler> make_scheduler(const std::string& name,
                                                   optim::Optimizer& optimizer, int64_t epochs);

}  // namespace gf::train
