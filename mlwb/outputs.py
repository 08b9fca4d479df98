"""Files mlwb writes for the user: never clobber what is not ours, never leave half a file.

One function, :func:`write_output`, writes every user-visible file (``--out``, ``--md``,
reports) by the rule a careful shell user expects:

- ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N`` are the process's
  own open descriptors: written to that descriptor, as a shell does, so ``>> log`` appends;
- a path that is not a regular file once symlinks are followed (a device such as
  ``/dev/null``, a FIFO) is opened and written through, never replaced or unlinked;
- a regular file (or a symlink to one, which stays a link) is replaced atomically: a
  temporary file beside the real target, fsync, rename; it keeps its permission bits (and
  owner and group when we may set them); a new file gets ``0o666 & ~umask`` like any other
  program's. Whether an existing file may be replaced is the caller's decision.

Temporary files and folders being written are kept in a small registry, so that an
emergency exit (a signal handler that cannot unwind the stack) can remove them with
:func:`remove_partials`. Folders carry a marker (:data:`PARTIAL_MARKER`: pid and host) so a
later run can tell a stale leftover of a killed process from a folder it must not touch.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from mlwb.errors import UsageError

PARTIAL_MARKER = ".mlwb-partial"
"""File written first into a folder mlwb is building (or moving aside): pid and host."""

_FD_PATH = re.compile(r"/dev/(?P<std>stdin|stdout|stderr)|(?:/dev/fd|/proc/self/fd)/(?P<fd>\d+)")
_STD_FDS = {"stdin": 0, "stdout": 1, "stderr": 2}


# --------------------------------------------------------------------------- umask


def _umask_from_proc() -> int | None:
    """The umask from ``/proc/self/status`` (Linux ≥ 4.7): reading it changes nothing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        return None
    return None


def _umask_by_setting() -> int:
    """``os.umask`` can only be read by setting it: done once, at import, before threads."""
    old = os.umask(0o022)
    os.umask(old)
    return old


_IMPORT_UMASK = _umask_from_proc()
if _IMPORT_UMASK is None:
    _IMPORT_UMASK = _umask_by_setting()


def current_umask() -> int:
    """The process umask, read without the set-and-restore race where the OS allows it."""
    value = _umask_from_proc()
    return _IMPORT_UMASK if value is None else value


def new_file_mode() -> int:
    """The mode any program's new file gets: ``0o666`` less the umask."""
    return 0o666 & ~current_umask()


# --------------------------------------------------------------------------- registry

_partials: dict[str, None] = {}
# Re-entrant: a signal handler runs in the main thread, possibly while it holds the lock.
_partials_lock = threading.RLock()


def register_partial(path: Path | str) -> None:
    """Record a temporary file or folder being written, for :func:`remove_partials`."""
    with _partials_lock:
        _partials[os.fspath(path)] = None


def unregister_partial(path: Path | str) -> None:
    """Forget a temporary path: it was renamed into place or removed."""
    with _partials_lock:
        _partials.pop(os.fspath(path), None)


def partials() -> tuple[Path, ...]:
    """The temporary paths being written right now."""
    with _partials_lock:
        return tuple(Path(p) for p in _partials)


@contextlib.contextmanager
def partials_held() -> Iterator[None]:
    """Keep :func:`remove_partials` (called from another thread) out while a temporary
    folder is renamed into place: deleting a folder is not atomic, and would go on inside
    the finished one."""
    with _partials_lock:
        yield


def remove_partials() -> list[Path]:
    """Remove every registered temporary file and folder; return the ones removed.

    For an emergency exit (a second Ctrl-C, SIGTERM) that will not unwind the stack and so
    never reaches the writers' own clean-up. Safe to call from a signal handler or another
    thread, and more than once; it never raises.
    """
    removed: list[Path] = []
    with _partials_lock:
        for path in partials():
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                continue
            unregister_partial(path)
            removed.append(path)
    return removed


# --------------------------------------------------------------------------- markers


def write_marker(folder: Path) -> None:
    """Mark ``folder`` as being built (or moved aside) by this process on this host."""
    document = {"pid": os.getpid(), "host": socket.gethostname()}
    (folder / PARTIAL_MARKER).write_text(json.dumps(document) + "\n", encoding="utf-8")


def remove_marker(folder: Path) -> None:
    """Drop the marker once ``folder`` is in place (best effort: it is only a hint)."""
    with contextlib.suppress(OSError):
        (folder / PARTIAL_MARKER).unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (one we may not signal counts as alive).

    A zombie does not: it has exited and only waits for its parent to collect its status.
    Where nothing collects orphans (a container whose first process is not an init), a
    killed run's workers stay zombies for ever; counting them as alive would keep their
    trials "running" and their folders "in use" for ever too."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """State ``Z`` in ``/proc/PID/stat`` (Linux; elsewhere nothing is known: False)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    # The command name is in parentheses and may hold anything: the state follows the last.
    fields = text[text.rfind(")") + 1 :].split()
    return bool(fields) and fields[0] == "Z"


def is_stale(folder: Path) -> bool:
    """Whether ``folder`` is a leftover of a dead mlwb process: it holds the marker, written
    on this host, by a pid that no longer runs. Anything else (no marker, an unreadable one,
    another host, a live pid) is not ours to delete."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        document = json.loads((folder / PARTIAL_MARKER).read_text(encoding="utf-8"))
        pid, host = int(document["pid"]), str(document["host"])
    except (OSError, ValueError, TypeError, KeyError):
        return False
    return host == socket.gethostname() and pid != os.getpid() and not pid_alive(pid)


# --------------------------------------------------------------------------- files


def _descriptor(path: Path) -> int | None:
    """The descriptor ``path`` names — ``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``,
    or a symlink (chain) to one — else None. Followed by hand: ``realpath`` would go on
    through ``/proc/self/fd/1`` to the file the shell redirected stdout to, and replace it."""
    current = os.fspath(path)
    for _ in range(40):
        match = _FD_PATH.fullmatch(os.path.normpath(current))
        if match is not None:
            return _STD_FDS[match["std"]] if match["std"] else int(match["fd"])
        try:
            link = os.readlink(current)
        except OSError:
            return None
        current = os.path.join(os.path.dirname(current), link)
    return None


def _stat(path: Path) -> os.stat_result | None:
    """``os.stat`` following symlinks; None when nothing (or a dangling link) is there."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _real(path: Path) -> Path:
    """Where a regular file (or a symlink to one, followed to the end) really is."""
    return Path(os.path.realpath(path))


def check_output_file(path: Path, option: str, replace: bool = True) -> None:
    """Refuse, before any work, a file output that cannot be written.

    ``UsageError`` (exit 2) naming ``option`` for: a folder; a missing or unwritable parent
    folder; an existing regular file when ``replace`` is false. A device or FIFO is fine
    (written through), and is not opened here, because opening a FIFO blocks.
    """
    fd = _descriptor(path)
    if fd is not None:
        try:
            os.fstat(fd)
        except OSError as error:
            raise UsageError(
                f"{option} {path}: not an open descriptor ({error.strerror})"
            ) from error
        return
    found = _stat(path)
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise UsageError(f"{option} {path}: is a folder", "give a file name")
    if found is not None and not stat.S_ISREG(found.st_mode):
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option} {path}: not writable")
        return
    if found is not None and not replace:
        raise UsageError(f"{option} {path}: file already exists", "use --force to replace it")
    if found is not None and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: the file is read-only; refusing to replace it")
    folder = _real(path).parent
    if not folder.is_dir():
        shown = folder if os.path.islink(path) else path.parent
        raise UsageError(
            f"{option} {path}: folder {shown} does not exist", "create it first, or fix the path"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: cannot create files in {folder} (permission denied)")


def write_output(path: Path, content: str | bytes, option: str, replace: bool = True) -> None:
    """Write ``content`` (text as UTF-8, newlines untouched) to ``path`` by the module's rule.

    ``replace`` false refuses an existing regular file (``UsageError``), even one that
    appears between the caller's check and this write. No temporary file is left behind on
    any error or interrupt.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    check_output_file(path, option, replace)
    fd = _descriptor(path)
    if fd is not None:
        _write_to_descriptor(fd, data)
        return
    found = _stat(path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        _write_through(path, data)
        return
    _write_atomically(_real(path), data, found, option, path, replace)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_to_descriptor(fd: int, data: bytes) -> None:
    """As a shell's ``>/dev/stdout``: the same open file, at its offset and in its mode."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.fileno() == fd:
                stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    _write_all(fd, data)


def _write_through(path: Path, data: bytes) -> None:
    """Open a device or FIFO and write into it: replacing it would destroy it."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _copy_owner_and_mode(fd: int, existing: os.stat_result | None) -> None:
    """A replaced file keeps its owner, group (when we may) and mode; a new one gets the
    umask's mode instead of ``mkstemp``'s 0600. Owner first: chown clears set-id bits."""
    if existing is None:
        os.fchmod(fd, new_file_mode())
        return
    mine = os.fstat(fd)
    if (existing.st_uid, existing.st_gid) != (mine.st_uid, mine.st_gid):
        for uid, gid in ((existing.st_uid, existing.st_gid), (-1, existing.st_gid)):
            try:
                os.fchown(fd, uid, gid)
                break
            except OSError:
                continue
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomically(
    real: Path,
    data: bytes,
    existing: os.stat_result | None,
    option: str,
    given: Path,
    replace: bool,
) -> None:
    """Temporary file beside ``real``, fsync, rename; ``os.link`` when we may not replace,
    so a file created meanwhile by someone else is refused rather than clobbered."""
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".partial")
        register_partial(tmp)
        with os.fdopen(fd, "wb") as stream:
            _write_all(stream.fileno(), data)
            _copy_owner_and_mode(stream.fileno(), existing)
            os.fsync(stream.fileno())
        if replace:
            os.replace(tmp, real)
        else:
            _link_new(tmp, real, option, given)
        _fsync_folder(real.parent)
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            unregister_partial(tmp)


def _link_new(tmp: str, real: Path, option: str, given: Path) -> None:
    """Put ``tmp`` at ``real`` only if nothing is there (the caller then removes ``tmp``)."""
    try:
        os.link(tmp, real)
    except FileExistsError as error:
        raise UsageError(
            f"{option} {given}: file already exists", "use --force to replace it"
        ) from error
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links: the check just before is the best we can do.
        if os.path.lexists(real):
            raise UsageError(
                f"{option} {given}: file already exists", "use --force to replace it"
            ) from error
        os.replace(tmp, real)


def ensure_folder(path: Path, option: str) -> Path:
    """Create output folder ``path`` (and missing parents, as ``mkdir -p``); ``UsageError``
    when a file is in the way or it cannot be created. Returns ``path``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError as error:
        raise UsageError(f"{option} {path}: exists and is not a folder") from error
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot create the folder ({error.strerror})") from error
    if not path.is_dir():
        raise UsageError(f"{option} {path}: exists and is not a folder")
    return path
