// gradflow — tensors, reverse-mode autograd, and training, in C++20, with PyTorch's names.
//
//   #include <gradflow/gradflow.hpp>
//
// The tutorial is examples/tutorial.cpp — a program that compiles and runs as the ctest test
// example_tutorial, which checks every line it prints against PyTorch's output of the same steps
// (examples/tutorial.expected). In short:
//
//   Tensor x = scalar_tensor(-2).requires_grad_(), y = ..., z = ...;
//   Tensor L = (x + y) * z;  L.backward();        // seed 001: x.grad() = z = -4, z.grad() = 3
//   autograd::jacobian([](const Tensor& t) { return softmax(t, 0); }, v);   // diag(s) - s sᵀ
//   nn::Linear model(5, 3);  optim::SGD opt(model.parameters(), optim::SGDOptions(0.5));
//   // zero_grad, cross_entropy(model.forward(X), labels).backward(), step — 200 times
//
// docs/api.md is the reference of the whole public API; docs/derivatives.md derives every
// backward formula.
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
#include "gradflow/op_registry.hpp"
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
#include "gradflow/indexing.hpp"
#include "gradflow/io/atomic_file.hpp"
#include "gradflow/io/safetensors.hpp"
#include "gradflow/metrics.hpp"
#include "gradflow/nn/functional.hpp"
#include "gradflow/nn/activation.hpp"
#include "gradflow/nn/container.hpp"
#include "gradflow/nn/conv.hpp"
#include "gradflow/nn/dropout.hpp"
#include "gradflow/nn/flatten.hpp"
#include "gradflow/nn/batchnorm.hpp"
#include "gradflow/nn/init.hpp"
#include "gradflow/nn/linear.hpp"
#include "gradflow/nn/module.hpp"
#include "gradflow/nn/normalization.hpp"
#include "gradflow/nn/pad.hpp"
#include "gradflow/nn/pooling.hpp"
#include "gradflow/nn/sharded_batch.hpp"
#include "gradflow/nn/upsampling.hpp"
#include "gradflow/nn/utils.hpp"
#include "gradflow/models/alexnet.hpp"
#include "gradflow/models/lenet5.hpp"
#include "gradflow/distributed/distributed.hpp"
#include "gradflow/optim/adam.hpp"
#include "gradflow/optim/lr_scheduler.hpp"
#include "gradflow/optim/optimizer.hpp"
#include "gradflow/optim/sgd.hpp"
