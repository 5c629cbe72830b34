"""gradflow.nn.utils: gradient clipping like torch.nn.utils."""
from .._gradflow.nn.utils import clip_grad_norm_, clip_grad_value_  # noqa: F401
