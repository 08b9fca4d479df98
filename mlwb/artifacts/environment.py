"""Versions of Python and the libraries a run or a saved model depends on."""

from __future__ import annotations

import platform
from importlib import metadata

import mlwb
from mlwb.cluster import CHECKED

# What a cluster's workers must match (the libraries a fold runs on), plus what only the
# saving process uses: scipy's version is recorded, skops writes the model file.
PACKAGES = (*CHECKED, "scipy", "skops")


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
