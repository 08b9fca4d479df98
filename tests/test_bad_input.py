"""Bad input ends with exit 2 (command line, recipe) or 3 (data, model file) — never 1.

Each case is a real command-line call on a small file, checking the exit code and the one
line that names what is wrong (file, column, line, recipe key) and what to do, with no
traceback and, past ``--quiet``, no library output. The property-based tests at the end
feed random CSV bytes and random recipe text to the readers: whatever they get, they raise
only mlwb's own errors.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import NO_DIAGNOSTICS_YAML, run_cli, run_process, write_recipe
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mlwb.errors import ExitCode, MlwbError

ROWS = 60


def error_line(stderr: str) -> str:
    """The single ``error:`` line of a failed command (and no traceback)."""
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def frame(seed: int = 0, rows: int = ROWS) -> pd.DataFrame:
    """Two numeric features, one categorical, a yes/no target that depends on x1."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=rows).round(3)
    target = np.where(x1 + rng.normal(scale=0.5, size=rows) > 0, "yes", "no")
    return pd.DataFrame(
        {
            "x1": x1,
            "x2": rng.normal(size=rows).round(3),
            "cat": rng.choice(["a", "b", "c"], rows),
            "y": target,
        }
    )


def write_csv(path: Path, data: pd.DataFrame) -> Path:
    data.to_csv(path, index=False)
    return path


def recipe(tmp_path: Path, extra: str = "", target: str = "y", name: str = "r") -> Path:
    models = "models: {logistic_regression: {}}\n" if "models:" not in extra else ""
    text = f"target: {target}\n{models}n_jobs: 1\n{NO_DIAGNOSTICS_YAML}{extra}"
    return write_recipe(tmp_path / f"{name}.yaml", text)


def with_values(data: pd.DataFrame, column: str, values: dict[int, str]) -> pd.DataFrame:
    """``data`` with the cells of ``column`` at the given rows replaced by text."""
    changed = data.copy()
    changed[column] = changed[column].astype(object)
    for row, value in values.items():
        changed.loc[row, column] = value
    return changed


def validate_json(*args: str | Path) -> dict:
    result = run_cli("validate", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


# --- 1. inf, -inf and overflowing numbers ---------------------------------------------------

INFINITE = {3: "inf", 7: "-inf", 9: "1e400"}  # rows 3, 7, 9 are file lines 5, 9, 11


def test_infinite_target_values_are_exit_3_naming_the_column_and_lines(tmp_path):
    data = frame()
    data["t"] = data["x1"] * 3 + data["x2"]
    data = with_values(data.drop(columns="y"), "t", INFINITE)
    csv = write_csv(tmp_path / "data.csv", data)
    result = run_cli("fit", recipe(tmp_path, target="t"), csv, "--quiet", "--out", tmp_path / "o")
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert "target 't' has 3 infinite or out-of-range values" in line
    assert "lines 5, 9, 11" in line
    assert "fix those values or remove those rows" in line


def test_infinite_feature_values_become_missing_with_a_note(tmp_path):
    csv = write_csv(tmp_path / "data.csv", with_values(frame(), "x1", INFINITE))
    result = run_cli("fit", recipe(tmp_path), csv, "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert (
        "column 'x1': 3 infinite or out-of-range values (beyond ±3.4e38) were read as "
        "missing (lines 5, 9, 11)" in result.stderr
    )
    assert "failed while fitting" not in result.stderr


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory) -> Path:
    """A logistic regression fitted on clean data (x1, x2 numeric; cat categorical)."""
    tmp = tmp_path_factory.mktemp("saved")
    csv = write_csv(tmp / "train.csv", frame())
    result = run_cli("fit", recipe(tmp), csv, "--quiet", "--out", tmp / "run")
    assert result.exit_code == 0, result.stderr
    return tmp / "run"


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_predict_and_evaluate_read_infinite_features_as_missing(saved_model, tmp_path, command):
    csv = write_csv(tmp_path / "new.csv", with_values(frame(seed=1), "x1", INFINITE))
    result = run_cli(command, saved_model, csv)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "column 'x1': 3 infinite or out-of-range values" in result.stderr
    assert "internal error" not in result.stderr


def test_evaluate_with_an_infinite_regression_target_is_exit_3(tmp_path):
    data = frame().drop(columns="y")
    data["t"] = data["x1"] * 3 + data["x2"]
    train = write_csv(tmp_path / "train.csv", data)
    text = "models: {linear_regression: {}}\n"
    fitted = run_cli(
        "fit", recipe(tmp_path, text, target="t"), train, "--quiet", "--out", tmp_path / "run"
    )
    assert fitted.exit_code == 0, fitted.stderr
    labelled = write_csv(tmp_path / "new.csv", with_values(data, "t", {4: "inf"}))
    result = run_cli("evaluate", tmp_path / "run", labelled)
    assert result.exit_code == ExitCode.DATA
    assert "target 't' has 1 infinite or out-of-range values (beyond ±3.4e38; line 6)" in (
        error_line(result.stderr)
    )


# --- 2. positive ----------------------------------------------------------------------------


def test_positive_that_is_not_a_class_is_exit_3_naming_the_classes(tmp_path):
    csv = write_csv(tmp_path / "data.csv", frame())
    result = run_cli("fit", recipe(tmp_path, "positive: maybe\n"), csv, "--out", tmp_path / "o")
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert "positive: 'maybe' is not a class of target 'y' (classes: no, yes)" in line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("labels", "positive", "expected"),
    [
        (["0", "1"], "1", 1),
        (["0", "1"], "1.0", 1),  # YAML float 1.0: the class 1
        (["0", "1"], "'0'", 0),  # quoted: the text "0" names the class 0
        (["no", "yes"], "YES", "yes"),  # case does not matter when only one class matches
        (["False", "True"], "true", True),
        (["A", "a"], "a", "a"),  # an exact match wins over a case-insensitive one
        (["A", "a"], "A", "A"),
    ],
)
def test_positive_matches_the_class_it_names(tmp_path, labels, positive, expected):
    data = frame()
    data["y"] = np.where(data["y"] == "yes", labels[1], labels[0])
    csv = write_csv(tmp_path / "data.csv", data)
    plan = validate_json(recipe(tmp_path, f"positive: {positive}\n"), csv)
    assert plan["dataset"]["positive"] == expected


def test_positive_matching_two_classes_only_by_case_is_exit_3(tmp_path):
    data = frame()
    data["y"] = np.where(data["y"] == "yes", "Yes", "yES")
    csv = write_csv(tmp_path / "data.csv", data)
    result = run_cli("validate", recipe(tmp_path, "positive: yes\n"), csv)
    assert result.exit_code == ExitCode.DATA
    assert "positive: 'yes' matches more than one class of target 'y' ('Yes', 'yES')" in (
        error_line(result.stderr)
    )


def test_positive_boolean_does_not_name_a_numeric_class(tmp_path):
    data = frame()
    data["y"] = (data["y"] == "yes").astype(int)
    csv = write_csv(tmp_path / "data.csv", data)
    result = run_cli("validate", recipe(tmp_path, "positive: true\n"), csv)
    assert result.exit_code == ExitCode.DATA
    assert "positive: True is not a class of target 'y' (classes: 0, 1)" in error_line(
        result.stderr
    )


# --- 3. nesting in recipes and --set values ---------------------------------------------------


@pytest.mark.parametrize(
    "value", ["[" * 5000 + "]" * 5000, "{a: " * 3000 + "1" + "}" * 3000], ids=["lists", "maps"]
)
def test_deeply_nested_recipe_is_exit_2_naming_the_line(tmp_path, value):
    path = write_recipe(tmp_path / "deep.yaml", f"target: y\nmodels: {value}\n")
    result = run_cli("validate", path)
    assert result.exit_code == ExitCode.USAGE
    line = error_line(result.stderr)
    assert "deep.yaml:2: values are nested more than 50 levels deep" in line


def test_deeply_nested_set_value_is_exit_2_and_stays_one_short_line(tmp_path):
    value = "[" * 5000 + "]" * 5000
    result = run_cli("validate", recipe(tmp_path), "--set", f"models={value}")
    assert result.exit_code == ExitCode.USAGE
    line = error_line(result.stderr)
    assert "nested more than 50 levels deep" in line
    assert len(line) < 300


def test_long_set_key_path_is_exit_2(tmp_path):
    key = ".".join(["a"] * 3000)
    result = run_cli("validate", recipe(tmp_path), "--set", f"{key}=1")
    assert result.exit_code == ExitCode.USAGE
    assert "nested more than 50 levels deep" in error_line(result.stderr)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("target: y\na: &a [*a]\n", "an alias refers to a value that contains it"),
        (
            "target: y\na: &a [1]\n"
            + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}]\n" for i in range(60)),
            "nested more than 50 levels deep",
        ),
    ],
    ids=["self-reference", "alias-chain"],
)
def test_aliases_cannot_build_unbounded_values(tmp_path, text, message):
    result = run_cli("validate", write_recipe(tmp_path / "a.yaml", text))
    assert result.exit_code == ExitCode.USAGE
    assert message in error_line(result.stderr)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("target: !!int \n", "'' is not a valid !!int value"),
        ("target: y\nseed: !!int seven\n", "'seven' is not a valid !!int value"),
        ("target: y\nseed: !!float x\n", "'x' is not a valid !!float value"),
        ("target: y\nn_jobs: !!bool maybe\n", "'maybe' is not a valid !!bool value"),
        ("!!set target: []\n", "!!set values are not used in recipes"),
        ("target: y\nname: !!timestamp tomorrow\n", "!!timestamp values are not used"),
    ],
)
def test_explicit_yaml_tags_with_bad_values_are_exit_2(tmp_path, text, message):
    result = run_cli("validate", write_recipe(tmp_path / "t.yaml", text))
    assert result.exit_code == ExitCode.USAGE
    assert message in error_line(result.stderr)


def test_explicit_yaml_tags_with_good_values_still_work(tmp_path):
    path = write_recipe(tmp_path / "t.yaml", "target: !!str y\nseed: !!int 7\nn_jobs: !!int 1\n")
    from mlwb.recipe import load_recipe

    loaded = load_recipe(path)
    assert (loaded.target, loaded.seed) == ("y", 7)


# --- 4. malformed model.json -----------------------------------------------------------------


def _corrupt(meta: dict, change: str) -> object:
    contract = meta["contract"]
    if change == "format_version-text":
        meta["format_version"] = "1"
    elif change == "list":
        return [meta]
    elif change == "no-contract":
        del meta["contract"]
    elif change == "no-sha256":
        del meta["sha256"]
    elif change == "classes-text":
        contract["classes"] = "no,yes"
    elif change == "threshold-text":
        meta["threshold"] = "0.5"
    elif change == "columns-mapping":
        contract["columns"] = {"x1": "numeric"}
    elif change == "column-kind":
        contract["columns"][0]["kind"] = "numerc"
    elif change == "column-name-missing":
        del contract["columns"][1]["name"]
    elif change == "positive-index":
        meta["positive_index"] = 5
    elif change == "metrics":
        meta["metrics"] = ["roc_auc", "nope"]
    elif change == "task":
        contract["task"] = "binar"
    return meta


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ("format_version-text", "format_version: expected a whole number, got '1'"),
        ("list", "not an mlwb model description"),
        ("no-contract", "malformed data contract: contract: expected a mapping, got null"),
        ("no-sha256", "sha256: missing, or not a sha256 hex digest"),
        ("classes-text", "contract.classes: expected a list, got a text"),
        ("threshold-text", "threshold: expected a number from 0 to 1, got '0.5'"),
        ("columns-mapping", "contract.columns: expected a list, got a mapping"),
        ("column-kind", "contract.columns[0].kind: unknown column kind 'numerc'"),
        ("column-name-missing", "contract.columns[1].name: missing"),
        ("positive-index", "positive_index: expected the index of one of the classes, got 5"),
        ("metrics", "metrics: unknown metric 'nope'"),
        ("task", "contract.task: unknown task 'binar'"),
    ],
)
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_malformed_model_json_is_exit_3_naming_file_and_key(
    saved_model, tmp_path, change, key, command
):
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(saved_model, folder)
    meta = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps(_corrupt(meta, change)))
    csv = write_csv(tmp_path / "new.csv", frame(seed=2))
    result = run_cli(command, folder, csv)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert f"{folder / 'model.json'}: " in line
    assert key in line


# --- 5. model parameters the library rejects ------------------------------------------------

REJECTED = [
    ("lightgbm", "num_leaves", -5, "LGBMClassifier: Check failed: (num_leaves) > (1)"),
    (
        "xgboost",
        "max_depth",
        -2,
        "XGBClassifier: value -2 for Parameter max_depth should be greater equal to 0",
    ),
    ("catboost", "depth", -1, 'CatBoostClassifier: Can\'t parse parameter "depth" with value'),
    (
        "random_forest",
        "n_estimators",
        -3,
        "RandomForestClassifier: The 'n_estimators' parameter of RandomForestClassifier "
        "must be an int in the range [1, inf). Got -3 instead.",
    ),
    # LightGBM names the C++ alias, CatBoost an internal name: the probe still finds the key.
    (
        "lightgbm",
        "min_child_samples",
        -3,
        "LGBMClassifier: Check failed: (min_data_in_leaf) >= (0)",
    ),
    (
        "catboost",
        "l2_leaf_reg",
        -3,
        "CatBoostClassifier: L2LeafRegularizer should be >= 0, current value: -3",
    ),
]


@pytest.mark.parametrize(("model", "param", "value", "reason"), REJECTED)
@pytest.mark.parametrize("command", ["validate", "fit"])
def test_parameter_the_library_rejects_is_exit_2_naming_the_key(
    tmp_path, model, param, value, reason, command
):
    csv = write_csv(tmp_path / "data.csv", frame())
    path = recipe(tmp_path, f"models: {{{model}: {{{param}: {value}}}}}\n")
    args = ("--quiet", "--out", tmp_path / "o") if command == "fit" else ()
    result = run_cli(command, path, csv, *args)
    assert result.exit_code == ExitCode.USAGE
    line = error_line(result.stderr)
    assert f"models.{model}.{param}: {value} is rejected by {reason}" in line
    assert "set a value the library accepts" in line
    assert " at /" not in line  # the C++ source location is left out


def test_rejected_lightgbm_parameter_prints_nothing_but_the_error_with_quiet(tmp_path):
    """LightGBM's C++ core prints "[LightGBM] [Fatal] …" to the process's stderr itself: only
    a real process shows whether that line reaches the terminal."""
    csv = write_csv(tmp_path / "data.csv", frame())
    path = recipe(tmp_path, "models: {lightgbm: {num_leaves: -5}}\n")
    completed = run_process("fit", path, csv, "--quiet", "--out", tmp_path / "o")
    assert completed.returncode == ExitCode.USAGE
    assert completed.stderr.splitlines() == [error_line(completed.stderr)]
    assert completed.stdout == ""


def test_failing_search_trials_print_no_library_lines(tmp_path):
    """Values inside a search space are tried at fit time: a failing trial is skipped with a
    notice, and LightGBM's own [Fatal] lines stay out of the output."""
    csv = write_csv(tmp_path / "data.csv", frame())
    extra = (
        "models: {lightgbm: {num_leaves: [-5, 7], n_estimators: 20}}\nsearch: {strategy: grid}\n"
    )
    completed = run_process("fit", recipe(tmp_path, extra), csv, "--out", tmp_path / "o")
    assert completed.returncode == ExitCode.OK, completed.stderr
    assert "[LightGBM]" not in completed.stderr + completed.stdout
    assert "lightgbm: 5 of 10 trials failed and were skipped" in completed.stderr


@pytest.mark.parametrize(
    ("solvers", "rejected"), [("[lbfgs, saga]", False), ("[lbfgs, newton-cg]", True)]
)
def test_a_fixed_value_one_searched_value_accepts_is_left_to_the_search(
    tmp_path, solvers, rejected
):
    """l1_ratio: 1.0 needs a solver that supports L1: with saga among the searched solvers the
    search runs (its lbfgs trials fail and are skipped); with none, no trial could run."""
    csv = write_csv(tmp_path / "data.csv", frame())
    extra = (
        f"models: {{logistic_regression: {{solver: {solvers}, l1_ratio: 1.0}}}}\n"
        "search: {strategy: grid}\n"
    )
    result = run_cli("validate", recipe(tmp_path, extra), csv)
    if not rejected:
        assert result.exit_code == ExitCode.OK, result.stderr
        return
    assert result.exit_code == ExitCode.USAGE
    assert (
        "models.logistic_regression.l1_ratio: 1.0 is rejected by LogisticRegression (also with "
        "the values the search tries for solver): Solver lbfgs supports only 'l2'"
    ) in error_line(result.stderr)


def test_accepted_parameters_pass_validate(tmp_path):
    csv = write_csv(tmp_path / "data.csv", frame())
    extra = (
        "models: {lightgbm: {num_leaves: 7, learning_rate: 0.1}, "
        "random_forest: {n_estimators: 5}}\n"
    )
    plan = validate_json(recipe(tmp_path, extra), csv)
    assert list(plan["models"])[-2:] == ["lightgbm", "random_forest"]


def test_a_probe_failure_that_the_real_rows_do_not_confirm_is_not_an_error(tmp_path, monkeypatch):
    """The probe's rows are synthetic: a value refused there but accepted on the real rows (a
    limit tied to the data's shape) is left to the fit, not reported as a recipe error."""
    import mlwb.plan._models as models_plan
    from mlwb.models.probe import Rejection

    monkeypatch.setattr(
        models_plan,
        "rejected_parameters",
        lambda spec, context, params, *rest: (
            Rejection(("C",), "C is too large for 60 rows", "LogisticRegression")
            if "C" in params
            else None
        ),
    )
    csv = write_csv(tmp_path / "data.csv", frame())
    result = run_cli("validate", recipe(tmp_path, "models: {logistic_regression: {C: 2.0}}\n"), csv)
    assert result.exit_code == ExitCode.OK, result.stderr


@pytest.mark.parametrize(
    ("message", "param"),
    [
        ("Check failed: (num_leaves) > (1) at /src/io/config_auto.cpp, line 352 .", "num_leaves"),
        ("value -2 for Parameter max_depth should be greater equal to 0", "max_depth"),
        ('json_helper.h:41: Can\'t parse parameter "depth" with value: -1', "depth"),
        ("The 'n_estimators' parameter of X must be an int", "n_estimators"),
        ("max_features must be in (0, n_features]", "max_features"),
    ],
)
def test_fit_time_library_errors_naming_a_recipe_parameter_are_recipe_errors(message, param):
    from mlwb.plan import ModelPlan
    from mlwb.workflows.cross_validation import translate_failure

    model = ModelPlan("m", None, {param: -1, "other": 1}, None, (), (), None)  # type: ignore[arg-type]
    error = translate_failure(model, ValueError(message))
    assert error.exit_code == ExitCode.USAGE
    assert str(error).startswith(f"models.m.{param}: rejected while fitting: ")
    assert " at /src" not in str(error)


def test_fit_time_errors_naming_no_recipe_parameter_stay_model_failures():
    from mlwb.plan import ModelPlan
    from mlwb.workflows.cross_validation import translate_failure

    model = ModelPlan("m", None, {"C": 1.0, "depth": 3}, None, (), (), None)  # type: ignore[arg-type]
    for message in ("array is not C-contiguous", "value -2 for Parameter max_depth"):
        error = translate_failure(model, ValueError(message))
        assert error.exit_code == ExitCode.INTERNAL, message


# --- 6. library warnings during the learning curve ------------------------------------------


def imbalanced(rows: int = 120, rare: int = 14, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    target = np.where(np.arange(rows) < rare, "rare", "common")
    rng.shuffle(target)
    x1 = rng.normal(size=rows) + 1.5 * (target == "rare")
    return pd.DataFrame({"x1": x1.round(3), "x2": rng.normal(size=rows).round(3), "y": target})


def test_learning_curve_fit_failures_are_a_note_not_a_traceback(tmp_path):
    csv = write_csv(tmp_path / "data.csv", imbalanced())
    text = (
        "target: y\nmodels: {logistic_regression: {}}\nimbalance: {method: smote}\nn_jobs: 1\n"
        "diagnostics: {learning_curve: true, importance: none}\nreport: [console]\n"
    )
    path = write_recipe(tmp_path / "smote.yaml", text)
    result = run_cli("fit", path, csv, "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "Traceback" not in result.stderr
    assert "FitFailedWarning" not in result.stderr
    curve = json.loads((tmp_path / "run" / "diagnostics.json").read_text())["learning_curves"][0]
    assert curve["skipped"], "the data was chosen so that SMOTE fails at the smallest size"
    note = curve["note"]
    assert note.startswith("learning curve of logistic_regression: ")
    assert f"fits failed at {curve['skipped'][0]} training rows" in note
    assert "n_neighbors" in note  # SMOTE's own reason: too few rows of the rare class
    assert note.endswith("those points are left out")


def test_learning_curve_failures_are_one_notice_event(tmp_path):
    from mlwb.data import dataset_from_table
    from mlwb.data.reading import RawTable
    from mlwb.diagnose.curves import learning_curve_for
    from mlwb.diagnose.verdict import VerdictRuleValues
    from mlwb.events import Notice
    from mlwb.plan import plan_run
    from mlwb.recipe import recipe_from_mapping

    recipe_data = {
        "target": "y",
        "models": {"logistic_regression": {}},
        "imbalance": {"method": "smote"},
        "n_jobs": 1,
    }
    parsed = recipe_from_mapping(recipe_data)
    table = RawTable(imbalanced(), "data.csv", "0" * 64, "utf-8", ",")
    plan = plan_run(parsed, dataset_from_table(table, parsed))
    events: list = []
    curve = learning_curve_for(
        "logistic_regression",
        plan.model("logistic_regression").pipeline,
        plan.dataset.X,
        plan.dataset.y,
        plan.splits,
        "roc_auc",
        plan.metric_context,
        0.5,
        VerdictRuleValues(0.15, 0.35, 0.02),
        1,
        0,
        events.append,
    )
    notices = [e for e in events if isinstance(e, Notice)]
    assert [n.message for n in notices] == [curve.note]
    assert notices[0].level == "warning"


# --- 7. numeric columns holding a few text values -------------------------------------------

MIXED = {2: "forty", 5: "unknown", 11: "-", 17: "forty", 30: "unknown", 44: "-"}  # 10 %


def mixed_frame(values: dict[int, str]) -> pd.DataFrame:
    data = frame()
    data.insert(0, "age", np.random.default_rng(3).integers(20, 70, ROWS).astype(float))
    return with_values(data, "age", values)


def roles(plan: dict) -> dict[str, str]:
    return {c["name"]: c["role"] for c in plan["dataset"]["columns"]}


def test_mostly_numeric_column_is_numeric_with_a_note_on_the_text_values(tmp_path):
    csv = write_csv(tmp_path / "data.csv", mixed_frame(MIXED))
    plan = validate_json(recipe(tmp_path), csv)
    assert roles(plan)["age"] == "numeric"
    [note] = [n for n in plan["notices"] if "'age'" in n]
    assert "column 'age': 6 values that are not numbers ('forty', 'unknown', '-')" in note
    assert "were read as missing (lines 4, 7, 13, 19, 32, …; 90% of the values are numbers)" in (
        note
    )
    assert "columns.categorical" in note


def test_columns_categorical_keeps_a_mostly_numeric_column_as_text_without_a_note(tmp_path):
    csv = write_csv(tmp_path / "data.csv", mixed_frame(MIXED))
    plan = validate_json(recipe(tmp_path, "columns: {categorical: [age]}\n"), csv)
    assert roles(plan)["age"] == "categorical"
    assert not [n for n in plan["notices"] if "'age'" in n]


PARTLY = {row: ["forty", "unknown", "-", "n.k."][row % 4] for row in range(0, ROWS, 3)}  # 33 %


def test_partly_numeric_column_stays_categorical_with_a_note_on_how_to_override(tmp_path):
    csv = write_csv(tmp_path / "data.csv", mixed_frame(PARTLY))
    plan = validate_json(recipe(tmp_path), csv)
    assert roles(plan)["age"] == "categorical"
    [note] = [n for n in plan["notices"] if "'age'" in n]
    assert "column 'age': 67% of the values are numbers, too few to read it as numeric" in note
    assert "columns.numeric" in note
    forced = validate_json(recipe(tmp_path, "columns: {numeric: [age]}\n", name="f"), csv)
    assert roles(forced)["age"] == "numeric"
    assert any("column 'age': 20 values that are not numbers" in n for n in forced["notices"])


def test_predict_reads_text_in_a_numeric_column_as_training_did(saved_model, tmp_path):
    csv = write_csv(tmp_path / "new.csv", with_values(frame(seed=4), "x1", {0: "n.k.", 8: "-"}))
    result = run_cli("predict", saved_model, csv)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "column 'x1': 2 values that are not numbers ('n.k.', '-') were read as missing" in (
        result.stderr
    )


def test_predict_refuses_a_numeric_column_that_is_mostly_text(saved_model, tmp_path):
    words = {row: "high" for row in range(0, ROWS, 2)}
    csv = write_csv(tmp_path / "new.csv", with_values(frame(seed=4), "x1", words))
    result = run_cli("predict", saved_model, csv)
    assert result.exit_code == ExitCode.DATA
    line = error_line(result.stderr)
    assert "column 'x1' must be numeric, but 30 values are not numbers (line 2 has 'high')" in line


# --- 8. random input to the readers ---------------------------------------------------------

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELLS = ["0", "1", "-3", "1.5", "1e400", "inf", "-inf", "NA", "?", "", "True", "yes", "no",
         "a", "é", "forty", "-", '"q,"', '"multi\nline"', "None", "1,5", " 7 "]  # fmt: skip


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """Raw bytes half the time; otherwise a CSV-shaped table with odd cells, delimiters,
    line ends and encodings (so that most examples get past the reader)."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    header = draw(st.lists(st.sampled_from(["x", "z", "id", "é", " w", ""]), max_size=3))
    header.insert(draw(st.integers(0, len(header))), "y")
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    cell = st.one_of(st.sampled_from(CELLS), st.text(max_size=4))
    rows = [
        delimiter.join(draw(st.lists(cell, min_size=len(header), max_size=len(header))))
        for _ in range(draw(st.integers(0, 25)))
    ]
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join([delimiter.join(header), *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


TASKS = st.sampled_from([{}, {"task": "binary"}, {"task": "regression"}, {"positive": 1}])


@FUZZ
@given(csv_files(), TASKS)
@example(b"\r\x01", {})  # a bare carriage return: csv.Error from the header row
def test_random_csv_bytes_raise_only_data_errors(content, extra):
    from mlwb.data.dataset import load_dataset
    from mlwb.recipe import recipe_from_mapping

    parsed = recipe_from_mapping({"target": "y", **extra})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_bytes(content)
        try:
            dataset = load_dataset(path, parsed)
            dataset.contract().prepare(dataset.frame, "data.csv")
        except MlwbError as error:
            assert error.exit_code == ExitCode.DATA, error


YAML_PIECES = ["target", "y", "models", "lightgbm", "num_leaves", "search", "strategy",
               "columns", "drop", "positive", "seed", ": ", "\n", "  ", "- ", "[", "]", "{",
               "}", ", ", "&a ", "*a", "<<: ", "!!int ", "!!float ", "!!bool ", "!!set ",
               "!!binary ", "!!timestamp ", "!!python/object:os.system ", "? ", "1", "-1",
               "1e-3", ".inf", ".nan", "true", "no", "null", "'s'", "12:30", "#", "---\n",
               "\t", "é", "\x85"]  # fmt: skip
recipe_texts = st.one_of(
    st.text(max_size=60), st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join)
)


@FUZZ
@given(recipe_texts)
@example("!!int ")  # PyYAML's int constructor: IndexError on an empty value
@example("target: !!int target")  # ... and ValueError on text
@example("!!set target: []\n")  # a set tag on a scalar key
def test_random_recipe_text_raises_only_recipe_errors(text):
    from mlwb.recipe import load_recipe, recipe_from_mapping
    from mlwb.recipe.yaml_loader import YamlProblem, load_yaml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "recipe.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_recipe(path)
        except MlwbError as error:
            assert error.exit_code == ExitCode.USAGE, error
    try:
        data = load_yaml(text)
    except YamlProblem:
        return
    if isinstance(data, dict):
        try:
            recipe_from_mapping(data)
        except MlwbError as error:
            assert error.exit_code == ExitCode.USAGE, error


KEYS = ["target", "task", "positive", "columns", "categorical", "models", "lightgbm", "int",
        "search", "strategy", "trials", "validation", "outer", "folds", "threshold",
        "metrics", "gates", "seed", "n_jobs", "version", "imbalance", "method", "features",
        "select"]  # fmt: skip
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 10**20),
        st.floats(),
        st.sampled_from(KEYS),
        st.text(max_size=5),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=15,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5))
def test_random_recipe_mappings_raise_only_recipe_errors(data):
    from mlwb.recipe import recipe_from_mapping

    try:
        recipe_from_mapping(data)
    except MlwbError as error:
        assert error.exit_code == ExitCode.USAGE, error
