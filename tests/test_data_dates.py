"""Date columns (mlwb/data/dates.py and the datetime role): which text is a date, the
numeric parts a model gets, and the errors and notices a user sees."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import NO_DIAGNOSTICS_YAML, make_dataset, run_cli, write_recipe

from mlwb.data.contract import DataContract
from mlwb.data.dates import DATE_PARTS, date_features, parse_dates, parts_of
from mlwb.data.roles import infer_role
from mlwb.errors import DataError, RecipeError
from mlwb.pipeline.transformers import FrameCaster


def test_iso_dates_and_times_are_read_and_nothing_ambiguous_is():
    text = pd.Series(
        [
            "2016-07-02",
            "2016-7-2",
            "2016/07/02",
            " 2016-07-02 14:30 ",
            "2016-07-02T14:30:05.5Z",
            "2016-07-02T16:30+02:00",  # converted to UTC
            "07/02/2016",  # July 2 or February 7: not read
            "2016",  # a year alone is a number, not a date
            "2016-02-30",  # no such day
            "soon",
            None,
        ]
    )
    parsed = parse_dates(text)
    day = pd.Timestamp("2016-07-02")
    assert parsed[:3].tolist() == [day] * 3
    assert parsed[3] == pd.Timestamp("2016-07-02 14:30")
    assert parsed[4] == pd.Timestamp("2016-07-02 14:30:05.5")
    assert parsed[5] == pd.Timestamp("2016-07-02 14:30")
    assert parsed[6:].isna().all()


def test_the_parts_of_a_date_are_exact_and_the_hour_comes_with_times():
    dates = pd.Series(["1970-01-02", "2024-12-31", None], name="d")
    assert parts_of(dates) == DATE_PARTS
    parts = pd.DataFrame(date_features(dates, parts_of(dates)))
    assert parts.columns.tolist() == [f"d_{p}" for p in DATE_PARTS]
    assert parts.iloc[0].tolist() == [1.0, 1970, 1, 2, 4, 2]  # a Friday
    assert parts.iloc[1].tolist() == [20088.0, 2024, 12, 31, 1, 366]  # a Tuesday, leap year
    assert parts.iloc[2].isna().all()
    timed = pd.Series(["2024-01-01 06:45", "2024-01-01"], name="t")
    assert parts_of(timed) == (*DATE_PARTS, "hour")
    hours = date_features(timed, parts_of(timed))
    assert hours["t_hour"].tolist() == [6.75, 0.0]
    assert hours["t_days"][0] == pytest.approx(19723 + 6.75 / 24)


@pytest.mark.parametrize(
    ("values", "role"),
    [
        (["2016-07-02", "2016-07-03", "2016-08-01"] * 10, "datetime"),
        (["2016-07-02 10:00", "2016-07-03 11:30", "x"] * 5 + ["2016-01-01"] * 15, "datetime"),
        (["2016-07-02", "2016-07-03", "n/a", "n/a"] * 10, "categorical"),  # half are not
        (["07/02/2016", "07/03/2016", "08/01/2016"] * 10, "categorical"),
        ([f"2016-01-01 00:{m:02d}:{s:02d}" for m in range(10) for s in range(10)], "datetime"),
        # more distinct values than the sample of levels looked at first
        (list(pd.date_range("2000-01-01", periods=3000).strftime("%Y-%m-%d")) * 2, "datetime"),
        ([f"code-{i}" for i in range(2700)] * 2 + ["2001-01-01"] * 300, "categorical"),
    ],
)
def test_a_text_column_of_dates_is_inferred_as_datetime(values, role):
    assert infer_role(pd.Series(values, name="c"))[0] == role


def _frame(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Prices that depend on the weekday and the season of a date: no other column
    knows either."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    weekend = (days.day_of_week >= 5).astype(float)
    season = np.sin(days.day_of_year.to_numpy() / 365.25 * 2 * np.pi)
    price = 100 + 30 * weekend + 10 * season + rng.normal(0, 2, n)
    return pd.DataFrame(
        {"stay": days.strftime("%Y-%m-%d"), "noise": rng.normal(size=n), "price": price}
    )


def test_a_date_column_s_roles_parts_and_contract():
    frame = _frame()
    frame.loc[3, "stay"] = "unknown"
    _, dataset = make_dataset(frame, {"target": "price"})
    roles = dataset.roles
    assert roles.datetime == ("stay",) and roles.numeric == ("noise",)
    assert roles.numeric_features == ("noise", *(f"stay_{p}" for p in DATE_PARTS))
    assert any("'stay': 1 values that are not dates ('unknown')" in n for n in dataset.notices)
    assert any("line 5" in n for n in dataset.notices)
    contract = DataContract.from_dict(json.loads(json.dumps(dataset.contract().to_dict())))
    assert contract.names_of("datetime") == ["stay"]
    prepared, notices = contract.prepare(frame.drop(columns=["price"]), "new.csv")
    assert prepared["stay"].iloc[0] == frame["stay"].iloc[0]
    assert any("new.csv: column 'stay'" in n for n in notices)


def test_the_recipe_decides_over_inference():
    frame = _frame()
    _, as_levels = make_dataset(frame, {"target": "price", "columns": {"categorical": ["stay"]}})
    assert as_levels.roles.categorical == ("stay",) and not as_levels.roles.datetime
    frame["when"] = frame["stay"].where(np.arange(len(frame)) % 3 > 0, "later")  # 2/3 dates
    _, listed = make_dataset(frame, {"target": "price", "columns": {"datetime": ["when"]}})
    assert listed.roles.datetime == ("stay", "when")
    frame["when"] = "sometime"
    with pytest.raises(DataError, match=r"column 'when' must hold dates.*line 2 has 'sometime'"):
        make_dataset(frame, {"target": "price", "columns": {"datetime": ["when"]}})


def test_a_part_named_like_an_existing_column_is_refused():
    frame = _frame()
    frame["stay_year"] = 1.0
    with pytest.raises(DataError, match="part 'year' would be named 'stay_year'"):
        make_dataset(frame, {"target": "price"})


def test_recipe_keys_that_do_not_apply_to_a_date_column_are_refused(tmp_path):
    from mlwb.plan import plan_run

    frame = _frame()
    recipe, dataset = make_dataset(
        frame,
        {
            "target": "price",
            "models": {"ridge": {}},
            "preprocess": {"columns": {"stay": {"impute": "most_frequent"}}},
        },
    )
    with pytest.raises(RecipeError, match=r"preprocess\.columns\.stay: 'stay' is a date column"):
        plan_run(recipe, dataset)
    with pytest.raises(RecipeError, match=r"also listed in columns\.categorical"):
        make_dataset(
            frame, {"target": "price", "columns": {"datetime": ["stay"], "categorical": ["stay"]}}
        )


def test_the_first_step_turns_dates_into_parts_row_by_row():
    """Nothing is learned: a row's parts are the same alone as among others."""
    frame = _frame(50)
    caster = FrameCaster(("noise",), (), {"stay": DATE_PARTS}).fit(frame)
    whole = caster.transform(frame)
    assert whole.columns.tolist() == caster.get_feature_names_out().tolist()
    assert whole.columns.tolist() == ["noise", *(f"stay_{p}" for p in DATE_PARTS)]
    alone = pd.concat([caster.transform(frame.iloc[[i]]) for i in range(len(frame))])
    pd.testing.assert_frame_equal(whole, alone)
    assert (whole.dtypes == "float64").all()


def _fit(tmp_path, frame: pd.DataFrame, columns: str, name: str) -> dict:
    data = tmp_path / f"{name}.csv"
    frame.to_csv(data, index=False)
    recipe = write_recipe(
        tmp_path / f"{name}.yaml",
        "target: price\n"
        f"columns: {columns}\n"
        "models: {lightgbm: {n_estimators: 100, min_child_samples: 5}, ridge: {}}\n"
        "n_jobs: 1\n" + NO_DIAGNOSTICS_YAML,
    )
    result = run_cli("fit", recipe, data, "--out", tmp_path / name, "-q")
    assert result.exit_code == 0, result.stderr
    return json.loads((tmp_path / name / "metrics.json").read_text())


def test_a_fitted_model_learns_from_the_parts_and_predicts_from_a_raw_file(tmp_path):
    frame = _frame(400)
    dated = _fit(tmp_path, frame, "{}", "dated")
    without = _fit(tmp_path, frame, "{drop: [stay]}", "without")
    rmse = {d["best_model"]: d["models"][d["best_model"]]["summary"]["rmse"]["mean"]
            for d in (dated, without)}  # fmt: skip
    assert dated["best_model"] == "lightgbm"
    # the weekday and the season explain 30 and 10 of the price: the parts must carry them
    assert dated["models"]["lightgbm"]["summary"]["rmse"]["mean"] < 0.3 * min(
        without["models"][m]["summary"]["rmse"]["mean"] for m in ("lightgbm", "ridge")
    ), rmse
    new = frame.drop(columns=["price"]).head(5)
    new.loc[new.index[0], "stay"] = "not a date"
    data = tmp_path / "new.csv"
    new.to_csv(data, index=False)
    predicted = run_cli("predict", tmp_path / "dated", data)
    assert predicted.exit_code == 0, predicted.stderr
    assert len(predicted.stdout.splitlines()) == 6
    assert "column 'stay': 1 values that are not dates ('not a date')" in predicted.stderr
