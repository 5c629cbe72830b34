// Pictures of the backward graph, as torchviz's make_dot draws them (seed 001):
//
//   auto L = (x + y) * z;
//   std::string dot = gf::viz::make_dot({L}, {{"x", x}, {"y", y}, {"z", z}});
//   gf::viz::render(dot, "graph.svg");           // Graphviz, in-process (libgvc)
//
// One box per grad_fn (its PyTorch name: MulBackward0, AddmmBackward0, ...). A leaf's
// AccumulateGrad is drawn as the leaf itself: a light blue box with the parameter's name and
// shape ("x\n ()", "weight\n (3, 5)"); leaves without a name show only their shape. The grad_fn
// of each output is filled darkolivegreen1. Saved tensors (show_saved) are orange boxes joined
// to their grad_fn by an undirected edge. Edges point from a function to the function that
// used its output (torchviz: dot.edge(id(next_fn), id(fn))), i.e. the forward direction.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::viz {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct DotOptions {
  bool show_saved = false;  // orange boxes for the tensors each grad_fn saved for backward
  int64_t max_values = 64;  // make_dot_json: values/grads of tensors up to this many elements
};

// DOT text of the backward graph reachable from the outputs' grad_fns. Names come from
// named_params (matched by tensor identity), then from TensorImpl::name.
std::string make_dot(const std::vector<Tensor>& outputs, const NamedTensors& named_params = {},
                     const DotOptions& options = {});

// The same graph as JSON text:
//   {"nodes": [{"id", "kind": "function"|"leaf"|"saved", "label", "name", "shape",
//               "output": bool, "value"?, "grad"?}],
//    "edges": [{"from", "to", "kind": "gradient"|"saved"}]}
// value/grad are flat lists (row-major) given for leaves, saved tensors and outputs when they
// hold at most options.max_values elements.
std::string make_dot_json(const std::vector<Tensor>& outputs, const NamedTensors& named_params = {},
                          const DotOptions& options = {});

// Lays out DOT text with Graphviz's "dot" engine and writes the picture; the format comes from
// the extension: .svg, .png, .pdf (or .dot/.gv: the text itself). Throws gf::Error for an
// unknown extension, an unwritable path, unparsable DOT or a layout failure. Uses libgvc
// in-process; when that cannot render the format, runs the `dot` program; if neither works
// the message says what to install. The picture is rendered into memory first and then written
// with io::write_file_atomic: on any failure (a full disk included) `path` keeps its previous
// contents and no temporary file is left behind.
void render(const std::string& dot, const std::string& path);

}  // namespace gf::viz
