// gradflow — tensors, reverse-mode autograd, and training, in C++20, with PyTorch's names.
//
//   #include <gradflow/gradflow.hpp>
//
//   gf::set_default_dtype(gf::DType::Float64);
//   auto x = gf::tensor({-2.0}).requires_grad_();      // seed 001: L = (x + y) * z
//   auto y = gf::tensor({5.0}).requires_grad_();
//   auto z = gf::tensor({-4.0}).requires_grad_();
//   auto L = ((x + y) * z).sum();
//   L.backward();                                      // dL/dx = z = -4, dL/dz = x + y = 3
//   std::cout << L << "\n" << x.grad() << "\n";       // tensor(-12., grad_fn=<SumBackward0>)
//
//   // train a softmax classifier
//   gf::manual_seed(0);
//   gf::nn::Linear model(5, 3);
//   gf::optim::SGD opt(model.parameters(), gf::optim::SGDOptions(0.1));
//   for (int step = 0; step < 100; ++step) {
//     opt.zero_grad();
//     auto loss = gf::nn::functional::cross_entropy(model.forward(X), labels);
//     loss.backward();
//     opt.step();
//   }
//
// What each call requires and ensures is documented in the header that declares it:
//   tensor.hpp (Tensor, grad mode), factories.hpp, ops.hpp (differentiable ops),
//   autograd/ (engine, custom Function, jacobian/hessian/gradcheck), nn/, optim/, data/, io/.
#pragma once

#include "gradflow/autograd/engine.hpp"
#include "gradflow/autograd/functional.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/dtype.hpp"
#include "gradflow/error.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/generator.hpp"
#include "gradflow/ops.hpp"
#include "gradflow/shape.hpp"
#include "gradflow/tensor.hpp"
// -- added by each area as it lands (keep one line per header, sorted) --
#include "gradflow/autograd/function.hpp"
#include "gradflow/data/csv.hpp"
#include "gradflow/data/dataset.hpp"
#include "gradflow/data/idx.hpp"
#include "gradflow/data/preprocessing.hpp"
#include "gradflow/data/synthetic.hpp"
#include "gradflow/io/atomic_file.hpp"
#include "gradflow/io/safetensors.hpp"
#include "gradflow/metrics.hpp"
#include "gradflow/nn/functional.hpp"
#include "gradflow/nn/activation.hpp"
#include "gradflow/nn/container.hpp"
#include "gradflow/nn/dropout.hpp"
#include "gradflow/nn/flatten.hpp"
#include "gradflow/nn/init.hpp"
#include "gradflow/nn/linear.hpp"
#include "gradflow/nn/module.hpp"
#include "gradflow/nn/utils.hpp"
#include "gradflow/optim/adam.hpp"
#include "gradflow/optim/lr_scheduler.hpp"
#include "gradflow/optim/optimizer.hpp"
#include "gradflow/optim/sgd.hpp"
