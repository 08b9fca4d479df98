"""Importing this module registers every built-in model (one module per family)."""

from mlwb.models import boosting, linear, trees  # noqa: F401
