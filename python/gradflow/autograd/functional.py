"""gradflow.autograd.functional: jacobian, hessian, vjp, jvp, hvp (torch.autograd.functional)."""
from .._gradflow.autograd.functional import (  # noqa: F401
    jacobian, hessian, vjp, jvp, hvp, numerical_gradient,
)
