"""The saved classifier: a pipeline trained on class codes that speaks the user's labels.

Every model is trained on the target encoded as ``0..k-1`` (XGBoost requires it, and one
encoding keeps all models comparable). ``DecodedClassifier`` keeps that encoding inside the
estimator, applies the decision threshold for binary tasks, and exposes ``classes_`` in the
user's labels, so ``joblib.load("model.joblib").predict(df)`` returns ``"yes"``/``"no"``
from plain Python.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted


class DecodedClassifier(ClassifierMixin, BaseEstimator):
    """Wrap ``pipeline`` so it is fitted on codes and predicts the original labels.

    Parameters
    ----------
    pipeline : the unfitted classifier pipeline.
    classes : the labels in code order (code ``i`` is ``classes[i]``).
    positive_index : binary tasks: the code of the class of interest.
    threshold : binary tasks: predict the positive class when its probability is at least
        this. A threshold tuned inside ``pipeline`` (``TunedThresholdClassifierCV``) replaces
        it once fitted, as ``threshold_``.
    """

    def __init__(
        self,
        pipeline: Any = None,
        classes: tuple[Any, ...] = (),
        positive_index: int | None = None,
        threshold: float = 0.5,
    ) -> None:
        self.pipeline = pipeline
        self.classes = classes
        self.positive_index = positive_index
        self.threshold = threshold

    def _encode(self, y: Any) -> np.ndarray:
        lookup = {str(label): code for code, label in enumerate(self.classes)}
        try:
            return np.array([lookup[str(v)] for v in np.asarray(y, dtype=object)], dtype=np.int64)
        except KeyError as error:
            raise ValueError(
                f"label {error.args[0]!r} is not one of {list(self.classes)}"
            ) from None

    def fit(self, X: pd.DataFrame, y: Any) -> Self:
        self.pipeline_ = clone(self.pipeline).fit(X, self._encode(y))
        self.classes_ = np.asarray(self.classes, dtype=object)
        tuned = getattr(self.pipeline_, "best_threshold_", None)
        self.threshold_ = float(tuned) if tuned is not None else float(self.threshold)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return np.asarray(self.pipeline_.predict_proba(X), dtype=float)

    def predict_codes(self, X: pd.DataFrame, threshold: float | None = None) -> np.ndarray:
        """Class codes, applying the (given or saved) threshold for binary tasks."""
        proba = self.predict_proba(X)
        if len(self.classes) == 2 and self.positive_index is not None:
            cut = self.threshold_ if threshold is None else threshold
            positive = proba[:, self.positive_index] >= cut
            return np.where(positive, self.positive_index, 1 - self.positive_index)
        return proba.argmax(axis=1)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[self.predict_codes(X)]

    @property
    def feature_names_in_(self) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.feature_names_in_
