"""Preprocessing chosen by model family: ``build_preprocessor`` returns a ColumnTransformer.

The recipe's explicit choices always win; ``auto`` resolves per model the way skrub's
``tabular_pipeline`` does: linear, kernel and distance models get imputation, scaling and
one-hot; scikit-learn trees get imputation and ordinal codes; boosting libraries get raw
numbers (they route missing values themselves) and native categoricals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from mlwb.data.roles import ColumnRoles
from mlwb.models.spec import ModelSpec
from mlwb.pipeline.transformers import NativeCategories
from mlwb.recipe.schema import Recipe

MISSING_LEVEL = "missing"


@dataclass(frozen=True)
class PreprocessChoice:
    """The resolved treatment for one model: what each ``auto`` became."""

    impute: str
    missing_indicator: bool
    scale: str
    encode: str
    drop_first: bool
    max_categories: int | None

    def describe(self, roles: ColumnRoles) -> list[str]:
        """One line per column group, for plans and reports."""
        lines = []
        if roles.numeric:
            steps = []
            if self.impute != "none":
                steps.append(
                    f"impute {self.impute}"
                    + (" + missing indicators" if self.missing_indicator else "")
                )
            if self.scale != "none":
                steps.append(f"{self.scale} scaling")
            lines.append(
                f"numeric ({len(roles.numeric)}): "
                + (", ".join(steps) or "passed through (missing values kept)")
            )
        if roles.categorical:
            detail = self.encode
            if self.encode == "onehot":
                detail += " (drop first level)" if self.drop_first else ""
                if self.max_categories:
                    detail += f", at most {self.max_categories} levels"
            lines.append(f"categorical ({len(roles.categorical)}): {detail}")
        if roles.ordinal:
            lines.append(f"ordinal ({len(roles.ordinal)}): codes in the listed order")
        return lines


def choose_preprocessing(spec: ModelSpec, recipe: Recipe) -> PreprocessChoice:
    """Resolve every ``auto`` in ``recipe.preprocess`` for the model ``spec``."""
    numeric = recipe.preprocess.numeric
    categorical = recipe.preprocess.categorical
    impute = numeric.impute
    if impute == "auto":
        impute = "none" if spec.handles_missing else "median"
    scale = numeric.scale
    if scale == "auto":
        scale = "standard" if spec.needs_scaling else "none"
    encode = categorical.encode
    if encode == "auto":
        encode = spec.categorical
    drop_first = categorical.drop_first
    if drop_first == "auto":
        drop_first = spec.family == "linear" and not spec.regularised
    return PreprocessChoice(
        impute=impute,
        missing_indicator=numeric.missing_indicator and impute != "none",
        scale=scale,
        encode=encode,
        drop_first=bool(drop_first),
        max_categories=categorical.max_categories,
    )


def _numeric_branch(choice: PreprocessChoice, recipe: Recipe) -> Pipeline | str:
    steps: list[tuple[str, Any]] = []
    if choice.impute != "none":
        fill = recipe.preprocess.numeric.fill_value if choice.impute == "constant" else None
        steps.append(
            (
                "impute",
                SimpleImputer(
                    strategy=choice.impute,
                    fill_value=fill,
                    add_indicator=choice.missing_indicator,
                    keep_empty_features=True,
                ),
            )
        )
    if choice.scale == "standard":
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps) if steps else "passthrough"


def _categorical_branch(choice: PreprocessChoice, recipe: Recipe) -> Pipeline:
    if choice.encode == "native":
        return Pipeline([("encode", NativeCategories())])
    strategy = recipe.preprocess.categorical.impute
    impute = SimpleImputer(strategy=strategy, fill_value=MISSING_LEVEL, missing_values=np.nan)
    if choice.encode == "ordinal":
        encoder: Any = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    else:
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            drop="first" if choice.drop_first else None,
            max_categories=choice.max_categories,
            sparse_output=False,
        )
    return Pipeline([("impute", impute), ("encode", encoder)])


def _ordinal_branch(choice: PreprocessChoice, roles: ColumnRoles) -> Pipeline:
    levels = [list(roles.ordinal_levels[name]) for name in roles.ordinal]
    steps: list[tuple[str, Any]] = [
        (
            "encode",
            OrdinalEncoder(
                categories=levels,
                handle_unknown="use_encoded_value",
                unknown_value=np.nan,
                encoded_missing_value=np.nan,
            ),
        ),
    ]
    if choice.impute != "none":
        steps.append(("impute", SimpleImputer(strategy="median", keep_empty_features=True)))
    if choice.scale == "standard":
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)


def build_preprocessor(
    choice: PreprocessChoice, recipe: Recipe, roles: ColumnRoles
) -> ColumnTransformer:
    """The ColumnTransformer for one model; unfitted, DataFrame in and out."""
    transformers: list[tuple[str, Any, list[str]]] = []
    if roles.numeric:
        transformers.append(("numeric", _numeric_branch(choice, recipe), list(roles.numeric)))
    if roles.categorical:
        transformers.append(
            ("categorical", _categorical_branch(choice, recipe), list(roles.categorical))
        )
    if roles.ordinal:
        transformers.append(("ordinal", _ordinal_branch(choice, roles), list(roles.ordinal)))
    transformer = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return transformer.set_output(transform="pandas")
