"""Two consoles: results on stdout, everything else (progress, notices, errors) on stderr.

Colour and animation only when the stream is a terminal and ``NO_COLOR`` is unset; when
stdout is a pipe or a file, tables are plain text wide enough not to wrap.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Rich is imported when a command makes its consoles, not for --help
    from rich import box
    from rich.console import Console

PIPE_WIDTH = 120


@functools.cache
def _console_class() -> type[Console]:
    """Rich's console, but a closed pipe is reported as ``BrokenPipeError`` (handled, with
    the exit code, in one place: ``cli.common.run_guarded``) instead of Rich's exit 1."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _Console


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    is_tty = stream.isatty()
    width = None if is_tty else max(PIPE_WIDTH, int(os.environ.get("COLUMNS", "0") or 0))
    return _console_class()(
        stderr=stderr,
        highlight=False,
        width=width,
        no_color=bool(os.environ.get("NO_COLOR")) or not is_tty,
    )


@dataclass
class Output:
    """Where a command writes: ``out`` for results, ``err`` for the rest."""

    out: Console
    err: Console
    json: bool = False
    quiet: bool = False

    @property
    def plain(self) -> bool:
        """True when stdout gets no colour (a pipe, a file, or NO_COLOR)."""
        return self.out.no_color or not self.out.is_terminal

    @property
    def table_box(self) -> box.Box:
        from rich import box

        return box.SIMPLE if self.plain else box.ROUNDED

    @property
    def show_results(self) -> bool:
        """Human-readable results go to stdout unless --json or --quiet."""
        return not (self.json or self.quiet)

    def notice(self, message: str, level: str = "info") -> None:
        """A one-line note or warning on stderr (silent with --quiet)."""
        if self.quiet:
            return
        from rich.text import Text

        label, style = ("warning: ", "yellow") if level == "warning" else ("note: ", "cyan")
        self.err.print(Text(label, style=style) + Text(message), soft_wrap=True)

    def error(self, message: str, hint: str | None = None, details: tuple[str, ...] = ()) -> None:
        """The error line (always shown, even with --quiet)."""
        from rich.text import Text

        line = Text("error: ", style="bold red") + Text(message)
        if hint:
            line += Text(f" ({hint})", style="dim")
        self.err.print(line, soft_wrap=True)
        for detail in details:
            self.err.print(Text("  also: ", style="red") + Text(detail), soft_wrap=True)


def make_output(json_mode: bool = False, quiet: bool = False) -> Output:
    """The consoles for one command invocation."""
    return Output(
        out=_console(stderr=False), err=_console(stderr=True), json=json_mode, quiet=quiet
    )
