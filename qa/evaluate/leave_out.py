"""Abstention where it is hard: each answerable question asked again with its own article taken
out of the archive (`newsdesk eval e2e --leave-out`).

The archive is staged in a scratch folder and indexed there; for each gold article, the article is
taken out of its file (`remove_from_folder`), the index synced (an incremental update: one article
removed), its questions asked, and the file put back byte for byte (another sync). What is left is
a realistic unanswerable question: on topic, with passages that look relevant, and no answer. A
question whose gold answer still appears in a passage retrieved without its article may well be
answerable from another article: it is set aside, and counted.

The precision/recall of abstaining is reported over these questions together with the answerable
ones asked over the whole archive, and as a curve over the answer threshold (`abstention_curve`).
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.articles import remove_from_folder
from qa.evaluate.questions import NewsQuestion
from qa.newsdesk import Newsdesk
from qa.schema import Answer
from qa.squad import is_right, normalize_answer


@dataclass(frozen=True)
class Asked:
    """One question as scored for abstention: whether an answer exists, the confidence in the
    best candidate answer (0 when the reader found none), whether Newsdesk answered, and whether
    that was right."""

    id: str
    answerable: bool
    confidence: float
    answered: bool
    correct: bool  # a right answer (`qa.squad.is_right`), or an abstention without one
    text: str = ""  # what was answered


@dataclass(frozen=True)
class LeaveOutReport:
    asked: int  # questions asked without their article (unanswerable)
    set_aside: tuple[str, ...]  # ids whose gold answer appears in a passage of another article
    abstained: int  # of the asked
    no_answer_recall: float  # percent of the asked
    no_answer_precision: float  # percent, over these and the answerable questions together
    threshold: float  # the min_confidence Newsdesk answered at
    results: list[Asked] = field(repr=False)


def asked(question_id: str, answerable: bool, reply: Answer, golds: Sequence[str]) -> Asked:
    spans = bool(reply.citations or reply.alternatives)
    predicted = reply.text if reply.found else ""
    correct = is_right(predicted, golds) if answerable else not reply.found
    return Asked(question_id, answerable, reply.confidence if spans else 0.0, reply.found, correct, predicted)


def evaluate_leave_out(desk: Newsdesk, questions: Sequence[NewsQuestion]) -> LeaveOutReport:
    """Ask each answerable question of ``questions`` over ``desk``'s archive, whole and without
    its article. ``results`` holds both: the answerable asking and the left-out one."""
    by_article: dict[str, list[NewsQuestion]] = {}
    for question in questions:
        if question.answerable and question.article_id:
            by_article.setdefault(question.article_id, []).append(question)
    results: list[Asked] = []
    answerable: list[Asked] = []
    set_aside: list[str] = []
    with tempfile.TemporaryDirectory(prefix="newsdesk-leave-out-") as scratch:
        articles = Path(scratch) / "articles"
        shutil.copytree(desk.articles_dir, articles, symlinks=False, ignore=shutil.ignore_patterns(".*"))
        staged = Newsdesk(
            articles_dir=articles,
            index_dir=Path(scratch) / "index",
            embedding_model=desk.embedder,
            reader=desk.reader,
            auto_sync=False,
            answer_model=desk.judge,
            min_confidence=desk.min_confidence,
        )
        staged.sync()
        for article_id, asking in by_article.items():
            article = staged.article(article_id)
            if article is None:
                continue
            for question in asking:
                answerable.append(asked(question.id, True, staged.answer(question.question), question.answers))
            file = articles / article.path
            original = file.read_bytes()
            remove_from_folder(article, articles)
            staged.sync()
            for question in asking:
                reply = staged.answer(question.question)
                texts = [normalize_answer(p.text) for p in reply.passages]
                if any(normalize_answer(gold) in text for gold in question.answers for text in texts):
                    set_aside.append(question.id)
                    continue
                results.append(asked(question.id, False, reply, ()))
            file.write_bytes(original)
            shutil.rmtree(articles / ".removed", ignore_errors=True)
            staged.sync()
        threshold = staged.answer_threshold
    abstained = sum(not r.answered for r in results)
    wrongly = sum(not r.answered for r in answerable)
    return LeaveOutReport(
        asked=len(results),
        set_aside=tuple(set_aside),
        abstained=abstained,
        no_answer_recall=100.0 * abstained / len(results) if results else math.nan,
        no_answer_precision=100.0 * abstained / (abstained + wrongly) if abstained + wrongly else math.nan,
        threshold=threshold,
        results=answerable + results,
    )


def abstention_curve(results: Sequence[Asked], thresholds: Sequence[float]) -> list[tuple[float, float, float]]:
    """(threshold, no-answer precision, no-answer recall) when Newsdesk abstains below each
    confidence threshold: precision over all abstentions, recall over the unanswerable questions.

    >>> rows = [Asked("a", True, 0.9, True, True), Asked("b", False, 0.5, True, False)]
    >>> rows.append(Asked("c", False, 0.1, False, True))
    >>> abstention_curve(rows, [0.2, 0.6, 0.95])
    [(0.2, 1.0, 0.5), (0.6, 1.0, 1.0), (0.95, 0.6666666666666666, 1.0)]
    """
    unanswerable = sum(not r.answerable for r in results)
    curve = []
    for threshold in thresholds:
        abstain = [r for r in results if r.confidence < threshold]
        right = sum(not r.answerable for r in abstain)
        precision = right / len(abstain) if abstain else math.nan
        curve.append((threshold, precision, right / unanswerable if unanswerable else math.nan))
    return curve
