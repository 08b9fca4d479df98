"""The budgeted search (``search.strategy: auto``): every model's portfolio, then Bayesian
trials, each configuration cross-validated once on the outer folds, in turns across the
models until only the time the later stages need is left; then the greedy ensemble.

Honesty comes from cross-fitting, not nesting: the configuration scored on outer fold *k*
is the one best on the other folds, and so are the ensemble's weights for fold *k* (see
``mlwb.evaluation._candidates`` and ``_ensemble``). A model's row in the leaderboard is
that estimate; its ``tuning`` shows the optimistic number (the chosen configurations'
scores on the folds they were chosen on) beside it, as nested cross-validation does.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlwb.evaluation import (
    ParamRouter,
    metric_directions,
)
from mlwb.evaluation._candidates import (
    Candidate,
    assemble,
    choose_overall,
    choose_per_fold,
    evaluate_candidate,
)
from mlwb.events import EventSink, ModelFinished, ModelStarted, Notice, TrialDone
from mlwb.metrics import METRICS
from mlwb.plan import ModelPlan, RunPlan
from mlwb.plan._time import REPORT_SECONDS, RunClock
from mlwb.results import FoldResult, ModelResult, TuningSummary, summarise
from mlwb.search.portfolio import PortfolioSearch, Proposal
from mlwb.workflows.ensemble import ENSEMBLE, Member, ensemble_result, oof_predictions

# Bayesian trials go to the models within this share of the best model's skill (score above
# the baseline's): a model far behind after its portfolio rarely catches up.
TRIAL_SHARE_OF_BEST = 0.9
TOP_MODELS = 2
COST_SAFETY = 1.5


@dataclass
class ModelSearch:
    """One model's candidates so far and why its search stopped."""

    model: ModelPlan
    search: PortfolioSearch
    candidates: list[Candidate] = field(default_factory=list)
    stopped: str = ""
    skipped: str = "budget"  # why it never ran, when it did not

    @property
    def ok(self) -> list[Candidate]:
        return [c for c in self.candidates if c.ok]

    def best(self, metric: str) -> Candidate | None:
        ok = self.ok
        return ok[choose_overall(ok, metric)] if ok else None

    def cost(self) -> float:
        """What the next configuration may take: the slowest so far, with room to spare.
        Portfolio entries differ (a 128-leaf LightGBM at a low learning rate takes several
        times the default), and a configuration started is never cut short, so a low guess
        overruns the budget while a high one only leaves a few seconds unused."""
        timed = [c.seconds for c in self.candidates]
        return COST_SAFETY * max(timed) if timed else 0.0


@dataclass(frozen=True)
class BudgetedEvaluation:
    """The models' results (the ensemble's last, when there is one) and, for the final
    fit, each model's best configuration over all folds with the rounds it kept."""

    results: tuple[ModelResult, ...]
    best_params: dict[str, dict[str, Any]]
    best_rounds: dict[str, float | None]
    ensemble_weights: dict[str, float]
    notes: tuple[str, ...] = ()


def _signed(plan: RunPlan, value: float) -> float:
    return value if METRICS[plan.primary].greater_is_better else -value


def _refit_scale(plan: RunPlan, model: ModelPlan) -> float:
    """How much longer a refit on all rows takes than one fold's fit: the rows, and for a
    boosting model its rounds too, which the refit scales by the rows (from the nine tenths
    of a training fold early stopping learned on)."""
    train = max(float(np.mean([len(t) for t, _ in plan.splits])), 1.0)
    rows = plan.dataset.n_rows / train
    rounds = rows / 0.9 if model.spec.rounds_param is not None else 1.0
    return rows * rounds


def _refit_cost(plan: RunPlan, model: ModelPlan, candidate: Candidate) -> float:
    """A refit on all rows: one fold's fit, scaled (``_refit_scale``)."""
    return candidate.fit_seconds * _refit_scale(plan, model)


def _reserve(plan: RunPlan, clock: RunClock, searches: list[ModelSearch]) -> float:
    """Time the stages after the evaluation need: the refit of every model that may end in
    the final model (all of them when an ensemble may win), diagnostics, the report."""
    best = [(s.model, s.best(plan.primary)) for s in searches]
    costs = sorted((_refit_cost(plan, m, c) for m, c in best if c is not None), reverse=True)
    refit = sum(costs) if plan.ensemble else (costs[0] if costs else 0.0)
    config = plan.recipe.diagnostics
    wanted = config.learning_curve or config.importance == "permutation"
    diagnostics = (clock.budget.diagnostics or 0.0) if wanted else 0.0
    return 1.2 * refit + diagnostics + REPORT_SECONDS


def _first_cost(state: ModelSearch, searches: list[ModelSearch]) -> float:
    """What a model's first configuration is expected to take, before it ran: its
    catalogue entry's ``relative_cost`` (FLAML's cost relative to LightGBM) times the
    slowest measured model's time per unit of relative cost — the slowest, because an
    underestimate lets one slow configuration overrun the budget (a ridge regression is
    far cheaper than its unit cost says); 0 when nothing was measured yet."""
    measured = [
        min(c.seconds for c in s.candidates) / s.model.spec.relative_cost
        for s in searches
        if s.candidates
    ]
    return max(measured) * state.model.spec.relative_cost if measured else 0.0


def _first_refit(plan: RunPlan, model: ModelPlan, first: float) -> float:
    """The refit a first configuration expected to take ``first`` seconds of
    cross-validation would add to the reserve: one fold's share of it, scaled as a
    measured fit is (``_refit_scale``)."""
    fold = first * max(plan.parallelism.workers, 1) / max(len(plan.splits), 1)
    return fold * _refit_scale(plan, model)


def _propose_order(plan: RunPlan, searches: list[ModelSearch], baseline: float) -> list[int]:
    """Which searches take the next turn: every model until its portfolio is done —
    cheapest first (catalogue ``relative_cost``), so one slow model's configuration cannot
    leave no time for the others' — then the Bayesian trials of the leading models only."""
    turn: list[int] = []
    for i, state in enumerate(searches):
        if state.stopped or state.search.exhausted():
            continue
        if state.search.in_portfolio:
            turn.append(i)
    if turn:
        return sorted(turn, key=lambda i: searches[i].model.spec.relative_cost)
    scored = [
        (i, _signed(plan, s.best(plan.primary).mean(plan.primary)))  # type: ignore[union-attr]
        for i, s in enumerate(searches)
        if s.best(plan.primary) is not None and not s.stopped and not s.search.exhausted()
    ]
    if not scored:
        return []
    top = max(v for _, v in scored)
    floor = _signed(plan, baseline) if math.isfinite(baseline) else -math.inf
    threshold = floor + TRIAL_SHARE_OF_BEST * (top - floor) if math.isfinite(floor) else top
    ranked = sorted(scored, key=lambda item: -item[1])[:TOP_MODELS]
    return [i for i, value in ranked if value >= threshold or value == top]


def _run_candidate(
    plan: RunPlan, state: ModelSearch, proposal: Proposal, events: EventSink
) -> Candidate:
    model = state.model
    routed = ParamRouter(model.pipeline)(proposal.params) if proposal.params else {}
    candidate = evaluate_candidate(
        model.name,
        proposal.number,
        proposal.source,
        model.pipeline,
        proposal.params,
        routed,
        plan.dataset.X,
        plan.dataset.y,
        plan.splits,
        plan.metrics,
        plan.metric_context,
        plan.parallelism.workers,
        plan.parallelism.threads,
    )
    state.candidates.append(candidate)
    state.search.record(proposal, candidate.mean(plan.primary) if candidate.ok else None)
    events(TrialDone(model.name, "search", len(state.candidates), 0))
    return candidate


def search_models(
    plan: RunPlan, clock: RunClock, baseline: float, events: EventSink
) -> list[ModelSearch]:
    """Every model's portfolio, then Bayesian trials, in turns, while the budget allows."""
    searches = [
        ModelSearch(
            m,
            PortfolioSearch(
                m.portfolio.space,
                m.portfolio.configurations,
                METRICS[plan.primary].greater_is_better,
                m.portfolio.seed,
                m.portfolio.trials,
            ),
        )
        for m in plan.models
        if m.portfolio is not None
    ]
    for index, state in enumerate(searches):
        events(ModelStarted(state.model.name, index + 1, len(searches), len(plan.splits)))
    while True:
        order = _propose_order(plan, searches, baseline)
        if not order:
            break
        for i in order:
            state = searches[i]
            clock.reserve = _reserve(plan, clock, searches)
            if state.candidates and clock.evaluation_left() < state.cost():
                state.stopped = "budget"
                continue
            first = _first_cost(state, searches) if not state.candidates else 0.0
            needed = first + _first_refit(plan, state.model, first)
            if not state.candidates and clock.evaluation_left() <= needed:
                state.stopped = "budget"
                state.skipped = (
                    f"budget (its first configuration would take about {first:.0f} s, "
                    f"{max(clock.evaluation_left(), 0):.0f} s were left)"
                    if first
                    else "budget"
                )
                continue
            proposal = state.search.propose()
            if proposal is None:
                continue
            _run_candidate(plan, state, proposal, events)
    return searches


def _with_choices(
    folds: tuple[FoldResult, ...],
    candidates: list[Candidate],
    choice: tuple[int, ...],
    metric: str,
) -> tuple[FoldResult, ...]:
    """Each fold with the configuration chosen for it and that configuration's mean on
    the folds it was chosen on (the optimistic score, as a nested search's inner score)."""
    out = []
    for k, fold in enumerate(folds):
        candidate = candidates[choice[k]]
        others = [s for j, s in enumerate(candidate.scores(metric)) if j != k and np.isfinite(s)]
        inner = float(np.mean(others)) if others else math.nan
        out.append(
            dataclasses.replace(
                fold,
                best_params=dict(candidate.params),
                inner_score=inner,
                fits=len(candidates),
            )
        )
    return tuple(out)


def _model_result(
    plan: RunPlan, state: ModelSearch, ordered: bool
) -> tuple[ModelResult, tuple[int, ...]] | None:
    ok = state.ok
    if not ok:
        return None
    metric = plan.primary
    choice = choose_per_fold(ok, metric, ordered)
    assembled = assemble(
        state.model.name, ok, choice, plan.splits, plan.dataset.n_rows, plan.metric_context
    )
    folds = _with_choices(assembled.folds, ok, choice, metric)
    summary = summarise(folds, plan.metrics, metric_directions(plan.metrics))
    inner = [f.inner_score for f in folds if f.inner_score is not None]
    inner_mean = float(np.nanmean(inner)) if inner else math.nan
    sign = 1.0 if METRICS[metric].greater_is_better else -1.0
    tuning = TuningSummary(
        strategy="auto",
        metric=metric,
        space=state.model.portfolio.space.describe() if state.model.portfolio else {},
        inner_mean=inner_mean,
        optimism=sign * (inner_mean - summary[metric].mean),
        fits=sum(len(c.folds) for c in state.candidates),
        trials=len(state.candidates),
        pruned=0,
        failed=sum(not c.ok for c in state.candidates),
        seconds=sum(c.seconds for c in state.candidates),
    )
    result = ModelResult(
        name=state.model.name,
        params=state.model.params,
        preprocessing=state.model.preprocessing,
        folds=folds,
        summary=summary,
        oof=assembled.oof,
        warnings=assembled.notes,
        steps=state.model.steps,
        tuning=tuning,
        trials=tuple(c.trial(metric) for c in state.candidates),
    )
    return result, choice


def _candidate_predictions(candidate: Candidate, task: str) -> np.ndarray:
    assert candidate.oof is not None
    return oof_predictions(candidate.oof, task)


def mean_rounds(candidate: Candidate) -> float | None:
    """The boosting rounds early stopping kept, averaged over the folds (None when the
    model does not boost or did not stop early)."""
    rounds = [f.rounds for f in candidate.folds if f.rounds is not None]
    return float(np.mean(rounds)) if rounds else None


def evaluate_budgeted(
    plan: RunPlan,
    clock: RunClock,
    baseline: ModelResult | None,
    events: EventSink,
) -> BudgetedEvaluation:
    """Search every model within the budget, then build the ensemble (when asked)."""
    floor = baseline.score(plan.primary) if baseline is not None else math.nan
    started = time.perf_counter()
    searches = search_models(plan, clock, floor, events)
    ordered = plan.split_data.ordered
    results: list[ModelResult] = []
    members: list[tuple[ModelSearch, tuple[int, ...], ModelResult]] = []
    notes: list[str] = []
    for state in searches:
        built = _model_result(plan, state, ordered)
        name = state.model.name
        if built is None:
            if state.candidates:
                notes.append(f"{name}: every configuration failed ({state.candidates[0].error})")
            else:
                notes.append(f"{name} skipped: {state.skipped}")
            continue
        result, choice = built
        results.append(result)
        members.append((state, choice, result))
        if state.stopped == "budget" and state.search.searches:
            count = len(state.candidates)
            notes.append(
                f"search of {name} stopped after {count} "
                f"configuration{'s' if count != 1 else ''} at the budget"
            )
        seconds = result.tuning.seconds if result.tuning else 0.0
        events(ModelFinished(name, plan.primary, result.score(plan.primary), seconds))
    weights: dict[str, float] = {}
    if plan.ensemble and len(members) > 1:
        ensemble, weights = ensemble_result(
            plan,
            [
                Member(
                    state.model.name,
                    result,
                    tuple(_candidate_predictions(state.ok[c], plan.task) for c in choice),
                    _candidate_predictions(state.best(plan.primary), plan.task),  # type: ignore[arg-type]
                )
                for state, choice, result in members
            ],
        )
        results.append(ensemble)
        events(
            ModelFinished(
                ENSEMBLE, plan.primary, ensemble.score(plan.primary), time.perf_counter() - started
            )
        )
    best_params: dict[str, dict[str, Any]] = {}
    best_rounds: dict[str, float | None] = {}
    for state in searches:
        best = state.best(plan.primary)
        if best is not None:
            best_params[state.model.name] = dict(best.params)
            best_rounds[state.model.name] = mean_rounds(best)
    for note in notes:
        events(Notice(note))
    return BudgetedEvaluation(tuple(results), best_params, best_rounds, weights, tuple(notes))


__all__ = ["ENSEMBLE", "BudgetedEvaluation", "evaluate_budgeted", "mean_rounds"]
