"""Unanswerable training questions made from answerable ones (qa.unanswerable): pure, no models."""

from __future__ import annotations

import random

import pytest

from qa.squad import SquadExample
from qa.unanswerable import SETTINGS, swap_antonym, swap_entity, unanswerable_examples


def example(id: str, title: str, context: str, question: str, answer: str) -> SquadExample:
    return SquadExample(id, title, context, question, (answer,), (context.index(answer),))


EXAMPLES = [
    example(
        "a1",
        "Avalon",
        "Avalon is a town on the coast. Its mayor is Ada Moss. The harbour was rebuilt in 1901.",
        "Who is the mayor of Avalon?",
        "Ada Moss",
    ),
    example(
        "a2",
        "Avalon",
        "The mayor of Avalon opened a new library. It holds forty thousand books.",
        "How many books does the Avalon library hold?",
        "forty thousand",
    ),
    example(
        "b1",
        "Brightwater",
        "Brightwater lies inland. Its mayor is Ben Hale, elected in 1988.",
        "When was the mayor of Brightwater elected?",
        "1988",
    ),
]


def test_every_setting_makes_questions_without_their_answer():
    made = unanswerable_examples(EXAMPLES, SETTINGS, random.Random(0))
    by_id = {m.id: m for m in made}
    assert all(m.is_impossible and not m.answer_starts for m in made)
    # Left out: the best other paragraph for "Who is the mayor of Avalon?" is Avalon's other one,
    # which names no mayor.
    assert by_id["a1/left-out"].context == EXAMPLES[1].context
    assert by_id["a1/left-out"].question == EXAMPLES[0].question
    # Sentence removed: the answer's sentence is gone, the rest stays.
    assert by_id["a1/sentence-removed"].context == "Avalon is a town on the coast. The harbour was rebuilt in 1901."
    # Entity swapped: another article's entity of the same kind, over the question's own paragraph.
    assert by_id["a1/entity-swapped"].question == "Who is the mayor of Brightwater?"
    assert by_id["a1/entity-swapped"].context == EXAMPLES[0].context
    # Apart from swapped questions (whose paragraph answers the original), no answer remains.
    for made_example in (m for m in made if not m.id.endswith("/entity-swapped")):
        original = next(e for e in EXAMPLES if made_example.id.startswith(e.id + "/"))
        assert original.answers[0].lower() not in made_example.context.lower()


def test_a_paragraph_that_still_holds_the_answer_is_never_made_unanswerable():
    # Both of Avalon's paragraphs name its mayor, so leaving one out still answers the question;
    # so does the sentence after the one that is cut.
    twice = [
        example("x1", "Avalon", "Its mayor is Ada Moss. Ada Moss was born here.", "Who is the mayor?", "Ada Moss"),
        example("x2", "Avalon", "Ada Moss, the mayor, opened a library.", "Who opened a library?", "Ada Moss"),
    ]
    made = unanswerable_examples(twice, ["left-out", "sentence-removed"], random.Random(0))
    assert [m.id for m in made] == []


def test_one_each_makes_at_most_one_per_question_in_a_seeded_setting():
    first = unanswerable_examples(EXAMPLES, SETTINGS, random.Random(3), one_each=True)
    again = unanswerable_examples(EXAMPLES, SETTINGS, random.Random(3), one_each=True)
    assert first == again
    originals = [m.id.split("/")[0] for m in first]
    assert len(originals) == len(set(originals)) and first


def test_swapped_entities_come_from_other_groups_and_not_from_the_passage():
    pool = {"name": [("Avalon", "a"), ("Brightwater", "b"), ("Cedarfall", "c")]}
    rng = random.Random(0)
    for _ in range(20):
        swapped = swap_entity("Who is the mayor of Avalon?", "a", pool, rng, avoid="Cedarfall is near.")
        assert swapped == "Who is the mayor of Brightwater?"
    assert swap_entity("what is it?", "a", pool, rng) is None


def test_unknown_settings_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="left-out, sentence-removed, entity-swapped, antonym-swapped"):
        unanswerable_examples(EXAMPLES, ["asked"], random.Random(0))


def test_antonym_swapped_questions_ask_for_the_opposite_fact_over_their_own_paragraph():
    paragraph = "Ada Moss was born in Avalon in 1901. She won the regatta twice and wrote four books."
    examples = [
        example("c1", "Moss", paragraph, "When was Ada Moss born?", "1901"),
        example("c2", "Moss", paragraph, "What did Ada Moss win twice?", "the regatta"),
        example("c3", "Moss", paragraph, "How many books did Ada Moss write?", "four"),
    ]
    made = {m.id: m for m in unanswerable_examples(examples, ["antonym-swapped"], random.Random(0))}
    # The paragraph holds her birth, not her death: a plausible year remains, the fact asked does not.
    assert made["c1/antonym-swapped"].question == "When was Ada Moss killed?"
    assert made["c1/antonym-swapped"].context == paragraph and not made["c1/antonym-swapped"].answers
    assert made["c2/antonym-swapped"].question == "What did Ada Moss lose twice?"
    assert "c3/antonym-swapped" not in made  # no word of it has an opposite


def test_no_antonym_question_is_made_when_the_passage_may_state_the_opposite():
    # The passage tells of her death too, so "When was Ada Moss killed?" might be answerable.
    both = "Ada Moss was born in 1901 and died in 1980."
    assert swap_antonym("When was Ada Moss born?", avoid=both) is None
    # A capitalised word is part of a name ("First Avenue"), never swapped.
    assert swap_antonym("Where is the First Avenue bridge?") is None
    # Forms pair up with forms: "purchased" -> "sold", "end" -> "start".
    assert swap_antonym("Which company purchased the mill?") == "Which company sold the mill?"
    assert swap_antonym("When did the strike end?") == "When did the strike start?"
    # A form with no partner at its place takes the other side's first.
    assert swap_antonym("Why have prices dropped?") == "Why have prices increase?"


def test_one_each_draws_among_the_settings_that_apply_so_every_question_gets_a_version():
    paragraph = "Ada Moss was born in Avalon in 1901. She wrote four books. Her sister Bea sailed."
    examples = [
        example("d1", "Moss", paragraph, "When was Ada Moss born?", "1901"),
        example("d2", "Moss", paragraph, "How many books did Ada Moss write?", "four"),
        example("d3", "Moss", paragraph, "Who sailed?", "Bea"),
    ]
    for seed in range(10):
        made = unanswerable_examples(examples, ["antonym-swapped", "sentence-removed"], random.Random(seed), True)
        # Only d1 has a word with an opposite; the others still get their sentence removed.
        assert sorted(m.id.split("/")[0] for m in made) == ["d1", "d2", "d3"]
        assert {m.id for m in made if not m.id.startswith("d1")} == {"d2/sentence-removed", "d3/sentence-removed"}
