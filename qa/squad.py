"""SQuAD-format data and the official answer metrics (exact match and token F1).

The normalisation follows the official SQuAD v1.1/v2.0 evaluation script: lower-case, strip
punctuation, drop the articles a/an/the, collapse whitespace.

>>> normalize_answer("The  Eiffel Tower!")
'eiffel tower'
>>> round(f1_score("the Eiffel Tower", "Eiffel Tower in Paris"), 3)
0.667
"""

from __future__ import annotations

import collections
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.errors import UsageError
from qa.words import normalize_answer as normalize_answer  # answers compare by it too


@dataclass(frozen=True)
class SquadExample:
    """One question over one context; `answers` is empty for an unanswerable (v2.0) question."""

    id: str
    title: str
    context: str
    question: str
    answers: tuple[str, ...]
    answer_starts: tuple[int, ...]

    @property
    def is_impossible(self) -> bool:
        return not self.answers


def load_squad(path: str | Path, limit: int | None = None) -> list[SquadExample]:
    """Read a SQuAD v1.1 or v2.0 JSON file into examples, in file order; `UsageError` for a file
    that is not one."""
    try:
        return _read_squad(path, limit)
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as error:
        raise UsageError(f"{path} is not a SQuAD JSON file ({type(error).__name__}: {error})") from error


def _read_squad(path: str | Path, limit: int | None) -> list[SquadExample]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    examples: list[SquadExample] = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                answers = [] if qa.get("is_impossible") else qa["answers"]
                examples.append(
                    SquadExample(
                        id=qa["id"],
                        title=article.get("title", ""),
                        context=context,
                        question=qa["question"],
                        answers=tuple(a["text"] for a in answers),
                        answer_starts=tuple(int(a["answer_start"]) for a in answers),
                    )
                )
                if limit is not None and len(examples) >= limit:
                    return examples
    return examples


def exact_match_score(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def f1_score(prediction: str, gold: str) -> float:
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(gold).split()
    if not predicted or not expected:
        # SQuAD v2.0: an empty answer scores 1 only against an empty gold answer.
        return float(predicted == expected)
    common = collections.Counter(predicted) & collections.Counter(expected)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision = overlap / len(predicted)
    recall = overlap / len(expected)
    return 2 * precision * recall / (precision + recall)


def best_over_golds(metric: Callable[[str, str], float], prediction: str, golds: Sequence[str]) -> float:
    """The metric against the closest gold answer; no golds means the answer must be empty."""
    if not golds:
        return float(not normalize_answer(prediction))
    return max(metric(prediction, gold) for gold in golds)


# A candidate answer counts as right when its F1 with a gold answer reaches this: "Xi" for
# "Xi Jinping" is right, "the fire" for "the Koszalin escape room fire" is not. Training the
# answer model, its calibration and every abstention figure use this one rule.
RIGHT_F1 = 0.5


def is_right(prediction: str, golds: Sequence[str]) -> bool:
    """Whether ``prediction`` answers a question whose gold answers are ``golds`` (none: nothing
    does).

    >>> is_right("Xi", ["Xi Jinping"]), is_right("the fire", ["the Koszalin escape room fire"]), is_right("x", [])
    (True, False, False)
    """
    return bool(golds) and best_over_golds(f1_score, prediction, golds) >= RIGHT_F1


@dataclass(frozen=True)
class SquadScores:
    exact: float
    f1: float
    total: int
    has_answer_exact: float | None = None
    has_answer_f1: float | None = None
    has_answer_total: int = 0
    no_answer_exact: float | None = None
    no_answer_total: int = 0


def score_predictions(examples: Iterable[SquadExample], predictions: dict[str, str]) -> SquadScores:
    """EM and F1 in percent, split into HasAns / NoAns when the data has both kinds."""
    exact: dict[str, float] = {}
    f1: dict[str, float] = {}
    has_answer: list[str] = []
    no_answer: list[str] = []
    for example in examples:
        prediction = predictions.get(example.id, "")
        exact[example.id] = best_over_golds(exact_match_score, prediction, example.answers)
        f1[example.id] = best_over_golds(f1_score, prediction, example.answers)
        (no_answer if example.is_impossible else has_answer).append(example.id)

    def mean(values: dict[str, float], ids: Sequence[str]) -> float:
        return 100.0 * sum(values[i] for i in ids) / len(ids)

    every = has_answer + no_answer
    if not every:
        raise ValueError("no examples to score")
    return SquadScores(
        exact=mean(exact, every),
        f1=mean(f1, every),
        total=len(every),
        has_answer_exact=mean(exact, has_answer) if has_answer and no_answer else None,
        has_answer_f1=mean(f1, has_answer) if has_answer and no_answer else None,
        has_answer_total=len(has_answer),
        no_answer_exact=mean(exact, no_answer) if no_answer else None,
        no_answer_total=len(no_answer),
    )


def best_no_answer_threshold(
    examples: Sequence[SquadExample], best_texts: dict[str, str], best_scores: dict[str, float]
) -> tuple[float, float]:
    """The threshold on the best span's score that maximises F1 when spans scoring below it are
    replaced by 'no answer' (the official SQuAD v2.0 sweep). Returns (threshold, F1 in percent)."""
    by_score = sorted(examples, key=lambda e: best_scores[e.id])
    # Start with every question abstaining; raising the bar past each score in turn flips one.
    gains = []
    total = sum(1.0 for e in examples if e.is_impossible)
    for example in by_score:
        answered_f1 = (
            best_over_golds(f1_score, best_texts[example.id], example.answers) if best_texts[example.id] else 0.0
        )
        abstained_f1 = 1.0 if example.is_impossible else 0.0
        gains.append(answered_f1 - abstained_f1)
    # Threshold just below by_score[i] answers questions i..n-1.
    best_f1, best_threshold = total, (best_scores[by_score[-1].id] + 1.0) if by_score else 0.0
    running = total + sum(gains)
    for index, example in enumerate(by_score):
        if running > best_f1:
            best_f1, best_threshold = running, best_scores[example.id]
        running -= gains[index]
    return best_threshold, 100.0 * best_f1 / len(examples)
