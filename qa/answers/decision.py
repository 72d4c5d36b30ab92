"""Answer or abstain: judge every candidate answer, keep the likeliest, and answer only when it
clears ``min_confidence``. Also what the answer's evidence shows: the other articles that report
the same answer, and, when dated articles disagree, the answers as a timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.answers.features import Candidate, candidates
from qa.answers.selective import Judge
from qa.schema import Passage, Reading, Span

# The reader's best distinct spans per question that become candidate answers: the pool the
# decision weighs, in Newsdesk and in the answer model's training alike.
SPANS_READ = 3


@dataclass(frozen=True)
class Judged:
    candidate: Candidate
    probability: float  # that this candidate is the right answer


@dataclass(frozen=True)
class Decision:
    found: bool
    judged: tuple[Judged, ...]  # every candidate, likeliest first
    # When articles of different dates give different answers that each clear the threshold:
    # one per date, latest first. Empty otherwise.
    timeline: tuple[Judged, ...] = ()

    @property
    def best(self) -> Judged | None:
        return self.judged[0] if self.judged else None

    @property
    def cited(self) -> tuple[Span, ...]:
        """What an answer cites: the best candidate's span, then the other articles' spans that
        give the same answer. Nothing when Newsdesk abstains."""
        if not self.found:
            return ()
        best = self.judged[0].candidate
        return (best.span, *best.supporters)

    @property
    def alternatives(self) -> tuple[Span, ...]:
        """The other candidates' spans, likeliest first. When Newsdesk abstains, the withheld best
        candidate leads them, so that what was not said can still be shown as such."""
        spans = tuple(judged.candidate.span for judged in self.judged)
        return spans[1:] if self.found else spans


def decide(
    question: str,
    passages: Sequence[Passage],
    reading: Reading,
    judge: Judge,
    min_confidence: float | None = None,
) -> Decision:
    """The decision for ``question`` over the passages the reader read (``min_confidence`` None
    takes the judge's default)."""
    threshold = threshold_in_use(judge, min_confidence)
    judged = sorted(
        (Judged(c, judge.probability(c.features)) for c in candidates(question, passages, reading)),
        key=lambda j: -j.probability,
    )
    found = bool(judged) and judged[0].probability >= threshold
    return Decision(found, tuple(judged), timeline(judged, threshold) if found else ())


def threshold_in_use(judge: Judge, min_confidence: float | None) -> float:
    """``min_confidence``, or the judge's default when it is None."""
    return judge.min_confidence if min_confidence is None else min_confidence


def timeline(judged: Sequence[Judged], threshold: float) -> tuple[Judged, ...]:
    """Different answers from articles of different dates, each likely enough to be given on its
    own: the likeliest per date, latest first; empty unless there are two dates or more."""
    by_date: dict[str, Judged] = {}
    for entry in judged:  # likeliest first, so the first per date is kept
        date = entry.candidate.passage.date
        if entry.probability >= threshold and date and date not in by_date:
            by_date[date] = entry
    if len(by_date) < 2:
        return ()
    return tuple(by_date[date] for date in sorted(by_date, reverse=True))
