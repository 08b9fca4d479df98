"""Files and folders mlwb writes never clobber what is not ours and never leave half of one.

Devices are never touched here: FIFOs, symlinks and redirected descriptors live in tmp_path.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SAMPLES, fast_recipe, run_cli, run_process

from mlwb.artifacts import RunFolder, check_output_dir, is_run_folder, sweep_stale
from mlwb.errors import UsageError
from mlwb.outputs import (
    PARTIAL_MARKER,
    check_output_file,
    is_stale,
    new_file_mode,
    partials,
    pid_alive,
    remove_partials,
    write_output,
)

CREDIT = SAMPLES / "credit.csv"


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def dead_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def mark(folder: Path, pid: int, host: str | None = None) -> Path:
    folder.mkdir()
    (folder / "half.csv").write_text("a,b\n")
    marker = {"pid": pid, "host": host or socket.gethostname()}
    (folder / PARTIAL_MARKER).write_text(json.dumps(marker))
    return folder


def read_fifo_in_background(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, received


def release(fifo: Path, reader: threading.Thread) -> None:
    """Unblock a reader still waiting in open() (the writer failed before opening)."""
    if reader.is_alive():
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)


# --------------------------------------------------------------------------- files


def test_predict_into_a_fifo_writes_through(credit_run, tmp_path):
    fifo = tmp_path / "predictions.fifo"
    os.mkfifo(fifo)
    reader, received = read_fifo_in_background(fifo)
    try:
        result = run_process("predict", credit_run, CREDIT, "--out", fifo, "--quiet", timeout=120)
        reader.join(30)
    finally:
        release(fifo, reader)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.BytesIO(received[0]))
    assert len(frame) == len(pd.read_csv(CREDIT))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert hidden(tmp_path) == []


def test_fifo_is_written_through_even_without_replace(tmp_path):
    fifo = tmp_path / "recipe.fifo"
    os.mkfifo(fifo)
    reader, received = read_fifo_in_background(fifo)
    try:
        write_output(fifo, "name: x\n", "--out", replace=False)
        reader.join(10)
    finally:
        release(fifo, reader)
    assert received == [b"name: x\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_symlink_to_a_file_is_written_through_and_stays_a_link(credit_run, tmp_path):
    target = tmp_path / "real" / "predictions.csv"
    target.parent.mkdir()
    target.write_text("old\n")
    os.chmod(target, 0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    result = run_cli("predict", credit_run, CREDIT, "--out", link, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(pd.read_csv(target)) == len(pd.read_csv(CREDIT))
    assert mode(target) == 0o640
    assert hidden(tmp_path) == [] and hidden(target.parent) == []


def test_replaced_file_keeps_its_mode_and_owner(credit_run, tmp_path):
    existing = tmp_path / "existing.csv"
    existing.write_text("old\n")
    os.chmod(existing, 0o640)
    owner = (12345, 23456) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        os.chown(existing, *owner)
    result = run_cli("predict", credit_run, CREDIT, "--out", existing, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert existing.read_text().startswith("prediction,")
    assert mode(existing) == 0o640
    assert (existing.stat().st_uid, existing.stat().st_gid) == owner
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_new_file_gets_the_umask_mode(tmp_path, umask):
    out = tmp_path / "schema.json"
    completed = subprocess.run(
        [sys.executable, "-m", "mlwb", "schema", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        preexec_fn=lambda: os.umask(umask),
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert mode(out) == 0o666 & ~umask
    assert json.loads(out.read_text())["type"] == "object"


def test_redirected_stdout_is_written_at_its_offset_not_replaced(tmp_path):
    """``--out /dev/stdout >> log``: appended to the log, as a shell would, not replacing it
    (the path is a link in tmp_path to /dev/stdout, so a bug could only hurt tmp_path)."""
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    link = tmp_path / "stdout"
    link.symlink_to("/dev/stdout")
    with open(log, "a") as stream:
        completed = subprocess.run(
            [sys.executable, "-m", "mlwb", "schema", "--out", str(link), "--quiet"],
            stdout=stream,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "NO_COLOR": "1"},
            timeout=120,
        )
    assert completed.returncode == 0, completed.stderr
    text = log.read_text()
    assert text.startswith("earlier line\n{")
    assert json.loads(text.split("\n", 1)[1])["type"] == "object"
    assert link.is_symlink() and hidden(tmp_path) == []


def test_init_refuses_an_existing_recipe_without_force(tmp_path):
    out = tmp_path / "existing.yaml"
    out.write_text("mine\n")
    os.chmod(out, 0o640)
    refused = run_cli("init", CREDIT, "--target", "default", "--out", out)
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert out.read_text() == "mine\n" and mode(out) == 0o640
    forced = run_cli("init", CREDIT, "--target", "default", "--out", out, "--force")
    assert forced.exit_code == 0 and out.read_text().startswith("# Starter recipe")
    assert mode(out) == 0o640 and hidden(tmp_path) == []


def test_missing_folder_is_refused_before_any_work(tmp_path):
    # The model does not exist either: exit 2 (not 3) shows --out was checked first.
    result = run_cli("predict", tmp_path / "no-model", CREDIT, "--out", tmp_path / "no" / "p.csv")
    assert result.exit_code == 2
    assert "--out" in result.stderr and "does not exist" in result.stderr
    assert str(tmp_path / "no" / "p.csv") in result.stderr
    md = run_cli("compare", tmp_path / "r.yaml", CREDIT, "--md", tmp_path / "no" / "c.md")
    assert md.exit_code == 2 and "--md" in md.stderr and "does not exist" in md.stderr


def test_a_folder_is_not_a_file_output(tmp_path):
    with pytest.raises(UsageError, match="is a folder"):
        check_output_file(tmp_path, "--out")


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(28, "No space left on device")])
def test_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, error):
    out = tmp_path / "board.md"
    out.write_text("old\n")

    def failing_fsync(fd: int) -> None:
        raise error

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(type(error)):
        write_output(out, "new\n", "--md")
    assert out.read_text() == "old\n"
    assert hidden(tmp_path) == [] and partials() == ()


def test_new_file_without_replace_never_clobbers(tmp_path):
    out = tmp_path / "new.yaml"
    write_output(out, b"first\n", "--out", replace=False)
    assert out.read_bytes() == b"first\n" and mode(out) == new_file_mode()
    with pytest.raises(UsageError, match="already exists"):
        write_output(out, b"second\n", "--out", replace=False)
    assert out.read_bytes() == b"first\n" and hidden(tmp_path) == []


def test_remove_partials_cleans_what_is_being_written(tmp_path):
    """What an emergency exit calls: the half-written run goes, and the block that was
    writing it can only fail cleanly afterwards."""
    failed = pytest.raises(UsageError, match="cannot move the run folder into place")
    with failed, RunFolder(tmp_path / "run") as folder:
        folder.write_text("a.txt", "partial")
        assert folder.tmp in partials()
        assert remove_partials() == [folder.tmp]
        assert partials() == ()
    assert list(tmp_path.iterdir()) == []


def test_report_keeps_the_mode_of_a_replaced_report(credit_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(credit_run, copy)
    (copy / "report.md").write_text("old report\n")
    os.chmod(copy / "report.md", 0o640)
    result = run_cli("report", copy, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert (copy / "report.md").read_text() != "old report\n"
    assert mode(copy / "report.md") == 0o640
    assert hidden(copy) == []


# --------------------------------------------------------------------------- run folders


def fit(tmp_path: Path, out: Path, *extra: str):
    recipe = fast_recipe(tmp_path, "credit")
    return run_cli("fit", recipe, CREDIT, "--out", out, "--n-jobs", "1", "-q", *extra)


def test_force_refuses_a_folder_mlwb_did_not_write(tmp_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("years of work\n")
    for extra in ((), ("--force",)):
        result = fit(tmp_path, thesis, *extra)
        assert result.exit_code == 2
        assert "not an mlwb run folder; refusing to delete it" in result.stderr
        assert "another --out" in result.stderr
    assert [p.name for p in thesis.iterdir()] == ["thesis.tex"]
    assert (thesis / "thesis.tex").read_text() == "years of work\n"
    assert hidden(tmp_path) == []


def test_force_replaces_a_previous_run(credit_run, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(credit_run, out)
    assert is_run_folder(out)
    result = fit(tmp_path, out, "--force", "--seed", "7")
    assert result.exit_code == 0, result.stderr
    assert json.loads((out / "metrics.json").read_text())["seed"] == 7
    assert hidden(tmp_path) == [] and PARTIAL_MARKER not in os.listdir(out)


def test_symlink_to_a_folder_is_followed(credit_run, tmp_path):
    real = tmp_path / "disk" / "run"
    real.parent.mkdir()
    shutil.copytree(credit_run, real)
    link = tmp_path / "run"
    link.symlink_to(real)
    result = fit(tmp_path, link, "--force", "--seed", "8")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real
    assert json.loads((real / "metrics.json").read_text())["seed"] == 8
    assert hidden(tmp_path) == [] and hidden(real.parent) == []
    assert PARTIAL_MARKER not in os.listdir(real)


def test_dangling_symlink_is_refused_before_any_work(tmp_path):
    link = tmp_path / "run"
    link.symlink_to(tmp_path / "gone" / "run")
    started = time.perf_counter()
    result = fit(tmp_path, link)
    assert result.exit_code == 2
    assert time.perf_counter() - started < 10
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "does not exist" in lines[0], result.stderr
    assert hidden(tmp_path) == [] and link.is_symlink()


def test_a_file_in_the_way_is_refused_before_any_work(tmp_path):
    blocker = tmp_path / "run"
    blocker.write_text("not a folder\n")
    result = fit(tmp_path, blocker, "--force")
    assert result.exit_code == 2 and "not a folder" in result.stderr
    assert blocker.read_text() == "not a folder\n"
    below = fit(tmp_path, blocker / "sub")
    assert below.exit_code == 2 and "is not a folder" in below.stderr


def test_partial_folder_carries_the_marker_until_it_is_in_place(tmp_path):
    with RunFolder(tmp_path / "run") as folder:
        marker = json.loads((folder.tmp / PARTIAL_MARKER).read_text())
        assert marker == {"pid": os.getpid(), "host": socket.gethostname()}
    assert os.listdir(tmp_path / "run") == []


def test_next_run_removes_stale_partials_it_recognises(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    stale = mark(tmp_path / ".run.partial-dead0001", dead_pid())
    stale_other_run = mark(tmp_path / ".run-20260101T000000Z.partial-dead0002", dead_pid())
    alive = mark(tmp_path / ".run.partial-a11e0001", sleeper.pid)
    other_host = mark(tmp_path / ".run.partial-0e0e0001", dead_pid(), "another-host")
    unmarked = tmp_path / ".run.partial-00000001"
    unmarked.mkdir()
    (unmarked / "half.csv").write_text("a,b\n")
    try:
        result = fit(tmp_path, tmp_path / "run")
    finally:
        sleeper.kill()
        sleeper.wait()
    assert result.exit_code == 0, result.stderr
    assert not stale.exists() and not stale_other_run.exists()
    assert alive.exists() and other_host.exists() and unmarked.exists()
    assert (tmp_path / "run" / "model.skops").is_file()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_zombie_is_not_alive(tmp_path):
    """A process that exited but was not collected (what a killed run's workers become
    where nothing reaps orphans) is dead: its partial folder is stale."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while "Z" not in Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1][:3]:
        assert time.monotonic() < deadline, "the child never exited"
        time.sleep(0.05)
    try:
        assert not pid_alive(child.pid)
        assert pid_alive(os.getpid())
        folder = mark(tmp_path / ".run.partial-2011b1e0", child.pid)
        assert is_stale(folder)
    finally:
        child.wait()
    assert not pid_alive(child.pid)


def test_old_run_moved_aside_by_a_killed_process_is_put_back(tmp_path):
    old = mark(tmp_path / ".run.old-dead0001", dead_pid())
    check_output_dir(tmp_path / "another-run", force=False)
    assert (tmp_path / "run" / "half.csv").is_file() and not old.exists()
    assert PARTIAL_MARKER not in os.listdir(tmp_path / "run")
    with pytest.raises(UsageError, match="not an mlwb run folder"):
        check_output_dir(tmp_path / "run", force=True)  # it is judged like any folder


def test_old_run_beside_a_complete_one_is_removed(tmp_path):
    (tmp_path / "run").mkdir()
    old = mark(tmp_path / ".run.old-dead0001", dead_pid())
    assert sweep_stale(tmp_path / "run") == [old]
    assert not old.exists() and (tmp_path / "run").is_dir()
