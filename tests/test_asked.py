"""Does the span's sentence say what was asked (qa.answers.asked): the three confident wrong answers
of issue #24. The fire's sentences and the Shuttle's are the articles' own; the right Crew Dragon
sentence and both stabbing sentences are made in their image (the article's own victim sentence,
`STABBING_ARTICLE`, is not caught: see the last test)."""

from __future__ import annotations

import doctest

import pytest

from qa.answers import asked
from qa.answers.asked import ASKED_FEATURES, asked_evidence, asked_words, role_of
from qa.answers.features import FEATURES
from qa.schema import Passage, Reading, Span

FIRE = "How many were injured in the Catalonia fire?"
FIRE_RIGHT = "The blaze killed three, including a 92-year-old woman, and injured sixteen, including a baby."
FIRE_WRONG = (
    "The fire service indicated on Twitter the baby girl was critically ill, while two adults were seriously injured."
)
DRAGON = "When was the Crew Dragon launched?"
DRAGON_RIGHT = "At 0749 UTC on Saturday morning, the Crew Dragon was launched via a Falcon 9 rocket."
DRAGON_WRONG = (
    "This was the first launch of a crewed spacecraft from the United States since NASA's final Space Shuttle "
    "mission in July 2011 — a mission Hurley piloted."
)
STABBING = "Who was detained as the suspect in the Gdańsk stabbing?"
STABBING_WRONG = "The mayor of Gdańsk, Paweł Adamowicz, was stabbed on stage on Sunday and died of his injuries."
STABBING_ARTICLE = (
    "An individual has been arrested after Paweł Adamowicz, mayor of the Polish city of Gdańsk, was stabbed last "
    "night whilst on stage at a fundraising event."
)
STABBING_RIGHT = "The detained suspect's identity is restricted to 'Stefan W' owing to Polish privacy legislation."


def evidence(question: str, sentence: str, span: str) -> tuple[float, float, float]:
    start = sentence.index(span)
    return asked_evidence(question, sentence, start, start + len(span))


def test_doctests() -> None:
    assert doctest.testmod(asked).failed == 0


@pytest.mark.parametrize(
    ("question", "words"),
    [
        (FIRE, ["injured"]),
        (DRAGON, ["launched"]),
        (STABBING, ["detained", "suspect"]),
        ("Who won the 2019 final in Paris?", ["won"]),
        ("What did the suspect in the attack say?", ["suspect"]),  # a role ending the phrase stays
        ("Where is it?", []),
    ],
)
def test_asked_words(question: str, words: list[str]) -> None:
    assert asked_words(question) == words


def test_role_of() -> None:
    assert [role_of(w) for w in ("arrested", "Victims", "wounded", "liftoff", "fire")] == [
        "suspect",
        "victim",
        "injured",
        "launch",
        None,
    ]


def test_the_number_of_the_dead_is_not_the_number_of_the_injured() -> None:
    assert evidence(FIRE, FIRE_RIGHT, "sixteen") == (1.0, 1.0, 0.0)
    assert evidence(FIRE, FIRE_RIGHT, "three") == (1.0, 0.125, 1.0)  # "killed three": a rival role
    assert evidence(FIRE, FIRE_WRONG, "two") == (1.0, 0.25, 0.0)


def test_another_launch_is_further_from_the_words_asked() -> None:
    assert evidence(DRAGON, DRAGON_RIGHT, "Saturday morning") == (1.0, 0.2, 0.0)
    assert evidence(DRAGON, DRAGON_WRONG, "July 2011") == (1.0, 1 / 17, 0.0)


def test_the_victim_is_not_the_suspect() -> None:
    assert evidence(STABBING, STABBING_WRONG, "Paweł Adamowicz") == (0.0, 0.0, 1.0)
    assert evidence(STABBING, STABBING_RIGHT, "Stefan W") == (1.0, 1 / 6, 0.0)


def test_words_of_the_same_role_stand_for_each_other() -> None:
    sentence = "Police arrested Jan Kowalski after the attack."
    assert evidence("Who was detained?", sentence, "Jan Kowalski") == (1.0, 1.0, 0.0)


def test_the_span_itself_does_not_say_what_was_asked() -> None:
    sentence = "The injured were taken to hospital."
    assert evidence(FIRE, sentence, "The injured") == (0.0, 0.0, 0.0)


def test_a_question_that_asks_nothing_in_particular() -> None:
    assert asked_evidence("Where is it?", "It is in Paris.", 9, 14) == (1.0, 1.0, 0.0)


def test_candidates_carry_the_asked_features() -> None:
    from qa.answers.features import candidates

    text = f"{FIRE_RIGHT} {FIRE_WRONG}"
    passage = Passage(0, "a", "Catalonia fire", "2019-05-01", "", "", 0, len(text), text, 1.0, 0.5, 3.0)
    two = text.index("two adults")
    sixteen = text.index("sixteen")
    spans = (Span(0, two, two + 3, "two", 9.0), Span(0, sixteen, sixteen + 7, "sixteen", 8.0))
    found = candidates(FIRE, [passage], Reading(FIRE, (text,), spans, 0.0, (spans[0],)))
    assert set(ASKED_FEATURES) <= set(FEATURES)
    assert [(c.span.text, [c.features[name] for name in ASKED_FEATURES]) for c in found] == [
        ("two", [1.0, 0.25, 0.0]),
        ("sixteen", [1.0, 1.0, 0.0]),
    ]


def test_not_caught_a_role_word_about_someone_else() -> None:
    # "arrested" is the asked role and stands next to the victim's name; that the arrest is of
    # "an individual", not of Adamowicz, takes the clause's syntax, which these features do not read.
    assert evidence(STABBING, STABBING_ARTICLE, "Paweł Adamowicz") == (1.0, 0.5, 0.0)


def test_the_asked_features_are_computed_only_for_a_judge_that_reads_them():
    from qa.answers.asked import ASKED_FEATURES
    from qa.answers.features import candidates
    from qa.schema import Passage, Reading, Span

    question = "Who was detained as the suspect in the Gdańsk stabbing?"
    text = "The detained suspect's identity is restricted to 'Stefan W'."
    passage = Passage(0, "a", "Title a", "", "", "", 0, len(text), text, 0.01, 0.6, 5.0)
    span = Span(0, 50, 58, "Stefan W", 5.0)
    reading = Reading(question, (text,), (span,), 0.0, (span,))
    (full,) = candidates(question, [passage], reading)
    (lean,) = candidates(question, [passage], reading, ("score", "margin"))
    assert [full.features[name] for name in ASKED_FEATURES] == [1.0, 1 / 6, 0.0]
    assert [lean.features[name] for name in ASKED_FEATURES] == [0.0, 0.0, 0.0]
    others = [name for name in full.features if name not in ASKED_FEATURES]
    assert [full.features[n] for n in others] == [lean.features[n] for n in others]
    (asked,) = candidates(question, [passage], reading, ("score", "rival_role"))
    assert asked.features == full.features


def test_a_capitalised_word_is_a_name_except_as_the_first_word() -> None:
    assert asked_words("Did Biden win the race?") == ["win"]
    assert asked_words("Designed by whom was the bridge?") == ["designed", "bridge"]


def test_words_without_a_role_are_asked_too_unless_they_end_the_subjects_phrase() -> None:
    assert asked_words("Who designed the bridge?") == ["designed", "bridge"]
    assert asked_words("Who painted the walls of the house?") == ["painted", "walls"]  # "of the house": the subject


def test_a_word_asked_is_found_in_the_sentence_whatever_its_case() -> None:
    assert evidence("Who designed the bridge?", "Anna Berg DESIGNED the Bridge.", "Anna Berg") == (1.0, 1.0, 0.0)


def test_the_spans_first_word_is_inside_it_and_a_word_that_starts_where_it_ends_is_outside() -> None:
    assert evidence(FIRE, "Police said injured people were taken away.", "injured people") == (0.0, 0.0, 0.0)
    assert asked_evidence(FIRE, "Sixteen injured", 0, len("Sixteen ")) == (1.0, 1.0, 0.0)
    assert asked_evidence(FIRE, "Sixteen were, injured", 0, len("Sixteen ")) == (1.0, 0.5, 0.0)


def test_a_span_that_starts_no_word_is_placed_at_the_nearest_word() -> None:
    sentence = "Injured were 16,000 people"
    start = sentence.index("6,")  # inside "16": no word starts within the span
    assert asked_evidence(FIRE, sentence, start, start + 1) == (1.0, 0.5, 0.0)  # one word from "16" to "Injured"


def test_a_sentence_without_words_says_nothing_asked() -> None:
    assert asked_evidence(FIRE, "...", 0, 1) == (0.0, 0.0, 0.0)


def test_the_nearest_index_is_the_word_starting_closest_to_the_span() -> None:
    words = [(0, "injured"), (8, "were"), (13, "16"), (16, "000")]
    assert asked._nearest_index(words, 14) == 2
    assert asked._nearest_index(words, 15) == 3
    assert asked._nearest_index([], 4) == 0


def test_a_role_nearer_than_any_rival_is_no_rival() -> None:
    # "won" (a winner) is the role nearest "Sixteen"; only "killed" would be a rival to "injured".
    assert evidence(FIRE, "Sixteen won medals; others were injured.", "Sixteen") == (1.0, 0.2, 0.0)
