"""Hyper-parameter search: space translation, each strategy, pruning, failures, budgets,
resumable storage, and nested cross-validation that stays honest."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from conftest import (
    NO_DIAGNOSTICS_YAML,
    SAMPLES,
    make_dataset,
    run_cli,
    run_process,
    start_fit,
    write_recipe,
)
from scipy import stats

from mlwb.errors import ModelFailed, RecipeError
from mlwb.evaluation import search_or_fail
from mlwb.plan import plan_run
from mlwb.search import SearchSpace

# --- the space syntax, translated once ----------------------------------------------------


def test_space_translates_to_grids_distributions_and_suggestions():
    space = SearchSpace.from_recipe(
        "m",
        {
            "depth": {"int": [2, 8], "step": 2},
            "rate": {"log_uniform": [0.001, 1.0], "points": 4},
            "frac": {"float": [0.5, 1.0], "step": 0.25},
            "kind": ["a", "b"],
            "fixed": 3,
        },
        {},
    )
    assert space.fixed == {"fixed": 3}
    grid = space.grid()
    assert grid["depth"] == [2, 4, 6, 8]
    assert grid["rate"] == pytest.approx([0.001, 0.01, 0.1, 1.0])
    assert grid["frac"] == [0.5, 0.75, 1.0]
    assert grid["kind"] == ["a", "b"]
    assert space.size() == 4 * 4 * 3 * 2
    dists = space.distributions()
    assert dists["kind"] == ["a", "b"]
    trial = optuna.trial.FixedTrial({"depth": 4, "rate": 0.01, "frac": 0.75, "kind": "b"})
    assert space.suggest(trial) == {"depth": 4, "rate": 0.01, "frac": 0.75, "kind": "b"}


def test_distributions_sample_within_bounds():
    space = SearchSpace.from_recipe(
        "m",
        {
            "c": {"log_uniform": [0.01, 100.0]},
            "n": {"int": [3, 50], "log": True},
            "f": {"float": [0.1, 0.9]},
        },
        {},
    )
    dists = space.distributions()
    rng = np.random.default_rng(0)
    c = dists["c"].rvs(size=500, random_state=rng)
    n = dists["n"].rvs(size=500, random_state=rng)
    f = dists["f"].rvs(size=500, random_state=rng)
    assert c.min() >= 0.01 and c.max() <= 100 and abs(np.log10(c).mean()) < 0.2  # log-even
    assert n.min() >= 3 and n.max() <= 50 and np.issubdtype(n.dtype, np.integer)
    assert f.min() >= 0.1 and f.max() <= 0.9
    assert isinstance(dists["c"], type(stats.loguniform(1, 2)))


def test_grid_over_an_infinite_range_names_the_parameter():
    space = SearchSpace.from_recipe("svm", {"C": {"log_uniform": [0.01, 100.0]}}, {})
    with pytest.raises(RecipeError, match=r"models\.svm\.C: grid search cannot enumerate"):
        space.grid()


def test_empty_recipe_entry_searches_the_catalogue_space_minus_fixed_params():
    space = SearchSpace.from_recipe(
        "lightgbm",
        {"n_estimators": 50},
        {"num_leaves": {"int": [7, 127]}, "n_estimators": [10, 20]},
    )
    assert list(space.searched) == ["num_leaves"] and space.fixed == {"n_estimators": 50}


# --- each strategy finds a clearly better parameter ----------------------------------------


def interaction_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A label that needs a tree at least two levels deep (an XOR of two features)."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
    noise = rng.random(n) < 0.1
    y = ((a > 0) ^ (b > 0)) ^ noise
    frame = pd.DataFrame({"a": a, "b": b, "c": rng.normal(size=n)})
    frame["y"] = pd.Series(np.where(y, "yes", "no"), dtype="str")
    return frame


def tuned_plan(
    frame: pd.DataFrame, strategy: str, params: dict, model: str = "decision_tree", **search
):
    recipe, dataset = make_dataset(
        frame,
        {
            "target": "y",
            "positive": "yes",
            "n_jobs": 1,
            "models": {model: params},
            "validation": {"outer": {"folds": 3}, "inner": {"folds": 3}},
            "search": {"strategy": strategy, "trials": 12, **search},
        },
    )
    return plan_run(recipe, dataset), dataset


@pytest.mark.parametrize(
    ("strategy", "params"),
    [
        ("grid", {"max_depth": [1, 2, 3, 5]}),
        ("random", {"max_depth": {"int": [1, 6]}}),
        ("bayes", {"max_depth": {"int": [1, 6]}}),
        ("halving", {"max_depth": {"int": [1, 6]}}),
    ],
)
def test_each_strategy_finds_a_clearly_better_depth_than_a_stump(strategy, params):
    plan, dataset = tuned_plan(interaction_frame(), strategy, params)
    model = plan.model("decision_tree")
    result = search_or_fail(
        "decision_tree",
        model.pipeline,
        model.tuning,
        dataset.X,
        dataset.y,
        plan.split_data,
        plan.metric_context,
        "final",
        0,
        1,
        1,
    )
    stump = [t for t in result.trials if t.params["max_depth"] == 1 and t.state == "complete"]
    assert result.best_params["max_depth"] >= 2
    assert result.best_score > 0.7
    if stump:
        assert result.best_score > max(t.value for t in stump) + 0.2
    if strategy == "grid":
        assert sorted(t.params["max_depth"] for t in result.trials) == [1, 2, 3, 5]
    if strategy == "halving":
        assert {t.resources for t in result.trials} != {None}


def test_bayesian_search_prunes_poor_trials_fold_by_fold():
    frame = interaction_frame()
    plan, dataset = tuned_plan(
        frame,
        "bayes",
        {"max_depth": {"int": [1, 8]}, "min_samples_leaf": {"int": [1, 200]}},
        trials=25,
    )
    model = plan.model("decision_tree")
    result = search_or_fail(
        "decision_tree",
        model.pipeline,
        model.tuning,
        dataset.X,
        dataset.y,
        plan.split_data,
        plan.metric_context,
        "final",
        0,
        1,
        1,
    )
    pruned = [t for t in result.trials if t.state == "pruned"]
    assert pruned, "no trial was pruned"
    assert all(t.folds < 3 for t in pruned)
    assert len(result.trials) == 25


def test_a_failing_trial_is_recorded_and_the_search_goes_on():
    plan, dataset = tuned_plan(
        interaction_frame(),
        "grid",
        {"solver": ["lbfgs", "saga"], "l1_ratio": 1.0},
        model="logistic_regression",
    )
    model = plan.model("logistic_regression")
    result = search_or_fail(
        "logistic_regression",
        model.pipeline,
        model.tuning,
        dataset.X,
        dataset.y,
        plan.split_data,
        plan.metric_context,
        "final",
        0,
        1,
        1,
    )
    states = {t.params["solver"]: t for t in result.trials}
    assert states["lbfgs"].state == "failed" and "ValueError" in states["lbfgs"].error
    assert states["saga"].state == "complete"
    assert result.best_params["solver"] == "saga"


def test_every_trial_failing_is_exit_1_with_the_first_error(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        """
target: default
columns: {drop: [customer_id]}
models: {knn: {n_neighbors: [5000, 6000]}}
search: {strategy: grid}
validation: {outer: {folds: 2}, inner: {folds: 2}}
n_jobs: 1
""",
    )
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "run")
    assert result.exit_code == 1
    assert (
        "every configuration failed" in result.stderr and "first error: ValueError" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()
    with pytest.raises(ModelFailed):
        plan, dataset = tuned_plan(
            interaction_frame(),
            "grid",
            {"n_neighbors": [5000, 6000]},
            model="knn",
        )
        model = plan.model("knn")
        search_or_fail(
            "knn",
            model.pipeline,
            model.tuning,
            dataset.X,
            dataset.y,
            plan.split_data,
            plan.metric_context,
            "final",
            0,
            1,
            1,
        )


def test_timeout_budget_stops_the_search_early():
    plan, dataset = tuned_plan(
        interaction_frame(2000),
        "random",
        {"max_depth": {"int": [1, 30]}},
        model="random_forest",
        trials=500,
        timeout=2,
    )
    model = plan.model("random_forest")
    started = time.perf_counter()
    result = search_or_fail(
        "random_forest",
        model.pipeline,
        model.tuning,
        dataset.X,
        dataset.y,
        plan.split_data,
        plan.metric_context,
        "final",
        0,
        1,
        1,
    )
    assert time.perf_counter() - started < 30
    assert 0 < len(result.trials) < 500


# --- nested cross-validation ---------------------------------------------------------------


def nested_recipe(tmp_path, extra: str = "", name: str = "r.yaml"):
    return write_recipe(
        tmp_path / name,
        """
target: default
columns: {drop: [customer_id]}
search: {strategy: bayes, trials: 8}
validation: {outer: {folds: 3}, inner: {folds: 3}}
models:
  logistic_regression: {}
  random_forest: {n_estimators: 30, max_depth: {int: [2, 12]}}
n_jobs: 1
"""
        + NO_DIAGNOSTICS_YAML
        + extra,
    )


@pytest.mark.slow
def test_nested_cv_reports_outer_inner_gap_and_per_fold_parameters(tmp_path):
    out = tmp_path / "run"
    result = run_cli("fit", nested_recipe(tmp_path), SAMPLES / "credit.csv", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "nested CV (bayes search" in result.stdout
    assert "the honest estimate" in result.stdout and "optimism gap" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    forest = metrics["models"]["random_forest"]
    assert forest["tuning"]["trials"] == 24 and forest["tuning"]["space"] == {
        "max_depth": "int 2–12"
    }
    assert all(2 <= f["best_params"]["max_depth"] <= 12 for f in forest["folds"])
    assert all(f["best_params"]["n_estimators"] == 30 for f in forest["folds"])
    inner = np.mean([f["inner_score"] for f in forest["folds"]])
    assert forest["tuning"]["inner_mean"] == pytest.approx(inner)
    outer = forest["summary"]["roc_auc"]["mean"]
    assert forest["tuning"]["optimism"] == pytest.approx(inner - outer)
    assert metrics["final_model"]["params"]
    trials = pd.read_csv(out / "trials.csv")
    per_search = trials.groupby(["model", "search"]).size()
    assert per_search.loc[("random_forest", "outer 1")] == 8
    best = metrics["best_model"]
    assert per_search.loc[(best, "final")] == 8
    assert set(trials["state"]) <= {"complete", "pruned", "failed"}


@pytest.mark.slow
def test_nested_cv_on_noise_is_at_chance_while_the_inner_score_flatters(tmp_path):
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(rng.normal(size=(240, 30)), columns=[f"f{i}" for i in range(30)])
    frame["y"] = pd.Series(rng.choice(["a", "b"], 240), dtype="str")
    path = tmp_path / "noise.csv"
    frame.to_csv(path, index=False)
    recipe = write_recipe(
        tmp_path / "noise.yaml",
        """
target: y
search: {strategy: random, trials: 15}
validation: {outer: {folds: 5}, inner: {folds: 3}}
models: {knn: {n_neighbors: {int: [1, 60]}}}
n_jobs: 1
""",
    )
    result = run_cli("fit", recipe, path, "--out", tmp_path / "run", "--json")
    assert result.exit_code == 0, result.stderr
    knn = result.json()["models"]["knn"]
    outer, inner = knn["summary"]["roc_auc"]["mean"], knn["tuning"]["inner_mean"]
    print(f"noise: outer {outer:.3f}, inner best {inner:.3f}")
    assert abs(outer - 0.5) < 0.08
    assert inner > outer + 0.03  # the best of many noisy scores is optimistic


@pytest.mark.slow
def test_existing_study_needs_resume(tmp_path):
    storage = f"sqlite:///{tmp_path / 'search.db'}"
    recipe = nested_recipe(tmp_path, "name: study\n")
    recipe.write_text(
        recipe.read_text().replace(
            "search: {strategy: bayes, trials: 8}",
            f'search: {{strategy: bayes, trials: 4, storage: "{storage}"}}',
        )
    )
    first = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "a", "-q")
    assert first.exit_code == 0, first.stderr
    again = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "b", "-q")
    assert again.exit_code == 2 and "--resume" in again.stderr
    resumed = run_cli(
        "fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "c", "-q", "--resume"
    )
    assert resumed.exit_code == 0
    # Nothing left to do: the resumed run reuses the stored trials and gives the same numbers.
    first_doc = json.loads((tmp_path / "a" / "metrics.json").read_text())
    resumed_doc = json.loads((tmp_path / "c" / "metrics.json").read_text())
    for name in ("logistic_regression", "random_forest"):
        assert [f["best_params"] for f in first_doc["models"][name]["folds"]] == [
            f["best_params"] for f in resumed_doc["models"][name]["folds"]
        ]


def test_a_retry_run_within_the_round_still_fills_the_budget(tmp_path):
    """Another process's trial dies mid-search (the heartbeat fails it and queues it
    again) and this process runs the retry among its own trials: the study must still
    end with the budget's number of finished trials, not one short (seen in CI)."""
    from mlwb.search import SearchSettings
    from mlwb.search.optuna_search import optuna_search
    from mlwb.search.storage import PROCESS_ATTR, prepare_studies, retry_trial

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    url = f"sqlite:///{tmp_path / 's.db'}"
    prepare_studies(url, ["s"], "maximize", resume=False)
    study = optuna.load_study(study_name="s", storage=url)
    other = study.ask()  # running in another machine's process: it counts in the budget
    other.set_user_attr(PROCESS_ATTR, "elsewhere:1")
    died: list[int] = []

    def fold_scores(params):
        if not died:  # during this process's first trial, the other process is declared dead
            study.tell(other.number, state=optuna.trial.TrialState.FAIL)
            retry_trial(study, study.trials[other.number])
            died.append(other.number)
        yield params["x"]

    settings = SearchSettings(
        "random", 5, None, "roc_auc", True, storage=url, study_name="s", resume=True,
        prepared=True, heartbeat=1,
    )  # fmt: skip
    space = SearchSpace.from_recipe("m", {"x": {"float": [0.0, 1.0]}}, {})
    result = optuna_search(space, fold_scores, settings, "outer 1")
    states = [t.state.name for t in optuna.load_study(study_name="s", storage=url).trials]
    assert died and states.count("COMPLETE") == 5, states
    assert "RUNNING" not in states and "WAITING" not in states
    assert len([t for t in result.trials if t.state == "complete"]) == 5


def started(db: Path, scope: str) -> bool:
    """Whether the search of ``scope`` has begun its first trial (the studies themselves
    are all created before the first fold starts)."""
    query = "select count(*) from trials join studies using (study_id) where study_name like ?"
    try:
        return sqlite3.connect(db).execute(query, (f"%{scope}",)).fetchone()[0] > 0
    except sqlite3.Error:
        return False


@pytest.mark.slow
def test_a_killed_search_resumes_without_repeating_finished_trials(tmp_path):
    db = tmp_path / "search.db"
    recipe = write_recipe(
        tmp_path / "kill.yaml",
        f"""
name: kill
target: default
columns: {{drop: [customer_id]}}
search: {{strategy: bayes, trials: 12, storage: "sqlite:///{db}"}}
validation: {{outer: {{folds: 3}}, inner: {{folds: 3}}}}
models: {{random_forest: {{n_estimators: 40, max_depth: {{int: [2, 12]}}}}}}
n_jobs: 1
""",
    )
    out = tmp_path / "run"
    process = start_fit(recipe, SAMPLES / "credit.csv", out)
    deadline = time.time() + 120
    while time.time() < deadline:  # kill once the second outer fold's search has begun
        time.sleep(0.5)
        if db.exists():
            try:
                names = [
                    r[0] for r in sqlite3.connect(db).execute("select study_name from studies")
                ]
            except sqlite3.Error:
                continue
            if any(n.endswith("outer2") for n in names) and started(db, "outer2"):
                break
    process.kill()
    process.communicate(timeout=60)
    assert not out.exists()
    storage = f"sqlite:///{db}"
    before = {
        t.number: t.params
        for t in optuna.load_study(
            study_name="mlwb-kill-random_forest-outer1", storage=storage
        ).trials
    }
    assert len(before) == 12
    # resumed as a user would, from a shell: a process of its own
    resumed = run_process("fit", recipe, SAMPLES / "credit.csv", "--out", out, "--resume", "-q")
    assert resumed.returncode == 0, resumed.stderr
    after = optuna.load_study(study_name="mlwb-kill-random_forest-outer1", storage=storage)
    assert {t.number: t.params for t in after.trials} == before  # nothing repeated
    for fold in (2, 3):
        study = optuna.load_study(
            study_name=f"mlwb-kill-random_forest-outer{fold}", storage=storage
        )
        # a trial the killed process was running is failed without a library error
        interrupted = [
            t for t in study.trials if t.state.name == "FAIL" and "error" not in t.user_attrs
        ]
        finished = [t for t in study.trials if t not in interrupted]
        assert len(finished) == 12
    assert (out / "trials.csv").is_file()


@pytest.mark.slow
def test_nested_results_do_not_depend_on_n_jobs(tmp_path):
    from test_cli_fit import without_timings

    recipe = nested_recipe(tmp_path)
    documents = []
    for jobs in (1, 2):
        result = run_cli(
            "fit",
            recipe,
            SAMPLES / "credit.csv",
            "--out",
            tmp_path / f"j{jobs}",
            "--n-jobs",
            jobs,
            "--json",
        )
        assert result.exit_code == 0, result.stderr
        document = without_timings(result.json())
        document.pop("run_dir")
        documents.append(document)
        trials = pd.read_csv(tmp_path / f"j{jobs}" / "trials.csv").drop(columns=["seconds"])
        trials = trials.astype(object).where(trials.notna(), "")  # NaN != NaN in dicts
        documents[-1]["trials"] = trials.to_dict(orient="records")
    assert documents[0] == documents[1]


def test_interrupting_a_search_exits_130_and_writes_nothing(tmp_path):
    recipe = write_recipe(
        tmp_path / "slow.yaml",
        """
target: default
columns: {drop: [customer_id]}
search: {strategy: random, trials: 200}
models: {random_forest: {n_estimators: 200, max_depth: {int: [2, 20]}}}
n_jobs: 1
""",
    )
    out = tmp_path / "run"
    process = start_fit(recipe, SAMPLES / "credit.csv", out)
    time.sleep(6)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists()
