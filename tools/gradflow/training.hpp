// The pieces `train` and `eval` share: the model and optimizer a config describes, and a
// deterministic evaluation pass (fixed batches, in order, sums in double).
#pragma once
#include <cstdint>
#include <gradflow/nn/container.hpp>
#include <gradflow/optim/optimizer.hpp>
#include <memory>
#include <vector>

#include "datasets.hpp"
#include "train_config.hpp"

namespace gf::cli {

// softmax: Sequential(Linear(F, C)); mlp: Sequential(Linear(F, h1), ReLU, ..., Linear(hk, C)).
// Parameters are drawn from the default generator, seeded with config.seed first.
std::shared_ptr<nn::Sequential> build_model(const TrainConfig& config, int64_t num_features,
                                            int64_t num_classes);

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& config,
                                                 const std::vector<Tensor>& parameters);

// Number of rows of logits [n, C] whose arg-max (first on ties) equals the label.
int64_t count_correct(const Tensor& logits, const Tensor& labels);

struct Evaluation {
  double loss = 0;                 // mean cross-entropy
  double accuracy = 0;             // fraction
  std::vector<int64_t> confusion;  // C x C row-major (true, predicted), when asked for
  int64_t num_classes = 0;
};
Evaluation evaluate(nn::Module& model, const Split& split, int64_t num_classes,
                    bool with_confusion = false, int64_t batch_size = 1024);

Tensor confusion_tensor(const Evaluation& e);  // Int64 [C, C]

}  // namespace gf::cli
