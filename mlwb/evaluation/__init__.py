"""The evaluation core: splitting rows, the one fold function, cross-validation, the nested
search loop, and the decision layer (threshold and calibration).

Modelled on scikit-learn's ``model_selection``: private modules whose imports run one
way — ``_split`` and ``_predict`` → ``_fold`` (fit on a fold, predict, time) →
``_decision`` → ``_validation`` (every fold of one model) → ``_nested`` (a search per outer
fold) — behind this small public surface. Every fit anywhere in mlwb (folds, trials,
curves, importance) goes through ``fit_on_fold``; every piece of parallel work goes
through ``mlwb.parallel``.
"""

from mlwb.evaluation._decision import (
    CONSTRAINED,
    DecisionPlan,
    constrained_score,
    decided_fold,
    decision_summary,
    fbeta,
    negative_cost,
    oof_thresholds,
    youden_j,
)
from mlwb.evaluation._fold import FoldFit, fit_on_all_rows, fit_on_fold
from mlwb.evaluation._nested import (
    ParamRouter,
    TuningPlan,
    nested_cross_validate,
    prepare_outer_studies,
    run_search,
    search_or_fail,
    search_outer_fold,
    tuning_summary,
)
from mlwb.evaluation._predict import (
    MetricScorer,
    as_predictions,
    inner_pipeline,
    labels_at,
    model_step,
    predict_scores,
)
from mlwb.evaluation._split import (
    SplitData,
    SplitPlan,
    check_class_counts,
    make_splitter,
    split_data,
    split_rows,
)
from mlwb.evaluation._validation import (
    SideJob,
    cross_validate_pipeline,
    metric_directions,
    run_folds,
)

__all__ = [
    "CONSTRAINED",
    "DecisionPlan",
    "FoldFit",
    "MetricScorer",
    "ParamRouter",
    "SideJob",
    "SplitData",
    "SplitPlan",
    "TuningPlan",
    "as_predictions",
    "check_class_counts",
    "constrained_score",
    "cross_validate_pipeline",
    "decided_fold",
    "decision_summary",
    "fbeta",
    "fit_on_all_rows",
    "fit_on_fold",
    "inner_pipeline",
    "labels_at",
    "make_splitter",
    "metric_directions",
    "model_step",
    "negative_cost",
    "nested_cross_validate",
    "oof_thresholds",
    "predict_scores",
    "prepare_outer_studies",
    "run_folds",
    "run_search",
    "search_or_fail",
    "search_outer_fold",
    "split_data",
    "split_rows",
    "tuning_summary",
    "youden_j",
]
