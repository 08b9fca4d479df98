"""The ``mlwb models --json`` document: the three catalogues a recipe names entries from —
models, feature-selection methods (``features.select``) and metrics — with what each
knows and the tasks it applies to. The console table is rendered from this document."""

from __future__ import annotations

from typing import Any

from mlwb.documents._common import header


def _model_entries(task: str | None) -> list[dict[str, Any]]:
    from mlwb.models import all_models

    return [
        {
            "name": spec.name,
            "summary": spec.summary,
            "tasks": sorted(spec.tasks),
            "family": spec.family,
            "needs_scaling": spec.needs_scaling,
            "categorical": spec.categorical,
            "handles_missing": spec.handles_missing,
            "class_weight": spec.class_weight,
            "losses": sorted(spec.losses),
            "early_stopping": spec.early_stopping,
            "default_space": dict(spec.default_space),
            "regression_space": (
                dict(spec.regression_space) if spec.regression_space is not None else None
            ),
        }
        for spec in all_models()
        if task is None or task in spec.tasks
    ]


def _selector_entries(task: str | None) -> list[dict[str, Any]]:
    from mlwb.pipeline.selection import SELECTORS

    return [
        {
            "name": spec.name,
            "kind": spec.kind,
            "summary": spec.summary,
            "tasks": sorted(spec.tasks),
            "learns_from": spec.learns_from,
            "options": list(spec.options),
            "keeps": spec.keeps,
        }
        for spec in SELECTORS.values()
        if task is None or task in spec.tasks
    ]


def _metric_entries(task: str | None) -> list[dict[str, Any]]:
    from mlwb.metrics import DEFAULT_METRICS, METRICS

    return [
        {
            "name": spec.name,
            "summary": spec.summary,
            "tasks": sorted(spec.tasks),
            "greater_is_better": spec.greater_is_better,
            "needs": spec.needs,
            "undefined_when": spec.undefined or None,
            "default_for": sorted(t for t, names in DEFAULT_METRICS.items() if name in names),
        }
        for name, spec in METRICS.items()
        if task is None or task in spec.tasks
    ]


def catalogue_document(task: str | None = None) -> dict[str, Any]:
    """``mlwb models --json``: every model, selection method and metric (of ``task``, or
    all), each with what it knows."""
    return {
        **header("models"),
        "task": task,
        "models": _model_entries(task),
        "selectors": _selector_entries(task),
        "metrics": _metric_entries(task),
    }
