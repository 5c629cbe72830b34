// Tensor::register_hook: a function of the gradient run when backward computes it. A leaf keeps
// its hooks on itself (they run before the gradient is accumulated into .grad); a non-leaf keeps
// them on its grad_fn, for its output number (they run before that node's backward).
#include <atomic>

#include "gradflow/autograd/node.hpp"

namespace gf {

namespace {
std::atomic<std::size_t> g_next_hook{1};
}

std::size_t Tensor::register_hook(Hook hook) {
  GF_CHECK(requires_grad(),
           "register_hook: cannot register a hook on a tensor that doesn't "
           "require gradient");
  std::size_t handle = g_next_hook++;
  if (is_leaf()) {
    impl().hooks.emplace_back(handle, std::move(hook));
  } else {
    auto& hooks = grad_fn()->pre_hooks;
    if (!hooks) hooks = std::make_unique<std::vector<autograd::Node::PreHook>>();
    hooks->push_back({handle, output_nr(), std::move(hook)});
  }
  return handle;
}

void Tensor::remove_hook(std::size_t handle) {
  auto& leaf = impl().hooks;
  std::erase_if(leaf, [&](const auto& h) { return h.first == handle; });
  if (grad_fn() && grad_fn()->pre_hooks)
    std::erase_if(*grad_fn()->pre_hooks, [&](const auto& h) { return h.handle == handle; });
}

namespace autograd {

// Runs the hooks that watch the gradients arriving at `node` (see engine.cpp).
void run_pre_hooks(Node& node, Grads& grads) {
  auto apply = [](Tensor& g, const std::function<Tensor(const Tensor&)>& fn) {
    if (!g.defined()) return;
    Tensor r = fn(g);
    if (r.defined()) g = r;
  };
  if (node.is_accumulator) {
    if (auto leaf = static_cast<AccumulateGrad&>(node).leaf.lock())
      for (auto& [handle, fn] : leaf->hooks) apply(grads[0], fn);
    return;
  }
  if (node.pre_hooks)
    for (auto& h : *node.pre_hooks) apply(grads[h.output_nr], h.fn);
}

}  // namespace autograd
}  // namespace gf
