// The settings of one `gradflow train` run. Everything that decides the numbers a run produces is
// here and is saved (as JSON) in every checkpoint, so `--resume` and `eval` rebuild exactly the
// same model, data split and optimizer; flags that only decide how fast or where (threads, out)
// are not part of it.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <gradflow/dtype.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gf::cli {

struct TrainConfig {
  std::string data;           // fashion-mnist | idx:DIR | csv:FILE | synthetic
  std::string model = "mlp";  // softmax | mlp
  std::vector<int64_t> hidden{256, 128};
  int64_t epochs = 10;
  int64_t batch_size = 128;
  double lr = 1e-3;
  std::string optimizer = "adam";  // sgd | adam | adamw
  double momentum = 0.9;           // sgd only
  double weight_decay = 0.0;
  std::string schedule = "cosine";  // cosine | none  (per epoch)
  uint64_t seed = 0;
  std::string dtype = "float32";  // float32 | float64
  double valid_fraction = 0.1;

  DType tensor_dtype() const { return dtype == "float64" ? DType::Float64 : DType::Float32; }
  // The learning rate used during epoch `epoch` (0-based): the schedule applied to lr.
  double lr_at(int64_t epoch) const;
};

nlohmann::json to_json(const TrainConfig& c);
TrainConfig config_from_json(const nlohmann::json& j, const std::string& source);

// The train flags, bound to a config (defaults are the default recipe).
struct TrainFlags {
  TrainConfig config;
  std::string hidden_text = "256,128";
  int threads = 0;  // 0: all cores
  std::string out = "runs/train";
  bool resume = false;
  bool no_plots = false;
  bool force = false;                        // start over in an --out that already holds a run
  std::vector<CLI::Option*> recipe_options;  // flags that must agree with a resumed checkpoint
  CLI::Option* epochs_option = nullptr;
  CLI::Option* lr_option = nullptr;
  CLI::Option* weight_decay_option = nullptr;
};
void add_train_flags(CLI::App& cmd, TrainFlags& flags);

// Checks and completes the parsed flags (hidden sizes, per-optimizer defaults); UsageError on
// bad values.
void finish_flags(TrainFlags& flags);

// On --resume: the checkpoint's config wins; explicitly given flags must agree with it (except
// --epochs, which may extend the run). UsageError names the flag and both values.
TrainConfig merge_resume_config(const TrainFlags& flags, const TrainConfig& saved,
                                const std::string& checkpoint);

// The default --data: fashion-mnist when Debian's dataset-fashion-mnist is installed, else
// synthetic.
std::string default_data_spec();

}  // namespace gf::cli
