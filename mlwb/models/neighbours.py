"""Distance, kernel and naive-Bayes models."""

from __future__ import annotations

from typing import Any

from mlwb.models.spec import ALL_TASKS, CLASSIFICATION, ModelContext, ModelSpec, register


def _knn(context: ModelContext) -> Any:
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    cls = KNeighborsRegressor if context.regression else KNeighborsClassifier
    return cls(n_neighbors=15, n_jobs=context.threads)


def _svm(context: ModelContext) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC, SVR

    if context.regression:
        return SVR(C=1.0, kernel="rbf")
    # Platt scaling fitted on internal folds gives probabilities for thresholds and ROC
    # curves (scikit-learn 1.9's replacement for SVC(probability=True)).
    return CalibratedClassifierCV(SVC(C=1.0, kernel="rbf"), method="sigmoid", cv=5, ensemble=False)


def _gaussian_nb(context: ModelContext) -> Any:
    from sklearn.naive_bayes import GaussianNB

    return GaussianNB()


def _bernoulli_nb(context: ModelContext) -> Any:
    from sklearn.naive_bayes import BernoulliNB

    return BernoulliNB(alpha=1.0, binarize=0.0)


register(
    ModelSpec(
        name="knn",
        summary="k nearest neighbours (scikit-learn); cannot weight classes",
        tasks=ALL_TASKS,
        family="distance",
        factory=_knn,
        default_space={
            "n_neighbors": {"int": [3, 75], "log": True},
            "weights": ["uniform", "distance"],
        },
        needs_scaling=True,
        class_weight="none",
    )
)
register(
    ModelSpec(
        name="svm",
        summary="support vector machine, RBF or linear kernel (SVC with probabilities / SVR)",
        tasks=ALL_TASKS,
        family="kernel",
        factory=_svm,
        default_space={
            "C": {"log_uniform": [1.0e-2, 1.0e3]},
            "kernel": ["rbf", "linear"],
            "gamma": ["scale", 0.01, 0.1],
        },
        needs_scaling=True,
    )
)
register(
    ModelSpec(
        name="gaussian_nb",
        summary="Gaussian naive Bayes (scikit-learn)",
        tasks=CLASSIFICATION,
        family="bayes",
        factory=_gaussian_nb,
        default_space={"var_smoothing": {"log_uniform": [1.0e-12, 1.0e-3]}},
        class_weight="sample_weight",
    )
)
register(
    ModelSpec(
        name="bernoulli_nb",
        summary="Bernoulli naive Bayes on features binarised at their mean (scikit-learn)",
        tasks=CLASSIFICATION,
        family="bayes",
        factory=_bernoulli_nb,
        default_space={"alpha": {"log_uniform": [1.0e-3, 10.0]}},
        needs_scaling=True,
        class_weight="sample_weight",
    )
)
