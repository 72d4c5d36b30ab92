"""What is never an answer, whatever the reader's score."""

from __future__ import annotations

from qa.squad import normalize_answer
from qa.words import FUNCTION_WORDS


def answers_nothing(question: str, span: str) -> bool:
    """Whether ``span`` holds no content word that ``question`` lacks: such a span is never the
    answer ("In which federal prison is he to serve?" -> "federal prison", or a lone "a"). On the
    news questions this turned one confident wrong answer into an abstention and changed nothing
    else.

    >>> answers_nothing("In which federal prison is Manafort to serve?", "a federal prison")
    True
    >>> answers_nothing("In which federal prison is Manafort to serve?", "a")
    True
    >>> answers_nothing("Which prison will Manafort serve in?", "FCI Loretto prison")
    False
    """
    asked = set(normalize_answer(question).split())
    return all(word in asked or word in FUNCTION_WORDS for word in normalize_answer(span).split())
