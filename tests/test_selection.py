"""`features:` selection steps: every method end to end on credit.csv, chains, k as a count or
a share, chi² and correlation details, and the encoding a selector forces (real
scikit-learn selectors inside the pipeline)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import NO_DIAGNOSTICS, SAMPLES, build_pipeline, make_dataset, run_cli, write_recipe
from sklearn.base import clone
from sklearn.feature_selection import chi2, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from mlwb.errors import RecipeError
from mlwb.pipeline.selection import SELECTORS, KBest, Sequential, build_selector, resolve_k

CREDIT = SAMPLES / "credit.csv"
COLUMNS = (
    "age",
    "income",
    "debt_ratio",
    "credit_history_months",
    "late_payments_2y",
    "open_accounts",
    "loan_amount",
    "utilization",
    "missingindicator_",
    "home_",
    "purpose_",
    "employment_",
    "region_",
    "has_guarantor_",
)


def recipe_file(tmp_path, features, target: str = "default", **extra):
    data = {
        "name": "sel",
        "target": target,
        "models": {"logistic_regression": {}},
        "n_jobs": 1,
        "validation": {"outer": {"folds": 3}},
        "features": features,
        **NO_DIAGNOSTICS,
        **extra,
    }
    return write_recipe(tmp_path / "sel.yaml", yaml.safe_dump(data))


def fit(tmp_path, features, data=CREDIT, **extra):
    """Fit on the CLI (console output kept); the result and metrics.json's final_model."""
    out = tmp_path / "run"
    result = run_cli("fit", recipe_file(tmp_path, features, **extra), data, "--out", out)
    final = None
    if result.exit_code == 0:
        final = json.loads((out / "metrics.json").read_text())["final_model"]
    return result, final


def _exactly(n):
    return lambda count, width: count == n


# (step, check of the number of features the model receives given the encoded width)
METHODS = {
    "variance": ({"select": "variance"}, lambda count, width: count == width),
    "correlation": ({"select": "correlation"}, lambda count, width: count == width - 1),
    "mutual_info": ({"select": "mutual_info", "k": 10}, _exactly(10)),
    "anova": ({"select": "anova", "k": 10}, _exactly(10)),
    "chi2": ({"select": "chi2", "k": 10}, _exactly(10)),
    # The wrapper methods refit extra-trees per step: a large k keeps them fast.
    "rfe": ({"select": "rfe", "k": 40}, _exactly(40)),
    "rfecv": ({"select": "rfecv", "k": 40}, lambda count, width: 40 <= count <= width),
    "l1": ({"select": "l1", "k": 10}, lambda count, width: 1 <= count <= 10),
    "model": ({"select": "model", "k": 10}, lambda count, width: 1 <= count <= 10),
    "pca": ({"select": "pca", "k": 5}, _exactly(5)),
    "sequential": ({"select": "sequential", "k": 5}, _exactly(5)),
}
SLOW_METHODS = {"rfecv", "sequential"}


def test_every_method_runs_end_to_end():
    assert set(METHODS) == set(SELECTORS)


@pytest.mark.parametrize(
    "method", [pytest.param(m, marks=pytest.mark.slow) if m in SLOW_METHODS else m for m in METHODS]
)
def test_each_method_fits_and_reports_the_features_into_the_model(tmp_path, method):
    step, expected = METHODS[method]
    result, final = fit(tmp_path, step)
    assert result.exit_code == 0, result.stderr
    features, width = final["features"], final["encoded_features"]
    assert width == 49  # credit.csv one-hot encoded for logistic regression
    assert expected(len(features), width), (len(features), width)
    assert len(set(features)) == len(features)
    if method == "pca":
        assert features == [f"pca{i}" for i in range(5)]
    else:
        assert all(name.startswith(COLUMNS) for name in features), features
    if method == "correlation":
        # has_guarantor_True mirrors has_guarantor_False: the later one of the pair goes.
        assert "has_guarantor_False" in features and "has_guarantor_True" not in features
    # The console names them: "features into the model (10 of 49 encoded): income, …".
    shown = ", ".join(features[:12])
    assert f"features into the model ({len(features)} of {width} encoded): {shown}" in (
        result.stdout
    )


@pytest.mark.parametrize("share", [0.5, 0.25])
def test_k_as_a_share_keeps_that_share_of_the_encoded_features(tmp_path, share):
    result, final = fit(tmp_path, {"select": "anova", "k": share})
    assert result.exit_code == 0, result.stderr
    width = final["encoded_features"]
    assert len(final["features"]) == resolve_k(share, width)
    assert abs(len(final["features"]) - share * width) <= 1


def test_a_list_of_steps_runs_in_order(tmp_path):
    result, final = fit(tmp_path, [{"select": "variance"}, {"select": "anova", "k": 8}])
    assert result.exit_code == 0, result.stderr
    assert len(final["features"]) == 8
    assert "features into the model (8 of 49 encoded)" in result.stdout
    pipeline = json.loads((tmp_path / "run" / "metrics.json").read_text())["models"][
        "logistic_regression"
    ]["pipeline"]
    steps = [s["step"] for s in pipeline]
    assert (
        steps.index("encode")
        < steps.index("select0")
        < steps.index("select1")
        < (steps.index("model"))
    )


# --- chi² ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "features, key",
    [
        ({"select": "chi2", "k": 3}, "features[0].select"),
        ([{"select": "variance"}, {"select": "chi2", "k": 3}], "features[1].select"),
    ],
)
def test_chi2_on_regression_is_a_recipe_error(tmp_path, features, key):
    recipe = recipe_file(tmp_path, features, target="progression", models={"linear_regression": {}})
    result = run_cli("fit", recipe, SAMPLES / "diabetes.csv", "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert f"{key}: chi2 needs classes" in result.stderr
    assert "anova or mutual_info" in result.stderr


def _frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return pd.DataFrame(
        {
            "signal": -50 + 3 * y + rng.normal(size=n),  # negative, informative
            "noise": -10 + rng.normal(size=n),  # negative, uninformative
            "other": rng.normal(size=n),
            "y": np.where(y == 1, "yes", "no"),
        }
    )


def test_chi2_works_on_negative_values():
    recipe, dataset = make_dataset(
        _frame(), {"target": "y", "features": {"select": "chi2", "k": 1}}
    )
    assert (dataset.X[["signal", "noise"]] < 0).all().all()
    pipeline = build_pipeline("logistic_regression", recipe, dataset).fit(dataset.X, dataset.y)
    assert list(pipeline.named_steps["model"].feature_names_in_) == ["signal"]
    encoded = pipeline[:-2].transform(dataset.X)
    with pytest.raises(ValueError, match="negative"):
        chi2(encoded, dataset.y)  # plain chi² refuses what mlwb's chi2 step accepts


# --- correlation and KBest ----------------------------------------------------------------


def test_correlation_filter_drops_the_second_of_a_duplicated_pair():
    frame = _frame()
    frame.insert(1, "double", 2 * frame["signal"] + 1)
    recipe, dataset = make_dataset(frame, {"target": "y", "features": {"select": "correlation"}})
    pipeline = build_pipeline("logistic_regression", recipe, dataset).fit(dataset.X, dataset.y)
    assert list(pipeline.named_steps["model"].feature_names_in_) == ["signal", "noise", "other"]


def test_correlation_threshold_is_honoured():
    frame = _frame()
    rng = np.random.default_rng(3)
    frame["close"] = frame["other"] + rng.normal(scale=0.5, size=len(frame))  # |r| ≈ 0.9
    r = abs(np.corrcoef(frame["other"], frame["close"])[0, 1])
    assert 0.8 < r < 0.95
    for threshold, kept in ((0.95, True), (0.8, False)):
        recipe, dataset = make_dataset(
            frame, {"target": "y", "features": {"select": "correlation", "threshold": threshold}}
        )
        pipeline = build_pipeline("logistic_regression", recipe, dataset)
        pipeline.fit(dataset.X, dataset.y)
        assert ("close" in pipeline.named_steps["model"].feature_names_in_) is kept


def test_variance_threshold_drops_low_variance_columns():
    frame = _frame()
    frame["flat"] = 1 + np.random.default_rng(4).normal(scale=0.01, size=len(frame))
    recipe, dataset = make_dataset(
        frame,
        {
            "target": "y",
            "preprocess": {"numeric": {"scale": "none"}},
            "features": {"select": "variance", "threshold": 0.5},
        },
    )
    pipeline = build_pipeline("logistic_regression", recipe, dataset).fit(dataset.X, dataset.y)
    assert list(pipeline.named_steps["model"].feature_names_in_) == ["signal", "noise", "other"]


def test_kbest_with_k_above_the_feature_count_keeps_them_all():
    frame = _frame()
    X, y = frame.drop(columns="y"), frame["y"]
    selector = KBest(f_classif, k=50).fit(X, y)
    assert selector.get_support().all()
    recipe, dataset = make_dataset(
        frame,
        {"target": "y", "features": [{"select": "anova", "k": 2}, {"select": "anova", "k": 9}]},
    )
    pipeline = build_pipeline("logistic_regression", recipe, dataset).fit(dataset.X, dataset.y)
    assert len(pipeline.named_steps["model"].feature_names_in_) == 2


def test_selector_learns_from_training_rows_only():
    recipe, dataset = make_dataset(
        pd.read_csv(CREDIT), {"target": "default", "features": {"select": "anova", "k": 10}}
    )
    train, _ = next(StratifiedKFold(3, shuffle=True, random_state=0).split(dataset.X, dataset.y))
    X, y = dataset.X.iloc[train], dataset.y[train]
    pipeline = build_pipeline("logistic_regression", recipe, dataset).fit(X, y)
    encoded = pipeline[: list(pipeline.named_steps).index("encode") + 1].transform(X)
    scores, _ = f_classif(encoded.to_numpy(float), y)
    np.testing.assert_allclose(pipeline.named_steps["select0"].selector_.scores_, scores)
    best = list(encoded.columns[np.argsort(-scores)[:10]])
    assert sorted(pipeline.named_steps["model"].feature_names_in_) == sorted(best)


def test_pca_with_k_above_the_feature_count_is_not_an_internal_error(tmp_path):
    result, final = fit(tmp_path, {"select": "pca", "k": 100})
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 0:
        assert len(final["features"]) == final["encoded_features"]


# --- encoding forced by selection ---------------------------------------------------------


def _treatments(document: dict, model: str) -> dict[str, str]:
    table = {}
    for line in document["models"][model]["preprocessing"]:
        names, label = line.split(" — ", 1)
        for name in names.split(", "):
            if not name.startswith("…"):
                table[name] = label
    return table


def test_lightgbm_with_a_selector_gets_ordinal_codes_not_native(tmp_path):
    models = {"lightgbm": {"n_estimators": 5}}
    with_selection = recipe_file(tmp_path, {"select": "anova", "k": 10}, models=models)
    result = run_cli("validate", with_selection, CREDIT, "--json")
    assert result.exit_code == 0, result.stderr
    plan = _treatments(result.json(), "lightgbm")
    for name in ("home", "purpose", "employment", "region", "has_guarantor"):
        assert plan[name].endswith("ordinal"), plan[name]
        assert "native" not in plan[name]
    assert "impute median" in plan["income"]  # selectors need complete data too
    steps = [s["step"] for s in result.json()["models"]["lightgbm"]["pipeline"]]
    assert "select0" in steps
    # Without a selector the same model reads native categories with raw missing values.
    (tmp_path / "plain").mkdir()
    plain = recipe_file(tmp_path / "plain", {"select": "none"}, models=models)
    native = _treatments(run_cli("validate", plain, CREDIT, "--json").json(), "lightgbm")
    assert native["home"] == "categorical: native"
    assert native["income"] == "numeric: as is (missing values kept)"


def test_explicit_native_encoding_with_a_selector_is_a_recipe_error(tmp_path):
    recipe = recipe_file(
        tmp_path,
        {"select": "anova", "k": 10},
        models={"lightgbm": {"n_estimators": 5}},
        preprocess={"categorical": {"encode": "native"}},
    )
    result = run_cli("validate", recipe, CREDIT)
    assert result.exit_code == 2
    assert "preprocess.categorical.encode" in result.stderr
    assert "feature selection" in result.stderr


# --- the registry contract: every entry, every task it claims -----------------------------

CONTRACT_K = 2
# Per-entry settings the contract data needs: variance keeps everything at its default
# threshold of 0 once the data layer has dropped constant columns.
CONTRACT_SETTINGS = {"variance": {"threshold": 0.01}}
CONTRACT_MODEL = {
    "binary": "logistic_regression",
    "multiclass": "logistic_regression",
    "regression": "linear_regression",
}
CONTRACT_METRIC = {"binary": "accuracy", "multiclass": "accuracy", "regression": "r2"}
SUPPORTED = [(name, task) for name, spec in SELECTORS.items() for task in sorted(spec.tasks)]
UNSUPPORTED = [
    (name, task)
    for name, spec in SELECTORS.items()
    for task in ("binary", "multiclass", "regression")
    if task not in spec.tasks
]


def contract_step(name: str) -> dict:
    """The step the contract runs: ``k`` where the method reads it, plus its settings."""
    step: dict = {"select": name, **CONTRACT_SETTINGS.get(name, {})}
    if "k" in SELECTORS[name].options:
        step["k"] = CONTRACT_K
    return step


def contract_frame(task: str, n: int = 90, seed: int = 0) -> pd.DataFrame:
    """Tiny data with something for every kind of method to act on: two informative
    columns, noise, a near-copy of a column (correlation), a nearly flat column (variance)
    and a categorical that one-hot encodes into three columns."""
    rng = np.random.default_rng(seed)
    s1, s2 = rng.normal(size=n), rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], n)
    signal = s1 + 0.7 * s2 + 0.5 * (colour == "red")
    if task == "regression":
        y = pd.Series(10 * signal + 50)
    elif task == "binary":
        y = pd.Series(np.where(signal > 0.2, "pos", "neg"), dtype="str")
    else:
        y = pd.Series(np.select([signal < -0.4, signal < 0.6], ["a", "b"], "c"), dtype="str")
    frame = pd.DataFrame(
        {
            "s1": s1,
            "s2": s2,
            "double": 2 * s1 + 1 + rng.normal(scale=0.01, size=n),
            "flat": 5 + rng.normal(scale=0.01, size=n),
            **{f"n{i}": rng.normal(size=n) for i in range(3)},
            "colour": pd.Series(colour, dtype="str"),
            "y": y,
        }
    )
    return frame


def contract_dataset(name: str, task: str):
    return make_dataset(
        contract_frame(task),
        {
            "target": "y",
            "task": task,
            "positive": "pos" if task == "binary" else None,
            "preprocess": {"numeric": {"scale": "none"}},
            "features": contract_step(name),
            "n_jobs": 1,
        },
    )


def kept_as_promised(keeps: str | None, kept: int, width: int) -> bool:
    """``k`` as each entry promises it: exactly, at most or at least ``CONTRACT_K`` features;
    a method without a count must still drop something from the contract data."""
    if keeps == "exactly":
        return kept == CONTRACT_K
    if keeps == "at most":
        return 1 <= kept <= CONTRACT_K
    if keeps == "at least":
        return CONTRACT_K <= kept <= width
    return 1 <= kept < width


def test_the_registry_and_the_recipe_schema_name_the_same_methods():
    from typing import get_args

    from mlwb.recipe.json_schema import recipe_json_schema
    from mlwb.recipe.schema import SelectMethod

    assert set(SELECTORS) == set(get_args(SelectMethod)) - {"none"}
    enum = recipe_json_schema()["$defs"]["FeatureSelection"]["properties"]["select"]["enum"]
    assert set(enum) == {"none", *SELECTORS}


@pytest.mark.parametrize(("name", "task"), SUPPORTED)
def test_every_selector_builds_fits_keeps_k_and_sees_training_rows_only(monkeypatch, name, task):
    """Through mlwb's own cross-validation: each fold fits the step once, on exactly that
    fold's training rows, and it keeps the features its entry promises."""
    from sklearn.model_selection import KFold

    from mlwb.evaluation import cross_validate_pipeline
    from mlwb.metrics import MetricContext
    from mlwb.recipe.schema import FeatureSelection

    spec = SELECTORS[name]
    built = build_selector(FeatureSelection(**contract_step(name)), task, 0, 1, 0)
    assert clone(built).get_params().keys() == built.get_params().keys()

    recipe, dataset = contract_dataset(name, task)
    pipeline = build_pipeline(CONTRACT_MODEL[task], recipe, dataset)
    steps = list(pipeline.named_steps)
    assert steps.index("encode") < steps.index("select0") < steps.index("model")

    selector_class = type(pipeline.named_steps["select0"])
    original_fit = selector_class.fit
    fits: list[tuple[set, int, int]] = []

    def recording_fit(self, X, y=None, **params):
        fitted = original_fit(self, X, y, **params)
        fits.append((set(X.index), X.shape[1], self.transform(X).shape[1]))
        return fitted

    monkeypatch.setattr(selector_class, "fit", recording_fit)
    splitter = KFold if task == "regression" else StratifiedKFold
    splits = list(splitter(3, shuffle=True, random_state=0).split(dataset.X, dataset.y))
    n_classes = len(dataset.target.classes) if task != "regression" else 2
    positive = dataset.target.positive_index if task == "binary" else 1
    folds, _, _ = cross_validate_pipeline(
        name,
        pipeline,
        dataset.X,
        dataset.y,
        splits,
        [CONTRACT_METRIC[task]],
        MetricContext(task, n_classes, positive),
    )

    assert [rows for rows, _, _ in fits] == [set(dataset.X.index[train]) for train, _ in splits]
    for _, width, kept in fits:
        assert kept_as_promised(spec.keeps, kept, width), (spec.keeps, kept, width)
    assert all(np.isfinite(f.test_scores[CONTRACT_METRIC[task]]) for f in folds)


@pytest.mark.parametrize(("name", "task"), UNSUPPORTED)
def test_a_selector_on_a_task_it_does_not_serve_is_a_recipe_error(name, task):
    from mlwb.recipe.schema import FeatureSelection

    with pytest.raises(RecipeError, match=rf"features\[0\]\.select: {name} needs"):
        build_selector(FeatureSelection(**contract_step(name)), task, 0, 1, 0)


def test_the_plan_describes_every_selector(tmp_path):
    """``mlwb validate`` (no fitting) names every step and its settings; sequential also
    names the estimator and score it decides by."""
    steps = [contract_step(name) for name in SELECTORS]
    steps[list(SELECTORS).index("sequential")]["direction"] = "backward"
    result = run_cli("validate", recipe_file(tmp_path, steps), CREDIT, "--json")
    assert result.exit_code == 0, result.stderr
    pipeline = result.json()["models"]["logistic_regression"]["pipeline"]
    described = {s["step"]: s["what"] for s in pipeline if s["step"].startswith("select")}
    assert [w.split(" ")[0] for w in described.values()] == list(SELECTORS)
    assert described["select1"] == "correlation"
    assert described["select2"] == f"mutual_info (k={CONTRACT_K})"
    assert described[f"select{list(SELECTORS).index('sequential')}"] == (
        f"sequential (k={CONTRACT_K}, backward, logistic regression scored by accuracy "
        "on 3 inner folds)"
    )


# --- sequential ---------------------------------------------------------------------------


def test_sequential_keeps_every_feature_when_k_reaches_the_width():
    """scikit-learn refuses a count at or above the width; a fold whose one-hot encoding is
    narrow must not fail."""
    frame = _frame()
    X, y = frame.drop(columns="y"), frame["y"]
    selector = Sequential(LogisticRegression(), k=3, cv=3).fit(X, y)
    assert selector.get_support().all() and selector.selector_ is None
    assert Sequential(LogisticRegression(), k=2, cv=3).fit(X, y).get_support().sum() == 2


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_sequential_finds_the_informative_feature_in_both_directions(direction):
    recipe, dataset = make_dataset(
        _frame(),
        {"target": "y", "features": {"select": "sequential", "k": 1, "direction": direction}},
    )
    pipeline = build_pipeline("logistic_regression", recipe, dataset).fit(dataset.X, dataset.y)
    assert list(pipeline.named_steps["model"].feature_names_in_) == ["signal"]
    inner = pipeline.named_steps["select0"].selector_
    assert inner.direction == direction and inner.n_jobs == 1
    assert inner.scoring == "accuracy"


@pytest.mark.parametrize(
    ("features", "key"),
    [
        ({"select": "anova", "direction": "forward"}, "features: direction: only applies"),
        (
            [{"select": "variance"}, {"select": "rfe", "direction": "backward"}],
            "features[1]: direction: only applies",
        ),
    ],
)
def test_direction_on_another_method_is_a_recipe_error(tmp_path, features, key):
    result = run_cli("validate", recipe_file(tmp_path, features))
    assert result.exit_code == 2
    assert key in result.stderr
