// Seed 003 — a softmax classifier from scratch, float64: the gradient of the mean cross-entropy
// three ways (the full Jacobian chain with ∂Z/∂W = I ⊗ X, the closed form Xᵀ(Ŷ − Y)/M, autograd),
// plain gradient descent, and the same model trained with gf::nn::Linear + gf::optim::SGD.
//
//   build/examples/softmax_classifier_scratch          (WORKED_EXAMPLES row 14)
//
// vec(A) below stacks the columns of A (the matrix-calculus convention that makes the Kronecker
// form literal: vec(X W) = (I ⊗ X) vec(W)).
#include <cstdio>
#include <iostream>
#include <vector>

#include "check.hpp"

using examples::check;
using examples::check_close;
using gf::Tensor;
namespace F = gf::nn::functional;

// vec(A): the columns of A stacked into one column (as a flat vector)
Tensor vec(const Tensor& A) { return A.t().reshape({-1}); }

// Kronecker product: kron(A, B)[i·rb + k, j·cb + l] = A[i, j] B[k, l]
Tensor kron(const Tensor& A, const Tensor& B) {
  const int64_t ra = A.size(0), ca = A.size(1), rb = B.size(0), cb = B.size(1);
  return (A.reshape({ra, 1, ca, 1}) * B.reshape({1, rb, 1, cb})).reshape({ra * rb, ca * cb});
}

class SoftmaxClassifier {
 public:
  Tensor w;  // N × Q (features × classes)
  Tensor b;  // Q
  SoftmaxClassifier(int64_t n_features, int64_t n_classes)
      : w(gf::randn({n_features, n_classes})), b(gf::randn({n_classes})) {}

  // Z = X W + b;   Ŷ_ij = exp(Z_ij) / Σ_k exp(Z_ik)
  Tensor predict(const Tensor& x) const {
    Tensor z = x.matmul(w) + b;
    Tensor z_exp = z.exp();
    return z_exp / z_exp.sum(1, /*keepdim=*/true);
  }
  // L = −(1/M) Σ_i Σ_k Y_ik log Ŷ_ik
  Tensor loss(const Tensor& x, const Tensor& y_true) const {
    return -(y_true * predict(x).log()).sum() / static_cast<double>(y_true.size(0));
  }
  double evaluate(const Tensor& x, const Tensor& y_true) const { return loss(x, y_true).item(); }

  // ∂L/∂Z = (Ŷ − Y)/M, so ∂L/∂W = Xᵀ(Ŷ − Y)/M and ∂L/∂b = column means of (Ŷ − Y)
  std::pair<Tensor, Tensor> gradient(const Tensor& x, const Tensor& y_true) const {
    Tensor diff = predict(x) - y_true;
    return {x.t().matmul(diff) / static_cast<double>(x.size(0)), diff.mean(0)};
  }
  // gradient descent: W ← W − lr ∂L/∂W,  b ← b − lr ∂L/∂b
  void update(const Tensor& x, const Tensor& y_true, double lr) {
    auto [dw, db] = gradient(x, y_true);
    w = w - lr * dw;
    b = b - lr * db;
  }
};

int main() {
  gf::set_default_dtype(gf::DType::Float64);
  gf::manual_seed(0);
  const int64_t M = 100, N = 5, N_CLASS = 3;
  gf::data::MakeClassificationOptions options;  // sklearn's make_classification parameters
  options.n_samples = M;
  options.n_features = N;
  options.n_classes = N_CLASS;
  options.n_informative = N - 1;
  options.n_redundant = 0;
  options.random_state = 3;
  auto data = gf::data::make_classification(options);
  auto size = [](const Tensor& t) { return "torch.Size(" + t.sizes().str() + ")"; };
  std::cout << size(data.X) << "\n" << size(data.y) << "\n";
  // one-hot rows: Y_hat[i, k] = 1 when sample i is of class k
  Tensor Y_hat = F::one_hot(data.y, N_CLASS).to(gf::DType::Float64);
  std::cout << size(Y_hat) << "\n";
  // X[:85], X[85:] — the first 85 samples train, the last 15 validate (no shuffling)
  auto split = gf::data::train_test_split(data.X, Y_hat, 0.15, 0, /*shuffle=*/false);
  Tensor X_train = split.X_train, X_valid = split.X_test;
  Tensor Y_train = split.y_train, Y_valid = split.y_test;
  std::cout << size(X_train) << " " << size(Y_train) << "\n"
            << size(X_valid) << " " << size(Y_valid) << "\n";
  check(X_train.size(0) == 85 && X_valid.size(0) == 15, "85/15 split");

  SoftmaxClassifier model(N, N_CLASS);
  const SoftmaxClassifier initial = model;
  const Tensor& X = X_train;
  const Tensor& Y = Y_train;
  const int64_t Mt = X.size(0), Q = N_CLASS, MQ = Mt * Q;

  std::cout << "\n# The gradient three ways\n";
  // (1) the Jacobian chain  ∂L/∂W = ∂L/∂Ŷ · ∂Ŷ/∂Z · ∂Z/∂W   on vec'd matrices
  Tensor Yp = model.predict(X);
  // ∂L/∂Ŷ = −(1/M) Y ⊘ Ŷ                        a row of M·Q numbers
  Tensor dL_dYp = vec(-Y / Yp / static_cast<double>(Mt)).reshape({1, MQ});
  // ∂Ŷ/∂Z: row p of Ŷ depends on row p of Z only, through diag(ŷ_p) − ŷ_p ŷ_pᵀ   (MQ × MQ)
  std::vector<double> s = Yp.tolist(), Js(MQ * MQ, 0.0);
  for (int64_t p = 0; p < Mt; ++p)
    for (int64_t q = 0; q < Q; ++q)
      for (int64_t r = 0; r < Q; ++r)  // vec index of Z[p, q] is q·M + p
        Js[(q * Mt + p) * MQ + (r * Mt + p)] = s[p * Q + q] * ((q == r) - s[p * Q + r]);
  Tensor dYp_dZ = gf::tensor(Js, {MQ, MQ});
  // ∂Z/∂W = I ⊗ X   (MQ × NQ);   ∂Z/∂b = I ⊗ 1_M   (MQ × Q)
  Tensor dZ_dW = kron(gf::eye(Q), X);
  Tensor dZ_db = kron(gf::eye(Q), gf::ones({Mt, 1}));
  Tensor dL_dZ = dL_dYp.matmul(dYp_dZ);
  // un-vec: the N·Q numbers are the columns of ∂L/∂W
  Tensor grad_w_jac = dL_dZ.matmul(dZ_dW).reshape({Q, N}).t();
  Tensor grad_b_jac = dL_dZ.matmul(dZ_db).reshape({Q});
  // autograd::jacobian of W ↦ X W is [M, Q, N, Q]; reorder to vec order (q·M + p, j·N + i)
  Tensor J_auto = gf::autograd::jacobian([&](const Tensor& w) { return X.matmul(w); }, model.w)
                      .permute({1, 0, 3, 2})
                      .reshape({MQ, N * Q});
  check_close("dZ/dW = I (x) X equals autograd::jacobian of X W", dZ_dW, J_auto, 0);

  // (2) the closed form
  auto [grad_w, grad_b] = model.gradient(X, Y);

  // (3) autograd on a copy of the parameters
  SoftmaxClassifier probe = model;
  probe.w = model.w.clone().requires_grad_();
  probe.b = model.b.clone().requires_grad_();
  probe.loss(X, Y).backward();

  std::cout << "dL/dW (Jacobian chain):\n"
            << grad_w_jac << "\ndL/dW = X^T (Yhat - Y) / M:\n"
            << grad_w << "\ndL/dW (autograd):\n"
            << probe.w.grad() << "\n";
  std::cout << "dL/db: " << grad_b_jac << "\n       " << grad_b << "\n       " << probe.b.grad()
            << "\n";
  check_close("dL/dW: Jacobian chain = closed form", grad_w_jac, grad_w, 1e-12);
  check_close("dL/dW: autograd = closed form", probe.w.grad(), grad_w, 1e-12);
  check_close("dL/db: Jacobian chain = column means of (Yhat - Y)", grad_b_jac, grad_b, 1e-12);
  check_close("dL/db: autograd = column means of (Yhat - Y)", probe.b.grad(), grad_b, 1e-12);

  std::cout << "\n# Gradient descent\n";
  const int epochs = 25;
  const double lr = 0.5;
  std::vector<double> train_loss, valid_loss;
  std::printf("epoch  0  train loss %.6f  valid loss %.6f\n", model.evaluate(X_train, Y_train),
              model.evaluate(X_valid, Y_valid));
  for (int epoch = 0; epoch < epochs; ++epoch) {
    model.update(X_train, Y_train, lr);
    train_loss.push_back(model.evaluate(X_train, Y_train));
    valid_loss.push_back(model.evaluate(X_valid, Y_valid));
    std::printf("epoch %2d  train loss %.6f  valid loss %.6f\n", epoch + 1, train_loss.back(),
                valid_loss.back());
  }
  bool falling = true;
  for (int e = 1; e < epochs; ++e) falling = falling && train_loss[e] < train_loss[e - 1];
  check(falling, "train loss falls every epoch");
  check(valid_loss.back() < 0.5 * initial.evaluate(X_valid, Y_valid),
        "validation loss at least halves",
        examples::num(initial.evaluate(X_valid, Y_valid)) + " -> " +
            examples::num(valid_loss.back()));

  std::cout << "\n# The same model with gf::nn::Linear and gf::optim::SGD\n";
  gf::nn::Linear linear(N, N_CLASS);
  {
    gf::NoGradGuard no_grad;  // Linear stores W as Q × N: z = x Wᵀ + b
    linear.weight.copy_(initial.w.t());
    linear.bias.copy_(initial.b);
  }
  gf::optim::SGD optimizer(linear.parameters(), gf::optim::SGDOptions(lr));
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.zero_grad();
    // cross_entropy against class probabilities (the one-hot rows): the same mean CE
    Tensor loss = F::cross_entropy(linear(X_train), Y_train);
    loss.backward();
    optimizer.step();
  }
  std::cout << linear.weight.detach().t() << "\n" << model.w << "\n";
  check_close("nn::Linear + SGD lands on the same W (transposed)", linear.weight.t(), model.w,
              1e-10);
  check_close("... and the same b", linear.bias, model.b, 1e-10);
  return examples::finish();
}
