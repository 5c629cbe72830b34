// The files of a run folder (runs/NAME) and how they stay consistent when the process is killed
// at any moment:
//   last.safetensors  model + optimizer + schedule + position + generators (gf::io::Checkpoint),
//                     written at every epoch end, and at a batch boundary on SIGINT/SIGTERM
//   best.safetensors  the same at the epoch with the best validation accuracy
//   metrics.csv       epoch,train_loss,train_acc,valid_loss,valid_acc,seconds
//   config.json       the training config (also inside every checkpoint)
//   confusion.csv, curves.png, confusion.png   at the end
// Every file is written atomically (temp file, fsync, rename). The metrics history also lives in
// the checkpoint, and metrics.csv is rewritten from it, so a run killed between two writes
// resumes from last.safetensors with a metrics.csv that agrees with it. Order at an epoch end:
// best, then last, then metrics.csv — a kill after `best` but before `last` re-runs that epoch,
// which rewrites the same bits.
//
// The checkpoint's own metadata: "gradflow_config" (TrainConfig JSON) and "gradflow_progress"
// (Progress JSON); its extra tensors: "standardizer.mean"/"standardizer.scale" (csv/synthetic).
#pragma once
#include <cstdint>
#include <gradflow/data/preprocessing.hpp>
#include <gradflow/generator.hpp>
#include <gradflow/io/checkpoint.hpp>
#include <gradflow/nn/module.hpp>
#include <gradflow/optim/lr_scheduler.hpp>
#include <gradflow/optim/optimizer.hpp>
#include <string>
#include <vector>

#include "train_config.hpp"

namespace gf::cli {

struct EpochMetrics {
  int64_t epoch = 0;  // 1-based
  double train_loss = 0, train_acc = 0, valid_loss = 0, valid_acc = 0, seconds = 0;
};

// Where training stands: enough to continue bit for bit.
struct Progress {
  int64_t epoch = 0;  // 0-based epoch in progress (== epochs done when batch == 0)
  int64_t batch = 0;  // next batch of that epoch (0: at the epoch boundary)
  // Running sums of the epoch in progress (mid-epoch stops only).
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  double seconds = 0;  // time spent in the epoch in progress
  // The loader's shuffling generator at the start of the epoch in progress.
  Generator::State loader_state{};
  std::vector<EpochMetrics> history;
  double best_valid_acc = -1;
  int64_t best_epoch = 0;
  int64_t num_features = 0, num_classes = 0;
  std::vector<std::string> class_names;
  // Threads of the run so far: reductions and GEMM partition work by thread count, so only a
  // resume with the same count is bitwise equal to an uninterrupted run.
  int64_t threads = 0;
};

struct RunCheckpoint {
  TrainConfig config;
  Progress progress;
  io::Checkpoint state;  // model, optimizer and scheduler sections
  data::Standardizer standardizer;
};

void save_checkpoint(const std::string& path, const nn::Module& model,
                     const optim::Optimizer& optimizer, const optim::LRScheduler* scheduler,
                     const TrainConfig& config, const Progress& progress,
                     const data::Standardizer& standardizer);
// Throws UsageError naming the file when it is missing or not a gradflow training checkpoint.
RunCheckpoint load_checkpoint(const std::string& path);

void write_metrics_csv(const std::string& path, const std::vector<EpochMetrics>& history);

}  // namespace gf::cli
