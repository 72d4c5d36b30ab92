"""Measuring Newsdesk: the reader on SQuAD, retrieval recall@k, and answers end to end.

Every evaluator takes the data, runs the real pipeline and returns a plain report; the CLI prints
it as a table or JSON. Retrieval and end-to-end evaluators take lists of k, as
sentence-transformers' evaluators do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from qa.answers import expected_calibration_error
from qa.newsdesk import Newsdesk
from qa.reader import Reader
from qa.retrieval import RETRIEVAL_MODES
from qa.squad import (
    best_no_answer_threshold,
    best_over_golds,
    exact_match_score,
    f1_score,
    load_squad,
    score_predictions,
)

DEFAULT_KS = (1, 3, 5, 10)


# --------------------------------------------------------------------------- news questions


@dataclass(frozen=True)
class NewsQuestion:
    """One question of ../shared/data/newsqa/dev.jsonl."""

    id: str
    question: str
    answers: tuple[str, ...]
    article_id: str
    answer_start: int | None
    answerable: bool
    kind: str = ""


def load_news_questions(path: str | Path) -> list[NewsQuestion]:
    questions = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                questions.append(
                    NewsQuestion(
                        id=str(record["id"]),
                        question=record["question"],
                        answers=tuple(record.get("answers") or ()),
                        article_id=str(record.get("article_id") or ""),
                        answer_start=record.get("answer_start"),
                        answerable=bool(record.get("answerable", True)),
                        kind=record.get("kind", ""),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{number}: not a question record ({error})") from error
    return questions


def split_by_article(questions: Sequence[NewsQuestion], part: str) -> list[NewsQuestion]:
    """The questions of the articles at even ("calibration") or odd ("held-out") positions of the
    sorted article ids: the split on which Newsdesk's archive threshold was chosen and checked."""
    if part not in ("calibration", "held-out"):
        raise ValueError(f"unknown split {part!r}; choose calibration or held-out")
    articles = sorted({q.article_id for q in questions})
    chosen = set(articles[0 if part == "calibration" else 1 :: 2])
    return [q for q in questions if q.article_id in chosen]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation; NaN for no values."""
    return float(np.percentile(values, 100 * q)) if len(values) else float("nan")


# --------------------------------------------------------------------------- retrieval


@dataclass(frozen=True)
class RetrievalReport:
    questions: int
    recall: dict[str, dict[int, float]]  # mode -> k -> article recall@k
    latency_ms: dict[str, float]  # mode -> median search time


def evaluate_retrieval(
    desk: Newsdesk,
    questions: Sequence[NewsQuestion],
    ks: Sequence[int] = DEFAULT_KS,
    modes: Sequence[str] = RETRIEVAL_MODES,
) -> RetrievalReport:
    """Article-level recall@k: the share of answerable questions whose gold article is among the
    articles of the top-k passages."""
    answerable = [q for q in questions if q.answerable and q.article_id]
    if not answerable:
        raise ValueError("no answerable questions with an article id to evaluate retrieval on")
    depth = max(ks)
    recall: dict[str, dict[int, float]] = {}
    latency: dict[str, float] = {}
    for mode in modes:
        hits = dict.fromkeys(ks, 0)
        times = []
        for question in answerable:
            started = time.perf_counter()
            passages = desk.search(question.question, top_k=depth, mode=mode)  # type: ignore[arg-type]
            times.append(time.perf_counter() - started)
            ranked = [p.article_id for p in passages]
            for k in ks:
                hits[k] += question.article_id in ranked[:k]
        recall[mode] = {k: hits[k] / len(answerable) for k in ks}
        latency[mode] = 1000 * percentile(times, 0.5)
    return RetrievalReport(len(answerable), recall, latency)


# --------------------------------------------------------------------------- end to end


@dataclass(frozen=True)
class QuestionResult:
    id: str
    question: str
    gold: tuple[str, ...]
    gold_article: str
    answered: str
    found: bool
    cited_article: str
    score: float
    exact: float
    f1: float
    seconds: float
    confidence: float = 0.0  # that the best candidate answer (given or withheld) is right
    candidate_right: bool = False  # whether it is: F1 >= 0.5 with a gold answer


@dataclass(frozen=True)
class EndToEndReport:
    questions: int
    answerable: int
    exact: float  # percent, over all questions (an abstention scores 1 on an unanswerable one)
    f1: float
    answerable_exact: float
    answerable_f1: float
    citation_accuracy: float  # answered answerable questions whose top citation is the gold article
    no_answer_precision: float
    no_answer_recall: float
    recall_at_k: dict[int, float]
    latency_p50_ms: float
    latency_p95_ms: float
    # Expected calibration error of the confidence in the best candidate answer, over every
    # question (answered or not); 10 equal-width bins.
    calibration_error: float
    results: list[QuestionResult] = field(repr=False)

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_end_to_end(
    desk: Newsdesk, questions: Sequence[NewsQuestion], ks: Sequence[int] = DEFAULT_KS, top_k: int | None = None
) -> EndToEndReport:
    """Ask every question through `Newsdesk.answer` and score answers, citations and abstentions;
    ``ks`` empty skips article recall@k (and the searches it takes)."""
    if not questions:
        raise ValueError("no questions to evaluate")
    desk.warm_up()
    desk.answer(questions[0].question)  # the first call pays one-off costs; latency is measured warm
    results: list[QuestionResult] = []
    recall_hits = dict.fromkeys(ks, 0)
    depth = max(ks, default=0)
    for question in questions:
        started = time.perf_counter()
        reply = desk.answer(question.question, **({"top_k": top_k} if top_k else {}))
        seconds = time.perf_counter() - started
        predicted = reply.text if reply.found else ""
        candidate = reply.text if reply.found else (reply.alternatives[0].quote if reply.alternatives else "")
        golds = question.answers if question.answerable else ()
        results.append(
            QuestionResult(
                id=question.id,
                question=question.question,
                gold=question.answers,
                gold_article=question.article_id,
                answered=predicted,
                found=reply.found,
                cited_article=reply.citation.article_id if reply.citation else "",
                score=reply.score,
                exact=best_over_golds(exact_match_score, predicted, question.answers if question.answerable else ()),
                f1=best_over_golds(f1_score, predicted, question.answers if question.answerable else ()),
                seconds=seconds,
                confidence=reply.confidence,
                candidate_right=bool(golds) and best_over_golds(f1_score, candidate, golds) >= 0.5,
            )
        )
        if question.answerable and depth:
            ranked = [p.article_id for p in desk.search(question.question, top_k=depth)]
            for k in ks:
                recall_hits[k] += question.article_id in ranked[:k]

    answerable = [r for r, q in zip(results, questions, strict=True) if q.answerable]
    unanswerable = [r for r, q in zip(results, questions, strict=True) if not q.answerable]
    abstained = [r for r in results if not r.found]
    answered_answerable = [r for r in answerable if r.found]
    times = [r.seconds for r in results]

    def mean(values: Sequence[float]) -> float:
        return 100.0 * sum(values) / len(values) if values else float("nan")

    return EndToEndReport(
        questions=len(results),
        answerable=len(answerable),
        exact=mean([r.exact for r in results]),
        f1=mean([r.f1 for r in results]),
        answerable_exact=mean([r.exact for r in answerable]),
        answerable_f1=mean([r.f1 for r in answerable]),
        citation_accuracy=mean([r.cited_article == r.gold_article for r in answered_answerable]),
        no_answer_precision=mean([not r.gold for r in abstained]) if abstained else float("nan"),
        no_answer_recall=mean([not r.found for r in unanswerable]),
        recall_at_k={k: recall_hits[k] / len(answerable) for k in ks} if answerable else {},
        latency_p50_ms=1000 * percentile(times, 0.5),
        latency_p95_ms=1000 * percentile(times, 0.95),
        calibration_error=expected_calibration_error(
            [r.confidence for r in results], [r.candidate_right for r in results]
        ),
        results=results,
    )


# --------------------------------------------------------------------------- the reader on SQuAD


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
        raise ValueError(f"{squad_path} holds no questions")
    with_no_answers = any(e.is_impossible for e in examples)
    started = time.perf_counter()
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
    )
