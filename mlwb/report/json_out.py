"""``--json``: exactly one strict JSON document on stdout, nothing else there."""

from __future__ import annotations

import sys
from typing import Any

from mlwb.documents import dumps


def print_json(document: Any) -> None:
    """Write ``document`` to stdout as strict JSON (NaN/inf as null) and a newline."""
    sys.stdout.write(dumps(document) + "\n")
    sys.stdout.flush()
