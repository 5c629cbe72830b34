// What `train`, `eval` and `graph` share: the models `--model` names (a registry: one entry per
// model, each saying which input shape it wants), the optimizer and schedule a config describes,
// one training step, and a deterministic evaluation pass (fixed batches, in order, sums in double).
#pragma once
#include <cstdint>
#include <functional>
#include <gradflow/data/dataset.hpp>
#include <gradflow/metrics.hpp>
#include <gradflow/nn/module.hpp>
#include <gradflow/optim/lr_scheduler.hpp>
#include <gradflow/optim/optimizer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "datasets.hpp"
#include "train_config.hpp"

namespace gf::cli {

struct ModelEntry {
  std::string name, help;
  bool uses_hidden = false;  // reads --hidden
  bool images = false;       // wants [N, 1, H, W] images (H = W) instead of [N, features]
  // Builds the model for `features` inputs and `classes` outputs in `dtype`, drawing parameters
  // from the default generator.
  std::function<std::shared_ptr<nn::Module>(const TrainConfig&, int64_t features, int64_t classes,
                                            DType dtype)>
      build;
};
const std::vector<ModelEntry>& models();
std::vector<std::string> model_list();
std::string model_names(const std::string& separator);
const ModelEntry& find_model(const std::string& name);  // UsageError listing the names

// The model a config describes, seeded with config.seed first. UsageError when its parameters,
// gradients and optimizer state would not fit in this machine's memory.
std::shared_ptr<nn::Module> build_model(const TrainConfig& config, int64_t features,
                                        int64_t classes);
// The per-sample shape the config's model wants: {features} or {1, H, W}.
Shape input_shape(const TrainConfig& config, int64_t features);
// The split's features viewed in that shape (no copy).
Split as_model_input(const Split& s, const Shape& sample_shape);

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& config,
                                                 const std::vector<Tensor>& parameters);
// CosineAnnealingLR(T_max = epochs) for --schedule cosine, nullptr for none.
std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& config,
                                                   optim::Optimizer& optimizer);

// One step: forward, cross-entropy, and (when the loss is finite) zero_grad, backward, step;
// the batch's predictions go into `counter`. Returns the batch's mean loss.
double train_step(nn::Module& model, optim::Optimizer& optimizer, const data::Batch& batch,
                  metrics::ConfusionCounter& counter);

struct Evaluation {
  double loss = 0;      // mean cross-entropy
  double accuracy = 0;  // fraction
  Tensor confusion;     // Int64 [C, C] (true, predicted)
};
Evaluation evaluate(nn::Module& model, const Split& split, int64_t num_classes,
                    int64_t batch_size = 1024);

}  // namespace gf::cli
