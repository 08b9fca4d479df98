"""End-to-end tests of `mlwb predict`: outputs, the data contract, model-file checks, pipes."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pandas as pd
from conftest import SAMPLES, run_cli, run_process


def read_csv_text(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_predict_writes_labels_and_probabilities(credit_run):
    result = run_cli("predict", credit_run, SAMPLES / "credit.csv", "--keep", "customer_id")
    assert result.exit_code == 0, result.stderr
    frame = read_csv_text(result.stdout)
    assert list(frame.columns) == ["customer_id", "prediction", "proba_no", "proba_yes"]
    assert np.allclose(frame["proba_no"] + frame["proba_yes"], 1.0, atol=1e-5)
    # Labels follow the saved threshold (0.5) on the positive class's probability.
    assert ((frame["proba_yes"] >= 0.5) == (frame["prediction"] == "yes")).all()
    source = pd.read_csv(SAMPLES / "credit.csv")
    assert frame["customer_id"].tolist() == source["customer_id"].tolist()


def test_predict_matches_plain_python_use(credit_run):
    import skops.io as sio

    from mlwb.artifacts import ALLOWED_TYPES

    model = sio.load(credit_run / "model.skops", trusted=sorted(ALLOWED_TYPES))
    rows = pd.read_csv(SAMPLES / "credit.csv").drop(columns=["default"]).head(50)
    result = run_cli("predict", credit_run / "model.skops", SAMPLES / "credit.csv")
    frame = read_csv_text(result.stdout).head(50)
    assert list(model.predict(rows)) == frame["prediction"].tolist()
    assert np.allclose(model.predict_proba(rows)[:, 1], frame["proba_yes"], atol=1e-5)
    assert list(model.classes_) == ["no", "yes"]


def test_predict_to_file_and_json(credit_run, tmp_path):
    target = tmp_path / "predictions.csv"
    result = run_cli("predict", credit_run, SAMPLES / "credit.csv", "--out", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "wrote 2000 predictions" in result.stderr
    assert len(pd.read_csv(target)) == 2000
    as_json = run_cli("predict", credit_run, SAMPLES / "credit.csv", "--json")
    document = json.loads(as_json.stdout)
    assert document["schema_version"] == 1 and document["rows"] == 2000
    assert set(document["predictions"][0]) == {"prediction", "proba_no", "proba_yes"}


def test_threshold_option_overrides_saved_threshold(credit_run):
    low = read_csv_text(
        run_cli("predict", credit_run, SAMPLES / "credit.csv", "--threshold", "0").stdout
    )
    high = read_csv_text(
        run_cli("predict", credit_run, SAMPLES / "credit.csv", "--threshold", "1").stdout
    )
    assert (low["prediction"] == "yes").all()
    assert (high["prediction"] == "yes").sum() == (high["proba_yes"] >= 1).sum()


def test_missing_columns_exit_3_naming_them(credit_run, tmp_path):
    frame = pd.read_csv(SAMPLES / "credit.csv").drop(columns=["income", "region"])
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    result = run_cli("predict", credit_run, path)
    assert result.exit_code == 3
    assert "missing 2 column(s)" in result.stderr
    assert "income" in result.stderr and "region" in result.stderr
    assert result.stdout == ""


def test_extra_columns_ignored_and_unseen_levels_handled(credit_run, tmp_path):
    frame = pd.read_csv(SAMPLES / "credit.csv").head(20)
    frame["something_new"] = 1
    frame.loc[0:4, "purpose"] = "space_travel"
    frame.loc[5, "region"] = "R999"
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    result = run_cli("predict", credit_run, path)
    assert result.exit_code == 0, result.stderr
    assert "something_new" in result.stderr
    assert "'purpose': 5 rows have levels not seen in training" in result.stderr
    assert len(read_csv_text(result.stdout)) == 20


def test_text_in_numeric_column_is_explained(credit_run, tmp_path):
    frame = pd.read_csv(SAMPLES / "credit.csv").head(20)
    frame["age"] = frame["age"].astype(str)
    frame.loc[:, "age"] = "unknown"
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    result = run_cli("predict", credit_run, path)
    assert result.exit_code == 3
    assert "column 'age' must be numeric" in result.stderr
    assert "line 2 has 'unknown'" in result.stderr


def test_changed_model_file_is_refused(credit_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(credit_run, copy)
    with (copy / "model.skops").open("ab") as handle:
        handle.write(b"tampered")
    result = run_cli("predict", copy, SAMPLES / "credit.csv")
    assert result.exit_code == 3
    assert "changed since it was saved" in result.stderr


def test_model_without_metadata_is_refused(credit_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(credit_run, copy)
    (copy / "model.json").unlink()
    result = run_cli("predict", copy / "model.skops", SAMPLES / "credit.csv")
    assert result.exit_code == 3
    assert "model.json" in result.stderr


def test_missing_model_file(tmp_path):
    result = run_cli("predict", tmp_path / "nope.joblib", SAMPLES / "credit.csv")
    assert result.exit_code == 3
    assert "model file not found" in result.stderr


def test_version_mismatch_is_a_warning(credit_run, tmp_path):
    """A model saved with another scikit-learn: its manifest (inside the file) and
    model.json both record that version."""
    from mlwb.artifacts import encode_model, load_model, sha256_of

    copy = tmp_path / "run"
    shutil.copytree(credit_run, copy)
    model = load_model(copy).model
    model._mlwb_manifest["versions"]["scikit-learn"] = "0.0.1"
    (copy / "model.skops").write_bytes(encode_model(model, "skops"))
    meta = {**model._mlwb_manifest, "sha256": sha256_of(copy / "model.skops")}
    (copy / "model.json").write_text(json.dumps(meta))
    result = run_cli("predict", copy, SAMPLES / "credit.csv")
    assert result.exit_code == 0
    assert "saved with scikit-learn 0.0.1" in result.stderr


def test_predict_reads_stdin_and_survives_a_closed_pipe(credit_run, tmp_path):
    big = pd.concat([pd.read_csv(SAMPLES / "credit.csv")] * 5, ignore_index=True)
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    completed = run_process("predict", credit_run, "-", stdin=path.read_text())
    assert completed.returncode == 0, completed.stderr
    assert len(read_csv_text(completed.stdout)) == len(big)
    import subprocess
    import sys

    script = (
        f"{sys.executable} -m mlwb predict {credit_run} {path} | head -1; "
        'echo "status=${PIPESTATUS[0]}" >&2'
    )
    piped = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300)
    assert piped.stdout.strip() == "prediction,proba_no,proba_yes"
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr
    assert "status=0" in piped.stderr


def test_regression_predictions(tmp_path):
    from conftest import fast_recipe

    recipe = fast_recipe(tmp_path, "diabetes")
    out = tmp_path / "run"
    assert run_cli("fit", recipe, SAMPLES / "diabetes.csv", "--out", out, "-q").exit_code == 0
    result = run_cli("predict", out, SAMPLES / "diabetes.csv", "--json")
    document = json.loads(result.stdout)
    assert document["task"] == "regression" and document["threshold"] is None
    values = [row["prediction"] for row in document["predictions"]]
    assert min(values) >= 25 and max(values) <= 346
