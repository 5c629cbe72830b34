// gf::train::Trainer: a run stopped before any batch, checkpointed to a file and continued by
// fresh objects ends with the same bits as one that never stopped; a non-finite loss stops the
// epoch without stepping; evaluate() counts what it should.
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/data/synthetic.hpp>
#include <gradflow/factories.hpp>
#include <gradflow/nn/activation.hpp>
#include <gradflow/nn/container.hpp>
#include <gradflow/nn/dropout.hpp>
#include <gradflow/nn/linear.hpp>
#include <gradflow/optim/adam.hpp>
#include <gradflow/train/trainer.hpp>

#include "support/files.hpp"

using namespace gf;

namespace {

std::string bytes_of(const Tensor& t) {
  const auto* p = static_cast<const char*>(t.impl().storage->data) +
                  t.storage_offset() * element_size(t.dtype());
  return std::string(p, t.numel() * element_size(t.dtype()));
}

// A small run: 600 samples, batch 32 (19 batches an epoch), 3 epochs, Adam + cosine.
struct SmallRun {
  data::LabeledData d = data::make_classification(
      {.n_samples = 600, .n_features = 6, .n_informative = 4, .n_classes = 3, .random_state = 1});
  nn::Sequential model;
  std::unique_ptr<optim::Adam> opt;
  std::unique_ptr<optim::CosineAnnealingLR> sched;
  data::DataLoader loader{data::TensorDataset(d.X.slice(0, 0, 500), d.y.slice(0, 0, 500)),
                          {32, true, false, 9}};
  std::unique_ptr<train::Trainer> t;
  SmallRun() {
    manual_seed(4);
    model = nn::Sequential(nn::Linear(6, 16), nn::ReLU(), nn::Linear(16, 3));
    opt = std::make_unique<optim::Adam>(model.parameters(), optim::AdamOptions(0.01));
    sched = std::make_unique<optim::CosineAnnealingLR>(*opt, 3);
    t.reset(new train::Trainer{model, *opt, sched.get(), loader, 3, d.X.slice(0, 500, 600),
                               d.y.slice(0, 500, 600)});
  }
};

}  // namespace

TEST(Trainer, StoppedCheckpointedAndRestoredEqualsUninterrupted) {
  set_num_threads(1);
  SmallRun ref;
  while (ref.t->progress.epoch < 3) ASSERT_EQ(ref.t->train_epoch(), train::EpochEnd::Finished);

  const std::string path = gf::test::scratch_dir() + "/ck.safetensors";
  {
    SmallRun a;
    ASSERT_EQ(a.t->train_epoch(), train::EpochEnd::Finished);
    int calls = 0;  // stop before batch 7 of epoch 2
    ASSERT_EQ(a.t->train_epoch([&] { return calls++ == 7; }), train::EpochEnd::Stopped);
    EXPECT_EQ(a.t->progress.epoch, 1);
    EXPECT_EQ(a.t->progress.batch, 7);
    io::save_checkpoint(path, a.t->checkpoint());
  }
  SmallRun b;  // fresh objects, other initial weights would come from the same seed: overwrite them
  b.t->restore(io::load_checkpoint(path));
  EXPECT_EQ(b.t->progress.batch, 7);
  while (b.t->progress.epoch < 3) ASSERT_EQ(b.t->train_epoch(), train::EpochEnd::Finished);
  auto want = ref.model.state_dict(), got = b.model.state_dict();
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(bytes_of(want[i].second), bytes_of(got[i].second)) << want[i].first;
  ASSERT_EQ(b.t->progress.history.size(), 3u);
  for (size_t e = 0; e < 3; ++e) {
    EXPECT_EQ(b.t->progress.history[e].train_loss, ref.t->progress.history[e].train_loss);
    EXPECT_EQ(b.t->progress.history[e].valid_acc, ref.t->progress.history[e].valid_acc);
  }
  EXPECT_EQ(b.t->progress.best_epoch, ref.t->progress.best_epoch);
  EXPECT_EQ(b.sched->get_last_lr(), ref.sched->get_last_lr());
}

TEST(Trainer, NonFiniteLossStopsWithoutStepping) {
  SmallRun r;
  for (auto& p : r.model.parameters()) p.detach().fill_(NAN);
  ASSERT_EQ(r.t->train_epoch(), train::EpochEnd::NonFiniteLoss);
  EXPECT_EQ(r.t->progress.batch, 0);
  EXPECT_TRUE(std::isnan(r.t->last_loss));
  EXPECT_TRUE(r.t->progress.history.empty());
}

TEST(Trainer, EvaluateCountsCorrectRowsAndMeanLoss) {
  nn::Linear id(2, 2, /*bias=*/false);
  id.weight.detach().copy_(tensor({1.0, 0.0, 0.0, 1.0}, {2, 2}));
  Tensor X = tensor({2.0, 0.0, 0.0, 2.0, 2.0, 0.0}, {3, 2});
  Tensor y = tensor({0, 1, 1}, DType::Int64);
  train::Evaluation e = train::evaluate(id, X, y, 2, /*batch_size=*/2);
  EXPECT_DOUBLE_EQ(e.accuracy, 2.0 / 3.0);
  EXPECT_EQ(e.confusion.tolist(), (std::vector<double>{1, 0, 1, 1}));
  // cross-entropy of logits (2, 0) for the right class: log(1 + e^-2); the wrong one: 2 + that.
  const double l = std::log1p(std::exp(-2.0));
  EXPECT_NEAR(e.loss, (l + l + 2 + l) / 3, 1e-6);
}

// evaluate runs the model in eval mode (Dropout is the identity there) and gives the mode back:
// a training-mode Dropout(0.999) would zero almost every logit (loss near log 2, not log(1+e^-2)).
TEST(Trainer, EvaluateRunsInEvalModeAndRestoresTheMode) {
  nn::Dropout drop(0.999);
  Tensor X = tensor({2.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0, 2.0}, {4, 2});
  Tensor y = tensor({0, 1, 0, 1}, DType::Int64);
  ASSERT_TRUE(drop.is_training());
  train::Evaluation e = train::evaluate(drop, X, y, 2);
  EXPECT_DOUBLE_EQ(e.accuracy, 1.0);
  EXPECT_NEAR(e.loss, std::log1p(std::exp(-2.0)), 1e-6);
  EXPECT_TRUE(drop.is_training());
  drop.eval();
  train::evaluate(drop, X, y, 2);
  EXPECT_FALSE(drop.is_training());
}
