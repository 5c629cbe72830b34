// Seed 001's last cell: the backward graph of torchvision's AlexNet, drawn like torchviz's
// make_dot(model(x), params=dict(model.named_parameters())) for x of 1 x 3 x 227 x 227.
//
//   build/examples/alexnet_graph      (writes alexnet_graph.svg when viz is built)
//
// Checks what the picture must show: the logits [1, 1000] come from AddmmBackward0; the graph
// has torchvision's 16 parameters (features.0.weight ... classifier.6.bias, 61,100,840 numbers),
// five ConvolutionBackward0, three MaxPool2DWithIndicesBackward0 and one
// AdaptiveAvgPool2DBackward0 node; and backward reaches every parameter.
#include <cstdio>
#include <gradflow/gradflow.hpp>
#include <string>

#include "check.hpp"
#ifdef GF_HAVE_VIZ
#include <gradflow/viz/graph.hpp>
#endif

using examples::check;

namespace {
int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

int main() {
  gf::manual_seed(0);
  gf::models::AlexNet model;  // torchvision.models.AlexNet(): train mode, dropout 0.5
  std::cout << model << "\n";
  gf::Tensor x = gf::randn({1, 3, 227, 227});
  gf::Tensor y = model(x);

  auto params = model.named_parameters();
  int64_t numel = 0;
  for (const auto& [name, p] : params) numel += p.numel();
  check(y.sizes() == gf::Shape{1, 1000}, "logits are [1, 1000]");
  check(y.grad_fn_name() == "AddmmBackward0", "the last node is AddmmBackward0 (classifier.6)");
  check(params.size() == 16 && params.front().first == "features.0.weight" &&
            params.back().first == "classifier.6.bias",
        "16 parameters named features.0.weight ... classifier.6.bias");
  check(numel == 61100840, "61,100,840 parameters (torchvision's count)", std::to_string(numel));

#ifdef GF_HAVE_VIZ
  const std::string dot = gf::viz::make_dot({y}, params);
  check(count(dot, "ConvolutionBackward0") == 5, "five ConvolutionBackward0 nodes");
  check(count(dot, "MaxPool2DWithIndicesBackward0") == 3, "three MaxPool2DWithIndicesBackward0");
  check(count(dot, "AdaptiveAvgPool2DBackward0") == 1, "one AdaptiveAvgPool2DBackward0");
  check(count(dot, "features.0.weight") == 1 && count(dot, "classifier.6.bias") == 1,
        "parameter boxes carry their named_parameters names");
  gf::viz::render(dot, "alexnet_graph.svg");
  std::cout << "wrote alexnet_graph.svg\n";
#endif

  y.sum().backward();
  bool all = true;
  for (const auto& [name, p] : params) all = all && p.grad().defined();
  check(all, "backward reaches every parameter");
  return examples::finish();
}
