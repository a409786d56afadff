"""Errors the library raises; the CLI turns each into one line on stderr."""

from __future__ import annotations


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
