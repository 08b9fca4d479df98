"""`imbalance:`: every sampler and class weighting, resampling of training rows only, the
SMOTE → SMOTENC/SMOTEN switch, k_neighbors checks and sampler parameters (real
imbalanced-learn and scikit-learn)."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import (
    NO_DIAGNOSTICS,
    SAMPLES,
    make_dataset,
    run_cli,
    write_recipe,
)
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from mlwb.errors import DataError, RecipeError
from mlwb.evaluation import cross_validate_pipeline
from mlwb.plan import plan_run

CREDIT = SAMPLES / "credit.csv"
CATEGORICAL = ["home", "purpose", "employment", "region", "has_guarantor"]
METHODS = [
    "none",
    "class_weight",
    "smote",
    "smotenc",
    "borderline_smote",
    "adasyn",
    "svm_smote",
    "random_over",
    "random_under",
    "near_miss",
    "tomek",
    "smote_tomek",
    "smote_enn",
]


@cache
def _credit() -> pd.DataFrame:
    return pd.read_csv(CREDIT)


def recipe_mapping(target: str = "default", **extra) -> dict:
    return {
        "target": target,
        "models": {"logistic_regression": {}},
        "n_jobs": 1,
        "validation": {"outer": {"folds": 3}},
        **NO_DIAGNOSTICS,
        **extra,
    }


def plan_for(frame: pd.DataFrame, target: str = "default", **extra):
    """``plan_run`` of a logistic-regression recipe on an in-memory frame."""
    recipe, dataset = make_dataset(frame, recipe_mapping(target, **extra))
    return plan_run(recipe, dataset)


def credit_plan(imbalance: dict, **extra):
    return plan_for(_credit().copy(), imbalance=imbalance, **extra)


def recipe_file(tmp_path, target: str = "default", **extra):
    return write_recipe(tmp_path / "r.yaml", yaml.safe_dump(recipe_mapping(target, **extra)))


class CountingClassifier(LogisticRegression):
    """A real logistic regression that remembers the class counts it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.seen_counts_ = np.bincount(np.asarray(y, dtype=np.int64))
        return super().fit(X, y, sample_weight)


def with_counting_model(pipeline):
    return clone(pipeline).set_params(model=CountingClassifier(max_iter=2000))


# --- every method runs --------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_every_method_fits_credit(tmp_path, method):
    recipe = recipe_file(tmp_path, imbalance={"method": method})
    out = tmp_path / "run"
    result = run_cli("fit", recipe, CREDIT, "--out", out, "-q")
    assert result.exit_code == 0, result.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    model = metrics["models"]["logistic_regression"]
    resample = [s for s in model["pipeline"] if s["step"] == "resample"]
    if method in ("none", "class_weight"):
        assert resample == []
    else:
        assert len(resample) == 1 and "training rows only" in resample[0]["what"]
    model_step = next(s for s in model["pipeline"] if s["step"] == "model")
    assert ("class_weight='balanced'" in model_step["what"]) == (method == "class_weight")
    # Scores are for the original fold rows, whatever the sampler did to the training rows.
    assert sum(f["test_rows"] for f in model["folds"]) == 2000
    assert all(f["train_rows"] + f["test_rows"] == 2000 for f in model["folds"])
    assert np.isfinite(model["summary"]["roc_auc"]["mean"])


# --- training rows only -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["random_over", "smote"])
def test_sampler_resamples_training_rows_only(method):
    plan = credit_plan({"method": method})
    X, y = plan.dataset.X, plan.dataset.y
    train, test = plan.splits[0]
    pipeline = with_counting_model(plan.model("logistic_regression").pipeline)
    pipeline.fit(X.iloc[train], y[train])
    before = np.bincount(y[train])
    seen = pipeline.named_steps["model"].seen_counts_
    assert before[1] < before[0] / 4  # imbalanced going in
    assert seen[0] == before[0] and seen[1] == before[0]  # minority raised to the majority
    assert seen.sum() > len(train)
    proba = pipeline.predict_proba(X.iloc[test])
    assert proba.shape == (len(test), 2)
    assert len(pipeline.predict(X.iloc[test])) == len(test)


def test_cross_validation_scores_the_original_fold_rows():
    plan = credit_plan({"method": "random_over"})
    X, y = plan.dataset.X, plan.dataset.y
    pipeline = with_counting_model(plan.model("logistic_regression").pipeline)
    folds, oof, _ = cross_validate_pipeline(
        "logistic_regression", pipeline, X, y, plan.splits, plan.metrics, plan.metric_context
    )
    assert len(folds) == 3
    for fold, (train, test) in zip(folds, plan.splits, strict=True):
        assert fold.test_rows == len(test) and fold.train_rows == len(train)
    # Every row predicted exactly once, from the fold that held it out.
    assert (oof.fold >= 0).all() and not np.isnan(oof.scores).any()
    for i, (_, test) in enumerate(plan.splits):
        assert (oof.fold[test] == i).all()


@pytest.mark.parametrize(
    "strategy, expected",
    [(0.5, lambda majority: int(majority * 0.5)), ({"yes": 600}, lambda majority: 600)],
)
def test_sampling_strategy_reaches_the_sampler(strategy, expected):
    plan = credit_plan({"method": "random_over", "sampling_strategy": strategy})
    X, y = plan.dataset.X, plan.dataset.y
    train, _ = plan.splits[0]
    pipeline = with_counting_model(plan.model("logistic_regression").pipeline).fit(
        X.iloc[train], y[train]
    )
    seen = pipeline.named_steps["model"].seen_counts_
    majority = np.bincount(y[train])[0]
    assert seen[0] == majority and seen[1] == expected(majority)


def test_sampling_strategy_naming_a_non_class_is_a_recipe_error():
    with pytest.raises(RecipeError, match=r"imbalance\.sampling_strategy\.maybe: not a class"):
        credit_plan({"method": "random_over", "sampling_strategy": {"maybe": 500}})


# --- SMOTE variants -----------------------------------------------------------------------


def test_smote_with_categorical_columns_becomes_smotenc_with_a_notice():
    plan = credit_plan({"method": "smote"})
    assert plan.sampler.name == "SMOTENC"
    assert plan.sampler.params["categorical_features"] == CATEGORICAL
    assert any(
        "5 categorical column(s), so SMOTE runs as SMOTENC" in notice for notice in plan.notices
    )
    # SMOTENC sees categories, so it sits between imputation and encoding.
    steps = list(plan.model("logistic_regression").pipeline.named_steps)
    assert steps.index("complete") < steps.index("resample") < steps.index("encode")
    assert (
        type(plan.model("logistic_regression").pipeline.named_steps["resample"]).__name__
        == "SMOTENC"
    )


def test_smote_on_all_categorical_data_becomes_smoten():
    rng = np.random.default_rng(0)
    n = 120
    frame = pd.DataFrame(
        {
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n), dtype="str"),
            "size": pd.Series(rng.choice(["s", "m", "l", "xl"], n), dtype="str"),
            "y": pd.Series(np.where(np.arange(n) % 6 == 0, "rare", "common"), dtype="str"),
        }
    )
    plan = plan_for(frame, "y", imbalance={"method": "smote"})
    assert plan.sampler.name == "SMOTEN"
    assert any("every feature is categorical, so SMOTE runs as SMOTEN" in n for n in plan.notices)
    X, y = plan.dataset.X, plan.dataset.y
    train, test = plan.splits[0]
    pipeline = with_counting_model(plan.model("logistic_regression").pipeline).fit(
        X.iloc[train], y[train]
    )
    assert type(pipeline.named_steps["resample"]).__name__ == "SMOTEN"
    seen = pipeline.named_steps["model"].seen_counts_
    assert seen[0] == seen[1] == max(np.bincount(y[train]))
    assert pipeline.predict_proba(X.iloc[test]).shape == (len(test), 2)


def test_smotenc_without_categorical_columns_is_a_recipe_error(tmp_path):
    recipe = recipe_file(tmp_path, "cultivar", imbalance={"method": "smotenc"})
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert "imbalance.method" in result.stderr
    assert "smotenc needs categorical columns" in result.stderr and "use smote" in result.stderr


# --- k_neighbors --------------------------------------------------------------------------


def _rare_class_csv(tmp_path, positives: int = 6, n: int = 60):
    """Numeric features, ``positives`` rows of class 'yes' out of ``n``."""
    rng = np.random.default_rng(1)
    y = np.array(["yes"] * positives + ["no"] * (n - positives))
    frame = pd.DataFrame(
        {
            "x1": rng.normal(size=n) + (y == "yes"),
            "x2": rng.normal(size=n),
            "x3": rng.uniform(0, 5, n),
            "y": y,
        }
    )
    path = tmp_path / "rare.csv"
    frame.to_csv(path, index=False)
    return path


def _fit_rare(tmp_path, imbalance: dict):
    # 6 positives over 5 stratified folds: the smallest training fold holds 4 of them.
    recipe = write_recipe(
        tmp_path / "rare.yaml",
        yaml.safe_dump(
            recipe_mapping("y", imbalance=imbalance, validation={"outer": {"folds": 5}})
        ),
    )
    return run_cli("fit", recipe, _rare_class_csv(tmp_path), "--out", tmp_path / "run")


@pytest.mark.parametrize("method", ["smote", "borderline_smote", "adasyn", "smote_tomek"])
def test_too_few_rows_for_k_neighbors_is_a_data_error(tmp_path, method):
    result = _fit_rare(tmp_path, {"method": method, "k_neighbors": 7})
    assert result.exit_code == 3, result.stderr
    assert "imbalance.k_neighbors" in result.stderr
    assert "class 'yes' has only 4 rows in the smallest training fold" in result.stderr
    assert f"{method} with k_neighbors=7 needs at least 8" in result.stderr
    assert "k_neighbors: 3" in result.stderr  # the suggested k
    assert not (tmp_path / "run").exists()


def test_k_neighbors_at_the_limit_fits(tmp_path):
    result = _fit_rare(tmp_path, {"method": "smote", "k_neighbors": 3})
    assert result.exit_code == 0, result.stderr
    (tmp_path / "x").mkdir()
    assert _fit_rare(tmp_path / "x", {"method": "smote", "k_neighbors": 4}).exit_code == 3


def test_k_neighbors_auto_picks_a_k_that_fits_and_says_so(tmp_path):
    result = _fit_rare(tmp_path, {"method": "smote", "k_neighbors": "auto"})
    assert result.exit_code == 0, result.stderr
    assert "imbalance.k_neighbors: auto chose 3" in result.stderr
    assert "class 'yes' has only 4 rows" in result.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert any("auto chose 3" in n for n in metrics["notices"])
    steps = metrics["models"]["logistic_regression"]["pipeline"]
    assert any(s["step"] == "resample" and "k_neighbors=3" in s["what"] for s in steps)


def test_k_neighbors_auto_on_plenty_of_rows_keeps_five_silently():
    plan = credit_plan({"method": "smote", "k_neighbors": "auto"})
    assert plan.sampler.params["k_neighbors"] == 5
    assert not any("k_neighbors" in n for n in plan.notices)


# --- regression ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["smote", "random_under"])
def test_sampler_on_a_regression_task_is_a_recipe_error(tmp_path, method):
    recipe = recipe_file(
        tmp_path,
        "progression",
        models={"linear_regression": {}},
        imbalance={"method": method},
    )
    result = run_cli("fit", recipe, SAMPLES / "diabetes.csv", "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert "imbalance.method" in result.stderr and "regression" in result.stderr
    assert method in result.stderr


# --- class weights ------------------------------------------------------------------------


def test_class_weight_balanced_reaches_the_model():
    plan = credit_plan({"method": "class_weight"})
    model = plan.model("logistic_regression")
    assert model.plan.library_params == {"class_weight": "balanced"}
    assert model.pipeline.named_steps["model"].class_weight == "balanced"
    assert "resample" not in model.pipeline.named_steps


def test_class_weight_mapping_reaches_the_model_as_class_codes():
    plan = credit_plan({"method": "class_weight", "class_weight": {"yes": 5, "No": 1}})
    assert plan.dataset.target.classes == ("no", "yes")
    weights = plan.model("logistic_regression").pipeline.named_steps["model"].class_weight
    assert weights == {1: 5, 0: 1}
    # The weights change the model: positives score higher than without them.
    X, y = plan.dataset.X, plan.dataset.y
    weighted = clone(plan.model("logistic_regression").pipeline).fit(X, y).predict_proba(X)[:, 1]
    plain = clone(credit_plan({"method": "none"}).model("logistic_regression").pipeline).fit(X, y)
    assert weighted.mean() > plain.predict_proba(X)[:, 1].mean() + 0.1


def test_class_weight_naming_a_non_class_is_a_recipe_error(tmp_path):
    recipe = recipe_file(
        tmp_path, imbalance={"method": "class_weight", "class_weight": {"yess": 5, "no": 1}}
    )
    result = run_cli("fit", recipe, CREDIT, "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert "imbalance.class_weight.yess: not a class of the target" in result.stderr
    assert "did you mean yes?" in result.stderr and "classes: no, yes" in result.stderr


def test_class_weight_mapping_error_in_process():
    with pytest.raises(RecipeError, match=r"imbalance\.class_weight\.maybe"):
        credit_plan({"method": "class_weight", "class_weight": {"maybe": 2}})


# --- sampler parameters -------------------------------------------------------------------


def test_sampler_params_reach_the_sampler():
    plan = credit_plan({"method": "borderline_smote", "params": {"m_neighbors": 7}})
    assert plan.sampler.params["m_neighbors"] == 7
    sampler = plan.model("logistic_regression").pipeline.named_steps["resample"]
    assert type(sampler).__name__ == "BorderlineSMOTE"
    assert sampler.m_neighbors == 7 and sampler.k_neighbors == 5


def test_unknown_sampler_param_is_a_recipe_error_with_a_suggestion(tmp_path):
    recipe = recipe_file(
        tmp_path, imbalance={"method": "borderline_smote", "params": {"m_neighbours": 7}}
    )
    result = run_cli("fit", recipe, CREDIT, "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert "imbalance.params.m_neighbours: not a parameter of BorderlineSMOTE" in result.stderr
    assert "did you mean m_neighbors?" in result.stderr


def test_rare_class_error_is_raised_at_planning(tmp_path):
    frame = pd.read_csv(_rare_class_csv(tmp_path))
    with pytest.raises(DataError, match="needs at least 8"):
        plan_for(
            frame,
            "y",
            imbalance={"method": "smote", "k_neighbors": 7},
            validation={"outer": {"folds": 5}},
        )
