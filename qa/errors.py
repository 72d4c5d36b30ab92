"""The one kind of error that means "the user asked for something that cannot be done as given".

`UsageError` (a `ValueError`) is raised for a value, file or setting the user chose; its message
says what to change. The command line prints it in one line and exits with status 2. Any other
exception is a bug in Newsdesk (or its environment) and keeps its traceback.
"""

from __future__ import annotations


class UsageError(ValueError):
    """A value, file or setting the user gave cannot be used; the message says what to do."""


class ReaderModelError(RuntimeError):
    """The reader's weights are missing, damaged or do not fit (an install to repair, not a bug)."""
