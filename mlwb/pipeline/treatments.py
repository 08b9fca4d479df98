"""Per-column treatment: what every ``auto`` in ``preprocess:`` becomes for one model.

The recipe's explicit choices always win; ``auto`` resolves by model family (skrub's
``tabular_pipeline`` idea): linear, kernel and distance models get imputation, scaling and
one-hot; scikit-learn trees get imputation and ordinal codes; boosting libraries get raw
numbers (they route missing values themselves) and native categoricals. Columns with more
levels than ``high_cardinality.above`` switch to target or frequency encoding.

Everything here is decided from the recipe, the model's catalogue entry and column
metadata (roles, level counts) — never from target values — so the plan can be printed
before anything is fitted (``mlwb validate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlwb.data.roles import ColumnRoles
from mlwb.errors import RecipeError
from mlwb.models.spec import ModelSpec
from mlwb.recipe.schema import ColumnOverride, Recipe

NUMERIC_IMPUTERS = ("mean", "median", "most_frequent", "constant", "knn", "iterative", "none")
CATEGORICAL_IMPUTERS = ("most_frequent", "constant")


@dataclass(frozen=True)
class NumericTreatment:
    """How one numeric column is treated, in order: log1p → impute → bin or scale."""

    impute: str
    indicator: bool
    log: bool
    scale: str
    bins: int | None
    bin_strategy: str
    bin_encode: str

    def describe(self) -> str:
        parts = []
        if self.log:
            parts.append("log1p")
        if self.impute != "none":
            parts.append(f"impute {self.impute}" + (" + indicator" if self.indicator else ""))
        if self.bins:
            parts.append(f"{self.bins} {self.bin_strategy} bins ({self.bin_encode})")
        elif self.scale != "none":
            parts.append(f"{self.scale} scaling")
        return ", ".join(parts) or "as is (missing values kept)"


@dataclass(frozen=True)
class CategoricalTreatment:
    """How one categorical column is imputed and encoded."""

    impute: str
    encode: str
    drop_first: bool
    max_categories: int | None
    min_frequency: int | float | None
    scale: bool
    levels: int
    strings: bool = False

    def describe(self) -> str:
        text = f"{self.encode}" + (" (as text)" if self.strings else "")
        if self.encode == "onehot":
            extras = []
            if self.drop_first:
                extras.append("drop first level")
            if self.max_categories:
                extras.append(f"≤ {self.max_categories} levels")
            if self.min_frequency:
                extras.append(f"levels rarer than {self.min_frequency} pooled")
            text += f" ({', '.join(extras)})" if extras else ""
        if self.encode == "target":
            text += " (cross-fitted)"
        if self.scale:
            text += " + standard scaling"
        if self.impute != "none":
            text = (
                f"impute {'a missing level' if self.impute == 'constant' else self.impute}, " + text
            )
        return text


@dataclass(frozen=True)
class OrdinalTreatment:
    """An ordered categorical: codes in the given order, then numeric handling."""

    levels: tuple[str, ...]
    impute: bool
    scale: bool

    def describe(self) -> str:
        text = (
            f"codes in the order {', '.join(self.levels[:4])}{'…' if len(self.levels) > 4 else ''}"
        )
        return (
            text
            + (", impute median" if self.impute else "")
            + (", standard scaling" if self.scale else "")
        )


@dataclass(frozen=True)
class PreprocessPlan:
    """The resolved treatment of every feature column for one model."""

    numeric: dict[str, NumericTreatment] = field(default_factory=dict)
    categorical: dict[str, CategoricalTreatment] = field(default_factory=dict)
    ordinal: dict[str, OrdinalTreatment] = field(default_factory=dict)

    def describe(self) -> list[str]:
        """Columns grouped by identical treatment: ``"income, age: impute median, …"``."""
        groups: dict[str, list[str]] = {}
        for kind, treatments in (
            ("numeric", self.numeric),
            ("categorical", self.categorical),
            ("ordinal", self.ordinal),
        ):
            for name, treatment in treatments.items():
                groups.setdefault(f"{kind}: {treatment.describe()}", []).append(name)
        lines = []
        for label, names in groups.items():
            shown = ", ".join(names[:6]) + (f", … ({len(names)})" if len(names) > 6 else "")
            lines.append(f"{shown} — {label}")
        return lines


def _check_numeric_keys(recipe: Recipe, roles: ColumnRoles) -> None:
    numeric = set(roles.numeric)
    for name in recipe.preprocess.numeric.log:
        if name not in numeric:
            raise RecipeError(
                f"preprocess.numeric.log: '{name}' is not a numeric column "
                f"({_role_of(name, roles)})",
                "log1p applies to numeric columns only",
            )
    for name in recipe.preprocess.numeric.bin:
        if name not in numeric:
            raise RecipeError(
                f"preprocess.numeric.bin.{name}: '{name}' is not a numeric column "
                f"({_role_of(name, roles)})",
                "binning applies to numeric columns only",
            )
    for name, override in recipe.preprocess.columns.items():
        if name not in roles.features:
            raise RecipeError(
                f"preprocess.columns.{name}: '{name}' is not a feature column "
                f"({_role_of(name, roles)})"
            )
        _check_override(name, override, roles)


def _role_of(name: str, roles: ColumnRoles) -> str:
    for column in roles.columns:
        if column.name == name:
            return (
                f"it is {column.role}: {column.reason}"
                if column.role == "dropped"
                else f"it is {column.role}"
            )
    return "no such column in the data"


def _check_override(name: str, override: ColumnOverride, roles: ColumnRoles) -> None:
    path = f"preprocess.columns.{name}"
    if name in roles.datetime:
        raise RecipeError(
            f"{path}: '{name}' is a date column; its parts ({', '.join(roles.date_parts[name])}) "
            "are numeric features treated as preprocess.numeric says",
            f"remove {path}, or list '{name}' in columns.categorical to treat it as levels",
        )
    if name in roles.numeric:
        if override.encode is not None:
            raise RecipeError(
                f"{path}.encode: '{name}' is numeric; encode applies to categorical columns"
            )
        if override.impute is not None and override.impute not in NUMERIC_IMPUTERS:
            raise RecipeError(
                f"{path}.impute: {override.impute!r} is not a numeric imputer",
                f"use one of {', '.join(NUMERIC_IMPUTERS)}",
            )
    else:
        for key in ("log", "bin", "scale"):
            if getattr(override, key) is not None:
                raise RecipeError(
                    f"{path}.{key}: '{name}' is {_role_of(name, roles)[6:]}; "
                    f"{key} applies to numeric columns"
                )
        if override.impute is not None and override.impute not in CATEGORICAL_IMPUTERS:
            raise RecipeError(
                f"{path}.impute: {override.impute!r} is not a categorical imputer",
                "use most_frequent or constant",
            )


def plan_preprocessing(
    spec: ModelSpec,
    recipe: Recipe,
    roles: ColumnRoles,
    levels: dict[str, int],
    complete: bool = False,
    numeric_only: bool = False,
) -> PreprocessPlan:
    """The treatment of every column for ``spec``.

    ``levels`` counts the distinct values of each categorical column (for the
    high-cardinality switch). ``complete`` forces imputation of everything (a sampler such
    as SMOTE cannot take missing values); ``numeric_only`` replaces native categories by
    ordinal codes (feature selectors and most samplers need numbers).
    """
    _check_numeric_keys(recipe, roles)
    numeric_cfg = recipe.preprocess.numeric
    overrides = recipe.preprocess.columns
    numeric: dict[str, NumericTreatment] = {}
    for name in roles.numeric_features:
        override = overrides.get(name, ColumnOverride())
        impute = override.impute or numeric_cfg.impute
        bins = override.bin or numeric_cfg.bin.get(name)
        needs_values = complete or bins is not None or not spec.handles_missing
        if impute == "auto":
            impute = "median" if needs_values else "none"
        elif impute == "none" and needs_values:
            key = (
                f"preprocess.columns.{name}.impute"
                if override.impute
                else "preprocess.numeric.impute"
            )
            why = (
                "binning needs values"
                if bins is not None
                else f"{spec.name} cannot take missing values"
                if not spec.handles_missing
                else "feature selection or the sampler cannot take missing values"
            )
            raise RecipeError(
                f"{key}: none for '{name}', but {why}",
                "use impute: auto, or an imputer such as median",
            )
        scale = override.scale or numeric_cfg.scale
        if scale == "auto":
            scale = "standard" if spec.needs_scaling else "none"
        log = override.log if override.log is not None else name in numeric_cfg.log
        numeric[name] = NumericTreatment(
            impute=impute,
            indicator=numeric_cfg.missing_indicator and impute != "none",
            log=log,
            scale=scale,
            bins=bins,
            bin_strategy=numeric_cfg.bin_strategy,
            bin_encode=numeric_cfg.bin_encode,
        )
    categorical = {
        name: _categorical_treatment(
            name, spec, recipe, levels.get(name, 0), complete, numeric_only
        )
        for name in roles.categorical
    }
    ordinal_impute = not spec.handles_missing or complete
    ordinal = {
        name: OrdinalTreatment(roles.ordinal_levels[name], ordinal_impute, spec.needs_scaling)
        for name in roles.ordinal
    }
    return PreprocessPlan(numeric, categorical, ordinal)


def _categorical_treatment(
    name: str, spec: ModelSpec, recipe: Recipe, levels: int, complete: bool, numeric_only: bool
) -> CategoricalTreatment:
    config = recipe.preprocess.categorical
    override = recipe.preprocess.columns.get(name, ColumnOverride())
    encode = override.encode or config.encode
    explicit = encode != "auto"
    key = (
        f"preprocess.columns.{name}.encode" if override.encode else "preprocess.categorical.encode"
    )
    if encode == "auto":
        encode = spec.categorical
        if encode == "native" and numeric_only:
            encode = "ordinal"  # selectors and samplers need numbers, not categories
        if encode == "native" and spec.max_native_levels and levels > spec.max_native_levels:
            encode = "ordinal"  # more levels than the library takes natively
    if encode == "native" and spec.categorical != "native":
        raise RecipeError(
            f"{key}: native categoricals need a model that reads them (lightgbm, catboost, …); "
            f"{spec.name} does not",
            "use encode: auto to let each model get its own encoding",
        )
    if encode == "native" and numeric_only:
        raise RecipeError(
            f"{key}: native categoricals cannot go through feature selection or "
            f"{recipe.imbalance.method}, which need numbers",
            "use encode: auto (ordinal codes) or remove the selection/sampler",
        )
    high = config.high_cardinality
    if (
        high is not None
        and not (explicit and override.encode)
        and encode in ("onehot", "ordinal")
        and levels > high.above
    ):
        encode = high.encode
    impute = override.impute or config.impute
    strings = encode == "native" and spec.native_strings
    if encode == "native" and not complete and not strings:
        impute = "none"  # the library routes missing values itself (CatBoost needs a level)
    drop_first = config.drop_first
    if drop_first == "auto":
        drop_first = spec.family == "linear" and not spec.regularised
    return CategoricalTreatment(
        impute=impute,
        encode=encode,
        drop_first=bool(drop_first) and encode == "onehot",
        max_categories=config.max_categories,
        min_frequency=config.min_frequency,
        scale=spec.needs_scaling and encode in ("target", "frequency"),
        levels=levels,
        strings=strings,
    )
