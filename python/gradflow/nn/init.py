"""gradflow.nn.init: like torch.nn.init (the C++ gf::nn::init)."""
from .._gradflow.nn.init import (  # noqa: F401
    calculate_gain, _calculate_fan_in_and_fan_out, uniform_, normal_, constant_, zeros_, ones_,
    xavier_uniform_, xavier_normal_, kaiming_uniform_, kaiming_normal_,
)
