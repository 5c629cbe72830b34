// Exact resume with gf::io::Checkpoint: a training program that is killed with SIGKILL in the
// middle of a run and started again ends with the same weights, bit for bit, as a run that was
// never interrupted.
//
//   resume_training                 the demonstration (and the ctest test): runs the three below
//   resume_training --run DIR       trains into DIR, resuming from DIR/last.safetensors if present
//
// The demonstration: (1) an uninterrupted run into ref/; (2) a run into killed/ that receives
// SIGKILL once a few checkpoints exist; (3) the same command again, which resumes from the last
// checkpoint and finishes. Then it compares killed/final.safetensors with ref/final.safetensors.
//
// What the checkpoint must hold for that: every random choice comes from a generator whose state
// is saved (the loader's shuffling generator as it was at the start of the epoch in progress, the
// default generator behind Dropout), the model's weights, Adam's moments and step counts, the
// cosine schedule, and the position (epoch, batch). One thread: reductions partition their work
// by thread count, so only the same count reproduces the same bits.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <gradflow/data/dataset.hpp>
#include <gradflow/data/synthetic.hpp>
#include <gradflow/io/checkpoint.hpp>
#include <gradflow/nn/activation.hpp>
#include <gradflow/nn/container.hpp>
#include <gradflow/nn/dropout.hpp>
#include <gradflow/nn/functional.hpp>
#include <gradflow/nn/linear.hpp>
#include <gradflow/optim/adam.hpp>
#include <gradflow/optim/lr_scheduler.hpp>
#include <string>
#include <thread>

#include "check.hpp"

namespace fs = std::filesystem;
using namespace gf;

constexpr int64_t kEpochs = 6;
constexpr int64_t kCheckpointEvery = 10;  // batches

// Trains into dir: resumes from dir/last.safetensors when it exists.
void train(const fs::path& dir) {
  set_num_threads(1);
  data::MakeClassificationOptions o;
  o.n_samples = 4000;
  o.n_features = 20;
  o.n_informative = 8;
  o.n_classes = 4;
  o.random_state = 7;
  auto d = data::make_classification(o);
  data::DataLoader loader(data::TensorDataset(d.X, d.y),
                          {.batch_size = 32, .shuffle = true, .seed = 1});
  manual_seed(0);
  nn::Sequential model(nn::Linear(20, 256), nn::ReLU(), nn::Dropout(0.2), nn::Linear(256, 256),
                       nn::ReLU(), nn::Linear(256, 4));
  optim::Adam optimizer(model.parameters(), optim::AdamOptions(1e-3));
  optim::CosineAnnealingLR scheduler(optimizer, kEpochs);

  io::TrainingPosition at;
  Generator::State epoch_start = loader.generator_state();
  const std::string last = (dir / "last.safetensors").string();
  if (fs::exists(last)) {
    io::Checkpoint c = io::load_checkpoint(last);
    model.load_state_dict(c.model);
    optimizer.load_state_dict({c.optimizer_tensors, c.optimizer_scalars});
    scheduler.load_state_dict(c.scheduler);
    default_generator().set_state(c.generators.at("default"));
    epoch_start = c.generators.at("loader");
    at = c.position;
    std::cout << "resuming at epoch " << at.epoch << ", batch " << at.batch << "\n";
  }
  auto save = [&](int64_t epoch, int64_t batch) {
    io::Checkpoint c;
    c.model = model.state_dict();
    auto os = optimizer.state_dict();
    c.optimizer_tensors = os.tensors;
    c.optimizer_scalars = os.scalars;
    c.scheduler = scheduler.state_dict();
    c.position = {epoch, batch};
    c.generators = {{"loader", epoch_start}, {"default", default_generator().state()}};
    io::save_checkpoint(last, c);  // atomic: a kill leaves the previous or the new file
  };
  for (int64_t epoch = at.epoch; epoch < kEpochs; ++epoch) {
    loader.set_generator_state(epoch_start);
    loader.start_epoch();  // this epoch's order
    for (int64_t b = epoch == at.epoch ? at.batch : 0; b < loader.size(); ++b) {
      if (b % kCheckpointEvery == 0) save(epoch, b);
      data::Batch batch = loader.batch(b);
      Tensor loss = nn::functional::cross_entropy(model.forward(batch.data), batch.target);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
    scheduler.step();
    epoch_start = loader.generator_state();  // the next epoch starts from here
  }
  io::save_safetensors((dir / "final.safetensors").string(), model.state_dict());
}

// Runs this program with --run dir; when kill_after_checkpoints > 0, sends SIGKILL once that many
// checkpoint writes have happened (watched through the file's modification time). Returns true
// if the child was killed.
bool run_child(const char* self, const fs::path& dir, int kill_after_checkpoints) {
  std::cout.flush();
  pid_t pid = fork();
  if (pid == 0) {
    execl(self, self, "--run", dir.c_str(), nullptr);
    _exit(127);
  }
  const fs::path last = dir / "last.safetensors";
  int seen = 0;
  fs::file_time_type previous{};
  int status = 0;
  while (kill_after_checkpoints > 0 && waitpid(pid, &status, WNOHANG) == 0) {
    std::error_code ec;
    auto t = fs::last_write_time(last, ec);
    if (!ec && t != previous) previous = t, ++seen;
    if (seen >= kill_after_checkpoints) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  if (kill_after_checkpoints == 0) waitpid(pid, &status, 0);
  examples::check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "run into " + dir.string() + " finished");
  return false;
}

std::string bytes_of(const Tensor& t) {
  const auto* p = static_cast<const char*>(t.impl().storage->data);
  return std::string(p, t.numel() * element_size(t.dtype()));
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--run") {
    fs::create_directories(argv[2]);
    train(argv[2]);
    return 0;
  }
  const fs::path root = fs::path("resume_training_" + std::to_string(getpid()));
  fs::remove_all(root);
  std::cout << "uninterrupted run:\n";
  run_child(argv[0], root / "ref", 0);
  std::cout << "a run killed with SIGKILL after 8 checkpoints, then started again:\n";
  fs::create_directories(root / "killed");
  const bool killed = run_child(argv[0], root / "killed", 8);
  examples::check(killed, "the run was killed before it finished");
  examples::check(!fs::exists(root / "killed" / "final.safetensors"), "it wrote no final weights");
  run_child(argv[0], root / "killed", 0);
  auto ref = io::load_safetensors((root / "ref" / "final.safetensors").string());
  auto got = io::load_safetensors((root / "killed" / "final.safetensors").string());
  bool same = ref.tensors.size() == got.tensors.size() && !ref.tensors.empty();
  for (std::size_t i = 0; same && i < ref.tensors.size(); ++i)
    same = ref.tensors[i].first == got.tensors[i].first &&
           bytes_of(ref.tensors[i].second) == bytes_of(got.tensors[i].second);
  examples::check(same, "the resumed run's weights equal the uninterrupted run's, bit for bit");
  fs::remove_all(root);
  return examples::finish();
}
