"""What every document shares: the schema version, the header, and the form of a gate.

One ``SCHEMA_VERSION`` for every document, so a script checks one number whatever command
wrote the file; keys are only ever added within a version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlwb.compare.gates import GateResult

SCHEMA_VERSION = 1


def header(kind: str) -> dict[str, Any]:
    """The first two keys of every document: ``schema_version`` and ``kind``."""
    return {"schema_version": SCHEMA_VERSION, "kind": kind}


def gate_document(result: GateResult, **extra: Any) -> dict[str, Any]:
    """One checked gate, in the same form in every document that reports gates."""
    return {
        "gate": str(result.gate),
        "metric": result.gate.metric,
        "op": result.gate.op,
        "threshold": result.gate.threshold,
        "value": result.value,
        "source": result.source,
        "passed": result.passed,
        **extra,
    }


def gates_passed(results: Sequence[GateResult]) -> bool:
    """``passed``: every gate met (true when there are none)."""
    return all(g.passed for g in results)
