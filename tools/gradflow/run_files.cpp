#include "run_files.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <gradflow/io/atomic_file.hpp>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace gf::cli {

// [epoch, train_loss, train_acc, valid_loss, valid_acc, seconds]; no validation set: NaN (JSON
// null).
void to_json(nlohmann::json& j, const EpochMetrics& m) {
  j = {m.epoch, m.train_loss, m.train_acc, m.valid_loss, m.valid_acc, m.seconds};
}
void from_json(const nlohmann::json& j, EpochMetrics& m) {
  auto num = [&](int i) { return j.at(i).is_null() ? std::nan("") : j.at(i).get<double>(); };
  m = {j.at(0).get<int64_t>(), num(1), num(2), num(3), num(4), num(5)};
}
// (epoch, batch and the loader's state are the checkpoint's position and generator.)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Progress, loss_sum, correct, seen, seconds, history,
                                   best_valid_acc, best_epoch, num_features, num_classes,
                                   class_names, threads)

namespace {
constexpr const char* kConfigKey = "gradflow_config";
constexpr const char* kProgressKey = "gradflow_progress";
}  // namespace

void save_checkpoint(const std::string& path, const nn::Module& model,
                     const optim::Optimizer& optimizer, const optim::LRScheduler* scheduler,
                     const TrainConfig& config, const Progress& progress,
                     const data::Standardizer& standardizer) {
  io::Checkpoint c;
  c.model = model.state_dict();
  auto os = optimizer.state_dict();
  c.optimizer_tensors = std::move(os.tensors);
  c.optimizer_scalars = std::move(os.scalars);
  if (scheduler) c.scheduler = scheduler->state_dict();
  c.position = {progress.epoch, progress.batch};
  c.generators["loader"] = progress.loader_state;
  if (standardizer.fitted())
    c.extra = {{"standardizer.mean", standardizer.mean()},
               {"standardizer.scale", standardizer.scale()}};
  c.metadata = {{kConfigKey, dump_json(to_json(config))},
                {kProgressKey, dump_json(nlohmann::json(progress))}};
  io::save_checkpoint(path, c);
}

RunCheckpoint load_checkpoint(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UsageError(path + ": no such checkpoint file");
  RunCheckpoint r;
  try {
    r.state = io::load_checkpoint(path);
  } catch (const gf::Error& e) {
    throw UsageError(std::string("not a readable checkpoint: ") + e.what());
  }
  try {
    for (const char* key : {kConfigKey, kProgressKey})
      if (!r.state.metadata.count(key))
        throw std::invalid_argument(std::string("metadata has no '") + key + "'");
    r.config = config_from_json(nlohmann::json::parse(r.state.metadata.at(kConfigKey)), path);
    r.progress = nlohmann::json::parse(r.state.metadata.at(kProgressKey)).get<Progress>();
    r.progress.epoch = r.state.position.epoch;
    r.progress.batch = r.state.position.batch;
    r.progress.loader_state = r.state.generators.at("loader");
    if (r.progress.num_features < 1 || r.progress.num_classes < 1)
      throw std::invalid_argument("empty model sizes");
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError(path + ": not a gradflow training checkpoint: " + e.what());
  }
  Tensor mean, scale;
  for (auto& [name, t] : r.state.extra) (name == "standardizer.mean" ? mean : scale) = t;
  if (mean.defined() && scale.defined()) r.standardizer = data::Standardizer(mean, scale);
  return r;
}

void write_metrics_csv(const std::string& path, const std::vector<EpochMetrics>& history) {
  std::string text = "epoch,train_loss,train_acc,valid_loss,valid_acc,seconds\n";
  char line[256];
  for (const auto& m : history) {
    // Loss and accuracy with 9 significant digits: resumed and uninterrupted runs must give
    // identical lines (the numbers are bitwise equal, so their text is too).
    std::snprintf(line, sizeof line, "%lld,%.9g,%.9g,%.9g,%.9g,%.3f\n",
                  static_cast<long long>(m.epoch), m.train_loss, m.train_acc, m.valid_loss,
                  m.valid_acc, m.seconds);
    text += line;
  }
  io::write_file_atomic(path, text);
}

}  // namespace gf::cli
