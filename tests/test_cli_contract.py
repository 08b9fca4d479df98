"""The contract every command keeps for scripts: help, exit codes, JSON, quiet, colour,
completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
