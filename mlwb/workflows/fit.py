"""``mlwb fit``: evaluate every model, pick the best, refit it on all rows, save the run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mlwb.artifacts import RunFolder, check_output_dir, default_run_dir, save_model
from mlwb.data.dataset import Dataset, load_dataset
from mlwb.documents import fit_document, leaderboard_frame, oof_frame
from mlwb.environment import package_versions
from mlwb.errors import MlwbError, ModelFailed, RecipeError
from mlwb.estimators import DecodedClassifier
from mlwb.evaluate import cross_validate_pipeline, metric_directions
from mlwb.events import (
    EventSink,
    ModelFinished,
    ModelStarted,
    Notice,
    StageFinished,
    StageStarted,
    ignore_events,
)
from mlwb.metrics import better
from mlwb.models.baseline import BASELINE
from mlwb.recipe.loading import resolved_yaml
from mlwb.recipe.schema import Recipe
from mlwb.results import DatasetSummary, FinalModel, FitResult, ModelResult, summarise
from mlwb.workflows.plan import ModelPlan, RunPlan, plan_run


def _stage(events: EventSink, name: str, detail: str = "") -> float:
    events(StageStarted(name, detail))
    return time.perf_counter()


def _dataset_summary(dataset: Dataset) -> DatasetSummary:
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
    )


def _translate_failure(model: ModelPlan, error: Exception) -> MlwbError:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    for param in model.params:
        if f"'{param}'" in text or f"{param}=" in text:
            return RecipeError(f"models.{model.name}.{param}: {text}")
    return ModelFailed(f"{model.name} failed while fitting: {type(error).__name__}: {text}")


def evaluate_models(plan: RunPlan, events: EventSink = ignore_events) -> tuple[ModelResult, ...]:
    """Cross-validate every planned model on the same outer folds."""
    results = []
    directions = metric_directions(plan.metrics)
    for index, model in enumerate(plan.models):
        events(ModelStarted(model.name, index + 1, len(plan.models), len(plan.splits)))
        started = time.perf_counter()
        try:
            folds, oof, warnings = cross_validate_pipeline(
                model.name,
                model.pipeline,
                plan.dataset.X,
                plan.dataset.y,
                plan.splits,
                plan.metrics,
                plan.metric_context,
                plan.parallelism.workers,
                events,
                plan.parallelism.threads,
            )
        except (KeyboardInterrupt, MlwbError):
            raise
        except Exception as error:
            raise _translate_failure(model, error) from error
        for warning in warnings:
            events(Notice(warning, "warning"))
        result = ModelResult(
            name=model.name,
            params=model.params,
            preprocessing=model.preprocessing,
            folds=folds,
            summary=summarise(folds, plan.metrics, directions),
            oof=oof,
            warnings=warnings,
            steps=model.steps,
        )
        events(
            ModelFinished(
                model.name, plan.primary, result.score(plan.primary), time.perf_counter() - started
            )
        )
        results.append(result)
    return tuple(results)


def pick_best(results: tuple[ModelResult, ...], metric: str) -> str:
    """The model with the best validation mean on ``metric`` (first listed on ties).

    The baseline is the floor the others are measured against, never the pick, unless it
    is the only model.
    """
    candidates = [r for r in results if r.name != BASELINE] or list(results)
    best = candidates[0]
    for result in candidates[1:]:
        if better(metric, result.score(metric), best.score(metric)):
            best = result
    return best.name


def model_features(final: Any) -> tuple[int | None, tuple[str, ...]]:
    """Width of the encoded feature table, and the features the model itself receives
    (after selection) — read from the fitted pipeline."""
    pipeline = getattr(final, "pipeline_", final)
    encoded = None
    if "encode" in pipeline.named_steps:
        encoded = len(pipeline.named_steps["encode"].get_feature_names_out())
    model = pipeline[-1]
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = getattr(model, "feature_name_", None)
    return encoded, tuple(str(n) for n in names) if names is not None else ()


def refit_final(plan: RunPlan, name: str) -> tuple[Any, float]:
    """The chosen pipeline fitted on all rows, wrapped to speak the user's labels."""
    model = next(m for m in plan.models if m.name == name)
    dataset = plan.dataset
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    with threadpool_limits(limits=plan.parallelism.threads * plan.parallelism.workers):
        if plan.task == "regression":
            from sklearn.base import clone

            final = clone(model.pipeline).fit(dataset.X, dataset.y)
        else:
            classes = dataset.target.classes
            final = DecodedClassifier(model.pipeline, classes, dataset.target.positive_index)
            labels = [classes[code] for code in dataset.y]
            final.fit(dataset.X, labels)
    return final, time.perf_counter() - started


def _write_run(
    folder: RunFolder, plan: RunPlan, result: FitResult, final: Any, data_path: str
) -> None:
    folder.write_text("recipe.resolved.yaml", resolved_yaml(plan.recipe))
    folder.write_json("metrics.json", fit_document(result))
    folder.write_csv("leaderboard.csv", leaderboard_frame(result))
    folder.write_csv("oof_predictions.csv", oof_frame(result, plan.dataset.y))
    folder.write_json(
        "environment.json",
        {
            "versions": package_versions(),
            "seed": plan.recipe.seed,
            "n_jobs": plan.recipe.n_jobs,
            "data": {"path": data_path, "sha256": plan.dataset.sha256, "rows": plan.dataset.n_rows},
        },
    )
    if final is not None:
        save_model(
            folder,
            final,
            plan.dataset.contract(),
            {
                "name": result.name,
                "model": result.best,
                "task": plan.task,
                "target": plan.dataset.target_name,
                "classes": list(plan.dataset.target.classes),
                "positive": plan.dataset.positive_label,
                "threshold": 0.5 if plan.task == "binary" else None,
                "params": next(m.params for m in result.models if m.name == result.best),
                "metric": plan.primary,
                "cv_score": result.model(result.best).score(plan.primary),
            },
        )


def run_fit(
    recipe: Recipe,
    data_path: str | Path,
    out: Path | None = None,
    force: bool = False,
    events: EventSink = ignore_events,
) -> FitResult:
    """Run ``mlwb fit`` end to end and write the run folder; return the results."""
    target_dir = out or default_run_dir(recipe.name or "run")
    check_output_dir(target_dir, force)
    started = _stage(events, "read data", str(data_path))
    dataset = load_dataset(data_path, recipe)
    for notice in dataset.notices:
        events(Notice(notice))
    plan = plan_run(recipe, dataset)
    for notice in plan.notices:
        events(Notice(notice))
    events(StageFinished("read data", time.perf_counter() - started))

    started = _stage(events, "evaluate", plan.outer.description)
    results = evaluate_models(plan, events)
    events(StageFinished("evaluate", time.perf_counter() - started))
    best = pick_best(results, plan.primary)

    started = _stage(events, "refit", best)
    final, fit_seconds = refit_final(plan, best)
    encoded, features = model_features(final)
    events(StageFinished("refit", time.perf_counter() - started))

    result = FitResult(
        name=recipe.name or "run",
        dataset=_dataset_summary(dataset),
        validation=plan.outer.description,
        metrics=plan.metrics,
        primary=plan.primary,
        models=results,
        best=best,
        final=FinalModel(best, fit_seconds, "model.joblib", encoded, features),
        notices=dataset.notices + plan.notices + tuple(w for r in results for w in r.warnings),
        seed=recipe.seed,
        run_dir=str(target_dir),
    )
    started = _stage(events, "write", str(target_dir))
    with RunFolder(target_dir, force) as folder:
        _write_run(folder, plan, result, final, str(data_path))
    events(StageFinished("write", time.perf_counter() - started))
    return result
