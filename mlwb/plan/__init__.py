"""Planning a run: the recipe resolved against the data — task, metrics, folds, each
model's pipeline and search space, the decision layer, and how much work that is.

Plan types are core types: the evaluation is handed their pieces, diagnostics and
documents read them, and nothing here fits a model (except one timed sample fit per
model for the time estimate, on request).
"""

from mlwb.plan._models import VIRTUAL_PARAMS, ModelPlan, ModelPlanner
from mlwb.plan._run import (
    DEFAULT_MODELS,
    DefaultModels,
    RunPlan,
    Splits,
    check_resume,
    fit_defaults,
    plan_from_file,
    plan_run,
)
from mlwb.plan._work import (
    LEARNING_SIZES,
    ModelWork,
    WorkEstimate,
    count_fits,
    decision_factor,
    estimate_seconds,
)

__all__ = [
    "DEFAULT_MODELS",
    "LEARNING_SIZES",
    "VIRTUAL_PARAMS",
    "DefaultModels",
    "ModelPlan",
    "ModelPlanner",
    "ModelWork",
    "RunPlan",
    "Splits",
    "WorkEstimate",
    "check_resume",
    "count_fits",
    "decision_factor",
    "estimate_seconds",
    "fit_defaults",
    "plan_from_file",
    "plan_run",
]
