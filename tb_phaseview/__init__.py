"""tb_phaseview: a TensorBoard plugin that tags learning-phase edges and draws graphs without them."""

__version__ = "0.1.0"
