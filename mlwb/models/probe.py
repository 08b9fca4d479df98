"""Does the library accept the recipe's model parameters? Asked before any real fit.

A value such as ``num_leaves: -5`` passes the recipe schema (it is a number) and mlwb's own
check (``num_leaves`` is a parameter of LightGBM); only the library knows it is invalid,
and it says so only when fitting — in ``mlwb fit`` after minutes of work, deep inside
cross-validation. scikit-learn has no public way to validate parameters without fitting
(its ``_validate_params`` is private), and the boosting libraries check theirs in C++ when
training starts. So ``rejected_parameters`` fits the bare model — the catalogue's estimator
with the recipe's fixed parameters — on a small synthetic dataset of the right task, which
takes milliseconds, and when that fails, fits each parameter alone to find the ones the
library rejects (its messages name C++ aliases — ``min_data_in_leaf`` for
``min_child_samples`` — or nothing at all: ``L2LeafRegularizer should be >= 0``).

A failure is only blamed on the parameters when the catalogue's defaults fit the same
data: the probe answers "is this value acceptable", never "is this data acceptable". The
caller confirms on the real rows, since some limits depend on the data's shape (a list of
per-class priors or per-column constraints must match the real classes or columns, not
the probe's).

``library_reason`` turns a library's exception into the short reason shown to the user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlwb.models.adapter import is_wrapper, route_params
from mlwb.models.quiet import library_output_captured
from mlwb.models.spec import ModelContext, ModelSpec

PROBE_FEATURES = 8
MIN_PROBE_ROWS = 60
# "… at /__w/LightGBM/LightGBM/src/io/config_auto.cpp, line 352 ." (LightGBM)
_SOURCE_SUFFIX = re.compile(r"\s+at \S+, line \d+\s*\.?\s*$")
# "catboost/private/libs/options/json_helper.h:41: …" (CatBoost),
# "[12:30:00] /workspace/src/learner.cc:742: …" (XGBoost)
_SOURCE_PREFIX = re.compile(r"^(?:\[[\d:]+\]\s+)?[\w./-]+\.(?:h|hpp|c|cc|cpp|cu):\d+:\s*")
MAX_REASON = 200


@dataclass(frozen=True)
class Rejection:
    """Parameters a library refused (all of them when only the combination fails)."""

    params: tuple[str, ...]
    reason: str
    estimator: str


def library_reason(error: BaseException) -> str:
    """The library's message as one short line: its first line, without the C++ source
    location some libraries prepend or append."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    text = _SOURCE_PREFIX.sub("", _SOURCE_SUFFIX.sub("", text)).strip()
    return text if len(text) <= MAX_REASON else text[:MAX_REASON] + "…"


def probe_data(task: str, n_classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small learnable dataset for ``task``: numeric features, balanced class codes
    ``0..n_classes-1`` (or a continuous target)."""
    rng = np.random.default_rng(seed)
    classes = max(n_classes, 2)
    rows = max(MIN_PROBE_ROWS, 12 * classes)
    X = rng.normal(size=(rows, PROBE_FEATURES))
    if task == "regression":
        y: np.ndarray = X @ rng.normal(size=PROBE_FEATURES) + rng.normal(scale=0.1, size=rows)
        return X, y
    y = np.arange(rows) % classes
    X[:, 0] += y  # a signal, so every model finds splits and coefficients
    return X, y


def _estimator_name(estimator: Any) -> str:
    inner = estimator.estimator if is_wrapper(estimator) else estimator
    return type(inner).__name__


def _fit_error(
    spec: ModelSpec, context: ModelContext, params: Mapping[str, Any], data: tuple[Any, Any]
) -> BaseException | None:
    """The exception fitting the bare model with ``params`` raises, or None."""
    estimator = spec.build(context)
    try:
        estimator.set_params(**route_params(estimator, dict(params)))
        with library_output_captured():
            estimator.fit(*data)
    except Exception as error:  # noqa: BLE001 - the question is whether the library accepts the values
        return error
    return None


def _rescued(
    spec: ModelSpec,
    context: ModelContext,
    values: Mapping[str, Any],
    searched: Mapping[str, Sequence[Any]],
    data: tuple[Any, Any],
) -> bool:
    """True when one value the search will try makes the library accept ``values``
    (``l1_ratio: 1.0`` fails with the default solver but not with ``solver: saga``)."""
    for name, options in searched.items():
        if name in values:
            continue
        for option in options:
            if _fit_error(spec, context, {**values, name: option}, data) is None:
                return True
    return False


def rejected_parameters(
    spec: ModelSpec,
    context: ModelContext,
    params: Mapping[str, Any],
    n_classes: int = 2,
    searched: Mapping[str, Sequence[Any]] | None = None,
) -> Rejection | None:
    """The parameters of ``params`` the library rejects, with its reason; None when it
    accepts them, or when the probe cannot tell (the defaults fail on the probe data too).

    ``searched`` holds values a search will give the other parameters (each choice, each
    range's bounds): a fixed value that one of them makes acceptable is not rejected — the
    search's failing trials are skipped, with a notice, and the others go on.
    """
    if not params or spec.family in ("dummy", "ensemble"):
        return None
    data = probe_data(context.task, n_classes, context.seed)
    error = _fit_error(spec, context, params, data)
    if error is None or _fit_error(spec, context, {}, data) is not None:
        return None
    alone = {name: _fit_error(spec, context, {name: params[name]}, data) for name in params}
    blamed = tuple(name for name, failure in alone.items() if failure is not None)
    if blamed:
        error = alone[blamed[0]] or error
    blamed = blamed or tuple(params)
    if _rescued(spec, context, {p: params[p] for p in blamed}, searched or {}, data):
        return None
    return Rejection(blamed, library_reason(error), _estimator_name(spec.build(context)))
