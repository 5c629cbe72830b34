// A classifier's training loop with exact resume, for any program (the `gradflow train` command
// is flags, printing and signals around it):
//
//   gf::train::Trainer t{model, optimizer, &scheduler, loader, num_classes, X_valid, y_valid};
//   if (resuming) t.restore(gf::io::load_checkpoint(path));
//   while (t.progress.epoch < epochs) {
//     if (t.train_epoch(stop_requested) != gf::train::EpochEnd::Finished) break;
//     gf::io::save_checkpoint(path, t.checkpoint());
//   }
//
// Per batch: step() (forward, cross_entropy, zero_grad, backward, step) and running sums. An epoch
// draws its order from the loader's generator as it was at the epoch's start (kept in
// progress.loader_state), so stopping before any batch and resuming from checkpoint() computes
// the same bits as never stopping (with the same thread count). At an epoch's end: validation
// (when a validation set is given), the history row, the best epoch, one scheduler step.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "gradflow/data/dataset.hpp"
#include "gradflow/distributed/distributed.hpp"
#include "gradflow/generator.hpp"
#include "gradflow/io/checkpoint.hpp"
#include "gradflow/metrics.hpp"
#include "gradflow/nn/module.hpp"
#include "gradflow/optim/lr_scheduler.hpp"
#include "gradflow/optim/optimizer.hpp"

namespace gf::train {

struct EpochMetrics {
  int64_t epoch = 0;  // 1-based
  double train_loss = 0, train_acc = 0;
  double valid_loss = 0, valid_acc = 0;  // NaN without a validation set
  double seconds = 0;
};

// Where training stands, beyond the model, optimizer and scheduler.
struct Progress {
  int64_t epoch = 0;    // 0-based epoch in progress (== epochs done when batch == 0)
  int64_t batch = 0;    // next batch of that epoch
  double loss_sum = 0;  // running sums of the epoch in progress
  int64_t correct = 0, seen = 0;
  double seconds = 0;
  Generator::State loader_state{};  // the loader's generator at the epoch's start (all zeros:
                                    // take the loader's current state)
  std::vector<EpochMetrics> history;
  double best_valid_acc = -1;
  int64_t best_epoch = 0;  // 0: none yet
};

struct Evaluation {
  double loss = 0;      // mean cross-entropy
  double accuracy = 0;  // fraction
  Tensor confusion;     // Int64 [C, C] (rows: true class)
};
// In fixed batches, in order, sums in double (so the same model gives the same numbers).
Evaluation evaluate(nn::Module& model, const Tensor& X, const Tensor& y, int64_t num_classes,
                    int64_t batch_size = 1024);
// The same over a data set: each batch of its features goes through its transform first (UInt8
// images converted per batch give the numbers of evaluating the converted set).
Evaluation evaluate(nn::Module& model, const data::TensorDataset& dataset, int64_t num_classes,
                    int64_t batch_size = 1024);

// forward, cross_entropy and, when the loss is finite, zero_grad, backward, step; the batch's
// predictions go into `counter`. Returns the batch's mean loss.
double step(nn::Module& model, optim::Optimizer& optimizer, const data::Batch& batch,
            metrics::ConfusionCounter& counter);

// The same step as one of W data-parallel ranks (gf::distributed): `batch` is the global batch,
// this rank forwards its shard (distributed::shard), the loss's gradient is scaled so that the
// averaged gradients are the global batch's mean-loss gradient, and dp.sync_gradients() runs
// before the step. The loss sum and correct count are summed over the ranks without blocking
// (the all-reduce starts after the forward and is waited for with the gradients), and a
// non-finite loss skips the step on every rank. Returns the global batch's mean loss; its
// correct predictions (all ranks) go into *correct.
double data_parallel_step(distributed::DataParallel& dp, optim::Optimizer& optimizer,
                          const data::Batch& batch, int64_t* correct);

enum class EpochEnd {
  Finished,       // the epoch is done (progress.epoch advanced)
  Stopped,        // stop() returned true before progress.batch
  NonFiniteLoss,  // progress.batch's loss was NaN/inf; nothing was stepped for it
};

struct Trainer {
  nn::Module& model;
  optim::Optimizer& optimizer;
  optim::LRScheduler* scheduler;  // may be null
  data::DataLoader& loader;
  int64_t num_classes;
  Tensor valid_X, valid_y;  // undefined or empty: no validation
  Progress progress{};
  double last_loss = 0;  // of the last batch trained (or the non-finite one)
  // Set: this is one rank of a data-parallel run; the loader's batches are global batches (the
  // same order on every rank), each trained by data_parallel_step, and stop() is asked of every
  // rank (any rank's true stops all of them at the same batch).
  distributed::DataParallel* data_parallel = nullptr;
  // Applied to the validation rows before the model (as the loader's dataset transforms the
  // training rows); empty: valid_X is the model's input.
  data::Transform valid_transform{};

  // Trains the rest of the epoch in progress; asks stop() before each batch and reports each
  // batch done to on_batch(batches in the epoch).
  EpochEnd train_epoch(const std::function<bool()>& stop = {},
                       const std::function<void(int64_t batches)>& on_batch = {});
  const EpochMetrics& last_epoch() const { return progress.history.back(); }
  bool last_epoch_is_best() const { return progress.best_epoch == progress.epoch; }

  // Model, optimizer, scheduler, position, the loader's generator and the progress
  // ("train.progress" metadata); restore() puts them back (the loader's generator included).
  io::Checkpoint checkpoint() const;
  void restore(const io::Checkpoint& checkpoint);
};

}  // namespace gf::train
