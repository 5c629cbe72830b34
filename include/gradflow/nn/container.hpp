// gf::nn::Sequential — runs its children in order, named "0", "1", ..., like torch.nn.Sequential.
//
//   gf::nn::Sequential model(gf::nn::Linear(784, 256), gf::nn::ReLU(), gf::nn::Linear(256, 10));
//   model.push_back(std::make_shared<gf::nn::LogSoftmax>(1));
//   std::cout << model;   // Sequential(\n  (0): Linear(in_features=784, ...)\n  ...\n)
//
// Modules passed by value are moved into shared_ptrs; shared_ptrs are shared as given.
#pragma once
#include <concepts>
#include <memory>
#include <type_traits>

#include "gradflow/nn/module.hpp"

namespace gf::nn {

class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  template <class... Ms>
  requires(sizeof...(Ms) > 0 &&
           !(sizeof...(Ms) == 1 && (std::is_same_v<std::decay_t<Ms>, Sequential> &&
                                    ...))) explicit Sequential(Ms&&... modules)
      : Module("Sequential") {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);

  template <class M>
  requires std::derived_from<M, Module>
  void push_back(std::shared_ptr<M> module) {
    register_module(std::to_string(size()), std::shared_ptr<Module>(std::move(module)));
  }
  template <class M>
  requires std::derived_from<std::decay_t<M>, Module>
  void push_back(M&& module) {
    push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
  }

  Tensor forward(const Tensor& input) override;  // children in order
  std::size_t size() const { return named_children().size(); }
  bool empty() const { return size() == 0; }
  std::shared_ptr<Module> operator[](std::size_t i) const;  // throws gf::Error when out of range
  template <class M>
  std::shared_ptr<M> at(std::size_t i) const {  // typed access; gf::Error on a wrong type
    auto m = std::dynamic_pointer_cast<M>((*this)[i]);
    GF_CHECK(m != nullptr, "Sequential::at: module ", i, " is a ", (*this)[i]->type_name());
    return m;
  }
};

}  // namespace gf::nn
