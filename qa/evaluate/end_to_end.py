"""Answers end to end through `Newsdesk.answer`: EM/F1, citations, abstention, calibration, latency."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from qa.answers import chance_calibration_error, expected_calibration_error
from qa.errors import UsageError
from qa.evaluate.measures import DEFAULT_KS, percentile
from qa.evaluate.questions import NewsQuestion
from qa.newsdesk import Newsdesk
from qa.squad import best_over_golds, exact_match_score, f1_score, is_right


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
    candidate_right: bool = False  # whether it is (`qa.squad.is_right`)
    passages_read: int = 0
    contested: bool = False  # its article gives other likely figures: never shown as sure


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
    one_passage_share: float  # percent of questions answered or declined after reading one passage
    passages_read: float  # on average per question
    # Expected calibration error of the confidence in the best candidate answer, over every
    # question (answered or not); 10 equal-width bins.
    calibration_error: float
    # What a perfectly calibrated model would show at these confidences from sampling alone (5th,
    # 50th, 95th percentile): how far ECE over this many questions can be trusted.
    calibration_error_by_chance: tuple[float, float, float]
    results: list[QuestionResult] = field(repr=False)

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_end_to_end(
    desk: Newsdesk, questions: Sequence[NewsQuestion], ks: Sequence[int] = DEFAULT_KS, top_k: int | None = None
) -> EndToEndReport:
    """Ask every question through `Newsdesk.answer` and score answers, citations and abstentions;
    ``ks`` empty skips article recall@k (and the searches it takes)."""
    if not questions:
        raise UsageError("no questions to evaluate")
    desk.warm_up()
    desk.answer(questions[0].question)  # the first call pays one-off costs; latency is measured warm
    results: list[QuestionResult] = []
    recall_hits = dict.fromkeys(ks, 0)
    depth = max(ks, default=0)
    for question in questions:
        results.append(_ask(desk, question, top_k))
        if question.answerable and depth:
            ranked = [p.article_id for p in desk.search(question.question, top_k=depth)]
            for k in ks:
                recall_hits[k] += question.article_id in ranked[:k]
    answerable = sum(1 for q in questions if q.answerable)
    recall = {k: recall_hits[k] / answerable for k in ks} if answerable else {}
    return _report(results, [q.answerable for q in questions], recall)


def _ask(desk: Newsdesk, question: NewsQuestion, top_k: int | None) -> QuestionResult:
    """One question asked and scored."""
    started = time.perf_counter()
    reply = desk.answer(question.question, **({"top_k": top_k} if top_k else {}))
    seconds = time.perf_counter() - started
    predicted = reply.text if reply.found else ""
    candidate = reply.text if reply.found else (reply.alternatives[0].quote if reply.alternatives else "")
    golds = question.answers if question.answerable else ()
    return QuestionResult(
        id=question.id,
        question=question.question,
        gold=question.answers,
        gold_article=question.article_id,
        answered=predicted,
        found=reply.found,
        cited_article=reply.citation.article_id if reply.citation else "",
        score=reply.score,
        exact=best_over_golds(exact_match_score, predicted, golds),
        f1=best_over_golds(f1_score, predicted, golds),
        seconds=seconds,
        confidence=reply.confidence,
        candidate_right=is_right(candidate, golds),
        passages_read=reply.passages_read,
        contested=bool(reply.rivals),
    )


def _report(results: list[QuestionResult], answerable_flags: list[bool], recall: dict[int, float]) -> EndToEndReport:
    """The figures over every question's result."""
    answerable = [r for r, flag in zip(results, answerable_flags, strict=True) if flag]
    unanswerable = [r for r, flag in zip(results, answerable_flags, strict=True) if not flag]
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
        recall_at_k=recall,
        latency_p50_ms=1000 * percentile(times, 0.5),
        latency_p95_ms=1000 * percentile(times, 0.95),
        one_passage_share=mean([r.passages_read == 1 for r in results]),
        passages_read=sum(r.passages_read for r in results) / len(results),
        calibration_error=expected_calibration_error(
            [r.confidence for r in results], [r.candidate_right for r in results]
        ),
        calibration_error_by_chance=chance_calibration_error([r.confidence for r in results]),
        results=results,
    )
