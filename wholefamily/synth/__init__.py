"""The synthetic county: realistic agency files with a known truth behind them (issue 3).

A plain numpy package (data plane); Django only sees it through the `synth` management command.
"""

GENERATOR_VERSION = "1.0.0"
