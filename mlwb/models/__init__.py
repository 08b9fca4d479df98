"""The model catalogue: a registry of ``ModelSpec`` entries."""

from mlwb.models.registry import all_models, find_model, model_names, register
from mlwb.models.spec import ModelContext, ModelSpec

__all__ = ["ModelContext", "ModelSpec", "all_models", "find_model", "model_names", "register"]
