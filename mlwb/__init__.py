"""mlwb: a command-line workbench for honest, reproducible machine learning on tabular data."""

__version__ = "0.1.0"
