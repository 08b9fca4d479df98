"""The target column: task inference, the positive class, encoding, and target errors."""

from __future__ import annotations

import numpy as np
import pytest

from mlwb.data.dataset import load_dataset
from mlwb.data.reading import read_table
from mlwb.data.target import encode_target
from mlwb.errors import DataError
from mlwb.recipe import recipe_from_mapping


def target_column(tmp_path, values):
    """The column ``y`` of a CSV holding ``values`` (cell texts) beside a feature column."""
    lines = ["x,y"] + [f"{i},{v}" for i, v in enumerate(values)]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_table(path).frame["y"]


def encode(tmp_path, values, task=None, positive=None):
    return encode_target(target_column(tmp_path, values), task, positive, "data.csv")


def encode_error(tmp_path, values, task=None, positive=None) -> str:
    with pytest.raises(DataError) as info:
        encode(tmp_path, values, task, positive)
    assert info.value.exit_code == 3
    return str(info.value)


def positive_label(target):
    return target.classes[target.positive_index]


# --- binary --------------------------------------------------------------------------------


def test_two_strings_are_binary_with_codes_in_sorted_order(tmp_path):
    target = encode(tmp_path, ["dog", "cat", "dog", "cat", "dog"])
    assert target.task == "binary"
    assert target.classes == ("cat", "dog")
    assert target.y.tolist() == [1, 0, 1, 0, 1]
    assert target.y.dtype == np.int64
    assert target.n_classes == 2
    assert target.class_counts() == {"cat": 2, "dog": 3}


def test_zero_one_integers_are_binary_with_positive_one(tmp_path):
    target = encode(tmp_path, [1, 0, 0, 0, 1, 0])
    assert target.task == "binary"
    assert target.classes == (0, 1)
    assert target.y.tolist() == [1, 0, 0, 0, 1, 0]
    assert positive_label(target) == 1


def test_positive_one_even_when_it_is_the_majority(tmp_path):
    target = encode(tmp_path, [1, 1, 1, 0])
    assert positive_label(target) == 1


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["yes", "no", "no", "yes", "yes"], "yes"),
        (["Yes", "No", "No"], "Yes"),
        (["Y", "N", "N", "Y", "Y"], "Y"),
        (["neg", "pos", "pos"], "pos"),
    ],
)
def test_positive_words_are_the_positive_class(tmp_path, values, expected):
    target = encode(tmp_path, values)
    assert target.task == "binary"
    assert positive_label(target) == expected


def test_boolean_target_has_positive_true(tmp_path):
    target = encode(tmp_path, ["True", "False", "False", "True", "True"])
    assert target.task == "binary"
    assert target.classes == (False, True)
    assert positive_label(target) is True


def test_otherwise_the_rarer_class_is_positive(tmp_path):
    target = encode(tmp_path, ["stay", "stay", "churn", "stay"])
    assert target.classes == ("churn", "stay")
    assert positive_label(target) == "churn"
    target = encode(tmp_path, ["ham", "spam", "ham", "ham"])
    assert positive_label(target) == "spam"


def test_explicit_positive_wins_over_the_default(tmp_path):
    target = encode(tmp_path, ["yes", "no", "no", "yes"], positive="no")
    assert positive_label(target) == "no"


@pytest.mark.parametrize("positive", [0, "0"])
def test_explicit_positive_as_int_or_string_matches_an_integer_class(tmp_path, positive):
    target = encode(tmp_path, [1, 0, 0, 1, 1], positive=positive)
    assert target.classes == (0, 1)
    assert positive_label(target) == 0


def test_explicit_positive_from_the_recipe(tmp_path):
    recipe = recipe_from_mapping({"target": "y", "positive": "1"})
    column = target_column(tmp_path, [1, 0, 0, 0])
    target = encode_target(column, recipe.task, recipe.positive, "data.csv")
    assert positive_label(target) == 1


def test_positive_that_is_not_a_class_lists_the_classes(tmp_path):
    message = encode_error(tmp_path, ["cat", "dog", "dog"], positive="bird")
    assert "positive: 'bird' is not a class" in message
    assert "classes: cat, dog" in message


def test_float_zero_one_target_has_positive_one(tmp_path):
    target = encode(tmp_path, ["0.0", "1.0", "1.0"])
    assert positive_label(target) == 1.0
    target = encode(tmp_path, ["0.0", "1.0", "1.0"], positive=1)
    assert positive_label(target) == 1.0


# --- multiclass and regression -------------------------------------------------------------


def test_three_integer_values_are_multiclass(tmp_path):
    target = encode(tmp_path, [3, 1, 2, 1, 3])
    assert target.task == "multiclass"
    assert target.classes == (1, 2, 3)
    assert target.y.tolist() == [2, 0, 1, 0, 2]
    assert target.positive_index is None


def test_twenty_integer_values_are_multiclass(tmp_path):
    target = encode(tmp_path, list(range(20)))
    assert target.task == "multiclass"
    assert target.n_classes == 20


def test_twenty_one_integer_values_are_regression(tmp_path):
    target = encode(tmp_path, list(range(21)))
    assert target.task == "regression"


def test_three_strings_are_multiclass(tmp_path):
    target = encode(tmp_path, ["b", "c", "a", "b"])
    assert target.task == "multiclass"
    assert target.classes == ("a", "b", "c")
    assert target.y.tolist() == [1, 2, 0, 1]


def test_floats_are_regression(tmp_path):
    target = encode(tmp_path, ["1.5", "2.25", "-3.0", "4.125"])
    assert target.task == "regression"
    assert target.classes == ()
    assert target.positive_index is None
    assert target.y.dtype == np.float64
    assert target.y.tolist() == [1.5, 2.25, -3.0, 4.125]
    assert target.class_counts() == {}


def test_recipe_task_regression_on_integers(tmp_path):
    target = encode(tmp_path, [1, 2, 3, 1], task="regression")
    assert target.task == "regression"
    assert target.reason == "set in the recipe"
    assert target.y.tolist() == [1.0, 2.0, 3.0, 1.0]


def test_recipe_task_regression_on_text_of_numbers(tmp_path):
    values = [str(i) for i in range(1, 20)] + ["1.5"]
    target = encode(tmp_path, values, task="regression")
    assert target.task == "regression"


# --- target errors -------------------------------------------------------------------------


def test_missing_target_values_name_count_and_file_lines(tmp_path):
    message = encode_error(tmp_path, ["a", "", "b", "?", "a"])
    assert "target 'y' is missing in 2 rows" in message
    # Rows 1 and 3 (0-based) are on file lines 3 and 5: the header is line 1.
    assert "lines 3, 5" in message


def test_many_missing_target_values_show_the_first_five_lines(tmp_path):
    message = encode_error(tmp_path, ["a", "b"] + [""] * 7)
    assert "missing in 7 rows" in message
    assert "lines 4, 5, 6, 7, 8, …" in message


def test_single_target_value_is_a_data_error(tmp_path):
    message = encode_error(tmp_path, ["yes", "yes", "yes"])
    assert "target 'y' has a single value" in message
    assert "'yes'" in message
    assert "nothing to learn" in message


def test_regression_on_text_is_a_data_error(tmp_path):
    message = encode_error(tmp_path, ["red", "blue", "red"], task="regression")
    assert "task is regression but target 'y' is not numeric" in message
    assert "'red'" in message or "'blue'" in message


def test_regression_on_text_with_some_numbers_names_a_bad_value(tmp_path):
    message = encode_error(tmp_path, ["1", "2", "high"], task="regression")
    assert "task is regression" in message
    assert "'high'" in message


def test_regression_on_booleans_is_a_data_error(tmp_path):
    message = encode_error(tmp_path, ["True", "False", "True"], task="regression")
    assert "task is regression" in message


def test_binary_with_three_classes_is_a_data_error(tmp_path):
    message = encode_error(tmp_path, ["a", "b", "c", "a"], task="binary")
    assert "task is binary but target 'y' has 3 classes" in message
    assert "multiclass" in message


def test_multiclass_with_two_classes_is_a_data_error(tmp_path):
    message = encode_error(tmp_path, ["a", "b", "a"], task="multiclass")
    assert "task is multiclass but target 'y' has only 2 classes" in message
    assert "binary" in message


@pytest.mark.parametrize("task", [None, "multiclass"])
def test_positive_with_a_multiclass_target_is_a_data_error(tmp_path, task):
    message = encode_error(tmp_path, ["a", "b", "c"], task=task, positive="a")
    assert "positive: only applies to binary tasks" in message
    assert "3 classes" in message


def test_positive_with_an_inferred_regression_target_is_a_data_error(tmp_path):
    encode_error(tmp_path, ["1.5", "2.5", "3.75"], positive=1)


# --- through load_dataset ------------------------------------------------------------------


def test_load_dataset_reports_target_problems_by_file(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("x,label\n1,a\n2,b\n3,c\n", encoding="utf-8")
    recipe = recipe_from_mapping({"target": "label", "task": "binary"})
    with pytest.raises(DataError) as info:
        load_dataset(path, recipe)
    assert str(path) in str(info.value)
    assert "task is binary but target 'label' has 3 classes" in str(info.value)


def test_load_dataset_unknown_target_suggests_the_nearest_column(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("x,label\n1,a\n2,b\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset(path, recipe_from_mapping({"target": "labl"}))
    assert info.value.exit_code == 3
    assert "target column 'labl' not found; did you mean label?" in str(info.value)


# --- infinite values and how positive names a class ---------------------------------------


def test_infinite_target_values_name_count_and_lines(tmp_path):
    message = encode_error(tmp_path, ["1.5", "inf", "2.5", "-inf", "1e400", "3.5"])
    assert "target 'y' has 3 infinite or out-of-range values (beyond ±3.4e38; lines 3, 5, 6)" in (
        message
    )


def test_infinite_value_is_not_a_class(tmp_path):
    message = encode_error(tmp_path, ["0", "1", "inf", "1"])
    assert "target 'y' has 1 infinite or out-of-range values" in message


def test_infinite_text_in_a_regression_target_is_an_error(tmp_path):
    values = [str(i * 1.5) for i in range(9)] + ["inf"]
    message = encode_error(tmp_path, values, task="regression")
    assert "infinite or out-of-range values" in message
    assert "line 11" in message


@pytest.mark.parametrize(
    ("values", "positive", "expected"),
    [
        ([0, 1, 1], 1.0, 1),
        ([0, 1, 1], "1", 1),
        (["no", "yes", "no"], "YES", "yes"),
        (["A", "a", "a"], "a", "a"),
        (["A", "a", "a"], "A", "A"),
        (["True", "False", "True"], "TRUE", True),
    ],
)
def test_positive_names_a_class_exactly_first_then_by_text(tmp_path, values, positive, expected):
    assert positive_label(encode(tmp_path, values, positive=positive)) == expected


@pytest.mark.parametrize("positive", [True, "yes", 2, 0.5])
def test_positive_naming_no_class_of_a_zero_one_target_is_an_error(tmp_path, positive):
    message = encode_error(tmp_path, [0, 1, 1], positive=positive)
    assert "is not a class of target 'y' (classes: 0, 1)" in message
