#include <cstdio>
#include <filesystem>
#include <gradflow/io/atomic_file.hpp>

#include "command.hpp"
#include "training.hpp"

namespace gf::cli {

// (ranks is 0 when absent: checkpoints written before data-parallel runs have none.)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunInfo, num_features, num_classes, class_names,
                                                threads, ranks)

void save_checkpoint(const std::string& path, const train::Trainer& trainer,
                     const TrainConfig& config, const RunInfo& info,
                     const data::Standardizer& standardizer) {
  io::Checkpoint c = trainer.checkpoint();
  if (standardizer.fitted())
    c.extra = {{"standardizer.mean", standardizer.mean()},
               {"standardizer.scale", standardizer.scale()}};
  c.metadata["gradflow_config"] = dump_json(to_json(config));
  c.metadata["gradflow_run"] = dump_json(nlohmann::json(info));
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
    r.config =
        config_from_json(nlohmann::json::parse(r.state.metadata.at("gradflow_config")), path);
    r.info = nlohmann::json::parse(r.state.metadata.at("gradflow_run")).get<RunInfo>();
    if (r.info.num_features < 1 || r.info.num_classes < 1 ||
        r.info.class_names.size() != size_t(r.info.num_classes))
      throw std::invalid_argument("bad model sizes or class names");
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

void write_metrics_csv(const std::string& path, const std::vector<train::EpochMetrics>& history) {
  std::string text = "epoch,train_loss,train_acc,valid_loss,valid_acc,seconds\n";
  char line[256];
  for (const auto& m : history) {
    // 9 significant digits: resumed and uninterrupted runs (bitwise equal) give equal text.
    std::snprintf(line, sizeof line, "%lld,%.9g,%.9g,%.9g,%.9g,%.3f\n", (long long)m.epoch,
                  m.train_loss, m.train_acc, m.valid_loss, m.valid_acc, m.seconds);
    text += line;
  }
  io::write_file_atomic(path, text);
}

}  // namespace gf::cli
