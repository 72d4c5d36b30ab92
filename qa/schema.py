"""The plain records that cross stage boundaries: Article -> Chunk -> Passage -> Reading
(of Spans) -> Answer."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article. ``text`` is the body that every offset in Newsdesk points into."""

    id: str
    title: str
    text: str
    date: str = ""  # ISO YYYY-MM-DD, or "" when unknown
    source: str = ""
    url: str = ""
    path: str = ""  # the file it was read from

    @property
    def content_hash(self) -> str:
        """A digest of everything indexed about the article: a change of any of it re-indexes it."""
        digest = hashlib.sha256()
        for part in (self.title, self.date, self.source, self.url, self.text):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()

    @property
    def text_hash(self) -> str:
        """A digest of the text alone, to index duplicate articles once."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """A window of an article: ``article.text[start:end] == text`` always."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata and its retrieval score."""

    chunk_id: int
    article_id: str
    title: str
    date: str
    source: str
    url: str
    start: int
    end: int
    text: str
    score: float  # the ranking's score (reciprocal-rank fusion in hybrid retrieval)
    # Each ranking's own view of the passage, for the answer-or-abstain decision: its cosine with
    # the question and its BM25 score, None where that ranking did not find it among its candidates.
    dense_score: float | None = None
    bm25_score: float | None = None


@dataclass(frozen=True)
class Span:
    """One answer span the reader found, as character offsets into ``passages[passage_index]``."""

    passage_index: int
    start: int
    end: int
    text: str
    score: float

    @property
    def confidence(self) -> float:
        """The model's probability of this span against 'no answer here', in [0, 1]."""
        return 1.0 / (1.0 + math.exp(-self.score))


@dataclass(frozen=True)
class Reading:
    """What the reader found for one question: distinct spans, best first."""

    question: str
    passages: tuple[str, ...]
    spans: tuple[Span, ...]
    threshold: float
    # Each passage's best span (None where none was found), whether or not it made ``spans``: what
    # tells how many passages agree on an answer.
    per_passage: tuple[Span | None, ...] = ()

    @property
    def best(self) -> Span | None:
        return self.spans[0] if self.spans else None

    @property
    def answered(self) -> bool:
        """Whether the best span beats the no-answer threshold."""
        return bool(self.spans) and self.spans[0].score >= self.threshold


@dataclass(frozen=True)
class Citation:
    """Where an answer stands: the span ``[start, end)`` in the article's text."""

    article_id: str
    title: str
    date: str
    source: str
    url: str
    start: int
    end: int
    quote: str  # article.text[start:end]
    sentence: str  # the sentence that holds the span
    sentence_start: int  # offset of ``sentence`` in the article
    passage: Passage
    # The calendar date a relative answer means ("Tuesday" in an article of 2024-05-16 ->
    # "Tuesday, 14 May 2024"), or "" when the quote is no relative date.
    resolved_date: str = ""


@dataclass(frozen=True)
class Filters:
    """Which articles may answer. Dates are ISO ``YYYY-MM-DD``; an undated article never passes a
    date filter (it cannot be shown to fall inside the range), and always passes none."""

    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.source)

    def describe(self) -> str:
        """The filter in words, for a reply that says what it excluded.

        >>> Filters("2024-01-01", "2024-03-31").describe()
        'dated 2024-01-01 to 2024-03-31'
        >>> Filters(date_to="2020-12-31", source="AP").describe()
        'dated up to 2020-12-31, from AP'
        """
        parts = []
        if self.date_from and self.date_to:
            parts.append(f"dated {self.date_from} to {self.date_to}")
        elif self.date_from:
            parts.append(f"dated from {self.date_from}")
        elif self.date_to:
            parts.append(f"dated up to {self.date_to}")
        if self.source:
            parts.append(f"from {self.source}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Suggestion:
    """An article offered to narrow a question too broad to answer (qa.answers.vague)."""

    article_id: str
    title: str
    date: str  # ISO YYYY-MM-DD, or "" when unknown


@dataclass(frozen=True)
class Answer:
    """The reply to a question: an exact quote from an article, or an honest 'not found'."""

    question: str
    text: str  # "" when nothing in the archive answers
    score: float  # the reader's margin of the span over abstaining
    # The probability that the answer (or, when not found, the best candidate) is right, from the
    # calibrated answer-or-abstain model (qa.answers); Newsdesk answers when it clears its
    # ``min_confidence``.
    confidence: float
    found: bool
    # The answer's citation first, then one per other article that reports the same answer.
    citations: tuple[Citation, ...] = ()
    alternatives: tuple[Citation, ...] = ()  # other distinct candidate answers, best first
    passages: tuple[Passage, ...] = field(default=(), repr=False)  # what the reader was given
    filters: Filters = field(default_factory=Filters)  # the filters the question was asked under

    # When dated articles of the answer's story give different answers (a toll that rose as the
    # story developed): one citation per answer, latest first. Empty otherwise.
    timeline: tuple[Citation, ...] = ()
    # How many of ``passages`` the reader read: the best one alone when its answer was likely
    # enough (qa.answers.decision.READ_ON_BELOW), else all.
    passages_read: int = 0
    # When nothing answers a question too broad to answer with a span ("What happened in China?"):
    # the articles that match it best, to narrow it to (qa.answers.vague). Empty otherwise.
    suggestions: tuple[Suggestion, ...] = ()
    # The question asks yes or no ("Did Putin visit China?"), which a quote cannot say: ``text``
    # and the one citation are the sentence that bears on it most, for the reader to judge, and
    # ``confidence`` is the reader's in its best span there, not that the sentence says yes.
    yes_no: bool = False
    # For a how-many question, the other figures the answer's own article gives, each likely
    # enough to be given itself ("six" crew, "Five" rescued): the answer is then never shown as sure.
    rivals: tuple[Citation, ...] = ()

    @property
    def citation(self) -> Citation | None:
        return self.citations[0] if self.citations else None

    @property
    def corroborating(self) -> tuple[Citation, ...]:
        """The other articles that report the same answer."""
        return self.citations[1:]
