"""Overhead of mlwb over the libraries underneath it, timed as whole processes.

Run from the repository root:  python bench/overhead.py [--runs 5] [--large]

It writes its data sets (fixed seed, into a temporary folder removed at the end; nothing is
downloaded), runs mlwb's command and its yardstick in turn (A B A B …, after one warm-up
run of each) and prints one table of medians, with the ratio A/B taken run by run (pairing
keeps a ratio honest when the machine's speed drifts) and the target of issue 14:

- fit 40k: ``mlwb fit`` of one LightGBM with fixed parameters (300 rounds, no early
  stopping), 5-fold cross-validation, diagnostics and report off, ``--n-jobs 2``, on a
  40,000-row regression CSV (20 numeric and 4 text columns);
- read: ``load_dataset`` with a recipe (what every command does with a CSV) on a 20 MB CSV,
  against ``pandas.read_csv`` of the same file;
- --help: ``mlwb --help`` against ``python -c "import typer, rich"``;
- fit 1M (``--large``; several minutes, no warm-up run): the fit case on a 1,000,000-row
  binary CSV (25 numeric, 5 text columns, about 230 MB), 3 folds, 100 rounds. mlwb's peak
  memory is also given as a multiple of what pandas' DataFrame of that file takes.

The yardsticks for a fit are plain scripts that do the same job by hand with pandas,
scikit-learn, LightGBM and joblib (``PLAIN_FIT`` below), with mlwb's model parameters, folds
and seed, one LightGBM thread per fold worker as mlwb uses, and two workers:

- "plain": reads the CSV with pandas, makes text columns ``category`` (as mlwb does for
  LightGBM), gets out-of-fold predictions with ``cross_val_predict(n_jobs=2)``, scores them,
  refits on all rows (two threads) and saves the model with joblib. This is the yardstick of
  the issue; it leaves out work mlwb always does: the dummy baseline and the training-fold
  scores (each fold's model predicts its own training rows: mlwb's "train" column and gap).
- "plain, same work": the same, plus that work — the baseline on the same folds and each
  fold's predictions of its training rows, in a joblib loop (what ``cross_val_predict``
  does inside, with the training rows predicted too). The ratio against it is mlwb's own
  overhead; the ratio against "plain" adds the cost of the extra work.

Neither writes metrics.json or oof_predictions.csv: formatting mlwb's documents counts as
its overhead. Every side must reach the same cross-validation score; the table says so.

Each command runs under a small wrapper process (on Linux a "child subreaper", so worker
processes that outlive their parent are waited for and counted). Its figures: wall seconds
from start to the command's exit; CPU seconds (user + system) of every process of the
tree, workers included; peak resident memory of the largest process of the tree (joblib's
workers count), from ``getrusage(RUSAGE_CHILDREN)``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261129

# Runs one command, waits for it and for every process it left behind, and prints its
# figures as JSON. RUSAGE_CHILDREN covers the waited-for descendants, not the wrapper.
WRAPPER = """
import ctypes, json, os, resource, signal, subprocess, sys, time
try:  # PR_SET_CHILD_SUBREAPER: orphaned workers become our children, so they are counted
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
except (AttributeError, OSError):
    pass
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - started
deadline = time.monotonic() + 10
while True:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid:
        continue
    if time.monotonic() > deadline:
        for task in os.listdir("/proc/self/task"):
            for child in open(f"/proc/self/task/{task}/children").read().split():
                os.kill(int(child), signal.SIGKILL)
    time.sleep(0.05)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak": usage.ru_maxrss / 1024}))
"""

PLAIN_FIT = '''
"""A yardstick for ``mlwb fit``: the same cross-validation and refit written directly
against pandas, scikit-learn, LightGBM and joblib (bench/overhead.py says what it covers).

usage: plain_fit.py DATA TARGET TASK ROUNDS FOLDS SEED OUT {plain,same-work}
"""
import json
import sys

import joblib
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

data, target, task, rounds, folds, seed, out, work = sys.argv[1:]
regression = task == "regression"
frame = pd.read_csv(data)
y = frame.pop(target).to_numpy()
for name in frame.columns:
    if not pd.api.types.is_numeric_dtype(frame[name]):
        frame[name] = frame[name].astype("category")
# mlwb's catalogue settings for LightGBM; one thread per fold worker, as mlwb runs them
params = dict(n_estimators=int(rounds), learning_rate=0.05, num_leaves=31, subsample_freq=1,
              random_state=int(seed), n_jobs=1, verbose=-1)
if regression:
    model, baseline = LGBMRegressor(**params), DummyRegressor()
    cv = KFold(int(folds), shuffle=True, random_state=int(seed))
    method = "predict"
else:
    model, baseline = LGBMClassifier(**params), DummyClassifier(strategy="prior")
    cv = StratifiedKFold(int(folds), shuffle=True, random_state=int(seed))
    method = "predict_proba"
splits = list(cv.split(frame, y))


def predict(fitted, rows):
    output = getattr(fitted, method)(frame.iloc[rows])
    return output if regression else output[:, 1]


def score(rows, predicted):
    if regression:
        return float(np.sqrt(np.mean((predicted - y[rows]) ** 2)))
    return float(roc_auc_score(y[rows] == np.unique(y)[1], predicted))


def fold(estimator, train, test):
    """One fold as mlwb runs it: fit, predict the test rows and the training rows."""
    fitted = clone(estimator).fit(frame.iloc[train], y[train])
    return predict(fitted, test), predict(fitted, train)


if work == "plain":
    oof = cross_val_predict(model, frame, y, cv=cv, n_jobs=2, method=method)
    oof = oof if regression else oof[:, 1]
    scores = [score(test, oof[test]) for _, test in splits]
else:
    scores = []
    for estimator in (baseline, model):
        outputs = Parallel(n_jobs=2)(delayed(fold)(estimator, tr, te) for tr, te in splits)
        scores = [score(test, on_test) for (_, test), (on_test, _) in zip(splits, outputs)]
        train = [score(rows, on_train) for (rows, _), (_, on_train) in zip(splits, outputs)]
model.set_params(n_jobs=2).fit(frame, y)
joblib.dump(model, out + "/model.joblib")
with open(out + "/score.json", "w") as file:
    json.dump(float(np.mean(scores)), file)
'''

MLWB_READ = (
    "import sys; from mlwb.data import load_dataset; from mlwb.recipe import recipe_from_mapping;"
    " load_dataset(sys.argv[1], recipe_from_mapping({'target': 'target'}))"
)
PANDAS_READ = "import sys, pandas; pandas.read_csv(sys.argv[1])"


def make_table(rows: int, numeric: int, text: int, task: str, seed: int = SEED) -> pd.DataFrame:
    """A synthetic table: normal numeric columns (1 % missing in every fifth one), text
    columns of 3 to 60 levels, and a target that depends on both (plus noise)."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, numeric))
    signal = values[:, :5] @ np.array([1.0, -2.0, 0.5, 1.5, -1.0]) + np.sin(2 * values[:, 5])
    columns: dict[str, np.ndarray] = {}
    for i in range(numeric):
        column = np.round(values[:, i], 4)
        if i % 5 == 4:
            column[rng.random(rows) < 0.01] = np.nan
        columns[f"x{i}"] = column
    for j in range(text):
        count = (3, 8, 12, 30, 60)[j % 5]
        codes = rng.integers(0, count, rows)
        columns[f"t{j}"] = np.array([f"level_{j}_{k}" for k in range(count)])[codes]
        signal += (codes % 3 - 1) * 0.5
    if task == "regression":
        columns["target"] = np.round(signal + rng.normal(size=rows), 4)
    else:
        chance = 1 / (1 + np.exp(-signal))
        columns["target"] = np.where(rng.random(rows) < chance, "yes", "no")
    return pd.DataFrame(columns)


def fit_recipe(task: str, rounds: int, folds: int) -> str:
    method = "kfold" if task == "regression" else "stratified_kfold"
    metrics = "[rmse, mae, r2]" if task == "regression" else "[roc_auc, average_precision, f1]"
    return textwrap.dedent(
        f"""\
        name: overhead
        target: target
        task: {task}
        metrics: {metrics}
        validation: {{outer: {{method: {method}, folds: {folds}}}}}
        models:
          lightgbm: {{n_estimators: {rounds}, early_stopping_rounds: null}}
        diagnostics: {{learning_curve: false, importance: none}}
        seed: 0
        """
    )


@dataclass(frozen=True)
class Figures:
    wall: float
    cpu: float
    peak: float


@dataclass(frozen=True)
class Yardstick:
    label: str
    command: list[str]
    target: str  # the target for mlwb against this yardstick, or ""
    scores: Path | None = None  # where a fit yardstick leaves its CV score


@dataclass(frozen=True)
class Case:
    """mlwb's command and the yardsticks it is compared with."""

    name: str
    label: str
    command: list[str]
    yardsticks: list[Yardstick]
    warm_up: bool = True
    run: Path | None = None  # mlwb's run folder, for the CV score
    notes: list[str] = field(default_factory=list)


def measure(command: list[str]) -> Figures:
    """One whole-process run of ``command`` under the wrapper, with this checkout first on
    the import path."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout)
    if figures["code"] != 0:
        raise SystemExit(f"failed (exit {figures['code']}): {' '.join(command)}")
    return Figures(figures["wall"], figures["cpu"], figures["peak"])


def run_case(case: Case, runs: int) -> list[list[Figures]]:
    """Figures of every timed run: mlwb's first, then each yardstick's, in turn."""
    commands = [case.command] + [y.command for y in case.yardsticks]
    if case.warm_up:  # file cache, compiled bytecode
        for command in commands:
            measure(command)
    figures: list[list[Figures]] = [[] for _ in commands]
    for _ in range(runs):
        for command, results in zip(commands, figures, strict=True):
            results.append(measure(command))
    return figures


def score_note(case: Case) -> str:
    """Whether mlwb's cross-validation mean equals every yardstick's (to 1e-9)."""
    assert case.run is not None
    document = json.loads((case.run / "metrics.json").read_text(encoding="utf-8"))
    metric = document["primary_metric"]
    ours = document["models"]["lightgbm"]["summary"][metric]["mean"]
    theirs = [json.loads(y.scores.read_text(encoding="utf-8")) for y in case.yardsticks if y.scores]
    same = all(abs(ours - score) <= 1e-9 for score in theirs)
    return f"CV {metric}: mlwb {ours:.6f}, yardsticks {', '.join(f'{s:.6f}' for s in theirs)}" + (
        " (the same)" if same else " (DIFFERENT: not the same work)"
    )


def print_table(results: list[tuple[Case, list[list[Figures]]]]) -> None:
    header = f"{'case':<10}{'command':<31}{'wall s':>8}{'cpu s':>8}{'peak MiB':>10}   target"
    print(header)
    print("-" * len(header))
    for case, figures in results:
        labels = [case.label] + [y.label for y in case.yardsticks]
        for i, (label, runs) in enumerate(zip(labels, figures, strict=True)):
            wall, cpu, peak = (statistics.median(getattr(f, k) for f in runs) for k in KEYS)
            name = case.name if i == 0 else ""
            print(f"{name:<10}{label:<31}{wall:>8.2f}{cpu:>8.2f}{peak:>10.0f}")
        for yardstick, runs in zip(case.yardsticks, figures[1:], strict=True):
            pairs = list(zip(figures[0], runs, strict=True))
            ratios = [
                statistics.median(getattr(a, k) / getattr(b, k) for a, b in pairs) for k in KEYS
            ]
            shown = "".join(f"{r:>7.2f}x" for r in ratios[:2]) + f"{ratios[2]:>9.2f}x"
            print(f"{'':<10}{'mlwb / ' + yardstick.label:<31}{shown}   {yardstick.target}")
        for note in case.notes:
            print(f"{'':<10}{note}")
    print()


KEYS = ("wall", "cpu", "peak")


def fit_case(folder: Path, name: str, rows: int, shape: tuple[int, int, str, int, int]) -> Case:
    """A fit case: its data, recipe, mlwb's command and the two plain scripts."""
    numeric, text, task, rounds, folds = shape
    slug = name.replace(" ", "-")
    data = folder / f"{slug}.csv"
    make_table(rows, numeric, text, task).to_csv(data, index=False)
    recipe = folder / f"{slug}.yaml"
    recipe.write_text(fit_recipe(task, rounds, folds), encoding="utf-8")
    run = folder / f"{slug}-run"
    script = folder / "plain_fit.py"
    target = "wall <= 1.10x" if rows < 10**6 else "wall <= 1.20x, peak <= 4x frame"
    yardsticks = []
    for work, label in (("plain", "plain"), ("same-work", "plain, same work")):
        out = folder / f"{slug}-{work}"
        out.mkdir()
        arguments = [str(data), "target", task, str(rounds), str(folds), "0", str(out), work]
        yardsticks.append(
            Yardstick(
                label,
                [sys.executable, str(script), *arguments],
                target if work == "plain" else "",
                out / "score.json",
            )
        )
    command = [sys.executable, "-m", "mlwb", "fit", str(recipe), str(data), "--out", str(run)]
    command += ["--force", "--no-report", "--n-jobs", "2", "--quiet"]
    return Case(name, "mlwb fit", command, yardsticks, rows < 10**6, run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--large", action="store_true", help="add the 1,000,000-row case")
    parser.add_argument("--large-runs", type=int, default=3, help="timed runs at 1M rows")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="mlwb-overhead-") as tmp:
        folder = Path(tmp)
        (folder / "plain_fit.py").write_text(PLAIN_FIT, encoding="utf-8")
        cases = [(fit_case(folder, "fit 40k", 40_000, (20, 4, "regression", 300, 5)), args.runs)]
        data = folder / "read.csv"
        make_table(85_000, 25, 5, "binary").to_csv(data, index=False)
        read = Case(
            f"read {data.stat().st_size / 2**20:.0f}MB",
            "mlwb load_dataset",
            [python, "-c", MLWB_READ, str(data)],
            [Yardstick("pandas.read_csv", [python, "-c", PANDAS_READ, str(data)], "peak <= 1.20x")],
        )
        cases.append((read, args.runs))
        help_ = Case(
            "--help",
            "mlwb --help",
            [python, "-m", "mlwb", "--help"],
            [Yardstick("import typer, rich", [python, "-c", "import typer, rich"], "cpu <= 1.30x")],
        )
        cases.append((help_, args.runs))
        if args.large:
            large = fit_case(folder, "fit 1M", 1_000_000, (25, 5, "binary", 100, 3))
            cases.append((large, args.large_runs))
        results = []
        for case, runs in cases:
            print(f"{case.name}: {runs} runs of each command …", file=sys.stderr, flush=True)
            figures = run_case(case, runs)
            if case.run is not None:
                case.notes.append(score_note(case))
            if case.name == "fit 1M":
                held = pd.read_csv(folder / "fit-1M.csv").memory_usage(deep=True).sum() / 2**20
                peak = statistics.median(f.peak for f in figures[0])
                case.notes.append(
                    f"pandas' frame of the file: {held:.0f} MiB; "
                    f"mlwb's peak is {peak / held:.2f}x that"
                )
            results.append((case, figures))
        print(
            f"medians of the timed runs, whole processes, {os.cpu_count()} cores; "
            "each ratio is the median of the run-by-run ratios"
        )
        print_table(results)


if __name__ == "__main__":
    main()
