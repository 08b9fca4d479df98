"""Reading a CSV file into a DataFrame, with every failure named by file and line.

Real-world CSV files arrive in Windows encodings, with semicolons, with a byte-order mark,
with ``?`` or ``n/a`` for missing values and with stray spaces around values. This module
absorbs those (and says so in a notice) and turns what it cannot absorb — a missing file,
an empty file, a ragged row, duplicated column names — into a ``DataError``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

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


CHUNK = 1 << 20  # bytes read at a time: the file is streamed, never held whole
SNIFF_LINES = 50


@dataclass(frozen=True)
class _Scan:
    """What one streaming pass over the file's bytes found."""

    sha256: str
    blank: bool  # nothing but white space
    encoding: str  # the codec pandas and the csv module read it with
    notices: tuple[str, ...]


def _open_source(path: str) -> BinaryIO:
    """The file (or stdin's bytes) as a binary stream; ``DataError`` naming what is wrong."""
    if path == STDIN:
        return io.BytesIO(sys.stdin.buffer.read())  # a pipe can be read once: keep it
    file = Path(path)
    if not file.exists():
        raise DataError(f"{path}: file not found", "check the path")
    if file.is_dir():
        raise DataError(f"{path}: is a folder, not a CSV file")
    try:
        return file.open("rb")
    except OSError as error:
        raise DataError(f"{path}: cannot read the file ({error.strerror})") from error


def _valid(stream: BinaryIO, codec: str) -> bool:
    """Whether the whole stream decodes with ``codec`` (streamed, nothing kept)."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _scan(stream: BinaryIO, source: str) -> _Scan:
    """Hash the bytes, and choose the encoding: UTF-16 with a byte-order mark, else UTF-8
    (a BOM dropped), else cp1252, else latin-1 (which decodes anything) — one pass over
    the file for the hash and UTF-8 check, a second only for a file that is not UTF-8."""
    digest = hashlib.sha256()
    head = stream.read(65536)
    stream.seek(0)
    blank = True
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        if blank and chunk.strip():
            blank = False
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    sha = digest.hexdigest()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if not _valid(stream, "utf-16"):
            raise DataError(f"{source}: not readable as UTF-16 text", "save it as UTF-8")
        return _Scan(sha, blank, "utf-16", (f"{source} is UTF-16 text; read it as such",))
    if b"\x00" in head:
        raise DataError(
            f"{source}: looks like a binary file (or UTF-16 text without a byte-order mark), "
            "not a CSV file",
            "save it as CSV in UTF-8",
        )
    if utf8:
        return _Scan(sha, blank, "utf-8-sig", ())
    encoding = "cp1252" if _valid(stream, "cp1252") else "latin-1"
    return _Scan(sha, blank, encoding, (f"{source} is not UTF-8; read it as {encoding}",))


@contextmanager
def _text(stream: BinaryIO, encoding: str) -> Iterator[io.TextIOWrapper]:
    """The stream from its start as text; ``newline=""`` lets the csv module split lines
    itself (a bare "\r" ends a line too). The binary stream stays open for the next use."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        yield text
    finally:
        text.detach()


def _sniff_delimiter(stream: BinaryIO, encoding: str) -> str:
    with _text(stream, encoding) as text:
        sample = "".join(itertools.islice(text, SNIFF_LINES))
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _check_structure(stream: BinaryIO, encoding: str, delimiter: str, source: str) -> list[str]:
    """Header names must be unique; every non-blank line must have as many fields.

    pandas pads a short line with missing values and turns a long one into an index
    column; both usually mean a broken file, so they are errors here. ``line_num`` counts
    physical lines, so the line named is right even after a quoted value spanning lines.
    The rows are streamed: only their field counts are looked at.
    """
    with _text(stream, encoding) as text:
        reader = csv.reader(text, delimiter=delimiter, skipinitialspace=True)
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
    if not _fields_agree(stream, encoding, delimiter, len(header)):
        _check_rows(stream, encoding, delimiter, len(header), source)
    return names


def _check_rows(stream: BinaryIO, encoding: str, delimiter: str, width: int, source: str) -> None:
    """Read the rows one by one: every non-blank one has ``width`` fields, else a
    ``DataError`` naming the first line that does not."""
    with _text(stream, encoding) as text:
        reader = csv.reader(text, delimiter=delimiter, skipinitialspace=True)
        try:
            next(reader, [])
            for row in reader:
                if len(row) != width and row and any(field.strip() for field in row):
                    raise DataError(
                        f"{source}: line {reader.line_num} has {len(row)} fields but the "
                        f"header has {width}",
                        "check for an unquoted delimiter or a missing value in that line",
                    )
        except csv.Error as error:
            raise DataError(f"{source}: line {reader.line_num}: {error}") from error


def _fields_agree(stream: BinaryIO, encoding: str, delimiter: str, width: int) -> bool:
    """A fast check for the common file — no quotes, one delimiter fewer than ``width``
    on every line after the header — counting delimiter bytes a megabyte at a time with
    numpy (the csv module takes seconds on a million rows). False means "not shown":
    the rows are then read one by one to find and name the line at fault."""
    if encoding == "utf-16":  # the delimiter is not one byte
        return False
    import numpy as np

    separator, newline = ord(delimiter), ord("\n")
    stream.seek(0)
    carry, header = b"", True
    while True:
        chunk = stream.read(CHUNK)
        block = carry + chunk
        end = len(block) if not chunk else block.rfind(b"\n") + 1
        block, carry = block[:end], block[end:]
        if b'"' in block or block.count(b"\r") != block.count(b"\r\n"):
            return False  # quoted values, or lines that end in a bare carriage return
        if block and not block.endswith(b"\n"):
            block += b"\n"  # the last line, without its line break
        data = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(data == newline)
        before = np.cumsum(data == separator, dtype=np.int64)[ends] if len(ends) else ends
        counts = np.diff(before, prepend=0)
        if header and len(counts):
            counts, header = counts[1:], False
        if np.any(counts != width - 1):
            return False
        if not chunk:
            return True


def _parse(stream: BinaryIO, encoding: str, delimiter: str, source: str) -> pd.DataFrame:
    """pandas parses the file in chunks (``low_memory``: half the time and less memory
    than at once); a column whose chunks disagree — numbers in one, text in another —
    comes back as mixed objects, and only such columns are parsed again whole, so every
    column is typed from all of its values. A file is parsed from its path: pandas reads
    UTF-8 bytes itself there, where a stream goes through Python's decoder (twice as
    slow)."""
    origin: BinaryIO | str = stream if source == STDIN else source
    options: dict = {
        "encoding": encoding,
        "sep": delimiter,
        "na_values": sorted(NA_TOKENS),
        "keep_default_na": False,
        "skipinitialspace": True,
    }
    try:
        stream.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            frame = pd.read_csv(origin, **options)
        mixed = [i for i, dtype in enumerate(frame.dtypes) if pd.api.types.is_object_dtype(dtype)]
        if mixed:
            stream.seek(0)
            whole = pd.read_csv(origin, usecols=mixed, low_memory=False, **options)
            for position, name in zip(mixed, whole.columns, strict=True):
                frame.isetitem(position, whole[name])
        return frame
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
        # What the column's distinct values become decides what is done to all of it:
        # most text columns need neither stripping nor parsing, and looking at each row
        # would cost more than reading the file.
        levels = pd.Series(pd.unique(column.dropna()), dtype=column.dtype)
        cleaned = levels.str.strip()
        cleaned = cleaned.mask(cleaned.isin(NA_TOKENS)).dropna()
        if len(cleaned) != len(levels) or not cleaned.equals(levels):
            column = column.str.strip()
            column = column.mask(column.isin(NA_TOKENS))
        parsed = pd.to_numeric(pd.Series(cleaned.unique(), dtype=object), errors="coerce")
        if len(cleaned) and parsed.notna().all():
            frame[name] = pd.to_numeric(column, errors="coerce")
        elif column is not frame[name]:
            frame[name] = column
    return frame


def read_table(path: str | Path) -> RawTable:
    """Read a CSV file (``-`` for stdin) into a ``RawTable``; ``DataError`` on failure.

    The file is streamed — hashed and its encoding checked in one pass, its structure in
    another, then parsed by pandas from the file itself — so reading it takes little more
    memory than pandas' own ``read_csv`` (never the bytes, the decoded text and its lines
    at once).
    """
    source = str(path)
    with _open_source(source) as stream:
        scan = _scan(stream, source)
        if scan.blank:
            raise DataError(f"{source}: file is empty", "a CSV file needs a header row and rows")
        notices = list(scan.notices)
        delimiter = _sniff_delimiter(stream, scan.encoding)
        if delimiter != ",":
            notices.append(f"{source}: columns are separated by {delimiter!r}")
        names = _check_structure(stream, scan.encoding, delimiter, source)
        if not any(names):
            raise DataError(f"{source}: the header row has no column names")
        frame = _clean_text(_parse(stream, scan.encoding, delimiter, source))
    if frame.shape[0] == 0:
        raise DataError(f"{source}: has a header but no rows")
    return RawTable(
        frame=frame,
        source=source,
        sha256=scan.sha256,
        encoding="utf-8" if scan.encoding == "utf-8-sig" else scan.encoding,
        delimiter=delimiter,
        notices=tuple(notices),
    )
