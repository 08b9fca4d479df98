"""The model catalogue contract: one check over every entry, for every task it claims."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import build_pipeline
from pydantic import TypeAdapter
from sklearn.base import clone

from mlwb.data import dataset_from_table
from mlwb.data.reading import RawTable
from mlwb.models import ModelContext, all_models, find_model, model_names, register
from mlwb.models.spec import ModelSpec
from mlwb.recipe import recipe_from_mapping
from mlwb.recipe.params import ParamValue

CASES = [(spec.name, task) for spec in all_models() for task in sorted(spec.tasks)]


def tiny(task: str, n: int = 80, seed: int = 0):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], n)
    signal = x1 + 0.5 * x2 + (colour == "red")
    if task == "regression":
        y = pd.Series(signal * 10 + 50)
    elif task == "binary":
        y = pd.Series(np.where(signal > 0.3, "pos", "neg"), dtype="str")
    else:
        y = pd.Series(np.select([signal < -0.3, signal < 0.8], ["a", "b"], "c"), dtype="str")
    frame = pd.DataFrame({"x1": x1, "x2": x2, "colour": pd.Series(colour, dtype="str"), "y": y})
    frame.loc[frame.index[:5], "x1"] = np.nan
    recipe = recipe_from_mapping({"target": "y", "task": task})
    return recipe, dataset_from_table(RawTable(frame, "tiny.csv", "0", "utf-8", ","), recipe)


@pytest.mark.parametrize(("name", "task"), CASES)
def test_every_entry_builds_clones_fits_and_predicts(name, task):
    spec = find_model(name)
    recipe, dataset = tiny(task)
    pipeline = build_pipeline(spec.name, recipe, dataset)
    model = clone(pipeline).fit(dataset.X, dataset.y)
    if task == "regression":
        predictions = model.predict(dataset.X)
        assert predictions.shape == (80,) and np.isfinite(predictions).all()
        assert np.corrcoef(predictions, dataset.y)[0, 1] > 0.5
    else:
        proba = model.predict_proba(dataset.X)
        assert proba.shape == (80, dataset.target.n_classes)
        assert np.allclose(proba.sum(axis=1), 1.0)
        assert (model.predict(dataset.X) == dataset.y).mean() > 0.6
    again = clone(pipeline).fit(dataset.X, dataset.y)
    output = "predict" if task == "regression" else "predict_proba"
    assert np.array_equal(getattr(model, output)(dataset.X), getattr(again, output)(dataset.X))


@pytest.mark.parametrize("spec", all_models(), ids=lambda s: s.name)
def test_every_entry_is_described_and_its_space_is_valid(spec):
    assert spec.summary and spec.tasks
    estimator = spec.build(ModelContext(sorted(spec.tasks)[0], seed=0, threads=1))
    valid = estimator.get_params(deep=False)
    adapter = TypeAdapter(ParamValue)
    for param, value in spec.default_space.items():
        assert param in valid, f"{spec.name}.{param}"
        adapter.validate_python(value)


@pytest.mark.parametrize("spec", all_models(), ids=lambda s: s.name)
def test_every_entry_uses_the_seed(spec):
    task = sorted(spec.tasks)[0]
    params = spec.build(ModelContext(task, seed=123, threads=1)).get_params()
    if "random_state" in params:
        assert params["random_state"] == 123


def test_task_variants_are_chosen_by_task():
    forest = find_model("random_forest")
    assert type(forest.build(ModelContext("regression", 0))).__name__ == "RandomForestRegressor"
    assert type(forest.build(ModelContext("binary", 0))).__name__ == "RandomForestClassifier"


def test_threads_reach_the_library():
    assert find_model("lightgbm").build(ModelContext("binary", 0, threads=3)).n_jobs == 3
    assert find_model("random_forest").build(ModelContext("binary", 0, threads=2)).n_jobs == 2


def test_names_by_task_and_duplicate_registration():
    assert "logistic_regression" not in model_names("regression")
    assert "linear_regression" in model_names("regression")
    with pytest.raises(ValueError, match="already registered"):
        register(ModelSpec("lightgbm", "dup", frozenset({"binary"}), "boosting", lambda c: None))
