"""Made examples for "does the span's sentence say what was asked" (`qa.answers.asked`): SQuAD v1.1
train questions whose paragraph holds another span of the answer's kind (a number, a date, a name)
in another sentence. The gold span and that distractor are scored alike; how often each feature
prefers the gold one (better / tied / worse), and a logistic regression of gold against
distractor over the features, fitted on half the questions and scored on the other half.

    python bench/asked_distractors.py [--articles 200]

The articles are the SQuAD train file's first ones, none of those the answer model is fitted on
(its last 48), so the made examples are disjoint from its training questions.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.corpora import SHARED
from qa.answers.asked import ASKED_FEATURES, asked_evidence
from qa.answers.features import coverage, topic_words
from qa.answers.kinds import AnswerKind, kind_match, question_kind
from qa.chunking import sentence_spans

SQUAD_TRAIN = SHARED / "data" / "squad" / "train-v1.1.reconstructed.json"
FEATURES = ("sentence_coverage", *ASKED_FEATURES)
_CANDIDATE = {
    "number": re.compile(r"\b\d[\d,.]*\b"),
    "date": re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b"),
    "person": re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+)*"),
    "place": re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+)*"),
}


def distractor(context: str, kind: AnswerKind, gold: tuple[int, int], question: str) -> tuple[int, int] | None:
    """The first span of ``kind`` in a sentence other than the gold span's, not in the question."""
    pattern = _CANDIDATE.get(kind)
    if pattern is None:
        return None
    sentences = sentence_spans(context)
    own = next(((s, e) for s, e in sentences if s <= gold[0] < e), None)
    for start, end in sentences:
        if (start, end) == own:
            continue
        for match in pattern.finditer(context, start, end):
            text = match.group()
            if text.lower() not in question.lower() and kind_match(kind, text) == 1.0:
                return match.start(), match.end()
    return None


def features(question: str, context: str, span: tuple[int, int]) -> list[float]:
    """The made example's features: the existing sentence coverage and the asked evidence."""
    start, end = next((s, e) for s, e in sentence_spans(context) if s <= span[0] < e)
    sentence = context[start:end]
    asked = asked_evidence(question, sentence, span[0] - start, span[1] - start)
    return [coverage(topic_words(question), sentence), *asked]


def pairs(articles: int) -> Iterator[tuple[str, list[float], list[float]]]:
    """(kind, gold features, distractor features) for every question with a distractor."""
    data = json.loads(SQUAD_TRAIN.read_text(encoding="utf-8"))["data"][:articles]
    for article in data:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                kind = question_kind(qa["question"])
                answer = qa["answers"][0]
                gold = (answer["answer_start"], answer["answer_start"] + len(answer["text"]))
                other = distractor(context, kind, gold, qa["question"]) if kind != "other" else None
                if other is not None:
                    yield kind, features(qa["question"], context, gold), features(qa["question"], context, other)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    made = list(pairs(parser.parse_args().articles))
    gold = np.array([g for _, g, _ in made])
    other = np.array([d for _, _, d in made])
    print(f"{len(made)} made examples (gold span against a distractor of its kind in another sentence)")
    print("| feature | gold better | tied | gold worse |")
    print("|---|---|---|---|")
    for column, name in enumerate(FEATURES):
        sign = -1.0 if name == "rival_role" else 1.0  # a rival role speaks against a span
        diff = sign * (gold[:, column] - other[:, column])
        print(f"| {name} | {(diff > 0).sum()} | {(diff == 0).sum()} | {(diff < 0).sum()} |")
    _fit_and_score(gold, other)


def _fit_and_score(gold: np.ndarray, other: np.ndarray) -> None:
    """Gold against distractor, fitted on the first half of the pairs and ranked on the second."""
    from sklearn.linear_model import LogisticRegression

    half = len(gold) // 2
    for columns, label in (([0], "sentence_coverage alone"), (list(range(len(FEATURES))), "all four")):
        rows = np.vstack([gold[:half, columns], other[:half, columns]])
        labels = np.array([1] * half + [0] * half)
        fitted = LogisticRegression(max_iter=1000).fit(rows, labels)
        test_gold = fitted.decision_function(gold[half:, columns])
        test_other = fitted.decision_function(other[half:, columns])
        better = (test_gold > test_other).mean()
        weights = ", ".join(f"{w:.2f}" for w in fitted.coef_[0])
        print(f"{label}: weights {weights}; gold ranked above its distractor in {100 * better:.1f}% of held-out pairs")


if __name__ == "__main__":
    main()
