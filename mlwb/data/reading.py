"""Reading a CSV file into a DataFrame, with every failure named by file and line.

Real-world CSV files arrive in Windows encodings, with semicolons, with a byte-order mark,
with ``?`` or ``n/a`` for missing values and with stray spaces around values. This module
absorbs those (and says so in a notice) and turns what it cannot absorb — a missing file,
an empty file, a ragged row, duplicated column names — into a ``DataError``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mlwb.errors import DataError

# Tokens read as missing: pandas' defaults plus "?" and spreadsheet error values. Words like
# "none" or "missing" stay values: they are often real category levels.
NA_TOKENS = frozenset(
    {
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
        "?",
        "n.a.",
        "#DIV/0!",
        "#VALUE!",
    }
)
DELIMITERS = ",;\t|"
STDIN = "-"


@dataclass(frozen=True)
class RawTable:
    """A CSV file as read: the frame (values stripped), its source, hash and read notes."""

    frame: pd.DataFrame
    source: str
    sha256: str
    encoding: str
    delimiter: str
    notices: tuple[str, ...] = field(default=())


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    file = Path(path)
    if not file.exists():
        raise DataError(f"{path}: file not found", "check the path")
    if file.is_dir():
        raise DataError(f"{path}: is a folder, not a CSV file")
    try:
        return file.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read the file ({error.strerror})") from error


def _decode(raw: bytes, source: str, notices: list[str]) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            notices.append(f"{source} is UTF-16 text; read it as such")
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise DataError(f"{source}: not readable as UTF-16 text", "save it as UTF-8") from error
    if b"\x00" in raw[:65536]:
        raise DataError(
            f"{source}: looks like a binary file (or UTF-16 text without a byte-order mark), "
            "not a CSV file",
            "save it as CSV in UTF-8",
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    notices.append(f"{source} is not UTF-8; read it as {encoding}")
    return text, encoding


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _check_structure(text: str, delimiter: str, source: str) -> list[str]:
    """Header names must be unique; every non-blank line must have as many fields.

    pandas pads a short line with missing values and turns a long one into an index
    column; both usually mean a broken file, so they are errors here. ``line_num`` counts
    physical lines, so the line named is right even after a quoted value spanning lines.
    """
    # newline="": the csv module splits lines itself (a bare "\r" ends a line too).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise DataError(f"{source}: line {reader.line_num}: {error}") from error
    names = [name.strip() for name in header]
    duplicates = sorted({n for n in names if n and names.count(n) > 1}, key=names.index)
    if duplicates:
        raise DataError(
            f"{source}: duplicated column names: {', '.join(repr(d) for d in duplicates)}",
            "rename them so every column has its own name",
        )
    try:
        for row in reader:
            if row and len(row) != len(header) and any(field.strip() for field in row):
                raise DataError(
                    f"{source}: line {reader.line_num} has {len(row)} fields but the header "
                    f"has {len(header)}",
                    "check for an unquoted delimiter or a missing value in that line",
                )
    except csv.Error as error:
        raise DataError(f"{source}: line {reader.line_num}: {error}") from error
    return names


def _parse(text: str, delimiter: str, source: str) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            na_values=sorted(NA_TOKENS),
            keep_default_na=False,
            skipinitialspace=True,
            low_memory=False,
        )
    except pd.errors.EmptyDataError as error:
        raise DataError(f"{source}: file is empty", "a CSV file needs a header row") from error
    except pd.errors.ParserError as error:
        raise DataError(f"{source}: not a readable CSV file ({error})") from error


def _clean_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip values, read NA tokens that had trailing spaces, and re-type number columns."""
    frame.columns = [str(c).strip() for c in frame.columns]
    for name in frame.columns:
        column = frame[name]
        if not isinstance(column.dtype, pd.StringDtype):
            continue
        stripped = column.str.strip()
        stripped = stripped.mask(stripped.isin(NA_TOKENS))
        numbers = pd.to_numeric(stripped, errors="coerce")
        if stripped.notna().any() and numbers.notna().sum() == stripped.notna().sum():
            frame[name] = numbers
        else:
            frame[name] = stripped
    return frame


def read_table(path: str | Path) -> RawTable:
    """Read a CSV file (``-`` for stdin) into a ``RawTable``; ``DataError`` on failure."""
    source = str(path)
    raw = _read_bytes(source)
    if not raw.strip():
        raise DataError(f"{source}: file is empty", "a CSV file needs a header row and rows")
    notices: list[str] = []
    text, encoding = _decode(raw, source, notices)
    delimiter = _sniff_delimiter(text)
    if delimiter != ",":
        notices.append(f"{source}: columns are separated by {delimiter!r}")
    names = _check_structure(text, delimiter, source)
    if not any(names):
        raise DataError(f"{source}: the header row has no column names")
    frame = _clean_text(_parse(text, delimiter, source))
    if frame.shape[0] == 0:
        raise DataError(f"{source}: has a header but no rows")
    return RawTable(
        frame=frame,
        source=source,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=encoding,
        delimiter=delimiter,
        notices=tuple(notices),
    )
