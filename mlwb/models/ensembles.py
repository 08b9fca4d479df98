"""Ensembles of other catalogue entries: ``stack: [a, b, …]`` and ``vote: [a, b, …]``.

Each member keeps its own full pipeline (its family's preprocessing, its sampler), so a
stack of logistic regression and LightGBM gives the first one-hot and scaled features and
the second native categoricals. The members come in through ``ModelContext.members``.
"""

from __future__ import annotations

from typing import Any

from mlwb.models.spec import ALL_TASKS, ModelContext, ModelSpec, register

ENSEMBLES = ("stack", "vote")


def _members(context: ModelContext) -> list[tuple[str, Any]]:
    if len(context.members) < 2:
        raise ValueError("an ensemble needs at least two member models")
    return list(context.members)


def _stack(context: ModelContext) -> Any:
    from sklearn import ensemble, linear_model
    from sklearn.model_selection import KFold, StratifiedKFold

    if context.regression:
        return ensemble.StackingRegressor(
            _members(context),
            final_estimator=linear_model.RidgeCV(),
            cv=KFold(5, shuffle=True, random_state=context.seed),
        )
    return ensemble.StackingClassifier(
        _members(context),
        final_estimator=linear_model.LogisticRegression(max_iter=2000),
        cv=StratifiedKFold(5, shuffle=True, random_state=context.seed),
        stack_method="predict_proba",
    )


def _vote(context: ModelContext) -> Any:
    from sklearn import ensemble

    if context.regression:
        return ensemble.VotingRegressor(_members(context))
    return ensemble.VotingClassifier(_members(context), voting="soft")


register(
    ModelSpec(
        name="stack",
        summary="stacking: members' out-of-fold predictions feed a logistic/ridge regression",
        tasks=ALL_TASKS,
        family="ensemble",
        factory=_stack,
        handles_missing=True,
        class_weight="none",
    )
)
register(
    ModelSpec(
        name="vote",
        summary="voting: average of the members' probabilities (soft) or predictions",
        tasks=ALL_TASKS,
        family="ensemble",
        factory=_vote,
        handles_missing=True,
        class_weight="none",
    )
)
