"""A question is put to the reader without the dates that place it in time (qa.asking): the reader
never sees a passage's date, so "in August 2020" only weighed against the passage that answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.asking import for_the_reader
from tests.conftest import synced_desk


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("How many countries had ratified it as of July 2019?", "How many countries had ratified it?"),
        ("Where did the flight crash in August 2020?", "Where did the flight crash?"),
        ("Who was appointed in 2009 to the seat?", "Who was appointed to the seat?"),
        ("What happened on May 5, 2024 in Gdańsk?", "What happened in Gdańsk?"),
        ("What happened on May 5th 2024?", "What happened?"),
        ("Who won during early March 2020?", "Who won?"),
        ("What will be built by 2030?", "What will be built?"),
        ("Who resigned in mid-2019, after the protests?", "Who resigned, after the protests?"),
        ("Who won in 1998-99?", "Who won in 1998-99?"),  # a season
        ("How much did it cost in 2019 dollars?", "How much did it cost in 2019 dollars?"),
        ("What happened in May?", "What happened in May?"),  # no year: a passage may say "May"
        ("How many died in 1700?", "How many died in 1700?"),  # not a year of the news
        ("In 2019?", "In 2019?"),  # nothing would be left
        ("Where is 2019 Street?", "Where is 2019 Street?"),
    ],
)
def test_the_dates_that_place_a_question_are_left_out(question: str, asked: str):
    assert for_the_reader(question) == asked


STORY = {
    "calicut": (
        "Air India Express flight overshoots runway in Kerala",
        "2020-08-08",
        "Yesterday, an Air India Express passenger flight attempted a landing at Calicut International Airport "
        "in heavy rain and overshot the runway. At least 18 people died.",
    )
}


def test_a_dated_question_is_answered_as_surely_as_without_its_date(tmp_path: Path, embedder, reader):
    desk = synced_desk(STORY, tmp_path, embedder, reader)
    dated = desk.answer("Where did the Air India Express flight crash in August 2020?")
    plain = desk.answer("Where did the Air India Express flight crash?")
    assert dated.text == plain.text == "Calicut International Airport"
    assert dated.confidence == plain.confidence > 0.9  # read with its date, the score was 10.8, not 19.1
