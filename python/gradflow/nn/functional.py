"""gradflow.nn.functional: like torch.nn.functional (the C++ gf::nn::functional)."""
from .._gradflow.nn.functional import (  # noqa: F401
    linear, cross_entropy, nll_loss, mse_loss, binary_cross_entropy_with_logits, one_hot, relu,
    sigmoid, tanh, softmax, log_softmax, dropout,
    conv1d, conv2d, conv_transpose1d, conv_transpose2d, max_pool2d, avg_pool2d,
    adaptive_avg_pool2d, adaptive_max_pool2d, pad, leaky_relu, elu, celu, gelu, softplus,
    hardtanh, glu, selu, relu6, silu, mish, softsign, hardsigmoid, hardswish, logsigmoid, prelu,
    layer_norm, group_norm, batch_norm, interpolate, dropout2d,
)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """torch's name for max_pool2d(..., return_indices=True): (values, Int64 indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """torch's name for adaptive_max_pool2d(..., return_indices=True)."""
    return adaptive_max_pool2d(input, output_size, True)
