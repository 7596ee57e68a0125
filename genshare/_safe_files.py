"""Reading and writing files that someone else controls, without blocking, following links or running out of memory.

The deposit tools and the risk check read files a depositor or a learner chose. A name
can hide a FIFO (opening it blocks until someone writes), a device, a folder, a symbolic
link to ``/etc/passwd``, or a small gzip file whose one line inflates to gigabytes. The
helpers here turn each of those into a clear error naming the file:

- :func:`open_regular` opens a path only if it is a regular file: ``lstat`` first (a link,
  a FIFO, a device or a folder is refused before anything is opened), then ``open`` with
  ``O_NOFOLLOW | O_NONBLOCK`` and ``fstat`` on the descriptor (what is read is the
  regular file that was checked, even if the name was swapped in between);
- :func:`capped_lines` yields the lines of a text stream, refusing a line longer than a
  cap instead of reading it whole;
- :func:`same_file` compares two paths by device and inode (so a hard link is the same
  file, which comparing resolved names misses);
- :func:`atomic_destination` writes to a temporary file in the destination's folder and
  renames it over the destination only when everything succeeded.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from typing import IO, TextIO

__all__ = [
    "MAX_LINE_CHARS",
    "LineTooLongError",
    "NotRegularFileError",
    "atomic_destination",
    "capped_lines",
    "describe_kind",
    "open_regular",
    "regular_file_problem",
    "same_file",
]

#: Longest line (characters) read from a user's text file: 16 Mi characters, room for a
#: VCF record of four million samples, far below what would exhaust memory.
MAX_LINE_CHARS = 2**24


class NotRegularFileError(ValueError):
    """A path names something other than a regular file (a link, a FIFO, a device, a folder)."""


class LineTooLongError(ValueError):
    """A line of a text file is longer than the cap (an endless line, or not a text file)."""


def describe_kind(mode: int) -> str:
    """What a ``st_mode`` is, in words ("a folder", "a FIFO (named pipe)", ...).

    Examples
    --------
    >>> describe_kind(stat.S_IFIFO)
    'a FIFO (named pipe)'
    """
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"


def regular_file_problem(path: str | PathLike[str], *, follow_symlinks: bool = False) -> str | None:
    """Why ``path`` is not a regular file that may be read (None when it is one), without opening it.

    By default a symbolic link is refused whatever it points to: a deposit or a world holds
    the files themselves, and a link could lead outside the folder. With
    ``follow_symlinks`` a link to a regular file is accepted (a file the user named).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     regular_file_problem(folder)
    'is a folder, not a file'
    """
    try:
        info = os.stat(path) if follow_symlinks else os.lstat(path)
    except FileNotFoundError:
        return "no such file"
    except OSError as error:
        return f"cannot be examined ({error.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link; give the file itself (a link could lead anywhere)"
    if not stat.S_ISREG(info.st_mode):
        return f"is {describe_kind(info.st_mode)}, not a file"
    return None


def open_regular(path: str | PathLike[str], *, follow_symlinks: bool = False) -> IO[bytes]:
    """Open ``path`` for reading in binary if, and only if, it is a regular file.

    A FIFO is never opened in blocking mode, so this never waits. Without
    ``follow_symlinks`` a symbolic link is refused too.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    NotRegularFileError
        Naming the path, if it is a symbolic link (unless followed), a folder, a FIFO, a
        device or a socket.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     p = Path(folder, "x.txt"); _ = p.write_bytes(b"abc")
    ...     with open_regular(p) as handle:
    ...         handle.read()
    b'abc'
    """
    problem = regular_file_problem(path, follow_symlinks=follow_symlinks)
    if problem == "no such file":
        raise FileNotFoundError(f"{path}: no such file")
    if problem:
        raise NotRegularFileError(f"{path}: {problem}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:  # ELOOP: it became a link after the check
        raise NotRegularFileError(f"{path}: cannot be opened as a plain file ({error.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(f"{path}: is {describe_kind(info.st_mode)}, not a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def capped_lines(handle: TextIO, name: str, cap: int = MAX_LINE_CHARS) -> Iterator[str]:
    """The lines of a text stream (line ends kept), each read with at most ``cap`` characters.

    Raises
    ------
    LineTooLongError
        Naming ``name`` and the line, if a line is longer than ``cap`` characters (it is
        never read whole).

    Examples
    --------
    >>> list(capped_lines(io.StringIO("a\\nbb\\n"), "x.txt"))
    ['a\\n', 'bb\\n']
    >>> list(capped_lines(io.StringIO("abcdef"), "x.txt", cap=3))  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    LineTooLongError: x.txt, line 1: longer than 3 characters; not a text table of this kind (or an endless line)
    """
    number = 0
    while True:
        line = handle.readline(cap + 1)
        if not line:
            return
        number += 1
        if len(line) > cap:
            raise LineTooLongError(
                f"{name}, line {number}: longer than {cap:,} characters; "
                "not a text table of this kind (or an endless line)"
            )
        yield line


class CappedReader(io.RawIOBase):
    """A binary stream that raises :class:`LineTooLongError` once a line passes ``cap`` bytes.

    For readers that pull raw bytes themselves (pandas' C parser): every byte passes
    through, and the distance since the last line end (``\\n`` or ``\\r``) is counted.
    """

    def __init__(self, raw: IO[bytes] | io.BufferedIOBase, name: str, cap: int = MAX_LINE_CHARS) -> None:
        super().__init__()
        self._raw, self._name, self._cap = raw, name, cap
        self._run = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._raw.read(min(len(view), 1 << 20))
        if not data:
            return 0
        ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
        if not ends:
            self._run += len(data)
        else:
            if self._run + min(ends) > self._cap:
                self._fail()
            if len(data) > self._cap:  # only then can a line inside this block be too long
                if any(len(line) > self._cap for line in data.replace(b"\r", b"\n").split(b"\n")[1:-1]):
                    self._fail()
            self._run = len(data) - max(data.rfind(b"\n"), data.rfind(b"\r")) - 1
        if self._run > self._cap:
            self._fail()
        view[: len(data)] = data
        return len(data)

    def _fail(self) -> None:
        raise LineTooLongError(
            f"{self._name}: a line is longer than {self._cap:,} bytes; not a text table (or an endless line)"
        )

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def same_file(a: str | PathLike[str], b: str | PathLike[str]) -> bool:
    """Whether two paths name the same file (same device and inode; a hard link counts).

    A missing path is never the same file as anything.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     p = Path(folder, "x"); _ = p.write_text("1"); os.link(p, Path(folder, "y"))
    ...     same_file(p, Path(folder, "y"))
    True
    """
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _creation_mode() -> int:
    """The permissions a new file gets from ``open()``: 0o666 less the process's umask."""
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_destination(destination: str | PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file to write that replaces ``destination`` only if the block succeeds.

    The file is created in the destination's folder (so the final rename stays on one file
    system and is atomic) with a hidden temporary name; on any error it is deleted and the
    destination, if it existed, is left exactly as it was.

    Raises
    ------
    IsADirectoryError
        If ``destination`` is a folder.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder, "out.txt"); _ = target.write_text("old")
    ...     try:
    ...         with atomic_destination(target) as handle:
    ...             _ = handle.write(b"half"); raise RuntimeError("stop")
    ...     except RuntimeError:
    ...         pass
    ...     target.read_text()
    'old'
    """
    destination = Path(destination)
    if destination.is_dir() and not destination.is_symlink():
        raise IsADirectoryError(f"{destination}: is a folder; give a file name")
    fd, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".part")
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes the file private (0600); give it the mode open() would
            os.fchmod(fd, _creation_mode())
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
