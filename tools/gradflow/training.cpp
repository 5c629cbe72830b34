#include "training.hpp"

#include <unistd.h>

#include <cmath>
#include <gradflow/nn/activation.hpp>
#include <gradflow/nn/container.hpp>
#include <gradflow/nn/functional.hpp>
#include <gradflow/nn/linear.hpp>
#include <gradflow/optim/adam.hpp>
#include <gradflow/optim/sgd.hpp>

#include "command.hpp"

namespace gf::cli {
namespace {

// Linear(F, h1), ReLU, ..., Linear(hk, C); with no hidden sizes, softmax regression.
std::shared_ptr<nn::Module> mlp(const std::vector<int64_t>& hidden, int64_t in, int64_t classes,
                                DType dtype) {
  auto model = std::make_shared<nn::Sequential>();
  for (int64_t h : hidden) {
    model->push_back(nn::Linear(in, h, true, dtype));
    model->push_back(nn::ReLU());
    in = h;
  }
  model->push_back(nn::Linear(in, classes, true, dtype));
  return model;
}

}  // namespace

// One entry per model; a convolutional model sets images = true and gets [N, 1, H, W] batches.
const std::vector<ModelEntry>& models() {
  static const std::vector<ModelEntry> table = {
      {"softmax", "softmax regression: Linear(F, C)", false, false,
       [](const TrainConfig&, int64_t f, int64_t c, DType dt) { return mlp({}, f, c, dt); }},
      {"mlp", "Linear, ReLU, ..., Linear with --hidden sizes", true, false,
       [](const TrainConfig& cfg, int64_t f, int64_t c, DType dt) {
         return mlp(cfg.hidden, f, c, dt);
       }},
  };
  return table;
}

std::vector<std::string> model_list() {
  std::vector<std::string> names;
  for (const auto& m : models()) names.push_back(m.name);
  return names;
}

std::string model_names(const std::string& separator) {
  std::string r;
  for (const auto& n : model_list()) r += (r.empty() ? "" : separator) + n;
  return r;
}

const ModelEntry& find_model(const std::string& name) {
  for (const auto& m : models())
    if (m.name == name) return m;
  throw UsageError("--model: '" + name + "' is not a model (" + model_names(", ") + ")");
}

std::shared_ptr<nn::Module> build_model(const TrainConfig& config, int64_t features,
                                        int64_t classes) {
  const ModelEntry& m = find_model(config.model);
  if (m.uses_hidden) {  // parameters, gradients and (Adam) two moments: 4 copies
    double params = 0, in = double(features);
    for (int64_t h : config.hidden) params += (in + 1) * double(h), in = double(h);
    params += (in + 1) * double(classes);
    const double bytes = 4 * params * double(element_size(config.tensor_dtype()));
    const double memory = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
    if (bytes > memory)
      throw UsageError("--hidden " + std::to_string(config.hidden.front()) +
                       "...: the model would " + "have " + std::to_string(int64_t(params)) +
                       " parameters, " + std::to_string(int64_t(bytes / 1e9)) +
                       " GB with gradients and optimizer " + "state; this machine has " +
                       std::to_string(int64_t(memory / 1e9)) + " GB");
  }
  input_shape(config, features);  // checks that image models get square images
  manual_seed(config.seed);
  return m.build(config, features, classes, config.tensor_dtype());
}

Shape input_shape(const TrainConfig& config, int64_t features) {
  if (!find_model(config.model).images) return Shape{features};
  const auto side = static_cast<int64_t>(std::llround(std::sqrt(double(features))));
  if (side * side != features)
    throw UsageError("--model " + config.model + " wants square images, but the data has " +
                     std::to_string(features) + " features per sample");
  return Shape{1, side, side};
}

Split as_model_input(const Split& s, const Shape& sample_shape) {
  Shape shape = sample_shape;
  shape.insert(0, s.size());
  return {s.X.defined() ? s.X.reshape(shape) : s.X, s.y};
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& c,
                                                 const std::vector<Tensor>& parameters) {
  if (c.optimizer == "sgd")
    return std::make_unique<optim::SGD>(
        parameters, optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
  if (c.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(parameters,
                                          optim::AdamWOptions(c.lr).weight_decay(c.weight_decay));
  return std::make_unique<optim::Adam>(parameters,
                                       optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& c,
                                                   optim::Optimizer& optimizer) {
  if (c.schedule == "none") return nullptr;
  return std::make_unique<optim::CosineAnnealingLR>(optimizer, c.epochs);
}

double train_step(nn::Module& model, optim::Optimizer& optimizer, const data::Batch& batch,
                  metrics::ConfusionCounter& counter) {
  Tensor logits = model.forward(batch.data);
  Tensor loss = nn::functional::cross_entropy(logits, batch.target);
  const double value = loss.item();
  if (!std::isfinite(value)) return value;
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  counter.update(logits.detach(), batch.target);
  return value;
}

Evaluation evaluate(nn::Module& model, const Split& split, int64_t num_classes,
                    int64_t batch_size) {
  NoGradGuard no_grad;
  metrics::ConfusionCounter counter(num_classes);
  double loss_sum = 0;
  const int64_t n = split.size();
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    Tensor y = split.y.slice(0, start, end);
    Tensor logits = model.forward(split.X.slice(0, start, end)).contiguous();
    loss_sum += nn::functional::cross_entropy(logits, y, nn::Reduction::Sum).item();
    counter.update(logits, y);
  }
  return {n > 0 ? loss_sum / double(n) : 0.0, counter.accuracy(), counter.matrix()};
}

}  // namespace gf::cli
