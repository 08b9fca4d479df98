"""``mlwb evaluate MODEL DATA``: a saved model scored on labelled rows it has not seen.

The rows go through the same data-contract checks as ``predict``; the labels are matched to
the classes saved with the model; the metrics are the run's own (saved with the model),
computed at the saved decision threshold — the numbers the model will really deliver —
and the command's gates are checked on them here, as ``fit`` and ``compare`` check theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlwb.artifacts import SavedModel, load_model, model_key
from mlwb.compare.gates import Gate, check_gates
from mlwb.data.reading import read_table
from mlwb.data.target import check_finite
from mlwb.errors import DataError
from mlwb.evaluation import as_predictions
from mlwb.metrics import DEFAULT_METRICS, MetricContext, compute_metrics
from mlwb.results import ExternalEvaluation
from mlwb.suggest import did_you_mean


def _key(value: Any) -> str:
    """Labels compared as text: ``1``, ``1.0`` and ``"1"`` are one class, as are
    ``True`` and ``"true"``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def _lines(mask: np.ndarray) -> str:
    positions = np.flatnonzero(mask)
    return ", ".join(str(p + 2) for p in positions[:5]) + (", …" if len(positions) > 5 else "")


def encode_labels(column: pd.Series, saved: SavedModel, source: str) -> np.ndarray:
    """The target column as class codes (or floats for regression); ``DataError`` naming
    the lines of missing or unknown labels."""
    contract = saved.contract
    missing = column.isna().to_numpy()
    if missing.any():
        raise DataError(
            f"{source}: target '{contract.target}' is missing in {int(missing.sum())} rows "
            f"(lines {_lines(missing)})",
            "evaluate needs a label on every row; remove those rows or use mlwb predict",
        )
    if contract.task == "regression":
        values = pd.to_numeric(column, errors="coerce").astype(float)
        bad = values.isna().to_numpy()
        if bad.any():
            raise DataError(
                f"{source}: target '{contract.target}' is not numeric on lines {_lines(bad)} "
                f"(e.g. {column[bad].iloc[0]!r})",
                "fix those values",
            )
        check_finite(values.rename(contract.target), source)  # the rule training applies
        return values.to_numpy()
    codes = {_key(label): k for k, label in enumerate(contract.classes)}
    mapped = column.map(lambda v: codes.get(_key(v), -1)).to_numpy(dtype=np.int64)
    unknown = mapped < 0
    if unknown.any():
        example = column[unknown].iloc[0]
        raise DataError(
            f"{source}: target '{contract.target}' has labels the model never saw on lines "
            f"{_lines(unknown)} (e.g. {example!r}; the model's classes: "
            f"{', '.join(map(str, contract.classes))})",
            "check the labels' spelling or that this model is the right one",
        )
    return mapped


def evaluate_table(
    saved: SavedModel, data: str | Path, gates: Sequence[Gate] = ()
) -> ExternalEvaluation:
    """Read ``data``, check it against the model's contract, score every metric, and check
    ``gates`` on those scores."""
    table = read_table(data)
    frame = table.frame
    contract = saved.contract
    if contract.target not in frame.columns:
        raise DataError(
            f"{table.source}: no target column '{contract.target}'"
            f"{did_you_mean(contract.target, [str(c) for c in frame.columns])}",
            "evaluate needs labelled rows; use mlwb predict for unlabelled ones",
        )
    y = encode_labels(frame[contract.target], saved, table.source)
    X, notices = contract.prepare(frame, table.source)
    meta = saved.meta
    task = contract.task
    metrics = tuple(meta.get("metrics") or DEFAULT_METRICS[task])  # type: ignore[index]
    context = MetricContext(
        task=task,  # type: ignore[arg-type]
        n_classes=max(len(contract.classes), 2),
        positive=_positive_index(saved),
        n_features=len(contract.columns),
        beta=float(meta.get("beta") or 1.0),
    )
    threshold = None
    confusion = None
    if task == "regression":
        labels = np.asarray(saved.model.predict(X), dtype=float)
        proba = None
    else:
        proba = saved.model.predict_proba(X)
        if task == "binary":
            threshold = saved.threshold if saved.threshold is not None else 0.5
            labels = saved.model.predict_codes(X, threshold)
        else:
            labels = proba.argmax(axis=1)
        n = len(contract.classes)
        matrix = np.zeros((n, n), dtype=int)
        np.add.at(matrix, (y, labels), 1)
        confusion = tuple(tuple(int(v) for v in row) for row in matrix)
    scores = compute_metrics(metrics, as_predictions(y, labels, proba, context), context)
    checked = check_gates(gates, scores, f"{table.source}, {len(frame)} rows")
    return ExternalEvaluation(
        model=str(meta.get("model", "")),
        task=task,
        source=table.source,
        rows=len(frame),
        metrics=scores,
        threshold=threshold,
        classes=tuple(contract.classes),
        confusion=confusion,
        cv_score=meta.get("cv_score"),
        primary=str(meta.get("metric") or metrics[0]),
        notices=tuple(table.notices) + saved.warnings + tuple(notices),
        gates=tuple(checked),
    )


def _positive_index(saved: SavedModel) -> int:
    """The positive class's code: as saved (checked by ``load_model``), else found by name."""
    if saved.meta.get("positive_index") is not None:
        return int(saved.meta["positive_index"])
    positive = saved.meta.get("positive")
    classes = [_key(c) for c in saved.contract.classes]
    if positive is not None and _key(positive) in classes:
        return classes.index(_key(positive))
    return 1 if len(classes) == 2 else 0


def load_and_evaluate(
    model_path: Path, data: str | Path, gates: Sequence[Gate] = (), trust_pickle: bool = False
) -> ExternalEvaluation:
    """Load the model at ``model_path`` (checked, and signed when ``MLWB_MODEL_KEY`` is
    set; a pickle only with ``trust_pickle``), score it on ``data`` and check ``gates``."""
    saved = load_model(model_path, trust_pickle=trust_pickle, key=model_key())
    return evaluate_table(saved, data, gates)
