"""Leakage-proof by construction: on pure noise, every learned step inside mlwb's pipeline
gives chance-level cross-validated scores, while the classic mistake — selecting features
(or oversampling) on all rows before splitting — gives impressive, false ones.

Labels are random, so no honest procedure can beat an ROC-AUC of 0.5 out of sample; the
tolerance (± 0.08) is about two standard errors of an AUC on 300 rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import build_pipeline, make_dataset
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from mlwb.evaluation import cross_validate_pipeline
from mlwb.metrics import MetricContext
from mlwb.plan import plan_run

ROWS, FEATURES, TOLERANCE = 300, 1000, 0.08


@pytest.fixture(scope="module")
def noise() -> pd.DataFrame:
    rng = np.random.default_rng(2026)
    frame = pd.DataFrame(
        rng.normal(size=(ROWS, FEATURES)), columns=[f"f{i:04d}" for i in range(FEATURES)]
    )
    # A high-cardinality categorical of pure noise, for target encoding and SMOTENC.
    frame["shop"] = pd.Series([f"s{v:02d}" for v in rng.integers(0, 60, ROWS)], dtype="str")
    frame["y"] = pd.Series(rng.choice(["neg", "pos"], ROWS), dtype="str")
    return frame


def mlwb_cv_auc(
    frame: pd.DataFrame, recipe_extra: dict, model: str = "logistic_regression", **params
) -> float:
    """Out-of-fold ROC-AUC of mlwb's own pipeline and cross-validation."""
    recipe, dataset = make_dataset(
        frame,
        {"target": "y", "positive": "pos", "n_jobs": 1, "models": {model: params}, **recipe_extra},
    )
    plan = plan_run(recipe, dataset)
    pipeline = plan.model(model).pipeline
    _, oof, _ = cross_validate_pipeline(
        model, pipeline, dataset.X, dataset.y, plan.splits, ["roc_auc"], plan.metric_context
    )
    positive = dataset.target.positive_index
    return float(roc_auc_score(dataset.y == positive, oof.scores[:, positive]))


SELECTORS = [
    {"select": "variance"},
    {"select": "correlation", "threshold": 0.2},
    {"select": "mutual_info", "k": 20},
    {"select": "anova", "k": 20},
    {"select": "chi2", "k": 20},
    {"select": "l1"},
    {"select": "model", "k": 20},
    {"select": "pca", "k": 10},
]


@pytest.mark.parametrize("step", SELECTORS, ids=lambda s: s["select"])
def test_selectors_inside_cv_stay_at_chance(noise, step):
    auc = mlwb_cv_auc(noise, {"features": step})
    assert abs(auc - 0.5) <= TOLERANCE, auc


# The wrapper methods refit a model per candidate set: fewer noise columns keep them fast
# (sequential refits one per remaining column at every step, on each inner fold).
WRAPPERS = [
    ({"select": "rfe", "k": 20}, 200),
    ({"select": "rfecv"}, 200),
    ({"select": "sequential", "k": 5}, 80),
]


@pytest.mark.slow
@pytest.mark.parametrize(("step", "columns"), WRAPPERS, ids=[s["select"] for s, _ in WRAPPERS])
def test_wrapper_selectors_inside_cv_stay_at_chance(noise, step, columns):
    small = noise[[*noise.columns[:columns], "shop", "y"]]
    auc = mlwb_cv_auc(small, {"features": step})
    assert abs(auc - 0.5) <= TOLERANCE, auc


def test_every_selector_is_checked_for_leakage():
    from mlwb.pipeline.selection import SELECTORS as REGISTRY

    checked = [s["select"] for s in SELECTORS] + [s["select"] for s, _ in WRAPPERS]
    assert sorted(checked) == sorted(REGISTRY)


def test_selecting_on_all_rows_first_is_caught_by_this_test(noise):
    """The deliberate mistake: pick the 20 best features on ALL rows, then cross-validate.
    The same data and model that score ~0.5 inside mlwb score far above chance."""
    X = noise[[c for c in noise.columns if c.startswith("f")]].to_numpy()
    y = (noise["y"] == "pos").to_numpy().astype(int)
    leaked = SelectKBest(f_classif, k=20).fit_transform(X, y)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    wrong = cross_val_predict(
        LogisticRegression(max_iter=1000), leaked, y, cv=folds, method="predict_proba"
    )[:, 1]
    wrong_auc = roc_auc_score(y, wrong)
    honest_auc = mlwb_cv_auc(noise, {"features": {"select": "anova", "k": 20}})
    print(f"selection on all rows first: AUC {wrong_auc:.3f}; inside mlwb's CV: {honest_auc:.3f}")
    assert wrong_auc > 0.5 + 2 * TOLERANCE
    assert abs(honest_auc - 0.5) <= TOLERANCE


def test_target_encoding_of_a_noise_categorical_stays_at_chance(noise):
    frame = noise[["f0000", "f0001", "shop", "y"]]
    recipe = {"preprocess": {"categorical": {"encode": "target"}}}
    assert abs(mlwb_cv_auc(frame, recipe) - 0.5) <= TOLERANCE
    # and with trees, which would happily overfit an un-cross-fitted encoding
    auc = mlwb_cv_auc(frame, recipe, model="random_forest", n_estimators=50)
    assert abs(auc - 0.5) <= TOLERANCE, auc


SAMPLERS = [
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


@pytest.mark.parametrize("method", SAMPLERS)
def test_samplers_inside_cv_stay_at_chance(noise, method):
    frame = noise[[*noise.columns[:30], "shop", "y"]]
    # Make the noise labels imbalanced (about 1 in 4 positive) so samplers have work to do.
    rng = np.random.default_rng(5)
    frame = frame.assign(y=pd.Series(rng.choice(["neg", "pos"], ROWS, p=[0.75, 0.25]), dtype="str"))
    auc = mlwb_cv_auc(frame, {"imbalance": {"method": method}})
    assert abs(auc - 0.5) <= TOLERANCE, auc


def test_oversampling_before_splitting_is_caught_by_this_test(noise):
    """SMOTE on all rows first puts synthetic copies of test rows into training folds."""
    from imblearn.over_sampling import SMOTE

    rng = np.random.default_rng(5)
    X = noise[[c for c in noise.columns if c.startswith("f")][:30]].to_numpy()
    y = rng.choice([0, 1], ROWS, p=[0.75, 0.25])
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    from sklearn.ensemble import RandomForestClassifier

    wrong = cross_val_predict(
        RandomForestClassifier(n_estimators=100, random_state=0),
        X_res,
        y_res,
        cv=folds,
        method="predict_proba",
    )[:, 1]
    wrong_auc = roc_auc_score(y_res, wrong)
    frame = noise[[*noise.columns[:30], "y"]].assign(
        y=pd.Series(np.where(y == 1, "pos", "neg"), dtype="str")
    )
    honest_auc = mlwb_cv_auc(
        frame, {"imbalance": {"method": "smote"}}, model="random_forest", n_estimators=100
    )
    print(f"SMOTE on all rows first: AUC {wrong_auc:.3f}; inside mlwb's CV: {honest_auc:.3f}")
    assert wrong_auc > 0.5 + 2 * TOLERANCE
    assert abs(honest_auc - 0.5) <= TOLERANCE


def test_context_of_metrics_is_binary(noise):
    recipe, dataset = make_dataset(noise[["f0000", "shop", "y"]], {"target": "y"})
    assert plan_run(recipe, dataset).metric_context == MetricContext(
        "binary", 2, dataset.target.positive_index, None, 1.0
    )
    assert build_pipeline("logistic_regression", recipe, dataset) is not None
