// Seed 004 — backpropagation with a Layer class: forward(input) and
// backward(output_gradient, learning_rate), for a 0-hidden-layer softmax classifier trained one
// sample at a time (batch size 1). Float64.
//
//   build/examples/layer_backprop          (WORKED_EXAMPLES row 15)
//
// Dense (bias absorbed as an extra input of 1) -> Softmax -> categorical cross-entropy. Chained,
// the backward passes give dL/dz = ŷ − y and dL/dW = outer(ŷ − y, [x; 1]); each layer's backward
// is checked against autograd, and per-sample training lowers the loss.
#include <cstdio>
#include <iostream>
#include <memory>

#include "check.hpp"

using examples::check;
using examples::check_close;
using gf::Tensor;

// A generic layer with forward and backward methods.
class Layer {
 public:
  virtual ~Layer() = default;
  virtual Tensor forward(const Tensor& input) = 0;
  // Receives dL/d(output), updates the layer's own parameters, returns dL/d(input).
  virtual Tensor backward(const Tensor& output_gradient, double learning_rate) = 0;

 protected:
  Tensor input, output;
};

// z = W x̃ with x̃ = [x; 1]: the last column of W is the bias.
class Dense : public Layer {
 public:
  Tensor weights, weights_gradient;  // [out, in + 1]
  Dense(int64_t in, int64_t out) : weights(gf::randn({out, in + 1})), in_(in) {}

  Tensor forward(const Tensor& x) override {
    input = gf::cat({x, gf::ones({1})});  // x̃ = [x; 1]
    output = weights.matmul(input);       // z = W x̃
    return output;
  }
  // z_i = Σ_j W_ij x̃_j:  dL/dW_ij = g_i x̃_j (an outer product),  dL/dx̃ = Wᵀ g
  Tensor backward(const Tensor& g, double learning_rate) override {
    weights_gradient = gf::outer(g, input);
    Tensor input_gradient = weights.t().matmul(g).slice(0, 0, in_);  // drop the bias input
    weights = weights - learning_rate * weights_gradient;            // W ← W − lr dL/dW
    return input_gradient;
  }

 private:
  int64_t in_;
};

// s = softmax(z): s_i = exp(z_i) / Σ_j exp(z_j)
class Softmax : public Layer {
 public:
  Tensor forward(const Tensor& z) override {
    Tensor e = (z - z.max()).exp();  // subtracting max(z) changes nothing but avoids overflow
    output = e / e.sum();
    return output;
  }
  // The seed's form: ((I − s 1ᵀ) ⊙ 1 sᵀ) g, entry (i, j) = (δ_ij − s_i) s_j — this is the
  // softmax Jacobian diag(s) − s sᵀ (symmetric), so the product is Jᵀ g = dL/dz.
  Tensor backward(const Tensor& g, double /*learning_rate: no parameters*/) override {
    const int64_t n = output.numel();
    Tensor jacobian = (gf::eye(n) - output.unsqueeze(1)) * output;
    return jacobian.matmul(g);
  }
};

// Categorical cross-entropy L = −Σ_k y_k log ŷ_k and its gradient ∂L/∂ŷ_k = −y_k / ŷ_k
Tensor cce(const Tensor& y, const Tensor& yhat) { return -(y * yhat.log()).sum(); }
Tensor cce_gradient(const Tensor& y, const Tensor& yhat) { return -y / yhat; }

int main() {
  gf::set_default_dtype(gf::DType::Float64);
  gf::manual_seed(4);
  namespace F = gf::nn::functional;
  const int64_t num_samples = 5, num_features = 4, num_labels = 3;

  std::cout << "# 5 samples with 4 features (each column is a sample), 3 classes\n";
  Tensor X = gf::randint(3, 10, {num_features, num_samples}).to(gf::DType::Float64);
  Tensor y = gf::randint(0, num_labels, {num_samples});
  Tensor Y = F::one_hot(y, num_labels).to(gf::DType::Float64);
  std::cout << X << "\n------\n" << y << "\n------\n" << Y << "\n";

  std::cout << "\n# One sample through Dense -> Softmax -> CCE and back\n";
  Dense dense(num_features, num_labels);
  Softmax softmax;
  Tensor x0 = X.select(1, 0), y0 = Y[0];
  Tensor W_before = dense.weights;  // backward replaces dense.weights with the updated matrix
  Tensor z = dense.forward(x0);
  Tensor y_hat = softmax.forward(z);
  std::cout << "z = " << z << "\ny_hat = " << y_hat << "\nloss = " << cce(y0, y_hat) << "\n";
  Tensor grad_yhat = cce_gradient(y0, y_hat);  // −y / ŷ
  Tensor grad_z = softmax.backward(grad_yhat, 0.01);
  Tensor grad_x = dense.backward(grad_z, 0.01);
  std::cout << "dL/dy_hat = " << grad_yhat << "\ndL/dz = " << grad_z << "\ndL/dW =\n"
            << dense.weights_gradient << "\n";
  check_close("softmax.backward(-y/y_hat) = y_hat - y", grad_z, y_hat - y0, 1e-12);
  Tensor x0_tilde = gf::cat({x0, gf::ones({1})});
  check_close("dL/dW = outer(y_hat - y, [x; 1])", dense.weights_gradient,
              gf::outer(y_hat - y0, x0_tilde), 1e-12);

  // Each layer's backward against autograd (vjp: the vector-Jacobian product gᵀ J).
  auto [s_ref, dz_ref] =
      gf::autograd::vjp([](const Tensor& t) { return gf::softmax(t, 0); }, z, grad_yhat);
  check_close("Softmax.backward = autograd vjp", grad_z, dz_ref, 1e-12);
  auto dense_fn = [&](const Tensor& t) { return W_before.matmul(gf::cat({t, gf::ones({1})})); };
  check_close("Dense.backward input gradient = autograd vjp", grad_x,
              gf::autograd::vjp(dense_fn, x0, grad_z).second, 1e-12);
  Tensor W_leaf = W_before.clone().requires_grad_();
  Tensor dW_ref = gf::autograd::grad({(W_leaf.matmul(x0_tilde) * grad_z).sum()}, {W_leaf})[0];
  check_close("Dense.backward weight gradient = autograd", dense.weights_gradient, dW_ref, 1e-12);
  // The whole chain at once: L(W) = cce(y, softmax(W x̃)) differentiated by autograd.
  Tensor W_leaf2 = W_before.clone().requires_grad_();
  Tensor L = F::cross_entropy(W_leaf2.matmul(x0_tilde), y0);
  L.backward();
  check_close("chain = autograd through F::cross_entropy", dense.weights_gradient, W_leaf2.grad(),
              1e-12);

  std::cout << "\n# Per-sample training (batch size 1) on make_blobs\n";
  gf::data::MakeBlobsOptions blobs;  // 3 gaussian blobs in 4-D
  blobs.n_samples = 90;
  blobs.n_features = num_features;
  blobs.centers = num_labels;
  blobs.cluster_std = 2.5;
  blobs.random_state = 4;
  auto data = gf::data::make_blobs(blobs);
  Tensor Xb = gf::data::Standardizer().fit_transform(data.X);  // zero mean, unit variance
  Tensor Yb = F::one_hot(data.y, num_labels).to(gf::DType::Float64);
  Dense layer(num_features, num_labels);
  Softmax act;
  const double lr = 0.05;
  double first = 0, last = 0, chain_error = 0;
  for (int epoch = 0; epoch < 8; ++epoch) {
    double total = 0;
    for (int64_t i = 0; i < Xb.size(0); ++i) {
      Tensor yhat = act.forward(layer.forward(Xb[i]));          // forward
      total += cce(Yb[i], yhat).item();                         // loss
      Tensor dz = act.backward(cce_gradient(Yb[i], yhat), lr);  // dL/dz
      layer.backward(dz, lr);                                   // update W
      chain_error = std::max(chain_error, examples::max_abs_diff(dz, yhat - Yb[i]));
    }
    double mean_loss = total / static_cast<double>(Xb.size(0));
    (epoch == 0 ? first : last) = mean_loss;
    std::printf("epoch %d  mean loss %.6f\n", epoch + 1, mean_loss);
  }
  Tensor logits = gf::cat({Xb, gf::ones({Xb.size(0), 1})}, 1).matmul(layer.weights.t());
  std::printf("training accuracy %.3f\n", gf::metrics::accuracy(logits, data.y));
  check(chain_error < 1e-12, "every step: softmax.backward(cce_gradient) = y_hat - y");
  check(last < 0.5 * first, "per-sample training lowers the loss",
        examples::num(first) + " -> " + examples::num(last));
  return examples::finish();
}
