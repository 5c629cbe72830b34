"""gradflow from Python: ``import gradflow as gf`` mirrors ``import torch``.

Everything here is the C++ library (gradflow._gradflow, a pybind11 module); the Python files
only arrange its names the way torch does (gf.nn, gf.optim, gf.autograd, ...).
"""
from collections import namedtuple as _namedtuple

from . import _gradflow
from ._gradflow import (  # noqa: F401  (re-exported)
    Tensor, dtype, float32, float64, int64, int32, uint8, bool,
    set_default_dtype, get_default_dtype, promote_types, manual_seed, set_num_threads,
    get_num_threads, is_grad_enabled, set_grad_enabled, set_detect_anomaly, is_anomaly_enabled,
    tensor, as_tensor, from_numpy, scalar_tensor, zeros, ones, rand, randn, empty, full,
    zeros_like, ones_like, full_like, rand_like, randn_like, eye, arange, linspace, randint,
    randperm,
)

# torch prints dtypes as torch.float32: gradflow.float32 (pybind11's enum repr is replaced).
_dtype_names = {v: k for k, v in dtype.__members__.items()}
dtype.__repr__ = dtype.__str__ = lambda self: "gradflow." + _dtype_names[self]
float = float32  # noqa: A001  (torch.float, torch.double, torch.long)
double = float64
long = int64
int = int32  # noqa: A001


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints like torch.Size."""

    def __repr__(self):
        return "gradflow.Size([" + ", ".join(str(s) for s in self) + "])"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


_gradflow._set_size_class(Size)


class _ReturnTypes:
    """torch.return_types: (values, indices) of max/min over a dim."""
    max = _namedtuple("max", ["values", "indices"])
    min = _namedtuple("min", ["values", "indices"])
    sort = _namedtuple("sort", ["values", "indices"])
    topk = _namedtuple("topk", ["values", "indices"])
    median = _namedtuple("median", ["values", "indices"])


_return_types = _ReturnTypes


class no_grad:
    """Context manager (and decorator) under which no graph is recorded, like torch.no_grad."""

    def __enter__(self):
        self._prev = is_grad_enabled()
        set_grad_enabled(False)

    def __exit__(self, *exc):
        set_grad_enabled(self._prev)
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class enable_grad(no_grad):
    """Turns graph recording back on inside a no_grad block."""

    def __enter__(self):
        self._prev = is_grad_enabled()
        set_grad_enabled(True)


class _RemovableHandle:
    """What Tensor.register_hook returns (torch.utils.hooks.RemovableHandle): remove() drops
    the hook."""

    def __init__(self, tensor, id):
        self._tensor, self.id = tensor, id

    def remove(self):
        if self._tensor is not None:
            self._tensor._remove_hook(self.id)
            self._tensor = None


def _rebuild_tensor(values, requires_grad):
    """Unpickling: a copy of the numpy values, with requires_grad as it was."""
    t = tensor(values)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_by_name(name):
    return getattr(_gradflow, name)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(t):
    return t.numel()


from ._gradflow import (  # noqa: E402,F401  (the ops, bound in src/ops.cpp)
    add, sub, mul, div, maximum, minimum, neg, pow, exp, log, sqrt, abs, relu, sigmoid, tanh,
    log1p, sign, square, clamp, where, eq, ne, lt, le, gt, ge, allclose, equal, sum, mean, max,
    min, amax, amin, argmax, argmin, logsumexp, transpose, swapaxes, t, permute, reshape, flatten,
    ravel, unsqueeze, squeeze, narrow, select, gather, index_select, cat, concat, stack, matmul,
    mm, addmm, outer, dot, softmax, log_softmax,
)
from ._gradflow import (  # noqa: E402,F401  (the second round's ops, src/ops_breadth.cpp)
    sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, exp2, expm1, log2, log10,
    rsqrt, reciprocal, erf, erfc, floor, ceil, round, trunc, frac, logical_not, bitwise_not,
    isnan, isinf, isfinite, atan2, logical_and, logical_or, logical_xor, bitwise_and, bitwise_or,
    bitwise_xor, fmod, remainder, clamp_min, clamp_max, prod, var, std, norm, cumsum, cumprod,
    sort, argsort, topk, scatter, scatter_add, flip, roll, tile, split, chunk, unbind, movedim,
    moveaxis, tril, triu, einsum,
)
from ._gradflow import (  # noqa: E402,F401  (masks, src/indexing.cpp)
    masked_fill, masked_select, nonzero, any, all, median,
)
from ._gradflow import save, load, load_metadata  # noqa: E402,F401
from . import autograd, nn, optim, utils, data, metrics, viz, models  # noqa: E402,F401

__all__ = [n for n in dir() if not n.startswith("_")]
