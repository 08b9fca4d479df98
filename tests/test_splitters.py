"""Cross-validation splitters: each one keeps its promise (every row tested once, classes
stratified, groups never straddle, time flows forward with a gap), the holdout is kept out
of every fold, and every impossible combination is refused with the right exit code and a
message naming the recipe key or the column.

Real scikit-learn splitters on small in-memory frames; the command line on tiny CSV files.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import (
    NO_DIAGNOSTICS_YAML,
    SAMPLES,
    make_dataset,
    run_cli,
    write_recipe,
)

from mlwb.errors import ExitCode
from mlwb.evaluation import SplitData, make_splitter, split_data
from mlwb.plan import plan_run
from mlwb.recipe.schema import Splitter

# --------------------------------------------------------------------------- helpers


def classification_frame(n: int = 60, counts: dict[str, int] | None = None, seed: int = 0):
    """Two numeric features and a string target with the given class counts."""
    rng = np.random.default_rng(seed)
    counts = counts or {"a": n // 2, "b": n - n // 2}
    labels = np.concatenate([[label] * k for label, k in counts.items()])
    rng.shuffle(labels)
    total = len(labels)
    return pd.DataFrame(
        {
            "x1": rng.normal(size=total),
            "x2": rng.normal(size=total),
            "y": pd.Series(labels, dtype="str"),
        }
    )


def regression_frame(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({"x1": x, "x2": rng.normal(size=n), "y": 2 * x + rng.normal(size=n)})


def grouped_frame(n_groups: int = 12, per_group: int = 5, seed: int = 0) -> pd.DataFrame:
    """Rows in groups (patients), interleaved in the file, with a binary target."""
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"p{g:02d}" for g in range(n_groups)], per_group)
    order = rng.permutation(len(groups))
    frame = classification_frame(len(groups), seed=seed)
    frame["patient"] = pd.Series(groups[order], dtype="str")
    return frame


def timed_frame(n: int = 48, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Daily rows with dates as text, given in shuffled file order; also the true dates."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=n, freq="D")
    order = rng.permutation(n)
    x = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "x1": x[order],
            "x2": rng.normal(size=n),
            "day": pd.Series(dates[order].strftime("%Y-%m-%d"), dtype="str"),
            "y": (3 * x + np.arange(n) * 0.1)[order],
        }
    )
    return frame, pd.Series(dates[order])


def plan_for(frame: pd.DataFrame, **recipe):
    """``plan_run`` on an in-memory frame with a fast model (target ``y``)."""
    numeric = pd.api.types.is_float_dtype(frame["y"])
    models = {"linear_regression": {}} if numeric else {"logistic_regression": {}}
    mapping = {"target": "y", "n_jobs": 1, "models": models, **recipe}
    r, dataset = make_dataset(frame, mapping)
    return plan_run(r, dataset)


def assert_partition(splits, n: int, repeats: int = 1) -> None:
    """Each run of ``len(splits) / repeats`` splits tests every row exactly once."""
    per_repeat = len(splits) // repeats
    for r in range(repeats):
        tests = [test for _, test in splits[r * per_repeat : (r + 1) * per_repeat]]
        together = np.concatenate(tests)
        assert len(together) == n
        assert np.array_equal(np.sort(together), np.arange(n))
    for train, test in splits:
        assert not set(train) & set(test)
        assert len(train) + len(test) == n


def write_csv(path, frame: pd.DataFrame):
    frame.to_csv(path, index=False)
    return path


def fit_error(tmp_path, frame: pd.DataFrame, recipe_text: str):
    """``mlwb fit`` on a small CSV; the result and its one ``error:`` line."""
    data = write_csv(tmp_path / "data.csv", frame)
    recipe = write_recipe(tmp_path / "r.yaml", recipe_text + "\n" + NO_DIAGNOSTICS_YAML)
    result = run_cli("fit", recipe, data, "--out", tmp_path / "run", "--quiet")
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run" / "metrics.json").exists()
    return result, lines[0]


# --------------------------------------------------------------------------- k-fold


def test_kfold_tests_every_row_exactly_once():
    plan = plan_for(regression_frame(43), validation={"outer": {"method": "kfold", "folds": 5}})
    assert plan.outer.method == "kfold"
    assert len(plan.splits) == plan.outer.n_splits == 5
    assert_partition(plan.splits, 43)
    sizes = sorted(len(test) for _, test in plan.splits)
    assert sizes == [8, 8, 9, 9, 9]


def test_stratified_kfold_keeps_the_class_ratio_in_every_fold():
    counts = {"a": 37, "b": 14, "c": 9}
    frame = classification_frame(counts=counts)
    plan = plan_for(frame, validation={"outer": {"method": "stratified_kfold", "folds": 4}})
    assert plan.outer.method == "stratified_kfold"
    y = plan.dataset.y
    assert_partition(plan.splits, len(y))
    classes = plan.dataset.target.classes
    for _, test in plan.splits:
        for code, label in enumerate(classes):
            expected = counts[label] / 4
            assert abs(np.sum(y[test] == code) - expected) <= 1, (label, expected)


def test_auto_is_stratified_for_classification_and_kfold_for_regression():
    assert plan_for(classification_frame()).outer.method == "stratified_kfold"
    assert plan_for(regression_frame()).outer.method == "kfold"


def test_kfold_without_shuffle_is_in_file_order():
    plan = plan_for(
        regression_frame(20),
        validation={"outer": {"method": "kfold", "folds": 4, "shuffle": False}},
    )
    assert "in file order" in plan.outer.description
    for i, (_, test) in enumerate(plan.splits):
        assert np.array_equal(test, np.arange(5 * i, 5 * i + 5))
    # The same recipe splits the same way every time.
    again = plan_for(
        regression_frame(20),
        validation={"outer": {"method": "kfold", "folds": 4, "shuffle": False}},
    )
    for (_, a), (_, b) in zip(plan.splits, again.splits, strict=True):
        assert np.array_equal(a, b)


def test_stratified_kfold_without_shuffle_keeps_file_order_within_each_class():
    frame = classification_frame(counts={"a": 12, "b": 8})
    plan = plan_for(
        frame, validation={"outer": {"method": "stratified_kfold", "folds": 4, "shuffle": False}}
    )
    y = plan.dataset.y
    for code in (0, 1):
        rows = np.flatnonzero(y == code)
        per_fold = len(rows) // 4
        for i, (_, test) in enumerate(plan.splits):
            tested = test[y[test] == code]
            assert np.array_equal(tested, rows[i * per_fold : (i + 1) * per_fold])


def test_shuffled_kfold_is_not_file_order_and_depends_on_the_seed():
    spec = Splitter(method="kfold", folds=4)
    y = np.zeros(40)
    first = [test for _, test in make_splitter(spec, "regression", 0, "k").split(None, y)]
    other = [test for _, test in make_splitter(spec, "regression", 7, "k").split(None, y)]
    assert not np.array_equal(first[0], np.arange(10))
    assert any(not np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert "shuffled (seed 0)" in make_splitter(spec, "regression", 0, "k").description


# --------------------------------------------------------------------------- repeated


@pytest.mark.parametrize(
    ("method", "frame"),
    [
        ("repeated_kfold", regression_frame(30)),
        ("repeated_stratified_kfold", classification_frame(counts={"a": 18, "b": 12})),
    ],
)
def test_repeated_kfold_gives_folds_times_repeats_each_covering_every_row(method, frame):
    plan = plan_for(frame, validation={"outer": {"method": method, "folds": 4, "repeats": 3}})
    assert plan.outer.method == method
    assert len(plan.splits) == plan.outer.n_splits == 12
    assert "repeated 3×" in plan.outer.description
    assert_partition(plan.splits, 30, repeats=3)
    # The repeats shuffle differently.
    firsts = [tuple(np.sort(plan.splits[r * 4][1])) for r in range(3)]
    assert len(set(firsts)) == 3


def test_repeated_stratified_kfold_keeps_the_class_ratio():
    frame = classification_frame(counts={"a": 36, "b": 12})
    plan = plan_for(
        frame,
        validation={"outer": {"method": "repeated_stratified_kfold", "folds": 4, "repeats": 3}},
    )
    y = plan.dataset.y
    for _, test in plan.splits:
        assert np.sum(y[test] == 0) == 9
        assert np.sum(y[test] == 1) == 3


def test_repeated_stratified_kfold_needs_only_folds_rows_per_class():
    frame = classification_frame(counts={"a": 30, "b": 10})
    plan = plan_for(
        frame,
        validation={"outer": {"method": "repeated_stratified_kfold", "folds": 5, "repeats": 3}},
    )
    assert len(plan.splits) == 15
    assert_partition(plan.splits, 40, repeats=3)


# --------------------------------------------------------------------------- groups


@pytest.mark.parametrize("method", ["group_kfold", "stratified_group_kfold"])
def test_groups_never_straddle_train_and_test(method):
    frame = grouped_frame()
    plan = plan_for(
        frame, columns={"group": "patient"}, validation={"outer": {"method": method, "folds": 4}}
    )
    assert plan.outer.method == method
    patients = plan.dataset.frame["patient"].to_numpy()
    assert_partition(plan.splits, len(frame))
    for train, test in plan.splits:
        assert not set(patients[train]) & set(patients[test])
    # Every group is tested exactly once.
    tested = [p for _, test in plan.splits for p in set(patients[test])]
    assert sorted(tested) == sorted(set(patients))


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (grouped_frame(), "stratified_group_kfold"),
        (
            grouped_frame().assign(y=np.random.default_rng(1).normal(size=60)),
            "group_kfold",
        ),
    ],
    ids=["classification", "regression"],
)
def test_auto_with_a_group_column_picks_a_grouped_splitter(frame, expected):
    plan = plan_for(frame, columns={"group": "patient"}, validation={"outer": {"folds": 3}})
    assert plan.outer.method == expected
    patients = plan.dataset.frame["patient"].to_numpy()
    for train, test in plan.splits:
        assert not set(patients[train]) & set(patients[test])


def test_group_column_is_not_a_feature():
    plan = plan_for(grouped_frame(), columns={"group": "patient"})
    roles = {c.name: c for c in plan.dataset.roles.columns}
    assert roles["patient"].role == "dropped"
    assert roles["patient"].reason == "used for splitting, not as a feature"
    assert "patient" not in plan.dataset.roles.features
    assert "patient" not in plan.dataset.X.columns
    assert "column 'patient' dropped: used for splitting, not as a feature" in (
        plan.dataset.notices
    )


def test_inner_splits_of_a_grouped_run_keep_groups_together():
    frame = grouped_frame(n_groups=16)
    plan = plan_for(
        frame,
        columns={"group": "patient"},
        validation={"outer": {"folds": 4}, "inner": {"folds": 3}},
        search={"strategy": "random", "trials": 2},
    )
    assert plan.inner is not None and plan.inner.method == "stratified_group_kfold"
    patients = plan.dataset.frame["patient"].to_numpy()
    for train, _ in plan.splits:
        inner = plan.inner.split(
            plan.dataset.X.iloc[train], plan.dataset.y[train], plan.split_data.subset(train)
        )
        for inner_train, inner_test in inner:
            assert not set(patients[train][inner_train]) & set(patients[train][inner_test])


def test_split_data_factorizes_groups_in_time_order():
    frame = pd.DataFrame(
        {
            "g": pd.Series(["x", "y", "x", "z"], dtype="str"),
            "t": [3, 1, 2, 0],
        }
    )
    data, order = split_data(frame, "g", "t", "data.csv")
    assert np.array_equal(order, [3, 1, 2, 0])
    assert data.ordered
    # Labels follow the sorted rows: z, y, x, x.
    assert data.groups[2] == data.groups[3]
    assert len({data.groups[0], data.groups[1], data.groups[2]}) == 3


# --------------------------------------------------------------------------- time


def time_plan(frame, **validation):
    return plan_for(
        frame,
        columns={"time": "day"},
        validation={"outer": {"folds": 4, "gap": 2, **validation}},
    )


def test_time_series_orders_by_time_and_trains_on_the_past_with_a_gap():
    frame, _ = timed_frame()
    plan = time_plan(frame, method="time_series")
    assert plan.outer.method == "time_series"
    assert "gap 2" in plan.outer.description
    # The dataset is now in time order; the index still names the file rows.
    ordered = pd.to_datetime(plan.dataset.frame["day"]).to_numpy()
    assert np.all(np.diff(ordered) > np.timedelta64(0))
    assert np.array_equal(
        plan.dataset.X["x1"].to_numpy(), frame["x1"].to_numpy()[plan.dataset.X.index]
    )
    assert np.array_equal(plan.dataset.y, frame["y"].to_numpy()[plan.dataset.X.index])
    assert len(plan.splits) == 4
    for train, test in plan.splits:
        assert ordered[train].max() < ordered[test].min()
        # Exactly `gap` rows between the last training row and the first test row.
        assert test.min() - train.max() - 1 == 2
        between = ordered[train.max() + 1 : test.min()]
        assert len(between) == 2
        assert np.all(np.diff(test) == 1)
    # Test windows follow one another to the end of the data.
    assert plan.splits[-1][1].max() == len(frame) - 1


def test_auto_with_a_time_column_picks_time_series():
    frame, _ = timed_frame()
    plan = time_plan(frame)
    assert plan.outer.method == "time_series"
    cls = frame.assign(y=pd.Series(np.where(frame["y"] > 0, "up", "down"), dtype="str"))
    assert time_plan(cls).outer.method == "time_series"


def test_time_column_is_not_a_feature_and_numbers_order_too():
    frame, _ = timed_frame(30)
    frame["step"] = pd.to_datetime(frame["day"]).dt.day_of_year.astype(float)
    frame = frame.drop(columns="day")
    plan = plan_for(frame, columns={"time": "step"}, validation={"outer": {"folds": 3}})
    assert plan.outer.method == "time_series"
    assert "step" not in plan.dataset.X.columns
    assert np.all(np.diff(plan.dataset.frame["step"].to_numpy()) > 0)
    role = next(c for c in plan.dataset.roles.columns if c.name == "step")
    assert role.reason == "used for splitting, not as a feature"


# --------------------------------------------------------------------------- LOO, holdout


def test_leave_one_out_tests_each_row_alone():
    plan = plan_for(regression_frame(12), validation={"outer": {"method": "leave_one_out"}})
    assert plan.outer.method == "leave_one_out"
    assert len(plan.splits) == plan.outer.n_splits == 12
    for i, (train, test) in enumerate(plan.splits):
        assert np.array_equal(test, [i])
        assert len(train) == 11
    assert_partition(plan.splits, 12)


def test_leave_one_out_works_for_classification():
    frame = classification_frame(counts={"a": 10, "b": 10})
    plan = plan_for(frame, validation={"outer": {"method": "leave_one_out"}})
    assert len(plan.splits) == 20
    assert all(len(test) == 1 for _, test in plan.splits)


def test_leave_one_out_is_refused_on_more_than_500_rows(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=600), "y": rng.normal(size=600)})
    result, line = fit_error(
        tmp_path,
        frame,
        "target: y\nn_jobs: 1\nmodels: {linear_regression: {}}\n"
        "validation: {outer: {method: leave_one_out}}\n",
    )
    assert result.exit_code == ExitCode.USAGE
    assert "validation.outer.method: leave_one_out on 600 rows" in line
    assert "500" in line


def test_holdout_as_outer_method_is_one_split_of_the_right_size():
    plan = plan_for(
        classification_frame(counts={"a": 60, "b": 20}),
        validation={"outer": {"method": "holdout", "test_size": 0.25}},
    )
    assert plan.outer.method == "holdout"
    assert plan.outer.description == "holdout of 25%"
    assert len(plan.splits) == 1
    train, test = plan.splits[0]
    assert len(test) == 20 and len(train) == 60
    assert not set(train) & set(test)
    # Stratified: a quarter of each class.
    assert np.sum(plan.dataset.y[test] == 0) == 15


def test_holdout_as_outer_method_with_groups_keeps_groups_whole():
    plan = plan_for(
        grouped_frame(n_groups=20),
        columns={"group": "patient"},
        validation={"outer": {"method": "holdout", "test_size": 0.25}},
    )
    train, test = plan.splits[0]
    patients = plan.dataset.frame["patient"].to_numpy()
    assert not set(patients[train]) & set(patients[test])
    assert len(set(patients[test])) == 5


def test_top_level_holdout_is_kept_out_of_every_fold():
    frame = classification_frame(counts={"a": 70, "b": 30})
    plan = plan_for(frame, validation={"holdout": 0.2, "outer": {"folds": 4}})
    assert plan.holdout is not None
    kept = set(plan.holdout.X.index)
    develop = list(plan.dataset.X.index)
    assert len(kept) == 20
    assert plan.dataset.n_rows == 80
    assert not kept & set(develop)
    assert kept | set(develop) == set(range(100))
    # Folds index the development rows only, and test every one once.
    assert_partition(plan.splits, 80)
    for train, test in plan.splits:
        rows = set(plan.dataset.X.index[train]) | set(plan.dataset.X.index[test])
        assert not rows & kept
    # Stratified: a fifth of each class.
    assert np.sum(plan.holdout.y == 0) == 14


def test_top_level_holdout_of_time_ordered_data_is_the_latest_rows():
    frame, dates = timed_frame(50)
    plan = plan_for(
        frame,
        columns={"time": "day"},
        validation={"holdout": 0.2, "outer": {"folds": 3, "gap": 1}},
    )
    held = pd.to_datetime(plan.holdout.frame["day"])
    develop = pd.to_datetime(plan.dataset.frame["day"])
    assert len(held) == 10 and len(develop) == 40
    assert develop.max() < held.min()
    assert set(held) == set(dates.sort_values().iloc[-10:])
    assert plan.split_data.ordered
    for train, test in plan.splits:
        assert test.max() < 40
        assert develop.iloc[train].max() < develop.iloc[test].min()


def test_top_level_holdout_of_grouped_data_keeps_groups_whole():
    frame = grouped_frame(n_groups=20)
    plan = plan_for(frame, columns={"group": "patient"}, validation={"holdout": 0.2})
    held = set(plan.holdout.frame["patient"])
    develop = set(plan.dataset.frame["patient"])
    assert not held & develop
    assert len(held) == 4
    patients = plan.dataset.frame["patient"].to_numpy()
    for train, test in plan.splits:
        assert not set(patients[train]) & set(patients[test])


def test_fit_with_holdout_scores_the_kept_back_rows_once(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        "target: default\nn_jobs: 1\nmodels: {logistic_regression: {}}\n"
        "validation: {holdout: 0.2, outer: {folds: 3}}\n",
    )
    out = tmp_path / "run"
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "holdout (400 rows kept back, scored once)" in result.stdout

    holdout = pd.read_csv(out / "holdout_predictions.csv")
    oof = pd.read_csv(out / "oof_predictions.csv")
    assert len(holdout) == 400
    assert holdout["row"].is_unique
    assert set(holdout["row"]).isdisjoint(set(oof["row"]))
    assert set(holdout["row"]) | set(oof["row"]) == set(range(1, 2001))
    assert {"target", "prediction"} <= set(holdout.columns)
    assert oof.groupby("model")["row"].nunique().eq(1600).all()

    document = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert document["dataset"]["holdout_rows"] == 400
    assert isinstance(document["holdout"], dict)
    assert set(document["holdout"]) == set(document["metrics"])
    assert all(isinstance(v, float) for v in document["holdout"].values())


# --------------------------------------------------------------------------- errors

SMALL = "n_jobs: 1\nmodels: {logistic_regression: {}}\n"
SMALL_REGRESSION = "n_jobs: 1\nmodels: {linear_regression: {}}\n"


@pytest.mark.parametrize(
    ("key", "name", "nearest"), [("group", "patiant", "patient"), ("time", "days", "day")]
)
def test_missing_group_or_time_column_is_a_data_error(tmp_path, key, name, nearest):
    frame, _ = timed_frame(30)
    frame["patient"] = pd.Series([f"p{i % 6}" for i in range(30)], dtype="str")
    result, line = fit_error(
        tmp_path,
        frame,
        f"target: y\n{SMALL_REGRESSION}columns: {{{key}: {name}}}\n",
    )
    assert result.exit_code == ExitCode.DATA
    assert f"columns.{key}: no column '{name}'" in line
    assert f"did you mean {nearest}?" in line


@pytest.mark.parametrize("key", ["group", "time"])
def test_missing_values_in_group_or_time_column_is_a_data_error(tmp_path, key):
    frame, _ = timed_frame(30)
    frame["patient"] = pd.Series([f"p{i % 6}" for i in range(30)], dtype="str")
    column = "patient" if key == "group" else "day"
    frame.loc[[3, 7], column] = None
    result, line = fit_error(
        tmp_path,
        frame,
        f"target: y\n{SMALL_REGRESSION}columns: {{{key}: {column}}}\n",
    )
    assert result.exit_code == ExitCode.DATA
    assert f"columns.{key}: column '{column}' has 2 missing values" in line


def test_time_value_that_is_not_a_date_is_a_data_error(tmp_path):
    frame, _ = timed_frame(30)
    frame.loc[5, "day"] = "soon"
    result, line = fit_error(
        tmp_path, frame, f"target: y\n{SMALL_REGRESSION}columns: {{time: day}}\n"
    )
    assert result.exit_code == ExitCode.DATA
    assert "columns.time: 'day' has a value that is not a date or a number ('soon')" in line


@pytest.mark.parametrize(
    ("validation", "task_target", "expected"),
    [
        (
            "{outer: {method: group_kfold}}",
            "cls",
            "validation.outer.method: group_kfold needs columns.group",
        ),
        (
            "{outer: {method: stratified_group_kfold}}",
            "cls",
            "validation.outer.method: stratified_group_kfold needs columns.group",
        ),
        (
            "{outer: {method: time_series}}",
            "cls",
            "validation.outer.method: time_series needs columns.time",
        ),
        (
            "{outer: {method: stratified_kfold}}",
            "reg",
            "validation.outer.method: stratified_kfold needs classes; the task is regression",
        ),
    ],
    ids=["group_kfold", "stratified_group_kfold", "time_series", "stratified_regression"],
)
def test_splitter_without_what_it_needs_is_a_recipe_error(
    tmp_path, validation, task_target, expected
):
    frame = classification_frame(40) if task_target == "cls" else regression_frame(40)
    model = "logistic_regression" if task_target == "cls" else "linear_regression"
    result, line = fit_error(
        tmp_path,
        frame,
        f"target: y\nn_jobs: 1\nmodels: {{{model}: {{}}}}\nvalidation: {validation}\n",
    )
    assert result.exit_code == ExitCode.USAGE
    assert expected in line


def test_inner_splitter_needs_columns_too(tmp_path):
    result, line = fit_error(
        tmp_path,
        classification_frame(40),
        f"target: y\n{SMALL}search: {{strategy: random, trials: 2}}\n"
        "validation: {outer: {folds: 2}, inner: {method: group_kfold}}\n",
    )
    assert result.exit_code == ExitCode.USAGE
    assert "validation.inner.method: group_kfold needs columns.group" in line


def test_rare_class_in_an_outer_training_fold_is_a_data_error(tmp_path):
    frame = classification_frame(counts={"common": 30, "other": 24, "rare": 6})
    result, line = fit_error(
        tmp_path,
        frame,
        f"target: y\n{SMALL}search: {{strategy: random, trials: 2}}\n"
        "validation: {outer: {folds: 2}, inner: {folds: 5}}\n",
    )
    assert result.exit_code == ExitCode.DATA
    assert "an outer training fold" in line
    assert "class 'rare' has 3 rows, fewer than the 5 folds of validation.inner" in line
    assert "validation.inner.folds: 3" in line


def test_rare_class_for_the_outer_folds_is_a_data_error(tmp_path):
    frame = classification_frame(counts={"common": 30, "rare": 3})
    result, line = fit_error(
        tmp_path, frame, f"target: y\n{SMALL}validation: {{outer: {{folds: 5}}}}\n"
    )
    assert result.exit_code == ExitCode.DATA
    assert "class 'rare' has 3 rows, fewer than the 5 folds of validation.outer" in line


def test_class_count_hint_does_not_suggest_the_refused_setting(tmp_path):
    frame = classification_frame(counts={"a": 15, "b": 14, "c": 1})
    result, line = fit_error(
        tmp_path, frame, f"target: y\n{SMALL}validation: {{outer: {{folds: 2}}}}\n"
    )
    assert result.exit_code == ExitCode.DATA
    assert "class 'c' has 1 rows, fewer than the 2 folds of validation.outer" in line
    assert "validation.outer.folds: 2 or fewer" not in line


SKLEARN_REFUSALS = {
    "more_folds_than_groups": (
        "regression",
        "columns: {group: g}\nvalidation: {outer: {method: group_kfold, folds: 5}}\n",
    ),
    "time_series_too_many_splits_for_gap": (
        "regression",
        "columns: {time: t}\nvalidation: {outer: {folds: 5, gap: 5}}\n",
    ),
    "more_folds_than_rows": ("regression", "validation: {outer: {method: kfold, folds: 20}}\n"),
    "grouped_holdout_leaves_too_few_groups": (
        "regression",
        "columns: {group: g}\nvalidation: {holdout: 0.2}\n",
    ),
    "stratified_holdout_with_a_one_row_class": (
        "binary",
        "validation: {holdout: 0.2, outer: {folds: 2}}\n",
    ),
    "outer_holdout_with_a_one_row_class": (
        "binary",
        "validation: {outer: {method: holdout}}\n",
    ),
}


@pytest.mark.parametrize("case", list(SKLEARN_REFUSALS))
def test_impossible_split_is_a_user_error_not_an_internal_error(tmp_path, case):
    task, extra = SKLEARN_REFUSALS[case]
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=12),
            "g": pd.Series([f"g{i % 3}" for i in range(12)], dtype="str"),
            "t": np.arange(12),
            "y": rng.normal(size=12),
        }
    )
    model = "linear_regression"
    if task == "binary":
        frame = frame.drop(columns=["g", "t"])
        frame["y"] = pd.Series(["a"] * 6 + ["b"] * 5 + ["c"], dtype="str")
        model = "logistic_regression"
    result, line = fit_error(
        tmp_path, frame, f"target: y\nn_jobs: 1\nmodels: {{{model}: {{}}}}\n{extra}"
    )
    assert "internal error" not in line
    assert result.exit_code in (ExitCode.USAGE, ExitCode.DATA)
    assert "validation." in line


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("{strategy: random, trials: 0}", "search.trials"),
        ("{strategy: random, timeout: -1}", "search.timeout"),
    ],
)
def test_invalid_search_budget_is_a_recipe_error(tmp_path, setting, key):
    result, line = fit_error(
        tmp_path, classification_frame(40), f"target: y\n{SMALL}search: {setting}\n"
    )
    assert result.exit_code == ExitCode.USAGE
    assert key in line


def test_split_data_needs_nothing_without_group_or_time():
    frame = classification_frame(10)
    data, order = split_data(frame, None, None, "data.csv")
    assert data == SplitData() and order is None
