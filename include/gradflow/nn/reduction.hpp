// How a loss reduces its per-element values, as PyTorch's `reduction=` argument:
//   None: one loss per element (per sample for cross_entropy/nll_loss)
//   Mean: their mean (the default)        Sum: their sum
#pragma once

namespace gf::nn {

enum class Reduction { None, Mean, Sum };

}  // namespace gf::nn
