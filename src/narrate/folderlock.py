"""The output folder's lock: one run at a time writes a book's folder.

The lock file is opened without following links, and a forked worker closes its
copy at once, so the lock goes with the process that took it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from narrate.errors import OutputError

log = logging.getLogger("narrate")

# The lock descriptors this process holds: a forked child (a render worker) closes its
# copies at once, so the lock goes when this process does, whatever its children do.
_held: set[int] = set()


def _forget_inherited_locks() -> None:
    for fd in list(_held):
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_locks)

_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_lock(path: Path) -> int:
    """Open (creating) the lock file, never through a symbolic link.

    A link where the lock belongs is removed (the link, not what it points to)
    and a plain file made in its place.
    """
    for _ in range(5):
        try:
            return os.open(path, _LOCK_FLAGS, 0o644)
        except OSError as exc:
            if not path.is_symlink():
                if exc.errno == errno.ELOOP:
                    continue  # a link that was there is gone: try again
                raise
        log.warning("%s was a symbolic link: replaced it with a plain lock file", path)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    raise OutputError(f"{path} keeps being replaced by a symbolic link: choose another --out")


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder; the OS frees it if the process dies."""
    lock_path = folder / ".narrate.lock"
    while True:
        fd = _open_lock(lock_path)
        try:
            _lock(fd)
        except OSError as exc:
            os.close(fd)
            raise OutputError(
                f"another narrate run is writing {folder}: wait for it to finish "
                "or choose another folder with --out"
            ) from exc
        if _same_file(fd, lock_path):
            break
        # the run before removed the file between our open and our lock: lock the new one
        _unlock(fd)
        os.close(fd)
    _held.add(fd)
    owner = os.getpid()
    try:
        yield
    finally:
        if os.getpid() == owner and fd in _held:  # not in a forked child
            _held.discard(fd)
            # Removed while still held, so no run can lock a file that is about to vanish;
            # one that opened it just before finds it gone and locks a fresh one.
            with contextlib.suppress(OSError):  # Windows cannot remove an open file
                lock_path.unlink()
            _unlock(fd)
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.lstat(path))
    except OSError:
        return False


# sys.platform rather than os.name: type checkers read it and check each branch
# against its own platform's modules.
def _lock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
