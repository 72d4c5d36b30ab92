"""The reader alone on a SQuAD v1.1 or v2.0 file (one question over its own paragraph)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.errors import UsageError
from qa.reader import Reader
from qa.squad import SquadExample, best_no_answer_threshold, load_squad, score_predictions


@dataclass(frozen=True)
class ReaderReport:
    path: str
    questions: int
    exact: float
    f1: float
    has_answer_f1: float | None
    no_answer_accuracy: float | None  # at the reader's default threshold
    best_threshold: float | None
    best_threshold_f1: float | None
    offsets_checked: int
    seconds: float
    window: int  # word pieces per window the reader read
    stride: int  # word pieces shared by consecutive windows of one paragraph


def best_spans(
    reader: Reader, examples: Sequence[SquadExample], batch: int = 32
) -> tuple[dict[str, str], dict[str, float]]:
    """Each question's best span over its own context, and its score (-inf when there is none),
    by question id. Every span is checked against its context."""
    texts: dict[str, str] = {}
    scores: dict[str, float] = {}
    for begin in range(0, len(examples), batch):
        chunk = examples[begin : begin + batch]
        for example, reading in zip(
            chunk, reader.read_many([(e.question, [e.context]) for e in chunk], top_k=1), strict=True
        ):
            best = reading.best
            if best is not None and example.context[best.start : best.end] != best.text:
                raise AssertionError(f"{example.id}: span offsets do not match the context")
            texts[example.id] = best.text if best else ""
            scores[example.id] = best.score if best else float("-inf")
    return texts, scores


def evaluate_reader(
    reader: Reader,
    squad_path: str | Path,
    limit: int | None = None,
    predictions_path: str | Path | None = None,
    batch: int = 32,
) -> ReaderReport:
    """EM/F1 with the official SQuAD normalisation. On SQuAD v1.1 (every question answerable) the
    best span is always taken; on v2.0 the reader's threshold decides, and HasAns / NoAns scores and
    the best threshold are reported too. Every returned span is checked against its context."""
    examples = load_squad(squad_path, limit)
    if not examples:
        raise UsageError(f"{squad_path} holds no questions")
    with_no_answers = any(e.is_impossible for e in examples)
    started = time.perf_counter()
    texts, scores = best_spans(reader, examples, batch)
    threshold = reader.threshold
    # SQuAD v1.1 has no unanswerable questions, so there the best span is always taken.
    predictions = {i: (t if scores[i] >= threshold else "") for i, t in texts.items()} if with_no_answers else texts
    scored = score_predictions(examples, predictions)
    best_threshold = best_f1 = None
    if with_no_answers:
        best_threshold, best_f1 = best_no_answer_threshold(examples, texts, scores)
    if predictions_path:
        Path(predictions_path).write_text(json.dumps(predictions, ensure_ascii=False, indent=1), encoding="utf-8")
    return ReaderReport(
        path=str(squad_path),
        questions=scored.total,
        exact=scored.exact,
        f1=scored.f1,
        has_answer_f1=scored.has_answer_f1,
        no_answer_accuracy=scored.no_answer_exact,
        best_threshold=best_threshold,
        best_threshold_f1=best_f1,
        offsets_checked=len(texts),
        seconds=time.perf_counter() - started,
        window=reader.max_length,
        stride=reader.stride,
    )
