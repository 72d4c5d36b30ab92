"""From a window's start and end logits to answer spans: pure functions over numbers, tested with
hand-made logits (tests/test_span_decoding.py), as Haystack tests its reader's post-processing.

A span's score is its start + end logit minus the window's no-answer logit (start + end at
[CLS], position 0): comparable across windows and passages, and ``sigmoid(score)`` is the odds of
the span against abstaining. Character offsets come from the tokenizer's offset mapping, so a
span is always an exact slice of its passage.

>>> import numpy as np
>>> start = np.array([1.0, 0.0, 0.0, 5.0, 0.0, 0.0])  # [CLS] q [SEP] Paris is [SEP]
>>> end = np.array([1.0, 0.0, 0.0, 4.0, 0.5, 0.0])
>>> ids = [None, 0, None, 1, 1, None]
>>> offsets = [(0, 0), (0, 3), (0, 0), (0, 5), (6, 8), (0, 0)]
>>> decode_window(start, end, ids, offsets, "Paris is", 0, max_answer_tokens=30)[0]
Span(passage_index=0, start=0, end=5, text='Paris', score=7.0)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from qa.schema import Reading, Span


def decode_window(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    sequence_ids: Sequence[int | None],
    offsets: Sequence[tuple[int, int]],
    context: str,
    passage_index: int,
    max_answer_tokens: int,
    candidates_per_side: int = 20,
) -> list[Span]:
    """The best spans of one window, best first: the ``candidates_per_side`` best starts and ends
    among the context's tokens (sequence id 1) paired, spans longer than ``max_answer_tokens`` or
    ending before they start left out."""
    is_context = np.array([s == 1 for s in sequence_ids])
    if not is_context.any():
        return []
    null_score = float(start_logits[0] + end_logits[0])
    context_positions = np.flatnonzero(is_context)
    top = min(candidates_per_side, len(context_positions))
    starts = context_positions[np.argsort(-start_logits[context_positions], kind="stable")[:top]]
    ends = context_positions[np.argsort(-end_logits[context_positions], kind="stable")[:top]]
    scores = start_logits[starts][:, None] + end_logits[ends][None, :] - null_score
    lengths = ends[None, :] - starts[:, None] + 1
    scores[(lengths < 1) | (lengths > max_answer_tokens)] = -np.inf
    spans: list[Span] = []
    for flat in np.argsort(-scores, axis=None, kind="stable")[:candidates_per_side]:
        row, column = divmod(int(flat), top)
        if not np.isfinite(scores[row, column]):
            break
        char_start, char_end = whole_words(context, offsets[starts[row]][0], offsets[ends[column]][1])
        char_start, char_end = without_unpaired_quotes(context, char_start, char_end)
        if char_end > char_start:
            spans.append(
                Span(passage_index, char_start, char_end, context[char_start:char_end], float(scores[row, column]))
            )
    return spans


_CURRENCY = "$€£¥"


def whole_words(context: str, start: int, end: int) -> tuple[int, int]:
    """The span ``context[start:end]`` widened to whole words: word pieces can start a span inside
    a word ("$2 million" of "US$2 million", shown as a bond of dollars of no country) or end one
    there ("Brock Os" of "Brock Osweiler"). On SQuAD v1.1 dev 2 of 10,570 answers changed, both
    to the gold answer.

    >>> text = "his lawyers posted US$2 million bond"
    >>> text[slice(*whole_words(text, 21, 31))], text[slice(*whole_words(text, 12, 15))]
    ('US$2 million', 'posted')
    >>> text[slice(*whole_words(text, 19, 31))]
    'US$2 million'
    """
    while start > 0 and context[start - 1].isalnum() and (context[start].isalnum() or context[start] in _CURRENCY):
        start -= 1
    while 0 < end < len(context) and context[end].isalnum() and context[end - 1].isalnum():
        end += 1
    return start, end


_OPENING_QUOTES = '"“'
_CLOSING_QUOTES = '"”'


def without_unpaired_quotes(context: str, start: int, end: int) -> tuple[int, int]:
    """The span ``context[start:end]`` less a double quote mark at either edge that it does not
    close or open, and the spaces beside it: a quote shown as ``"joyful girls`` reads as a
    misquotation. Word pieces end at the mark, so the reader often takes it in or leaves its
    partner out. Scores are unchanged, and the official SQuAD normalisation ignores the marks.

    >>> text = 'She called it "an appalling tragedy" on Sunday.'
    >>> [text[slice(*without_unpaired_quotes(text, *span))] for span in ((14, 27), (15, 36), (14, 36))]
    ['an appalling', 'an appalling tragedy', '"an appalling tragedy"']
    >>> text = 'Iran cited "human error" and the fear of war.'
    >>> text[slice(*without_unpaired_quotes(text, 12, 44))]  # a mark inside: its partner is taken in
    '"human error" and the fear of war'
    """
    text = context[start:end]
    if text and text[0] in _OPENING_QUOTES and not any(mark in text[1:] for mark in _CLOSING_QUOTES):
        start += 1
        while start < end and context[start].isspace():
            start += 1
    text = context[start:end]
    if text and text[-1] in _CLOSING_QUOTES and not any(mark in text[:-1] for mark in _OPENING_QUOTES):
        end -= 1
        while end > start and context[end - 1].isspace():
            end -= 1
    # A mark inside the span whose partner stands just outside it: take the partner in
    # ('human error" and the fear' -> '"human error" and the fear').
    if start > 0 and context[start - 1] in _OPENING_QUOTES and _closes_first(context[start:end]):
        start -= 1
    if end < len(context) and context[end] in _CLOSING_QUOTES and _opens_last(context[start:end]):
        end += 1
    return start, end


def _closes_first(text: str) -> bool:
    """Whether the first quote mark in ``text`` closes a quote ("word” or word"), with no
    opening mark before it."""
    for number, char in enumerate(text):
        if char == "”":
            return True
        if char == "“":
            return False
        if char == '"':
            return number > 0 and not text[number - 1].isspace()
    return False


def _opens_last(text: str) -> bool:
    """Whether the last quote mark in ``text`` opens a quote (“word or "word), with no
    closing mark after it."""
    for number in range(len(text) - 1, -1, -1):
        char = text[number]
        if char == "“":
            return True
        if char == "”":
            return False
        if char == '"':
            return number + 1 < len(text) and not text[number + 1].isspace()
    return False


# A span may stop inside a name ("Civic" of "Civic Platform", "Martin" of "Martin How"): a quote
# that misnames what it quotes. When the reader gives the whole name nearly as high a score (within
# this many logits: the whole name at least e^-2, 1/7, as likely as the cut one), the quote runs on
# to the name's end. Chosen on the 1,595 held-out SQuAD training questions, where 2, 3 and 4 gave
# the same answers (10 changed: 6 better, 1 worse, "Birendra" -> "Birendra of Nepal"); on SQuAD
# v1.1 dev, 26 changed, 11 better and 3 worse (EM 74.38 -> 74.44, F1 83.48 -> 83.50; at 3, 13
# better and 8 worse). Extending a name's start is not done: there it took in "Miami's" and
# "President" as often as it helped.
NAME_RUNS_ON_WITHIN = 2.0
# Lower-case words that stand inside names: "University of California", "Vincent van Gogh".
_NAME_PARTICLES = frozenset("of de del der da di du la le van von y".split())


def complete_names(spans: list[Span], passages: Sequence[str], within: float = NAME_RUNS_ON_WITHIN) -> list[Span]:
    """``spans`` with each one that ends inside a run of capitalised words run on to the run's end,
    when the reader scored that longer span (same start) within ``within`` of it. The score stays
    the cut span's, so whether Newsdesk answers is unchanged: only where the quote ends.

    >>> text = "under his former party Civic Platform's time in government"
    >>> cut, whole = Span(0, 23, 28, "Civic", 17.1), Span(0, 23, 37, "Civic Platform", 16.0)
    >>> [(s.text, s.score) for s in complete_names([cut, whole], [text])]
    [('Civic Platform', 17.1), ('Civic Platform', 16.0)]
    >>> complete_names([cut, whole], [text], within=1.0)[0].text
    'Civic'
    """
    completed: list[Span] = []
    for span in spans:
        context = passages[span.passage_index]
        whole = None
        if _ends_inside_name(context, span.start, span.end):
            whole = next((other for other in spans if _completes(context, span, other, within)), None)
        completed.append(replace(span, end=whole.end, text=whole.text) if whole else span)
    return completed


def _ends_inside_name(context: str, start: int, end: int) -> bool:
    """Whether ``context[start:end]`` ends on a capitalised word and a capitalised word follows it,
    or a name particle and then a capitalised word ("University" of "University of California")."""
    words = context[start:end].split()
    if not words or not words[-1][0].isupper():
        return False
    follows = re.match(r" (\w+)(?: (\w))?", context[end:])
    if follows is None:
        return False
    word, after_it = follows.groups()
    return word[0].isupper() or (word in _NAME_PARTICLES and after_it is not None and after_it.isupper())


def _completes(context: str, span: Span, other: Span, within: float) -> bool:
    """Whether ``other`` is ``span`` run on over capitalised words (and name particles) to a name's end."""
    if other.passage_index != span.passage_index or other.start != span.start or other.end <= span.end:
        return False
    added = context[span.end : other.end].split()
    return (
        other.score >= span.score - within
        and all(word[0].isupper() or word in _NAME_PARTICLES for word in added)
        and not _ends_inside_name(context, other.start, other.end)
    )


def best_per_passage(spans: list[Span], passages: int) -> tuple[Span | None, ...]:
    """Each passage's best span (None for a passage with none)."""
    best: list[Span | None] = [None] * passages
    for span in spans:
        kept = best[span.passage_index]
        if kept is None or span.score > kept.score:
            best[span.passage_index] = span
    return tuple(best)


def distinct_spans(spans: list[Span], top_k: int) -> list[Span]:
    """Best-first spans with overlapping ones (same passage) merged into the better one."""
    kept: list[Span] = []
    for span in spans:
        if any(k.passage_index == span.passage_index and span.start < k.end and k.start < span.end for k in kept):
            continue
        kept.append(span)
        if len(kept) == top_k:
            break
    return kept


def widen(reading: Reading, read: Sequence[int], passages: Sequence[str]) -> Reading:
    """A reading of some of ``passages`` (those at the indices ``read``, in that order) as a
    reading of all of them: spans point into ``passages``; unread passages have no best span.

    >>> part = Reading("Who?", ("b",), (Span(0, 0, 1, "b", 2.0),), 0.0, (Span(0, 0, 1, "b", 2.0),))
    >>> whole = widen(part, [1], ["a", "b"])
    >>> [s.passage_index for s in whole.spans], whole.per_passage[0], whole.passages
    ([1], None, ('a', 'b'))
    """
    spans = tuple(replace(span, passage_index=read[span.passage_index]) for span in reading.spans)
    best: list[Span | None] = [None] * len(passages)
    for index, span in zip(read, reading.per_passage, strict=True):
        best[index] = replace(span, passage_index=index) if span is not None else None
    return replace(reading, passages=tuple(passages), spans=spans, per_passage=tuple(best))


def merge_readings(first: Reading, more: Reading, top_k: int) -> Reading:
    """One reading from two readings of different passages of the same list (`widen`ed): the
    best ``top_k`` distinct spans of both, and each passage's best span from whichever read it.
    As reading all passages at once gives, since spans of different passages never overlap.

    >>> a = Reading("Who?", ("x", "y"), (Span(0, 0, 1, "x", 1.0),), 0.0, (Span(0, 0, 1, "x", 1.0), None))
    >>> b = Reading("Who?", ("x", "y"), (Span(1, 0, 1, "y", 3.0),), 0.0, (None, Span(1, 0, 1, "y", 3.0)))
    >>> [s.text for s in merge_readings(a, b, 1).spans], [s.text for s in merge_readings(a, b, 2).per_passage]
    (['y'], ['x', 'y'])
    """
    spans = sorted((*first.spans, *more.spans), key=lambda span: -span.score)
    per_passage = tuple(a if a is not None else b for a, b in zip(first.per_passage, more.per_passage, strict=True))
    return replace(first, spans=tuple(distinct_spans(spans, top_k)), per_passage=per_passage)
