"""How sure an answer is, in words a reader understands, and when an answer is shown as uncertain.

The levels were chosen on the calibration half of the news questions and are reported on the
held-out half (README, "Answers you can trust"; measured 2026-12-06 with the shipped reader and
answer model, `python bench/confidence_bands.py`):

- at `SURE` (0.8) or above, 75 of 78 shown answers were right on the calibration half (96.2%),
  53 of 60 on the held-out half (88.3%);
- below `NOT_SURE_BELOW` (0.5), 1 of 4 shown answers was right on the calibration half, 3 of 10
  on the held-out half: such an answer is shown as "Not sure — the closest I found".

>>> confidence_words(0.97), confidence_words(0.6), confidence_words(0.3)
('very likely right', 'likely right', 'not sure')
"""

from __future__ import annotations

SURE = 0.8
NOT_SURE_BELOW = 0.5


def confidence_words(confidence: float) -> str:
    """The answer model's probability that an answer is right, in words."""
    if confidence >= SURE:
        return "very likely right"
    if confidence >= NOT_SURE_BELOW:
        return "likely right"
    return "not sure"


def shown_as_unsure(found: bool, confidence: float) -> bool:
    """Whether an answer is given but shown as uncertain ("Not sure — the closest I found").

    >>> shown_as_unsure(True, 0.45), shown_as_unsure(True, 0.5), shown_as_unsure(False, 0.1)
    (True, False, False)
    """
    return found and confidence < NOT_SURE_BELOW
