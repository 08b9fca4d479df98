"""Importing this module registers every built-in model (one module per family).

``registry.all_models`` orders them by family, simplest first.
"""

from mlwb.models import baseline, boosting, ensembles, linear, neighbours, trees  # noqa: F401
