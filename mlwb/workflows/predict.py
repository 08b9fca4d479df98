"""``mlwb predict``: apply a saved model to new rows after checking the data contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mlwb.artifacts import SavedModel, load_model, model_key
from mlwb.data.reading import read_table
from mlwb.errors import DataError
from mlwb.results import PredictionTable
from mlwb.suggest import did_you_mean


def predict_table(
    saved: SavedModel,
    data: str | Path,
    keep: tuple[str, ...] = (),
    threshold: float | None = None,
) -> PredictionTable:
    """Read ``data``, check it against the model's contract, and predict every row."""
    table = read_table(data)
    frame = table.frame
    for name in keep:
        if name not in frame.columns:
            raise DataError(
                f"{table.source}: --keep: no column '{name}'"
                f"{did_you_mean(name, [str(c) for c in frame.columns])}"
            )
    X, notices = saved.contract.prepare(frame, table.source)
    contract = saved.contract
    out = frame[list(keep)].copy() if keep else pd.DataFrame(index=frame.index)
    used_threshold = None
    if contract.task == "regression":
        out["prediction"] = np.asarray(saved.model.predict(X), dtype=float)
    else:
        proba = saved.model.predict_proba(X)
        if contract.task == "binary":
            saved_threshold = saved.threshold if saved.threshold is not None else 0.5
            used_threshold = saved_threshold if threshold is None else threshold
            codes = saved.model.predict_codes(X, used_threshold)
        else:
            codes = proba.argmax(axis=1)
        classes = np.asarray(contract.classes, dtype=object)
        out["prediction"] = classes[codes]
        for k, label in enumerate(contract.classes):
            out[f"proba_{label}"] = proba[:, k]
    return PredictionTable(
        frame=out.reset_index(drop=True),
        model=str(saved.meta.get("model", "")),
        task=contract.task,
        threshold=used_threshold,
        notices=tuple(table.notices) + saved.warnings + tuple(notices),
    )


def load_and_predict(
    model_path: Path,
    data: str | Path,
    keep: tuple[str, ...] = (),
    threshold: float | None = None,
    trust_pickle: bool = False,
) -> PredictionTable:
    """Load the model at ``model_path`` (checked, and signed when ``MLWB_MODEL_KEY`` is
    set; a pickle only with ``trust_pickle``) and predict ``data``."""
    saved = load_model(model_path, trust_pickle=trust_pickle, key=model_key())
    return predict_table(saved, data, keep, threshold)
