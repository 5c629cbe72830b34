// What `train`, `eval` and `graph` share: the data a config names, the models `--model` names (a
// registry: one entry per model, each saying which input shape it wants), and the optimizer and
// schedule a config describes.
#pragma once
#include <gradflow/data/classification.hpp>
#include <gradflow/train/recipe.hpp>

#include "train_config.hpp"

namespace gf::cli {

using Split = data::LabeledSplit;
using DataSets = data::ClassificationData;
// The config's data (data::load_classification; its warnings go to stderr). With `fitted` (a
// checkpoint's), that standardization is applied, for a model with `features` inputs.
DataSets load_datasets(const TrainConfig& config, const data::Standardizer* fitted = nullptr,
                       int64_t features = 0);
// Data meeting a checkpoint (resume, eval, predict): features per sample must equal the model's
// and labels (when present) must be < num_classes; UsageError naming `what` otherwise.
void check_compatible(const Split& s, int64_t num_features, int64_t num_classes,
                      const std::string& what);

// --model: its registry entry (UsageError listing the names); model_list() for CLI11's check.
const train::ModelEntry& find_model(const std::string& name);
std::vector<std::string> model_list();
using train::model_names;
// The model, optimizer and schedule a config describes; the model's parameters are drawn after
// seeding with config.seed. UsageError when training it would not fit in this machine's memory.
std::shared_ptr<nn::Module> build_model(const TrainConfig& config, int64_t features,
                                        int64_t classes);
std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& config,
                                                 const std::vector<Tensor>& parameters);
std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& c, optim::Optimizer& o);
// The per-sample shape the config's model wants ({F} or {1, H, W}) and a split viewed in it.
Shape input_shape(const TrainConfig& config, int64_t features);
Split as_model_input(const Split& s, const Shape& sample_shape);

}  // namespace gf::cli
