"""Rules about answers: what is never an answer, when Newsdesk answers, and how sure it is.

The facade reads passages and cites spans; what counts as an answer is decided here, in one place.
"""

from __future__ import annotations

import math

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


def confidence(score: float, threshold: float) -> float:
    """How sure the answer is, in [0, 1]: 0.5 at the archive threshold, a logistic of the margin.

    >>> confidence(8.0, 8.0), round(confidence(10.0, 8.0), 3)
    (0.5, 0.881)
    """
    margin = score - threshold
    if margin < -700:  # math.exp overflows past ~709
        return 0.0
    return 1.0 / (1.0 + math.exp(-margin))


def is_answer(score: float, threshold: float) -> bool:
    """Newsdesk answers when the reader's best span beats the archive threshold."""
    return score >= threshold
