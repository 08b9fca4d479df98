"""Gradient boosting: HistGradientBoosting, XGBoost, LightGBM, CatBoost.

All four handle missing values and categorical columns natively, stop early on a
validation split carved out of the training rows (``FitAdapter``), and report the number
of rounds they used. Up to ``n_estimators`` rounds are allowed; early stopping decides.
"""

from __future__ import annotations

from typing import Any

from mlwb.models.spec import ALL_TASKS, ModelContext, ModelSpec, PortfolioEntry, register

# Portfolios: configurations known to do well across many tabular datasets, tried first by
# the budgeted search (search.strategy: auto) in this order. Their sources:
# - AutoGluon 1.x, tabular/configs/hyperparameter_configs.py ("default" preset): LightGBM's
#   default, XT (extra_trees) and Large variants; CatBoost's and XGBoost's library defaults
#   with learning rates 0.05 / 0.1 (models/*/hyperparameters/parameters.py);
# - AutoGluon's zero-shot portfolio of 2023 (configs/zeroshot/zeroshot_portfolio_2023.py,
#   from the TabRepo study of 200 configurations × 200 datasets): the entries named _rNNN;
# - FLAML's zero-shot portfolios (flaml/default/<learner>/<task>.json), meta-learned over
#   the AutoML benchmark; their n_estimators are left to early stopping here.
# Parameter names are the libraries' own; AutoGluon's feature_fraction / min_data_in_leaf
# are LightGBM's aliases of colsample_bytree / min_child_samples.
LIGHTGBM_PORTFOLIO = (
    PortfolioEntry({}, "mlwb's defaults (learning rate 0.05, 31 leaves, as AutoGluon's)"),
    PortfolioEntry({"extra_trees": True}, "AutoGluon's LightGBMXT"),
    PortfolioEntry(
        {"learning_rate": 0.03, "num_leaves": 128, "colsample_bytree": 0.9, "min_child_samples": 3},
        "AutoGluon's LightGBMLarge",
    ),
    PortfolioEntry(
        {
            "num_leaves": 139,
            "min_child_samples": 8,
            "learning_rate": 0.048,
            "colsample_bytree": 0.526,
            "reg_alpha": 0.0029,
            "reg_lambda": 0.0245,
            "max_bin": 511,
        },
        "FLAML zero-shot lgbm/binary #2",
        frozenset({"binary"}),
    ),
    PortfolioEntry(
        {
            "num_leaves": 225,
            "min_child_samples": 21,
            "learning_rate": 0.102,
            "colsample_bytree": 0.61,
            "reg_alpha": 0.001,
            "reg_lambda": 40.4,
            "max_bin": 31,
        },
        "FLAML zero-shot lgbm/multiclass #1",
        frozenset({"multiclass"}),
    ),
    PortfolioEntry(
        {
            "num_leaves": 42,
            "min_child_samples": 12,
            "learning_rate": 0.0217,
            "colsample_bytree": 0.7385,
            "reg_alpha": 0.0036,
            "reg_lambda": 12.08,
            "max_bin": 127,
        },
        "FLAML zero-shot lgbm/regression #2",
        frozenset({"regression"}),
    ),
    PortfolioEntry(
        {
            "colsample_bytree": 0.6246,
            "learning_rate": 0.0471,
            "min_child_samples": 56,
            "num_leaves": 89,
        },
        "AutoGluon zero-shot 2023 LightGBM_r130",
    ),
    PortfolioEntry(
        {
            "extra_trees": True,
            "colsample_bytree": 0.5637,
            "learning_rate": 0.0152,
            "min_child_samples": 48,
            "num_leaves": 16,
        },
        "AutoGluon zero-shot 2023 LightGBM_r96 (small, slow, randomised trees: small data)",
    ),
)
CATBOOST_PORTFOLIO = (
    PortfolioEntry({}, "mlwb's defaults (learning rate 0.05, depth 6, as AutoGluon's)"),
    PortfolioEntry(
        {
            "depth": 6,
            "l2_leaf_reg": 2.154,
            "learning_rate": 0.0686,
            "max_ctr_complexity": 4,
            "one_hot_max_size": 10,
        },
        "AutoGluon zero-shot 2023 CatBoost_r177",
    ),
    PortfolioEntry(
        {
            "depth": 4,
            "l2_leaf_reg": 4.559,
            "learning_rate": 0.0494,
            "max_ctr_complexity": 3,
            "one_hot_max_size": 3,
        },
        "AutoGluon zero-shot 2023 CatBoost_r137",
    ),
    PortfolioEntry(
        {
            "depth": 7,
            "l2_leaf_reg": 4.523,
            "learning_rate": 0.0848,
            "max_ctr_complexity": 3,
            "one_hot_max_size": 2,
        },
        "AutoGluon zero-shot 2023 CatBoost_r167",
    ),
)
XGBOOST_PORTFOLIO = (
    PortfolioEntry({}, "mlwb's defaults (learning rate 0.05, depth 6, 0.8 row and column samples)"),
    PortfolioEntry(
        {"learning_rate": 0.1, "max_depth": 6, "subsample": 1.0, "colsample_bytree": 1.0},
        "AutoGluon's XGBoost default",
    ),
    PortfolioEntry(
        {
            "colsample_bytree": 0.6628,
            "learning_rate": 0.0878,
            "max_depth": 5,
            "min_child_weight": 0.6294,
            "subsample": 1.0,
        },
        "AutoGluon zero-shot 2023 XGBoost_r89",
    ),
    PortfolioEntry(
        {
            "colsample_bytree": 0.909,
            "learning_rate": 0.0929,
            "max_depth": 7,
            "min_child_weight": 0.8042,
            "subsample": 1.0,
        },
        "AutoGluon zero-shot 2023 XGBoost_r194",
    ),
)

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
        rounds_param="max_iter",
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
        rounds_param="n_estimators",
        relative_cost=1.6,  # FLAML's XGBoostSklearnEstimator (hist)
        portfolio=XGBOOST_PORTFOLIO,
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
        rounds_param="n_estimators",
        portfolio=LIGHTGBM_PORTFOLIO,
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
        rounds_param="iterations",
        # FLAML's CatBoostEstimator.cost_relative2lgbm is 15; mlwb's defaults measured 6
        # (2,000 rows) to 12 (11,500 rows, high-cardinality text columns) times LightGBM's.
        relative_cost=10.0,
        portfolio=CATBOOST_PORTFOLIO,
    )
)
