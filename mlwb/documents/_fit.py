"""The documents of a run folder: ``metrics.json`` (= ``mlwb fit --json``),
``diagnostics.json`` and ``environment.json``.

``mlwb fit --json`` prints the very document the run folder keeps, so a script reads the
same numbers from either; ``mlwb report RUN`` renders from these files alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlwb.documents._common import gate_document, gates_passed, header
from mlwb.documents._json import to_jsonable
from mlwb.models.baseline import BASELINE
from mlwb.results import FitResult, ModelResult

if TYPE_CHECKING:
    from mlwb.diagnose import DiagnosticsResult
    from mlwb.plan import RunPlan


def _model_document(model: ModelResult) -> dict[str, Any]:
    return {
        "params": model.params,
        "preprocessing": list(model.preprocessing),
        "pipeline": [
            {
                "step": s.name,
                "what": s.what,
                "fitted_on": "training rows of each fold" if s.learns else "nothing (no learning)",
            }
            for s in model.steps
        ],
        "summary": {
            metric: {"mean": s.mean, "std": s.std, "train_mean": s.train_mean, "gap": s.gap}
            for metric, s in model.summary.items()
        },
        "folds": [
            {
                "fold": fold.index + 1,
                "train_rows": fold.train_rows,
                "test_rows": fold.test_rows,
                "train": fold.train_scores,
                "test": fold.test_scores,
                "fit_seconds": fold.fit_seconds,
                "predict_seconds": fold.predict_seconds,
                "rounds": fold.rounds,
                "threshold": fold.threshold,
                "at_threshold": fold.at_threshold,
                "at_default_threshold": fold.at_default,
                "constraint_met": fold.constraint_met,
                "uncalibrated": fold.uncalibrated,
                "calibrated": fold.calibrated,
                "best_params": fold.best_params,
                "inner_score": fold.inner_score,
                "fits": fold.fits,
            }
            for fold in model.folds
        ],
        "tuning": None
        if model.tuning is None
        else {
            "strategy": model.tuning.strategy,
            "metric": model.tuning.metric,
            "space": model.tuning.space,
            "inner_mean": model.tuning.inner_mean,
            "outer_mean": model.score(model.tuning.metric),
            "optimism": model.tuning.optimism,
            "fits": model.tuning.fits,
            "trials": model.tuning.trials,
            "pruned": model.tuning.pruned,
            "failed": model.tuning.failed,
            "search_seconds": model.tuning.seconds,
        },
        "rounds": model.rounds,
        "decision": None
        if model.decision is None
        else {
            "objective": model.decision.objective,
            "calibration": model.decision.calibration,
            "thresholds": list(model.decision.thresholds),
            "at_threshold": model.decision.at_threshold,
            "at_default_threshold": model.decision.at_default,
            "constraint_unmet_folds": list(model.decision.unmet_folds),
            "before_calibration": model.decision.before,
            "after_calibration": model.decision.after,
        },
        "baseline": model.name == BASELINE,
        "fit_seconds": model.fit_seconds,
        "predict_seconds": model.predict_seconds,
        "warnings": list(model.warnings),
    }


def fit_document(result: FitResult) -> dict[str, Any]:
    """The ``metrics.json`` / ``mlwb fit --json`` document."""
    return run_document(result, "fit")


def run_document(result: FitResult, kind: str) -> dict[str, Any]:
    """The document of an evaluation, as ``fit`` writes it (``kind`` fit) and as ``compare``
    extends it (``kind`` compare): one builder, so both read the same."""
    data = result.dataset
    return {
        **header(kind),
        "name": result.name,
        "run_dir": result.run_dir,
        "seed": result.seed,
        "dataset": {
            "source": data.source,
            "sha256": data.sha256,
            "rows": data.rows,
            "target": data.target,
            "task": data.task,
            "task_reason": data.task_reason,
            "classes": list(data.classes),
            "class_counts": data.class_counts,
            "positive": data.positive,
            "columns": [{"name": n, "role": r, "reason": why} for n, r, why in data.roles],
            "holdout_rows": data.holdout_rows,
        },
        "validation": result.validation,
        "inner_validation": result.inner,
        "metrics": list(result.metrics),
        "primary_metric": result.primary,
        "best_model": result.best,
        "models": {m.name: _model_document(m) for m in result.models},
        "final_model": None
        if result.final is None
        else {
            "name": result.final.name,
            "fit_seconds": result.final.fit_seconds,
            "path": result.final.path,
            "encoded_features": result.final.encoded_features,
            "features": list(result.final.features),
            "params": result.final.params,
            "inner_score": result.final.inner_score,
            "rounds": result.final.rounds,
        },
        "holdout": result.holdout,
        "decision": result.decision,
        "budget": result.budget,
        "ensemble": None
        if result.ensemble is None
        else {
            "against": result.ensemble.against,
            "metric": result.ensemble.metric,
            "difference": result.ensemble.difference,
            "p_value": result.ensemble.p_value,
            "saved": result.ensemble.saved,
        },
        "gates": [gate_document(g) for g in result.gates],
        "passed": gates_passed(result.gates),
        "notices": list(result.notices),
    }


def diagnostics_document(diagnostics: DiagnosticsResult) -> dict[str, Any]:
    """``diagnostics.json``: every field of the diagnostics, as the report reads them."""
    return {**header("diagnostics"), **to_jsonable(diagnostics)}


def environment_document(
    plan: RunPlan, data_path: str, versions: dict[str, str | None]
) -> dict[str, Any]:
    """``environment.json``: what a run needs to be reproduced — library versions, seed,
    workers, and the data file with its hash and row count (development plus holdout).

    It has no ``schema_version``: it never had one, and its keys stay as they are.
    """
    holdout_rows = plan.holdout.n_rows if plan.holdout else 0
    return {
        "versions": versions,
        "seed": plan.recipe.seed,
        "n_jobs": plan.recipe.n_jobs,
        "data": {
            "path": data_path,
            "sha256": plan.dataset.sha256,
            "rows": plan.dataset.n_rows + holdout_rows,
        },
    }
