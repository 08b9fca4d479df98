"""Column roles: what is inferred from the data, why, and how the recipe overrides it."""

from __future__ import annotations

import random

import pytest

from mlwb.data.reading import read_table
from mlwb.data.roles import infer_role, infer_roles
from mlwb.errors import DataError
from mlwb.recipe import recipe_from_mapping


def read_frame(tmp_path, columns):
    """Write ``columns`` (name -> list of cell texts) as a CSV and read it back."""
    names = list(columns)
    n_rows = len(columns[names[0]])
    lines = [",".join(names)]
    lines += [",".join(str(columns[name][i]) for name in names) for i in range(n_rows)]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_table(path).frame


def role_of(tmp_path, values, name="x"):
    # A second column keeps a blank cell from being a blank (skipped) line.
    frame = read_frame(tmp_path, {name: values, "other": list(range(len(values)))})
    return infer_role(frame[name])


def spec(**columns):
    return recipe_from_mapping({"target": "y", "columns": columns}).columns


# --- inference, one column at a time -------------------------------------------------------


def test_floats_are_numeric(tmp_path):
    role, reason = role_of(tmp_path, ["1.5", "2.25", "3.0", "", "4.75"])
    assert role == "numeric"
    assert reason == "numbers"


def test_integers_with_more_than_five_levels_are_numeric(tmp_path):
    role, reason = role_of(tmp_path, [3, 1, 4, 1, 5, 9, 2, 6])
    assert role == "numeric"
    assert "integers" in reason


def test_integers_with_five_levels_are_integer_coded_categorical(tmp_path):
    role, reason = role_of(tmp_path, [1, 2, 3, 4, 5, 1, 2, 3])
    assert role == "categorical"
    assert "integer-coded" in reason
    assert "5 levels" in reason


def test_integer_codes_with_a_missing_value_are_still_categorical(tmp_path):
    # Read as floats because of the blank, but every value is a whole number.
    role, reason = role_of(tmp_path, [1, 2, "", 3, 1, 2])
    assert role == "categorical"
    assert "integer-coded with 3 levels" in reason


def test_six_integer_levels_are_numeric_not_categorical(tmp_path):
    role, _ = role_of(tmp_path, [1, 2, 3, 4, 5, 6, 1, 2])
    assert role == "numeric"


def test_booleans_are_categorical(tmp_path):
    role, reason = role_of(tmp_path, ["True", "False", "True", "True"])
    assert role == "categorical"
    assert reason == "boolean"


def test_booleans_with_a_missing_value_are_categorical(tmp_path):
    role, _ = role_of(tmp_path, ["True", "False", "", "True"])
    assert role == "categorical"


def test_text_is_categorical(tmp_path):
    role, reason = role_of(tmp_path, ["red", "blue", "red", "green"])
    assert role == "categorical"
    assert "3 levels" in reason


def test_text_that_is_mostly_numbers_is_numeric(tmp_path):
    values = [str(i * 1.5) for i in range(19)] + ["unknown"]  # 95 % numbers
    role, reason = role_of(tmp_path, values)
    assert role == "numeric"
    assert "text holding numbers" in reason


def test_integer_codes_mixed_with_text_stay_categorical(tmp_path):
    # 90 % numbers, but the numbers are four integer codes: the words are levels too.
    values = [str(i % 4) for i in range(18)] + ["unknown", "other"]
    role, reason = role_of(tmp_path, values)
    assert role == "categorical"
    assert reason == "integer-coded with 4 levels and text values"


def test_text_that_is_80_percent_numbers_is_numeric(tmp_path):
    values = [str(i * 1.5) for i in range(16)] + ["forty", "-", "unknown", "forty"]
    role, reason = role_of(tmp_path, values)
    assert role == "numeric"
    assert reason == "text holding numbers (80% of the values)"


def test_text_that_is_less_than_80_percent_numbers_is_categorical(tmp_path):
    values = [str(i * 1.5) for i in range(15)] + ["forty", "-", "unknown", "forty", "-"]
    role, reason = role_of(tmp_path, values)
    assert role == "categorical"
    assert reason == "text with 18 levels"


def test_partly_numeric_text_column_gets_a_note(tmp_path):
    values = [str(i * 1.5) for i in range(15)] + ["forty", "-", "unknown", "forty", "-"]
    frame = read_frame(tmp_path, {"x": values, "y": list(range(20))})
    [role] = [r for r in infer_roles(frame, spec(), "data.csv").columns if r.name == "x"]
    assert role.note is not None
    assert "data.csv: column 'x': 75% of the values are numbers" in role.note
    assert "'forty', '-', 'unknown'" in role.note
    assert "columns.numeric" in role.note


def test_mostly_text_column_gets_no_note(tmp_path):
    values = ["a", "b", "c", "1"] * 5  # a quarter numbers: plainly categorical
    frame = read_frame(tmp_path, {"x": values, "y": list(range(20))})
    [role] = [r for r in infer_roles(frame, spec(), "data.csv").columns if r.name == "x"]
    assert (role.role, role.note) == ("categorical", None)


def test_infinite_values_do_not_count_as_values(tmp_path):
    role, reason = role_of(tmp_path, ["inf", "2.5", "-inf", "2.5", "1e400"])
    assert role == "dropped"
    assert reason == "constant (every value is 2.5)"


def test_sequential_unique_integers_are_an_identifier(tmp_path):
    role, reason = role_of(tmp_path, list(range(100, 120)), name="row")
    assert role == "dropped"
    assert "identifier" in reason


def test_sequential_integers_in_a_small_file_are_kept(tmp_path):
    # Fewer than 20 rows: too little evidence to call it an identifier.
    role, _ = role_of(tmp_path, list(range(10)), name="row")
    assert role == "numeric"


def test_unique_text_column_is_dropped(tmp_path):
    values = [f"customer-{i:03d}" for i in range(25)]
    role, reason = role_of(tmp_path, values, name="customer")
    assert role == "dropped"
    assert "identifier" in reason
    assert "25 distinct values in 25 rows" in reason


def shuffled_unique_ints(n=25, seed=3):
    values = random.Random(seed).sample(range(1000, 9999), n)
    assert values != sorted(values) and values != sorted(values, reverse=True)
    return values


def test_id_named_column_of_unique_unordered_integers_is_dropped(tmp_path):
    role, reason = role_of(tmp_path, shuffled_unique_ints(), name="user_id")
    assert role == "dropped"
    assert "identifier" in reason


def test_same_unique_unordered_integers_without_an_id_name_are_numeric(tmp_path):
    role, _ = role_of(tmp_path, shuffled_unique_ints(), name="income")
    assert role == "numeric"


@pytest.mark.parametrize("name", ["id", "ID", "customer-id", "order_key", "uuid_raw"])
def test_id_like_names(tmp_path, name):
    role, _ = role_of(tmp_path, shuffled_unique_ints(), name=name)
    assert role == "dropped"


@pytest.mark.parametrize("name", ["valid", "paid", "keyboard"])
def test_names_merely_containing_id_are_not_identifiers(tmp_path, name):
    role, _ = role_of(tmp_path, shuffled_unique_ints(), name=name)
    assert role == "numeric"


def test_constant_text_column_is_dropped_with_its_value(tmp_path):
    role, reason = role_of(tmp_path, ["a", "a", "", "a"])
    assert role == "dropped"
    assert reason.startswith("constant")
    assert "'a'" in reason


def test_constant_integer_column_is_dropped(tmp_path):
    role, reason = role_of(tmp_path, [7, 7, 7, 7])
    assert role == "dropped"
    assert reason.startswith("constant")
    assert "7" in reason


def test_constant_integer_reason_shows_the_plain_value(tmp_path):
    _, reason = role_of(tmp_path, [7, 7, 7, 7])
    assert "np." not in reason


def test_all_missing_column_is_dropped(tmp_path):
    frame = read_frame(tmp_path, {"a": [1, 2, 3], "empty": ["", "", ""]})
    role, reason = infer_role(frame["empty"])
    assert role == "dropped"
    assert reason == "all values are missing"


# --- infer_roles and the recipe ------------------------------------------------------------


@pytest.fixture
def frame(tmp_path):
    return read_frame(
        tmp_path,
        {
            "age": [23, 35, 47, 51, 62, 29],
            "city": ["rome", "oslo", "rome", "lima", "oslo", "rome"],
            "grade": [1, 2, 3, 1, 2, 3],
            "size": ["S", "M", "L", "M", "S", "L"],
            "note": ["x", "x", "x", "x", "x", "x"],
        },
    )


def test_infer_roles_reports_every_column_in_file_order(frame):
    roles = infer_roles(frame, spec(), "data.csv")
    assert [c.name for c in roles.columns] == ["age", "city", "grade", "size", "note"]
    assert roles.numeric == ("age",)
    assert roles.categorical == ("city", "grade", "size")
    assert [c.name for c in roles.dropped] == ["note"]
    assert roles.dropped[0].reason.startswith("constant")
    assert roles.features == ("age", "city", "grade", "size")


def test_recipe_drop_overrides_inference(frame):
    roles = infer_roles(frame, spec(drop=["age"]), "data.csv")
    age = next(c for c in roles.columns if c.name == "age")
    assert age.role == "dropped"
    assert age.reason == "listed in columns.drop"
    assert "age" not in roles.features


def test_recipe_categorical_overrides_inference(frame):
    roles = infer_roles(frame, spec(categorical=["age"]), "data.csv")
    assert "age" in roles.categorical
    assert "age" not in roles.numeric


def test_recipe_numeric_overrides_inference(frame):
    roles = infer_roles(frame, spec(numeric=["grade"]), "data.csv")
    assert "grade" in roles.numeric
    assert "grade" not in roles.categorical
    grade = next(c for c in roles.columns if c.name == "grade")
    assert grade.reason == "listed in columns.numeric"


def test_recipe_can_keep_a_column_inference_would_drop(frame):
    roles = infer_roles(frame, spec(categorical=["note"]), "data.csv")
    assert "note" in roles.categorical
    assert roles.dropped == ()


def test_recipe_ordinal_overrides_inference_and_keeps_level_order(frame):
    roles = infer_roles(frame, spec(ordinal={"size": ["S", "M", "L"]}), "data.csv")
    assert roles.ordinal == ("size",)
    assert "size" not in roles.categorical
    assert roles.ordinal_levels == {"size": ("S", "M", "L")}
    assert roles.features[-1] == "size"


def test_ordinal_integer_levels_are_stored_as_strings(frame):
    roles = infer_roles(frame, spec(ordinal={"grade": [1, 2, 3]}), "data.csv")
    assert roles.ordinal_levels == {"grade": ("1", "2", "3")}


@pytest.mark.parametrize(
    ("key", "columns"),
    [
        ("columns.drop", {"drop": ["agee"]}),
        ("columns.categorical", {"categorical": ["agee"]}),
        ("columns.numeric", {"numeric": ["agee"]}),
        ("columns.ordinal", {"ordinal": {"agee": ["young", "old"]}}),
    ],
)
def test_recipe_naming_an_unknown_column_is_a_data_error(frame, key, columns):
    with pytest.raises(DataError) as info:
        infer_roles(frame, spec(**columns), "data.csv")
    error = info.value
    assert error.exit_code == 3
    message = str(error)
    assert "data.csv" in message
    assert f"{key}: no column 'agee'" in message
    assert "did you mean age?" in message
    assert "columns are: age, city, grade, size, note" in message


def test_unknown_column_with_no_close_name_has_no_suggestion(frame):
    with pytest.raises(DataError) as info:
        infer_roles(frame, spec(numeric=["zzzzzz"]), "data.csv")
    assert "no column 'zzzzzz'" in str(info.value)
    assert "did you mean" not in str(info.value)


def test_no_feature_left_is_a_data_error_listing_the_reasons(tmp_path):
    frame = read_frame(tmp_path, {"const": ["a", "a", "a"], "empty": ["", "", ""]})
    with pytest.raises(DataError) as info:
        infer_roles(frame, spec(), "data.csv")
    error = info.value
    assert error.exit_code == 3
    message = str(error)
    assert "no feature columns left" in message
    assert "const: constant" in message
    assert "empty: all values are missing" in message
    assert "columns.numeric or columns.categorical" in message


def test_dropping_every_column_in_the_recipe_is_a_data_error(frame):
    everything = ["age", "city", "grade", "size", "note"]
    with pytest.raises(DataError) as info:
        infer_roles(frame, spec(drop=everything), "data.csv")
    assert "no feature columns left" in str(info.value)
