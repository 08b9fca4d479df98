"""Every option of `preprocess:`, checked on what it does to the data: imputers, missing
indicators, scalers, log1p, binning, categorical encoders, per-column overrides and the
model-aware `auto` (real scikit-learn / LightGBM, fitted on a training fold of credit.csv)."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import NO_DIAGNOSTICS, SAMPLES, build_pipeline, make_dataset, run_cli, write_recipe
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import KBinsDiscretizer

CREDIT = SAMPLES / "credit.csv"
NUMERIC = [
    "age",
    "income",
    "debt_ratio",
    "credit_history_months",
    "late_payments_2y",
    "open_accounts",
    "loan_amount",
    "utilization",
]
CATEGORICAL = ["home", "purpose", "employment", "region", "has_guarantor"]
HOME_LEVELS = ["mortgage", "other", "own", "rent"]


@cache
def _credit() -> pd.DataFrame:
    return pd.read_csv(CREDIT)


def fitted(model: str, preprocess: dict, **params):
    """A pipeline fitted on the first training fold of credit.csv, and those rows."""
    recipe, dataset = make_dataset(
        _credit().copy(), {"target": "default", "preprocess": preprocess}
    )
    train, _ = next(StratifiedKFold(3, shuffle=True, random_state=0).split(dataset.X, dataset.y))
    X = dataset.X.iloc[train]
    pipeline = build_pipeline(model, recipe, dataset, **params).fit(X, dataset.y[train])
    return pipeline, X


def completed(pipeline, X: pd.DataFrame) -> pd.DataFrame:
    """Output of the ``complete`` stage (log1p, imputation, indicators)."""
    return pipeline[: _position(pipeline, "complete") + 1].transform(X)


def encoded(pipeline, X: pd.DataFrame) -> pd.DataFrame:
    """Output of the ``encode`` stage (scaling, binning, categorical encoding)."""
    return pipeline[: _position(pipeline, "encode") + 1].transform(X)


def all_float(frame: pd.DataFrame) -> bool:
    return all(dtype.kind == "f" for dtype in frame.dtypes)


def _position(pipeline, step: str) -> int:
    return list(pipeline.named_steps).index(step)


def recipe_file(tmp_path, models: dict, extra: dict | None = None, name: str = "r"):
    """A credit recipe with the given models, 3 folds and one job, plus ``extra`` keys."""
    data = {
        "name": name,
        "target": "default",
        "models": models,
        "n_jobs": 1,
        "validation": {"outer": {"folds": 3}},
        **NO_DIAGNOSTICS,
        **(extra or {}),
    }
    return write_recipe(tmp_path / f"{name}.yaml", yaml.safe_dump(data))


LOGISTIC = {"logistic_regression": {}}


def fit_credit(tmp_path, preprocess: dict, models: dict | None = None):
    recipe = recipe_file(tmp_path, models or LOGISTIC, {"preprocess": preprocess})
    return run_cli("fit", recipe, CREDIT, "--out", tmp_path / "run", "-q")


def treatments(document: dict, model: str) -> dict[str, str]:
    """``mlwb validate --json`` preprocessing lines as {column: "kind: treatment"}."""
    table = {}
    for line in document["models"][model]["preprocessing"]:
        names, label = line.split(" — ", 1)
        for name in names.split(", "):
            if not name.startswith("…"):
                table[name] = label
    return table


def validate_plan(tmp_path, models: dict, preprocess: dict) -> dict:
    recipe = recipe_file(tmp_path, models, {"preprocess": preprocess})
    result = run_cli("validate", recipe, CREDIT, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


# --- numeric imputation -------------------------------------------------------------------


@pytest.mark.parametrize(
    "strategy",
    [
        "mean",
        "median",
        "most_frequent",
        "constant",
        "knn",
        "iterative",
    ],
)
def test_numeric_imputers_leave_no_missing_value_and_keep_known_ones(strategy):
    pipeline, X = fitted("logistic_regression", {"numeric": {"impute": strategy}})
    assert X["income"].isna().sum() > 50 and X["utilization"].isna().sum() > 30
    out = completed(pipeline, X)
    assert not out.isna().any().any()
    for name in ("income", "utilization"):
        known = X[name].notna()
        np.testing.assert_allclose(out.loc[known, name], X.loc[known, name])
    # The fitted pipeline predicts rows that have gaps.
    gaps = X[X["income"].isna()].head(20)
    assert pipeline.predict_proba(gaps).shape == (len(gaps), 2)


@pytest.mark.parametrize(
    "strategy, statistic",
    [
        ("mean", lambda s: s.mean()),
        ("median", lambda s: s.median()),
        ("most_frequent", lambda s: s.mode().min()),  # sklearn breaks ties by the smallest
        ("constant", lambda s: -7.0),
    ],
)
def test_simple_imputer_statistic_matches_pandas_on_training_rows(strategy, statistic):
    pipeline, X = fitted("logistic_regression", {"numeric": {"impute": strategy, "fill_value": -7}})
    imputer = pipeline.named_steps["complete"].named_transformers_["numeric0"].named_steps["impute"]
    assert list(imputer.feature_names_in_) == NUMERIC
    for value, name in zip(imputer.statistics_, NUMERIC, strict=True):
        assert value == pytest.approx(statistic(X[name])), name
    out = completed(pipeline, X)
    for name in ("income", "utilization"):
        gaps = X[name].isna()
        assert np.allclose(out.loc[gaps, name], statistic(X[name]))


def test_impute_none_keeps_missing_values_for_lightgbm():
    pipeline, X = fitted("lightgbm", {"numeric": {"impute": "none"}}, n_estimators=5)
    out = completed(pipeline, X)
    assert out["income"].isna().sum() == X["income"].isna().sum() > 0
    assert out["utilization"].isna().sum() == X["utilization"].isna().sum() > 0
    assert not any(c.startswith("missingindicator_") for c in out.columns)
    assert encoded(pipeline, X)["income"].isna().sum() == X["income"].isna().sum()
    gaps = X[X["income"].isna()].head(10)
    assert np.isfinite(pipeline.predict_proba(gaps)).all()


def test_impute_none_with_a_model_that_needs_complete_data_is_a_recipe_error(tmp_path):
    result = fit_credit(tmp_path, {"numeric": {"impute": "none"}})
    assert result.exit_code == 2, result.stderr
    assert "preprocess.numeric.impute" in result.stderr


@pytest.mark.parametrize("indicator", [True, False])
def test_missing_indicator_columns_only_when_asked(indicator):
    pipeline, X = fitted("logistic_regression", {"numeric": {"missing_indicator": indicator}})
    out = encoded(pipeline, X)
    flags = sorted(c for c in out.columns if c.startswith("missingindicator_"))
    if indicator:
        # One flag per column that had gaps in training (age has none).
        assert flags == ["missingindicator_income", "missingindicator_utilization"]
        for name in ("income", "utilization"):
            assert (out[f"missingindicator_{name}"] == X[name].isna().astype(float)).all()
    else:
        assert flags == []
    assert not out.isna().any().any()


# --- scaling ------------------------------------------------------------------------------


def _check_standard(col, raw):
    assert abs(col.mean()) < 1e-9 and col.std(ddof=0) == pytest.approx(1.0)


def _check_minmax(col, raw):
    assert col.min() == pytest.approx(0.0) and col.max() == pytest.approx(1.0)


def _check_robust(col, raw):
    assert abs(col.median()) < 1e-9
    assert col.quantile(0.75) - col.quantile(0.25) == pytest.approx(1.0)


def _check_maxabs(col, raw):
    assert col.abs().max() == pytest.approx(1.0)
    assert (np.sign(col) == np.sign(raw)).all()  # no centring


def _check_quantile(col, raw):
    assert abs(col.median()) < 0.05 and 0.8 < col.std() < 1.2  # ~ standard normal
    order = raw.argsort(kind="stable")
    assert (np.diff(col.to_numpy()[order]) >= -1e-12).all()  # order preserved


def _check_power(col, raw):
    assert abs(col.mean()) < 1e-6 and col.std(ddof=0) == pytest.approx(1.0, abs=1e-6)
    assert abs(col.skew()) < abs(raw.skew())  # Yeo-Johnson reduces the skew


def _check_none(col, raw):
    np.testing.assert_allclose(col, raw)


SCALER_CHECKS = {
    "standard": _check_standard,
    "minmax": _check_minmax,
    "robust": _check_robust,
    "maxabs": _check_maxabs,
    "quantile": _check_quantile,
    "power": _check_power,
    "none": _check_none,
}


@pytest.mark.parametrize("scale", list(SCALER_CHECKS))
def test_scalers_on_training_rows(scale):
    pipeline, X = fitted("logistic_regression", {"numeric": {"scale": scale}})
    before = completed(pipeline, X)
    after = encoded(pipeline, X)
    for name in ("income", "loan_amount", "debt_ratio", "age"):
        SCALER_CHECKS[scale](after[name], before[name])
    assert not after[NUMERIC].isna().any().any()


# --- log1p --------------------------------------------------------------------------------


def test_log_applies_log1p_before_imputation_to_the_named_columns_only():
    pipeline, X = fitted("logistic_regression", {"numeric": {"log": ["income"], "scale": "none"}})
    out = completed(pipeline, X)
    known = X["income"].notna()
    np.testing.assert_allclose(out.loc[known, "income"], np.log1p(X.loc[known, "income"]))
    # The median is taken of the logged values.
    assert np.allclose(out.loc[~known, "income"], np.median(np.log1p(X.loc[known, "income"])))
    np.testing.assert_allclose(out["loan_amount"], X["loan_amount"])


def _small_csv(tmp_path, low: float):
    rng = np.random.default_rng(0)
    n = 40
    x = rng.uniform(0, 10, n)
    x[3] = low
    frame = pd.DataFrame(
        {"x": x, "z": rng.normal(size=n), "y": np.where(np.arange(n) % 2 == 0, "a", "b")}
    )
    path = tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("low, text", [(-3.5, "-3.5"), (-1.0, "-1")])
def test_log_of_a_column_with_values_at_or_below_minus_one_is_a_data_error(tmp_path, low, text):
    data = _small_csv(tmp_path, low)
    recipe = write_recipe(
        tmp_path / "r.yaml",
        yaml.safe_dump(
            {
                "target": "y",
                "models": LOGISTIC,
                "n_jobs": 1,
                "validation": {"outer": {"folds": 3}},
                "preprocess": {"numeric": {"log": ["x"]}},
            }
        ),
    )
    result = run_cli("fit", recipe, data, "--out", tmp_path / "run")
    assert result.exit_code == 3, result.stderr
    assert "'x'" in result.stderr and f"minimum {text}" in result.stderr
    assert "log1p" in result.stderr
    assert not (tmp_path / "run").exists()


def test_log_of_a_column_above_minus_one_fits(tmp_path):
    data = _small_csv(tmp_path, -0.5)
    recipe = write_recipe(
        tmp_path / "r.yaml",
        yaml.safe_dump(
            {
                "target": "y",
                "models": LOGISTIC,
                "n_jobs": 1,
                "validation": {"outer": {"folds": 3}},
                "preprocess": {"numeric": {"log": ["x"]}},
            }
        ),
    )
    result = run_cli("fit", recipe, data, "--out", tmp_path / "run", "-q")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    "numeric, key",
    [
        ({"log": ["home"]}, "preprocess.numeric.log"),
        ({"bin": {"home": 4}}, "preprocess.numeric.bin.home"),
        ({"log": ["customer_id"]}, "preprocess.numeric.log"),
    ],
)
def test_log_or_bin_of_a_non_numeric_column_is_a_recipe_error(tmp_path, numeric, key):
    result = fit_credit(tmp_path, {"numeric": numeric})
    assert result.exit_code == 2, result.stderr
    assert key in result.stderr
    column = next(iter(numeric["log"] if "log" in numeric else numeric["bin"]))
    assert f"'{column}' is not a numeric column" in result.stderr


def test_unknown_scaler_is_a_recipe_error(tmp_path):
    result = fit_credit(tmp_path, {"numeric": {"scale": "fancy"}})
    assert result.exit_code == 2
    assert "preprocess.numeric.scale" in result.stderr and "'fancy'" in result.stderr
    assert "robust" in result.stderr  # the valid choices are listed


# --- binning ------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("bin_encode", ["onehot", "ordinal"])
def test_binning_columns_and_codes(strategy, bin_encode):
    pipeline, X = fitted(
        "logistic_regression",
        {"numeric": {"bin": {"age": 5}, "bin_strategy": strategy, "bin_encode": bin_encode}},
    )
    out = encoded(pipeline, X)
    age_columns = [c for c in out.columns if c == "age" or c.startswith("age_")]
    if bin_encode == "onehot":
        assert age_columns == [f"age_{i}.0" for i in range(5)]
        assert set(np.unique(out[age_columns])) == {0.0, 1.0}
        assert (out[age_columns].sum(axis=1) == 1).all()
        codes = out[age_columns].to_numpy().argmax(axis=1)
    else:
        assert age_columns == ["age"]
        codes = out["age"].to_numpy()
        assert set(np.unique(codes)) == {0.0, 1.0, 2.0, 3.0, 4.0}
    # Codes follow age: every age in bin k is at most every age in bin k + 1.
    ages = X["age"].to_numpy()
    for k in range(4):
        assert ages[codes == k].max() <= ages[codes == k + 1].min()
    binner = next(
        t
        for t in pipeline.named_steps["encode"].named_transformers_.values()
        if isinstance(t, KBinsDiscretizer)
    )
    edges = binner.bin_edges_[0]
    counts = np.bincount(codes.astype(int), minlength=5)
    if strategy == "uniform":
        assert np.allclose(np.diff(edges), (ages.max() - ages.min()) / 5)
    else:
        assert counts.min() > 0.1 * len(X) and counts.max() < 0.3 * len(X)
    # Other numeric columns keep the default (standard scaling for logistic regression).
    assert abs(out["income"].mean()) < 1e-9


def test_binning_a_column_with_gaps_for_lightgbm(tmp_path):
    result = fit_credit(
        tmp_path, {"numeric": {"bin": {"income": 5}}}, {"lightgbm": {"n_estimators": 10}}
    )
    assert result.exit_code in (0, 2), result.stderr


# --- categorical encoders -----------------------------------------------------------------


def test_onehot_makes_one_column_per_level_and_pools_beyond_max_categories():
    pipeline, X = fitted("logistic_regression", {"categorical": {"encode": "onehot"}})
    out = encoded(pipeline, X)
    home = [c for c in out.columns if c.startswith("home_")]
    assert home == [f"home_{level}" for level in HOME_LEVELS]
    assert (out[home].sum(axis=1) == 1).all() and all_float(out[home])
    assert "employment_missing" in out.columns  # constant imputation adds a level
    region = [c for c in out.columns if c.startswith("region_")]
    assert len(region) == 20 and "region_infrequent_sklearn" in region  # default max 20


def test_ordinal_makes_one_column_of_codes_per_feature():
    pipeline, X = fitted("logistic_regression", {"categorical": {"encode": "ordinal"}})
    out = encoded(pipeline, X)
    assert not any(c.startswith(("home_", "purpose_")) for c in out.columns)
    assert set(CATEGORICAL) <= set(out.columns)
    assert all_float(out[["home"]])
    expected = X["home"].map({level: float(i) for i, level in enumerate(HOME_LEVELS)})
    assert (out["home"] == expected).all()
    assert out["region"].between(0, 19).all()  # 60 levels, pooled to max_categories 20


@pytest.mark.parametrize("model", ["logistic_regression", "random_forest"])
def test_target_encoding_is_one_column_ordered_like_the_class_rate(model):
    params = {"n_estimators": 5} if model == "random_forest" else {}
    pipeline, X = fitted(model, {"categorical": {"encode": "target"}}, **params)
    out = encoded(pipeline, X)
    assert set(CATEGORICAL) <= set(out.columns)
    assert not any(c.startswith("region_") for c in out.columns)
    assert all_float(out[CATEGORICAL])
    train = _credit().loc[X.index]
    rate = (train["default"] == "yes").groupby(train["region"]).mean()
    by_level = out["region"].groupby(X["region"]).first()
    assert by_level.corr(rate[by_level.index], method="spearman") > 0.9
    if model == "logistic_regression":
        # Standard scaled for linear models (fitted on the cross-fitted training encodings,
        # so the full-fit encodings are only close to mean 0 and scale 1).
        assert abs(out["region"].mean()) < 0.1 and 0.8 < out["region"].std() < 1.2
    else:
        assert out["region"].between(0, 1).all()


@pytest.mark.parametrize("model", ["logistic_regression", "random_forest"])
def test_frequency_encoding_is_the_training_share_of_each_level(model):
    params = {"n_estimators": 5} if model == "random_forest" else {}
    pipeline, X = fitted(model, {"categorical": {"encode": "frequency"}}, **params)
    out = encoded(pipeline, X)
    assert set(CATEGORICAL) <= set(out.columns) and all_float(out[CATEGORICAL])
    share = X["home"].map(X["home"].value_counts(normalize=True)).astype(float)
    if model == "random_forest":
        np.testing.assert_allclose(out["home"], share)
    else:  # the same numbers, standard scaled
        np.testing.assert_allclose(out["home"], (share - share.mean()) / share.std(ddof=0))


def test_native_categories_for_lightgbm():
    pipeline, X = fitted("lightgbm", {"categorical": {"encode": "native"}}, n_estimators=5)
    out = encoded(pipeline, X)
    for name in CATEGORICAL:
        assert isinstance(out[name].dtype, pd.CategoricalDtype), name
    assert list(out["home"].cat.categories) == HOME_LEVELS
    assert out["employment"].isna().sum() == X["employment"].isna().sum() > 0
    assert len(out["region"].cat.categories) == X["region"].nunique()


def test_drop_first_drops_one_level():
    keep, X = fitted("logistic_regression", {"categorical": {"drop_first": False}})
    drop, _ = fitted("logistic_regression", {"categorical": {"drop_first": True}})
    kept = [c for c in encoded(keep, X).columns if c.startswith("home_")]
    dropped = [c for c in encoded(drop, X).columns if c.startswith("home_")]
    assert kept == [f"home_{level}" for level in HOME_LEVELS]
    assert dropped == [f"home_{level}" for level in HOME_LEVELS[1:]]


def test_max_categories_pools_the_rarest_levels():
    pipeline, X = fitted("logistic_regression", {"categorical": {"max_categories": 3}})
    out = encoded(pipeline, X)
    purpose = [c for c in out.columns if c.startswith("purpose_")]
    assert purpose == ["purpose_car", "purpose_debt_consolidation", "purpose_infrequent_sklearn"]
    rare = ~X["purpose"].isin(["car", "debt_consolidation"])
    assert (out.loc[rare, "purpose_infrequent_sklearn"] == 1).all()
    assert (out.loc[~rare, "purpose_infrequent_sklearn"] == 0).all()


@pytest.mark.parametrize("min_frequency", [150, 0.1])
def test_min_frequency_pools_levels_rarer_than_the_threshold(min_frequency):
    pipeline, X = fitted(
        "logistic_regression",
        {"categorical": {"min_frequency": min_frequency, "max_categories": None}},
    )
    out = encoded(pipeline, X)
    threshold = min_frequency if min_frequency >= 1 else min_frequency * len(X)
    counts = X["purpose"].value_counts()
    kept = sorted(level for level, n in counts.items() if n >= threshold)
    assert 0 < len(kept) < len(counts)
    purpose = [c for c in out.columns if c.startswith("purpose_")]
    assert purpose == [f"purpose_{level}" for level in kept] + ["purpose_infrequent_sklearn"]


@pytest.mark.parametrize("encode", ["target", "frequency"])
def test_high_cardinality_switches_only_the_many_level_column(tmp_path, encode):
    preprocess = {"categorical": {"high_cardinality": {"above": 30, "encode": encode}}}
    plan = treatments(validate_plan(tmp_path, LOGISTIC, preprocess), "logistic_regression")
    assert f"{encode}" in plan["region"] and "onehot" not in plan["region"]
    for name in ("home", "purpose", "employment", "has_guarantor"):
        assert "onehot" in plan[name] and encode not in plan[name], name
    pipeline, X = fitted("logistic_regression", preprocess)
    out = encoded(pipeline, X)
    assert "region" in out.columns and not any(c.startswith("region_") for c in out.columns)
    assert [c for c in out.columns if c.startswith("home_")] == [
        f"home_{level}" for level in HOME_LEVELS
    ]


def test_high_cardinality_needs_more_levels_than_above(tmp_path):
    preprocess = {"categorical": {"high_cardinality": {"above": 60, "encode": "target"}}}
    plan = treatments(validate_plan(tmp_path, LOGISTIC, preprocess), "logistic_regression")
    assert "onehot" in plan["region"]  # 60 levels is not more than 60


def test_native_encoding_with_logistic_regression_is_a_recipe_error(tmp_path):
    result = fit_credit(tmp_path, {"categorical": {"encode": "native"}})
    assert result.exit_code == 2
    assert "preprocess.categorical.encode" in result.stderr
    assert "logistic_regression" in result.stderr


@pytest.mark.parametrize("impute", ["constant", "most_frequent"])
def test_categorical_imputation(impute):
    pipeline, X = fitted("logistic_regression", {"categorical": {"impute": impute}})
    out = encoded(pipeline, X)
    gaps = X["employment"].isna()
    assert gaps.sum() > 0
    if impute == "constant":
        assert (out.loc[gaps, "employment_missing"] == 1).all()
        assert (out.loc[~gaps, "employment_missing"] == 0).all()
    else:
        assert "employment_missing" not in out.columns
        assert (out.loc[gaps, "employment_employed"] == 1).all()  # the mode


# --- per-column overrides -----------------------------------------------------------------


OVERRIDES = {
    "columns": {
        "income": {"scale": "robust", "log": True},
        "home": {"encode": "ordinal"},
        "age": {"bin": 4},
        "utilization": {"impute": "mean"},
        "employment": {"impute": "most_frequent"},
    }
}


def test_column_overrides_in_the_plan(tmp_path):
    plan = treatments(validate_plan(tmp_path, LOGISTIC, OVERRIDES), "logistic_regression")
    assert plan["income"] == "numeric: log1p, impute median + indicator, robust scaling"
    assert plan["home"] == "categorical: impute a missing level, ordinal"
    assert plan["age"].endswith("4 quantile bins (onehot)")
    assert "impute mean" in plan["utilization"]
    assert plan["employment"].startswith("categorical: impute most_frequent, onehot")
    assert plan["debt_ratio"] == "numeric: impute median + indicator, standard scaling"
    assert plan["purpose"].startswith("categorical: impute a missing level, onehot")


def test_column_overrides_take_effect_and_others_keep_the_defaults():
    pipeline, X = fitted("logistic_regression", OVERRIDES)
    before = completed(pipeline, X)
    out = encoded(pipeline, X)
    # income: log1p, then robust scaling.
    logged = before["income"]
    known = X["income"].notna()
    np.testing.assert_allclose(logged[known], np.log1p(X.loc[known, "income"]))
    iqr = logged.quantile(0.75) - logged.quantile(0.25)
    np.testing.assert_allclose(out["income"], (logged - logged.median()) / iqr)
    # home: one column of ordinal codes; purpose still one-hot.
    assert "home" in out.columns and not any(c.startswith("home_") for c in out.columns)
    assert set(out["home"].unique()) == {0.0, 1.0, 2.0, 3.0}
    assert "purpose_car" in out.columns
    # employment: the mode fills its gaps (no "missing" level), purpose keeps the default.
    assert "employment_missing" not in out.columns
    assert (out.loc[X["employment"].isna(), "employment_employed"] == 1).all()
    # age: 4 bins; utilization: mean imputed; debt_ratio: default standard scaling.
    assert [c for c in out.columns if c.startswith("age_")] == [f"age_{i}.0" for i in range(4)]
    gaps = X["utilization"].isna()
    assert np.allclose(before.loc[gaps, "utilization"], X["utilization"].mean())
    assert abs(out["debt_ratio"].mean()) < 1e-9 and out["debt_ratio"].std(ddof=0) == (
        pytest.approx(1.0)
    )


@pytest.mark.parametrize(
    "columns, key, words",
    [
        ({"nosuch": {"scale": "robust"}}, "preprocess.columns.nosuch", "no such column"),
        ({"customer_id": {"log": True}}, "preprocess.columns.customer_id", "dropped"),
        ({"home": {"scale": "robust"}}, "preprocess.columns.home.scale", "numeric columns"),
        ({"home": {"log": True}}, "preprocess.columns.home.log", "numeric columns"),
        ({"income": {"encode": "onehot"}}, "preprocess.columns.income.encode", "numeric"),
        ({"home": {"impute": "median"}}, "preprocess.columns.home.impute", "categorical"),
    ],
)
def test_override_of_a_missing_or_wrong_kind_column_is_a_recipe_error(
    tmp_path, columns, key, words
):
    result = fit_credit(tmp_path, {"columns": columns})
    assert result.exit_code == 2, result.stderr
    assert key in result.stderr and words in result.stderr


# --- unseen levels at prediction time -----------------------------------------------------


def _rows_with_unseen_levels(tmp_path):
    rows = _credit().drop(columns=["default"]).head(30).copy()
    rows["home"] = ["houseboat", "castle", "tent"] * 10
    rows["purpose"] = ["space_travel"] * 15 + ["car"] * 15
    rows["region"] = [f"R{900 + i}" for i in range(30)]
    rows.loc[rows.index[:5], "employment"] = "astronaut"
    path = tmp_path / "unseen.csv"
    rows.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "encode, models",
    [
        ("onehot", LOGISTIC),
        ("ordinal", LOGISTIC),
        ("target", LOGISTIC),
        ("frequency", LOGISTIC),
        ("native", {"lightgbm": {"n_estimators": 25}}),
    ],
)
def test_each_encoder_predicts_rows_with_unseen_levels(tmp_path, encode, models):
    recipe = recipe_file(tmp_path, models, {"preprocess": {"categorical": {"encode": encode}}})
    run = tmp_path / "run"
    fitted_run = run_cli("fit", recipe, CREDIT, "--out", run, "-q")
    assert fitted_run.exit_code == 0, fitted_run.stderr
    result = run_cli("predict", run, _rows_with_unseen_levels(tmp_path))
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert len(frame) == 30
    assert set(frame["prediction"]) <= {"no", "yes"}
    proba = frame[["proba_no", "proba_yes"]].to_numpy()
    assert np.isfinite(proba).all() and ((proba >= 0) & (proba <= 1)).all()
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)


# --- model-aware auto ---------------------------------------------------------------------


def test_auto_resolves_by_model_family(tmp_path):
    models = {
        "logistic_regression": {},
        "random_forest": {"n_estimators": 5},
        "lightgbm": {"n_estimators": 5},
    }
    document = validate_plan(tmp_path, models, {})
    linear = treatments(document, "logistic_regression")
    forest = treatments(document, "random_forest")
    boosting = treatments(document, "lightgbm")
    assert linear["income"] == "numeric: impute median + indicator, standard scaling"
    assert forest["income"] == "numeric: impute median + indicator"  # no scaling for trees
    assert boosting["income"] == "numeric: as is (missing values kept)"
    for name in ("home", "purpose", "region"):
        assert "onehot" in linear[name], name
        assert forest[name].endswith("ordinal"), name
        assert boosting[name] == "categorical: native", name
