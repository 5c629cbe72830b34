"""gradflow.nn: like torch.nn. Module is the C++ gf::nn::Module; Python subclasses override
forward, and attributes that are Modules or Parameters register themselves like torch's."""
from .. import _gradflow as _C
from .._gradflow.nn import (  # noqa: F401
    Linear, ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, Flatten, Dropout,
    Conv1d, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d,
    LayerNorm, GroupNorm, _BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d, Dropout2d, Upsample,
    LeakyReLU, ELU, CELU, SELU, ReLU6, GELU, Softplus, Hardtanh, GLU, PReLU, SiLU, Mish, Softsign,
    Hardsigmoid, Hardswish, LogSigmoid,
)
from . import functional, init, utils  # noqa: F401


class Module(_C.nn.Module):
    """The base of every layer (gf::nn::Module). Subclass it like torch.nn.Module: call
    super().__init__(), assign Modules and Parameters as attributes, define forward."""


class Sequential(_C.nn.Sequential):
    """Runs its children in order (gf::nn::Sequential); children made in Python stay alive
    with it."""


class Parameter(_C.Tensor):
    """A tensor that a Module registers as a parameter when assigned to an attribute.

    Shares storage with `data` (like torch.nn.Parameter) and requires grad by default."""

    __slots__ = ()   # attributes live in Tensor's own dict (see Module's note in src/nn.cpp)

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = _C.empty(0)
        _C.Tensor.__init__(self, data, requires_grad, _share=True)

    @classmethod
    def _wrap(cls, t):
        """The registered parameter t itself (same autograd state), seen as a Parameter."""
        p = cls.__new__(cls)
        _C.Tensor.__init__(p, t, t.requires_grad, _alias=True)
        return p

    def __repr__(self):
        return _C.nn._parameter_repr(self)

    def __reduce__(self):
        return (Parameter, (_C.Tensor(self.detach()), self.requires_grad))


_C.nn._set_parameter_class(Parameter)
