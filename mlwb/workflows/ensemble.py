"""The greedy weighted ensemble as a row of the leaderboard: its cross-fitted folds, and
the weights the final model uses.

Each member brings, for every outer fold, the out-of-fold predictions of the
configuration that fold uses (a model searched by the budgeted search may use a different
configuration per fold; any other model uses the same for all), and the predictions of the
configuration its final model will have. For fold *k* the weights are chosen on the other
folds' rows only (``mlwb.evaluation._ensemble``); the final weights on every row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlwb.compare.leaderboard import fold_scores
from mlwb.compare.stats import corrected_resampled_ttest
from mlwb.evaluation import as_predictions, labels_at, metric_directions, run_folds
from mlwb.evaluation._ensemble import (
    blend,
    cross_fitted_ensemble,
    greedy_weights,
    metric_objective,
)
from mlwb.metrics import METRICS, compute_metrics
from mlwb.models.baseline import BASELINE
from mlwb.plan import RunPlan
from mlwb.results import EnsembleTest, FoldResult, ModelResult, OutOfFold, summarise

ENSEMBLE = "ensemble"


@dataclass(frozen=True)
class Member:
    """One model as the ensemble sees it (see the module docstring)."""

    name: str
    result: ModelResult
    fold_predictions: tuple[np.ndarray, ...]
    overall: np.ndarray


def oof_predictions(oof: OutOfFold, task: str) -> np.ndarray:
    """Out-of-fold predictions as the ensemble averages them: the probability matrix of a
    classifier, the values of a regressor."""
    if task == "regression":
        return np.asarray(oof.labels, dtype=float)
    assert oof.scores is not None
    return oof.scores


def members_of(plan: RunPlan, results: Sequence[ModelResult]) -> list[Member]:
    """Members from models evaluated the ordinary way (one configuration for all folds)."""
    return [
        Member(
            r.name,
            r,
            (oof_predictions(r.oof, plan.task),) * len(plan.splits),
            oof_predictions(r.oof, plan.task),
        )
        for r in results
    ]


def ensemble_result(
    plan: RunPlan, members: Sequence[Member]
) -> tuple[ModelResult, dict[str, float]]:
    """The ensemble's cross-fitted result and its final weights by member name.

    Members are ordered strongest first (greedy selection breaks ties towards earlier
    models). The ensemble's training-fold scores are not computed (NaN): it is never refit
    per fold, only combined.
    """
    sign = 1.0 if METRICS[plan.primary].greater_is_better else -1.0
    members = sorted(members, key=lambda m: -sign * m.result.score(plan.primary))
    task, context, y = plan.task, plan.metric_context, plan.dataset.y
    objective = metric_objective(plan.primary, context)
    per_fold = [[m.fold_predictions[k] for m in members] for k in range(len(plan.splits))]
    fitted = cross_fitted_ensemble(per_fold, y, plan.splits, objective, plan.split_data.ordered)
    outputs = []
    for k, (train, test) in enumerate(plan.splits):
        weights = fitted.fold_weights[k]
        combined = blend([p[test] for p in per_fold[k]], weights)
        if task == "regression":
            labels, proba = combined, None
        else:
            labels, proba = labels_at(combined, context.positive, None), combined
        scores = compute_metrics(
            plan.metrics, as_predictions(y[test], labels, proba, context), context
        )
        member_folds = [m.result.folds[k] for m in members]
        fold = FoldResult(
            index=k,
            train_rows=len(train),
            test_rows=len(test),
            train_scores=dict.fromkeys(plan.metrics, math.nan),
            test_scores=scores,
            fit_seconds=sum(f.fit_seconds for f in member_folds),
            predict_seconds=sum(f.predict_seconds for f in member_folds),
            best_params={
                m.name: round(float(w), 4) for m, w in zip(members, weights, strict=True) if w > 0
            },
        )
        outputs.append((fold, labels, proba))
    folds, oof, _, _ = run_folds(
        ENSEMBLE,
        lambda k: outputs[k],
        [(k,) for k in range(len(plan.splits))],
        plan.splits,
        len(y),
        task,
        1,
        positive=context.positive,
    )
    final = greedy_weights([m.overall for m in members], y, objective)
    weights = {m.name: float(w) for m, w in zip(members, final, strict=True) if w > 0}
    result = ModelResult(
        name=ENSEMBLE,
        params={"members": weights},
        preprocessing=(),
        folds=folds,
        summary=summarise(folds, plan.metrics, metric_directions(plan.metrics)),
        oof=oof,
    )
    return result, weights


def ensemble_test(results: Sequence[ModelResult], best: str, metric: str) -> EnsembleTest | None:
    """The ensemble's row against the best single model (not the baseline), by the
    corrected resampled t-test the comparison leaderboard uses; None without an ensemble."""
    ensemble = next((r for r in results if r.name == ENSEMBLE), None)
    singles = [r for r in results if r.name not in (ENSEMBLE, BASELINE)]
    if ensemble is None or not singles:
        return None
    sign = 1.0 if METRICS[metric].greater_is_better else -1.0
    strongest = max(
        singles,
        key=lambda r: -math.inf if math.isnan(r.score(metric)) else sign * r.score(metric),
    )
    folds = ensemble.folds
    train = float(np.mean([f.train_rows for f in folds]))
    test = float(np.mean([f.test_rows for f in folds]))
    outcome = corrected_resampled_ttest(
        sign * fold_scores(ensemble, metric),
        sign * fold_scores(strongest, metric),
        test / train if train else math.nan,
    )
    return EnsembleTest(
        strongest.name, metric, outcome.mean_difference, outcome.p_value, best == ENSEMBLE
    )
