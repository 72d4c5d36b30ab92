"""Span decoding with hand-made logits: exact spans and scores, no model."""

from __future__ import annotations

import numpy as np
import pytest

from qa.schema import Reading, Span
from qa.span_decoding import (  # private, pure: which way a mark faces
    NAME_RUNS_ON_WITHIN,
    _closes_first,
    _opens_last,
    best_per_passage,
    complete_names,
    decode_window,
    distinct_spans,
    merge_readings,
    whole_words,
    widen,
    without_unpaired_quotes,
)

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


def test_only_the_best_starts_and_ends_are_paired():
    # One candidate a side: the single best start with the single best end, whatever else scores.
    spans = decode(logits(p4=1.0, p5=3.0, p6=2.0), logits(p6=5.0, p7=4.0, p8=1.0), per_side=1)
    assert spans == [Span(3, 5, 13, "Berg won", 3.0 + 5.0)]
    spans = decode(logits(p4=1.0, p5=3.0, p6=2.0), logits(p6=5.0, p7=4.0, p8=1.0), per_side=2)
    assert [s.text for s in spans] == ["Berg won", "Berg won in"]  # the best two of the four pairs


def test_at_most_twenty_spans_a_window_by_default():
    context = "one two three four five six seven"
    ids = [None, 0, None, 1, 1, 1, 1, 1, 1, 1, None]
    offsets = [(0, 0), (0, 1), (0, 0), (0, 3), (4, 7), (8, 13), (14, 18), (19, 23), (24, 27), (28, 33), (0, 0)]
    spans = decode_window(np.zeros(11), np.zeros(11), ids, offsets, context, 0, 30)
    assert len(spans) == 20  # of the 28 start <= end pairs of 7 tokens


def test_a_span_of_no_characters_is_not_an_answer():
    offsets = [*OFFSETS[:6], (9, 9), *OFFSETS[7:]]  # a token that maps to no character
    spans = decode_window(logits(p6=9.0), logits(p6=9.0), IDS, offsets, CONTEXT, 0, 30)
    assert spans and all(s.end > s.start for s in spans) and spans[0].score < 18.0


def test_the_first_of_equal_spans_is_kept_and_later_worse_ones_never_replace_it():
    best, worse, tie = Span(0, 0, 4, "Anna", 5.0), Span(0, 5, 9, "Berg", 1.0), Span(0, 10, 13, "won", 5.0)
    assert best_per_passage([best, worse, tie], 1) == (best,)


def test_distinct_spans_skip_overlaps_and_keep_going():
    berg, anna = Span(0, 4, 9, " Berg", 3.0), Span(0, 0, 4, "Anna", 2.0)
    assert distinct_spans([berg, anna], 5) == [berg, anna]  # touching at 4, not overlapping
    whole, part, other = Span(0, 0, 9, "Anna Berg", 4.0), Span(0, 0, 4, "Anna", 3.0), Span(1, 0, 4, "Oslo", 2.0)
    assert distinct_spans([whole, part, other], 5) == [whole, other]


def numbered_window(words: int, start: list[float], end: list[float], per_side: int) -> list[tuple[int, int, float]]:
    """Decode a window of ``words`` context words "w0 w1 ..." (after "[CLS] q [SEP]") with the given
    context logits; each span as (first word, last word, score)."""
    context = " ".join(f"w{i}" for i in range(words))
    ids = [None, 0, None, *[1] * words, None]
    offsets: list[tuple[int, int]] = [(0, 0), (0, 1), (0, 0)]
    at = 0
    for i in range(words):
        offsets.append((at, at + len(f"w{i}")))
        at += len(f"w{i}") + 1
    offsets.append((0, 0))
    spans = decode_window(
        np.array([0.0, 0.0, 0.0, *start, 0.0]),
        np.array([0.0, 0.0, 0.0, *end, 0.0]),
        ids,
        offsets,
        context,
        0,
        30,
        per_side,
    )
    word_at = {offset[0]: i - 3 for i, offset in enumerate(offsets) if ids[i] == 1}
    return [(word_at[s.start], word_at[s.start] + s.text.count(" "), s.score) for s in spans]


def test_of_equal_starts_the_earliest_are_paired_in_order():
    odd = [float(i % 2) for i in range(20)]
    rising = [i / 100 for i in range(20)]
    assert numbered_window(20, odd, rising, per_side=3) == [(1, 19, 1.19), (3, 19, 1.19), (5, 19, 1.19)]


def test_of_equal_ends_the_earliest_are_paired_in_order():
    odd = [float(i % 2) for i in range(20)]
    falling = [(20 - i) / 100 for i in range(20)]
    assert numbered_window(20, falling, odd, per_side=3) == [(0, 1, 1.2), (0, 3, 1.2), (0, 5, 1.2)]


def test_equal_spans_come_in_the_order_of_their_start_then_end():
    odd = [float(i % 2) for i in range(12)]
    assert numbered_window(12, odd, odd, per_side=8) == [
        (1, 1, 2.0),
        (1, 3, 2.0),
        (1, 5, 2.0),
        (1, 7, 2.0),
        (1, 9, 2.0),
        (1, 11, 2.0),
        (3, 3, 2.0),
        (3, 5, 2.0),
    ]


def reading(passages: tuple[str, ...], spans: tuple[Span, ...], per_passage: tuple[Span | None, ...]) -> Reading:
    return Reading("Who won?", passages, spans, 0.0, per_passage)


def test_widen_moves_each_read_passages_best_span_to_its_place_in_the_list():
    anna, oslo = Span(0, 0, 4, "Anna", 2.0), Span(1, 0, 4, "Oslo", 1.0)
    part = reading(("Anna won", "Oslo"), (anna, oslo), (anna, None))
    whole = widen(part, [2, 0], ["Oslo", "x", "Anna won"])
    assert whole.passages == ("Oslo", "x", "Anna won")
    assert whole.spans == (Span(2, 0, 4, "Anna", 2.0), Span(0, 0, 4, "Oslo", 1.0))
    assert whole.per_passage == (None, None, Span(2, 0, 4, "Anna", 2.0))


def test_widen_refuses_a_read_list_that_does_not_match_the_reading():
    anna = Span(0, 0, 4, "Anna", 2.0)
    with pytest.raises(ValueError):
        widen(reading(("Anna won",), (anna,), (anna,)), [0, 1], ["Anna won", "Oslo"])


def test_merge_readings_refuses_readings_of_different_lists():
    anna = Span(0, 0, 4, "Anna", 2.0)
    with pytest.raises(ValueError):
        merge_readings(reading(("a", "b"), (anna,), (anna, None)), reading(("a",), (), (None,)), 2)


# [CLS] what ? [SEP] Duda : " appalling tragedy " [SEP]
QUOTED = 'Duda: "appalling tragedy"'
QUOTED_IDS = [None, 0, 0, None, 1, 1, 1, 1, 1, 1, None]
QUOTED_OFFSETS = [(0, 0), (0, 4), (4, 5), (0, 0), (0, 4), (4, 5), (6, 7), (7, 16), (17, 24), (24, 25), (0, 0)]


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        (6, 8, "appalling tragedy"),  # the opening mark without its partner
        (7, 9, "appalling tragedy"),  # the closing mark without its partner
        (6, 9, '"appalling tragedy"'),  # a whole quotation keeps both
        (4, 8, 'Duda: "appalling tragedy"'),  # a mark inside the span takes in its partner just after it
    ],
)
def test_a_quote_mark_the_span_does_not_pair_is_left_out(first: int, last: int, shown: str):
    start, end = np.zeros(len(QUOTED_IDS)), np.zeros(len(QUOTED_IDS))
    start[first], end[last] = 5.0, 5.0
    best = decode_window(start, end, QUOTED_IDS, QUOTED_OFFSETS, QUOTED, 0, 30)[0]
    assert best.text == shown == QUOTED[best.start : best.end] and best.score == 10.0


@pytest.mark.parametrize(
    ("text", "span", "kept"),
    [
        ("It was “an appalling tragedy” indeed", (7, 28), "an appalling tragedy"),  # curly marks
        ("It was “an appalling tragedy” indeed", (7, 29), "“an appalling tragedy”"),
        ('a "b', (2, 3), ""),  # a lone mark leaves nothing, never an end before its start
        ('"', (0, 1), ""),
        ("", (0, 0), ""),
        ('He said " appalling tragedy', (8, 27), "appalling tragedy"),  # and the space after it
        ('appalling tragedy " he said', (0, 19), "appalling tragedy"),  # and the space before it
        ('a  "', (2, 4), ""),  # the spaces before the span are not its own
        ('say "" now', (4, 6), '""'),  # a mark right after its partner pairs it
        ('a "b"', (0, 5), 'a "b"'),
        ('x""', (0, 3), 'x""'),
        # A mark inside the span whose partner stands just outside it: the partner is taken in.
        ('Iran cited "human error" and fear.', (12, 33), '"human error" and fear'),
        ("It was “an appalling tragedy” indeed", (8, 36), "“an appalling tragedy” indeed"),
        ('Duda said "go" now', (5, 13), 'said "go"'),
        ("Duda said “go” now", (5, 13), "said “go”"),
        ('He said "go now', (0, 15), 'He said "go now'),  # its partner is nowhere near: left as it is
        ('x "y', (2, 4), "y"),  # at the edge: trimmed, not paired
        ('say "a b" c', (7, 11), 'b" c'),  # its partner is further back than the span's edge: left
        ('"ab" c', (1, 6), '"ab" c'),  # the partner is the text's first character
    ],
)
def test_unpaired_marks_of_either_kind_are_trimmed_and_nothing_is_turned_inside_out(text, span, kept):
    start, end = without_unpaired_quotes(text, *span)
    assert start <= end and text[start:end] == kept


@pytest.mark.parametrize(
    ("text", "closes_first", "opens_last"),
    [
        ('error" and', True, False),
        ("a” b", True, False),
        ('a"', True, False),  # a mark after a letter closes
        ('a b"', True, False),
        ("“a” b", False, False),  # an opening mark first; a closing one last
        ('"a', False, True),  # at the start a straight mark opens
        ('a "b', False, True),
        ('a "b c', False, True),
        ('a"b', True, True),
        ("ab“", False, True),
        ('b" c', True, False),
        ('a" b', True, False),  # followed by a space: it closes
        ("no mark", False, False),
    ],
)
def test_which_way_a_spans_inner_quote_mark_faces(text: str, closes_first: bool, opens_last: bool):
    assert (_closes_first(text), _opens_last(text)) == (closes_first, opens_last)


# ---- a quote never stops inside a name the reader nearly as much likes whole ----

PARTY = "under his former party Civic Platform's time in government"
CUT = Span(0, 23, 28, "Civic", 17.0)  # what the reader liked best over the news question
WHOLE = Span(0, 23, 37, "Civic Platform", 16.0)


def test_a_name_cut_short_runs_on_to_its_end_keeping_its_score():
    completed = complete_names([CUT, WHOLE, Span(0, 17, 28, "party Civic", 14.0)], [PARTY])
    assert completed[0] == Span(0, 23, 37, "Civic Platform", 17.0)
    assert completed[1] == WHOLE
    # a span that starts elsewhere is not a completion of this one, and is itself cut
    assert completed[2].text == "party Civic"


def test_only_when_the_whole_name_scores_within_the_margin():
    just_inside = Span(0, 23, 37, "Civic Platform", 17.0 - NAME_RUNS_ON_WITHIN)
    just_outside = Span(0, 23, 37, "Civic Platform", 17.0 - NAME_RUNS_ON_WITHIN - 0.01)
    assert complete_names([CUT, just_inside], [PARTY])[0].text == "Civic Platform"
    assert complete_names([CUT, just_outside], [PARTY])[0].text == "Civic"
    assert complete_names([CUT, WHOLE], [PARTY], within=0.5)[0].text == "Civic"


def test_a_span_that_ends_a_name_or_stops_before_lower_case_is_left_alone():
    text = "said co-author Martin How. Scientists have long wondered"
    ended = Span(0, 15, 25, "Martin How", 12.0)
    longer = Span(0, 15, 36, "Martin How. Scientists", 11.5)
    assert complete_names([ended, longer], [text]) == [ended, longer]
    lower = "the Civic party won"
    civic = Span(0, 4, 9, "Civic", 9.0)
    assert complete_names([civic, Span(0, 4, 15, "Civic party", 9.0)], [lower])[0].text == "Civic"


def test_the_run_on_takes_name_particles_but_no_other_lower_case_word():
    text = "a PhD from the University of California in 1947 and Rita Moreno said"
    university = Span(0, 15, 25, "University", 10.0)
    assert complete_names([university, Span(0, 15, 39, "University of California", 9.0)], [text])[0].text == (
        "University of California"
    )
    rita = Span(0, 52, 56, "Rita", 10.0)
    assert complete_names([rita, Span(0, 52, 68, "Rita Moreno said", 9.9)], [text])[0].text == "Rita"


def test_a_completion_must_end_the_name_and_come_from_the_same_passage():
    text = "the Great Orchestra of Christmas Charity event"
    cut = Span(0, 4, 19, "Great Orchestra", 10.0)
    still_cut = Span(0, 4, 32, "Great Orchestra of Christmas", 9.5)
    whole = Span(0, 4, 40, "Great Orchestra of Christmas Charity", 8.5)
    assert complete_names([cut, still_cut, whole], [text])[0].text == "Great Orchestra of Christmas Charity"
    other_passage = Span(1, 4, 40, "Great Orchestra of Christmas Charity", 9.9)
    assert complete_names([cut, other_passage], [text, text])[0].text == "Great Orchestra"


def test_a_span_is_widened_to_whole_words():
    text = "lawyers posted US$2 million bond for Brock Osweiler's release"
    dollars = text.index("$")
    assert text[slice(*whole_words(text, dollars, dollars + 10))] == "US$2 million"
    brock = text.index("Brock")
    assert text[slice(*whole_words(text, brock, brock + 8))] == "Brock Osweiler"  # "Brock Os"
    assert whole_words(text, brock, brock + 14) == (brock, brock + 14)  # ends before "'s": a whole word
    assert whole_words(text, 0, 7) == (0, 7) and whole_words(text, 8, len(text)) == (8, len(text))
    quoted = 'the "Civic" party'
    assert whole_words(quoted, 4, 10) == (4, 10)  # a quote mark after a space starts no word


def test_decoding_widens_a_span_that_starts_inside_a_word():
    # [CLS] how much ? [SEP] US $ 2 million [SEP]: the best start is "$", inside "US$2"
    context = "US$2 million"
    ids = [None, 0, 0, 0, None, 1, 1, 1, 1, None]
    offsets = [(0, 0), (0, 3), (4, 8), (8, 9), (0, 0), (0, 2), (2, 3), (3, 4), (5, 12), (0, 0)]
    start, end = np.zeros(10), np.zeros(10)
    start[6], end[8] = 5.0, 5.0
    assert decode_window(start, end, ids, offsets, context, 0, 30)[0].text == "US$2 million"


def test_whole_words_steps_back_one_character_at_a_time_and_runs_on_from_the_start():
    text = "paid X$5 more"
    assert whole_words(text, 6, 8) == (5, 8)  # "X$5", not " X$5"
    ends = "Ab cd."
    assert whole_words(ends, 0, 1) == (0, 2)  # from the first character on
    assert whole_words(ends, 3, 4) == (3, 5) and whole_words(ends, 3, 5) == (3, 5)  # "." is no letter


def test_only_a_capitalised_word_can_end_inside_a_name():
    text = "his party Civic Platform won"
    party = Span(0, 4, 9, "party", 10.0)
    assert complete_names([party, Span(0, 4, 24, "party Civic Platform", 9.9)], [text])[0].text == "party"


def test_a_name_runs_on_over_a_particle_only_to_another_capitalised_word():
    text = "the Bank of england said"
    bank = Span(0, 4, 8, "Bank", 10.0)
    assert complete_names([bank, Span(0, 4, 11, "Bank of", 9.5)], [text])[0].text == "Bank"


def test_a_line_break_ends_a_name():
    text = "said Martin How\nScientists wondered"
    how = Span(0, 5, 15, "Martin How", 12.0)
    assert complete_names([how, Span(0, 5, 26, "Martin How\nScientists", 11.5)], [text])[0].text == "Martin How"
