"""Newsdesk: question answering over a folder of news articles, with cited extractive answers.

    >>> from qa import answer
    >>> result = answer("Who will Putin meet during his visit?")  # doctest: +SKIP

Heavy modules (torch, FAISS, the models) load on first use, not on import. Importing `qa` asks
their OpenMP threads to sleep between tasks rather than spin (`qa.cpu.wait_passively`: a question
took ~25% less time), unless ``OMP_WAIT_POLICY`` is already set.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from qa.cpu import wait_passively

__version__ = "0.1.0"
__all__ = ["Answer", "Article", "Chunk", "Citation", "Filters", "Newsdesk", "Passage", "QuestionError", "answer"]

if TYPE_CHECKING:
    from qa.newsdesk import Newsdesk, answer
    from qa.questions import QuestionError
    from qa.schema import Answer, Article, Chunk, Citation, Filters, Passage


wait_passively(os.environ)


def __getattr__(name: str) -> Any:
    if name in {"Newsdesk", "answer"}:
        from qa import newsdesk

        return getattr(newsdesk, name)
    if name == "QuestionError":
        from qa.questions import QuestionError

        return QuestionError
    if name in {"Answer", "Article", "Chunk", "Citation", "Filters", "Passage"}:
        from qa import schema

        return getattr(schema, name)
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
