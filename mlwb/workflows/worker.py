"""``mlwb worker``: lend this process's trials to the searches of a run whose search
storage is shared (PostgreSQL), on this machine or another.

A worker plans the recipe exactly as ``mlwb fit`` does — the same outer folds, the same
study names — and runs trials in each outer fold's study until the run's budget of trials
is used, together with every other process on the study. It fits no final model and writes
no run folder: the one ``mlwb fit --resume`` process does the outer scoring, the final
search and the refit, once. Each process draws its own sampler seed (see
``mlwb.search.optuna_search``), so no two run the same configurations.
"""

from __future__ import annotations

from pathlib import Path

from mlwb.data.dataset import load_dataset
from mlwb.errors import UsageError
from mlwb.evaluation import prepare_outer_studies, search_outer_fold
from mlwb.events import EventSink, StepDone, ignore_events
from mlwb.parallel import run_parallel, use_execution
from mlwb.plan import plan_run
from mlwb.recipe.schema import Recipe
from mlwb.results import WorkerModel
from mlwb.workflows.fit import recipe_execution

SHARED_STRATEGIES = ("grid", "random", "bayes")


def run_worker(
    recipe: Recipe, data_path: str | Path, events: EventSink = ignore_events
) -> tuple[WorkerModel, ...]:
    """Run trials in every outer fold's study of the recipe's searched models."""
    if not recipe.search.storage:
        raise UsageError(
            "worker: search.storage is not set; a worker shares the studies of a storage",
            "add --set search.storage=postgresql://user@host:port/db (the fit process's)",
        )
    with use_execution(recipe_execution(recipe), recipe.n_jobs):
        plan = plan_run(recipe, load_dataset(data_path, recipe), resume=True)
        tuned = [
            m
            for m in plan.models
            if m.tuning is not None and m.tuning.settings.strategy in SHARED_STRATEGIES
        ]
        if not tuned:
            raise UsageError(
                "worker: the recipe searches no model with grid, random or bayes",
                "set search.strategy and give a model a search space",
            )
        done = []
        for model in tuned:
            assert model.tuning is not None
            tuning = prepare_outer_studies(model.tuning, len(plan.splits))
            jobs = [
                (
                    model.name,
                    model.pipeline,
                    tuning,
                    plan.dataset.X,
                    plan.dataset.y,
                    train,
                    i,
                    plan.split_data,
                    plan.metric_context,
                    plan.parallelism.threads,
                )
                for i, (train, _) in enumerate(plan.splits)
            ]
            trials = complete = 0
            workers = plan.parallelism.workers
            for k, result in enumerate(run_parallel(search_outer_fold, jobs, workers)):
                trials += len(result.trials)
                complete += sum(t.state == "complete" for t in result.trials)
                events(StepDone(model.name, k + 1, len(jobs), f"outer {k + 1}"))
            done.append(WorkerModel(model.name, len(jobs), trials, complete))
        return tuple(done)
