#include "training.hpp"

#include <cstring>
#include <gradflow/factories.hpp>
#include <gradflow/nn/activation.hpp>
#include <gradflow/nn/functional.hpp>
#include <gradflow/nn/linear.hpp>
#include <gradflow/optim/adam.hpp>
#include <gradflow/optim/sgd.hpp>

namespace gf::cli {

std::shared_ptr<nn::Sequential> build_model(const TrainConfig& config, int64_t num_features,
                                            int64_t num_classes) {
  manual_seed(config.seed);
  DType dtype = config.tensor_dtype();
  auto model = std::make_shared<nn::Sequential>();
  int64_t in = num_features;
  if (config.model == "mlp") {
    for (int64_t h : config.hidden) {
      model->push_back(nn::Linear(in, h, true, dtype));
      model->push_back(nn::ReLU());
      in = h;
    }
  }
  model->push_back(nn::Linear(in, num_classes, true, dtype));
  return model;
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& c,
                                                 const std::vector<Tensor>& parameters) {
  if (c.optimizer == "sgd")
    return std::make_unique<optim::SGD>(
        parameters, optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
  if (c.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(parameters,
                                          optim::AdamWOptions(c.lr).weight_decay(c.weight_decay));
  return std::make_unique<optim::Adam>(parameters,
                                       optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
}

namespace {
template <class T>
int64_t count_correct_impl(const T* z, const int64_t* y, int64_t n, int64_t classes) {
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i, z += classes) {
    int64_t best = 0;
    for (int64_t k = 1; k < classes; ++k)
      if (z[k] > z[best]) best = k;
    correct += best == y[i];
  }
  return correct;
}

template <class T>
void add_confusion(const T* z, const int64_t* y, int64_t n, int64_t classes,
                   std::vector<int64_t>& counts) {
  for (int64_t i = 0; i < n; ++i, z += classes) {
    int64_t best = 0;
    for (int64_t k = 1; k < classes; ++k)
      if (z[k] > z[best]) best = k;
    counts[y[i] * classes + best] += 1;
  }
}
}  // namespace

int64_t count_correct(const Tensor& logits, const Tensor& labels) {
  Tensor z = logits.contiguous();
  Tensor y = labels.contiguous();
  if (z.dtype() == DType::Float64)
    return count_correct_impl(z.data_ptr<double>(), y.data_ptr<int64_t>(), z.size(0), z.size(1));
  return count_correct_impl(z.data_ptr<float>(), y.data_ptr<int64_t>(), z.size(0), z.size(1));
}

Evaluation evaluate(nn::Module& model, const Split& split, int64_t num_classes, bool with_confusion,
                    int64_t batch_size) {
  NoGradGuard no_grad;
  Evaluation e;
  e.num_classes = num_classes;
  if (with_confusion) e.confusion.assign(num_classes * num_classes, 0);
  const int64_t n = split.size();
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += batch_size) {
    int64_t end = std::min(n, start + batch_size);
    Tensor x = split.X.slice(0, start, end);
    Tensor y = split.y.slice(0, start, end);
    Tensor logits = model.forward(x).contiguous();
    loss_sum += nn::functional::cross_entropy(logits, y, nn::Reduction::Sum).item();
    correct += count_correct(logits, y);
    if (with_confusion) {
      Tensor yc = y.contiguous();
      if (logits.dtype() == DType::Float64)
        add_confusion(logits.data_ptr<double>(), yc.data_ptr<int64_t>(), end - start, num_classes,
                      e.confusion);
      else
        add_confusion(logits.data_ptr<float>(), yc.data_ptr<int64_t>(), end - start, num_classes,
                      e.confusion);
    }
  }
  e.loss = n > 0 ? loss_sum / double(n) : 0;
  e.accuracy = n > 0 ? double(correct) / double(n) : 0;
  return e;
}

Tensor confusion_tensor(const Evaluation& e) {
  Tensor t = zeros({e.num_classes, e.num_classes}, DType::Int64);
  std::memcpy(t.data_ptr<int64_t>(), e.confusion.data(), e.confusion.size() * sizeof(int64_t));
  return t;
}

}  // namespace gf::cli
