"""The documents of comparisons: ``mlwb compare RECIPE DATA`` (the run document plus the
leaderboard's tests) and ``mlwb compare RUN RUN…`` (runs side by side with their checks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlwb.documents._common import gate_document, header
from mlwb.documents._fit import run_document

if TYPE_CHECKING:
    from mlwb.compare.leaderboard import CompareResult, Leaderboard
    from mlwb.compare.rundiff import RunComparison


def _leaderboard_document(board: Leaderboard) -> dict[str, Any]:
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
    return {
        **run_document(result.fit, "compare"),
        "leaderboard": _leaderboard_document(result.leaderboard),
    }


def run_comparison_document(comparison: RunComparison) -> dict[str, Any]:
    """The ``mlwb compare RUN RUN… --json`` document."""
    return {
        **header("run_comparison"),
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
