"""Versions of Python and the libraries a run or a saved model depends on."""

from __future__ import annotations

import platform
from importlib import metadata

import mlwb

PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "imbalanced-learn",
    "xgboost",
    "lightgbm",
    "catboost",
    "optuna",
    "joblib",
    "skops",
)


def package_versions() -> dict[str, str | None]:
    """Installed version of each package that affects results (None when absent)."""
    versions: dict[str, str | None] = {
        "python": platform.python_version(),
        "mlwb": mlwb.__version__,
    }
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions
