"""Grid, random and Bayesian (TPE) search as Optuna studies over the inner folds.

One objective serves all three: it scores a configuration fold by fold and, for Bayesian
search with pruning, reports each running mean to the pruner so a poor configuration
stops after a fold or two. Optuna supplies the samplers, the pruner, the time budget and
the storages that make a search resumable; a trial that raises inside a library is
recorded as failed and the search goes on.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from mlwb import interrupts
from mlwb.search.base import SearchResult, SearchSettings, TrialRecord
from mlwb.search.space import SearchSpace
from mlwb.search.storage import (
    PROCESS_ATTR,
    claim_index,
    fail_abandoned,
    open_storage,
    prepare_studies,
    quietly,
    this_process,
)

TrialCallback = Callable[[int, int], None]
# A configuration (recipe parameter names) → its score on each inner fold, in order.
FoldScores = Callable[[dict[str, Any]], Iterator[float]]
INTERRUPTED = "interrupted (the process stopped while this trial ran)"
# Seeds of processes sharing a study lie this far apart (a resume adds the trial count).
SEED_STRIDE = 1_000_003
# Seconds between looks at trials that other processes sharing the study still run.
POLL_SECONDS = 0.5


def _sampler(settings: SearchSettings, space: SearchSpace) -> Any:
    import optuna

    if settings.strategy == "grid":
        return optuna.samplers.GridSampler(space.grid(), seed=settings.seed)
    if settings.strategy == "random":
        return optuna.samplers.RandomSampler(seed=settings.seed)
    return optuna.samplers.TPESampler(seed=settings.seed, n_startup_trials=5)


def _pruner(settings: SearchSettings) -> Any:
    import optuna

    if settings.strategy == "bayes" and settings.pruning:
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    return optuna.pruners.NopPruner()


def _open_study(settings: SearchSettings, space: SearchSpace) -> Any:
    """The study of this search. With a storage, the main process has normally prepared
    it (``prepare_studies``); a library caller that did not gets it prepared here."""
    import optuna

    direction = "maximize" if settings.greater_is_better else "minimize"
    storage = None
    if settings.storage:
        if not settings.prepared:
            prepare_studies(settings.storage, [settings.study_name], direction, settings.resume)
        storage = open_storage(settings.storage, create_tables=False, heartbeat=settings.heartbeat)
    study = optuna.create_study(
        storage=storage,
        study_name=settings.study_name,
        direction=direction,
        sampler=_sampler(settings, space),
        pruner=_pruner(settings),
        load_if_exists=storage is not None,
    )
    index = claim_index(storage, settings.study_name) if storage is not None else 0
    if storage is not None and (study.trials or index):
        fail_abandoned(study, keep_unnamed=bool(settings.heartbeat))
        # A resumed search must not replay the configurations already tried, and processes
        # sharing the study must not draw the same ones (the same seed in each duplicated
        # every trial): the seed moves with the trials held and this process's index.
        seed = settings.seed + len(study.trials) + SEED_STRIDE * index
        study.sampler = _sampler(dataclasses.replace(settings, seed=seed), space)
    return study


def _interrupted(trial: Any) -> bool:
    from optuna.trial import TrialState

    return trial.state == TrialState.FAIL and "error" not in trial.user_attrs


def _counted(trial: Any) -> bool:
    """Trials that use up the budget: finished ones and those running (here or in another
    process sharing the study); not interrupted ones, nor retries still waiting to run."""
    from optuna.trial import TrialState

    return trial.state != TrialState.WAITING and not _interrupted(trial)


def _budget(study: Any, settings: SearchSettings, space: SearchSpace) -> int:
    done = [t for t in study.trials if _counted(t)]
    total = settings.trials
    if settings.strategy == "grid":
        size = space.size() or settings.trials
        total = min(size, settings.trials) if settings.cap_grid else size
    return max(0, total - len(done))


def optuna_search(
    space: SearchSpace,
    fold_scores: FoldScores,
    settings: SearchSettings,
    scope: str,
    on_trial: TrialCallback | None = None,
) -> SearchResult:
    """Run (or resume) one study; the best configuration by mean inner score.

    ``fold_scores(params)`` gives a configuration's score on each inner fold in turn (the
    caller owns the folds and how they are fitted); Bayesian search with pruning reports
    each running mean to the pruner, and a poor configuration stops after a fold or two.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    started = time.perf_counter()
    study = _open_study(settings, space)
    metric = settings.metric
    pruned = optuna.TrialPruned

    def objective(trial: Any) -> float:
        trial.set_user_attr(PROCESS_ATTR, this_process())
        params = space.suggest(trial)
        scores: list[float] = []
        try:
            for k, score in enumerate(fold_scores({**space.fixed, **params})):
                if math.isnan(score):
                    raise ValueError(f"{metric} is undefined on an inner fold")
                scores.append(score)
                trial.set_user_attr("folds", len(scores))
                if settings.strategy == "bayes" and settings.pruning:
                    trial.report(float(np.mean(scores)), k)
                    if trial.should_prune():
                        raise pruned()
        except pruned:
            raise
        except Exception as error:
            text = str(error).strip().splitlines()[0] if str(error).strip() else ""
            trial.set_user_attr("error", f"{type(error).__name__}: {text}"[:300])
            raise
        return float(np.mean(scores))

    def stop_when_spent(study: Any, trial: Any) -> None:
        # Processes sharing the study stop once together they used the budget.
        if settings.storage and _budget(study, settings, space) <= 0:
            study.stop()

    callbacks: list[Callable[[Any, Any], None]] = [lambda s, t: interrupts.check()]
    callbacks.append(stop_when_spent)
    if on_trial is not None:
        remaining = _budget(study, settings, space)
        callbacks.append(lambda s, t: on_trial(t.number + 1, remaining))
    while True:
        left = _budget(study, settings, space)
        timeout = (
            None if settings.timeout is None else settings.timeout - (time.perf_counter() - started)
        )
        if left > 0 and (timeout is None or timeout > 0):
            quietly(
                lambda n=left, t=timeout: study.optimize(
                    objective, n_trials=n, timeout=t, catch=(Exception,), callbacks=callbacks
                )
            )
        if not _wait_for_others(study, settings, started, lambda: _budget(study, settings, space)):
            break
    return _result(study, scope, space, time.perf_counter() - started)


def _wait_for_others(
    study: Any, settings: SearchSettings, started: float, left: Callable[[], int]
) -> bool:
    """With a shared storage, after this process's trials: True (look again) while the
    budget is not used up or other processes still run trials of the study. A trial of a
    killed process is failed (by the heartbeat, or here when its process of this host is
    gone) and queued again; if this process ran the retry inside its own round, the round
    ended one short of the budget, and the next one runs the missing trial. False when
    nothing is left."""
    import optuna
    from optuna.trial import TrialState

    if not settings.storage:
        return False
    if settings.timeout is not None and time.perf_counter() - started > settings.timeout:
        return False
    interrupts.check()
    if settings.heartbeat:
        quietly(optuna.storages.fail_stale_trials, study)
        # A process killed before its trial's first heartbeat leaves a trial the heartbeat
        # never fails; one of this host whose process is gone is failed (and queued) here.
        fail_abandoned(study, keep_unnamed=True)
    if left() > 0:
        return True
    if not settings.heartbeat:
        return False
    if not any(t.state == TrialState.RUNNING for t in study.get_trials(deepcopy=False)):
        return False
    time.sleep(POLL_SECONDS)
    return True


def _result(study: Any, scope: str, space: SearchSpace, seconds: float) -> SearchResult:
    from optuna.trial import TrialState

    states = {
        TrialState.COMPLETE: "complete",
        TrialState.PRUNED: "pruned",
        TrialState.FAIL: "failed",
    }
    records = []
    for trial in study.trials:
        if trial.state not in states:
            continue
        value = (
            trial.value
            if trial.state == TrialState.COMPLETE
            else (
                trial.intermediate_values[max(trial.intermediate_values)]
                if trial.intermediate_values
                else math.nan
            )
        )
        duration = trial.duration.total_seconds() if trial.duration else 0.0
        records.append(
            TrialRecord(
                scope=scope,
                number=trial.number,
                state=states[trial.state],  # type: ignore[arg-type]
                value=float(value) if value is not None else math.nan,
                params={**space.fixed, **trial.params},
                folds=int(trial.user_attrs.get("folds", 0)),
                seconds=duration,
                error=INTERRUPTED
                if _interrupted(trial)
                else str(trial.user_attrs.get("error", "")),
            )
        )
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    if not complete:
        return SearchResult(
            scope, {}, math.nan, tuple(records), sum(r.folds for r in records), seconds
        )
    best = study.best_trial
    return SearchResult(
        scope,
        {**space.fixed, **best.params},
        float(best.value),
        tuple(records),
        sum(r.folds for r in records),
        seconds,
    )
