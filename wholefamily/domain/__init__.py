"""The pure domain: rules, scoring, the pathway's state machine and money.

Nothing here imports Django or a data-plane engine (an import-linter contract keeps it so).
"""
