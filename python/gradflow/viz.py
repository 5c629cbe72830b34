"""gradflow.viz: pictures of what happens inside (gf::viz).

make_dot(var, params=dict(...)) draws the backward graph like torchviz and returns a Digraph
that Jupyter shows inline (_repr_svg_) and that .render(path) writes; trace(names) prints the
step-through backward; the plots write a PNG/SVG and return a Picture shown inline."""
from ._gradflow.viz import (  # noqa: F401
    Digraph, Picture, make_dot, make_dot_json, render, parse_expression, trace, plot_functions,
    plot_with_derivatives, heatmap, plot_training_curves, plot_confusion_matrix,
)
