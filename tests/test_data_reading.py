"""Reading CSV files: encodings, delimiters, missing-value tokens and every read failure."""

from __future__ import annotations

import hashlib
import io
import math
import sys
import types

import pytest

from mlwb.data.reading import read_table
from mlwb.errors import DataError, ExitCode


def write(tmp_path, data, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def read_error(path) -> DataError:
    """The DataError reading ``path`` raises; every one of them exits with code 3."""
    with pytest.raises(DataError) as info:
        read_table(path)
    error = info.value
    assert error.exit_code == ExitCode.DATA == 3
    return error


def is_missing(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


# --- encodings -----------------------------------------------------------------------------


def test_utf8_with_bom_reads_clean_header_without_notice(tmp_path):
    path = write(tmp_path, "\ufeffname,score\ncafé,1\nthé,2\n".encode())
    table = read_table(path)
    assert list(table.frame.columns) == ["name", "score"]
    assert table.frame["name"].tolist() == ["café", "thé"]
    assert table.encoding == "utf-8"
    assert table.notices == ()


def test_plain_utf8_reads_without_notice(tmp_path):
    table = read_table(write(tmp_path, "a,b\n1,naïve\n"))
    assert table.frame["b"].tolist() == ["naïve"]
    assert table.encoding == "utf-8"
    assert table.notices == ()


def test_cp1252_file_is_decoded_with_a_notice_naming_cp1252(tmp_path):
    path = write(tmp_path, "city,price\ncafé,3\nnaïve,4\n".encode("cp1252"))
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert table.frame["city"].tolist() == ["café", "naïve"]
    assert len(table.notices) == 1
    notice = table.notices[0]
    assert "cp1252" in notice
    assert "not UTF-8" in notice
    assert str(path) in notice


# --- delimiters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "shown"),
    [(";", "';'"), ("\t", "'\\t'"), ("|", "'|'")],
)
def test_non_comma_delimiters_are_detected_with_a_notice(tmp_path, delimiter, shown):
    lines = ["a,b,c", "1,2.5,x", "3,4.5,y", "5,6.5,z"]
    text = "\n".join(line.replace(",", delimiter) for line in lines) + "\n"
    table = read_table(write(tmp_path, text))
    assert table.delimiter == delimiter
    assert list(table.frame.columns) == ["a", "b", "c"]
    assert table.frame["a"].tolist() == [1, 3, 5]
    assert table.frame["b"].tolist() == [2.5, 4.5, 6.5]
    assert table.frame["c"].tolist() == ["x", "y", "z"]
    assert any("separated by" in n and shown in n for n in table.notices)


def test_semicolon_file_with_commas_inside_values_is_still_semicolon(tmp_path):
    text = "name;comment\nann;hello, world\nbob;fine, thanks\n"
    table = read_table(write(tmp_path, text))
    assert table.delimiter == ";"
    assert table.frame["comment"].tolist() == ["hello, world", "fine, thanks"]


def test_comma_file_has_no_delimiter_notice(tmp_path):
    table = read_table(write(tmp_path, "a,b\n1,2\n3,4\n"))
    assert table.delimiter == ","
    assert table.notices == ()


# --- values --------------------------------------------------------------------------------


def test_values_and_column_names_are_stripped_and_blank_cells_become_missing(tmp_path):
    text = " a , b \n1,  red  \n2,   \n3,blue\n"
    frame = read_table(write(tmp_path, text)).frame
    assert list(frame.columns) == ["a", "b"]
    values = frame["b"].tolist()
    assert values[0] == "red"
    assert is_missing(values[1])
    assert values[2] == "blue"


def test_numbers_with_surrounding_spaces_stay_numbers(tmp_path):
    frame = read_table(write(tmp_path, "a,b\n 1 ,x\n2 ,y\n")).frame
    assert frame["a"].tolist() == [1, 2]
    assert frame["a"].dtype.kind == "i"


@pytest.mark.parametrize("token", ["?", "NA", "", "N/A", "NaN", "null", "n.a."])
def test_missing_value_tokens_become_nan(tmp_path, token):
    frame = read_table(write(tmp_path, f"a,b\n1,x\n2,{token}\n3,y\n")).frame
    values = frame["b"].tolist()
    assert values[0] == "x"
    assert is_missing(values[1])
    assert values[2] == "y"


@pytest.mark.parametrize("word", ["none", "missing"])
def test_words_none_and_missing_stay_values(tmp_path, word):
    frame = read_table(write(tmp_path, f"a,b\n1,x\n2,{word}\n3,?\n")).frame
    values = frame["b"].tolist()
    assert values[:2] == ["x", word]
    assert is_missing(values[2])


def test_question_mark_in_numeric_column_keeps_it_numeric(tmp_path):
    frame = read_table(write(tmp_path, "a,b\n1,x\n?,y\n3,z\n")).frame
    assert frame["a"].dtype.kind == "f"
    assert is_missing(frame["a"].tolist()[1])


def test_missing_value_token_with_trailing_space_is_missing(tmp_path):
    frame = read_table(write(tmp_path, "a,b\n1,NA \n2,? \n3,x\n")).frame
    values = frame["b"].tolist()
    assert is_missing(values[0])
    assert is_missing(values[1])


# --- stdin and hash ------------------------------------------------------------------------


def test_dash_reads_stdin(monkeypatch):
    data = b"a;b\n1;x\n2;y\n"
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))
    table = read_table("-")
    assert table.source == "-"
    assert table.delimiter == ";"
    assert table.frame["a"].tolist() == [1, 2]
    assert table.frame["b"].tolist() == ["x", "y"]
    assert table.sha256 == hashlib.sha256(data).hexdigest()


def test_empty_stdin_is_a_data_error(monkeypatch):
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(b"")))
    error = read_error("-")
    assert "empty" in str(error)


def test_sha256_is_the_hash_of_the_file_bytes(tmp_path):
    data = "\ufeffa,b\n1,café\n".encode()
    table = read_table(write(tmp_path, data))
    assert table.sha256 == hashlib.sha256(data).hexdigest()


def test_sha256_of_a_cp1252_file_is_of_the_raw_bytes(tmp_path):
    data = "a,b\n1,café\n".encode("cp1252")
    table = read_table(write(tmp_path, data))
    assert table.sha256 == hashlib.sha256(data).hexdigest()


def test_read_table_accepts_a_string_path(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n")
    table = read_table(str(path))
    assert table.source == str(path)
    assert table.frame.shape == (1, 2)


# --- errors --------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    error = read_error(path)
    assert str(path) in str(error)
    assert "not found" in str(error)


def test_folder_instead_of_file(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    error = read_error(folder)
    assert str(folder) in str(error)
    assert "folder" in str(error)


@pytest.mark.parametrize("content", [b"", b"   \n\n \t\n"], ids=["zero-bytes", "whitespace"])
def test_empty_file(tmp_path, content):
    path = write(tmp_path, content)
    error = read_error(path)
    assert str(path) in str(error)
    assert "empty" in str(error)


def test_header_without_rows(tmp_path):
    path = write(tmp_path, "a,b,c\n")
    error = read_error(path)
    assert str(path) in str(error)
    assert "header but no rows" in str(error)


def test_header_without_names(tmp_path):
    error = read_error(write(tmp_path, ",,\n1,2,3\n"))
    assert "no column names" in str(error)


def test_duplicated_column_names_are_named(tmp_path):
    path = write(tmp_path, "age,city,age,score,city\n1,a,2,3,b\n")
    error = read_error(path)
    message = str(error)
    assert "duplicated column names" in message
    assert "'age'" in message
    assert "'city'" in message
    assert "'score'" not in message


def test_column_names_duplicated_after_stripping_spaces(tmp_path):
    error = read_error(write(tmp_path, "a, a\n1,2\n"))
    assert "duplicated" in str(error)
    assert "'a'" in str(error)


def test_ragged_line_names_line_number_and_field_counts(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n3,4,5\n6,7\n")
    error = read_error(path)
    message = str(error)
    assert str(path) in message
    assert "line 3" in message
    assert "3 fields" in message
    assert "header has 2" in message


def test_ragged_line_number_counts_blank_lines(tmp_path):
    error = read_error(write(tmp_path, "a,b\n1,2\n\n3,4,5\n"))
    assert "line 4" in str(error)


def test_ragged_line_number_after_a_quoted_multiline_value(tmp_path):
    error = read_error(write(tmp_path, 'a,b\n"two\nlines",2\n3,4,5\n'))
    assert "line 4" in str(error)


def test_short_line_is_a_data_error(tmp_path):
    error = read_error(write(tmp_path, "a,b,c\n1,2,3\n4,5\n"))
    assert "line 3" in str(error)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("where", ["early", "at a chunk boundary", "last line, no break"])
def test_a_ragged_line_is_found_in_a_large_file_wherever_it_is(
    tmp_path, monkeypatch, ending, where
):
    """The delimiter count runs a chunk at a time: a ragged line is caught early, across
    the edge between two chunks, and on a last line without its line break."""
    monkeypatch.setattr("mlwb.data.reading.CHUNK", 64)
    lines = ["a,b,c"] + [f"{i},{i + 1},x{i}" for i in range(200)]
    bad = {"early": 3, "at a chunk boundary": 9, "last line, no break": 200}[where]
    lines[bad] = "7,8,9,10"
    text = ending.join(lines) + ("" if where == "last line, no break" else ending)
    error = read_error(write(tmp_path, text))
    assert f"line {bad + 1} has 4 fields but the header has 3" in str(error)


def test_a_large_well_formed_file_reads_whole(tmp_path, monkeypatch):
    monkeypatch.setattr("mlwb.data.reading.CHUNK", 64)
    lines = ["a,b,c"] + [f"{i},{i + 1},x{i % 7}" for i in range(500)]
    frame = read_table(write(tmp_path, "\r\n".join(lines))).frame
    assert frame.shape == (500, 3) and frame["a"].iloc[-1] == 499


def test_lines_ending_in_a_bare_carriage_return_are_still_checked(tmp_path):
    error = read_error(write(tmp_path, "a,b\r1,2\r3,4,5\r6,7\r"))
    assert "line 3" in str(error)


def test_a_short_line_with_quoted_values_elsewhere_is_found(tmp_path):
    error = read_error(write(tmp_path, 'a,b,c\n"x, y",2,3\n4,5\n'))
    assert "line 3 has 2 fields" in str(error)


def test_a_column_whose_chunks_disagree_is_typed_from_all_its_values(tmp_path):
    """pandas parses a large file in chunks: a column of numbers whose text values come
    only in a later chunk is read whole again, as text with its numbers as written (and
    the other columns as they were)."""
    rows = 300_000
    codes = [str(i % 97) for i in range(rows)]
    codes[-1] = "unknown"
    lines = ["code,x"] + [f"{c},{i * 0.5}" for i, c in enumerate(codes)]
    table = read_table(write(tmp_path, "\n".join(lines) + "\n"))
    frame = table.frame
    assert str(frame["code"].dtype) in ("str", "string")
    assert frame["code"].iloc[0] == "0" and frame["code"].iloc[-1] == "unknown"
    assert frame["code"].iloc[96] == "96"
    assert frame["x"].dtype == float and frame["x"].iloc[-1] == (rows - 1) * 0.5


def test_binary_file_is_a_data_error(tmp_path):
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x10")
    error = read_error(path)
    assert str(path) in str(error)
    assert "binary" in str(error)


def test_utf16_file_with_bom_is_read_with_a_notice(tmp_path):
    table = read_table(write(tmp_path, "a,b\n1,x\n2,y\n".encode("utf-16")))
    assert table.frame["b"].tolist() == ["x", "y"]
    assert table.encoding == "utf-16"
    assert any("UTF-16" in n for n in table.notices)


@pytest.mark.parametrize(
    "content",
    [b"a,b\n1,\x002\n", "a,b\n1,2\n3,4\n".encode("utf-16-le")],
    ids=["nul-in-utf8", "utf16le-no-bom"],
)
def test_nul_bytes_in_valid_utf8_are_a_data_error(tmp_path, content):
    error = read_error(write(tmp_path, content))
    assert "binary" in str(error)
