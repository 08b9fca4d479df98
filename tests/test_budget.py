"""``mlwb validate`` counts the fits a run will make — checked against a real fit."""

from __future__ import annotations

from conftest import NO_DIAGNOSTICS_YAML, SAMPLES, run_cli, write_recipe
from sklearn.linear_model import LogisticRegression

CREDIT = SAMPLES / "credit.csv"

TUNED = """
target: default
columns: {drop: [customer_id]}
models: {logistic_regression: {C: [0.01, 1.0, 100.0]}}
search: {strategy: grid}
validation: {outer: {folds: 3}, inner: {folds: 2}}
n_jobs: 1
"""


def _spy_on_logistic_fits(monkeypatch) -> list[int]:
    """Count every real LogisticRegression fit (the method still runs)."""
    calls: list[int] = []
    original = LogisticRegression.fit

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", counted)
    return calls


def test_fit_count_matches_what_fit_does(tmp_path, monkeypatch):
    recipe = write_recipe(tmp_path / "r.yaml", TUNED + NO_DIAGNOSTICS_YAML)
    planned = run_cli("validate", recipe, CREDIT, "--json")
    assert planned.exit_code == 0, planned.stderr
    fits = planned.json()["fits"]
    model = fits["per_model"]["logistic_regression"]
    # 3 outer folds × (3 grid points × 2 inner folds + 1 refit); final: 6 + 1
    assert (model["search_fits"], model["refits"], model["final_fits"]) == (18, 3, 7)
    assert fits["exact"] is True
    calls = _spy_on_logistic_fits(monkeypatch)
    fitted = run_cli("fit", recipe, CREDIT, "--out", tmp_path / "run", "-q")
    assert fitted.exit_code == 0, fitted.stderr
    assert len(calls) == model["search_fits"] + model["refits"] + model["final_fits"]


def test_threshold_tuning_multiplies_the_refits(tmp_path, monkeypatch):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        "target: default\nmodels: {logistic_regression: {}}\nn_jobs: 1\n"
        "validation: {outer: {folds: 3}, inner: {folds: 2}}\nthreshold: {objective: f1}\n"
        + NO_DIAGNOSTICS_YAML,
    )
    planned = run_cli("validate", recipe, CREDIT, "--json").json()["fits"]
    model = planned["per_model"]["logistic_regression"]
    calls = _spy_on_logistic_fits(monkeypatch)
    assert run_cli("fit", recipe, CREDIT, "--out", tmp_path / "run", "-q").exit_code == 0
    assert model["refits"] == 3 * (2 + 1)  # each tuner: its 2 inner folds + a refit
    assert len(calls) == model["refits"] + model["final_fits"]


def test_validate_prints_the_count_and_a_time_estimate(tmp_path):
    recipe = write_recipe(tmp_path / "r.yaml", TUNED)
    result = run_cli("validate", recipe, CREDIT)
    assert result.exit_code == 0
    assert "fits: at most" in result.stdout  # diagnostics make it an upper bound
    assert "estimated time: ~" in result.stdout
    pruned = write_recipe(
        tmp_path / "p.yaml", TUNED.replace("strategy: grid", "strategy: bayes, trials: 4")
    )
    document = run_cli("validate", pruned, CREDIT, "--json").json()["fits"]
    assert document["exact"] is False  # pruning can stop trials early
    assert document["per_model"]["logistic_regression"]["search_fits"] == 3 * 4 * 2
