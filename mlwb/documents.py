"""JSON documents and tables built from results: ``metrics.json``, ``--json``, CSV files.

One builder per document, so the ``--json`` output and the files in the run folder are
the same numbers by construction. Every document carries ``schema_version``; its keys are
a contract (documented in the README) and only ever gain members within a version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlwb.models.baseline import BASELINE
from mlwb.results import FitResult, ModelResult

if TYPE_CHECKING:
    from mlwb.compare.gates import GateResult
    from mlwb.data.dataset import Dataset
    from mlwb.plan import RunPlan

SCHEMA_VERSION = 1


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


def gate_document(result: GateResult, **extra: Any) -> dict[str, Any]:
    """One checked gate, as every document reports it."""
    return {
        "gate": str(result.gate),
        "metric": result.gate.metric,
        "op": result.gate.op,
        "threshold": result.gate.threshold,
        "value": result.value,
        "source": result.source,
        "passed": result.passed,
        **extra,
    }


def fit_document(result: FitResult) -> dict[str, Any]:
    """The ``metrics.json`` / ``mlwb fit --json`` document."""
    data = result.dataset
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "fit",
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
        },
        "holdout": result.holdout,
        "decision": result.decision,
        "gates": [gate_document(g) for g in result.gates],
        "passed": all(g.passed for g in result.gates),
        "notices": list(result.notices),
    }


def leaderboard_frame(result: FitResult) -> pd.DataFrame:
    """One row per model, best first on the primary metric, with mean and std per metric."""
    from mlwb.metrics import METRICS

    rows = []
    for model in result.models:
        row: dict[str, Any] = {"model": model.name}
        for metric in result.metrics:
            summary = model.summary[metric]
            row[f"{metric}_mean"] = summary.mean
            row[f"{metric}_std"] = summary.std
        row["fit_seconds"] = model.fit_seconds
        row["predict_seconds"] = model.predict_seconds
        row["total_seconds"] = model.total_seconds
        if model.tuning is not None:
            row["inner_mean"] = model.tuning.inner_mean
            row["optimism"] = model.tuning.optimism
        rows.append(row)
    frame = pd.DataFrame(rows)
    ascending = not METRICS[result.primary].greater_is_better
    frame = frame.sort_values(
        f"{result.primary}_mean", ascending=ascending, na_position="last", kind="stable"
    )
    frame.insert(1, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def oof_frame(result: FitResult, dataset: Dataset) -> pd.DataFrame:
    """Out-of-fold predictions of every model, long format, in the user's labels.

    ``row`` is the data row in the file (1-based), whatever order the rows were evaluated in.
    """
    classes = list(result.dataset.classes)
    y = dataset.y
    rows = np.asarray(dataset.X.index) + 1
    frames = []
    for model in result.models:
        oof = model.oof
        frame = pd.DataFrame(
            {
                "model": model.name,
                "row": rows,
                "fold": oof.fold + 1,
            }
        )
        if classes:
            labels = np.asarray(classes, dtype=object)
            frame["target"] = labels[y]
            frame["prediction"] = labels[oof.labels]
            if oof.scores is not None:
                for k, label in enumerate(classes):
                    frame[f"proba_{label}"] = oof.scores[:, k]
        else:
            frame["target"] = y
            frame["prediction"] = oof.labels
            frame["residual"] = y - oof.labels
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sort_values(["model", "row"], kind="stable")


def trials_frame(result: FitResult) -> pd.DataFrame | None:
    """Every search trial of every model (outer folds and the final search), or None."""
    rows = []
    final_trials = result.final.trials if result.final else ()
    for model in result.models:
        trials = list(model.trials) + (list(final_trials) if model.name == result.best else [])
        for trial in trials:
            rows.append(
                {
                    "model": model.name,
                    "search": trial.scope,
                    "trial": trial.number,
                    "state": trial.state,
                    result.primary: trial.value,
                    "inner_folds": trial.folds,
                    "rows": trial.resources,
                    "seconds": trial.seconds,
                    "error": trial.error,
                    **{f"param_{k}": v for k, v in trial.params.items()},
                }
            )
    return pd.DataFrame(rows) if rows else None


def holdout_frame(plan: RunPlan, final: Any) -> pd.DataFrame:
    """The final model's predictions for the holdout rows, in the user's labels."""
    holdout = plan.holdout
    assert holdout is not None
    frame = pd.DataFrame({"row": np.asarray(holdout.X.index) + 1})
    classes = list(holdout.target.classes)
    if classes:
        labels = np.asarray(classes, dtype=object)
        frame["target"] = labels[holdout.y]
        frame["prediction"] = final.predict(holdout.X)
        proba = final.predict_proba(holdout.X)
        for k, label in enumerate(classes):
            frame[f"proba_{label}"] = proba[:, k]
    else:
        frame["target"] = holdout.y
        frame["prediction"] = final.predict(holdout.X)
        frame["residual"] = frame["target"] - frame["prediction"]
    return frame


def plan_document(plan: RunPlan) -> dict[str, Any]:
    """The ``mlwb validate --json`` document: what a fit would do, nothing fitted."""
    dataset = plan.dataset
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "plan",
        "name": plan.recipe.name,
        "dataset": {
            "source": dataset.source,
            "rows": dataset.n_rows,
            "target": dataset.target_name,
            "task": plan.task,
            "task_reason": dataset.target.reason,
            "classes": list(dataset.target.classes),
            "class_counts": {str(k): v for k, v in dataset.target.class_counts().items()},
            "positive": dataset.positive_label,
            "columns": [
                {"name": c.name, "role": c.role, "reason": c.reason} for c in dataset.roles.columns
            ],
        },
        "validation": plan.outer.description,
        "metrics": list(plan.metrics),
        "primary_metric": plan.primary,
        "models": {
            model.name: {
                "params": model.params,
                "preprocessing": list(model.preprocessing),
                "pipeline": [
                    {"step": s.name, "what": s.what, "learns": s.learns} for s in model.steps
                ],
            }
            for model in plan.models
        },
        "notices": list(dataset.notices + plan.notices),
    }


def catalogue_document(task: str | None = None) -> dict[str, Any]:
    """The ``mlwb models --json`` document: every catalogue entry and what it knows."""
    from mlwb.models import all_models

    models = []
    for spec in all_models():
        if task is not None and task not in spec.tasks:
            continue
        models.append(
            {
                "name": spec.name,
                "summary": spec.summary,
                "tasks": sorted(spec.tasks),
                "family": spec.family,
                "needs_scaling": spec.needs_scaling,
                "categorical": spec.categorical,
                "handles_missing": spec.handles_missing,
                "class_weight": spec.class_weight,
                "losses": sorted(spec.losses),
                "early_stopping": spec.early_stopping,
                "default_space": dict(spec.default_space),
                "regression_space": (
                    dict(spec.regression_space) if spec.regression_space is not None else None
                ),
            }
        )
    return {"schema_version": SCHEMA_VERSION, "kind": "models", "task": task, "models": models}
