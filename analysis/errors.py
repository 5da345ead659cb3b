"""Errors the toolkit raises on purpose.

Every error about user input is an :class:`AnalysisError` (or a subclass) whose
message names the file, column or parameter at fault, so that a caller never has
to read a traceback from deep inside pandas.
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class for every documented error of the toolkit."""


class InputError(AnalysisError):
    """An input file could not be used; the message names the file and the reason."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class SchemaError(AnalysisError):
    """A table does not follow the canonical article schema."""

    def __init__(self, column: str, reason: str):
        self.column = column
        self.reason = reason
        super().__init__(f"column {column!r}: {reason}")


class ParameterError(AnalysisError):
    """A parameter given by the user is unknown, of the wrong type or unsafe."""
