"""Gradient boosting: HistGradientBoosting, XGBoost, LightGBM, CatBoost.

All four handle missing values and categorical columns natively, stop early on a
validation split carved out of the training rows (``FitAdapter``), and report the number
of rounds they used. Up to ``n_estimators`` rounds are allowed; early stopping decides.
"""

from __future__ import annotations

from typing import Any

from mlwb.models.spec import ALL_TASKS, ModelContext, ModelSpec, register

EARLY_STOPPING_ROUNDS = 30
MAX_ROUNDS = 1000
BOOSTING_LOSSES = frozenset({"squared", "absolute", "huber", "quantile"})


def _hist_gradient_boosting(context: ModelContext) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    if context.regression:
        loss = {"squared": "squared_error", "absolute": "absolute_error", "quantile": "quantile"}[
            context.loss
        ]
        extra = {"quantile": context.quantile} if context.loss == "quantile" else {}
        model: Any = HistGradientBoostingRegressor(
            loss=loss, max_iter=MAX_ROUNDS, random_state=context.seed, **extra
        )
    else:
        model = HistGradientBoostingClassifier(max_iter=MAX_ROUNDS, random_state=context.seed)
    model.set_params(categorical_features="from_dtype", early_stopping=False)
    from mlwb.models.adapter import adapt

    return adapt(model, context.task, EARLY_STOPPING_ROUNDS, context.seed)


def _xgboost(context: ModelContext) -> Any:
    from xgboost import XGBClassifier, XGBRegressor

    common = dict(
        n_estimators=MAX_ROUNDS,
        learning_rate=0.05,
        max_depth=6,
        subsample=0.8,
        colsample_bytree=0.8,
        tree_method="hist",
        enable_categorical=True,
        n_jobs=context.threads,
        random_state=context.seed,
        verbosity=0,
    )
    if context.regression:
        objective = {
            "squared": "reg:squarederror",
            "absolute": "reg:absoluteerror",
            "huber": "reg:pseudohubererror",
            "quantile": "reg:quantileerror",
        }[context.loss]
        extra = {"quantile_alpha": context.quantile} if context.loss == "quantile" else {}
        model: Any = XGBRegressor(objective=objective, **common, **extra)
    else:
        model = XGBClassifier(**common)
    from mlwb.models.adapter import adapt

    return adapt(model, context.task, EARLY_STOPPING_ROUNDS, context.seed)


def _lightgbm(context: ModelContext) -> Any:
    from lightgbm import LGBMClassifier, LGBMRegressor

    common = dict(
        n_estimators=MAX_ROUNDS,
        learning_rate=0.05,
        num_leaves=31,
        subsample_freq=1,
        random_state=context.seed,
        n_jobs=context.threads,
        verbose=-1,
    )
    if context.regression:
        objective = {
            "squared": "regression",
            "absolute": "regression_l1",
            "huber": "huber",
            "quantile": "quantile",
        }[context.loss]
        extra = {"alpha": context.quantile} if context.loss == "quantile" else {}
        model: Any = LGBMRegressor(objective=objective, **common, **extra)
    else:
        model = LGBMClassifier(**common)
    from mlwb.models.adapter import adapt

    return adapt(model, context.task, EARLY_STOPPING_ROUNDS, context.seed)


def _catboost(context: ModelContext) -> Any:
    from catboost import CatBoostClassifier, CatBoostRegressor

    common = dict(
        iterations=MAX_ROUNDS,
        learning_rate=0.05,
        depth=6,
        random_seed=context.seed,
        thread_count=context.threads,
        verbose=0,
        allow_writing_files=False,
    )
    if context.regression:
        loss = {
            "squared": "RMSE",
            "absolute": "MAE",
            "huber": "Huber:delta=1.0",
            "quantile": f"Quantile:alpha={context.quantile}",
        }[context.loss]
        model: Any = CatBoostRegressor(loss_function=loss, **common)
    else:
        model = CatBoostClassifier(**common)
    from mlwb.models.adapter import adapt

    return adapt(model, context.task, EARLY_STOPPING_ROUNDS, context.seed)


register(
    ModelSpec(
        name="hist_gradient_boosting",
        summary="histogram gradient boosting (scikit-learn), native categoricals up to 255 levels",
        tasks=ALL_TASKS,
        family="boosting",
        factory=_hist_gradient_boosting,
        default_space={
            "learning_rate": {"log_uniform": [0.01, 0.3]},
            "max_leaf_nodes": {"int": [7, 127], "log": True},
            "min_samples_leaf": {"int": [5, 100], "log": True},
            "l2_regularization": {"log_uniform": [1.0e-4, 10.0]},
        },
        categorical="native",
        handles_missing=True,
        max_native_levels=255,
        losses=frozenset({"squared", "absolute", "quantile"}),
        early_stopping=True,
    )
)
register(
    ModelSpec(
        name="xgboost",
        summary="XGBoost gradient-boosted trees with native categoricals",
        tasks=ALL_TASKS,
        family="boosting",
        factory=_xgboost,
        default_space={
            "max_depth": {"int": [2, 10]},
            "learning_rate": {"log_uniform": [0.01, 0.3]},
            "subsample": {"float": [0.5, 1.0]},
            "colsample_bytree": {"float": [0.5, 1.0]},
            "min_child_weight": {"log_uniform": [1.0, 20.0]},
            "reg_alpha": {"log_uniform": [1.0e-3, 10.0]},
            "reg_lambda": {"log_uniform": [1.0e-3, 10.0]},
        },
        categorical="native",
        handles_missing=True,
        class_weight="scale_pos_weight",
        losses=BOOSTING_LOSSES,
        early_stopping=True,
    )
)
register(
    ModelSpec(
        name="lightgbm",
        summary="LightGBM gradient-boosted trees with native categoricals",
        tasks=ALL_TASKS,
        family="boosting",
        factory=_lightgbm,
        default_space={
            "num_leaves": {"int": [7, 127], "log": True},
            "learning_rate": {"log_uniform": [0.01, 0.3]},
            "min_child_samples": {"int": [5, 100], "log": True},
            "subsample": {"float": [0.5, 1.0]},
            "colsample_bytree": {"float": [0.5, 1.0]},
            "reg_alpha": {"log_uniform": [1.0e-3, 10.0]},
            "reg_lambda": {"log_uniform": [1.0e-3, 10.0]},
        },
        categorical="native",
        handles_missing=True,
        losses=BOOSTING_LOSSES,
        early_stopping=True,
    )
)
register(
    ModelSpec(
        name="catboost",
        summary="CatBoost ordered boosting with native categoricals",
        tasks=ALL_TASKS,
        family="boosting",
        factory=_catboost,
        default_space={
            "depth": {"int": [4, 10]},
            "learning_rate": {"log_uniform": [0.01, 0.3]},
            "l2_leaf_reg": {"log_uniform": [1.0, 30.0]},
        },
        categorical="native",
        handles_missing=True,
        class_weight="auto_class_weights",
        losses=BOOSTING_LOSSES,
        native_strings=True,
        early_stopping=True,
    )
)
