"""``mlwb fit``: evaluate every model, pick the best, refit it on all rows, save the run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mlwb.artifacts import RunFolder, check_output_dir, default_run_dir, save_model
from mlwb.data.dataset import Dataset, load_dataset
from mlwb.documents import (
    fit_document,
    holdout_frame,
    leaderboard_frame,
    oof_frame,
    trials_frame,
)
from mlwb.environment import package_versions
from mlwb.events import EventSink, Notice, StageFinished, StageStarted, ignore_events
from mlwb.gates import Gate, check_gates
from mlwb.recipe.loading import resolved_yaml
from mlwb.recipe.schema import Recipe
from mlwb.results import DatasetSummary, FinalModel, FitResult
from mlwb.workflows.evaluation import evaluate_models, pick_best
from mlwb.workflows.final import FinalFit, fit_final, model_features
from mlwb.workflows.plan import RunPlan, plan_run


def _stage(events: EventSink, name: str, detail: str = "") -> float:
    events(StageStarted(name, detail))
    return time.perf_counter()


def dataset_summary(dataset: Dataset, holdout: Dataset | None = None) -> DatasetSummary:
    """The data facts reports need (``rows`` counts the development rows)."""
    return DatasetSummary(
        source=dataset.source,
        sha256=dataset.sha256,
        rows=dataset.n_rows,
        target=dataset.target_name,
        task=dataset.task,
        task_reason=dataset.target.reason,
        classes=dataset.target.classes,
        class_counts={str(k): v for k, v in dataset.target.class_counts().items()},
        positive=dataset.positive_label,
        roles=tuple((c.name, c.role, c.reason) for c in dataset.roles.columns),
        holdout_rows=holdout.n_rows if holdout is not None else 0,
    )


def _write_run(
    folder: RunFolder, plan: RunPlan, result: FitResult, final: FinalFit, data_path: str
) -> None:
    folder.write_text("recipe.resolved.yaml", resolved_yaml(plan.recipe))
    folder.write_json("metrics.json", fit_document(result))
    folder.write_csv("leaderboard.csv", leaderboard_frame(result))
    folder.write_csv("oof_predictions.csv", oof_frame(result, plan.dataset))
    trials = trials_frame(result)
    if trials is not None:
        folder.write_csv("trials.csv", trials)
    if plan.holdout is not None:
        folder.write_csv("holdout_predictions.csv", holdout_frame(plan, final.model))
    folder.write_json(
        "environment.json",
        {
            "versions": package_versions(),
            "seed": plan.recipe.seed,
            "n_jobs": plan.recipe.n_jobs,
            "data": {
                "path": data_path,
                "sha256": plan.dataset.sha256,
                "rows": plan.dataset.n_rows + (plan.holdout.n_rows if plan.holdout else 0),
            },
        },
    )
    assert result.final is not None
    save_model(
        folder,
        final.model,
        plan.dataset.contract(),
        {
            "name": result.name,
            "model": result.best,
            "task": plan.task,
            "target": plan.dataset.target_name,
            "classes": list(plan.dataset.target.classes),
            "positive": plan.dataset.positive_label,
            "threshold": getattr(final.model, "threshold_", None)
            if plan.task == "binary"
            else None,
            "params": result.final.params,
            "metric": plan.primary,
            "cv_score": result.model(result.best).score(plan.primary),
            "holdout": result.holdout,
        },
    )


def run_fit(
    recipe: Recipe,
    data_path: str | Path,
    out: Path | None = None,
    force: bool = False,
    events: EventSink = ignore_events,
    resume: bool = False,
    gates: tuple[Gate, ...] = (),
) -> FitResult:
    """Run ``mlwb fit`` end to end and write the run folder; return the results."""
    target_dir = out or default_run_dir(recipe.name or "run")
    check_output_dir(target_dir, force)
    started = _stage(events, "read data", str(data_path))
    dataset = load_dataset(data_path, recipe)
    for notice in dataset.notices:
        events(Notice(notice))
    plan = plan_run(recipe, dataset, resume, gates)
    for notice in plan.notices:
        events(Notice(notice))
    events(StageFinished("read data", time.perf_counter() - started))

    detail = plan.outer.description + (
        f"; tuning: {recipe.search.strategy} search on {plan.inner.description} inner folds"
        if plan.tuned and plan.inner
        else ""
    )
    started = _stage(events, "evaluate", detail)
    results = evaluate_models(plan, events)
    events(StageFinished("evaluate", time.perf_counter() - started))
    best = pick_best(results, plan.primary)

    started = _stage(events, "refit", best)
    final = fit_final(plan, best, events)
    encoded, features = model_features(final.model)
    events(StageFinished("refit", time.perf_counter() - started))

    chosen: dict[str, Any] = (
        dict(final.search.best_params) if final.search else dict(result_params(results, best))
    )
    result = FitResult(
        name=recipe.name or "run",
        dataset=dataset_summary(plan.dataset, plan.holdout),
        validation=plan.outer.description,
        metrics=plan.metrics,
        primary=plan.primary,
        models=results,
        best=best,
        final=FinalModel(
            best,
            final.seconds,
            "model.joblib",
            encoded,
            features,
            chosen,
            final.search.best_score if final.search else None,
            final.search.trials if final.search else (),
        ),
        notices=dataset.notices + plan.notices + tuple(w for r in results for w in r.warnings),
        seed=recipe.seed,
        run_dir=str(target_dir),
        holdout=final.holdout,
        inner=plan.inner.description if plan.tuned and plan.inner else None,
        gates=tuple(_check(plan, results, best, final)),
        decision=plan.decision.describe() if plan.decision else "",
    )
    started = _stage(events, "write", str(target_dir))
    with RunFolder(target_dir, force) as folder:
        _write_run(folder, plan, result, final, str(data_path))
    events(StageFinished("write", time.perf_counter() - started))
    return result


def result_params(results: tuple[Any, ...], name: str) -> dict[str, Any]:
    """The recipe parameters of model ``name`` (an ensemble's members as a list)."""
    params = next(r.params for r in results if r.name == name)
    return params if isinstance(params, dict) else {"members": params}


def _check(plan: RunPlan, results: tuple[Any, ...], best: str, final: FinalFit) -> list[Any]:
    """The run's gates on the holdout scores when there are any, else on the best model's
    outer cross-validation means."""
    if final.holdout is not None:
        return check_gates(plan.gates, final.holdout, f"holdout of {best}")
    model = next(r for r in results if r.name == best)
    means = {metric: summary.mean for metric, summary in model.summary.items()}
    return check_gates(plan.gates, means, f"cross-validation mean of {best}")
