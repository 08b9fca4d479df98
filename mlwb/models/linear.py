"""Linear models: need scaling and one-hot categoricals.

For classification, ``ridge``, ``lasso`` and ``elastic_net`` are logistic regression with
the matching penalty (L2, L1, both), so every classifier has calibrated-ish probabilities
for thresholds and ROC curves; for regression they are scikit-learn's own estimators.
"""

from __future__ import annotations

from typing import Any

from mlwb.models.spec import (
    ALL_TASKS,
    CLASSIFICATION,
    REGRESSION,
    ModelContext,
    ModelSpec,
    PortfolioEntry,
    register,
)

C_SPACE = {"C": {"log_uniform": [1.0e-3, 1.0e3]}}
ALPHA_SPACE = {"alpha": {"log_uniform": [1.0e-4, 1.0e2]}}


def _logistic(context: ModelContext, l1_ratio: float = 0.0) -> Any:
    from sklearn.linear_model import LogisticRegression

    solver = "lbfgs" if l1_ratio == 0.0 else "saga"
    return LogisticRegression(
        C=1.0, l1_ratio=l1_ratio, solver=solver, max_iter=5000, random_state=context.seed
    )


def _logistic_regression(context: ModelContext) -> Any:
    return _logistic(context)


def _linear_regression(context: ModelContext) -> Any:
    from sklearn import linear_model as lm

    if context.loss == "huber":
        return lm.HuberRegressor(max_iter=1000)
    if context.loss in ("absolute", "quantile"):
        level = 0.5 if context.loss == "absolute" else context.quantile
        return lm.QuantileRegressor(quantile=level, alpha=0.0, solver="highs")
    return lm.LinearRegression()


def _ridge(context: ModelContext) -> Any:
    from sklearn.linear_model import Ridge

    return (
        Ridge(alpha=1.0, random_state=context.seed)
        if context.regression
        else _logistic(context, 0.0)
    )


def _lasso(context: ModelContext) -> Any:
    from sklearn.linear_model import Lasso

    return (
        Lasso(alpha=1.0, max_iter=5000, random_state=context.seed)
        if context.regression
        else _logistic(context, 1.0)
    )


def _elastic_net(context: ModelContext) -> Any:
    from sklearn.linear_model import ElasticNet

    if context.regression:
        return ElasticNet(alpha=1.0, l1_ratio=0.5, max_iter=5000, random_state=context.seed)
    return _logistic(context, 0.5)


register(
    ModelSpec(
        name="logistic_regression",
        summary="logistic regression, L2-regularised (scikit-learn)",
        tasks=CLASSIFICATION,
        family="linear",
        factory=_logistic_regression,
        default_space=C_SPACE,
        needs_scaling=True,
        portfolio=(
            PortfolioEntry({}, "the library's default (C = 1)"),
            PortfolioEntry({"C": 0.1}, "ten times the regularisation"),
        ),
    )
)
register(
    ModelSpec(
        name="linear_regression",
        summary="least squares; losses: absolute, quantile (QuantileRegressor), huber",
        tasks=REGRESSION,
        family="linear",
        factory=_linear_regression,
        default_space={"fit_intercept": [True, False]},
        needs_scaling=True,
        regularised=False,
        class_weight="none",
        losses=frozenset({"squared", "absolute", "huber", "quantile"}),
    )
)
register(
    ModelSpec(
        name="ridge",
        summary="L2 penalty: Ridge (regression), L2 logistic regression (classification)",
        tasks=ALL_TASKS,
        family="linear",
        factory=_ridge,
        default_space=C_SPACE,
        regression_space=ALPHA_SPACE,
        needs_scaling=True,
        portfolio=(
            PortfolioEntry({"alpha": 1.0}, "the library's default (alpha = 1)", REGRESSION),
            PortfolioEntry({"alpha": 10.0}, "ten times the regularisation", REGRESSION),
            PortfolioEntry({"C": 1.0}, "the library's default (C = 1)", CLASSIFICATION),
            PortfolioEntry({"C": 0.1}, "ten times the regularisation", CLASSIFICATION),
        ),
    )
)
register(
    ModelSpec(
        name="lasso",
        summary="L1 penalty: Lasso (regression), L1 logistic regression (classification)",
        tasks=ALL_TASKS,
        family="linear",
        factory=_lasso,
        default_space=C_SPACE,
        regression_space=ALPHA_SPACE,
        needs_scaling=True,
    )
)
register(
    ModelSpec(
        name="elastic_net",
        summary="L1 + L2 penalties: ElasticNet / elastic-net logistic regression",
        tasks=ALL_TASKS,
        family="linear",
        factory=_elastic_net,
        default_space={**C_SPACE, "l1_ratio": {"float": [0.05, 0.95]}},
        regression_space={**ALPHA_SPACE, "l1_ratio": {"float": [0.05, 0.95]}},
        needs_scaling=True,
    )
)
