"""Reports: report.md with SVG figures, a self-contained report.html, `mlwb report`, and a
terminal chart that fits 80 columns."""

from __future__ import annotations

import io
import re
import shutil

import pandas as pd
import pytest
from conftest import SAMPLES, fast_recipe, run_cli, write_recipe
from rich.console import Console

from mlwb.report.console import Output
from mlwb.report.diagnostics_view import learning_curve_view
from mlwb.report.markdown import LIMIT, MARKER


@pytest.fixture(scope="module")
def credit_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    recipe = fast_recipe(tmp, "credit", extra="threshold: {objective: f1}\n", diagnostics=True)
    run = tmp / "run"
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", run)
    assert result.exit_code == 0, result.stderr
    return run, result


def test_markdown_report_references_every_figure(credit_report):
    run, _ = credit_report
    text = (run / "report.md").read_text()
    assert text.splitlines()[0] == MARKER
    assert len(text) < LIMIT
    figures = sorted(p.name for p in (run / "figures").glob("*.svg"))
    assert {
        "learning_curve_logistic_regression.svg",
        "confusion_matrix.svg",
        "roc.svg",
        "precision_recall.svg",
        "calibration.svg",
        "importance.svg",
    } <= set(figures)
    for name in figures:
        assert f"(figures/{name})" in text, name
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):  # every table is followed by a blank line
        if line.startswith("|") and not lines[i + 1].startswith("|"):
            assert lines[i + 1] == "", (i, line)
    assert "**Verdict:" in text and "Decision threshold per outer fold" in text


def test_html_report_is_self_contained(credit_report):
    run, _ = credit_report
    html = (run / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and " src=" not in html
    assert html.count("<svg") == len(list((run / "figures").glob("*.svg")))
    for heading in (
        "Learning curve",
        "Out-of-fold predictions",
        "Permutation importance",
        "Leaderboard",
    ):
        assert heading in html


def test_console_shows_chart_verdict_and_importances(credit_report):
    _, result = credit_report
    out = result.stdout
    assert "learning curve — logistic_regression" in out
    assert "● train   ○ validation" in out
    assert "verdict:" in out and "rule: skill" in out
    assert "confusion matrix (out-of-fold" in out
    assert "permutation importance" in out


def test_report_command_reproduces_the_reports_from_a_copied_folder(credit_report, tmp_path):
    run, _ = credit_report
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    for name in ("report.md", "report.html"):
        (copy / name).unlink()
    shutil.rmtree(copy / "figures")
    result = run_cli("report", copy, "--format", "markdown", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert (copy / "report.md").read_text() == (run / "report.md").read_text()
    assert (copy / "report.html").read_text() == (run / "report.html").read_text()
    assert sorted(p.name for p in (copy / "figures").iterdir()) == sorted(
        p.name for p in (run / "figures").iterdir()
    )
    console = run_cli("report", copy, "--format", "console")
    assert "Leaderboard" in console.stdout and "learning curve —" in console.stdout


def test_report_command_errors(tmp_path):
    """A missing or unreadable run folder is exit 3, as for ``mlwb compare RUN…`` (one
    reader for both); a bad option is exit 2."""
    missing = run_cli("report", tmp_path / "nope")
    assert missing.exit_code == 3 and "run folder not found" in missing.stderr
    (tmp_path / "empty").mkdir()
    result = run_cli("report", tmp_path / "empty")
    assert result.exit_code == 3 and "no metrics.json" in result.stderr
    (tmp_path / "empty" / "metrics.json").write_text("{not json")
    unreadable = run_cli("report", tmp_path / "empty")
    assert unreadable.exit_code == 3 and "unreadable run record" in unreadable.stderr
    (tmp_path / "empty" / "metrics.json").write_text('{"schema_version": 1, "kind": "plan"}')
    not_a_run = run_cli("report", tmp_path / "empty")
    assert not_a_run.exit_code == 3 and "'plan' is not a run" in not_a_run.stderr
    bad = run_cli("report", tmp_path / "empty", "--format", "pdf")
    assert bad.exit_code == 2 and "not a report format" in bad.stderr


def test_terminal_chart_fits_80_columns(credit_report):
    import json

    run, _ = credit_report
    curve = json.loads((run / "diagnostics.json").read_text())["learning_curves"][0]
    for plain in (True, False):
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=80,
            force_terminal=not plain,
            no_color=plain,
            color_system=None if plain else "standard",
        )
        output = Output(out=console, err=console)
        console.print(learning_curve_view(curve, output))
        text = re.sub(r"\x1b\[[0-9;]*m", "", buffer.getvalue())
        chart = [line for line in text.splitlines() if "│" in line or "└" in line]
        assert len(chart) >= 10
        assert all(len(line) <= 80 for line in chart)
        assert sum(line.count("●") for line in chart) >= 5  # one mark per curve point
        assert sum(line.count("○") for line in chart) >= 5


def test_no_report_and_recipe_choice(tmp_path):
    recipe = fast_recipe(tmp_path, "wine", diagnostics=True)
    run = tmp_path / "a"
    assert (
        run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", run, "-q", "--no-report").exit_code
        == 0
    )
    assert not (run / "report.md").exists() and not (run / "report.html").exists()
    assert (run / "diagnostics.json").exists()
    only_html = fast_recipe(tmp_path, "wine", extra="report: [html]\n", name="html")
    run = tmp_path / "b"
    result = run_cli("fit", only_html, SAMPLES / "wine.csv", "--out", run)
    assert result.exit_code == 0
    assert (run / "report.html").exists() and not (run / "report.md").exists()
    assert result.stdout == ""  # no console report either


def test_text_from_the_data_is_escaped_in_html(tmp_path):
    frame = pd.read_csv(SAMPLES / "wine.csv").rename(
        columns={"alcohol": "<script>alert(1)</script>"}
    )
    data = tmp_path / "wine.csv"
    frame.to_csv(data, index=False)
    recipe = write_recipe(
        tmp_path / "r.yaml", "target: cultivar\nmodels: {logistic_regression: {}}\nn_jobs: 1\n"
    )
    result = run_cli("fit", recipe, data, "--out", tmp_path / "run", "-q")
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "run" / "report.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
