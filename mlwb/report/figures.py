"""SVG figures from ``diagnostics.json`` (matplotlib, non-interactive backend)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

WIDTH, HEIGHT = 6.4, 3.8


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {"svg.hashsalt": "mlwb", "font.size": 9, "axes.grid": True, "grid.alpha": 0.3}
    )
    return plt


def _svg(figure: Any) -> str:
    plt = _pyplot()
    buffer = io.StringIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    return buffer.getvalue()


def inline_svg(svg: str) -> str:
    """An SVG document made fit to sit inside HTML: no XML prologue, no DOCTYPE, no
    metadata and no namespace URLs (an HTML parser supplies them)."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    return svg.replace("xlink:href", "href")


def learning_curve(curve: dict[str, Any]) -> str:
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    sizes = curve["sizes"]
    for key, label, color in (
        ("train", "train", "tab:blue"),
        ("valid", "validation", "tab:orange"),
    ):
        mean, std = curve[f"{key}_mean"], curve[f"{key}_std"]
        ax.plot(sizes, mean, "o-", color=color, label=label)
        ax.fill_between(
            sizes,
            [m - s for m, s in zip(mean, std, strict=True)],
            [m + s for m, s in zip(mean, std, strict=True)],
            color=color,
            alpha=0.15,
        )
    ax.set_xlabel("training rows")
    ax.set_ylabel(curve["metric"])
    ax.set_title(f"learning curve — {curve['model']}: {curve['verdict']['headline']}")
    ax.legend(loc="best")
    return _svg(figure)


def validation_curve(curve: dict[str, Any]) -> str:
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    labels = [str(v) for v in curve["values"]]
    x = list(range(len(labels)))
    ax.plot(x, curve["train_mean"], "o-", label="train")
    ax.errorbar(
        x, curve["valid_mean"], yerr=curve["valid_std"], fmt="o-", label="validation", capsize=3
    )
    ax.set_xticks(x, labels)
    ax.set_xlabel(curve["param"])
    ax.set_ylabel(curve["metric"])
    ax.set_title(f"validation curve — {curve['model']}")
    ax.legend(loc="best")
    return _svg(figure)


def confusion(classification: dict[str, Any]) -> str:
    plt = _pyplot()
    import numpy as np

    matrix = np.asarray(classification["confusion"], dtype=float)
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = max(3.0, 1.2 * len(matrix) + 1.5)
    figure, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    classes = classification["classes"]
    ax.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.grid(False)
    for i in range(len(matrix)):
        for j in range(len(matrix)):
            ax.text(
                j,
                i,
                f"{int(matrix[i, j])}\n{share[i, j]:.0%}",
                ha="center",
                va="center",
                color="white" if share[i, j] > 0.5 else "black",
            )
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    threshold = classification.get("threshold")
    ax.set_title("confusion matrix" + (f" at threshold {threshold:.3f}" if threshold else ""))
    figure.colorbar(image, ax=ax, fraction=0.046)
    return _svg(figure)


def _curve(
    x: list[float],
    y: list[float],
    point: list[float] | None,
    xlabel: str,
    ylabel: str,
    title: str,
    diagonal: bool,
    threshold: float | None,
) -> str:
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(4.6, 4.0))
    ax.plot(x, y, color="tab:blue")
    if diagonal:
        ax.plot([0, 1], [0, 1], "--", color="grey", linewidth=1)
    if point is not None:
        ax.plot(
            [point[0]],
            [point[1]],
            "o",
            color="tab:red",
            label=f"threshold {threshold:.3f}" if threshold is not None else "threshold",
        )
        ax.legend(loc="lower right" if diagonal else "upper right")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return _svg(figure)


def roc(c: dict[str, Any]) -> str:
    return _curve(
        c["roc_fpr"],
        c["roc_tpr"],
        c.get("roc_point"),
        "false positive rate",
        "true positive rate",
        "ROC curve (out-of-fold)",
        True,
        c.get("threshold"),
    )


def precision_recall(c: dict[str, Any]) -> str:
    return _curve(
        c["pr_recall"],
        c["pr_precision"],
        c.get("pr_point"),
        "recall",
        "precision",
        "precision–recall curve (out-of-fold)",
        False,
        c.get("threshold"),
    )


def reliability(c: dict[str, Any]) -> str:
    return _curve(
        c["reliability_predicted"],
        c["reliability_observed"],
        None,
        "predicted probability",
        "observed frequency",
        "calibration (reliability) curve",
        True,
        None,
    )


def residuals(points: dict[str, Any]) -> str:
    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(WIDTH + 1.5, HEIGHT))
    actual, predicted = points["actual"], points["predicted"]
    left.scatter(predicted, [a - p for a, p in zip(actual, predicted, strict=True)], s=8, alpha=0.5)
    left.axhline(0, color="grey", linestyle="--", linewidth=1)
    left.set_xlabel("predicted")
    left.set_ylabel("residual (actual − predicted)")
    left.set_title("residuals")
    right.scatter(actual, predicted, s=8, alpha=0.5)
    low, high = min(actual + predicted), max(actual + predicted)
    right.plot([low, high], [low, high], "--", color="grey", linewidth=1)
    right.set_xlabel("actual")
    right.set_ylabel("predicted")
    right.set_title("predicted against actual")
    return _svg(figure)


def importance(data: dict[str, Any], top: int) -> str:
    plt = _pyplot()
    features = list(reversed(data["features"][:top]))
    means = list(reversed(data["mean"][:top]))
    stds = list(reversed(data["std"][:top]))
    figure, ax = plt.subplots(figsize=(WIDTH, max(2.0, 0.28 * len(features) + 1)))
    ax.barh(features, means, xerr=stds if any(stds) else None, color="tab:blue", alpha=0.8)
    metric = data.get("metric")
    ax.set_xlabel(f"{metric} lost when shuffled" if metric else data["kind"])
    ax.set_title(
        "permutation importance (held-out folds)" if data["kind"] == "permutation" else data["kind"]
    )
    return _svg(figure)


def build_figures(diagnostics: dict[str, Any], top: int = 15) -> dict[str, str]:
    """Every figure the diagnostics allow, as ``{file name: SVG text}``."""
    makers: list[tuple[str, Callable[[], str]]] = []
    for curve in diagnostics.get("learning_curves") or []:
        makers.append((f"learning_curve_{curve['model']}.svg", lambda c=curve: learning_curve(c)))
    if diagnostics.get("validation_curve"):
        makers.append(
            ("validation_curve.svg", lambda: validation_curve(diagnostics["validation_curve"]))
        )
    classification = diagnostics.get("classification")
    if classification:
        makers.append(("confusion_matrix.svg", lambda: confusion(classification)))
        if classification.get("roc_fpr"):
            makers += [
                ("roc.svg", lambda: roc(classification)),
                ("precision_recall.svg", lambda: precision_recall(classification)),
                ("calibration.svg", lambda: reliability(classification)),
            ]
    if diagnostics.get("regression"):
        makers.append(("residuals.svg", lambda: residuals(diagnostics["regression"])))
    for key, name in (
        ("permutation", "importance.svg"),
        ("model_importance", "model_importance.svg"),
    ):
        if diagnostics.get(key):
            makers.append((name, lambda k=key: importance(diagnostics[k], top)))
    return {name: make() for name, make in makers}
