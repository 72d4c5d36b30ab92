"""A question that asks yes or no gets the sentence that bears on it, not a span claimed as the
answer (`qa.answers.yes_no`): the pure rules with hand-made passages, then through the real models."""

from __future__ import annotations

import pytest

from qa.answers import decide
from qa.answers.kinds import asks_yes_or_no
from qa.answers.yes_no import bears_on, evidence_bounds
from qa.render import answer_dict, render_markdown, render_text
from qa.schema import Passage
from tests.conftest import SEED_ID
from tests.test_answers import model, reading, span


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("Did Putin visit China?", True),
        ("Is Xi Jinping the president of China?", True),
        ("Has the toll risen?", True),
        ("Didn't Putin meet Xi?", True),
        ("Didn’t Putin meet Xi?", True),  # a typographic apostrophe
        ("And was the mayor killed?", True),  # after an opening word
        ("Could the fire have been prevented?", True),
        ("Who did Putin meet?", False),
        ("How long will the visit last?", False),
        ("Can you tell me when Putin arrives?", False),  # a wh-word after the verb asks it
        ("Did Putin fly to Beijing or Shanghai?", False),  # a choice a quote can make
        ("Putin visited China?", False),
        ("Tell me who won.", False),
        ("", False),
    ],
)
def test_a_question_asks_yes_or_no_when_a_verb_opens_it_and_no_wh_word_or_choice_follows(question: str, yes_no: bool):
    assert asks_yes_or_no(question) is yes_no


TEXT = "The mayor of Gdańsk was stabbed on stage. He died today. This shocked the city. Crowds mourned."


@pytest.mark.parametrize(
    ("word", "evidence"),
    [
        ("stabbed", "The mayor of Gdańsk was stabbed on stage."),
        ("died", "The mayor of Gdańsk was stabbed on stage. He died today."),  # "He" refers back
        ("shocked", "He died today. This shocked the city."),  # one sentence back, not two
        ("mourned", "Crowds mourned."),
    ],
)
def test_evidence_is_the_spans_sentence_and_the_one_before_when_it_refers_back(word: str, evidence: str):
    start = TEXT.index(word)
    first, last = evidence_bounds(TEXT, start, start + len(word))
    assert TEXT[first:last] == evidence


def test_a_sentence_that_refers_back_at_the_start_of_a_text_stands_alone():
    assert evidence_bounds("He died today. Crowds mourned.", 3, 7) == (0, 14)


def passage(index: int, article: str, title: str, text: str) -> Passage:
    return Passage(index, article, title, "2024-05-14", "", "", 0, len(text), text, 0.01, 0.6, 5.0)


SEED = passage(0, "a", "Putin to visit China", "Putin arrived in Beijing on Thursday. He will meet Xi Jinping.")


@pytest.mark.parametrize(
    ("question", "bears"),
    [
        ("Did Putin visit China?", True),  # the title names China
        ("Will Putin meet Xi?", True),  # "Xi" names Xi Jinping
        ("Did Putin visit Mars?", False),  # a name the article never names
        ("Did Putin cancel the summit over trade tariffs?", False),  # a third of what it asks about
        ("Did Putin fly?", True),  # exactly half: "putin", not "fly"
    ],
)
def test_an_article_bears_on_a_question_when_it_names_its_names_and_mentions_half_its_words(question, bears):
    assert bears_on(question, SEED) is bears


def test_decide_shows_the_sentence_alone_for_a_yes_or_no_question():
    question = "Will Putin meet Xi Jinping?"
    other = passage(1, "b", "Putin in Beijing", "Putin will meet Xi Jinping, officials said.")
    spans = [span([SEED, other], 0, "Xi Jinping", 10.0), span([SEED, other], 1, "Xi Jinping", 9.0)]
    decision = decide(question, [SEED, other], reading(question, [SEED, other], spans), model())
    assert decision.found and decision.yes_no
    assert decision.text == "Putin arrived in Beijing on Thursday. He will meet Xi Jinping."
    (cited,) = decision.cited  # the other article gives the same words, yet confirms no "answer"
    assert (cited.passage_index, cited.start, cited.end) == (0, 0, len(SEED.text))
    assert decision.alternatives == () and decision.timeline == ()
    assert decision.judged[0].candidate.supporters == () and decision.score == 10.0  # the span's score
    asked = "Will Putin meet Xi Jinping?"
    wh = decide("Whom will Putin meet?", [SEED, other], reading(asked, [SEED, other], spans), model())
    assert not wh.yes_no and wh.text == "Xi Jinping"


def test_a_yes_or_no_question_about_what_no_article_names_finds_nothing():
    question = "Will Putin meet Pope Francis?"
    spans = [span([SEED], 0, "Xi Jinping", 12.0)]
    decision = decide(question, [SEED], reading(question, [SEED], spans), model())
    assert decision.yes_no and not decision.found and decision.cited == ()
    assert decision.confidence > 0.9  # likely enough: what the article is about decides
    nothing = decide(question, [SEED], reading(question, [SEED], []), model())
    assert nothing.yes_no and nothing.found is False and nothing.judged == ()


def test_a_yes_or_no_questions_sentence_is_shown_however_unlikely_its_span():
    question = "Will Putin meet Xi Jinping?"
    spans = [span([SEED], 0, "Xi Jinping", 3.0)]  # 0.007 under the hand-made model: no answer to a wh-question
    decision = decide(question, [SEED], reading(question, [SEED], spans), model())
    assert decision.found and decision.text == SEED.text and decision.confidence < 0.01


@pytest.mark.models
def test_a_yes_or_no_question_is_answered_with_the_sentence_for_the_reader_to_judge(desk):
    reply = desk.answer("Did Putin visit China?")
    assert reply.found and reply.yes_no and reply.citation.article_id == SEED_ID
    article = desk.article(SEED_ID).text
    citation = reply.citation
    assert article[citation.start : citation.end] == reply.text == citation.quote
    assert "two-day state visit to China" in reply.text and reply.text.endswith(".")
    assert reply.alternatives == () and reply.timeline == ()
    shown = render_markdown(reply)
    assert shown.startswith("I quote the articles rather than answer yes or no.") and "confidence" not in shown
    assert "likely right" not in render_text(reply)
    data = answer_dict(reply)
    assert data["yes_no"] and not data["sure"] and data["confidence_words"] == ""
    assert not desk.answer("Did Putin visit Mars?").found
    # The same archive still answers the wh-question with a span.
    who = desk.answer("Who will Putin meet during his visit?")
    assert not who.yes_no and who.text.endswith("Xi Jinping")
