"""The synthetic county: realistic agency files with a known truth behind them.

A plain numpy package (data plane); Django only sees it through the `synth` management command.
"""

GENERATOR_VERSION = "1.1.0"
