"""gradflow.nn.functional: like torch.nn.functional (the C++ gf::nn::functional)."""
from .._gradflow.nn.functional import (  # noqa: F401
    linear, cross_entropy, nll_loss, mse_loss, binary_cross_entropy_with_logits, one_hot, relu,
    sigmoid, tanh, softmax, log_softmax, dropout,
)
