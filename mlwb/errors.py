"""Errors the core raises, each carrying the exit code the command line maps it to.

Library errors are translated into these at the edge where their meaning is known (the
recipe key, the column, the file), so that the command line only has to print
``str(error)`` and exit with ``error.exit_code``: one place decides how failures look.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes: scripted against, so they never change meaning."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    DATA = 3
    GATE_FAILED = 4
    INTERRUPTED = 130
    TERMINATED = 143


class MlwbError(Exception):
    """Base class for every error mlwb reports to the user as a single line.

    ``hint`` is the "what to do" half of the message, kept separate so renderers can
    style it; ``str()`` joins both.
    """

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(MlwbError):
    """An invalid command line: a bad option value, an existing output folder."""

    exit_code = ExitCode.USAGE


class RecipeError(MlwbError):
    """An invalid recipe: unknown key, wrong type, impossible combination.

    ``details`` holds further one-line problems when validation found several.
    """

    exit_code = ExitCode.USAGE

    def __init__(
        self, message: str, hint: str | None = None, details: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, hint)
        self.details = details


class MissingExtraError(MlwbError):
    """The recipe needs an optional package that is not installed."""

    exit_code = ExitCode.USAGE

    def __init__(self, package: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the optional package '{package}', which is not installed",
            f"pip install {package}",
        )


class DataError(MlwbError):
    """Invalid data: an unreadable CSV, a missing column, a bad target, a broken contract."""

    exit_code = ExitCode.DATA


class ModelFileError(MlwbError):
    """A model file that is missing, unreadable, changed since it was saved, or not mlwb's."""

    exit_code = ExitCode.DATA


class ModelFailed(MlwbError):
    """A library raised while fitting a model: reported with the model's name, exit 1."""

    exit_code = ExitCode.INTERNAL


class GateFailed(MlwbError):
    """A quality gate was not met (the run itself succeeded and was written)."""

    exit_code = ExitCode.GATE_FAILED
