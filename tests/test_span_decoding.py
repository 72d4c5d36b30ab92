"""Span decoding with hand-made logits: exact spans and scores, no model."""

from __future__ import annotations

import numpy as np

from qa.schema import Span
from qa.span_decoding import best_per_passage, decode_window, distinct_spans

# [CLS] who ? [SEP] Anna Berg won in Oslo [SEP]
CONTEXT = "Anna Berg won in Oslo"
IDS = [None, 0, 0, None, 1, 1, 1, 1, 1, None]
OFFSETS = [(0, 0), (0, 3), (3, 4), (0, 0), (0, 4), (5, 9), (10, 13), (14, 16), (17, 21), (0, 0)]


def logits(**at: float) -> np.ndarray:
    values = np.zeros(len(IDS))
    for position, value in at.items():
        values[int(position[1:])] = value
    return values


def decode(start: np.ndarray, end: np.ndarray, longest: int = 30, per_side: int = 20) -> list[Span]:
    return decode_window(start, end, IDS, OFFSETS, CONTEXT, 3, longest, per_side)


def test_the_best_span_and_its_score_over_the_no_answer_logit():
    spans = decode(logits(p0=2.0, p4=6.0, p8=1.0), logits(p0=1.0, p5=5.0, p8=2.0))
    assert spans[0] == Span(3, 0, 9, "Anna Berg", 6.0 + 5.0 - 3.0)
    assert spans[1] == Span(3, 0, 21, "Anna Berg won in Oslo", 6.0 + 2.0 - 3.0)
    assert [s.score for s in spans] == sorted((s.score for s in spans), reverse=True)
    assert all(CONTEXT[s.start : s.end] == s.text for s in spans)


def test_question_tokens_are_never_an_answer():
    spans = decode(logits(p1=50.0, p6=1.0), logits(p2=50.0, p6=1.0))
    assert spans[0].text == "won" and all(s.start >= 0 and s.text in CONTEXT for s in spans)
    assert not any(s.text in ("who", "?") for s in spans)


def test_an_end_before_its_start_or_a_span_too_long_is_left_out():
    spans = decode(logits(p8=9.0, p4=2.0), logits(p4=9.0, p8=1.0))  # best start after best end
    assert spans[0] == Span(3, 0, 4, "Anna", 2.0 + 9.0) and spans[1] == Span(3, 17, 21, "Oslo", 9.0 + 1.0)
    assert all(s.start < s.end for s in spans)
    assert decode(logits(p4=9.0), logits(p8=9.0), longest=5)[0].text == "Anna Berg won in Oslo"
    assert decode(logits(p4=9.0), logits(p8=9.0), longest=4)[0].text != "Anna Berg won in Oslo"
    assert all(len(s.text.split()) <= 1 for s in decode(logits(p4=9.0), logits(p8=9.0), longest=1))


def test_a_window_without_context_has_no_span_and_the_candidates_are_capped():
    assert decode_window(np.zeros(4), np.zeros(4), [None, 0, 0, None], OFFSETS[:4], CONTEXT, 0, 30) == []
    assert len(decode(logits(p4=1.0), logits(p8=1.0), per_side=2)) == 2
    assert len(decode(logits(p4=1.0), logits(p8=1.0))) == 15  # every start <= end pair of 5 tokens


def test_best_per_passage_and_distinct_spans():
    spans = [Span(0, 0, 4, "Anna", 2.0), Span(1, 5, 9, "Berg", 3.0), Span(0, 0, 9, "Anna Berg", 4.0)]
    assert best_per_passage(spans, 3) == (spans[2], spans[1], None)
    ranked = sorted(spans, key=lambda s: -s.score)
    assert distinct_spans(ranked, 5) == [spans[2], spans[1]]  # "Anna" overlaps the better "Anna Berg"
    assert distinct_spans(ranked, 1) == [spans[2]]
    touching = [Span(0, 0, 4, "Anna", 2.0), Span(0, 4, 9, " Berg", 1.0)]
    assert distinct_spans(touching, 5) == touching  # adjacent, not overlapping
