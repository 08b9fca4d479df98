"""The three tasks mlwb learns, named once for every layer (the recipe, the catalogues of
models and metrics, the data) to share."""

from __future__ import annotations

from typing import Literal

Task = Literal["binary", "multiclass", "regression"]
CLASSIFICATION: frozenset[Task] = frozenset({"binary", "multiclass"})
REGRESSION: frozenset[Task] = frozenset({"regression"})
ALL_TASKS: frozenset[Task] = frozenset({"binary", "multiclass", "regression"})
