"""A timeline of one story (`qa.answers.story`, `qa.answers.decision.timeline`): the same-story rule
with hand-made passages, the lazy reading that finds a story's other dates, the labelled set that
`bench/timeline.py` measures, and through the real models a small archive of two fires."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.answers import MarginJudge, decide
from qa.answers.decision import decide_reading_less
from qa.answers.story import (
    STORY_DAYS,
    Report,
    _capitalised,
    events,
    mentioned,
    name_runs,
    names,
    names_added,
    on_topic,
    same_story,
    why_apart,
)
from qa.render import answer_dict, render_markdown, render_text
from qa.schema import Passage, Reading
from tests.conftest import ROOT, SEED_ID, needs_shared
from tests.test_answers import reading, span

LABELS = ROOT / "bench" / "data" / "timeline_labels.jsonl"


def passage(index: int, article: str, title: str, text: str, date: str) -> Passage:
    return Passage(index, article, title, date, "", "", 0, len(text), text, 0.01, 0.6, 5.0)


# ---------------------------------------------------------------- names and the rule, pure


def test_names_are_capitalised_words_but_not_grammar_titles_events_or_sentence_openers():
    text = "Officials said President Putin's visit to China begins Thursday. Putin will meet Xi. Wikinews asked."
    assert names(text) == {"putin", "china", "xi"}
    # A word that opens a sentence is a name when written as one, or capitalised elsewhere.
    assert names("NATO met. Kolding burned.", "The fire in Kolding.") == {"nato", "kolding"}
    assert names("Hurricane Ida is now category 3.") == {"ida"}  # the event is not the name
    # Matching looks for a name wherever it is capitalised, but not where it is a common word.
    assert mentioned("Kolding burned.") == {"kolding"}
    assert mentioned("Hotel fire. A hotel burned.") == frozenset()


def test_what_the_answer_adds_leaves_out_the_questions_names_and_the_answer_itself():
    seed = Report(
        "Russian President Vladimir Putin will meet Chinese leader Xi Jinping in Beijing.",
        "Putin to make state visit to China",
        "",
        "2024-05-14",
        "Xi Jinping",
    )
    # "Russian ... Vladimir Putin" is the question's Putin; Xi Jinping is the answer, which changes
    # along a timeline: the story is told by China and Beijing.
    assert names_added("Who will Putin meet?", seed) == {"chinese", "beijing", "china"}


QUESTION = "How many people died in the hotel fire?"
FIRST = Report("Four people died in the fire.", "Fire at Riverside Hotel in Kolding", "", "2024-03-01", "Four")


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (Report("Nine died.", "Kolding hotel fire: toll rises", "The hotel fire killed nine.", "2024-03-03"), ""),
        (Report("Six died.", "Lyon fire", "A hotel fire in Lyon killed six.", "2024-03-02"), "names none of"),
        (Report("Six died.", "Storm in Kolding", "A storm hit Kolding.", "2024-03-02"), "mentions 0%"),
        (
            Report("Nine died.", "Kolding hotel", "Nine people died at the Kolding hotel.", "2024-03-02"),
            "speaks of no fire",
        ),
        (Report("Nine died.", "Kolding hotel fire", "The hotel fire killed nine.", "2025-03-03"), "dated 367 days"),
        (Report("Nine died.", "Kolding hotel fire", "The hotel fire killed nine.", ""), "undated"),
    ],
)
def test_another_article_is_of_the_story_only_when_every_test_holds(other: Report, why: str):
    reason = why_apart(QUESTION, FIRST, other)
    assert reason.startswith(why) if why else reason == ""
    assert same_story(QUESTION, FIRST, other) is (why == "")


def test_a_name_the_question_holds_must_be_named():
    asked = "How many people died in the fire in Kolding?"
    lyon = Report("Six died.", "Hotel fire", "Six people died in a hotel fire.", "2024-03-02")
    assert why_apart(asked, FIRST, lyon) == "does not name kolding"


def test_a_name_is_named_by_any_of_its_words():
    asked = "How many people did Anders Holm rescue from the hotel fire?"
    surname = Report("Nine.", "Kolding hotel fire", "Holm rescued nine people from the hotel fire.", "2024-03-02")
    assert same_story(asked, FIRST, surname)  # "Holm" names Anders Holm
    other = Report("Six.", "Kolding hotel fire", "A firefighter rescued six people from the hotel fire.", "2024-03-02")
    assert why_apart(asked, FIRST, other) == "does not name anders, holm"
    runs = name_runs("Did Xi Jinping meet Pedro Pierluisi?")
    assert [sorted(run) for run in runs] == [["jinping", "xi"], ["pedro", "pierluisi"]]


def test_met_speaks_of_the_meeting_a_question_asks_about():
    asked = "Who will Putin meet during his visit?"
    seed = Report("Putin will meet Xi Jinping during his visit.", "Putin to visit China", "", "2024-05-14", "Xi")
    later = Report("", "Putin in China", "During his visit to China, Putin met Xi Jinping.", "2024-05-16")
    assert same_story(asked, seed, later)


@pytest.mark.parametrize(
    ("title", "text", "on"),
    [
        ("Gdańsk mayor dies", "He was 53.", True),  # the title names it
        ("Mayor dies", "The mayor of Gdańsk was 53.", True),  # the passage does
        ("Adamowicz funeral", "Paweł Adamowicz was buried.", True),  # one of the names is enough
        ("Seoul mayor found dead", "He was 64.", False),
        ("Mayor dies", "Officials in gdańsk said so.", False),  # a name is written as one
    ],
)
def test_a_follow_ups_answer_comes_from_an_article_that_names_what_the_conversation_names(title, text, on):
    conversation = "Who stabbed Paweł Adamowicz in Gdańsk? How old was he?"
    assert on_topic(conversation, title, text) is on


def test_a_conversation_that_names_nothing_may_be_answered_from_any_article():
    assert on_topic("Where did a fire break out? Who saw it?", "Seoul mayor found dead", "He was 64.")


def test_an_undated_article_is_apart_only_where_a_date_is_needed():
    undated = Report("Nine died.", "Kolding hotel fire", "The hotel fire killed nine.", "")
    assert why_apart(QUESTION, FIRST, undated) == "undated"
    assert same_story(QUESTION, FIRST, undated, undated=True)
    far = Report("Nine died.", "Kolding hotel fire", "The hotel fire killed nine.", "2025-03-01")
    assert not same_story(QUESTION, FIRST, far, undated=True)  # a date too far is still too far


def test_a_story_lasts_at_most_story_days():
    def later(date: str) -> Report:
        return Report("Nine died.", "Kolding hotel fire", "The hotel fire killed nine.", date)

    assert STORY_DAYS == 183
    assert same_story(QUESTION, FIRST, later("2024-08-31"))  # 183 days after the answer
    assert why_apart(QUESTION, FIRST, later("2024-09-01")) == "dated 184 days from the answer"


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        # A capital that opens the text, even after a dash, may be the sentence's alone.
        ("- Putin met Xi.", [[("putin", True)], [("xi", False)]]),
        ("a Putin met Xi.", [[("putin", False)], [("xi", False)]]),
        # So may one that opens a line within a sentence.
        (
            "Storm hit Kolding\nRoads closed in Vejle.",
            [[("storm", True)], [("kolding", False)], [("roads", True)], [("vejle", False)]],
        ),
        # Each sentence's words are its own: "Officials" opens the second.
        ("NATO met. Officials said so.", [[("nato", False)], [("officials", True)]]),
        # Written as only a name is ("UN"), an opening word is a name.
        ("UN troops arrived.", [[("un", False)]]),
        # A comma ends a run of names.
        ("Putin met Xi, Li and Wang.", [[("putin", True)], [("xi", False)], [("li", False)], [("wang", False)]]),
        # A possessive goes, and with it an abbreviation's last dot.
        ("The U.S.'s envoy met Xi.", [[("the", True), ("u.s", False)], [("xi", False)]]),
    ],
)
def test_capitalised_runs_and_which_capitals_may_be_the_sentences(text: str, runs: list[list[tuple[str, bool]]]):
    assert _capitalised(text) == runs


def test_events_are_found_in_the_plural_too():
    assert events("How many died in the storms after the earthquakes?") == ("storms", "earthquakes")


def test_another_article_that_mentions_half_of_what_the_question_is_about_is_about_it():
    other = Report("Nine died.", "Kolding fire", "The fire spread to the hotel.", "2024-03-03")
    assert why_apart("How many died in the fire?", FIRST, other) == ""  # "fire", not "died": half


def test_a_name_the_question_holds_may_be_named_in_the_other_articles_sentence_alone():
    asked = "How many people died in the hotel fire in Kolding?"
    other = Report(
        "Nine died in Kolding.", "Riverside Hotel fire toll rises", "The hotel fire killed nine.", "2024-03-03"
    )
    assert why_apart(asked, FIRST, other) == ""


def test_every_name_the_other_article_misses_is_listed():
    asked = "How many died in the fire in Kolding and Vejle?"
    lyon = Report("Six died.", "Hotel fire", "Six people died in a hotel fire.", "2024-03-02")
    assert why_apart(asked, FIRST, lyon) == "does not name kolding, vejle"


# ---------------------------------------------------------------- the timeline, with hand-made passages

FIRES = [
    passage(
        0, "kolding-2", "Kolding hotel fire toll rises", "The toll of the fire in Kolding rose to nine.", "2024-03-03"
    ),
    passage(1, "kolding-1", "Fire at Riverside Hotel in Kolding", "Four people died in the hotel fire.", "2024-03-01"),
    passage(2, "lyon", "Hotel fire in Lyon", "Six people died in a hotel fire in Lyon.", "2024-03-02"),
]


def test_the_timeline_lists_the_answers_story_newest_first_and_never_another_fire():
    spans = [span(FIRES, 0, "nine", 12.0), span(FIRES, 1, "Four", 11.0), span(FIRES, 2, "Six", 11.5)]
    decision = decide(QUESTION, FIRES, reading(QUESTION, FIRES, spans), MarginJudge(0.0))
    assert decision.found and decision.best.candidate.span.text == "nine"
    timeline = [(j.candidate.passage.article_id, j.candidate.span.text) for j in decision.timeline]
    assert timeline == [("kolding-2", "nine"), ("kolding-1", "Four")]
    # The Lyon fire's answer is still an alternative, shown as such, never as the story's.
    assert "Six" in [s.text for s in decision.alternatives]


def test_a_story_of_one_article_has_no_timeline():
    spans = [span(FIRES, 2, "Six", 12.0), span(FIRES, 0, "nine", 11.0), span(FIRES, 1, "Four", 10.0)]
    decision = decide(
        "How many people died in the hotel fire in Lyon?", FIRES, reading(QUESTION, FIRES, spans), MarginJudge(0.0)
    )
    assert decision.found and decision.best.candidate.span.text == "Six"
    assert decision.timeline == ()


STORMS = "What category is Hurricane Ida?"
STORM_PASSAGES = [
    passage(0, "ida-1", "Storm Ida upgraded to hurricane", "Hurricane Ida is a category 1 storm.", "2024-09-01"),
    passage(1, "bo", "Hurricane Bo strengthens", "Hurricane Bo is now a category 4 storm.", "2024-09-03"),
    passage(2, "ida-2", "Hurricane Ida strengthens", "Ida is now a category 3 hurricane.", "2024-09-03"),
]


def test_a_sure_answer_reads_the_passages_of_its_story_on_other_dates_and_shows_how_it_developed():
    spans = [span(STORM_PASSAGES, 0, "1", 12.0), span(STORM_PASSAGES, 1, "4", 10.0), span(STORM_PASSAGES, 2, "3", 10.0)]
    reads: list[list[int]] = []

    def read(indices) -> Reading:
        reads.append(list(indices))
        return reading(STORMS, STORM_PASSAGES, [spans[i] for i in indices])

    decision, count = decide_reading_less(STORMS, STORM_PASSAGES, read, MarginJudge(0.0))
    # "What category" asks no number: Ida's later article is read for the story, Bo's is not.
    assert reads == [[0], [2]] and count == 2
    assert [(j.candidate.passage.date, j.candidate.span.text) for j in decision.timeline] == [
        ("2024-09-03", "3"),
        ("2024-09-01", "1"),
    ]


# ---------------------------------------------------------------- the labelled set


def test_the_labelled_set_names_articles_of_the_news_archive_each_once():
    news = needs_shared("data", "news", "news.jsonl")
    known = {json.loads(line)["id"] for line in news.read_text().splitlines() if line.strip()} | {SEED_ID}
    labels = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]
    assert 20 <= len(labels) <= 50 and len({label["question"] for label in labels}) == len(labels)
    assert {label["set"] for label in labels} == {"seen", "held out", "fresh"}
    for label in labels:
        named = label["timeline"] + label["story"] + label["other"]
        assert set(named) <= known, label["id"]
        assert len(named) == len(set(named)), label["id"]  # an article belongs or does not, never both


# ---------------------------------------------------------------- through the real models

ARCHIVE_FIRES = [
    ("kolding-1", "2024-03-01", "Fire at Kolding hotel", "Four people died when a fire broke out at the Riverside "
     "Hotel in Kolding on Friday night, police in Kolding said."),
    ("kolding-2", "2024-03-03", "Kolding hotel fire: toll rises to nine", "The number of people who died in the fire "
     "at the Riverside Hotel in Kolding has risen to nine, police in Kolding said on Sunday."),
    ("lyon", "2024-03-02", "Hotel fire in Lyon", "Six people died when a fire broke out at a hotel in Lyon on "
     "Saturday, firefighters in Lyon said."),
]  # fmt: skip


def test_a_timeline_through_the_models_lists_one_story_and_never_another_fire(desk, articles: Path):
    for key, date, title, text in ARCHIVE_FIRES:
        (articles / f"{key}.json").write_text(json.dumps({"id": key, "title": title, "date": date, "text": text}))
    desk.sync()
    reply = desk.answer("How many people died in the hotel fire in Kolding?")
    assert reply.found
    assert [(c.date, c.article_id, c.quote) for c in reply.timeline] == [
        ("2024-03-03", "kolding-2", "nine"),
        ("2024-03-01", "kolding-1", "Four"),
    ]
    for citation in reply.timeline:
        assert desk.article(citation.article_id).text[citation.start : citation.end] == citation.quote
    assert "lyon" not in render_markdown(reply) + render_text(reply)
    assert [c["article_id"] for c in answer_dict(reply)["timeline"]] == ["kolding-2", "kolding-1"]
    # The Lyon fire is a story of one article: no timeline, and never Kolding's tolls.
    lyon = desk.answer("How many people died in the hotel fire in Lyon?")
    assert lyon.found and lyon.citation.article_id == "lyon" and lyon.timeline == ()
