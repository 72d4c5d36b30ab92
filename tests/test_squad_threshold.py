"""The no-answer threshold sweep (SQuAD v2.0's official method) with hand-made scores and exact
expected thresholds."""

from __future__ import annotations

import pytest

from qa.squad import SquadExample, best_no_answer_threshold


def example(name: str, answer: str | None) -> SquadExample:
    answers = (answer,) if answer else ()
    return SquadExample(name, "t", "context", "q?", answers, (0,) if answer else ())


def test_the_sweep_answers_above_the_best_cut():
    examples = [example("a", "Paris"), example("b", "Rome"), example("c", None), example("d", None)]
    texts = {"a": "Paris", "b": "Milan", "c": "Oslo", "d": "Bern"}
    scores = {"a": 9.0, "b": 5.0, "c": 7.0, "d": 1.0}
    # Cut at 9: a answered right, b abstains (wrong either way), c and d rightly abstain: 3 of 4.
    # At 7 (c answers, wrongly) or 5 (b and c answer) only 2 of 4; answering everything, 1 of 4.
    assert best_no_answer_threshold(examples, texts, scores) == (9.0, pytest.approx(75.0))


def test_when_every_answer_is_right_the_cut_is_the_lowest_answerable_score():
    examples = [example("a", "Paris"), example("b", "Rome"), example("c", None)]
    texts = {"a": "Paris", "b": "Rome", "c": "Oslo"}
    scores = {"a": 9.0, "b": 5.0, "c": 2.0}
    assert best_no_answer_threshold(examples, texts, scores) == (5.0, pytest.approx(100.0))


def test_all_unanswerable_abstains_above_every_score():
    examples = [example("c", None), example("d", None)]
    texts = {"c": "Oslo", "d": "Bern"}
    scores = {"c": 3.0, "d": 1.0}
    assert best_no_answer_threshold(examples, texts, scores) == (4.0, pytest.approx(100.0))
