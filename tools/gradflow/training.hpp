// What the commands share. TrainConfig: the settings of one `gradflow train` run — everything
// that decides its numbers, saved (as JSON) in every checkpoint so that --resume and eval rebuild
// the same model, data split and optimizer (threads and out only decide how fast and where).
// Then the data, model, optimizer and schedule a config describes (the models are
// gf::train::models(), one entry each), and the run folder.
//
// The files of a run folder (runs/NAME) and how they stay consistent when the process is killed
// at any moment:
//   last.safetensors  the gf::train::Trainer checkpoint, at every epoch end and at the batch
//                     where SIGINT/SIGTERM stopped the run
//   best.safetensors  the same at the epoch with the best validation accuracy
//   metrics.csv       epoch,train_loss,train_acc,valid_loss,valid_acc,seconds
//   config.json, confusion.csv, curves.png, confusion.png
// Every file is written atomically; the history also lives in the checkpoint and metrics.csv is
// rewritten from it, so a run killed between two writes resumes with files that agree. At an
// epoch end: best, then last, then metrics.csv (a kill after best re-runs the epoch, same bits).
// Besides the trainer's sections a checkpoint holds "gradflow_config" (TrainConfig JSON),
// "gradflow_run" (RunInfo JSON) and, for csv/synthetic data, "standardizer.mean"/".scale".
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <gradflow/data/classification.hpp>
#include <gradflow/train/recipe.hpp>
#include <gradflow/train/trainer.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gf::cli {

struct RunInfo;

struct TrainConfig {
  std::string data;  // fashion-mnist | idx:DIR | csv:FILE | synthetic
  std::string csv_delimiter = ",";
  int64_t csv_label_column = -1;   // 0-based; negative counts from the end
  bool csv_string_labels = false;  // labels are names (sorted into class ids 0..C-1)
  std::string model = "mlp";       // a name in gf::train::models()
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

// The train flags, bound to a config.
struct TrainFlags {
  TrainConfig config;
  std::string hidden_text = "256,128";
  int threads = 0;  // 0: all cores
  std::string out = "runs/train";
  bool resume = false, no_plots = false;
  bool force = false;       // start over in an --out that already holds a run
  double bucket_mb = 0.25;  // data parallel: gradient bucket size (torch's bucket_cap_mb)
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

std::string default_data_spec();  // fashion-mnist when installed, else synthetic

using Split = data::LabeledSplit;
using DataSets = data::ClassificationData;
// The config's data (data::load_classification; warnings go to stderr). Images stay UInt8:
// every use of X goes through d.transform (the loader's TensorDataset, the trainer's
// valid_transform, evaluate over a TensorDataset). For a checkpoint's model: its
// standardization, and the data must have its features and classes.
DataSets load_datasets(const TrainConfig& config, const RunInfo* model = nullptr,
                       const data::Standardizer* fitted = nullptr);

// --model: its registry entry (UsageError listing the names); model_list() for CLI11's check.
const train::ModelEntry& find_model(const std::string& name);
std::vector<std::string> model_list();
using train::model_names;
// The model a config describes, its parameters drawn after seeding with config.seed. UsageError
// when training it would not fit in this machine's memory.
std::shared_ptr<nn::Module> build_model(const TrainConfig& config, int64_t features,
                                        int64_t classes);
// The per-sample shape the config's model wants ({F} or {1, H, W}) and a split viewed in it.
Shape input_shape(const TrainConfig& config, int64_t features);
Split as_model_input(const Split& s, const Shape& sample_shape);

// ---- the run folder ----
struct RunInfo {
  int64_t num_features = 0, num_classes = 0;
  std::vector<std::string> class_names;
  // Reductions and GEMM partition work by thread count: only a resume with the same count is
  // bitwise equal to an uninterrupted run.
  int64_t threads = 0;
  // Data-parallel ranks (mpirun -np N; 1 without mpirun): the shards, and so the sums, depend
  // on it the same way, so --resume refuses another N. 0: not recorded (a checkpoint written
  // before the field existed), resumed at any N.
  int64_t ranks = 0;
};

struct RunCheckpoint {
  TrainConfig config;
  RunInfo info;
  io::Checkpoint state;  // the trainer's sections
  data::Standardizer standardizer;
};

void save_checkpoint(const std::string& path, const train::Trainer& trainer,
                     const TrainConfig& config, const RunInfo& info,
                     const data::Standardizer& standardizer);
// UsageError naming the file when it is missing or not a gradflow training checkpoint.
RunCheckpoint load_checkpoint(const std::string& path);

// ---- data-parallel runs (mpirun -np N gradflow train) ----
// Every rank must train the same thing: the hashes of the config and of the data are compared
// with rank 0's, and a rank that differs is named (UsageError on rank 0, every rank stops).
// Nothing in a world of 1.
void check_same_run_on_every_rank(const TrainConfig& config, const DataSets& data);

void write_metrics_csv(const std::string& path, const std::vector<train::EpochMetrics>& history);

}  // namespace gf::cli
