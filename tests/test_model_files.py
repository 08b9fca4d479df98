"""Model files are safe to load and cannot be silently altered.

The default ``model.skops`` is loaded with mlwb's allow-list of types only; a pickle is
loaded only with ``--trust-pickle``; the manifest inside the model is compared with
``model.json`` and with the loaded object; with ``MLWB_MODEL_KEY`` the file must carry a
matching HMAC. Every refusal is exit 3 with one line naming the file — and happens before
any code in the file could run. The allow-list itself is pinned: every option mlwb offers
saves with listed types only and comes back predicting exactly the same.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import pickle
import shutil
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import NO_DIAGNOSTICS_YAML, SAMPLES, make_dataset, run_cli, write_recipe

from mlwb.artifacts import (
    ALLOWED_TYPES,
    MODEL_FORMATS,
    decode_skops,
    encode_model,
    load_model,
    sha256_of,
)
from mlwb.errors import ExitCode, ModelFileError, RecipeError

KEY_ENV = "MLWB_MODEL_KEY"


def error_line(stderr: str) -> str:
    """The single ``error:`` line of a failed command (and no traceback)."""
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def frame(seed: int = 0, rows: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=rows).round(3)
    return pd.DataFrame(
        {
            "x1": x1,
            "x2": rng.normal(size=rows).round(3),
            "cat": rng.choice(["a", "b", "c"], rows),
            "y": np.where(x1 + rng.normal(scale=0.7, size=rows) > 0.3, "yes", "no"),
        }
    )


def fit(tmp: Path, *args: str, name: str = "run") -> Path:
    data = tmp / "train.csv"
    if not data.exists():
        frame().to_csv(data, index=False)
    recipe = write_recipe(
        tmp / "r.yaml",
        "target: y\nmodels: {logistic_regression: {}}\nthreshold: {objective: f1}\n"
        f"n_jobs: 1\n{NO_DIAGNOSTICS_YAML}",
    )
    out = tmp / name
    result = run_cli("fit", recipe, data, "--out", out, "--quiet", *args)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(autouse=True)
def no_key(monkeypatch) -> None:
    """Tests set MLWB_MODEL_KEY themselves; one in the developer's shell must not leak in."""
    monkeypatch.delenv(KEY_ENV, raising=False)


def fit_with_key(tmp: Path, key: str | None, *args: str) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        if key is None:
            patch.delenv(KEY_ENV, raising=False)
        else:
            patch.setenv(KEY_ENV, key)
        return fit(tmp, *args)


@pytest.fixture(scope="module")
def skops_run(tmp_path_factory) -> Path:
    return fit_with_key(tmp_path_factory.mktemp("skops"), None)


@pytest.fixture(scope="module")
def joblib_run(tmp_path_factory) -> Path:
    return fit_with_key(tmp_path_factory.mktemp("joblib"), None, "--model-format", "joblib")


@pytest.fixture
def new_rows(tmp_path) -> Path:
    path = tmp_path / "new.csv"
    frame(seed=3).to_csv(path, index=False)
    return path


def copy_run(run: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run, target)
    return target


def replace_model(run: Path, name: str, data: bytes, changes: dict | None = None) -> None:
    """Put ``data`` in place of the model and update ``model.json``'s sha256 (and the keys
    in ``changes``), as someone who can write the folder, but has no key, could."""
    for old in ("model.skops", "model.joblib"):
        (run / old).unlink(missing_ok=True)
    (run / name).write_bytes(data)
    meta = json.loads((run / "model.json").read_text())
    meta.update(changes or {}, sha256=hashlib.sha256(data).hexdigest())
    (run / "model.json").write_text(json.dumps(meta))


class Payload:
    """A pickle that writes a marker file the moment it is loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


class Tripwire:
    """An object that writes a marker file when skops builds it (``__setstate__``)."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __setstate__(self, state: dict) -> None:
        Path(state["marker"]).touch()
        self.__dict__.update(state)


# --- the default format ---------------------------------------------------------------------


def test_fit_writes_model_skops_and_predict_uses_it_without_warning(skops_run, new_rows):
    assert (skops_run / "model.skops").is_file()
    assert not (skops_run / "model.joblib").exists()
    assert not (skops_run / "model.sig").exists()
    meta = json.loads((skops_run / "model.json").read_text())
    assert meta["file"] == "model.skops" and meta["file_format"] == "skops"
    assert meta["estimator"] == "mlwb.models.decoded.DecodedClassifier"
    assert meta["sha256"] == sha256_of(skops_run / "model.skops")
    result = run_cli("predict", skops_run, new_rows)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr and "pickle" not in result.stderr
    evaluated = run_cli("evaluate", skops_run / "model.skops", new_rows, "--json")
    assert evaluated.exit_code == 0, evaluated.stderr


def test_the_manifest_inside_the_model_is_model_json_without_the_hash(skops_run):
    model = load_model(skops_run).model
    meta = json.loads((skops_run / "model.json").read_text())
    del meta["sha256"]
    assert model._mlwb_manifest == meta
    assert 0 < meta["threshold"] < 1 and model.threshold_ == meta["threshold"]


def test_the_model_loads_from_plain_python_with_the_allow_list(skops_run, new_rows):
    import skops.io as sio

    model = sio.load(skops_run / "model.skops", trusted=sorted(ALLOWED_TYPES))
    rows = pd.read_csv(new_rows).drop(columns=["y"])
    predicted = pd.read_csv(pd.io.common.StringIO(run_cli("predict", skops_run, new_rows).stdout))
    assert list(model.predict(rows)) == predicted["prediction"].tolist()


# --- pickles: refused unless trusted, and a crafted one never runs ------------------------


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_crafted_pickle_is_refused_and_never_runs(skops_run, tmp_path, new_rows, command):
    run = copy_run(skops_run, tmp_path)
    marker = tmp_path / "MARKER"
    replace_model(run, "model.joblib", pickle.dumps(Payload(marker)), {"file_format": "joblib"})
    result = run_cli(command, run, new_rows)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert f"{run / 'model.joblib'}: a pickle (joblib format)" in line
    assert "refusing to load it" in line and "--trust-pickle" in line
    assert not marker.exists()


def test_a_pickle_in_place_of_model_skops_is_refused_even_when_trusted(
    skops_run, tmp_path, new_rows
):
    run = copy_run(skops_run, tmp_path)
    marker = tmp_path / "MARKER"
    replace_model(run, "model.skops", pickle.dumps(Payload(marker)))
    result = run_cli("predict", run, new_rows, "--trust-pickle")
    assert result.exit_code == ExitCode.DATA
    assert "a pickle (joblib format), but model.json records a skops file" in error_line(
        result.stderr
    )
    assert not marker.exists()


def test_with_a_key_an_unsigned_pickle_is_refused_before_it_is_loaded(
    skops_run, tmp_path, new_rows, monkeypatch
):
    run = copy_run(skops_run, tmp_path)
    marker = tmp_path / "MARKER"
    replace_model(run, "model.joblib", pickle.dumps(Payload(marker)), {"file_format": "joblib"})
    monkeypatch.setenv(KEY_ENV, "k" * 32)
    result = run_cli("predict", run, new_rows, "--trust-pickle")
    assert result.exit_code == ExitCode.DATA
    assert "unsigned" in error_line(result.stderr)
    assert not marker.exists()


def test_joblib_format_on_request(joblib_run, skops_run, new_rows):
    import joblib

    assert (joblib_run / "model.joblib").is_file() and not (joblib_run / "model.skops").exists()
    assert joblib.load(joblib_run / "model.joblib").predict_proba is not None
    refused = run_cli("predict", joblib_run, new_rows)
    assert refused.exit_code == ExitCode.DATA
    assert "--trust-pickle" in error_line(refused.stderr)
    trusted = run_cli("predict", joblib_run, new_rows, "--trust-pickle")
    assert trusted.exit_code == 0, trusted.stderr
    warnings = [line for line in trusted.stderr.splitlines() if "pickle" in line]
    assert len(warnings) == 1 and "runs any code it holds" in warnings[0]
    assert trusted.stdout == run_cli("predict", skops_run, new_rows).stdout
    evaluated = run_cli("evaluate", joblib_run, new_rows, "--trust-pickle")
    assert evaluated.exit_code == 0, evaluated.stderr


def test_the_recipe_key_chooses_the_format(tmp_path):
    run = fit(tmp_path, "--set", "artifacts.format=joblib")
    assert (run / "model.joblib").is_file()
    assert json.loads((run / "metrics.json").read_text())["final_model"]["path"] == ("model.joblib")


def test_compare_fit_saves_in_the_format_asked_for(tmp_path):
    data = tmp_path / "train.csv"
    frame().to_csv(data, index=False)
    recipe = write_recipe(
        tmp_path / "r.yaml",
        f"target: y\nmodels: {{logistic_regression: {{}}}}\nn_jobs: 1\n{NO_DIAGNOSTICS_YAML}",
    )
    out = tmp_path / "run"
    without_fit = run_cli("compare", recipe, data, "--model-format", "joblib", "--out", out)
    assert without_fit.exit_code == ExitCode.USAGE
    assert "--model-format: compare saves no model without --fit" in error_line(without_fit.stderr)
    result = run_cli("compare", recipe, data, "--fit", "--model-format", "joblib", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert (out / "model.joblib").is_file() and not (out / "model.skops").exists()


def test_a_bad_model_format_is_exit_2(tmp_path):
    data = tmp_path / "train.csv"
    frame().to_csv(data, index=False)
    recipe = write_recipe(tmp_path / "r.yaml", "target: y\n")
    result = run_cli("fit", recipe, data, "--model-format", "pkl", "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.USAGE
    assert "--model-format" in result.stderr
    assert not (tmp_path / "run").exists()


def test_a_run_folder_of_an_earlier_version_loads_as_a_trusted_pickle(
    joblib_run, tmp_path, new_rows
):
    """Before model.skops: model.joblib held the bare model, model.json (format 1) the
    description and the hash."""
    import joblib

    run = copy_run(joblib_run, tmp_path)
    model = joblib.load(run / "model.joblib")
    del model._mlwb_manifest
    joblib.dump(model, run / "model.joblib", compress=3)
    meta = json.loads((run / "model.json").read_text())
    for key in ("file", "file_format", "estimator"):
        del meta[key]
    meta.update(format_version=1, sha256=sha256_of(run / "model.joblib"))
    (run / "model.json").write_text(json.dumps(meta))
    assert run_cli("predict", run, new_rows).exit_code == ExitCode.DATA
    result = run_cli("predict", run / "model.joblib", new_rows, "--trust-pickle")
    assert result.exit_code == 0, result.stderr
    assert "saved by an earlier mlwb" in result.stderr
    assert result.stdout == run_cli("predict", joblib_run, new_rows, "--trust-pickle").stdout
    # Its model.json is not covered by any hash, but the object still checks it.
    meta["classes"] = meta["contract"]["classes"] = ["yes", "no"]
    (run / "model.json").write_text(json.dumps(meta))
    edited = run_cli("predict", run, new_rows, "--trust-pickle")
    assert edited.exit_code == ExitCode.DATA
    assert "are not the recorded ['yes', 'no']" in error_line(edited.stderr)


# --- skops files with types mlwb never saves -------------------------------------------------


def test_a_skops_file_with_a_foreign_type_is_refused_naming_it(skops_run, tmp_path, new_rows):
    import skops.io as sio

    run = copy_run(skops_run, tmp_path)
    replace_model(run, "model.skops", sio.dumps({"f": eval}))
    result = run_cli("predict", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert f"{run / 'model.skops'} holds builtins.eval, which mlwb never saves; " in line
    assert "refusing to load it" in line


def test_a_foreign_type_is_refused_before_anything_is_built(skops_run, tmp_path, new_rows):
    import skops.io as sio

    run = copy_run(skops_run, tmp_path)
    marker = tmp_path / "MARKER"
    data = sio.dumps(Tripwire(marker))
    assert f"{__name__}.Tripwire" in sio.get_untrusted_types(data=data)
    replace_model(run, "model.skops", data)
    result = run_cli("evaluate", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    assert f"holds {__name__}.Tripwire, which mlwb never saves" in error_line(result.stderr)
    assert not marker.exists()
    sio.loads(data, trusted=[f"{__name__}.Tripwire"])  # the tripwire works
    assert marker.exists()


def test_a_model_that_needs_a_type_off_the_list_is_not_saved(tmp_path):
    """A fit that would write a file its own predict refuses fails instead (exit 2)."""
    data = tmp_path / "train.csv"
    frame().to_csv(data, index=False)
    recipe = write_recipe(
        tmp_path / "r.yaml",
        f"target: y\nmodels: {{knn: {{metric: canberra}}}}\nn_jobs: 1\n{NO_DIAGNOSTICS_YAML}",
    )
    result = run_cli("fit", recipe, data, "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.USAGE
    line = error_line(result.stderr)
    assert "artifacts.format: skops cannot save this model safely" in line
    assert "CanberraDistance64" in line and "format: joblib" in line
    assert not (tmp_path / "run").exists()


# --- the manifest and the object --------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [("threshold", 0.999), ("classes", ["yes", "no"]), ("task", "multiclass"), ("new", 1)],
)
def test_editing_model_json_is_caught(skops_run, tmp_path, new_rows, key, value):
    run = copy_run(skops_run, tmp_path)
    meta = json.loads((run / "model.json").read_text())
    meta[key] = value
    (run / "model.json").write_text(json.dumps(meta))
    result = run_cli("evaluate", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert f"{run / 'model.json'}: {key}: differs from the manifest inside model.skops" in line


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("threshold", "the model's threshold"),
        ("classes", "the model's classes ['no', 'yes'] are not the recorded ['yes', 'no']"),
        ("positive_index", "the model's positive class index"),
    ],
)
def test_editing_the_manifest_inside_the_model_is_caught(
    skops_run, tmp_path, new_rows, change, message
):
    """Someone without the key rewrites the manifest inside the file and model.json to
    match: the hash matches, but the object contradicts the manifest."""
    run = copy_run(skops_run, tmp_path)
    model = load_model(run).model
    manifest = model._mlwb_manifest
    if change == "threshold":
        manifest["threshold"] = 0.999
    elif change == "classes":
        manifest["classes"] = manifest["contract"]["classes"] = ["yes", "no"]
    else:
        manifest["positive_index"] = 1 - manifest["positive_index"]
    replace_model(run, "model.skops", encode_model(model, "skops"), manifest)
    result = run_cli("predict", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert message in line and "refusing to use it" in line


def test_a_model_without_its_manifest_is_refused(skops_run, tmp_path, new_rows):
    run = copy_run(skops_run, tmp_path)
    model = load_model(run).model
    del model._mlwb_manifest
    replace_model(run, "model.skops", encode_model(model, "skops"))
    result = run_cli("predict", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    assert "holds no mlwb manifest" in error_line(result.stderr)


def test_an_unfitted_or_other_estimator_is_refused(skops_run, tmp_path, new_rows):
    from sklearn.base import clone

    run = copy_run(skops_run, tmp_path)
    model = load_model(run).model
    unfitted = clone(model)
    unfitted._mlwb_manifest = model._mlwb_manifest
    replace_model(run, "model.skops", encode_model(unfitted, "skops"))
    result = run_cli("predict", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    assert "not a fitted estimator" in error_line(result.stderr)
    other = model.pipeline_
    other._mlwb_manifest = model._mlwb_manifest
    replace_model(run, "model.skops", encode_model(other, "skops"))
    result = run_cli("predict", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert (
        "holds sklearn.model_selection._classification_threshold.TunedThresholdClassifierCV" in line
    )
    assert "but its manifest records mlwb.models.decoded.DecodedClassifier" in line


def test_a_load_failure_names_the_versions(skops_run, tmp_path, new_rows):
    run = copy_run(skops_run, tmp_path)
    meta = json.loads((run / "model.json").read_text())
    versions = {**meta["versions"], "scikit-learn": "0.0.1"}
    replace_model(run, "model.skops", b"PK\x03\x04 not a zip", {"versions": versions})
    result = run_cli("predict", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert "cannot load the model" in line
    assert "scikit-learn 0.0.1 (running " in line


# --- signatures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed_run(tmp_path_factory) -> Path:
    return fit_with_key(tmp_path_factory.mktemp("signed"), "the-key")


def test_a_signed_model_loads_with_its_key(signed_run, new_rows, monkeypatch):
    import hmac

    data = (signed_run / "model.skops").read_bytes()
    expected = hmac.new(b"the-key", data, hashlib.sha256).hexdigest()
    assert (signed_run / "model.sig").read_text().strip() == expected
    monkeypatch.setenv(KEY_ENV, "the-key")
    assert run_cli("predict", signed_run, new_rows).exit_code == 0


def test_without_the_key_the_signature_is_not_checked_and_a_note_says_so(signed_run, new_rows):
    result = run_cli("predict", signed_run, new_rows)
    assert result.exit_code == 0, result.stderr
    assert "model.sig: not checked, because MLWB_MODEL_KEY is not set" in result.stderr


def test_a_signed_model_with_one_flipped_byte_is_refused(
    signed_run, tmp_path, new_rows, monkeypatch
):
    run = copy_run(signed_run, tmp_path)
    data = bytearray((run / "model.skops").read_bytes())
    data[len(data) // 2] ^= 0x01
    replace_model(run, "model.skops", bytes(data))  # the hash beside it updated too
    monkeypatch.setenv(KEY_ENV, "the-key")
    result = run_cli("evaluate", run, new_rows)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert f"{run / 'model.skops'}: the signature in model.sig does not match" in line


def test_another_key_is_refused(signed_run, new_rows, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "another-key")
    result = run_cli("predict", signed_run, new_rows)
    assert result.exit_code == ExitCode.DATA
    assert "does not match" in error_line(result.stderr)


def test_with_a_key_an_unsigned_model_is_refused(skops_run, new_rows, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "the-key")
    result = run_cli("predict", skops_run, new_rows)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert f"{skops_run / 'model.skops'}: unsigned (no model.sig beside it)" in line


@pytest.mark.parametrize("command", ["fit", "predict"])
def test_an_empty_key_is_exit_2(skops_run, tmp_path, new_rows, monkeypatch, command):
    monkeypatch.setenv(KEY_ENV, "")
    if command == "fit":
        recipe = write_recipe(tmp_path / "r.yaml", "target: y\n")
        result = run_cli("fit", recipe, new_rows, "--out", tmp_path / "run")
    else:
        result = run_cli("predict", skops_run, new_rows)
    assert result.exit_code == ExitCode.USAGE
    assert "MLWB_MODEL_KEY is set but empty" in error_line(result.stderr)


# --- the allow-list -----------------------------------------------------------------------------


def test_every_allowed_type_exists():
    """A typo, or a library that moved a class, fails here rather than at someone's load."""
    for name in sorted(ALLOWED_TYPES):
        module, _, attribute = name.rpartition(".")
        assert hasattr(importlib.import_module(module), attribute), name


def test_the_recipe_and_the_artifacts_name_the_same_formats():
    from mlwb.recipe.schema import Artifacts

    annotation = Artifacts.model_fields["format"].annotation
    assert typing.get_args(annotation) == MODEL_FORMATS


def test_a_type_off_the_list_is_refused_when_saving():
    from sklearn.neighbors import KNeighborsClassifier

    model = KNeighborsClassifier(metric="canberra", algorithm="ball_tree")
    model.fit([[0.0], [1.0], [2.0]], [0, 1, 1])
    with pytest.raises(RecipeError, match="CanberraDistance64"):
        encode_model(model, "skops")


def test_a_skops_file_is_loaded_with_the_list_not_its_own_types():
    import skops.io as sio

    with pytest.raises(Exception, match=r"builtins\.eval") as caught:
        decode_skops(sio.dumps({"f": eval}))
    assert not isinstance(caught.value, ModelFileError)  # load_model adds file and advice


CREDIT = pd.read_csv(SAMPLES / "credit.csv").head(300).drop(columns=["customer_id"])
DIABETES = pd.read_csv(SAMPLES / "diabetes.csv").head(200)
LR = {"logistic_regression": {}}
OPTIONS: dict[str, dict] = {
    **{
        f"threshold {objective}": {
            "models": LR,
            "threshold": {"objective": objective, **({"value": 0.5} if "_" in objective else {})},
        }
        for objective in ("f1", "fbeta", "youden", "min_precision", "min_recall", "cost")
    },
    **{
        f"calibration {method}": {
            "models": LR,
            "calibration": method,
            "threshold": {"objective": "f1"},
        }
        for method in ("sigmoid", "isotonic")
    },
    **{
        f"impute {impute}": {"models": LR, "preprocess": {"numeric": {"impute": impute}}}
        for impute in ("knn", "iterative", "constant")
    },
    **{
        f"scale {scale}": {"models": LR, "preprocess": {"numeric": {"scale": scale}}}
        for scale in ("minmax", "robust", "maxabs", "quantile", "power")
    },
    "log and bins": {
        "models": LR,
        "preprocess": {"numeric": {"log": ["income"], "bin": {"age": 4}, "bin_encode": "ordinal"}},
    },
    **{
        f"encode {encode}": {
            "models": {"random_forest": {"n_estimators": 5}},
            "preprocess": {"categorical": {"encode": encode}},
        }
        for encode in ("onehot", "ordinal", "target", "frequency")
    },
    "native lightgbm": {"models": {"lightgbm": {"n_estimators": 5}}},
    "native catboost": {"models": {"catboost": {"iterations": 5}}},
    "high cardinality": {
        "models": LR,
        "preprocess": {"categorical": {"high_cardinality": {"above": 5, "encode": "frequency"}}},
    },
    **{
        f"imbalance {method}": {"models": LR, "imbalance": {"method": method}}
        for method in (
            "class_weight",
            "smote",
            "borderline_smote",
            "adasyn",
            "svm_smote",
            "random_over",
            "random_under",
            "near_miss",
            "tomek",
            "smote_tomek",
            "smote_enn",
        )
    },
    **{
        f"select {method}": {"models": LR, "features": {"select": method, **extra}}
        for method, extra in (
            ("variance", {}),
            ("correlation", {}),
            ("mutual_info", {"k": 5}),
            ("anova", {"k": 5}),
            ("chi2", {"k": 5}),
            ("rfe", {"k": 5}),
            ("l1", {"k": 5}),
            ("model", {"k": 5}),
            ("pca", {"k": 3}),
            ("sequential", {"k": 2}),
        )
    },
    "stack of boosters": {
        "models": {"stack": ["logistic_regression", "xgboost", "lightgbm"]},
        "threshold": {"objective": "f1"},
    },
    "vote": {"models": {"vote": ["knn", "catboost", "hist_gradient_boosting"]}},
    "regression vote": {
        "task": "regression",
        "models": {"vote": ["ridge", "xgboost", "lightgbm", "catboost"]},
    },
    "regression selection": {
        "task": "regression",
        "models": {"ridge": {}},
        "features": [{"select": "mutual_info", "k": 5}, {"select": "anova", "k": 3}],
    },
}


@pytest.mark.parametrize("option", list(OPTIONS))
def test_every_option_saves_with_listed_types_and_predicts_the_same(option):
    """The final model of each option, as fit saves it (decision wrappers and
    ``DecodedClassifier`` included), through the default format and back."""
    from mlwb.plan import plan_run
    from mlwb.workflows.final import fit_final

    recipe = {"n_jobs": 1, "validation": {"outer": {"folds": 3}}, **OPTIONS[option]}
    if recipe.get("task") == "regression":
        data, recipe["target"] = DIABETES, "progression"
    else:
        data, recipe["target"], recipe["task"] = CREDIT, "default", "binary"
    recipe_obj, dataset = make_dataset(data, recipe)
    plan = plan_run(recipe_obj, dataset)
    model = fit_final(plan, next(iter(recipe["models"]))).model
    loaded = decode_skops(encode_model(model, "skops"))
    output = "predict" if recipe["task"] == "regression" else "predict_proba"
    assert type(loaded) is type(model)
    assert np.array_equal(getattr(model, output)(dataset.X), getattr(loaded, output)(dataset.X))
    if recipe["task"] == "binary":
        assert loaded.threshold_ == model.threshold_
        assert np.array_equal(loaded.predict(dataset.X), model.predict(dataset.X))
