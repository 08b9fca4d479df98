"""JSON documents and tables of comparisons: ``mlwb compare`` (both forms), ``evaluate``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlwb.documents import SCHEMA_VERSION, fit_document, gate_document, leaderboard_frame

if TYPE_CHECKING:
    from mlwb.compare.leaderboard import Leaderboard
    from mlwb.compare.rundiff import RunComparison
    from mlwb.workflows.compare import CompareResult
    from mlwb.workflows.evaluate import ExternalEvaluation


def leaderboard_document(board: Leaderboard) -> dict[str, Any]:
    friedman = board.friedman
    return {
        "metric": board.metric,
        "best": board.best,
        "order": list(board.order),
        "method": board.method,
        "alpha": board.alpha,
        "test_train_ratio": board.test_train_ratio,
        "significance": {
            name: {
                "difference": s.difference,
                "t": s.t,
                "p_value": s.p_value,
                "p_holm": s.p_holm,
                "tied_with_best": s.tied,
            }
            for name, s in board.significance.items()
        },
        "friedman": None
        if friedman is None
        else {
            "statistic": friedman.statistic,
            "p_value": friedman.p_value,
            "models": list(friedman.models),
            "folds": friedman.folds,
        },
    }


def compare_document(result: CompareResult) -> dict[str, Any]:
    """The ``metrics.json`` / ``mlwb compare --json`` document: the fit document of the
    evaluation (``final_model`` null unless ``--fit``) plus the leaderboard's tests."""
    document = fit_document(result.fit)
    document["kind"] = "compare"
    document["leaderboard"] = leaderboard_document(result.leaderboard)
    return document


def compare_leaderboard_frame(result: CompareResult) -> pd.DataFrame:
    """``leaderboard.csv`` of a compare: fit's leaderboard in the tested order, with the
    p-values against the best and the tie marks."""
    board = result.leaderboard
    frame = leaderboard_frame(result.fit).drop(columns="rank").set_index("model")
    frame = frame.loc[list(board.order)].reset_index()
    frame.insert(1, "rank", np.arange(1, len(frame) + 1))
    frame["difference"] = [
        board.significance[m].difference if m in board.significance else 0.0 for m in frame.model
    ]
    frame["p_value"] = [
        board.significance[m].p_value if m in board.significance else np.nan for m in frame.model
    ]
    frame["p_holm"] = [
        board.significance[m].p_holm if m in board.significance else np.nan for m in frame.model
    ]
    frame["vs_best"] = [
        "best"
        if m == board.best
        else ("tied" if board.significance[m].tied else "worse")
        if not np.isnan(board.significance[m].p_holm)
        else "untested"
        for m in frame.model
    ]
    return frame


def run_comparison_document(comparison: RunComparison) -> dict[str, Any]:
    """The ``mlwb compare RUN RUN… --json`` document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "run_comparison",
        "baseline": comparison.baseline,
        "metrics": list(comparison.metrics),
        "runs": [
            {
                "path": run.path,
                "name": run.name,
                "kind": run.kind,
                "task": run.task,
                "best_model": run.best,
                "primary_metric": run.primary,
                "source": run.source,
                "validation": run.validation,
                "data_sha256": run.data_sha256,
                "scores": run.scores,
                "deltas": comparison.deltas.get(run.path),
            }
            for run in comparison.runs
        ],
        "max_drop": [
            {
                "check": str(d.check),
                "metric": d.check.metric,
                "limit": d.check.limit,
                "run": d.run,
                "drop": d.drop,
                "passed": d.passed,
            }
            for d in comparison.drops
        ],
        "gates": [gate_document(g, run=run) for run, g in comparison.gates],
        "passed": comparison.passed,
        "notices": list(comparison.notices),
    }


def evaluation_document(result: ExternalEvaluation, gates: list[Any]) -> dict[str, Any]:
    """The ``mlwb evaluate --json`` document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "evaluate",
        "model": result.model,
        "task": result.task,
        "data": result.source,
        "rows": result.rows,
        "threshold": result.threshold,
        "metrics": result.metrics,
        "primary_metric": result.primary,
        "cv_score": result.cv_score,
        "classes": list(result.classes),
        "confusion_matrix": [list(r) for r in result.confusion] if result.confusion else None,
        "gates": [gate_document(g) for g in gates],
        "passed": all(g.passed for g in gates),
        "notices": list(result.notices),
    }
