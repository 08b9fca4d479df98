"""CSV files (mlwb/documents/_csv.py): formatted per distinct value, byte for byte what
pandas writes with ``float_format="%.6g"``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mlwb.documents import frame_to_csv

FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 1e-5, 123456.5, 1e6, 0.1 + 0.2, float("nan")]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(FLOATS, min_size=0, max_size=30),
    st.sampled_from(["float64", "float32"]),
    st.booleans(),
)
def test_the_text_is_what_pandas_writes(values, dtype, single):
    with np.errstate(over="ignore"):  # float32 holds a huge value as inf, as intended
        frame = pd.DataFrame({"x": np.asarray(values, dtype=dtype)})
    if not single:
        frame["name"] = [f"m{i % 3}" for i in range(len(values))]
        frame["row"] = np.arange(len(values)) + 1
        frame["y"] = np.asarray(values[::-1], dtype=float)
    expected = frame.to_csv(index=False, float_format="%.6g")
    assert frame_to_csv(frame) == expected


def test_a_file_is_written_the_same_way(tmp_path):
    frame = pd.DataFrame({"model": ["a", "b"], "score": [0.123456789, np.nan]})
    frame_to_csv(frame, tmp_path / "f.csv")
    assert (tmp_path / "f.csv").read_text() == "model,score\na,0.123457\nb,\n"
    assert frame["score"].dtype == float, "the caller's frame is left as it was"
