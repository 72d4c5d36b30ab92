"""How sure an answer is, in words a reader understands, and when an answer is shown as uncertain.

"Very likely right" (`SURE`) is the lowest confidence at which the answers shown were right at
least 95% of the time on the calibration half of the news questions, with 90% confidence
(`choose_sure_level`: the Wilson lower bound of the share right, not the share itself). The share
alone had chosen 0.8, where the calibration half was right 96.2% of the time and the held-out half
88.3%: on 60-odd answers a point estimate is too hopeful. Measured 2026-12-06 with the int8 reader
of a VNNI CPU (`python bench/confidence_bands.py`, which prints the choice):

- from `SURE` (0.97): 41 of 41 shown answers right on the calibration half, 21 of 22 on the
  held-out half (95.5%); from 0.8 they were 72 of 77 (93.5%) and 53 of 59 (89.8%);
- below `NOT_SURE_BELOW` (0.5), 2 of 4 shown answers were right on the calibration half, 3 of 10
  on the held-out half: such an answer is shown as "Not sure — the closest I found".

The held-out figures were seen before the rule was settled (the 0.8 level's fall from 96.2% to
88.3% is what called for a bound), so they are a check, not an untouched test.

>>> confidence_words(0.98), confidence_words(0.9), confidence_words(0.3)
('very likely right', 'likely right', 'not sure')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

SURE = 0.97
NOT_SURE_BELOW = 0.5
# What "very likely right" promises: right this often (issue #24), shown with this confidence in
# the calibration half's evidence (one-sided, z for 90%).
SURE_TARGET = 0.95
SURE_EVIDENCE_Z = 1.2816


def confidence_words(confidence: float, contested: bool = False) -> str:
    """The answer model's probability that an answer is right, in words; never "very likely right"
    when ``contested``: its article gives another figure likely enough to be given itself
    (`qa.answers.decision.rival_figures`)."""
    if confidence >= SURE and not contested:
        return "very likely right"
    if confidence >= NOT_SURE_BELOW:
        return "likely right"
    return "not sure"


def shown_as_sure(found: bool, confidence: float, contested: bool = False) -> bool:
    """Whether an answer is given and shown as very likely right (``sure`` in the JSON): never when
    ``contested`` (`confidence_words`).

    >>> shown_as_sure(True, SURE), shown_as_sure(True, 0.96), shown_as_sure(False, 0.99)
    (True, False, False)
    >>> shown_as_sure(True, 0.99, contested=True), confidence_words(0.99, contested=True)
    (False, 'likely right')
    """
    return found and confidence >= SURE and not contested


def shown_as_unsure(found: bool, confidence: float) -> bool:
    """Whether an answer is given but shown as uncertain ("Not sure — the closest I found").

    >>> shown_as_unsure(True, 0.45), shown_as_unsure(True, 0.5), shown_as_unsure(False, 0.1)
    (True, False, False)
    """
    return found and confidence < NOT_SURE_BELOW


def wilson_lower_bound(right: int, shown: int, z: float = SURE_EVIDENCE_Z) -> float:
    """The lower end of the Wilson score interval for a share of ``right`` in ``shown``: the share
    right that the evidence supports with the confidence ``z`` stands for. 0 when nothing is shown.

    >>> round(wilson_lower_bound(60, 63), 4), round(wilson_lower_bound(41, 41), 4)
    (0.905, 0.9615)
    >>> wilson_lower_bound(0, 0)
    0.0
    """
    if shown == 0:
        return 0.0
    share = right / shown
    spread = z * math.sqrt(share * (1 - share) / shown + z * z / (4 * shown * shown))
    return (share + z * z / (2 * shown) - spread) / (1 + z * z / shown)


def choose_sure_level(
    answers: Sequence[tuple[float, bool]],
    levels: Iterable[float],
    target: float = SURE_TARGET,
    z: float = SURE_EVIDENCE_Z,
) -> float | None:
    """The lowest of ``levels`` from which the ``answers`` shown, (confidence, right) pairs, were
    right at least ``target`` of the time by the Wilson lower bound; None when no level is.

    >>> answers = [(0.99, True)] * 40 + [(0.9, True)] * 20 + [(0.85, False)] * 3
    >>> choose_sure_level(answers, [0.8, 0.9, 0.95])
    0.9
    >>> choose_sure_level(answers, [0.8, 0.9, 0.95], target=0.99) is None
    True
    """
    for level in sorted(levels):
        band = [right for confidence, right in answers if confidence >= level]
        if band and wilson_lower_bound(sum(band), len(band), z) >= target:
            return level
    return None
