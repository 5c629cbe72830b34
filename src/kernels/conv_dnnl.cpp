// oneDNN convolution primitives for float32 (kernels/conv.hpp): the library inside PyTorch's CPU
// build (Debian's libdnnl 2.6, OpenMP runtime: the same libgomp pool as OpenBLAS and our loops).
// Primitives are cached per thread by shape, with their scratchpads and the buffers of any
// layout oneDNN prefers (format_tag::any: blocked layouts such as nChw8c), so a training step
// allocates nothing here after the first; user tensors stay NCHW and are reordered in and out
// only when the chosen layout differs (GF_DNNL_LAYOUT=plain keeps activations NCHW: oneDNN then
// runs its own gemm convolution, measured slower). GF_CONV=im2col turns this path off.
#include <array>
#include <cstdlib>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "conv.hpp"

namespace gf::kernels {

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}
dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

bool enabled() {
  static const bool on = [] {
    const char* v = std::getenv("GF_CONV");
    return !(v && std::strcmp(v, "im2col") == 0);
  }();
  return on;
}

enum Kind : int64_t { kForward, kForwardBias, kBackwardData, kBackwardWeights };

using Key = std::array<int64_t, 20>;
struct KeyHash {
  std::size_t operator()(const Key& k) const {
    std::size_t h = 0;
    for (int64_t v : k) h = h * 1000003u ^ std::hash<int64_t>{}(v);
    return h;
  }
};

// One argument of a primitive: the user's NCHW memory and, when oneDNN chose another layout,
// a buffer in that layout with the reorders between them.
struct Arg {
  memory user, inner;
  dnnl::reorder to_inner, to_user;
  bool reordered = false;
  void init(const memory::desc& user_md, const memory::desc& chosen, bool input) {
    auto& eng = cpu_engine();
    user = memory(user_md, eng, DNNL_MEMORY_NONE);
    if (chosen == user_md) return;
    reordered = true;
    inner = memory(chosen, eng);
    if (input)
      to_inner = dnnl::reorder(user, inner);
    else
      to_user = dnnl::reorder(inner, user);
  }
  const memory& in(void* data) {  // an input, reordered when needed
    user.set_data_handle(data);
    if (reordered) to_inner.execute(cpu_stream(), user, inner);
    return reordered ? inner : user;
  }
  const memory& out(void* data) {
    user.set_data_handle(data);
    return reordered ? inner : user;
  }
  void finish() {
    if (reordered) to_user.execute(cpu_stream(), inner, user);
  }
};

struct Cached {
  dnnl::primitive prim;
  Arg a, b, c;  // forward: src, weights, dst; backward data: diff_dst, weights, diff_src;
                // backward weights: src, diff_dst, diff_weights
  memory bias, scratch;
};

struct Descs {
  memory::dims x, w, y, strides, dilates, pad_l, pad_r;
};

// oneDNN wants padding_r consistent with the output size; false when that would be negative
// (the last rows/cols are never read: im2col handles it).
bool descs_of(const ConvGeometry& g, Descs& d) {
  const int64_t pr_h = (g.P - 1) * g.stride_h + (g.R - 1) * g.dilation_h + 1 - g.H - g.pad_top;
  const int64_t pr_w = (g.Q - 1) * g.stride_w + (g.S - 1) * g.dilation_w + 1 - g.W - g.pad_left;
  if (pr_h < 0 || pr_w < 0) return false;
  d.x = {g.N, g.C, g.H, g.W};
  d.y = {g.N, g.K, g.P, g.Q};
  if (g.groups == 1)
    d.w = {g.K, g.C, g.R, g.S};
  else
    d.w = {g.groups, g.K / g.groups, g.C / g.groups, g.R, g.S};
  d.strides = {g.stride_h, g.stride_w};
  d.dilates = {g.dilation_h - 1, g.dilation_w - 1};
  d.pad_l = {g.pad_top, g.pad_left};
  d.pad_r = {pr_h, pr_w};
  return true;
}

memory::desc plain(const memory::dims& dims) {
  return memory::desc(dims, dt::f32, dims.size() == 5 ? tag::goihw : tag::nchw);
}
// Activations: format_tag::any (blocked, reordered in and out), or NCHW with GF_DNNL_LAYOUT=plain.
bool blocked_activations() {
  static const bool on = [] {
    const char* v = std::getenv("GF_DNNL_LAYOUT");
    return !(v && std::strcmp(v, "plain") == 0);
  }();
  return on;
}
memory::desc act(const memory::dims& dims) {
  return blocked_activations() ? memory::desc(dims, dt::f32, tag::any) : plain(dims);
}
memory::desc any(const memory::dims& dims) { return memory::desc(dims, dt::f32, tag::any); }

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, bool bias) {
  auto& eng = cpu_engine();
  using F = dnnl::convolution_forward;
  auto desc = bias ? F::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                             act(d.x), any(d.w), memory::desc({d.y[1]}, dt::f32, tag::x), act(d.y),
                             d.strides, d.dilates, d.pad_l, d.pad_r)
                   : F::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                             act(d.x), any(d.w), act(d.y), d.strides, d.dilates, d.pad_l, d.pad_r);
  return F::primitive_desc(desc, user_scratchpad(), eng);
}

Cached* lookup(Kind kind, const ConvGeometry& g) {
  thread_local std::unordered_map<Key, Cached, KeyHash> cache;
  Descs d;
  if (!descs_of(g, d)) return nullptr;
  Key key{kind,       g.N,        g.C,          g.H,          g.W,        g.K,       g.R,
          g.S,        g.P,        g.Q,          g.stride_h,   g.stride_w, g.pad_top, g.pad_left,
          d.pad_r[0], d.pad_r[1], g.dilation_h, g.dilation_w, g.groups,   0};
  auto it = cache.find(key);
  if (it != cache.end()) return &it->second;
  Cached c;
  auto& eng = cpu_engine();
  auto fwd = forward_pd(d, kind == kForwardBias);
  if (kind == kForward || kind == kForwardBias) {
    c.a.init(plain(d.x), fwd.src_desc(), true);
    c.b.init(plain(d.w), fwd.weights_desc(), true);
    c.c.init(plain(d.y), fwd.dst_desc(), false);
    if (kind == kForwardBias) c.bias = memory(fwd.bias_desc(), eng, DNNL_MEMORY_NONE);
    c.scratch = memory(fwd.scratchpad_desc(), eng);
    c.prim = dnnl::convolution_forward(fwd);
  } else if (kind == kBackwardData) {
    using B = dnnl::convolution_backward_data;
    B::primitive_desc pd(B::desc(dnnl::algorithm::convolution_direct, act(d.x), any(d.w), act(d.y),
                                 d.strides, d.dilates, d.pad_l, d.pad_r),
                         user_scratchpad(), eng, fwd);
    c.a.init(plain(d.y), pd.diff_dst_desc(), true);
    c.b.init(plain(d.w), pd.weights_desc(), true);
    c.c.init(plain(d.x), pd.diff_src_desc(), false);
    c.scratch = memory(pd.scratchpad_desc(), eng);
    c.prim = B(pd);
  } else {
    using B = dnnl::convolution_backward_weights;
    B::primitive_desc pd(B::desc(dnnl::algorithm::convolution_direct, act(d.x), any(d.w), act(d.y),
                                 d.strides, d.dilates, d.pad_l, d.pad_r),
                         user_scratchpad(), eng, fwd);
    c.a.init(plain(d.x), pd.src_desc(), true);
    c.b.init(plain(d.y), pd.diff_dst_desc(), true);
    c.c.init(plain(d.w), pd.diff_weights_desc(), false);
    c.scratch = memory(pd.scratchpad_desc(), eng);
    c.prim = B(pd);
  }
  return &cache.emplace(key, std::move(c)).first->second;
}

// Measured (BENCHMARKS.md, "Convolutional training"; bench/analysis.md): oneDNN's blocked
// layouts pad channels to 16, so a layer with one input channel (LeNet's 1 -> 6, the CLI CNN's
// 1 -> 32) runs faster through im2col + OpenBLAS (its data gradient 7-10x slower in oneDNN);
// from 4 input channels on oneDNN wins: LeNet's 6 -> 16 takes 0.7 / 1.5 / 1.9 ms forward /
// data / weights against 2.7-4.2 / 3.0-3.4 / 2.8 with im2col (batch 128, 1 thread, Xeon), and
// 32 -> 64 was faster on the AMD EPYC too. Tiny problems would pay the primitive's creation
// (JIT) and never amortise it.
bool usable(const Tensor& t, const ConvGeometry& g) {
  if (!enabled() || t.dtype() != DType::Float32 || g.N == 0) return false;
  const int64_t macs = g.N * g.K * g.P * g.Q * (g.C / g.groups) * g.R * g.S;
  return g.C / g.groups >= 4 && g.K / g.groups >= 16 && macs >= (int64_t{1} << 20);
}

}  // namespace

bool dnnl_conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& y,
                         const ConvGeometry& g) {
  if (!usable(x, g)) return false;
  Cached* c = lookup(bias.defined() ? kForwardBias : kForward, g);
  if (!c) return false;
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, c->a.in(x.data_ptr<float>())},
                                       {DNNL_ARG_WEIGHTS, c->b.in(w.data_ptr<float>())},
                                       {DNNL_ARG_DST, c->c.out(y.data_ptr<float>())},
                                       {DNNL_ARG_SCRATCHPAD, c->scratch}};
  if (bias.defined()) {
    c->bias.set_data_handle(bias.data_ptr<float>());
    args[DNNL_ARG_BIAS] = c->bias;
  }
  c->prim.execute(cpu_stream(), args);
  c->c.finish();
  cpu_stream().wait();
  return true;
}

bool dnnl_conv2d_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx,
                               const ConvGeometry& g) {
  if (!usable(dy, g)) return false;
  Cached* c = lookup(kBackwardData, g);
  if (!c) return false;
  c->prim.execute(cpu_stream(), {{DNNL_ARG_DIFF_DST, c->a.in(dy.data_ptr<float>())},
                                 {DNNL_ARG_WEIGHTS, c->b.in(w.data_ptr<float>())},
                                 {DNNL_ARG_DIFF_SRC, c->c.out(dx.data_ptr<float>())},
                                 {DNNL_ARG_SCRATCHPAD, c->scratch}});
  c->c.finish();
  cpu_stream().wait();
  return true;
}

bool dnnl_conv2d_backward_weights(const Tensor& x, const Tensor& dy, Tensor& dw,
                                  const ConvGeometry& g) {
  if (!usable(x, g)) return false;
  Cached* c = lookup(kBackwardWeights, g);
  if (!c) return false;
  c->prim.execute(cpu_stream(), {{DNNL_ARG_SRC, c->a.in(x.data_ptr<float>())},
                                 {DNNL_ARG_DIFF_DST, c->b.in(dy.data_ptr<float>())},
                                 {DNNL_ARG_DIFF_WEIGHTS, c->c.out(dw.data_ptr<float>())},
                                 {DNNL_ARG_SCRATCHPAD, c->scratch}});
  c->c.finish();
  cpu_stream().wait();
  return true;
}

}  // namespace gf::kernels
