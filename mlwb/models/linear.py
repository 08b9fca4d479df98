"""Linear models: need scaling and one-hot categoricals."""

from __future__ import annotations

from typing import Any

from mlwb.models.registry import register
from mlwb.models.spec import CLASSIFICATION, ModelContext, ModelSpec


def _logistic_regression(context: ModelContext) -> Any:
    from sklearn.linear_model import LogisticRegression

    # saga handles every l1_ratio; lbfgs is faster for the default pure-L2 fit.
    return LogisticRegression(C=1.0, max_iter=2000, random_state=context.seed)


def _linear_regression(context: ModelContext) -> Any:
    from sklearn.linear_model import LinearRegression

    return LinearRegression()


register(
    ModelSpec(
        name="logistic_regression",
        summary="L2/L1-regularised logistic regression (scikit-learn)",
        tasks=CLASSIFICATION,
        family="linear",
        factory=_logistic_regression,
        default_space={"C": {"log_uniform": [1.0e-3, 1.0e3]}},
        needs_scaling=True,
        categorical="onehot",
    )
)
register(
    ModelSpec(
        name="linear_regression",
        summary="Ordinary least squares (scikit-learn); unregularised",
        tasks=frozenset({"regression"}),
        family="linear",
        factory=_linear_regression,
        default_space={"fit_intercept": [True, False]},
        needs_scaling=True,
        categorical="onehot",
        regularised=False,
        class_weight="none",
    )
)
