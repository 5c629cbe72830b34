#include "run_files.hpp"

#include <cstdio>
#include <filesystem>
#include <gradflow/io/atomic_file.hpp>
#include <gradflow/io/safetensors.hpp>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace gf::cli {
namespace {

using nlohmann::json;

constexpr const char* kConfigKey = "gradflow_config";
constexpr const char* kProgressKey = "gradflow_progress";
constexpr const char* kOptimizerKey = "gradflow_optimizer";
constexpr const char* kOptimizerPrefix = "optimizer.";

json progress_json(const Progress& p) {
  json history = json::array();
  for (const auto& m : p.history)
    history.push_back({m.epoch, m.train_loss, m.train_acc, m.valid_loss, m.valid_acc, m.seconds});
  return {{"epoch", p.epoch},
          {"batch", p.batch},
          {"loss_sum", p.loss_sum},
          {"correct", p.correct},
          {"seen", p.seen},
          {"seconds", p.seconds},
          {"loader_state",
           {{"s", p.loader_state.s},
            {"has_spare", p.loader_state.has_spare},
            {"spare", p.loader_state.spare}}},
          {"history", history},
          {"best_valid_acc", p.best_valid_acc},
          {"best_epoch", p.best_epoch},
          {"num_features", p.num_features},
          {"num_classes", p.num_classes},
          {"class_names", p.class_names},
          {"threads", p.threads}};
}

Progress progress_from_json(const json& j) {
  Progress p;
  p.epoch = j.at("epoch").get<int64_t>();
  p.batch = j.at("batch").get<int64_t>();
  p.loss_sum = j.at("loss_sum").get<double>();
  p.correct = j.at("correct").get<int64_t>();
  p.seen = j.at("seen").get<int64_t>();
  p.seconds = j.at("seconds").get<double>();
  const json& ls = j.at("loader_state");
  p.loader_state.s = ls.at("s").get<std::array<uint64_t, 4>>();
  p.loader_state.has_spare = ls.at("has_spare").get<bool>();
  p.loader_state.spare = ls.at("spare").get<double>();
  for (const json& row : j.at("history")) {
    EpochMetrics m;
    m.epoch = row.at(0).get<int64_t>();
    m.train_loss = row.at(1).get<double>();
    m.train_acc = row.at(2).get<double>();
    m.valid_loss = row.at(3).get<double>();
    m.valid_acc = row.at(4).get<double>();
    m.seconds = row.at(5).get<double>();
    p.history.push_back(m);
  }
  p.best_valid_acc = j.at("best_valid_acc").get<double>();
  p.best_epoch = j.at("best_epoch").get<int64_t>();
  p.num_features = j.at("num_features").get<int64_t>();
  p.num_classes = j.at("num_classes").get<int64_t>();
  p.class_names = j.at("class_names").get<std::vector<std::string>>();
  p.threads = j.value("threads", int64_t{0});
  if (p.epoch < 0 || p.batch < 0 || p.num_features < 1 || p.num_classes < 1)
    throw std::invalid_argument("negative epoch/batch or empty model sizes");
  return p;
}

}  // namespace

void save_checkpoint(const std::string& path, const nn::Module& model,
                     const optim::Optimizer* optimizer, const TrainConfig& config,
                     const Progress& progress, const data::Standardizer& standardizer) {
  std::vector<std::pair<std::string, Tensor>> tensors = model.state_dict();
  json optimizer_scalars = json::object();
  if (optimizer) {
    auto state = optimizer->state_dict();
    for (auto& [name, t] : state.tensors)
      if (t.defined()) tensors.emplace_back(kOptimizerPrefix + name, t);
    for (auto& [name, v] : state.scalars) optimizer_scalars[name] = v;
  }
  if (standardizer.fitted()) {
    tensors.emplace_back("standardizer.mean", standardizer.mean());
    tensors.emplace_back("standardizer.scale", standardizer.scale());
  }
  std::map<std::string, std::string> metadata{{kConfigKey, to_json(config).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)},
                                              {kProgressKey, progress_json(progress).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)},
                                              {kOptimizerKey, optimizer_scalars.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}};
  io::save_safetensors(path, tensors, metadata);
}

Checkpoint load_checkpoint(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UsageError(path + ": no such checkpoint file");
  io::SafetensorsFile file;
  try {
    file = io::load_safetensors(path);
  } catch (const gf::Error& e) {
    throw UsageError(std::string("not a readable checkpoint: ") + e.what());
  }
  Checkpoint c;
  try {
    for (const char* key : {kConfigKey, kProgressKey, kOptimizerKey})
      if (!file.metadata.count(key))
        throw std::invalid_argument(std::string("metadata has no '") + key + "'");
    c.config = config_from_json(json::parse(file.metadata.at(kConfigKey)), path);
    c.progress = progress_from_json(json::parse(file.metadata.at(kProgressKey)));
    const json scalars = json::parse(file.metadata.at(kOptimizerKey));
    for (auto& [name, v] : scalars.items()) c.optimizer.scalars[name] = v.get<double>();
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError(path + ": not a gradflow training checkpoint: " + e.what());
  }
  Tensor mean, scale;
  const std::string prefix = kOptimizerPrefix;
  for (auto& [name, t] : file.tensors) {
    if (name.rfind(prefix, 0) == 0)
      c.optimizer.tensors.emplace_back(name.substr(prefix.size()), t);
    else if (name == "standardizer.mean")
      mean = t;
    else if (name == "standardizer.scale")
      scale = t;
    else
      c.model.emplace_back(name, t);
  }
  if (mean.defined() && scale.defined()) c.standardizer = data::Standardizer(mean, scale);
  return c;
}

void write_text_atomic(const std::string& path, const std::string& text) {
  io::write_file_atomic(path, text);
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
