"""Every JSON document and CSV frame mlwb writes or prints, built from core results.

One builder per document, so a ``--json`` output and the file in the run folder are the
same numbers by construction. Every document (but ``environment.json``) starts with
``schema_version`` (one ``SCHEMA_VERSION`` for all) and ``kind``; the keys are a contract —
documented in the README, pinned by ``tests/test_documents.py`` — and only ever gain
members within a version. All JSON goes through ``dumps``: strict, NaN as null.

The modules behind this face are private: ``_fit`` (run folder documents), ``_compare``,
``_evaluate``, ``_predict``, ``_plan``, ``_worker``, ``_catalogue``, ``_frames`` (CSV files),
``_csv`` (writing them) and ``_json`` (strict JSON).
"""

from mlwb.documents._catalogue import catalogue_document
from mlwb.documents._common import SCHEMA_VERSION
from mlwb.documents._compare import compare_document, run_comparison_document
from mlwb.documents._csv import frame_to_csv
from mlwb.documents._evaluate import evaluation_document
from mlwb.documents._fit import diagnostics_document, environment_document, fit_document
from mlwb.documents._frames import (
    compare_leaderboard_frame,
    holdout_frame,
    importance_frame,
    leaderboard_frame,
    learning_curve_frame,
    oof_frame,
    trials_frame,
    validation_curve_frame,
)
from mlwb.documents._json import dumps, to_jsonable
from mlwb.documents._plan import plan_document, recipe_document
from mlwb.documents._predict import predict_document, predictions_csv
from mlwb.documents._worker import worker_document

__all__ = [
    "SCHEMA_VERSION",
    "catalogue_document",
    "compare_document",
    "compare_leaderboard_frame",
    "diagnostics_document",
    "dumps",
    "environment_document",
    "evaluation_document",
    "fit_document",
    "frame_to_csv",
    "holdout_frame",
    "importance_frame",
    "leaderboard_frame",
    "learning_curve_frame",
    "oof_frame",
    "plan_document",
    "predict_document",
    "predictions_csv",
    "recipe_document",
    "run_comparison_document",
    "to_jsonable",
    "trials_frame",
    "validation_curve_frame",
    "worker_document",
]
