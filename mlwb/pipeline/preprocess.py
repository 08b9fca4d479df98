"""Build the two preprocessing stages of a pipeline from a ``PreprocessPlan``.

Stage one, ``complete``: log1p, imputation (with missing-value indicators) and ordinal
codes — after it no value is missing where the plan asked for imputation. Stage two,
``encode``: scaling, binning and categorical encoding. A sampler that must see categorical
columns as categories (SMOTENC) sits between the two; everything else follows them. Both
stages are ColumnTransformers with DataFrame output, so feature names survive to the model
and to the importance reports.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.pipeline import Pipeline

from mlwb.pipeline.transformers import FrequencyEncoder, Log1p, NativeCategories
from mlwb.pipeline.treatments import CategoricalTreatment, NumericTreatment, PreprocessPlan

MISSING_LEVEL = "missing"
INDICATOR_PATTERN = "^missingindicator_"


def _grouped(treatments: dict[str, Any], key: Any) -> dict[Hashable, list[str]]:
    groups: dict[Hashable, list[str]] = {}
    for name, treatment in treatments.items():
        groups.setdefault(key(treatment), []).append(name)
    return groups


def _imputer(strategy: str, indicator: bool, fill_value: Any = None) -> Any:
    from sklearn.impute import KNNImputer, SimpleImputer

    if strategy == "knn":
        return KNNImputer(add_indicator=indicator, keep_empty_features=True)
    if strategy == "iterative":
        from mlwb.pipeline.transformers import CopyingIterativeImputer

        return CopyingIterativeImputer(
            add_indicator=indicator, keep_empty_features=True, random_state=0
        )
    return SimpleImputer(
        strategy=strategy, add_indicator=indicator, fill_value=fill_value, keep_empty_features=True
    )


def build_completion_stage(plan: PreprocessPlan, fill_value: float) -> ColumnTransformer:
    """log1p, imputation and ordinal codes; DataFrame in, DataFrame out."""
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OrdinalEncoder

    transformers: list[tuple[str, Any, list[str]]] = []
    numeric_groups = _grouped(plan.numeric, lambda t: (t.log, t.impute, t.indicator))
    for i, ((log, impute, indicator), names) in enumerate(numeric_groups.items()):
        steps: list[tuple[str, Any]] = []
        if log:
            steps.append(("log1p", Log1p()))
        if impute != "none":
            steps.append(("impute", _imputer(impute, indicator, fill_value)))
        transformers.append((f"numeric{i}", Pipeline(steps) if steps else "passthrough", names))
    categorical_groups = _grouped(plan.categorical, lambda t: t.impute)
    for i, (impute, names) in enumerate(categorical_groups.items()):
        step: Any = (
            "passthrough"
            if impute == "none"
            else SimpleImputer(strategy=impute, fill_value=MISSING_LEVEL, missing_values=np.nan)
        )
        transformers.append((f"categorical{i}", step, names))
    for name, treatment in plan.ordinal.items():
        steps = [
            (
                "codes",
                OrdinalEncoder(
                    categories=[list(treatment.levels)],
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                ),
            )
        ]
        if treatment.impute:
            steps.append(("impute", SimpleImputer(strategy="median", keep_empty_features=True)))
        transformers.append((f"ordinal_{name}", Pipeline(steps), [name]))
    stage = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return stage.set_output(transform="pandas")


def _scaler(kind: str) -> Any:
    from sklearn import preprocessing as pp

    return {
        "standard": pp.StandardScaler,
        "minmax": pp.MinMaxScaler,
        "robust": pp.RobustScaler,
        "maxabs": pp.MaxAbsScaler,
        "quantile": lambda: pp.QuantileTransformer(
            output_distribution="normal", n_quantiles=200, random_state=0
        ),
        "power": pp.PowerTransformer,
    }[kind]()


def _numeric_encoder(treatment: NumericTreatment, seed: int) -> Any:
    from sklearn.preprocessing import KBinsDiscretizer

    if treatment.bins:
        encode = "onehot-dense" if treatment.bin_encode == "onehot" else "ordinal"
        return KBinsDiscretizer(
            n_bins=treatment.bins, encode=encode, strategy=treatment.bin_strategy, random_state=seed
        )
    if treatment.scale == "none":
        return "passthrough"
    return _scaler(treatment.scale)


def _categorical_encoder(treatment: CategoricalTreatment, task: str, seed: int) -> Any:
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler, TargetEncoder

    if treatment.encode == "native":
        return "passthrough" if treatment.strings else NativeCategories()
    if treatment.encode == "onehot":
        return OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            drop="first" if treatment.drop_first else None,
            max_categories=treatment.max_categories,
            min_frequency=treatment.min_frequency,
            sparse_output=False,
        )
    if treatment.encode == "ordinal":
        return OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-1,
            max_categories=treatment.max_categories,
            min_frequency=treatment.min_frequency,
        )
    if treatment.encode == "target":
        splitter = KFold if task == "regression" else StratifiedKFold
        encoder: Any = TargetEncoder(cv=splitter(5, shuffle=True, random_state=seed))
    else:
        encoder = FrequencyEncoder()
    if treatment.scale:
        return Pipeline([("encode", encoder), ("scale", StandardScaler())])
    return encoder


def build_encoding_stage(plan: PreprocessPlan, task: str, seed: int) -> ColumnTransformer:
    """Scaling, binning and categorical encoding of the completed columns."""
    transformers: list[tuple[str, Any, Any]] = []
    numeric_groups = _grouped(
        plan.numeric, lambda t: (t.scale, t.bins, t.bin_strategy, t.bin_encode)
    )
    for i, (_, names) in enumerate(numeric_groups.items()):
        transformers.append((f"numeric{i}", _numeric_encoder(plan.numeric[names[0]], seed), names))
    transformers.append(
        ("indicators", "passthrough", make_column_selector(pattern=INDICATOR_PATTERN))
    )
    categorical_groups = _grouped(
        plan.categorical,
        lambda t: (t.encode, t.drop_first, t.max_categories, t.min_frequency, t.scale, t.strings),
    )
    for i, (_, names) in enumerate(categorical_groups.items()):
        encoder = _categorical_encoder(plan.categorical[names[0]], task, seed)
        transformers.append((f"categorical{i}", encoder, names))
    scaled = [n for n, t in plan.ordinal.items() if t.scale]
    plain = [n for n, t in plan.ordinal.items() if not t.scale]
    if scaled:
        transformers.append(("ordinal_scaled", _scaler("standard"), scaled))
    if plain:
        transformers.append(("ordinal", "passthrough", plain))
    stage = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return stage.set_output(transform="pandas")
