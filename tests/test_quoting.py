"""An answer quotes a figure with the hedge its article gives it (qa.answers.quoting): pure, and
through the real reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answers import candidates
from qa.answers.quoting import HEDGES, with_its_hedge
from qa.render import answer_dict
from qa.schema import Passage, Reading, Span
from tests.conftest import synced_desk

TEXT = "Firefighters sent around 30 vehicles, and more than 400 firefighters fought it until 19:00."


def figure(text: str) -> Span:
    start = TEXT.index(text)
    return Span(0, start, start + len(text), text, 8.0)


@pytest.mark.parametrize(
    ("quoted", "shown"),
    [("30", "around 30"), ("30 vehicles", "around 30 vehicles"), ("400", "more than 400"), ("19:00", "19:00")],
)
def test_a_figure_takes_in_the_hedge_before_it(quoted: str, shown: str):
    span = with_its_hedge("How many were there?", figure(quoted), TEXT)
    assert span.text == shown and TEXT[span.start : span.end] == shown and span.score == 8.0


def test_words_and_questions_that_are_approximate_themselves_are_left_alone():
    assert with_its_hedge("Who fought it?", figure("firefighters fought"), TEXT).text == "firefighters fought"
    for question in ("About how many vehicles?", "Roughly how many?", "What maximum number?", "Did it exceed 20?"):
        assert with_its_hedge(question, figure("30"), TEXT).text == "30"
    leftover = "the leftover 30 boats"  # "over" inside a word is no hedge
    assert with_its_hedge("How many?", Span(0, 13, 15, "30", 1.0), leftover).text == "30"


def test_every_hedge_is_found_and_the_longest_wins():
    for hedge in HEDGES:
        text = f"they counted {hedge} 12 boats"
        start = text.index("12")
        assert with_its_hedge("How many?", Span(0, start, start + 2, "12", 1.0), text).text == f"{hedge} 12"
    text = "just over 12 boats"
    assert with_its_hedge("How many?", Span(0, 10, 12, "12", 1.0), text).text == "just over 12"


def test_candidate_answers_quote_the_hedge():
    passage = Passage(0, "a", "Fire", "2024-01-01", "", "", 0, len(TEXT), TEXT, 0.01, 0.6, 5.0)
    span = figure("30")
    reading = Reading("How many vehicles were sent?", (TEXT,), (span,), 0.0, (span,))
    [candidate] = candidates("How many vehicles were sent?", [passage], reading)
    assert candidate.span.text == "around 30"


def test_newsdesk_answers_with_the_hedge(tmp_path: Path, embedder, reader):
    story = ("Hotel fire in Delhi", "2024-02-12", "Firefighters sent around 30 vehicles to the hotel fire in Delhi.")
    desk = synced_desk({"delhi": story}, tmp_path, embedder, reader)
    reply = desk.answer("How many fire engines were sent to the hotel fire in Delhi?")
    assert reply.found and reply.text == "around 30" and reply.citation.quote == "around 30"


BOAT = {
    "boat": (
        "Dive boat burns off Santa Cruz Island",
        "2019-09-02",
        "The dive boat, which caught fire before dawn, carried 33 passengers and six crew members. "
        "Five people, who were all crew, were rescued while the rest are presumed dead.",
    )
}


def test_other_figures_of_the_answers_article_are_shown_and_it_is_never_sure(tmp_path: Path, embedder, reader):
    desk = synced_desk(BOAT, tmp_path, embedder, reader)
    reply = desk.answer("How many crew members were rescued from the dive boat?")
    figures = {reply.text, *(c.quote for c in reply.rivals)}
    assert reply.found and {"six", "Five"} <= figures  # the crew, and those rescued: both shown
    assert all(c.article_id == "boat" for c in reply.rivals)
    assert answer_dict(reply)["sure"] is False
