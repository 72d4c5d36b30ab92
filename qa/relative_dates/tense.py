"""The tense of the verb that governs a date expression in its sentence: "will arrive on Thursday"
points forward, "said on Tuesday" back."""

from __future__ import annotations

import bisect
import re

PAST = "past"
FUTURE = "future"

# Future clues. An auxiliary swallows the verb it governs ("will be held", "will remain closed"), so
# that the participle is not read as a past-tense clue and the distance is measured from the verb.
_FUTURE_CUE = re.compile(
    r"""
    (?:\b(?:will|shall|would|won't|wouldn't)\b|(?<=\w)'ll\b|\b(?:may|might)\b(?!\s+(?:not\s+)?have\b))
        (?:\s+(?:not|also|now|then|still|again|only|soon|first|be|have|[a-z]+ly)\b)*(?:\s+[a-z]+\b)?(?:\s+[a-z]+ed\b)?
    | \b(?:is|are|am|isn't|aren't)\s+(?:(?:not|also|now|still|widely|currently)\s+)?
        (?:to|due|set|scheduled|expected|slated|poised|planning|planned|going|likely|about|preparing)\b
        (?:\s+(?:to|for|on))?(?:\s+be)?(?:\s+[a-z]+\b)?(?:\s+[a-z]+ed\b)?
    | \b(?:plans?|planning|intends?|intending|aims?|hopes?|expects?|scheduled|slated|expected|upcoming
        |forthcoming|next|tomorrow)\b
    # The news present of a schedule: "the visit that begins Thursday", "the summit opens Monday".
    | \b(?:begins?|starts?|opens?|arrives?|resumes?|kicks?\s+off|takes?\s+place|gets?\s+under\s+way)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_IRREGULAR_PAST = (
    "was were had did wasn't weren't hadn't didn't ago yesterday earlier last previously said told met won"
    " lost held made took gave began left fell rose saw spoke became got sent ran struck brought found paid"
    " sold built kept flew drove wrote broke chose fought caught came went led fed fled shot stood wore threw"
    " grew knew drew hung sank sought taught thought felt meant heard spent bought withdrew overtook"
).split()
_IRREGULAR_PAST_SET = frozenset(_IRREGULAR_PAST)
_PAST_CUE = re.compile(r"\b(?:" + "|".join(_IRREGULAR_PAST) + r"|[a-z]{2,}ed)\b", re.IGNORECASE)
# Words ending in -ed that are not past tense (or are mostly adjectives).
_NOT_PAST = frozenset(
    "need speed indeed proceed exceed succeed feed seed weed breed bleed greed steed deed heed reed creed"
    " tweed hundred embed naked wicked sacred beloved rugged aged kindred ragged jagged crooked armed united"
    " limited related detailed advanced experienced interested alleged proposed".split()
)
# Clause boundaries between a clue and the expression make that clue less likely to govern it.
_BOUNDARY = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:and|that|but|while|whereas|although|though|because|which|who|where|when)\b"
)
_BOUNDARY_COST = 3


def sentence_tense(sentence: str, expression: str, anchor_word: str) -> str | None:
    """``PAST``, ``FUTURE`` or ``None`` (no clue) for the verb that governs ``expression``.

    Distances are measured from ``anchor_word`` (the weekday) where ``expression`` is found in the
    sentence, so that a clue inside a long answer span ("may arrive on Thursday") still counts.

    >>> sentence_tense("Officials said Putin will arrive on Thursday.", "Thursday", "thursday")
    'future'
    >>> sentence_tense("Putin will arrive on Thursday, the Kremlin said.", "Thursday", "thursday")
    'future'
    >>> sentence_tense("He said on Monday that he will resign.", "Monday", "monday")
    'past'
    >>> sentence_tense("Talks in Geneva on Friday.", "Friday", "friday") is None
    True
    """
    text = sentence.replace("’", "'").replace("‘", "'")
    span = _anchor_span(text.lower(), expression, anchor_word)
    cues = _clues(text)
    if span is not None:
        # A clue running into the anchor ("is expected on Thursday") is cut short before it.
        cues = [
            (start, min(end, span[0]), kind) if start < span[0] else (start, end, kind)
            for start, end, kind in cues
            if start < span[0] or start >= span[1]
        ]
    if not cues:
        return None
    if span is None:
        return FUTURE if any(kind == FUTURE for _, _, kind in cues) else PAST
    return _nearest(text, cues, span)


def _anchor_span(lowered: str, expression: str, anchor_word: str) -> tuple[int, int] | None:
    """Where distances are measured from: the anchor word at or after the expression, else the
    expression, else nowhere."""
    needle = expression.replace("’", "'").replace("‘", "'").strip().lower()
    position = lowered.find(needle) if needle else -1
    anchor = re.compile(rf"\b{re.escape(anchor_word)}\b").search(lowered, max(position, 0)) if anchor_word else None
    if anchor is not None:
        return anchor.span()
    if position >= 0:
        return position, position + len(needle)
    return None


def _clues(text: str) -> list[tuple[int, int, str]]:
    """Every future and past clue of ``text`` as (start, end, kind)."""
    cues: list[tuple[int, int, str]] = [(m.start(), m.end(), FUTURE) for m in _FUTURE_CUE.finditer(text)]
    future_starts = [start for start, _, _ in cues]  # sorted and non-overlapping
    first_letter = len(text) - len(text.lstrip())
    for match in _PAST_CUE.finditer(text):
        start, end = match.span()
        previous = bisect.bisect_left(future_starts, end) - 1
        if previous >= 0 and cues[previous][1] > start:
            continue  # inside a future clue: "will be held"
        word = match.group(0)
        lowered_word = word.lower()
        # A regular -ed word must be a verb: not an adjective, and not a capitalised name inside the
        # sentence (Mohammed, United).
        if lowered_word not in _IRREGULAR_PAST_SET and (
            lowered_word in _NOT_PAST or (word[0].isupper() and start > first_letter)
        ):
            continue
        cues.append((start, end, PAST))
    return cues


def _nearest(text: str, cues: list[tuple[int, int, str]], span: tuple[int, int]) -> str:
    """The kind of the clue nearest the anchor, in words (a sentence boundary counts extra); a
    tie goes to the clue before it."""
    words = [m.start() for m in re.finditer(r"\w+", text)]
    boundaries = [m.start() for m in _BOUNDARY.finditer(text)]

    def count(positions: list[int], start: int, end: int) -> int:
        return bisect.bisect_left(positions, end) - bisect.bisect_left(positions, start)

    def distance(cue: tuple[int, int, str]) -> tuple[int, int]:
        before = cue[1] <= span[0]
        start, end = (cue[1], span[0]) if before else (span[1], cue[0])
        return count(words, start, end) + _BOUNDARY_COST * count(boundaries, start, end), 0 if before else 1

    return min(cues, key=distance)[2]
