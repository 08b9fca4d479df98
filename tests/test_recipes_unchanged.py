"""Every shipped recipe gives the outputs recorded in ``tests/golden/``: ``metrics.json`` and
``diagnostics.json`` (timings and paths aside), the out-of-fold predictions, the learning
curve and importances, and ``mlwb predict``'s predictions.

A refactoring must not change a number. When a change of behaviour is intended, record the
outputs again (``MLWB_RECORD_GOLDEN=1 pytest tests/test_recipes_unchanged.py -m slow``) and
commit the new files with the change that explains them.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest
from conftest import RECIPES, SAMPLES, run_cli

GOLDEN = Path(__file__).parent / "golden"
RECORD = os.environ.get("MLWB_RECORD_GOLDEN") == "1"
DATA = {
    "credit.yaml": "credit.csv",
    "credit_all_models.yaml": "credit.csv",
    "credit_prep.yaml": "credit.csv",
    "credit_tuned.yaml": "credit.csv",
    "minimal.yaml": "credit.csv",
    "wine.yaml": "wine.csv",
    "diabetes.yaml": "diabetes.csv",
}
# The one-line recipe runs under the default 60-second budget, where how many
# configurations are tried depends on the machine's speed; recorded without the budget and
# with one Bayesian trial per model, its portfolio search and ensemble are deterministic.
EXTRA_ARGS = {"minimal.yaml": ("--budget", "none", "--set", "search.trials=1")}
VARYING = re.compile(r"seconds$|^run_dir$|^created$|^source$|^path$")


def stable(value: object) -> object:
    """A document without what legitimately differs between two runs: timings and paths."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if not VARYING.search(str(k))}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def outputs(run: Path, predictions: Path) -> dict[str, str]:
    texts = {}
    for name in ("metrics.json", "diagnostics.json"):
        document = json.loads((run / name).read_text(encoding="utf-8"))
        texts[name] = json.dumps(stable(document), indent=1, sort_keys=True) + "\n"
    for name in ("oof_predictions.csv", "learning_curve.csv", "importance.csv"):
        if (run / name).exists():
            texts[name] = (run / name).read_text(encoding="utf-8")
    texts["predictions.csv"] = predictions.read_text(encoding="utf-8")
    return texts


def test_every_shipped_recipe_is_covered():
    assert sorted(DATA) == sorted(p.name for p in RECIPES.glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("recipe", sorted(DATA))
def test_shipped_recipe_outputs_are_unchanged(tmp_path, recipe):
    data = SAMPLES / DATA[recipe]
    run = tmp_path / "run"
    fitted = run_cli(
        "fit",
        RECIPES / recipe,
        data,
        "--out",
        run,
        "--quiet",
        "--no-report",
        *EXTRA_ARGS.get(recipe, ()),
    )
    assert fitted.exit_code in (0, 4), fitted.stderr
    predictions = tmp_path / "predictions.csv"
    predicted = run_cli("predict", run, data, "--out", predictions, "--quiet")
    assert predicted.exit_code == 0, predicted.stderr
    folder = GOLDEN / recipe.removesuffix(".yaml")
    for name, text in outputs(run, predictions).items():
        path = folder / f"{name}.gz"
        if RECORD:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
            continue
        expected = gzip.decompress(path.read_bytes()).decode("utf-8")
        assert text == expected, f"{recipe}: {name} differs from tests/golden"
