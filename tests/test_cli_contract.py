"""The contract every command keeps for scripts: help, exit codes, JSON, quiet, colour,
completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, run_cli, run_process

COMMANDS = (
    "fit",
    "compare",
    "predict",
    "evaluate",
    "init",
    "validate",
    "schema",
    "models",
    "report",
)


def test_help_lists_every_command_and_the_exit_codes():
    completed = run_process("--help", env={"COLUMNS": "200"})
    assert completed.returncode == 0
    for command in COMMANDS:
        assert command in completed.stdout
    words = " ".join(completed.stdout.split())  # Rich wraps the epilog to the width
    for code in ("0 success", "4 a quality gate failed", "130 interrupted", "143 terminated"):
        assert code in words, code
    for command in COMMANDS:
        sub = run_process(command, "--help", env={"COLUMNS": "200"})
        assert sub.returncode == 0 and "Exit codes" in sub.stdout, command


@pytest.mark.parametrize(
    "args",
    [
        ("models",),
        ("validate", "recipes/credit.yaml", "sample_data/credit.csv"),
        ("validate", "recipes/minimal.yaml"),
    ],
)
def test_json_is_one_versioned_document(args):
    completed = run_process(*args, "--json")
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert document["schema_version"] == 1 and "kind" in document


def test_no_color_and_pipes_give_plain_text():
    completed = run_process("models", env={"NO_COLOR": "1"})
    assert "\x1b[" not in completed.stdout and "\x1b[" not in completed.stderr


def test_quiet_leaves_stdout_empty_and_errors_visible(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("target: default\nmodles: {}\n")
    result = run_cli("validate", recipe, "-q")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ")


def test_shell_completion_completes_commands():
    env = {
        **os.environ,
        "_MLWB_COMPLETE": "complete_bash",
        "COMP_WORDS": "mlwb comp",
        "COMP_CWORD": "1",
    }
    script = Path(sys.executable).with_name("mlwb")  # the installed console script
    completed = subprocess.run(
        [str(script)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert completed.stdout.split() == ["compare"]


def test_schema_and_init_write_only_results_to_stdout():
    schema = run_process("schema")
    assert json.loads(schema.stdout)["title"] == "mlwb recipe"
    init = run_process("init", SAMPLES / "wine.csv", "--target", "cultivar")
    assert init.returncode == 0 and init.stdout.startswith("# Starter recipe")


@pytest.mark.parametrize(
    "command", [("models",), ("schema",), ("init", "sample_data/wine.csv", "-t", "cultivar")]
)
def test_a_closed_pipe_ends_quietly_with_success(command):
    process = subprocess.Popen(
        [sys.executable, "-m", "mlwb", *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert process.stdout is not None and process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "Traceback" not in stderr and "Error" not in stderr


def _shared_memory() -> set[str]:
    shm = Path("/dev/shm")
    return {p.name for p in shm.iterdir()} if shm.is_dir() else set()


def _in_session(session: int) -> list[int]:
    """Processes of a session (field 6 of /proc/PID/stat, after the command name)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_the_fast_exit_flushes_everything_and_leaves_nothing_behind(tmp_path):
    """``mlwb`` ends with ``os._exit`` after a command: every line it printed arrives, its
    exit code is kept, and its worker processes, joblib's temporary folders and loky's
    semaphores are gone once it has ended."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "target: default\ncolumns: {drop: [customer_id]}\n"
        "models: {lightgbm: {n_estimators: 20, early_stopping_rounds: null}}\n"
        "validation: {outer: {folds: 3}}\nn_jobs: 2\n"
        "diagnostics: {learning_curve: false, importance: none}\n",
        encoding="utf-8",
    )
    before = _shared_memory()
    command = ["fit", str(recipe), str(SAMPLES / "credit.csv"), "--out", str(tmp_path / "run")]
    fitted = subprocess.Popen(
        [sys.executable, "-m", "mlwb", *command, "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its workers share its session id
    )
    stdout, stderr = fitted.communicate(timeout=300)
    assert fitted.returncode == 0, stderr
    assert json.loads(stdout)["best_model"] == "lightgbm"  # the whole document arrived
    deadline = time.monotonic() + 5  # loky's resource tracker leaves on its own
    while _in_session(fitted.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _in_session(fitted.pid), "processes of mlwb's outlived it"
    assert not {n for n in _shared_memory() - before if str(fitted.pid) in n}

    predicted = run_process("predict", tmp_path / "run", SAMPLES / "credit.csv")
    assert predicted.returncode == 0
    assert len(predicted.stdout.splitlines()) == 2001  # the header and every row
    failed = run_process("predict", tmp_path / "run", tmp_path / "missing.csv")
    assert failed.returncode == 3 and "file not found" in failed.stderr
