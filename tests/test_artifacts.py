"""Run folders are written atomically; saved models are checked before they are loaded."""

from __future__ import annotations

import json

import pytest

from mlwb.artifacts import RunFolder, default_run_dir, load_model, save_model
from mlwb.data.contract import ColumnContract, DataContract
from mlwb.errors import ModelFileError, UsageError

CONTRACT = DataContract((ColumnContract("x", "numeric", "float64"),), "y", "regression", (), None)


def test_run_folder_appears_only_when_complete(tmp_path):
    target = tmp_path / "run"
    with RunFolder(target) as folder:
        folder.write_text("a.txt", "hello")
        assert not target.exists()
        assert folder.tmp.parent == tmp_path and folder.tmp.name.startswith(".run.partial-")
    assert (target / "a.txt").read_text() == "hello"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failure_or_interrupt_leaves_nothing(tmp_path, error):
    target = tmp_path / "run"
    with pytest.raises(type(error)), RunFolder(target) as folder:
        folder.write_text("a.txt", "partial")
        raise error
    assert list(tmp_path.iterdir()) == []


def fake_run_folder(folder):
    """What mlwb recognises as a run folder it wrote (and so may replace with force)."""
    folder.mkdir()
    (folder / "metrics.json").write_text('{"schema_version": 1, "kind": "fit"}')
    (folder / "recipe.resolved.yaml").write_text("name: old\n")
    (folder / "environment.json").write_text("{}")
    return folder


def test_existing_folder_needs_force_and_is_replaced_whole(tmp_path):
    target = fake_run_folder(tmp_path / "run")
    with pytest.raises(UsageError, match="already exists"), RunFolder(target):
        pass
    with RunFolder(target, force=True) as folder:
        folder.write_text("new.txt", "new")
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_force_never_replaces_a_folder_mlwb_did_not_write(tmp_path):
    target = tmp_path / "thesis"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work")
    with pytest.raises(UsageError, match="not an mlwb run folder"), RunFolder(target, True):
        pass
    assert [p.name for p in target.iterdir()] == ["thesis.tex"]
    assert [p.name for p in tmp_path.iterdir()] == ["thesis"]


def test_json_is_strict(tmp_path):
    with RunFolder(tmp_path / "run") as folder:
        folder.write_json("m.json", {"a": float("nan"), "b": float("inf"), "c": 1.5})
    text = (tmp_path / "run" / "m.json").read_text()
    assert json.loads(text) == {"a": None, "b": None, "c": 1.5}
    assert "NaN" not in text and "Infinity" not in text


def test_default_run_dir_is_safe_and_timestamped():
    path = default_run_dir("my run/../x")
    assert path.parent.name == "runs"
    assert "/" not in path.name and " " not in path.name and path.name.startswith("my-run-")


def toy_model():
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    return LinearRegression().fit(pd.DataFrame({"x": [0.0, 1.0, 2.0]}), [1.0, 3.0, 5.0])


def saved(tmp_path):
    with RunFolder(tmp_path / "run") as folder:
        save_model(folder, toy_model(), CONTRACT, {"model": "toy", "task": "regression"})
    return tmp_path / "run"


def test_saved_model_loads_with_its_contract(tmp_path):
    run = saved(tmp_path)
    loaded = load_model(run)
    assert loaded.model.coef_.tolist() == toy_model().coef_.tolist()
    assert loaded.contract == CONTRACT
    assert loaded.meta["model"] == "toy" and len(loaded.meta["sha256"]) == 64
    assert load_model(run / "model.skops").meta == loaded.meta
    assert load_model(run / "model.json").meta == loaded.meta


def test_changed_model_file_is_refused(tmp_path):
    run = saved(tmp_path)
    (run / "model.skops").write_bytes(b"not the saved file")
    with pytest.raises(ModelFileError, match="changed since it was saved"):
        load_model(run)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("{not json", "unreadable"),
        ('{"format": "something-else"}', "not an mlwb model description"),
        ('{"format": "mlwb-model", "format_version": 99}', "saved by a newer mlwb"),
    ],
)
def test_bad_model_descriptions_are_refused(tmp_path, meta, message):
    run = saved(tmp_path)
    (run / "model.json").write_text(meta)
    with pytest.raises(ModelFileError, match=message) as caught:
        load_model(run)
    assert caught.value.exit_code == 3


def test_unloadable_model_file_is_a_model_file_error(tmp_path):
    run = saved(tmp_path)
    from mlwb.artifacts import sha256_of

    (run / "model.skops").write_bytes(b"PK\x03\x04garbage")
    meta = json.loads((run / "model.json").read_text())
    meta["sha256"] = sha256_of(run / "model.skops")
    (run / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="cannot load the model"):
        load_model(run)
