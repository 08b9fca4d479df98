"""How the budgeted search shares its time (mlwb/workflows/budgeted.py): cheapest models
first in the portfolio round, and a model's first configuration estimated from the slowest
measured one, so one slow configuration cannot overrun the budget."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mlwb.workflows.budgeted import _first_cost, _propose_order


def _state(name: str, relative_cost: float, seconds: tuple[float, ...] = (), portfolio=True):
    search = SimpleNamespace(in_portfolio=portfolio, exhausted=lambda: False)
    spec = SimpleNamespace(relative_cost=relative_cost)
    return SimpleNamespace(
        model=SimpleNamespace(name=name, spec=spec),
        search=search,
        candidates=[SimpleNamespace(seconds=s) for s in seconds],
        stopped="",
    )


def test_the_portfolio_round_runs_the_cheapest_models_first():
    searches = [
        _state("lightgbm", 1.0),
        _state("catboost", 10.0),
        _state("xgboost", 1.6),
        _state("ridge", 1.0),
        _state("extra_trees", 1.9),
    ]
    order = _propose_order(SimpleNamespace(), searches, baseline=0.0)
    assert [searches[i].model.name for i in order] == [
        "lightgbm",
        "ridge",
        "xgboost",
        "extra_trees",
        "catboost",
    ]


def test_a_first_configuration_is_estimated_from_the_slowest_measured_model():
    """A ridge regression takes a fraction of its unit cost: estimating CatBoost from it
    said 3 s where it took 27 s, and the run overran its budget by 12 s."""
    searches = [
        _state("lightgbm", 1.0, (2.4,)),
        _state("ridge", 1.0, (0.3,)),
        _state("extra_trees", 1.9, (7.4,)),
        _state("catboost", 10.0),
    ]
    assert _first_cost(searches[3], searches) == pytest.approx(7.4 / 1.9 * 10.0)
    assert _first_cost(searches[3], searches[3:]) == 0.0  # nothing measured yet
