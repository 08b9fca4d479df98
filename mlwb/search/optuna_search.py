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
    open_storage,
    prepare_studies,
    process_is_gone,
    this_process,
)

TrialCallback = Callable[[int, int], None]
# A configuration (recipe parameter names) → its score on each inner fold, in order.
FoldScores = Callable[[dict[str, Any]], Iterator[float]]
INTERRUPTED = "interrupted (the process stopped while this trial ran)"


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
        storage = open_storage(settings.storage, create_tables=False)
    study = optuna.create_study(
        storage=storage,
        study_name=settings.study_name,
        direction=direction,
        sampler=_sampler(settings, space),
        pruner=_pruner(settings),
        load_if_exists=storage is not None,
    )
    if storage is not None and study.trials:
        _fail_abandoned(study)
        # A resumed search must not replay the configurations already tried: the sampler
        # continues from a seed that depends on how many trials the study holds.
        seed = settings.seed + len(study.trials)
        study.sampler = _sampler(dataclasses.replace(settings, seed=seed), space)
    return study


def _fail_abandoned(study: Any) -> None:
    """Trials left RUNNING by a process that died are failed, not waited for; trials of
    live processes (another worker sharing the study) are left alone. A failed trial
    without an ``error`` attribute counts as interrupted and is run again."""
    from optuna.trial import TrialState

    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if process_is_gone(trial.user_attrs.get(PROCESS_ATTR)):
            study.tell(trial.number, state=TrialState.FAIL, skip_if_finished=True)


def _interrupted(trial: Any) -> bool:
    from optuna.trial import TrialState

    return trial.state == TrialState.FAIL and "error" not in trial.user_attrs


def _budget(study: Any, settings: SearchSettings, space: SearchSpace) -> int:
    done = [t for t in study.trials if not _interrupted(t)]
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

    callbacks: list[Callable[[Any, Any], None]] = [lambda s, t: interrupts.check()]
    if on_trial is not None:
        remaining = _budget(study, settings, space)
        callbacks.append(lambda s, t: on_trial(t.number + 1, remaining))
    study.optimize(
        objective,
        n_trials=_budget(study, settings, space),
        timeout=settings.timeout,
        catch=(Exception,),
        callbacks=callbacks,
    )
    return _result(study, scope, space, time.perf_counter() - started)


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
