// gf::train: the classifier loop of trainer.hpp.
#include "gradflow/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "gradflow/error.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/nn/functional.hpp"
#include "gradflow/nn/sharded_batch.hpp"

namespace gf::train {

// History rows as arrays; NaN (no validation) is JSON null.
void to_json(nlohmann::json& j, const EpochMetrics& m) {
  j = {m.epoch, m.train_loss, m.train_acc, m.valid_loss, m.valid_acc, m.seconds};
}
void from_json(const nlohmann::json& j, EpochMetrics& m) {
  auto num = [&](int i) { return j.at(i).is_null() ? std::nan("") : j.at(i).get<double>(); };
  m = {j.at(0).get<int64_t>(), num(1), num(2), num(3), num(4), num(5)};
}
// (epoch, batch and loader_state are the checkpoint's position and generator.)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Progress, loss_sum, correct, seen, seconds, history,
                                   best_valid_acc, best_epoch)

namespace {
// In fixed batches [start, end) of n rows, in order: rows(start, end) gives the model's input.
template <class Rows>
Evaluation evaluate_batches(nn::Module& model, const Tensor& y, int64_t n, int64_t num_classes,
                            int64_t batch_size, const Rows& rows) {
  NoGradGuard no_grad;
  // eval() mode (Dropout off, BatchNorm on its running statistics), restored on the way out
  struct EvalMode {
    nn::Module& m;
    bool was = m.is_training();
    explicit EvalMode(nn::Module& module) : m(module) { m.eval(); }
    ~EvalMode() { m.train(was); }
  } eval_mode(model);
  metrics::ConfusionCounter counter(num_classes);
  double loss_sum = 0;
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    Tensor yb = y.slice(0, start, end);
    Tensor logits = model.forward(rows(start, end));
    loss_sum += nn::functional::cross_entropy(logits, yb, nn::Reduction::Sum).item();
    counter.update(logits, yb);
  }
  return {n > 0 ? loss_sum / double(n) : 0.0, counter.accuracy(), counter.matrix()};
}
}  // namespace

Evaluation evaluate(nn::Module& model, const Tensor& X, const Tensor& y, int64_t num_classes,
                    int64_t batch_size) {
  return evaluate_batches(model, y, X.defined() ? X.size(0) : 0, num_classes, batch_size,
                          [&](int64_t start, int64_t end) { return X.slice(0, start, end); });
}

Evaluation evaluate(nn::Module& model, const data::TensorDataset& dataset, int64_t num_classes,
                    int64_t batch_size) {
  const Tensor& X = dataset.features();
  return evaluate_batches(model, dataset.labels(), dataset.size(), num_classes, batch_size,
                          [&](int64_t start, int64_t end) {
                            return dataset.transform_features(X.slice(0, start, end));
                          });
}

double step(nn::Module& model, optim::Optimizer& optimizer, const data::Batch& batch,
            metrics::ConfusionCounter& counter) {
  Tensor logits = model.forward(batch.data);
  Tensor loss = nn::functional::cross_entropy(logits, batch.target);
  const double value = loss.item();
  if (!std::isfinite(value)) return value;
  // Dropped, not zeroed: backward then hands each parameter its gradient buffer as .grad, where
  // zeroing writes every .grad and backward adds into it, two more passes over 0.94 MB for the
  // MLP (its step at 64 samples, 1 thread, 4 interleaved runs: 811-1001 µs zeroed, 723-849
  // dropped). data_parallel_step drops them too, so N = 1 and N = 2 take the same path.
  optimizer.zero_grad(/*set_to_none=*/true);
  loss.backward();
  optimizer.step();
  counter.update(logits.detach(), batch.target);
  return value;
}

double data_parallel_step(distributed::DataParallel& dp, optim::Optimizer& optimizer,
                          const data::Batch& batch, int64_t* correct) {
  const int64_t n = batch.data.size(0);
  const int world = distributed::world_size();
  const distributed::Shard s = distributed::shard(n);
  Tensor loss;
  // [sum of this shard's losses, its correct predictions], then summed over the ranks.
  Tensor sums = zeros({2}, DType::Float64);
  Tensor target;
  if (s.size() > 0) {
    Tensor x = batch.data.slice(0, s.begin, s.end);
    target = batch.target.slice(0, s.begin, s.end);
    Tensor logits;
    {
      // BatchNorm and Dropout see the global batch (nn/sharded_batch.hpp) when every rank has
      // rows. A global batch smaller than the world (a last batch) is trained per rank: the
      // ranks with rows normalize their shard and draw their own masks (their generators then
      // leave those of the ranks without rows, and N=1's).
      std::optional<nn::ShardedForward> global;
      if (n >= world)
        global.emplace(nn::ShardedBatch{n, s.begin, s.end, [](Tensor& t) {
                                          distributed::all_reduce(t, distributed::ReduceOp::Sum);
                                        }});
      logits = dp.module().forward(x);
    }
    loss = nn::functional::cross_entropy(logits, target);
    metrics::ConfusionCounter counter(logits.size(1));
    counter.update(logits.detach(), target);
    sums.data_ptr<double>()[0] = loss.item() * double(s.size());
    sums.data_ptr<double>()[1] = double(counter.correct());
  }
  // Summed without blocking, finished with the gradients: a blocking all-reduce here would
  // hold every rank until the slowest one's forward is done, once more per step.
  distributed::Work sums_work = distributed::all_reduce_async(sums, distributed::ReduceOp::Sum);
  optimizer.zero_grad(/*set_to_none=*/true);
  // The ranks' gradients are averaged: the shard's mean loss weighted by W·rows/n makes the
  // average the global batch's mean-loss gradient (the weight is 1 for equal shards).
  if (loss.defined()) {
    const double weight = double(world) * double(s.size()) / double(n);
    (weight == 1.0 ? loss : loss * weight).backward();
  }
  dp.sync_gradients();
  sums_work.wait();
  const double mean = sums.data_ptr<double>()[0] / double(n);
  // A non-finite loss on any rank: no step (every rank sees the same sum and stops alike).
  if (!std::isfinite(mean)) return mean;
  optimizer.step();
  *correct = static_cast<int64_t>(sums.data_ptr<double>()[1]);
  return mean;
}

EpochEnd Trainer::train_epoch(const std::function<bool()>& stop,
                              const std::function<void(int64_t)>& on_batch) {
  using Clock = std::chrono::steady_clock;
  Progress& p = progress;
  const auto& s = p.loader_state.s;  // all zeros (no xoshiro state is): a fresh run
  if (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0) p.loader_state = loader.generator_state();
  loader.set_generator_state(p.loader_state);
  loader.start_epoch();
  const Generator::State next_state = loader.generator_state();
  const int64_t batches = loader.size(), correct0 = p.correct;
  const double seconds0 = p.seconds;
  const auto started = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  metrics::ConfusionCounter counter(num_classes);
  int64_t correct_dp = 0;  // data parallel: the correct predictions of every rank
  auto stop_now = [&] {
    bool want = stop && stop();
    if (!data_parallel) return want;
    Tensor any = tensor({want ? 1.0 : 0.0}, DType::Float64);
    distributed::all_reduce(any, distributed::ReduceOp::Max);
    return any.item() != 0.0;
  };
  for (; p.batch < batches; ++p.batch) {
    if (stop_now()) {
      p.seconds = seconds0 + elapsed();
      return EpochEnd::Stopped;
    }
    const data::Batch batch = loader.batch(p.batch);
    int64_t batch_correct = 0;
    last_loss = data_parallel ? data_parallel_step(*data_parallel, optimizer, batch, &batch_correct)
                              : step(model, optimizer, batch, counter);
    if (!std::isfinite(last_loss)) return EpochEnd::NonFiniteLoss;
    correct_dp += batch_correct;
    p.loss_sum += last_loss * double(batch.data.size(0));
    p.correct = correct0 + (data_parallel ? correct_dp : counter.correct());
    p.seen += batch.data.size(0);
    if (on_batch) on_batch(batches);
  }
  const double seen = double(std::max<int64_t>(1, p.seen));
  EpochMetrics m{p.epoch + 1,  p.loss_sum / seen, double(p.correct) / seen,
                 std::nan(""), std::nan(""),      0};
  if (valid_X.defined() && valid_X.size(0) > 0) {
    Evaluation v =
        valid_transform
            ? evaluate(model, data::TensorDataset(valid_X, valid_y, valid_transform), num_classes)
            : evaluate(model, valid_X, valid_y, num_classes);
    m.valid_loss = v.loss, m.valid_acc = v.accuracy;
    if (v.accuracy > p.best_valid_acc) p.best_valid_acc = v.accuracy, p.best_epoch = m.epoch;
  }
  m.seconds = seconds0 + elapsed();
  p.history.push_back(m);
  p.epoch += 1;
  p.batch = p.correct = p.seen = 0;
  p.loss_sum = p.seconds = 0;
  p.loader_state = next_state;
  if (scheduler) scheduler->step();
  return EpochEnd::Finished;
}

io::Checkpoint Trainer::checkpoint() const {
  io::Checkpoint c;
  c.model = model.state_dict();
  auto os = optimizer.state_dict();
  c.optimizer_tensors = std::move(os.tensors);
  c.optimizer_scalars = std::move(os.scalars);
  if (scheduler) c.scheduler = scheduler->state_dict();
  c.position = {progress.epoch, progress.batch};
  c.generators["loader"] = progress.loader_state;
  c.metadata["train.progress"] =
      nlohmann::json(progress).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return c;
}

void Trainer::restore(const io::Checkpoint& c) {
  GF_CHECK(c.metadata.count("train.progress") && c.generators.count("loader"),
           "Trainer::restore: not a training checkpoint (no train.progress or loader generator)");
  try {
    progress = nlohmann::json::parse(c.metadata.at("train.progress")).get<Progress>();
  } catch (const nlohmann::json::exception& e) {
    GF_CHECK(false, "Trainer::restore: malformed train.progress: ", e.what());
  }
  progress.epoch = c.position.epoch;
  progress.batch = c.position.batch;
  progress.loader_state = c.generators.at("loader");
  model.load_state_dict(c.model);
  optimizer.load_state_dict({c.optimizer_tensors, c.optimizer_scalars});
  if (scheduler) scheduler->load_state_dict(c.scheduler);
  loader.set_generator_state(progress.loader_state);
}

}  // namespace gf::train
