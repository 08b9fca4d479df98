"""Write the small CSV files that mlwb's examples, tests and docs run on.

Run from the repository root (or anywhere; paths are relative to this file)::

    python sample_data/make_sample_data.py

It writes three files next to itself and nothing else. Nothing is downloaded:
two datasets ship inside scikit-learn, the third is generated here.

Why each dataset exists
-----------------------
``credit.csv``
    Synthetic binary classification with the awkward parts of real tabular data:
    an imbalanced target with string labels (``default`` = ``yes``/``no``, about 13 %
    ``yes``), an id-like column that a tool should drop (``customer_id``), skewed
    numeric columns, informative missing values, low- and high-cardinality
    categoricals (``region`` has 60 levels, some with fewer than five rows) and a
    boolean column. The default risk comes from a logistic model with sensible
    signs, a U-shaped age effect, a utilization threshold and a debt-ratio by
    employment interaction, plus unobserved noise, so the signal is learnable
    but far from perfect.
``wine.csv``
    A real, small, clean multiclass problem (three cultivars, 178 rows), taken
    from scikit-learn's bundled copy of the UCI wine data (Forina et al.).
``diabetes.csv``
    A real, small regression problem (442 rows), taken unscaled from
    scikit-learn's bundled copy of the diabetes data (Efron et al., 2004).

The output is deterministic: a fixed seed (``np.random.default_rng(20261124)``),
fixed column order, fixed float precision and ``\\n`` line endings, so two runs
give byte-identical files. Generated floats are rounded before writing; floats are
written with at most 7 significant digits, which keeps the two real datasets exact
(wine has one 7-digit value, 9.899999) without binary-float noise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes, load_wine

SEED: Final[int] = 20261124
N_CREDIT: Final[int] = 2000
N_REGIONS: Final[int] = 60
TARGET_POSITIVE_RATE: Final[float] = 0.135
OUT_DIR: Final[Path] = Path(__file__).resolve().parent


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _categorical(rng: np.random.Generator, levels: list[str], probs: np.ndarray) -> np.ndarray:
    """Draw one level per row from row-specific probabilities (shape n x len(levels))."""
    probs = probs / probs.sum(axis=1, keepdims=True)
    cum = probs.cumsum(axis=1)
    u = rng.random(probs.shape[0])[:, None]
    idx = np.minimum((u > cum).sum(axis=1), len(levels) - 1)
    return np.asarray(levels, dtype=object)[idx]


def _calibrate_intercept(logit: np.ndarray, target_rate: float) -> float:
    """Bisection for the intercept that makes the mean default probability hit the target."""
    lo, hi = -20.0, 20.0
    for _ in range(100):
        mid = (lo + hi) / 2.0
        if _sigmoid(logit + mid).mean() < target_rate:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def make_credit(rng: np.random.Generator, n: int = N_CREDIT) -> pd.DataFrame:
    """Generate the synthetic credit-default table."""
    # Unobserved drivers: financial stress shows up in several observed columns,
    # luck is pure noise that only affects default.
    stress = rng.normal(0.0, 1.0, n)
    luck = rng.normal(0.0, 1.0, n)

    # --- age and employment --------------------------------------------------
    age = np.clip(np.round(18.0 + rng.gamma(4.0, 6.5, n)), 19, 80).astype(int)
    emp_levels = ["employed", "self_employed", "unemployed", "retired", "student"]
    emp_p = np.column_stack(
        [
            np.full(n, 0.70),
            np.full(n, 0.12),
            0.05 + 0.03 * (stress > 1.0),
            np.where(age >= 62, 0.25 + 0.04 * (age - 62), 0.002),
            np.where(age <= 25, 1.00 - 0.14 * (age - 19), 0.003),
        ]
    )
    employment = _categorical(rng, emp_levels, emp_p)

    # --- income (annual, log-normal, depends on age and employment) ------------
    emp_income = {
        "employed": 0.0,
        "self_employed": 0.10,
        "unemployed": -0.90,
        "retired": -0.35,
        "student": -1.00,
    }
    log_income = (
        np.log(42_000.0)
        + 0.035 * (age - 19)
        - 0.00055 * (age - 19) ** 2
        + np.array([emp_income[e] for e in employment])
        - 0.10 * stress
        + rng.normal(0.0, 0.45, n)
        + np.where(employment == "self_employed", rng.normal(0.0, 0.35, n), 0.0)
    )
    income = np.round(np.exp(log_income), -1)

    # --- credit history, accounts, late payments -------------------------------
    max_history = (age - 18) * 12
    credit_history_months = np.round(max_history * rng.beta(4.0, 2.0, n)).astype(int)
    open_accounts = rng.poisson(1.0 + credit_history_months / 80.0 + 0.4 * np.exp(0.3 * stress))
    late_payments_2y = rng.poisson(0.35 * np.exp(0.75 * stress))

    # --- home ownership ----------------------------------------------------------
    home_levels = ["own", "rent", "mortgage", "other"]
    inc_z = (np.log(income) - np.log(45_000.0)) / 0.5
    home_p = np.column_stack(
        [
            np.exp(-2.0 + 0.045 * (age - 19) + 0.30 * inc_z),
            np.exp(0.8 - 0.030 * (age - 19) - 0.20 * inc_z),
            np.exp(-0.4 + 0.020 * (age - 19) + 0.50 * inc_z - 0.00045 * (age - 19) ** 2),
            np.full(n, 0.10),
        ]
    )
    home = _categorical(rng, home_levels, home_p)

    # --- loan ----------------------------------------------------------------------
    purposes = [
        "car",
        "education",
        "business",
        "home_improvement",
        "debt_consolidation",
        "medical",
        "vacation",
    ]
    purpose_p = np.column_stack(
        [
            np.full(n, 0.24),
            np.where(age <= 30, 0.18, 0.04),
            np.where(employment == "self_employed", 0.30, 0.07),
            np.where(np.isin(home, ["own", "mortgage"]), 0.20, 0.04),
            0.16 + 0.08 * (stress > 0.5),
            np.full(n, 0.07),
            np.full(n, 0.06),
        ]
    )
    purpose = _categorical(rng, purposes, purpose_p)
    purpose_size = {
        "car": 0.0,
        "education": -0.1,
        "business": 0.6,
        "home_improvement": 0.3,
        "debt_consolidation": 0.2,
        "medical": -0.4,
        "vacation": -0.8,
    }
    log_loan = (
        np.log(9_000.0)
        + 0.45 * (np.log(income) - np.log(45_000.0))
        + np.array([purpose_size[p] for p in purpose])
        + rng.normal(0.0, 0.55, n)
    )
    loan_amount = (np.round(np.exp(log_loan) / 50.0) * 50.0).clip(500, None).astype(int)

    # --- debt ratio and utilization ------------------------------------------------
    debt_ratio = np.round(
        np.clip(
            np.exp(np.log(0.32) + 0.35 * stress - 0.15 * inc_z + rng.normal(0.0, 0.45, n)),
            0.0,
            3.0,
        ),
        3,
    )
    utilization = np.round(
        np.clip(_sigmoid(-0.6 + 0.9 * stress + rng.normal(0.0, 0.9, n)), 0.0, 1.0), 3
    )

    has_guarantor = rng.random(n) < np.where(
        np.isin(employment, ["student", "unemployed"]) | (age < 25), 0.35, 0.10
    )

    # --- region: 60 levels, Zipf-like frequencies, mild random effect on risk ----------
    # The rarest levels get fixed tiny counts so every level is present and some have < 5 rows.
    region_labels = np.array([f"R{i:02d}" for i in range(1, N_REGIONS + 1)], dtype=object)
    region_by_rank = rng.permutation(region_labels)
    rare_counts = np.array([4, 3, 3, 2, 2, 1, 1])
    n_common = N_REGIONS - rare_counts.size
    weights = 1.0 / (np.arange(1, n_common + 1) + 4.0) ** 1.1
    region = rng.permutation(
        np.concatenate(
            [
                rng.choice(
                    region_by_rank[:n_common], size=n - rare_counts.sum(), p=weights / weights.sum()
                ),
                np.repeat(region_by_rank[n_common:], rare_counts),
            ]
        )
    )
    region_effect = dict(zip(region_labels, rng.normal(0.0, 0.30, N_REGIONS), strict=True))

    # --- default model ------------------------------------------------------------------
    home_effect = {"own": -0.60, "rent": 0.20, "mortgage": -0.25, "other": 0.30}
    purpose_effect = {
        "car": 0.0,
        "education": 0.10,
        "business": 0.40,
        "home_improvement": -0.15,
        "debt_consolidation": 0.30,
        "medical": 0.35,
        "vacation": 0.20,
    }
    fragile_job = np.isin(employment, ["unemployed", "student"])
    logit = (
        1.60 * debt_ratio
        + 2.00 * utilization
        + 1.00 * (utilization > 0.85)  # threshold: maxed-out credit lines
        + 0.45 * late_payments_2y
        + 0.80 * np.log(loan_amount / income)
        + 0.0016 * (age - 42) ** 2  # U-shape: young and old borrowers are riskier
        - 0.0040 * credit_history_months
        + 1.50 * debt_ratio * fragile_job  # interaction: debt hurts more without a job
        + np.array([home_effect[h] for h in home])
        + np.array([purpose_effect[p] for p in purpose])
        + np.array([region_effect[r] for r in region])
        - 0.90 * has_guarantor
        + 0.25 * stress
        + 0.45 * luck
    )
    p_default = _sigmoid(logit + _calibrate_intercept(logit, TARGET_POSITIVE_RATE))
    default = rng.random(n) < p_default

    # --- mildly informative missingness (applied after the target is drawn) -------------
    p_income_missing = np.select(
        [employment == "self_employed", employment == "unemployed"], [0.20, 0.08], 0.035
    )
    income_missing = rng.random(n) < p_income_missing
    utilization_missing = rng.random(n) < np.where(credit_history_months < 36, 0.15, 0.04)
    employment_missing = rng.random(n) < np.where(late_payments_2y >= 2, 0.06, 0.025)

    income_out = pd.array(income.astype(np.int64), dtype="Int64")
    income_out[income_missing] = pd.NA
    customer_id = [f"C{i:06d}" for i in rng.choice(999_999, size=n, replace=False) + 1]

    return pd.DataFrame(
        {
            "customer_id": customer_id,
            "age": age,
            "income": income_out,
            "debt_ratio": debt_ratio,
            "credit_history_months": credit_history_months,
            "late_payments_2y": late_payments_2y,
            "open_accounts": open_accounts,
            "loan_amount": loan_amount,
            "utilization": np.where(utilization_missing, np.nan, utilization),
            "home": home,
            "purpose": purpose,
            "employment": np.where(employment_missing, None, employment),
            "region": region,
            "has_guarantor": has_guarantor,
            "default": np.where(default, "yes", "no"),
        }
    )


def _shell_friendly(name: str) -> str:
    return name.replace("/", "_").replace(" ", "_")


def make_wine() -> pd.DataFrame:
    """scikit-learn's bundled UCI wine data, target renamed to ``cultivar``."""
    bunch = load_wine(as_frame=True)
    frame = bunch.data.rename(columns=_shell_friendly)
    names = np.asarray(bunch.target_names)
    frame["cultivar"] = names[bunch.target.to_numpy()]
    return frame


def make_diabetes() -> pd.DataFrame:
    """scikit-learn's bundled diabetes data, unscaled, target renamed to ``progression``."""
    bunch = load_diabetes(as_frame=True, scaled=False)
    frame = bunch.data.copy()
    frame["sex"] = frame["sex"].round().astype(int)
    frame["progression"] = bunch.target
    return frame


def main() -> None:
    rng = np.random.default_rng(SEED)
    outputs: dict[str, pd.DataFrame] = {
        "credit.csv": make_credit(rng),
        "wine.csv": make_wine(),
        "diabetes.csv": make_diabetes(),
    }
    for name, frame in outputs.items():
        path = OUT_DIR / name
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.7g")
        print(f"wrote {path.name}: {frame.shape[0]} rows x {frame.shape[1]} columns")


if __name__ == "__main__":
    main()
