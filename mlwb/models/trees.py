"""Trees and tree ensembles from scikit-learn: no scaling, ordinal-coded categoricals."""

from __future__ import annotations

from typing import Any

from mlwb.models.spec import ALL_TASKS, ModelContext, ModelSpec, PortfolioEntry, register

CRITERION = {"squared": "squared_error", "absolute": "absolute_error"}
TREE_LOSSES = frozenset(CRITERION)


def _criterion(context: ModelContext) -> dict[str, Any]:
    return {"criterion": CRITERION[context.loss]} if context.regression else {}


def _decision_tree(context: ModelContext) -> Any:
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    cls = DecisionTreeRegressor if context.regression else DecisionTreeClassifier
    return cls(min_samples_leaf=5, random_state=context.seed, **_criterion(context))


def _random_forest(context: ModelContext) -> Any:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    cls = RandomForestRegressor if context.regression else RandomForestClassifier
    return cls(
        n_estimators=200, n_jobs=context.threads, random_state=context.seed, **_criterion(context)
    )


def _extra_trees(context: ModelContext) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

    cls = ExtraTreesRegressor if context.regression else ExtraTreesClassifier
    return cls(
        n_estimators=200, n_jobs=context.threads, random_state=context.seed, **_criterion(context)
    )


def _adaboost(context: ModelContext) -> Any:
    from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor

    cls = AdaBoostRegressor if context.regression else AdaBoostClassifier
    return cls(n_estimators=100, random_state=context.seed)


FOREST_SPACE = {
    "max_depth": [None, 4, 8, 16],
    "min_samples_leaf": {"int": [1, 20], "log": True},
    "max_features": ["sqrt", 0.5, 1.0],
}

register(
    ModelSpec(
        name="decision_tree",
        summary="a single decision tree (scikit-learn)",
        tasks=ALL_TASKS,
        family="tree",
        factory=_decision_tree,
        default_space={
            "max_depth": [None, 3, 5, 8, 12],
            "min_samples_leaf": {"int": [1, 50], "log": True},
        },
        categorical="ordinal",
        losses=TREE_LOSSES,
    )
)
register(
    ModelSpec(
        name="random_forest",
        summary="random forest of bagged decision trees (scikit-learn)",
        tasks=ALL_TASKS,
        family="tree",
        factory=_random_forest,
        default_space=FOREST_SPACE,
        categorical="ordinal",
        losses=TREE_LOSSES,
    )
)
register(
    ModelSpec(
        name="extra_trees",
        summary="extremely randomised trees (scikit-learn)",
        tasks=ALL_TASKS,
        family="tree",
        factory=_extra_trees,
        default_space=FOREST_SPACE,
        categorical="ordinal",
        losses=TREE_LOSSES,
        relative_cost=1.9,  # FLAML's ExtraTreesEstimator.cost_relative2lgbm
        portfolio=(
            PortfolioEntry({}, "mlwb's defaults (200 fully grown trees)"),
            PortfolioEntry(
                {"max_features": 0.75, "max_leaf_nodes": 18392, "min_samples_leaf": 1},
                "AutoGluon zero-shot 2023 ExtraTrees_r42",
            ),
        ),
    )
)
register(
    ModelSpec(
        name="adaboost",
        summary="AdaBoost of shallow trees (scikit-learn)",
        tasks=ALL_TASKS,
        family="tree",
        factory=_adaboost,
        default_space={
            "n_estimators": {"int": [50, 500], "log": True},
            "learning_rate": {"log_uniform": [0.01, 2.0]},
        },
        categorical="ordinal",
        class_weight="sample_weight",
    )
)
