// Training checkpoints that resume exactly: the model's state dict, the optimizer's state (moments,
// step counts, lrs), the lr scheduler's state, where training stands (epoch, batch) and the state
// of every generator that decides a random choice (the data loader's shuffling, the default
// generator behind dropout), plus the caller's own tensors and metadata. One safetensors file,
// written atomically (temp file, fsync, rename): a crash at any moment leaves the previous
// complete checkpoint or the new one.
//
//   gf::io::Checkpoint ck;
//   ck.model = model.state_dict();
//   auto os = optimizer.state_dict();
//   ck.optimizer_tensors = os.tensors, ck.optimizer_scalars = os.scalars;
//   ck.scheduler = scheduler.state_dict();
//   ck.position = {epoch, batch};
//   ck.generators["loader"] = loader.generator_state();
//   gf::io::save_checkpoint("run/last.safetensors", ck);
//
//   gf::io::Checkpoint ck = gf::io::load_checkpoint("run/last.safetensors");
//   model.load_state_dict(ck.model);
//   optimizer.load_state_dict({ck.optimizer_tensors, ck.optimizer_scalars});
//   scheduler.load_state_dict(ck.scheduler);
//   loader.set_generator_state(ck.generators.at("loader"));
//
// With the same thread count (reductions and GEMM partition work by threads), a run resumed from
// a checkpoint taken at a batch boundary computes the same bits as one that never stopped
// (examples/resume_training.cpp kills itself with SIGKILL and checks this).
//
// File layout (readable from Python's safetensors; the model's tensors keep their own names, so
// torch's load_state_dict takes them as they are):
//   tensors   "<model key>", "optimizer.<key>", "generator.<name>" (io::encode_generator_state),
//             "extra.<name>"
//   metadata  "checkpoint.version" (kCheckpointVersion), "checkpoint.position" {"epoch","batch"},
//             "checkpoint.optimizer" / "checkpoint.scheduler" (JSON objects of scalars), and the
//             caller's own entries (any key not starting with "checkpoint.")
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gradflow/generator.hpp"
#include "gradflow/tensor.hpp"

namespace gf::io {

// Version 2: the first library checkpoint (gradflow train's version-1 files used a closed-form
// cosine lr; its lrs differ in the last bits from CosineAnnealingLR's recursive ones).
inline constexpr int64_t kCheckpointVersion = 2;

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Where training stands. batch == 0: at the start of `epoch` (== epochs finished).
struct TrainingPosition {
  int64_t epoch = 0;
  int64_t batch = 0;
};

struct Checkpoint {
  NamedTensors model;                               // nn::Module::state_dict()
  NamedTensors optimizer_tensors;                   // optim::OptimizerStateDict::tensors
  std::map<std::string, double> optimizer_scalars;  // optim::OptimizerStateDict::scalars
  std::map<std::string, double> scheduler;          // optim::LRScheduler::state_dict()
  TrainingPosition position;
  std::map<std::string, Generator::State> generators;  // e.g. "loader", "default"
  NamedTensors extra;                           // the caller's tensors (e.g. a scaler's mean)
  std::map<std::string, std::string> metadata;  // the caller's strings (e.g. JSON config)
};

// Throws gf::Error naming the path: a model key starting with "optimizer.", "generator." or
// "extra.", a metadata key starting with "checkpoint.", a negative position, or a failed write
// (the previous file is then left untouched).
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Throws gf::Error naming the path: not a safetensors file, not a checkpoint (no
// "checkpoint.version"), a newer or older version, or malformed sections.
Checkpoint load_checkpoint(const std::string& path);

// True when the file is a safetensors file with a "checkpoint.version" entry (any version).
bool is_checkpoint(const std::string& path);

}  // namespace gf::io
