"""gradflow.autograd: like torch.autograd (grad, backward, Function, gradcheck, functional)."""
from .. import _gradflow as _C
from .._gradflow.autograd import (  # noqa: F401
    Node, FunctionCtx, GradcheckResult, grad, backward,
)
from . import functional  # noqa: F401


def _check(run, what, func, inputs, eps, atol, rtol, raise_exception):
    if isinstance(inputs, _C.Tensor):
        inputs = (inputs,)
    result = run(func, tuple(inputs), eps, atol, rtol)
    if not result.ok and raise_exception:
        raise RuntimeError(what + result.report)
    return result.ok


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Autograd's gradient of func against central differences for every input element.

    Returns True, or raises RuntimeError with the worst element (raise_exception=False: False)."""
    return _check(_C.autograd._gradcheck, "Jacobian mismatch for output 0 with respect to input: ",
                  func, inputs, eps, atol, rtol, raise_exception)


def gradgradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """The same check for second derivatives."""
    return _check(_C.autograd._gradgradcheck, "Gradgradcheck mismatch: ", func, inputs, eps, atol,
                  rtol, raise_exception)


class Function:
    """A custom differentiable op, like torch.autograd.Function::

        class Mul(gf.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                ctx.save_for_backward(x, y)
                return x * y
            @staticmethod
            def backward(ctx, grad):
                x, y = ctx.saved_tensors
                return y * grad, x * grad

        z = Mul.apply(x, y)   # z.grad_fn.name() == "MulBackward"

    apply runs on the C++ custom-function node (gf::autograd::Function's machinery)."""

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    @classmethod
    def apply(cls, *args):
        return _C.autograd._function_apply(cls, *args)
