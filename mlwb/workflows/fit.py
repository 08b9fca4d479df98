"""``mlwb fit``: evaluate every model, pick the best, refit it on all rows, save the run."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlwb.artifacts import (
    MODEL_FILES,
    RunFolder,
    check_output_dir,
    default_run_dir,
    model_key,
    package_versions,
    save_model,
)
from mlwb.cluster import Execution
from mlwb.compare.gates import Gate, check_gates
from mlwb.data.dataset import Dataset, load_dataset
from mlwb.diagnose import DiagnosticsResult, run_diagnostics
from mlwb.documents import (
    diagnostics_document,
    environment_document,
    fit_document,
    holdout_frame,
    importance_frame,
    leaderboard_frame,
    learning_curve_frame,
    oof_frame,
    trials_frame,
    validation_curve_frame,
)
from mlwb.events import EventSink, Notice, StageFinished, StageStarted, ignore_events
from mlwb.parallel import use_execution
from mlwb.plan import DefaultModels, RunPlan, check_resume, plan_run
from mlwb.plan._time import RunClock, TimeBudget
from mlwb.recipe.loading import resolved_yaml
from mlwb.recipe.schema import Recipe
from mlwb.results import DatasetSummary, FinalFit, FinalModel, FitResult
from mlwb.workflows.cross_validation import Evaluation, evaluate_models
from mlwb.workflows.ensemble import ENSEMBLE, ensemble_test
from mlwb.workflows.final import EarlyRefit, early_refit, fit_final, model_features

ReportWriter = Callable[[Path, dict[str, Any], dict[str, Any]], None]


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


def write_run(
    folder: RunFolder,
    plan: RunPlan,
    result: FitResult,
    final: FinalFit | None,
    data_path: str,
    document: dict[str, Any] | None = None,
) -> None:
    """Every file of a run folder; the model only when there is a ``final`` one."""
    folder.write_text("recipe.resolved.yaml", resolved_yaml(plan.recipe))
    folder.write_json("metrics.json", document or fit_document(result))
    folder.write_csv("leaderboard.csv", leaderboard_frame(result))
    folder.write_csv("oof_predictions.csv", oof_frame(result, plan.dataset))
    trials = trials_frame(result)
    if trials is not None:
        folder.write_csv("trials.csv", trials)
    if plan.holdout is not None and final is not None:
        folder.write_csv("holdout_predictions.csv", holdout_frame(plan, final.model))
    folder.write_json("environment.json", environment_document(plan, data_path, package_versions()))
    if final is None or result.final is None:
        return
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
            "positive_index": plan.dataset.target.positive_index,
            "threshold": getattr(final.model, "threshold_", None)
            if plan.task == "binary"
            else None,
            "params": result.final.params,
            "metric": plan.primary,
            "metrics": list(plan.metrics),
            "beta": float(plan.recipe.threshold.beta),
            "cv_score": result.model(result.best).score(plan.primary),
            "holdout": result.holdout,
        },
        model_format=plan.recipe.artifacts.format,
        key=model_key(),
    )


def prepare_run(
    recipe: Recipe,
    data_path: str | Path,
    events: EventSink = ignore_events,
    resume: bool = False,
    gates: tuple[Gate, ...] = (),
    default_models: DefaultModels | None = None,
) -> RunPlan:
    """Read the data and plan the run (the "read data" stage)."""
    check_resume(recipe, resume)
    started = _stage(events, "read data", str(data_path))
    dataset = load_dataset(data_path, recipe)
    for notice in dataset.notices:
        events(Notice(notice))
    plan = plan_run(recipe, dataset, resume, gates, default_models)
    for notice in plan.notices:
        events(Notice(notice))
    events(StageFinished("read data", time.perf_counter() - started))
    return plan


def evaluate_stage(
    plan: RunPlan,
    events: EventSink = ignore_events,
    clock: RunClock | None = None,
    early: EarlyRefit | None = None,
) -> Evaluation:
    """Every model on the outer folds (the "evaluate" stage): the results and the best;
    ``early``, the final fit, runs alongside its model's folds."""
    recipe = plan.recipe
    detail = plan.outer.description
    if plan.tuned and plan.inner:
        detail += (
            f"; tuning: {recipe.search.strategy} search on {plan.inner.description} inner folds"
        )
    if plan.budgeted_search:
        detail += "; each model's portfolio, then Bayesian trials, chosen per fold on the others"
    if plan.budget:
        detail += f"; budget {plan.budget.seconds:g} s"
    started = _stage(events, "evaluate", detail)
    sides = {early.name: early.job} if early is not None else None
    evaluation = evaluate_models(plan, events, clock, sides)
    events(StageFinished("evaluate", time.perf_counter() - started))
    return evaluation


def _decided_on_oof(evaluation: Evaluation, name: str) -> bool:
    """Whether ``name`` takes its threshold from out-of-fold probabilities."""
    budgeted = evaluation.budgeted
    return name == ENSEMBLE or (budgeted is not None and name in budgeted.best_params)


def final_params(evaluation: Evaluation, final: FinalFit) -> dict[str, Any]:
    """The parameters the final model was refit with: the final search's choice, the
    budgeted search's best configuration, an ensemble's members with their weights and
    configurations, or the recipe's."""
    name = final.name
    budgeted = evaluation.budgeted
    if name == ENSEMBLE:
        return {
            "members": {
                member: {
                    "weight": weight,
                    "params": dict(budgeted.best_params.get(member, {}))
                    if budgeted is not None
                    else result_params(evaluation.results, member),
                }
                for member, weight in evaluation.ensemble_weights.items()
            }
        }
    if final.search is not None:
        return dict(final.search.best_params)
    if budgeted is not None and name in budgeted.best_params:
        return dict(budgeted.best_params[name])
    return dict(result_params(evaluation.results, name))


def assemble_result(
    plan: RunPlan,
    evaluation: Evaluation,
    final: FinalFit | None,
    target_dir: Path,
    cuts: tuple[str, ...] = (),
) -> FitResult:
    """The ``FitResult`` of an evaluation, with the final model when one was refit;
    ``cuts`` are what the time budget left out."""
    recipe = plan.recipe
    results, best = evaluation.results, evaluation.best
    final_model = None
    if final is not None:
        encoded, features = model_features(final.model)
        final_model = FinalModel(
            best,
            final.seconds,
            MODEL_FILES[recipe.artifacts.format],
            encoded,
            features,
            final_params(evaluation, final),
            final.search.best_score if final.search else None,
            final.search.trials if final.search else (),
            dict(final.rounds),
        )
    dataset = plan.dataset
    searched = evaluation.budgeted.notes if evaluation.budgeted is not None else ()
    return FitResult(
        name=recipe.name or "run",
        dataset=dataset_summary(dataset, plan.holdout),
        validation=plan.outer.description,
        metrics=plan.metrics,
        primary=plan.primary,
        models=results,
        best=best,
        final=final_model,
        notices=dataset.notices
        + plan.notices
        + tuple(w for r in results for w in r.warnings)
        + tuple(searched)
        + tuple(cuts),
        seed=recipe.seed,
        run_dir=str(target_dir),
        holdout=final.holdout if final is not None else None,
        inner=plan.inner.description if plan.tuned and plan.inner else None,
        gates=tuple(_check(plan, results, best, final)),
        decision=plan.decision.describe(on_oof=_decided_on_oof(evaluation, best))
        if plan.decision
        else "",
        budget=plan.budget.seconds,
        ensemble=ensemble_test(results, best, plan.primary),
    )


def recipe_execution(recipe: Recipe) -> Execution:
    """The recipe's ``execution:`` as the parallel seam's settings."""
    run = recipe.execution
    return Execution(run.backend, run.address, run.workers)


def run_fit(
    recipe: Recipe,
    data_path: str | Path,
    out: Path | None = None,
    force: bool = False,
    events: EventSink = ignore_events,
    resume: bool = False,
    gates: tuple[Gate, ...] = (),
    report: ReportWriter | None = None,
    started: float | None = None,
) -> FitResult:
    """Run ``mlwb fit`` end to end and write the run folder; return the results.

    ``report`` (from the rendering layer) writes the Markdown/HTML reports into the run
    folder before it is moved into place, so a failed report leaves no half run behind.
    ``started`` (a ``time.monotonic()`` value) is when the command started: the time
    budget counts from there, imports and recipe loading included. Every parallel step
    runs where the recipe's ``execution:`` says.
    """
    started = time.monotonic() if started is None else started
    with use_execution(recipe_execution(recipe), recipe.n_jobs):
        return _run_fit(recipe, data_path, out, force, events, resume, gates, report, started)


def _run_fit(
    recipe: Recipe,
    data_path: str | Path,
    out: Path | None,
    force: bool,
    events: EventSink,
    resume: bool,
    gates: tuple[Gate, ...],
    report: ReportWriter | None,
    started: float,
) -> FitResult:
    clock = RunClock(TimeBudget(None), started=started)
    target_dir = out or default_run_dir(recipe.name or "run")
    check_output_dir(target_dir, force)
    plan = prepare_run(recipe, data_path, events, resume, gates)
    clock.budget = plan.budget
    evaluating = time.perf_counter()
    early = early_refit(plan)
    evaluation = evaluate_stage(plan, events, clock, early)
    evaluation_seconds = time.perf_counter() - evaluating
    results, best = evaluation.results, evaluation.best
    started = _stage(events, "refit", best)
    final = fit_final(plan, best, events, evaluation, clock, early)
    events(StageFinished("refit", time.perf_counter() - started))
    result = assemble_result(plan, evaluation, final, target_dir, tuple(clock.cuts))
    started = _stage(events, "diagnose", best)
    allowance = clock.diagnostics_allowance(evaluation_seconds)
    diagnostics = run_diagnostics(plan, results, best, final, events, allowance)
    result = dataclasses.replace(
        result, diagnostics=diagnostics, notices=result.notices + diagnostics.notes
    )
    events(StageFinished("diagnose", time.perf_counter() - started))
    started = _stage(events, "write", str(target_dir))
    with RunFolder(target_dir, force) as folder:
        write_run(folder, plan, result, final, str(data_path))
        _write_diagnostics(folder, diagnostics)
        if report is not None:
            report(folder.tmp, fit_document(result), diagnostics_document(diagnostics))
    events(StageFinished("write", time.perf_counter() - started))
    return result


def _write_diagnostics(folder: RunFolder, diagnostics: DiagnosticsResult) -> None:
    folder.write_json("diagnostics.json", diagnostics_document(diagnostics))
    if diagnostics.learning_curves:
        folder.write_csv("learning_curve.csv", learning_curve_frame(diagnostics.learning_curves))
    if diagnostics.validation_curve is not None:
        folder.write_csv(
            "validation_curve.csv", validation_curve_frame(diagnostics.validation_curve)
        )
    importances = [i for i in (diagnostics.permutation, diagnostics.model_importance) if i]
    if importances:
        folder.write_csv("importance.csv", importance_frame(importances))


def result_params(results: tuple[Any, ...], name: str) -> dict[str, Any]:
    """The recipe parameters of model ``name`` (an ensemble's members as a list)."""
    params = next(r.params for r in results if r.name == name)
    return params if isinstance(params, dict) else {"members": params}


def _check(plan: RunPlan, results: tuple[Any, ...], best: str, final: FinalFit | None) -> list[Any]:
    """The run's gates on the holdout scores when there are any, else on the best model's
    outer cross-validation means."""
    if final is not None and final.holdout is not None:
        return check_gates(plan.gates, final.holdout, f"holdout of {best}")
    model = next(r for r in results if r.name == best)
    means = {metric: summary.mean for metric, summary in model.summary.items()}
    return check_gates(plan.gates, means, f"cross-validation mean of {best}")
