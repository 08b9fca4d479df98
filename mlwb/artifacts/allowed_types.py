"""The one allow-list of types a ``model.skops`` file may hold beyond skops' own defaults.

skops builds only what its loader is told to trust: Python's containers and scalars, NumPy
arrays and scikit-learn's estimators are trusted by skops itself; everything else in a file
must be named here, by its full name, or ``load_model`` refuses the file before building any
of it. The list is what mlwb's pipelines are made of — its own transformers and wrappers, the
imbalanced-learn samplers, the boosting libraries' estimators and boosters, and the parts of
scikit-learn, NumPy and SciPy that skops does not trust on its own — and nothing else: a type
mlwb never saves has no reason to be in a model file, whoever wrote it.

It was built by saving every catalogue model for every task, every preprocessing, selection,
imbalance, threshold and calibration option, and the ensembles, and collecting
``skops.io.get_untrusted_types``. ``tests/test_model_files.py`` and the catalogue contract
test save them again: a model, option or library upgrade that needs a new type fails there,
so adding one here is a conscious decision, never a side effect.
"""

from __future__ import annotations

from collections.abc import Iterable

MLWB_TYPES = (
    # The saved classifier and the adapters around library estimators.
    "mlwb.models.decoded.DecodedClassifier",
    "mlwb.models.adapter.AdaptedClassifier",
    "mlwb.models.adapter.AdaptedRegressor",
    # Preprocessing steps.
    "mlwb.pipeline.transformers.CopyingIterativeImputer",
    "mlwb.pipeline.transformers.FrameCaster",
    "mlwb.pipeline.transformers.FrequencyEncoder",
    "mlwb.pipeline.transformers.Log1p",
    "mlwb.pipeline.transformers.NativeCategories",
    # Feature selection.
    "mlwb.pipeline.selection.CorrelationFilter",
    "mlwb.pipeline.selection.KBest",
    "mlwb.pipeline.selection.KeepShare",
    "mlwb.pipeline.selection.Sequential",
    "mlwb.pipeline.selection.TopComponents",
    "mlwb.pipeline.selection.chi2_on_minmax",
    # Threshold objectives, referenced by TunedThresholdClassifierCV's scorer.
    "mlwb.evaluation._decision.constrained_score",
    "mlwb.evaluation._decision.fbeta",
    "mlwb.evaluation._decision.negative_cost",
    "mlwb.evaluation._decision.youden_j",
)

SKLEARN_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.make_column_selector",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.feature_selection._mutual_info.mutual_info_classif",
    "sklearn.feature_selection._mutual_info.mutual_info_regression",
    "sklearn.feature_selection._univariate_selection.f_classif",
    "sklearn.feature_selection._univariate_selection.f_regression",
    "sklearn.impute._iterative._ImputerTriplet",
    # k-nearest neighbours: the trees and the distances its usual metrics build.
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.neighbors._kd_tree.KDTree",
    # Threshold tuning's scorer and its metadata routing.
    "sklearn.metrics._scorer._CurveScorer",
    "sklearn.metrics._scorer._Scorer",
    "sklearn.utils._metadata_requests.MetadataRequest",
    "sklearn.utils._metadata_requests.MethodMetadataRequest",
    # Splitters kept by stacking, calibration and threshold tuning.
    "sklearn.model_selection._split.KFold",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.model_selection._split.TimeSeriesSplit",
    "sklearn.tree._tree.Tree",
    # Ensembles' named_estimators_.
    "sklearn.utils._bunch.Bunch",
    # Histogram gradient boosting's categorical preprocessor calls partial(check_array, …).
    "sklearn.utils.validation.check_array",
)

IMBLEARN_TYPES = (
    "imblearn.pipeline.Pipeline",
    "imblearn.combine._smote_enn.SMOTEENN",
    "imblearn.combine._smote_tomek.SMOTETomek",
    "imblearn.over_sampling._adasyn.ADASYN",
    "imblearn.over_sampling._random_over_sampler.RandomOverSampler",
    "imblearn.over_sampling._smote.base.SMOTE",
    "imblearn.over_sampling._smote.base.SMOTENC",
    "imblearn.over_sampling._smote.filter.BorderlineSMOTE",
    "imblearn.over_sampling._smote.filter.SVMSMOTE",
    "imblearn.under_sampling._prototype_selection._edited_nearest_neighbours."
    "EditedNearestNeighbours",
    "imblearn.under_sampling._prototype_selection._nearmiss.NearMiss",
    "imblearn.under_sampling._prototype_selection._random_under_sampler.RandomUnderSampler",
    "imblearn.under_sampling._prototype_selection._tomek_links.TomekLinks",
)

BOOSTING_TYPES = (
    "catboost.core.CatBoostClassifier",
    "catboost.core.CatBoostRegressor",
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.LGBMClassifier",
    "lightgbm.sklearn.LGBMRegressor",
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
    "xgboost.sklearn.XGBRegressor",
)

# Containers the libraries above keep in their state: LightGBM's evaluation results
# (OrderedDict), the partial above, dtypes, and SMOTENC's sparse one-hot matrix.
DATA_TYPES = (
    "collections.OrderedDict",
    "functools.partial",
    "numpy.dtype",
    "scipy.sparse._csr.csr_matrix",
)

ALLOWED_TYPES: frozenset[str] = frozenset(
    MLWB_TYPES + SKLEARN_TYPES + IMBLEARN_TYPES + BOOSTING_TYPES + DATA_TYPES
)


def foreign_types(untrusted: Iterable[str]) -> list[str]:
    """The names among ``untrusted`` (as ``skops.io.get_untrusted_types`` lists them) that
    are not on the allow-list, sorted."""
    return sorted(set(untrusted) - ALLOWED_TYPES)
