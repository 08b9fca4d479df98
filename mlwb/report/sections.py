"""The content of a run report, as sections of plain blocks, built from the run folder's
documents (``metrics.json``, ``diagnostics.json``) alone; ``markdown.py`` and ``html.py``
only serialise it, so the two reports always say the same thing."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mlwb.metrics import METRICS


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Figure:
    file: str
    caption: str


@dataclass
class Section:
    title: str
    blocks: list[Any] = field(default_factory=list)


def _f(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _ms(summary: dict[str, Any]) -> str:
    mean, std = summary.get("mean"), summary.get("std")
    return f"{_f(mean)} ± {_f(std)}" if std is not None else _f(mean)


def _overview(metrics: dict[str, Any]) -> Section:
    data = metrics["dataset"]
    lines = [
        f"Data: `{data['source']}` — {data['rows']} rows, {data['task']} task, target "
        f"`{data['target']}`"
        + (f" (positive class `{data['positive']}`)" if data.get("positive") is not None else "")
        + ".",
        f"Validation: {metrics['validation']}"
        + (
            f"; tuned on inner {metrics['inner_validation']}"
            if metrics.get("inner_validation")
            else ""
        )
        + f". Primary metric: `{metrics['primary_metric']}`. Seed {metrics['seed']}.",
    ]
    if data.get("holdout_rows"):
        lines.append(f"Holdout: {data['holdout_rows']} rows kept back and scored once.")
    return Section("Overview", lines)


def _leaderboard(metrics: dict[str, Any]) -> Section:
    primary = metrics["primary_metric"]
    names = metrics["metrics"]
    rows = []
    models = metrics["models"]
    sign = -1.0 if METRICS[primary].greater_is_better else 1.0

    def key(name: str) -> tuple[bool, float]:
        mean = models[name]["summary"][primary]["mean"]
        return (mean is None, sign * (mean if mean is not None else 0.0))

    order = sorted(models, key=key)
    tuned = any(model.get("tuning") for model in models.values())
    for rank, name in enumerate(order, start=1):
        model = models[name]
        label = f"**{name}** (best)" if name == metrics["best_model"] else name
        if model.get("baseline"):
            label += " (baseline)"
        cells = [str(rank), label, _ms(model["summary"][primary])]
        cells += [_f(model["summary"][m]["mean"]) for m in names if m != primary]
        if tuned:
            tuning = model.get("tuning")
            cells.append(_f(tuning["optimism"]) if tuning else "—")
        rows.append(cells)
    headers = [
        "rank",
        "model",
        f"{primary} (mean ± std)",
        *[m for m in names if m != primary],
        *(["optimism"] if tuned else []),
    ]
    return Section("Leaderboard (outer cross-validation, validation means)", [Table(headers, rows)])


def _best(metrics: dict[str, Any]) -> Section:
    name = metrics["best_model"]
    model = metrics["models"][name]
    rows = [[m, _ms(s), _f(s["train_mean"]), _f(s["gap"])] for m, s in model["summary"].items()]
    blocks: list[Any] = [Table(["metric", "validation", "train", "gap"], rows)]
    steps = " → ".join(s["step"] for s in model.get("pipeline", []))
    if steps:
        blocks.append(f"Pipeline: {steps}; every learned step is fitted on training rows only.")
    decision = model.get("decision")
    if decision and decision.get("thresholds"):
        at, half = decision["at_threshold"] or {}, decision["at_default_threshold"] or {}
        blocks.append(
            f"Decision threshold per outer fold: "
            f"{', '.join(f'{t:.3f}' for t in decision['thresholds'])}."
        )
        blocks.append(
            Table(
                ["threshold", "precision", "recall", "f1"],
                [
                    ["tuned", _f(at.get("precision")), _f(at.get("recall")), _f(at.get("f1"))],
                    ["0.5", _f(half.get("precision")), _f(half.get("recall")), _f(half.get("f1"))],
                ],
            )
        )
        if decision.get("constraint_unmet_folds"):
            blocks.append(
                "The threshold constraint could not be met on outer fold(s) "
                f"{', '.join(map(str, decision['constraint_unmet_folds']))}."
            )
    if decision and decision.get("before_calibration"):
        before, after = decision["before_calibration"], decision["after_calibration"]
        blocks.append(
            f"{decision['calibration']} calibration: Brier {_f(before['brier'])} → "
            f"{_f(after['brier'])}, log loss {_f(before['log_loss'])} → "
            f"{_f(after['log_loss'])}."
        )
    tuning = model.get("tuning")
    if tuning:
        blocks.append(
            f"Nested CV ({tuning['strategy']} search, {tuning['trials']} trials): "
            f"outer {_f(tuning['outer_mean'])} (honest), inner best "
            f"{_f(tuning['inner_mean'])} (optimistic), optimism gap "
            f"{_f(tuning['optimism'])}."
        )
    final = metrics.get("final_model") or {}
    if final.get("params"):
        params = ", ".join(f"`{k}={v}`" for k, v in final["params"].items())
        blocks.append(f"Final model parameters: {params}.")
    if metrics.get("holdout"):
        blocks.append(
            Table(["holdout metric", "value"], [[m, _f(v)] for m, v in metrics["holdout"].items()])
        )
    return Section(f"Best model: {name}", blocks)


def _diagnostics(diagnostics: dict[str, Any], figures: set[str], top: int) -> list[Section]:
    sections = []
    for curve in diagnostics.get("learning_curves") or []:
        verdict = curve["verdict"]
        blocks: list[Any] = []
        name = f"learning_curve_{curve['model']}.svg"
        if name in figures:
            blocks.append(Figure(name, f"Learning curve of {curve['model']}"))
        blocks.append(f"**Verdict: {verdict['headline']}** — {verdict['evidence']}.")
        blocks.append([*verdict["remedies"]])
        blocks.append(f"Rule: {verdict['rule']}.")
        rows = [
            [str(s), _f(t), _f(v), _f(sd)]
            for s, t, v, sd in zip(
                curve["sizes"],
                curve["train_mean"],
                curve["valid_mean"],
                curve["valid_std"],
                strict=True,
            )
        ]
        blocks.append(Table(["training rows", "train", "validation", "validation std"], rows))
        if curve.get("skipped"):
            sizes = ", ".join(map(str, curve["skipped"]))
            blocks.append(f"Not drawn: {sizes} training rows (a fold could not be fitted).")
        sections.append(Section(f"Learning curve — {curve['model']}", blocks))
    if diagnostics.get("validation_curve") and "validation_curve.svg" in figures:
        curve = diagnostics["validation_curve"]
        sections.append(
            Section(
                f"Validation curve — {curve['model']}.{curve['param']}",
                [Figure("validation_curve.svg", "Validation curve")],
            )
        )
    evaluation: list[Any] = []
    for file, caption in (
        ("confusion_matrix.svg", "Confusion matrix (out-of-fold)"),
        ("roc.svg", "ROC curve"),
        ("precision_recall.svg", "Precision–recall curve"),
        ("calibration.svg", "Reliability curve"),
        ("residuals.svg", "Residuals and predicted against actual"),
    ):
        if file in figures:
            evaluation.append(Figure(file, caption))
    classification = diagnostics.get("classification")
    if classification:
        headers = ["actual \\ predicted", *classification["classes"]]
        rows = [
            [c, *map(str, row)]
            for c, row in zip(classification["classes"], classification["confusion"], strict=True)
        ]
        evaluation.insert(0, Table(headers, rows))
    if evaluation:
        sections.append(Section("Out-of-fold predictions of the best model", evaluation))
    for key, file, title in (
        ("permutation", "importance.svg", "Permutation importance"),
        ("model_importance", "model_importance.svg", "The model's own importance"),
    ):
        data = diagnostics.get(key)
        if not data:
            continue
        blocks = [Figure(file, title)] if file in figures else []
        rows = [
            [f, _f(m), _f(s)]
            for f, m, s in list(zip(data["features"], data["mean"], data["std"], strict=True))[:top]
        ]
        blocks.append(Table(["feature", "mean", "std"], rows))
        if key == "permutation":
            blocks.insert(
                0,
                f"Drop in `{data['metric']}` when one column is shuffled in the "
                "held-out rows of each outer fold (mean ± std over folds and "
                "repeats).",
            )
        sections.append(Section(title, blocks))
    return sections


def _gates(metrics: dict[str, Any]) -> Section | None:
    gates = metrics.get("gates") or []
    if not gates:
        return None
    rows = [
        ["passed" if g["passed"] else "FAILED", g["gate"], _f(g["value"]), g["source"]]
        for g in gates
    ]
    return Section("Quality gates", [Table(["result", "gate", "value", "checked on"], rows)])


def build_sections(
    metrics: dict[str, Any], diagnostics: dict[str, Any] | None, figures: set[str], top: int = 15
) -> list[Section]:
    """Every section of the report, in order."""
    sections = [_overview(metrics), _leaderboard(metrics), _best(metrics)]
    gates = _gates(metrics)
    if gates:
        sections.insert(1, gates)
    if diagnostics:
        sections += _diagnostics(diagnostics, figures, top)
    if metrics.get("notices"):
        sections.append(Section("Notes", [list(metrics["notices"])]))
    return sections
