"""The model catalogue contract: one check over every entry, for every task it claims, plus
the details that differ per library (class weights, early stopping, losses, threads)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from conftest import NO_DIAGNOSTICS_YAML, SAMPLES, make_dataset, run_cli, write_recipe
from lightgbm import LGBMClassifier
from pydantic import TypeAdapter
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold

from mlwb.artifacts import decode_skops, encode_model
from mlwb.errors import RecipeError
from mlwb.models import ModelContext, all_models, find_model, model_names, register
from mlwb.models.adapter import FitAdapter, adapt
from mlwb.models.spec import ModelSpec
from mlwb.plan import plan_run
from mlwb.recipe.params import ParamValue

MEMBERS = ["ridge", "decision_tree"]  # members that do every task
CASES = [(spec.name, task) for spec in all_models() for task in sorted(spec.tasks)]


def tiny_frame(task: str, n: int = 90, seed: int = 0) -> pd.DataFrame:
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
    return frame


def planned(name: str, task: str, frame: pd.DataFrame | None = None, **recipe):
    """The plan mlwb makes for ``name`` (an ensemble gets two members)."""
    frame = tiny_frame(task) if frame is None else frame
    entry = MEMBERS if find_model(name).family == "ensemble" else recipe.pop("params", {})
    data = {
        "target": "y",
        "task": task,
        "models": {name: entry},
        "n_jobs": 1,
        "validation": {"outer": {"folds": 3}},
        **recipe,
    }
    recipe_obj, dataset = make_dataset(frame, data)
    return plan_run(recipe_obj, dataset), dataset


@pytest.mark.parametrize(("name", "task"), CASES)
def test_every_entry_builds_clones_fits_and_predicts(name, task):
    plan, dataset = planned(name, task)
    pipeline = plan.model(name).pipeline
    model = clone(pipeline).fit(dataset.X, dataset.y)
    if task == "regression":
        predictions = model.predict(dataset.X)
        assert predictions.shape == (90,) and np.isfinite(predictions).all()
        if name != "dummy":
            assert np.corrcoef(predictions, dataset.y)[0, 1] > 0.5
    else:
        proba = model.predict_proba(dataset.X)
        assert proba.shape == (90, dataset.target.n_classes)
        assert np.allclose(proba.sum(axis=1), 1.0)
        if name != "dummy":
            assert (proba.argmax(axis=1) == dataset.y).mean() > 0.6
    # The same seed gives the same predictions.
    again = clone(pipeline).fit(dataset.X, dataset.y)
    output = "predict" if task == "regression" else "predict_proba"
    assert np.array_equal(getattr(model, output)(dataset.X), getattr(again, output)(dataset.X))
    # The default model format holds it with types from the allow-list only (a type the
    # list lacks is a RecipeError naming it), and gives it back predicting the same.
    loaded = decode_skops(encode_model(model, "skops"))
    assert np.array_equal(getattr(model, output)(dataset.X), getattr(loaded, output)(dataset.X))


PORTFOLIO_CASES = [
    (spec.name, task, i)
    for spec in all_models()
    if spec.portfolio  # written down from AutoGluon's and FLAML's portfolios
    for task in sorted(spec.tasks)
    for i, _ in enumerate(spec.portfolio_for(task))
]


@pytest.mark.parametrize(("name", "task", "index"), PORTFOLIO_CASES)
def test_every_portfolio_configuration_names_its_source_fits_and_predicts(name, task, index):
    """A configuration of the budgeted search's portfolio is a real one: the library takes
    its parameters (CatBoost refuses unknown ones at fit) and the model learns (on 400 rows:
    some are meant for data where a leaf may need 50 of them)."""
    from mlwb.evaluation import ParamRouter

    entry = find_model(name).portfolio_for(task)[index]
    assert entry.source
    plan, dataset = planned(name, task, tiny_frame(task, n=400))
    pipeline = clone(plan.model(name).pipeline)
    pipeline.set_params(**ParamRouter(pipeline)(dict(entry.params)))
    model = pipeline.fit(dataset.X, dataset.y)
    if task == "regression":
        assert np.corrcoef(model.predict(dataset.X), dataset.y)[0, 1] > 0.5
    else:
        assert (model.predict_proba(dataset.X).argmax(axis=1) == dataset.y).mean() > 0.6


@pytest.mark.parametrize("spec", all_models(), ids=lambda s: s.name)
def test_every_entry_is_described_and_its_space_is_valid(spec):
    from mlwb.models.adapter import parameter_names

    assert spec.summary and spec.tasks
    adapter = TypeAdapter(ParamValue)
    for task in sorted(spec.tasks):
        if spec.family == "ensemble":
            continue
        valid = parameter_names(spec.build(ModelContext(task, seed=0, threads=1)))
        for param, value in spec.space(task).items():
            assert param in valid, f"{spec.name}.{param} ({task})"
            adapter.validate_python(value)


@pytest.mark.parametrize(
    "name",
    [
        "random_forest",
        "lightgbm",
        "xgboost",
        "catboost",
        "adaboost",
        "hist_gradient_boosting",
        "logistic_regression",
    ],
)
def test_every_entry_uses_the_seed(name):
    estimator = find_model(name).build(ModelContext("binary", seed=123, threads=1))
    params = estimator.get_params()
    seeds = [v for k, v in params.items() if k.endswith(("random_state", "random_seed"))]
    assert seeds and all(s in (123, None) for s in seeds) and 123 in seeds


def test_a_model_that_cannot_do_the_task_names_its_tasks():
    with pytest.raises(RecipeError, match="gaussian_nb: cannot do a regression task"):
        planned("gaussian_nb", "regression")


def test_unknown_model_name_exits_2_with_a_suggestion(tmp_path):
    recipe = write_recipe(tmp_path / "r.yaml", "target: cultivar\nmodels: {lightgmb: {}}\n")
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert "models.lightgmb: unknown model; did you mean lightgbm?" in result.stderr


# --- class weights in each library's own form ---------------------------------------------


def imbalanced(n: int = 200, seed: int = 1) -> pd.DataFrame:
    frame = tiny_frame("binary", n, seed)
    rng = np.random.default_rng(seed)
    keep = (frame["y"] == "neg") | (rng.random(n) < 0.3)
    return frame[keep].reset_index(drop=True)


def weighted_model(name: str, class_weight="balanced"):
    plan, dataset = planned(
        name,
        "binary",
        imbalanced(),
        imbalance={"method": "class_weight", "class_weight": class_weight},
    )
    return plan.model(name).pipeline, dataset


def test_sklearn_and_lightgbm_take_class_weight():
    pipeline, _ = weighted_model("random_forest")
    assert pipeline.named_steps["model"].class_weight == "balanced"
    pipeline, _ = weighted_model("lightgbm")
    assert pipeline.named_steps["model"].estimator.class_weight == "balanced"


def test_xgboost_binary_gets_scale_pos_weight_of_the_training_rows():
    pipeline, dataset = weighted_model("xgboost")
    fitted = clone(pipeline).fit(dataset.X, dataset.y)
    adapter = fitted.named_steps["model"]
    negatives, positives = np.bincount(dataset.y)
    assert adapter.scale_pos_weight_ == pytest.approx(negatives / positives)
    assert adapter.estimator_.get_params()["scale_pos_weight"] == pytest.approx(
        negatives / positives
    )


class RecordsWeights(ClassifierMixin, BaseEstimator):
    """A classifier that keeps the per-row weights it was fitted with."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        self.sample_weight_ = sample_weight
        return self


@pytest.mark.parametrize(
    ("class_weight", "y", "expected"),
    [
        # balanced: n / (classes · count) of the rows being fitted
        (
            "balanced",
            [0] * 60 + [1] * 30 + [2] * 10,
            [100 / 180] * 60 + [100 / 90] * 30 + [10 / 3] * 10,
        ),
        # a mapping: classes it does not name weigh 1
        ({2: 5.0}, [0, 1, 2, 2], [1, 1, 5, 5]),
        # a class the training rows lack is dropped from the mapping, not an error
        ({0: 1, 1: 4}, [0, 0, 2], [1, 1, 1]),
    ],
    ids=["balanced", "mapping", "absent-class"],
)
def test_per_row_class_weights(class_weight, y, expected):
    adapter = adapt(RecordsWeights(), "multiclass")
    adapter.set_params(class_weight=class_weight, weight_style="sample_weight")
    fitted = adapter.fit(np.zeros((len(y), 1)), np.array(y))
    assert fitted.estimator_.sample_weight_ == pytest.approx(expected)


def test_xgboost_multiclass_gets_balanced_sample_weights():
    frame = tiny_frame("multiclass", 150)
    plan, dataset = planned("xgboost", "multiclass", frame, imbalance={"method": "class_weight"})
    adapter = plan.model("xgboost").pipeline.named_steps["model"]
    assert (adapter.class_weight, adapter.weight_style) == ("balanced", "scale_pos_weight")
    fitted = clone(plan.model("xgboost").pipeline).fit(dataset.X, dataset.y)
    assert not hasattr(fitted.named_steps["model"], "scale_pos_weight_")  # weights per row


def test_catboost_gets_auto_class_weights_or_a_mapping():
    pipeline, _ = weighted_model("catboost")
    assert pipeline.named_steps["model"].estimator.get_params()["auto_class_weights"] == "Balanced"
    pipeline, _ = weighted_model("catboost", {"pos": 4, "neg": 1})
    assert pipeline.named_steps["model"].estimator.get_params()["class_weights"] == {1: 4, 0: 1}


def test_sample_weight_only_models_are_adapted():
    pipeline, dataset = weighted_model("gaussian_nb")
    model = pipeline.named_steps["model"]
    assert isinstance(model, FitAdapter) and model.weight_style == "sample_weight"
    weighted = clone(pipeline).fit(dataset.X, dataset.y).predict_proba(dataset.X)[:, 1]
    plain, _ = planned("gaussian_nb", "binary", imbalanced())
    unweighted = clone(plain.model("gaussian_nb").pipeline).fit(dataset.X, dataset.y)
    assert weighted.mean() > unweighted.predict_proba(dataset.X)[:, 1].mean()


def test_a_model_without_class_weights_is_a_recipe_error():
    with pytest.raises(RecipeError, match="knn cannot weight classes"):
        weighted_model("knn")


# --- early stopping ------------------------------------------------------------------------


class RecordingLGBM(LGBMClassifier):
    """A real LightGBM classifier that remembers which rows it was given for early stopping."""

    def fit(self, X, y, **kwargs):
        self.fit_index_ = list(X.index)
        self.eval_index_ = list(kwargs["eval_X"][0].index)
        return super().fit(X, y, **kwargs)


def test_early_stopping_never_sees_the_scoring_fold():
    frame = imbalanced(400)
    plan, dataset = planned("lightgbm", "binary", frame)
    pipeline = clone(plan.model("lightgbm").pipeline)
    pipeline.set_params(model__estimator=RecordingLGBM(n_estimators=500, verbose=-1))
    train, test = next(StratifiedKFold(3, shuffle=True, random_state=0).split(dataset.X, dataset.y))
    pipeline.fit(dataset.X.iloc[train], dataset.y[train])
    inner = pipeline.named_steps["model"].estimator_
    train_rows, test_rows = set(dataset.X.index[train]), set(dataset.X.index[test])
    assert set(inner.eval_index_) <= train_rows
    assert not set(inner.eval_index_) & test_rows
    assert not set(inner.eval_index_) & set(inner.fit_index_)
    assert 0 < pipeline.named_steps["model"].best_iteration_ <= 500


@pytest.mark.parametrize("name", ["lightgbm", "xgboost", "catboost", "hist_gradient_boosting"])
def test_boosting_rounds_are_reported(tmp_path, name):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        f"target: default\nmodels: {{{name}: {{}}}}\nn_jobs: 1\n"
        "validation: {outer: {folds: 3}}\n" + NO_DIAGNOSTICS_YAML,
    )
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "run", "--json")
    assert result.exit_code == 0, result.stderr
    model = result.json()["models"][name]
    assert len(model["rounds"]) == 3 and all(0 < r < 1000 for r in model["rounds"])
    assert [f["rounds"] for f in model["folds"]] == model["rounds"]
    assert (
        "early stopping kept"
        in run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "run2").stdout
    )


def test_early_stopping_can_be_turned_off():
    plan, dataset = planned(
        "lightgbm", "binary", params={"early_stopping_rounds": None, "n_estimators": 40}
    )
    fitted = clone(plan.model("lightgbm").pipeline).fit(dataset.X, dataset.y)
    assert fitted.named_steps["model"].best_iteration_ is None
    assert fitted.named_steps["model"].estimator_.n_estimators == 40


# --- regression losses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["lightgbm", "xgboost", "catboost", "hist_gradient_boosting", "linear_regression"]
)
def test_quantile_loss_puts_the_prediction_at_that_quantile(name):
    rng = np.random.default_rng(3)
    n = 600
    x = rng.uniform(0, 10, n)
    frame = pd.DataFrame({"x": x, "y": 2 * x + rng.exponential(5, n)})
    plan, dataset = planned(name, "regression", frame, params={"loss": "quantile", "quantile": 0.9})
    fitted = clone(plan.model(name).pipeline).fit(dataset.X, dataset.y)
    below = (dataset.y <= fitted.predict(dataset.X)).mean()
    assert 0.82 <= below <= 0.97, below


@pytest.mark.parametrize(
    "name", ["lightgbm", "xgboost", "catboost", "random_forest", "linear_regression"]
)
def test_absolute_and_huber_losses_reach_the_library(name):
    spec = find_model(name)
    for loss in ("absolute", "huber"):
        if loss not in spec.losses:
            with pytest.raises(RecipeError, match=f"models.{name}.loss: '{loss}' is not offered"):
                planned(name, "regression", params={"loss": loss})
            continue
        plan, dataset = planned(name, "regression", params={"loss": loss})
        fitted = clone(plan.model(name).pipeline).fit(dataset.X, dataset.y)
        assert np.isfinite(fitted.predict(dataset.X)).all()


def test_loss_on_classification_is_a_recipe_error():
    with pytest.raises(RecipeError, match=r"models\.lightgbm\.loss: applies to regression"):
        planned("lightgbm", "binary", params={"loss": "huber"})


# --- threads, ensembles, catalogue listing -------------------------------------------------


def test_threads_reach_the_library():
    context = ModelContext("binary", 0, threads=3)
    assert find_model("lightgbm").build(context).estimator.n_jobs == 3
    assert find_model("xgboost").build(context).estimator.n_jobs == 3
    assert find_model("catboost").build(context).estimator.get_params()["thread_count"] == 3
    assert find_model("random_forest").build(context).n_jobs == 3


@pytest.mark.parametrize("task", ["multiclass", "regression"])
def test_stack_and_vote_combine_members_with_their_own_preprocessing(task):
    for name in ("stack", "vote"):
        plan, _ = planned(name, task)
        model = plan.model(name)
        # Each member keeps its family's preprocessing: one-hot for ridge, codes for the tree.
        text = "\n".join(model.preprocessing)
        assert "[ridge] colour — categorical: impute a missing level, onehot" in text
        assert "[decision_tree] colour — categorical: impute a missing level, ordinal" in text
        ensemble = model.pipeline.named_steps["model"]
        assert [n for n, _ in ensemble.estimators] == MEMBERS
        if task != "regression" and name == "vote":
            assert ensemble.voting == "soft"


def test_names_by_task_and_duplicate_registration():
    assert "logistic_regression" not in model_names("regression")
    assert "linear_regression" in model_names("regression")
    with pytest.raises(ValueError, match="already registered"):
        register(ModelSpec("lightgbm", "dup", frozenset({"binary"}), "boosting", lambda c: None))


def test_models_command_lists_the_catalogue():
    result = run_cli("models")
    assert result.exit_code == 0
    for name in model_names():
        assert name in result.stdout
    document = run_cli("models", "--json", "--task", "regression").json()
    names = [m["name"] for m in document["models"]]
    assert "linear_regression" in names and "gaussian_nb" not in names
    lightgbm = next(m for m in document["models"] if m["name"] == "lightgbm")
    assert lightgbm["categorical"] == "native" and lightgbm["early_stopping"]
    assert "num_leaves" in lightgbm["default_space"]
    bad = run_cli("models", "--task", "regresion")
    assert bad.exit_code == 2 and "did you mean regression?" in bad.stderr


@pytest.mark.slow
def test_every_model_runs_quietly_and_leaves_no_files(tmp_path, monkeypatch):
    """One fit with every catalogue entry: one leaderboard row per model, nothing printed by
    the libraries with --quiet, and no catboost_info/ left behind."""
    monkeypatch.chdir(tmp_path)
    names = [n for n in model_names("binary") if find_model(n).family != "ensemble"]
    models = {n: {} for n in names}
    models.update(
        {
            "stack": ["logistic_regression", "lightgbm"],
            "vote": ["logistic_regression", "random_forest"],
        }
    )
    recipe = write_recipe(
        tmp_path / "all.yaml",
        json.dumps({"target": "default", "models": models, "validation": {"outer": {"folds": 3}}}),
    )
    quiet = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "q", "--quiet")
    assert quiet.exit_code == 0
    assert quiet.stdout == "" and quiet.stderr == ""
    assert not os.path.exists(tmp_path / "catboost_info")
    leaderboard = pd.read_csv(tmp_path / "q" / "leaderboard.csv")
    assert sorted(leaderboard["model"]) == sorted([*names, "stack", "vote"])
    table = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "t").stdout
    for name in [*names, "stack", "vote"]:
        assert f" {name} " in table or f" {name}\n" in table
