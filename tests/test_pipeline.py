"""Pipeline assembly: preprocessing by model family, and every learned step fitted on
training rows only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import build_pipeline
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from mlwb.data import dataset_from_table
from mlwb.data.reading import RawTable
from mlwb.models import find_model
from mlwb.pipeline.transformers import FrameCaster, NativeCategories
from mlwb.pipeline.treatments import plan_preprocessing
from mlwb.recipe import recipe_from_mapping


def small_dataset(recipe_data: dict | None = None, n: int = 120, seed: int = 0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10, 1, n).round(),
            "age": rng.integers(18, 80, n).astype(float),
            "home": pd.Series(rng.choice(["own", "rent", "mortgage"], n), dtype="str"),
            "y": pd.Series(rng.choice(["no", "yes"], n, p=[0.7, 0.3]), dtype="str"),
        }
    )
    frame.loc[frame.index[:10], "income"] = np.nan
    frame.loc[frame.index[5:12], "home"] = np.nan
    recipe = recipe_from_mapping({"target": "y", **(recipe_data or {})})
    table = RawTable(frame, "data.csv", "0" * 64, "utf-8", ",")
    return recipe, dataset_from_table(table, recipe)


def build(name: str, recipe, dataset, **params):
    return build_pipeline(name, recipe, dataset, **params)


def choose(name: str, recipe, dataset=None):
    """The resolved treatment of the first numeric and categorical column for ``name``."""
    if dataset is None:
        _, dataset = small_dataset()
    plan = plan_preprocessing(find_model(name), recipe, dataset.roles, {"home": 3})
    return plan.numeric["income"], plan.categorical["home"]


def test_linear_models_get_imputation_scaling_and_one_hot():
    recipe, dataset = small_dataset()
    numeric, categorical = choose("logistic_regression", recipe, dataset)
    assert (numeric.impute, numeric.scale, categorical.encode) == ("median", "standard", "onehot")
    assert categorical.drop_first is False  # regularised: no dummy-variable trap
    pipeline = build("logistic_regression", recipe, dataset).fit(dataset.X, dataset.y)
    out = pipeline[:-1].transform(dataset.X)
    assert not out.isna().any().any()
    assert "missingindicator_income" in out.columns
    assert {"home_own", "home_rent", "home_mortgage", "home_missing"} <= set(out.columns)
    numeric = out[["income", "age"]]
    assert np.allclose(numeric.mean(), 0, atol=1e-9)


def test_unregularised_linear_regression_drops_one_level():
    recipe = recipe_from_mapping({"target": "y"})
    _, categorical = choose("linear_regression", recipe)
    assert categorical.drop_first is True


def test_trees_get_ordinal_codes_without_scaling():
    recipe, dataset = small_dataset()
    numeric, categorical = choose("random_forest", recipe, dataset)
    assert (numeric.scale, categorical.encode) == ("none", "ordinal")
    pipeline = build("random_forest", recipe, dataset, n_estimators=5).fit(dataset.X, dataset.y)
    out = pipeline[:-1].transform(dataset.X)
    assert out["home"].dtype.kind == "f" and set(out["home"].unique()) <= {0, 1, 2, 3}
    raw_income = dataset.X["income"].dropna()
    assert np.allclose(out.loc[raw_income.index, "income"], raw_income)


def test_lightgbm_gets_native_categoricals_and_raw_missing_values():
    recipe, dataset = small_dataset()
    numeric, categorical = choose("lightgbm", recipe, dataset)
    assert (numeric.impute, categorical.encode) == ("none", "native")
    pipeline = build("lightgbm", recipe, dataset, n_estimators=5).fit(dataset.X, dataset.y)
    out = pipeline[:-1].transform(dataset.X)
    assert isinstance(out["home"].dtype, pd.CategoricalDtype)
    assert out["income"].isna().sum() == 10


def test_explicit_recipe_choice_wins_over_auto():
    recipe = recipe_from_mapping(
        {
            "target": "y",
            "preprocess": {
                "numeric": {"impute": "mean", "scale": "none"},
                "categorical": {"encode": "onehot", "drop_first": True},
            },
        }
    )
    numeric, categorical = choose("lightgbm", recipe)
    assert (numeric.impute, numeric.scale, categorical.encode, categorical.drop_first) == (
        "mean",
        "none",
        "onehot",
        True,
    )


@pytest.mark.parametrize("model", ["logistic_regression", "random_forest", "lightgbm"])
def test_unseen_categories_never_crash(model):
    recipe, dataset = small_dataset()
    pipeline = build(model, recipe, dataset).fit(dataset.X, dataset.y)
    rows = dataset.X.head(5).copy()
    rows["home"] = ["boat", "castle", np.nan, "own", "tent"]
    proba = pipeline.predict_proba(rows)
    assert proba.shape == (5, 2) and np.allclose(proba.sum(axis=1), 1)


def test_imputer_and_scaler_learn_from_training_rows_only():
    """The fitted statistics equal those of the training fold, not of all rows."""
    recipe, dataset = small_dataset()
    train, _ = next(StratifiedKFold(3, shuffle=True, random_state=0).split(dataset.X, dataset.y))
    pipeline = build("logistic_regression", recipe, dataset).fit(
        dataset.X.iloc[train], dataset.y[train]
    )
    imputer = pipeline.named_steps["complete"].named_transformers_["numeric0"].named_steps["impute"]
    scaler = pipeline.named_steps["encode"].named_transformers_["numeric0"]
    train_income = dataset.X["income"].iloc[train]
    assert imputer.statistics_[0] == pytest.approx(train_income.median())
    assert imputer.statistics_[0] != pytest.approx(dataset.X["income"].median())
    filled = train_income.fillna(train_income.median())
    assert scaler.mean_[0] == pytest.approx(filled.mean())


def test_native_categories_are_learned_from_training_rows_only():
    encoder = NativeCategories().fit(pd.DataFrame({"c": ["a", "b", "a"]}))
    out = encoder.transform(pd.DataFrame({"c": ["b", "z", None]}))
    assert list(out["c"].cat.categories) == ["a", "b"]
    assert out["c"].cat.codes.tolist() == [1, -1, -1]


def test_frame_caster_accepts_raw_frames_and_names_missing_columns():
    caster = FrameCaster(("x",), ("c",)).fit(pd.DataFrame({"x": [1, 2], "c": [1, 2]}))
    out = caster.transform(pd.DataFrame({"c": [1.0, np.nan], "x": ["3", "4"], "extra": [0, 0]}))
    assert list(out.columns) == ["x", "c"]
    assert out["x"].tolist() == [3.0, 4.0]
    assert out["c"].tolist()[0] == "1" and pd.isna(out["c"].tolist()[1])
    with pytest.raises(ValueError, match="missing column"):
        caster.transform(pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize("model", ["logistic_regression", "random_forest", "lightgbm"])
def test_pipelines_clone_and_refit_identically(model):
    recipe, dataset = small_dataset()
    pipeline = build(model, recipe, dataset)
    first = clone(pipeline).fit(dataset.X, dataset.y).predict_proba(dataset.X)
    second = clone(pipeline).fit(dataset.X, dataset.y).predict_proba(dataset.X)
    assert np.array_equal(first, second)


def test_ordinal_columns_use_the_given_order():
    rng = np.random.default_rng(1)
    n = 60
    frame = pd.DataFrame(
        {
            "size": pd.Series(rng.choice(["small", "medium", "large"], n), dtype="str"),
            "x": rng.normal(size=n),
            "y": pd.Series(rng.choice(["a", "b"], n), dtype="str"),
        }
    )
    recipe = recipe_from_mapping(
        {"target": "y", "columns": {"ordinal": {"size": ["small", "medium", "large"]}}}
    )
    dataset = dataset_from_table(RawTable(frame, "d.csv", "0", "utf-8", ","), recipe)
    pipeline = build("random_forest", recipe, dataset, n_estimators=5).fit(dataset.X, dataset.y)
    out = pipeline[:-1].transform(
        pd.DataFrame({"size": ["large", "small", "huge"], "x": [0, 0, 0]})
    )
    assert out["size"].tolist()[:2] == [2.0, 0.0]
    assert np.isfinite(out["size"]).all()  # an unlisted level is imputed, not a crash
