"""Writing users' files safely: the one writer every command that writes goes through.

- ``-`` is standard output.
- A regular file is replaced atomically: the bytes go to a nameless temporary file in the
  same folder (``O_TMPFILE``; a hidden named one where the file system lacks it), which is
  given its name only once complete, so a crash or a kill leaves the old file or the new
  one and no stray temporary file.  A symlink is written through to its target, never
  replaced by a file; a new file gets the umask's permissions, an existing one keeps its own.
- A device, a FIFO or a ``/dev/stdout``-style path is written to directly (streamed): it is
  never renamed over, and a FIFO that nobody reads is an error rather than a hang.
- A missing parent folder is an error, not created (unless the caller owns the folder, as
  the site build owns its docs/); a read-only file is refused.

Every failure is an ``OutputError`` naming the path and the reason.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

STDOUT = "-"
# Where a /dev/stdout-style path leads: an open file descriptor, not a place to rename over.
_FD_FOLDER = re.compile(r"/proc/(?:self|thread-self|\d+)(?:/task/\d+)?/fd")
_MAX_LINKS = 40  # as the kernel's own bound on symlinks followed in one lookup


class OutputError(Exception):
    """A write that cannot be made; the message names the path and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot write {self.path}: {reason}")


@dataclass(frozen=True)
class Target:
    """Where a write to ``path`` really goes."""

    path: str  # as the user wrote it, for messages
    kind: Literal["stdout", "stream", "file"]
    real: str  # the file itself (symlinks followed) or the stream's path
    exists: bool


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _follow(path: str) -> tuple[str, bool]:
    """``path`` with every symlink followed, one link at a time, and whether a link went
    through an open file descriptor (``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/1``).

    ``os.path.realpath`` is not enough: it would turn ``/dev/stdout`` into the file a
    shell redirected standard output to, which must be appended to, not replaced.
    """
    current = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        folder, name = os.path.split(current)
        folder = os.path.realpath(folder)
        current = os.path.join(folder, name)
        if _FD_FOLDER.fullmatch(folder) or folder == "/dev/fd":
            return current, True
        try:
            link = os.readlink(current)
        except OSError as exc:
            if exc.errno in (errno.EINVAL, errno.ENOENT, errno.ENOTDIR):
                return current, False  # not a link (or nothing there yet): the end
            raise
        current = os.path.join(folder, link)
    raise OSError(errno.ELOOP, "too many levels of symbolic links (a symlink loop?)")


def resolve_target(path: str | Path, *, make_parents: bool = False,
                   within: str | Path | None = None) -> Target:
    """Work out what writing to ``path`` means, refusing what cannot be written.

    With ``within``, a path whose symlinks lead out of that folder is refused: the
    folders airready owns (the site's docs/) must not become a way to write elsewhere.
    """
    shown = str(path)
    if shown == STDOUT:
        return Target(shown, "stdout", shown, True)
    try:
        real, through_fd = _follow(shown)
    except OSError as exc:
        raise OutputError(shown, _reason(exc)) from None
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(shown, _reason(exc)) from None
    if within is not None and (through_fd or not is_inside(real, within)):
        raise OutputError(shown, f"it is a symlink that leads outside {within}")
    if through_fd:
        return Target(shown, "stream", shown, True)
    if info is None:
        parent = os.path.dirname(real)
        if not os.path.isdir(parent) and not make_parents:
            what = "is not a folder" if os.path.exists(parent) else "does not exist"
            raise OutputError(shown, f"the folder {parent} {what} (create it first)")
        return Target(shown, "file", real, False)
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise OutputError(shown, "it is a folder")
    if stat.S_ISREG(mode):
        if not (mode & 0o222) or not os.access(real, os.W_OK):
            raise OutputError(shown, "the file is read-only")
        return Target(shown, "file", real, True)
    return Target(shown, "stream", real, True)  # a FIFO, a device or a socket


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when writing to ``a`` would write to ``b`` (symlinks and hard links too)."""
    if str(a) == STDOUT or str(b) == STDOUT:
        return str(a) == str(b)
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def is_inside(path: str | Path, folder: str | Path) -> bool:
    """Does ``path``, symlinks followed, lie in ``folder`` (symlinks followed) or equal it?"""
    real = os.path.realpath(path)
    root = os.path.realpath(folder)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def check_targets(paths: Iterable[str | Path | None],
                  protected: Mapping[str, str] | None = None) -> None:
    """Refuse the same output given twice, a path that is one of the project's inputs, and
    whatever ``resolve_target`` refuses, before a command does its work.

    ``protected`` maps a path to what it is ("airready.yaml", "the risk register"); a
    folder among them protects the YAML files below it (they are, or would be, read as
    input on the next run).
    """
    seen: list[str] = []
    for path in paths:
        if path is None:
            continue
        for earlier in seen:
            if same_file(earlier, path):
                same = "" if earlier == str(path) else f" (the same file as {earlier})"
                raise OutputError(path, f"it is given as an output twice{same}")
        seen.append(str(path))
        if str(path) == STDOUT:
            continue
        real = os.path.realpath(path)  # where a symlink would have the bytes go
        for guarded, what in (protected or {}).items():
            if same_file(path, guarded) or (
                    os.path.isdir(guarded) and real.endswith((".yaml", ".yml"))
                    and is_inside(real, guarded)):
                raise OutputError(path, f"it is {what}, an input of the project "
                                  "(airready never writes over its input)")
        resolve_target(path)  # a missing folder, a read-only file: said before any work


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _AtomicFile:
    """A file that becomes ``real`` only when ``commit`` is called."""

    def __init__(self, real: str, existing: os.stat_result | None):
        self.real = real
        self.folder = os.path.dirname(real)
        self.existing = existing
        self.named: str | None = None  # the temporary name, only without O_TMPFILE
        try:
            self.fd = os.open(self.folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o666)
        except (OSError, AttributeError):  # no O_TMPFILE here: a hidden named file instead
            self.fd, self.named = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.",
                                                   suffix=".tmp", dir=self.folder)
            os.fchmod(self.fd, 0o666 & ~_umask())

    def unchanged(self) -> bool:
        """Whether the new content is byte for byte what ``real`` holds already: then the
        file is left alone, so its time stays and tools watching it stay quiet."""
        existing = self.existing
        if existing is None or not stat.S_ISREG(existing.st_mode):
            return False
        if os.fstat(self.fd).st_size != existing.st_size:
            return False
        written = self.named or f"/proc/self/fd/{self.fd}"
        try:
            with open(written, "rb") as new, open(self.real, "rb") as old:
                while True:
                    chunk = new.read(1 << 20)
                    if chunk != old.read(1 << 20):
                        return False
                    if not chunk:
                        return True
        except OSError:
            return False

    def commit(self) -> None:
        if self.unchanged():
            return
        os.fsync(self.fd)
        if self.existing is not None:
            os.fchmod(self.fd, stat.S_IMODE(self.existing.st_mode))
            with suppress(OSError):  # not ours to give away: the new file stays the writer's
                os.fchown(self.fd, self.existing.st_uid, self.existing.st_gid)
        if self.named is None:
            self.named = self._link()
        os.replace(self.named, self.real)
        self.named = None
        _sync_folder(self.folder)

    def _link(self) -> str:
        """Give the nameless file a hidden temporary name, just before the rename."""
        folder_fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            for _ in range(100):
                name = os.path.join(self.folder, f".{os.path.basename(self.real)}."
                                    f"{os.urandom(6).hex()}.tmp")
                try:
                    # dir fds make Python use linkat with AT_SYMLINK_FOLLOW, which is what
                    # links the file behind /proc/self/fd/N rather than the link itself
                    os.link(f"/proc/self/fd/{self.fd}", os.path.basename(name),
                            src_dir_fd=folder_fd, dst_dir_fd=folder_fd, follow_symlinks=True)
                    return name
                except FileExistsError:
                    continue
        finally:
            os.close(folder_fd)
        raise OSError(errno.EEXIST, "no free temporary name")

    def discard(self) -> None:
        if self.named is not None:
            with suppress(OSError):
                os.unlink(self.named)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable; some file systems cannot, which is no error."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _open_stream(path: str) -> int:
    """Open a device or FIFO for writing without blocking on a FIFO nobody reads."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(path, "nothing is reading from it (a FIFO with no reader, "
                              "or a socket)") from None
        raise
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)  # a reader is there: block as usual
    return fd


def _wrap(fd: int, binary: bool, closefd: bool) -> IO[Any]:
    if binary:
        return os.fdopen(fd, "wb", closefd=closefd)
    return os.fdopen(fd, "w", encoding="utf-8", newline="", closefd=closefd)


@contextmanager
def open_output(path: str | Path, *, binary: bool = False, make_parents: bool = False,
                within: str | Path | None = None) -> Iterator[IO[Any]]:
    """A file object to write ``path``'s new content into (text UTF-8, or bytes).

    For a regular file the content replaces the old one only when the ``with`` block ends
    without an exception; for standard output and streams it is written as it comes.
    """
    target = resolve_target(path, make_parents=make_parents, within=within)
    if target.kind == "stdout":
        stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    shown = target.path
    try:
        if target.kind == "stream":
            with _wrap(_open_stream(target.real), binary, closefd=True) as handle:
                yield handle
            return
        if make_parents:
            os.makedirs(os.path.dirname(target.real), exist_ok=True)
        existing = os.stat(target.real) if target.exists else None
        pending = _AtomicFile(target.real, existing)
        try:
            with _wrap(pending.fd, binary, closefd=False) as handle:
                yield handle
            pending.commit()
        finally:
            pending.discard()
            os.close(pending.fd)
    except OutputError:
        raise
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise OutputError(shown, "the reader closed the pipe") from None
        raise OutputError(shown, _reason(exc)) from None


def write_output(path: str | Path, content: str | bytes, *, make_parents: bool = False,
                 within: str | Path | None = None) -> bool:
    """Write ``content`` to ``path`` through ``open_output``.

    Returns False, writing nothing, when a regular file already holds exactly this
    content (so unchanged files keep their times, and tools watching them stay quiet).
    """
    if str(path) == STDOUT:  # as given: text to the text stream, bytes to its buffer
        with open_output(path, binary=isinstance(content, bytes)) as handle:
            handle.write(content)
        return True
    data = content.encode("utf-8") if isinstance(content, str) else content
    target = resolve_target(path, make_parents=make_parents, within=within)
    if target.kind == "file" and target.exists:
        try:
            if os.path.getsize(target.real) == len(data) and Path(target.real).read_bytes() == data:
                return False
        except OSError:
            pass  # unreadable: the write below says why, or succeeds
    with open_output(path, binary=True, make_parents=make_parents, within=within) as handle:
        handle.write(data)
    return True


def write_atomic(path: Path, text: str, *, make_parents: bool = False) -> bool:
    """The writer under its older name: ``write_output`` for text."""
    return write_output(path, text, make_parents=make_parents)


def prepare_folder(path: str | Path) -> None:
    """Make sure ``path`` is a folder to write into: created if only it is missing."""
    shown = str(path)
    if os.path.isdir(path):
        return
    if os.path.lexists(path) and not os.path.exists(path):
        raise OutputError(shown, "it is a broken symlink")
    if os.path.exists(path):
        raise OutputError(shown, "it is a file, not a folder")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise OutputError(shown, f"the folder {parent} does not exist (create it first)")
    try:
        os.mkdir(path)
    except OSError as exc:
        raise OutputError(shown, _reason(exc)) from None


@contextmanager
def locked_folder(folder: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` for a read-modify-write of a file in it.

    The lock is on the folder itself (``flock``), not on the file, because the file is
    replaced by a rename while the lock is held, and it leaves no lock file behind.
    Other airready processes wait; the lock goes with the process if it is killed.
    """
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError(folder, f"cannot lock the folder: {_reason(exc)}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
