"""The CSV files of a run folder, as frames: leaderboard, out-of-fold predictions, search
trials, holdout predictions, learning and validation curves, feature importance.

Their columns are a contract like the JSON keys (spreadsheets and scripts read them by
name); the run folder writes them with 6 significant digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlwb.results import FitResult

if TYPE_CHECKING:
    from mlwb.compare.leaderboard import CompareResult
    from mlwb.data.dataset import Dataset
    from mlwb.diagnose import Importance, LearningCurve, ValidationCurve
    from mlwb.plan import RunPlan


def leaderboard_frame(result: FitResult) -> pd.DataFrame:
    """``leaderboard.csv``: one row per model, best first on the primary metric, with mean
    and std per metric and the times."""
    from mlwb.metrics import METRICS

    rows = []
    for model in result.models:
        row: dict[str, Any] = {"model": model.name}
        for metric in result.metrics:
            summary = model.summary[metric]
            row[f"{metric}_mean"] = summary.mean
            row[f"{metric}_std"] = summary.std
        row["fit_seconds"] = model.fit_seconds
        row["predict_seconds"] = model.predict_seconds
        row["total_seconds"] = model.total_seconds
        if model.tuning is not None:
            row["inner_mean"] = model.tuning.inner_mean
            row["optimism"] = model.tuning.optimism
        rows.append(row)
    frame = pd.DataFrame(rows)
    ascending = not METRICS[result.primary].greater_is_better
    frame = frame.sort_values(
        f"{result.primary}_mean", ascending=ascending, na_position="last", kind="stable"
    )
    frame.insert(1, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


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


def oof_frame(result: FitResult, dataset: Dataset) -> pd.DataFrame:
    """``oof_predictions.csv``: out-of-fold predictions of every model, long format, in the
    user's labels.

    ``row`` is the data row in the file (1-based), whatever order the rows were evaluated in.
    """
    classes = list(result.dataset.classes)
    y = dataset.y
    rows = np.asarray(dataset.X.index) + 1
    frames = []
    for model in result.models:
        oof = model.oof
        frame = pd.DataFrame(
            {
                "model": model.name,
                "row": rows,
                "fold": oof.fold + 1,
            }
        )
        if classes:
            labels = np.asarray(classes, dtype=object)
            frame["target"] = labels[y]
            frame["prediction"] = labels[oof.labels]
            if oof.scores is not None:
                for k, label in enumerate(classes):
                    frame[f"proba_{label}"] = oof.scores[:, k]
        else:
            frame["target"] = y
            frame["prediction"] = oof.labels
            frame["residual"] = y - oof.labels
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sort_values(["model", "row"], kind="stable")


def trials_frame(result: FitResult) -> pd.DataFrame | None:
    """``trials.csv``: every search trial of every model (outer folds and the final search),
    or None when nothing was searched."""
    rows = []
    final_trials = result.final.trials if result.final else ()
    for model in result.models:
        trials = list(model.trials) + (list(final_trials) if model.name == result.best else [])
        for trial in trials:
            rows.append(
                {
                    "model": model.name,
                    "search": trial.scope,
                    "trial": trial.number,
                    "state": trial.state,
                    result.primary: trial.value,
                    "inner_folds": trial.folds,
                    "rows": trial.resources,
                    "seconds": trial.seconds,
                    "error": trial.error,
                    **{f"param_{k}": v for k, v in trial.params.items()},
                }
            )
    return pd.DataFrame(rows) if rows else None


def holdout_frame(plan: RunPlan, final: Any) -> pd.DataFrame:
    """``holdout_predictions.csv``: the final model's predictions for the holdout rows, in
    the user's labels."""
    holdout = plan.holdout
    assert holdout is not None
    frame = pd.DataFrame({"row": np.asarray(holdout.X.index) + 1})
    classes = list(holdout.target.classes)
    if classes:
        labels = np.asarray(classes, dtype=object)
        frame["target"] = labels[holdout.y]
        frame["prediction"] = final.predict(holdout.X)
        proba = final.predict_proba(holdout.X)
        for k, label in enumerate(classes):
            frame[f"proba_{label}"] = proba[:, k]
    else:
        frame["target"] = holdout.y
        frame["prediction"] = final.predict(holdout.X)
        frame["residual"] = frame["target"] - frame["prediction"]
    return frame


def learning_curve_frame(curves: Sequence[LearningCurve]) -> pd.DataFrame:
    """``learning_curve.csv``: one row per model and training-set size."""
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "model": curve.model,
                    "train_size": curve.sizes,
                    f"train_{curve.metric}": curve.train_mean,
                    "train_std": curve.train_std,
                    f"validation_{curve.metric}": curve.valid_mean,
                    "validation_std": curve.valid_std,
                }
            )
            for curve in curves
        ]
    )


def validation_curve_frame(curve: ValidationCurve) -> pd.DataFrame:
    """``validation_curve.csv``: one row per value of the hyper-parameter."""
    return pd.DataFrame(
        {
            "model": curve.model,
            curve.param: [str(v) for v in curve.values],
            f"train_{curve.metric}": curve.train_mean,
            f"validation_{curve.metric}": curve.valid_mean,
            "validation_std": curve.valid_std,
        }
    )


def importance_frame(importances: Sequence[Importance]) -> pd.DataFrame:
    """``importance.csv``: one row per kind of importance (permutation, the model's own)
    and feature, best first within each kind."""
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "kind": importance.kind,
                    "feature": importance.features,
                    "importance_mean": importance.mean,
                    "importance_std": importance.std,
                }
            )
            for importance in importances
        ]
    )
