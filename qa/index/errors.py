"""What can go wrong with an index, each with a message that says what to do."""

from __future__ import annotations


class IndexUnavailableError(RuntimeError):
    """The index cannot be read or written; the message says why and what to do."""


class StaleIndexError(IndexUnavailableError):
    """The index was built with other settings or by another format version."""
