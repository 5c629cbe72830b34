// Reverse-mode differentiation: backward passes and autograd::grad.
#pragma once
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::autograd {

// Gradients of outputs w.r.t. inputs, like torch.autograd.grad. grad_outputs may be empty when
// every output has one element. With create_graph the backward pass is itself recorded, so the
// results can be differentiated again. allow_unused: inputs not reached get undefined tensors
// (otherwise a gf::Error).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false,
                         bool create_graph = false, bool allow_unused = false);

// Accumulates into the .grad of every leaf reached, like torch.autograd.backward.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              bool retain_graph = false, bool create_graph = false);

// Anomaly mode (torch.autograd.set_detect_anomaly): when on, the backward pass checks every
// gradient a node produces and throws gf::Error at the first NaN, naming the node, e.g.
// "Function 'DivBackward0' returned nan values in its 1th output." Off by default (it reads
// every gradient); process-wide.
void set_detect_anomaly(bool on);
bool is_anomaly_enabled();

// Called after each node runs during backward, on this thread only (for TraceGuard in viz):
// the node, the gradients it received (one per output) and what it passed on (one per input).
using TraceHook = void (*)(const struct Node& node, const std::vector<Tensor>& grad_in,
                           const std::vector<Tensor>& grad_out);
void set_trace_hook(TraceHook hook);  // nullptr turns tracing off
TraceHook trace_hook();

}  // namespace gf::autograd

namespace gf {
using autograd::is_anomaly_enabled;
using autograd::set_detect_anomaly;
}  // namespace gf
