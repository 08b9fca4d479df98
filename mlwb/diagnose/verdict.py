"""The bias–variance verdict read off a learning curve.

Scores are put on a *skill* scale first — 0 is the baseline (the dummy model's score), 1 a
perfect score — so one rule with one set of thresholds serves every metric:

1. **High variance** when the training skill exceeds the validation skill by more than
   ``max_gap`` at full size: the model learns the training rows, not the pattern.
2. **High bias** when both skills are below ``min_skill`` (and close): the model cannot fit
   even the rows it trains on.
3. **More data would help** when the validation skill still rose by more than ``rising``
   over the last step of the curve.
4. Otherwise a **good fit**: train and validation agree and have levelled off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

VerdictKind = Literal["high_variance", "high_bias", "more_data", "good_fit"]

HEADLINES: dict[VerdictKind, str] = {
    "high_variance": "high variance (overfitting)",
    "high_bias": "high bias (underfitting)",
    "more_data": "more data would help",
    "good_fit": "good fit",
}
REMEDIES: dict[VerdictKind, tuple[str, ...]] = {
    "high_variance": (
        "more training rows",
        "fewer features (features: select …)",
        "more regularisation (smaller C, larger alpha, min_samples_leaf, max_depth)",
        "bagging or ensembles (random_forest, extra_trees, vote, stack)",
    ),
    "high_bias": (
        "more or better features (interactions, preprocess.numeric.bin, log of skewed columns)",
        "a more complex model (boosting, deeper trees, an RBF kernel)",
        "less regularisation (larger C, smaller alpha)",
    ),
    "more_data": ("more training rows: the validation score is still rising at full size",),
    "good_fit": (
        "nothing structural: tune hyper-parameters or the decision threshold for the last gains",
    ),
}


@dataclass(frozen=True)
class VerdictRuleValues:
    """The thresholds of the rule (recipe: ``diagnostics.verdict``)."""

    max_gap: float = 0.15
    min_skill: float = 0.35
    rising: float = 0.02

    def describe(self) -> str:
        return (
            f"skill = (score − baseline) / (perfect − baseline); high variance when "
            f"train − validation skill > {self.max_gap:g}; high bias when both skills < "
            f"{self.min_skill:g}; more data would help when the validation skill rose by "
            f"more than {self.rising:g} over the last step; otherwise a good fit"
        )


@dataclass(frozen=True)
class Verdict:
    """The verdict, the numbers it rests on, and what to do about it."""

    kind: VerdictKind
    headline: str
    evidence: str
    remedies: tuple[str, ...]
    rule: str
    train_skill: float
    valid_skill: float


def skill(score: float, baseline: float, best: float) -> float:
    """0 at the baseline, 1 at a perfect score, negative below the baseline."""
    span = best - baseline
    if math.isnan(score) or span == 0:
        return math.nan if math.isnan(score) else 0.0
    return (score - baseline) / span


def judge(
    train: Sequence[float],
    valid: Sequence[float],
    baseline: float,
    best: float,
    rule: VerdictRuleValues = VerdictRuleValues(),
) -> Verdict:
    """The verdict for a learning curve (train and validation means, smallest size first)."""
    train_skill = skill(train[-1], baseline, best)
    valid_skill = skill(valid[-1], baseline, best)
    gap = train_skill - valid_skill
    rise = valid_skill - skill(valid[-2], baseline, best) if len(valid) > 1 else 0.0
    kind: VerdictKind
    if gap > rule.max_gap:
        kind = "high_variance"
    elif train_skill < rule.min_skill and valid_skill < rule.min_skill:
        kind = "high_bias"
    elif rise > rule.rising:
        kind = "more_data"
    else:
        kind = "good_fit"
    evidence = (
        f"at full size: train skill {train_skill:.2f}, validation skill "
        f"{valid_skill:.2f} (gap {gap:+.2f}); validation skill over the last step "
        f"{rise:+.3f}"
    )
    return Verdict(
        kind, HEADLINES[kind], evidence, REMEDIES[kind], rule.describe(), train_skill, valid_skill
    )
