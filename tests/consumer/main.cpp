// Seed 001's (x+y)*z with its gradients, its graph drawn through Graphviz and sigmoid plotted
// through PLplot: one call into each library gradflow::viz links.
#include <cstdio>
#include <fstream>
#include <gradflow/gradflow.hpp>
#include <gradflow/viz/graph.hpp>
#include <gradflow/viz/plot.hpp>
#include <iterator>
#include <string>

static std::string head(const char* path, std::size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::string s(std::istreambuf_iterator<char>(f), {});
  return s.substr(0, n);
}

int main() {
  auto x = gf::scalar_tensor(-2).requires_grad_();
  auto y = gf::scalar_tensor(5).requires_grad_();
  auto z = gf::scalar_tensor(-4).requires_grad_();
  auto L = (x + y) * z;
  L.backward();
  std::printf("L = %g, dL/dx = %g, dL/dy = %g, dL/dz = %g\n", L.item(), x.grad().item(),
              y.grad().item(), z.grad().item());
  gf::viz::render(gf::viz::make_dot({L}, {{"x", x}, {"y", y}, {"z", z}}), "graph.svg");
  gf::viz::PlotOptions o;
  o.file = "sigmoid.png";
  gf::viz::plot_functions({{"sigmoid", [](const gf::Tensor& t) { return gf::sigmoid(t); }}}, o);
  std::printf("graph.svg starts %s, sigmoid.png is %s\n", head("graph.svg", 5).c_str(),
              head("sigmoid.png", 4).substr(1).c_str());
}
