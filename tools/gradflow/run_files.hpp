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
#include <gradflow/train/trainer.hpp>

#include "training.hpp"

namespace gf::cli {

struct RunInfo {
  int64_t num_features = 0, num_classes = 0;
  std::vector<std::string> class_names;
  // Reductions and GEMM partition work by thread count: only a resume with the same count is
  // bitwise equal to an uninterrupted run.
  int64_t threads = 0;
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

void write_metrics_csv(const std::string& path, const std::vector<train::EpochMetrics>& history);

}  // namespace gf::cli
