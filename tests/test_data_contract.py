"""The data contract: what a saved model expects, checked against a new CSV at predict time."""

from __future__ import annotations

import json
import math

import pytest

from mlwb.data import DataContract, load_dataset, read_table
from mlwb.errors import DataError, ModelFileError
from mlwb.recipe import recipe_from_mapping

TRAIN = """\
age,city,grade,income,y
23,rome,1,1200.5,yes
35,oslo,2,2300.0,no
47,rome,3,3100.25,yes
51,lima,1,1800.0,no
62,oslo,2,4000.0,yes
29,rome,3,2100.75,no
"""


def write(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def contract(tmp_path):
    recipe = recipe_from_mapping({"target": "y"})
    return load_dataset(write(tmp_path, TRAIN, "train.csv"), recipe).contract()


def prepare(contract, tmp_path, text):
    path = write(tmp_path, text, "new.csv")
    return contract.prepare(read_table(path).frame, "new.csv")


def prepare_error(contract, tmp_path, text) -> str:
    with pytest.raises(DataError) as info:
        prepare(contract, tmp_path, text)
    assert info.value.exit_code == 3
    return str(info.value)


def is_missing(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


# --- the contract itself -------------------------------------------------------------------


def test_contract_records_columns_kinds_levels_and_target(contract):
    assert contract.target == "y"
    assert contract.task == "binary"
    assert contract.classes == ("no", "yes")
    assert contract.positive == "yes"
    assert contract.names == ["age", "income", "city", "grade"]
    assert contract.names_of("numeric") == ["age", "income"]
    assert contract.names_of("categorical") == ["city", "grade"]
    by_name = {c.name: c for c in contract.columns}
    assert by_name["city"].levels == ("lima", "oslo", "rome")
    # Integer-coded levels are canonical strings, not "1.0" or numpy ints.
    assert by_name["grade"].levels == ("1", "2", "3")
    assert by_name["grade"].dtype == "int64"
    assert by_name["age"].levels == ()


def test_contract_of_an_ordinal_column_keeps_the_recipe_order(tmp_path):
    text = "size,x,y\nS,1,a\nL,2,b\nM,3,a\nS,4,b\n"
    recipe = recipe_from_mapping({"target": "y", "columns": {"ordinal": {"size": ["S", "M", "L"]}}})
    contract = load_dataset(write(tmp_path, text, "train.csv"), recipe).contract()
    size = next(c for c in contract.columns if c.name == "size")
    assert size.kind == "ordinal"
    assert size.levels == ("S", "M", "L")


# --- prepare -------------------------------------------------------------------------------


def test_prepare_returns_the_model_columns_in_contract_order(contract, tmp_path):
    X, notices = prepare(contract, tmp_path, "grade,city,income,age\n2,oslo,1000,40\n")
    assert list(X.columns) == ["age", "income", "city", "grade"]
    assert X["age"].dtype == "float64"
    assert X["income"].tolist() == [1000.0]
    assert X["city"].tolist() == ["oslo"]
    assert X["grade"].tolist() == ["2"]
    assert notices == []


def test_target_column_in_the_new_file_is_not_reported_as_extra(contract, tmp_path):
    _, notices = prepare(contract, tmp_path, "age,city,grade,income,y\n40,oslo,2,1000,yes\n")
    assert notices == []


def test_missing_columns_are_a_data_error_naming_them(contract, tmp_path):
    message = prepare_error(contract, tmp_path, "age,grade\n40,2\n")
    assert "new.csv" in message
    assert "missing 2 column(s) the model needs" in message
    assert "income" in message
    assert "city" in message


def test_one_missing_column_suggests_a_misspelt_extra_column(contract, tmp_path):
    message = prepare_error(contract, tmp_path, "age,cty,grade,income\n40,oslo,2,1000\n")
    assert "missing 1 column(s) the model needs: city" in message
    assert "did you mean cty?" in message


def test_extra_columns_are_ignored_with_a_notice(contract, tmp_path):
    X, notices = prepare(
        contract, tmp_path, "age,city,notes,grade,income,batch\n40,oslo,hi,2,1000,7\n"
    )
    assert "notes" not in X.columns
    assert "batch" not in X.columns
    assert len(notices) == 1
    assert "ignored 2 column(s)" in notices[0]
    assert "notes" in notices[0]
    assert "batch" in notices[0]


def test_unseen_categorical_level_is_accepted_with_a_notice_naming_the_column(contract, tmp_path):
    text = "age,city,grade,income\n40,paris,2,1000\n41,rome,1,1100\n42,paris,3,1200\n"
    X, notices = prepare(contract, tmp_path, text)
    assert X["city"].tolist() == ["paris", "rome", "paris"]
    assert len(notices) == 1
    notice = notices[0]
    assert "column 'city'" in notice
    assert "2 rows" in notice
    assert "'paris'" in notice
    assert "not seen in training" in notice


def test_numeric_column_holding_mostly_text_names_the_column_and_line(contract, tmp_path):
    text = "age,city,grade,income\n40,oslo,2,1000\n41,rome,1,high\n42,lima,3,low\n"
    message = prepare_error(contract, tmp_path, text)
    assert "column 'income' must be numeric" in message
    assert "2 values are not numbers" in message
    assert "line 3 has 'high'" in message
    assert "columns.categorical" in message


def test_a_few_stray_tokens_in_a_numeric_column_become_missing_with_a_notice(contract, tmp_path):
    rows = [f"{30 + i},oslo,2,{1000 + i}" for i in range(20)]
    rows[4] = "34,oslo,2,unknown"
    X, notices = prepare(contract, tmp_path, "age,city,grade,income\n" + "\n".join(rows) + "\n")
    income = X["income"].tolist()
    assert is_missing(income[4])
    assert income[5] == 1005.0
    assert len(notices) == 1
    assert "column 'income'" in notices[0]
    assert "1 values that are not numbers ('unknown')" in notices[0]
    assert "read as missing" in notices[0]


def test_integer_coded_levels_are_canonical_when_read_as_floats(contract, tmp_path):
    # A blank cell makes pandas read grade as 1.0, 2.0, NaN: the levels must still be "1", "2".
    text = "age,city,grade,income\n40,oslo,1,1000\n41,rome,,1100\n42,lima,2,1200\n"
    path = write(tmp_path, text, "new.csv")
    frame = read_table(path).frame
    assert frame["grade"].dtype == "float64"
    X, notices = contract.prepare(frame, "new.csv")
    grade = X["grade"].tolist()
    assert grade[0] == "1"
    assert is_missing(grade[1])
    assert grade[2] == "2"
    assert notices == []  # "1" and "2" are training levels, not unseen ones


# --- saving and loading --------------------------------------------------------------------


def test_to_dict_from_dict_round_trip_through_json(contract):
    data = json.loads(json.dumps(contract.to_dict()))
    restored = DataContract.from_dict(data)
    assert restored == contract
    assert restored.to_dict() == contract.to_dict()


def test_round_trip_of_integer_classes(tmp_path):
    text = "x,y\n1,0\n2,1\n3,0\n4,1\n"
    contract = load_dataset(write(tmp_path, text, "t.csv"), recipe_from_mapping({"target": "y"}))
    contract = contract.contract()
    restored = DataContract.from_dict(json.loads(json.dumps(contract.to_dict())))
    assert restored.classes == (0, 1)
    assert restored.positive == 1
    assert restored == contract


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"columns": 5, "target": "y", "task": "binary", "classes": []},
        {"columns": [{"name": "a"}], "target": "y", "task": "binary", "classes": []},
        {"columns": ["age"], "target": "y", "task": "binary", "classes": []},
        {"columns": [], "task": "binary", "classes": []},
        None,
        [],
    ],
    ids=[
        "empty",
        "columns-not-list",
        "column-without-kind",
        "column-as-string",
        "no-target",
        "none",
        "list",
    ],
)
def test_from_dict_on_malformed_input_is_a_model_file_error(data):
    with pytest.raises(ModelFileError) as info:
        DataContract.from_dict(data)
    assert info.value.exit_code == 3
    assert "malformed data contract" in str(info.value)


def test_from_dict_with_an_unknown_column_kind_is_a_model_file_error(contract):
    data = contract.to_dict()
    data["columns"][0]["kind"] = "numerc"
    with pytest.raises(ModelFileError):
        DataContract.from_dict(data)
