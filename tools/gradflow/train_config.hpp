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
  std::string data;  // fashion-mnist | idx:DIR | csv:FILE | synthetic
  std::string csv_delimiter = ",";
  int64_t csv_label_column = -1;   // 0-based; negative counts from the end
  bool csv_string_labels = false;  // labels are names (sorted into class ids 0..C-1)
  std::string model = "mlp";       // a name in models() (training.hpp)
  std::vector<int64_t> hidden{256, 128};
  int64_t epochs = 10;
  int64_t batch_size = 128;
  double lr = 1e-3;
  std::string optimizer = "adam";  // sgd | adam | adamw
  double momentum = 0.9;           // sgd only
  double weight_decay = 0.0;
  std::string schedule = "cosine";  // cosine (CosineAnnealingLR, T_max = epochs) | none
  uint64_t seed = 0;
  std::string dtype = "float32";  // float32 | float64
  double valid_fraction = 0.1;    // 0: no validation set, train on all of the training part

  DType tensor_dtype() const { return dtype == "float64" ? DType::Float64 : DType::Float32; }
};

// JSON of the config. A --data path that is not valid UTF-8 is kept byte for byte ("data_bytes").
nlohmann::json to_json(const TrainConfig& c);
TrainConfig config_from_json(const nlohmann::json& j, const std::string& source);
std::string dump_json(const nlohmann::json& j, int indent = -1);

// The train flags, bound to a config (defaults are the default recipe).
struct TrainFlags {
  TrainConfig config;
  std::string hidden_text = "256,128";
  int threads = 0;  // 0: all cores
  std::string out = "runs/train";
  bool resume = false, no_plots = false;
  bool force = false;                        // start over in an --out that already holds a run
  std::vector<CLI::Option*> recipe_options;  // flags that must agree with a resumed checkpoint
  CLI::Option *epochs_option = nullptr, *lr_option = nullptr, *weight_decay_option = nullptr,
              *hidden_option = nullptr, *momentum_option = nullptr;
};
void add_train_flags(CLI::App& cmd, TrainFlags& flags);
// The --csv-* flags (train and eval share them).
void add_csv_flags(CLI::App& cmd, TrainConfig& c, std::vector<CLI::Option*>* recipe = nullptr);

// Checks and completes the parsed flags (hidden sizes, per-optimizer defaults, flags that do not
// apply to the chosen model or optimizer); UsageError on bad values.
void finish_flags(TrainFlags& flags);

// On --resume: the checkpoint's config wins; explicitly given flags must agree with it (except
// --epochs, which may extend the run). UsageError names the flag and both values.
TrainConfig merge_resume_config(const TrainFlags& flags, const TrainConfig& saved,
                                const std::string& checkpoint);

// The default --data: fashion-mnist when Debian's dataset-fashion-mnist is installed, else
// synthetic.
std::string default_data_spec();

}  // namespace gf::cli
