"""Canonical column types: level strings for categorical columns, float64 for numeric ones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlwb.data.casting import as_category_strings, as_numeric, cast_features, parse_numbers
from mlwb.data.reading import read_table
from mlwb.errors import DataError


def read_frame(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return read_table(path).frame


def is_missing(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def is_text_dtype(series) -> bool:
    return isinstance(series.dtype, pd.StringDtype)


# --- as_category_strings -------------------------------------------------------------------


def test_booleans_become_true_false_strings(tmp_path):
    frame = read_frame(tmp_path, "b,x\nTrue,1\nFalse,2\nTrue,3\n")
    assert frame["b"].dtype == bool
    levels = as_category_strings(frame["b"])
    assert levels.tolist() == ["True", "False", "True"]
    assert is_text_dtype(levels)


def test_booleans_with_a_missing_value_become_strings_and_nan(tmp_path):
    frame = read_frame(tmp_path, "b,x\nTrue,1\n,2\nFalse,3\n")
    levels = as_category_strings(frame["b"]).tolist()
    assert levels[0] == "True"
    assert is_missing(levels[1])
    assert levels[2] == "False"


def test_integers_become_plain_digit_strings(tmp_path):
    frame = read_frame(tmp_path, "n,x\n1,a\n-2,b\n30,c\n")
    levels = as_category_strings(frame["n"])
    assert levels.tolist() == ["1", "-2", "30"]
    assert is_text_dtype(levels)
    assert levels.name == "n"


def test_whole_floats_with_nan_give_the_same_levels_as_integers(tmp_path):
    as_ints = read_frame(tmp_path, "n,x\n1,a\n2,b\n2,c\n")["n"]
    as_floats = read_frame(tmp_path, "n,x\n1.0,a\n,b\n2,c\n")["n"]
    assert as_floats.dtype == "float64"
    ints = as_category_strings(as_ints).tolist()
    floats = as_category_strings(as_floats).tolist()
    assert ints == ["1", "2", "2"]
    assert floats[0] == "1"
    assert is_missing(floats[1])
    assert floats[2] == "2"


def test_fractional_floats_keep_their_decimals():
    levels = as_category_strings(pd.Series([2.5, np.nan, -0.125, 3.0]))
    values = levels.tolist()
    assert values[0] == "2.5"
    assert is_missing(values[1])
    assert values[2:] == ["-0.125", "3"]


def test_text_is_stripped_and_blank_becomes_missing():
    column = pd.Series(["  red ", "   ", "blue", None, "dark  blue "], dtype="str")
    values = as_category_strings(column).tolist()
    assert values[0] == "red"
    assert is_missing(values[1])
    assert values[2] == "blue"
    assert is_missing(values[3])
    assert values[4] == "dark  blue"


def test_object_column_of_mixed_values_is_canonical():
    column = pd.Series([1, 2.0, " x ", True, None, np.int64(3), ""], dtype=object)
    values = as_category_strings(column).tolist()
    assert values[:4] == ["1", "2", "x", "True"]
    assert is_missing(values[4])
    assert values[5] == "3"
    assert is_missing(values[6])


def test_index_is_kept():
    column = pd.Series([1.0, 2.0], index=[10, 20])
    assert as_category_strings(column).index.tolist() == [10, 20]


def test_large_integers_keep_their_exact_digits():
    column = pd.Series([2**53 + 1, 2**53], dtype="int64")
    assert as_category_strings(column).tolist() == ["9007199254740993", "9007199254740992"]


# --- as_numeric ----------------------------------------------------------------------------


def test_integers_become_float64_without_notice(tmp_path):
    column = read_frame(tmp_path, "n,x\n1,a\n2,b\n")["n"]
    values, notices = as_numeric(column, "data.csv")
    assert values.dtype == "float64"
    assert values.tolist() == [1.0, 2.0]
    assert notices == []


def test_booleans_become_zero_one():
    values, notices = as_numeric(pd.Series([True, False, True]), "data.csv")
    assert values.tolist() == [1.0, 0.0, 1.0]
    assert notices == []


def test_text_of_numbers_is_parsed(tmp_path):
    column = pd.Series(["1.5", "2", None, "-3e2"], dtype="str", name="v")
    values, notices = as_numeric(column, "data.csv")
    parsed = values.tolist()
    assert parsed[0] == 1.5
    assert parsed[1] == 2.0
    assert is_missing(parsed[2])
    assert parsed[3] == -300.0
    assert notices == []


def test_a_few_stray_tokens_become_missing_with_a_notice(tmp_path):
    rows = [f"{i},{i * 0.5}" for i in range(19)] + ["19,oops"]
    column = read_frame(tmp_path, "k,v\n" + "\n".join(rows) + "\n")["v"]
    values, notices = as_numeric(column, "data.csv")
    assert values.dtype == "float64"
    assert values.tolist()[:3] == [0.0, 0.5, 1.0]
    assert is_missing(values.tolist()[19])
    assert len(notices) == 1
    notice = notices[0]
    assert "data.csv" in notice
    assert "column 'v'" in notice
    assert "1 values that are not numbers ('oops')" in notice
    assert "read as missing" in notice


def test_mostly_text_is_a_data_error_naming_column_line_and_value(tmp_path):
    column = read_frame(tmp_path, "k,price\n1,10\n2,cheap\n3,dear\n4,12\n")["price"]
    with pytest.raises(DataError) as info:
        as_numeric(column, "data.csv")
    error = info.value
    assert error.exit_code == 3
    message = str(error)
    assert "data.csv" in message
    assert "column 'price' must be numeric" in message
    assert "2 values are not numbers" in message
    # The first bad value is in row 1, which is line 3 of the file (the header is line 1).
    assert "line 3 has 'cheap'" in message


# --- cast_features -------------------------------------------------------------------------


def test_cast_features_orders_numeric_then_categorical(tmp_path):
    frame = read_frame(tmp_path, "c,n,skip\na,1,x\nb,2,y\n")
    X, notices = cast_features(frame, ["n"], ["c"], "data.csv")
    assert list(X.columns) == ["n", "c"]
    assert X["n"].dtype == "float64"
    assert X["c"].tolist() == ["a", "b"]
    assert notices == []


# --- infinite values and the share of numbers ----------------------------------------------


def test_infinite_and_out_of_range_numbers_become_missing_with_a_notice(tmp_path):
    column = read_frame(tmp_path, "k,v\n1,1.5\n2,inf\n3,-inf\n4,1e400\n5,-1e39\n6,2\n")["v"]
    values, notices = as_numeric(column, "data.csv")
    assert values.tolist()[0] == 1.5
    assert all(is_missing(v) for v in values.tolist()[1:5])
    assert values.tolist()[5] == 2.0
    assert notices == [
        "data.csv: column 'v': 4 infinite or out-of-range values (beyond ±3.4e38) were read "
        "as missing (lines 3, 4, 5, 6)"
    ]


def test_the_largest_float32_value_is_kept():
    values, notices = as_numeric(pd.Series([3.4e38, -3.4e38, 1.0]), "data.csv")
    assert values.tolist() == [3.4e38, -3.4e38, 1.0]
    assert notices == []


def test_text_notice_names_count_examples_lines_and_share(tmp_path):
    rows = [f"{i},{i * 0.5}" for i in range(8)] + ["8,forty", "9,-"]
    column = read_frame(tmp_path, "k,v\n" + "\n".join(rows) + "\n")["v"]
    _, notices = as_numeric(column, "data.csv", "; advice")
    assert notices == [
        "data.csv: column 'v': 2 values that are not numbers ('forty', '-') were read as "
        "missing (lines 10, 11; 80% of the values are numbers); advice"
    ]


def test_a_column_just_over_half_numbers_can_be_numeric(tmp_path):
    column = read_frame(tmp_path, "k,v\n1,10\n2,cheap\n3,12\n")["v"]  # 2 of 3 numbers
    values, notices = as_numeric(column, "data.csv")
    assert values.tolist()[0] == 10.0
    assert is_missing(values.tolist()[1])
    assert len(notices) == 1


_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["1", "2.5", " 3 ", "-4e2", "forty", "", "NaN", "inf", "1e400", "0x1F"]),
    st.text(max_size=4),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, min_size=1, max_size=40), st.booleans())
def test_numbers_are_parsed_per_distinct_value_as_pandas_parses_each_row(values, as_string):
    """``parse_numbers`` parses each distinct value once; the result is what pandas gives
    row by row."""
    column = pd.Series(values, dtype="str" if as_string else object, name="c")
    expected = pd.to_numeric(column, errors="coerce").astype(float)
    got = parse_numbers(column)
    pd.testing.assert_series_equal(got, expected, check_names=False)
    assert got.index.equals(column.index)
