"""The final refit (mlwb/workflows/final.py): on every row, with every core ``n_jobs``
gives, and — when nothing the evaluation finds can change it — alongside the folds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import NO_DIAGNOSTICS_YAML, SAMPLES, make_dataset, run_cli, write_recipe

from mlwb.artifacts import load_model
from mlwb.plan import plan_run
from mlwb.workflows.final import early_refit

CREDIT = SAMPLES / "credit.csv"


@pytest.fixture(scope="module")
def credit(tmp_path_factory) -> pd.DataFrame:
    return pd.read_csv(CREDIT).head(600)


def _fit(tmp_path, credit, name: str, folds: int, n_jobs: int) -> tuple[dict, object]:
    data = tmp_path / "credit.csv"
    if not data.exists():
        credit.to_csv(data, index=False)
    recipe = write_recipe(
        tmp_path / f"{name}.yaml",
        "target: default\ncolumns: {drop: [customer_id]}\n"
        "models: {lightgbm: {n_estimators: 30, early_stopping_rounds: null}}\n"
        f"validation: {{outer: {{folds: {folds}}}}}\nn_jobs: {n_jobs}\n" + NO_DIAGNOSTICS_YAML,
    )
    run = tmp_path / name
    done = run_cli("fit", recipe, data, "--out", run, "-q")
    assert done.exit_code == 0, done.stderr
    return json.loads((run / "metrics.json").read_text()), load_model(run).model


def test_the_final_refit_uses_every_core_n_jobs_gives_and_learns_the_same(tmp_path, credit):
    """Four folds on two workers (one LightGBM thread each); the refit runs alone and gets
    both threads. Thread counts change the speed, never the model."""
    predictions = {}
    for n_jobs in (1, 2):
        _, final = _fit(tmp_path, credit, f"run{n_jobs}", 4, n_jobs)
        assert final.get_params(deep=True)["pipeline__model__estimator__n_jobs"] == n_jobs
        predictions[n_jobs] = final.predict_proba(credit.drop(columns=["default"]))
    np.testing.assert_array_equal(predictions[1], predictions[2])


def test_a_final_fit_alongside_the_folds_is_the_same_model(tmp_path, credit):
    """Three folds on two workers leave one idle in the last round: the final fit runs
    there. The run is the same as one refit afterwards (one worker, no idle slot)."""
    early, early_model = _fit(tmp_path, credit, "early", 3, 2)
    after, after_model = _fit(tmp_path, credit, "after", 3, 1)
    rows = credit.drop(columns=["default"])
    np.testing.assert_array_equal(early_model.predict_proba(rows), after_model.predict_proba(rows))
    for document in (early, after):
        document["final_model"].pop("fit_seconds")
    assert early["final_model"] == after["final_model"]
    assert early["models"]["lightgbm"]["summary"] == after["models"]["lightgbm"]["summary"]


def _plan(credit, models: dict, folds: int = 5, n_jobs: int = 2, **extra):
    data = {
        "target": "default",
        "columns": {"drop": ["customer_id"]},
        "models": models,
        "validation": {"outer": {"folds": folds}},
        "n_jobs": n_jobs,
        **extra,
    }
    recipe, dataset = make_dataset(credit, data)
    return plan_run(recipe, dataset)


@pytest.mark.parametrize(
    ("models", "folds", "n_jobs", "extra", "expected"),
    [
        ({"lightgbm": {"n_estimators": 30, "early_stopping_rounds": None}}, 5, 2, {}, "lightgbm"),
        ({"random_forest": {"n_estimators": 20}}, 3, 2, {}, "random_forest"),
        # no worker idles in the last round
        ({"lightgbm": {"n_estimators": 30, "early_stopping_rounds": None}}, 4, 2, {}, None),
        # one process: nothing to fill
        ({"lightgbm": {"n_estimators": 30, "early_stopping_rounds": None}}, 5, 1, {}, None),
        # the folds decide the rounds of the refit (early stopping is LightGBM's default)
        ({"lightgbm": {"n_estimators": 30}}, 5, 2, {}, None),
        # the best of two is not known before the folds
        ({"lightgbm": {"n_estimators": 30}, "logistic_regression": {}}, 5, 2, {}, None),
        # a search chooses the final configuration
        (
            {"logistic_regression": {"C": {"log_uniform": [0.01, 10]}}},
            5,
            2,
            {"search": {"strategy": "random", "trials": 2}},
            None,
        ),
    ],
)
def test_the_final_fit_goes_alongside_the_folds_only_when_the_folds_cannot_change_it(
    credit, models, folds, n_jobs, extra, expected
):
    early = early_refit(_plan(credit, models, folds, n_jobs, **extra))
    assert (early.name if early else None) == expected
