"""Errors the library raises; the CLI turns each into one line on stderr."""

from __future__ import annotations

import errno


class NarrateError(Exception):
    """A problem the user can fix. The message names the problem and the fix."""

    exit_code = 1


class InputError(NarrateError):
    """The book cannot be read (missing, empty, binary, undecodable)."""

    exit_code = 2


class ConfigError(NarrateError):
    """voices.yaml (or another option) is invalid; the message lists every problem."""

    exit_code = 3


class EngineError(NarrateError):
    """The speech engine or the encoder failed."""

    exit_code = 4


class OutputError(NarrateError):
    """The output folder cannot be written, or another run holds it."""

    exit_code = 5


class StorageError(NarrateError):
    """The operating system refused a read or write narrate needs (the cache, a full disk)."""

    exit_code = 6


class BatchError(NarrateError):
    """Some books of a batch failed; the others were written."""

    exit_code = 7


def explain(exc: Exception) -> tuple[list[str], int]:
    """The lines to print for an error that reached the command line, and the exit code."""
    if isinstance(exc, NarrateError):
        return str(exc).splitlines() or ["error"], exc.exit_code
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            fix = "free some space and run the same command again to resume"
            return [f"the disk is full{where}: {fix}"], 6
        return [f"{exc.strerror or exc}{where}: check the path and free disk space"], 6
    # A bug: still one line, the details behind -v.
    return [f"internal error ({type(exc).__name__}: {exc}); run again with -v and report it"], 70
