"""Article recall@k of each retrieval mode over the answerable news questions."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from qa.errors import UsageError
from qa.evaluate.measures import DEFAULT_KS, percentile
from qa.evaluate.questions import NewsQuestion
from qa.newsdesk import Newsdesk
from qa.retrieval import RETRIEVAL_MODES


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
        raise UsageError("no answerable questions with an article id to evaluate retrieval on")
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
