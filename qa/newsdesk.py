"""The Newsdesk facade: keep an index in sync with an articles folder, search it, answer from it.

>>> from qa import Newsdesk
>>> desk = Newsdesk()  # seeds/ and index/ (or $NEWSDESK_ARTICLES, $NEWSDESK_INDEX)
>>> reply = desk.answer("Who will Putin meet during his visit?")
>>> reply.found, reply.text
(True, 'Xi Jinping')
>>> citation = reply.citation
>>> desk.article(citation.article_id).text[citation.start:citation.end] == reply.text
True
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.chunking import Chunker, sentence_at
from qa.embedding import Embedder
from qa.index import DENSE_KINDS, Index, SyncReport, index_is_stale, sync_index
from qa.reader import Reader, Reading, Span
from qa.retrieval import RetrievalMode, Retriever
from qa.schema import Answer, Article, Citation, Passage
from qa.squad import normalize_answer

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAX_QUESTION_CHARS = 1000
# Passages read per question: on the 5,884-article archive, 4 keeps answer F1 of 5 (82.6) at
# p50 118 ms instead of 157 ms (python bench/latency.py --corpus all --top-k 3 4 5).
DEFAULT_TOP_K = 4
_FOLLOW_UP = re.compile(r"\b(he|she|it|they|him|her|them|his|hers|its|their|there|that|this|those|these)\b", re.I)
log = logging.getLogger(__name__)


def default_articles_dir() -> Path:
    return Path(os.environ.get("NEWSDESK_ARTICLES") or PROJECT_ROOT / "seeds")


def default_index_dir() -> Path:
    return Path(os.environ.get("NEWSDESK_INDEX") or PROJECT_ROOT / "index")


class QuestionError(ValueError):
    """The question cannot be asked as it is (empty, or too long)."""


def check_question(question: str) -> str:
    question = question.strip() if isinstance(question, str) else ""
    if not question:
        raise QuestionError("The question is empty: type a question about the articles.")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"The question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
            "Ask it more briefly."
        )
    return question


@dataclass(frozen=True)
class Status:
    articles: int
    chunks: int
    duplicates: int
    embedding_model: str
    embedding: dict  # precision and word pieces read per chunk
    dense_kind: str
    reader: str
    updated: float | None
    stale: bool
    articles_dir: str
    index_dir: str


class Newsdesk:
    """Question answering over a folder of news articles.

    ``reader`` is None for the shipped reader, a Hugging Face QA checkpoint (hub id or folder), or
    a ready `Reader`; ``embedding_model`` likewise names a sentence-transformers model or is a ready
    `Embedder`. ``dense_kind`` (flat, ivf, hnsw) applies when the index is built; None keeps the
    existing index's kind (flat for a new one). With ``auto_sync`` the index is brought up to date on first use.
    """

    def __init__(
        self,
        articles_dir: str | Path | None = None,
        index_dir: str | Path | None = None,
        embedding_model: str | Embedder | None = None,
        reader: str | Path | Reader | None = None,
        retrieval: RetrievalMode = "hybrid",
        dense_kind: str | None = None,
        chunker: Chunker | None = None,
        auto_sync: bool = True,
    ) -> None:
        if dense_kind is not None and dense_kind not in DENSE_KINDS:
            raise ValueError(f"unknown dense index kind {dense_kind!r}; choose one of {', '.join(DENSE_KINDS)}")
        self.articles_dir = Path(articles_dir) if articles_dir else default_articles_dir()
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        self.embedder = embedding_model if isinstance(embedding_model, Embedder) else Embedder(embedding_model)
        self.reader = reader if isinstance(reader, Reader) else Reader(reader)
        self.retrieval: RetrievalMode = retrieval
        self.dense_kind = dense_kind
        self.chunker = chunker or Chunker()
        self.auto_sync = auto_sync
        self._index: Index | None = None
        self._retriever: Retriever | None = None
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ index

    def sync(self, rebuild: bool = False, progress: bool = False) -> SyncReport:
        """Bring the index in line with the articles folder (incrementally unless ``rebuild``)."""
        with self._lock:
            report = sync_index(
                self.articles_dir, self.index_dir, self.chunker, self.embedder, self.dense_kind, rebuild, progress
            )
            if report.changed or self._index is None:
                self._open_index()
            return report

    def is_stale(self) -> bool:
        return index_is_stale(self.articles_dir, self.index_dir, self.chunker, self.embedder)

    def warm_up(self) -> None:
        """Sync a stale index (with ``auto_sync``), open it and load both models."""
        with self._lock:
            if self._index is None:
                if self.auto_sync and self.is_stale():
                    report = self.sync()
                    log.info("index synced: %s", report.summary())
                else:
                    self._open_index()
            self.embedder.warm_up()
            self.reader.warm_up()

    def _open_index(self) -> None:
        if self._index is not None:
            self._index.close()
        self._index = Index.open(self.index_dir)
        self._retriever = Retriever(self._index, self.embedder, self.retrieval)

    @property
    def index(self) -> Index:
        self.warm_up()
        assert self._index is not None
        return self._index

    def status(self) -> Status:
        """What the index holds; opens it if needed, without loading the models."""
        index = self._index
        if index is None and Index.exists(self.index_dir):
            index = Index.open(self.index_dir)
        articles = index.manifest.articles if index else {}
        status = Status(
            articles=len(articles),
            chunks=index.chunk_count if index else 0,
            duplicates=sum(1 for entry in articles.values() if entry["duplicate_of"]),
            embedding_model=index.manifest.settings.embedding_model if index else self.embedder.name,
            embedding=dict(index.manifest.settings.embedding if index else self.embedder.settings),
            dense_kind=index.manifest.settings.dense_kind if index else self.dense_kind or "flat",
            reader=str(self.reader.model or "newsdesk-reader (shipped)"),
            updated=index.manifest.updated if index else None,
            stale=self.is_stale(),
            articles_dir=str(self.articles_dir),
            index_dir=str(self.index_dir),
        )
        if index is not None and index is not self._index:
            index.close()
        return status

    def article(self, article_id: str) -> Article | None:
        """The indexed article with this id (its text is what citations point into)."""
        return self.index.store.article(article_id)

    # ------------------------------------------------------------------ questions

    def search(
        self,
        question: str,
        top_k: int = DEFAULT_TOP_K,
        date_from: str | None = None,
        date_to: str | None = None,
        source: str | None = None,
        mode: RetrievalMode | None = None,
    ) -> list[Passage]:
        """The ``top_k`` passages most likely to hold the answer, best first."""
        question = check_question(question)
        with self._lock:  # one SQLite connection, and a sync may swap the index
            self.warm_up()
            assert self._retriever is not None
            return self._retriever.run(question, top_k, date_from, date_to, source, mode)

    def answer(
        self,
        question: str,
        top_k: int = DEFAULT_TOP_K,
        date_from: str | None = None,
        date_to: str | None = None,
        source: str | None = None,
        history: Sequence[str] = (),
    ) -> Answer:
        """Answer with an exact quote from the articles, or say that nothing answers it.

        ``history`` holds the earlier questions of a conversation: a follow-up such as "Who will
        he meet there?" is searched together with the question before it.
        """
        question = check_question(question)
        query = self._contextual_query(question, history)
        with self._lock:
            passages = self.search(query, top_k, date_from, date_to, source)
            if not passages:
                return Answer(question, "", 0.0, 0.0, False, passages=())
            reading = self.reader.read(question, [p.text for p in passages], top_k=3)
            return self._compose(question, passages, reading, self.reader.threshold_for_archive)

    def _contextual_query(self, question: str, history: Sequence[str]) -> str:
        earlier = [q.strip() for q in history if q and q.strip()]
        if earlier and (_FOLLOW_UP.search(question) or len(question.split()) <= 4):
            return f"{earlier[-1]} {question}"
        return question

    def _compose(self, question: str, passages: Sequence[Passage], reading: Reading, threshold: float) -> Answer:
        spans = [span for span in reading.spans if not answers_nothing(question, span.text)]
        citations = [self._cite(span, passages[span.passage_index]) for span in spans]
        best = spans[0] if spans else None
        if best is None:
            return Answer(question, "", 0.0, 0.0, False, passages=tuple(passages))
        confidence = 1.0 / (1.0 + math.exp(-(best.score - threshold)))
        found = best.score >= threshold
        return Answer(
            question=question,
            text=best.text if found else "",
            score=best.score,
            confidence=confidence,
            found=found,
            citations=(citations[0],) if found else (),
            alternatives=tuple(citations[1:]) if found else tuple(citations),
            passages=tuple(passages),
        )

    def _cite(self, span: Span, passage: Passage) -> Citation:
        start, end = passage.start + span.start, passage.start + span.end
        article = self.article(passage.article_id)
        text = article.text if article else passage.text
        offset = 0 if article else passage.start
        sentence_start, sentence_end = sentence_at(text, start - offset, end - offset)
        return Citation(
            article_id=passage.article_id,
            title=passage.title,
            date=passage.date,
            source=passage.source,
            url=passage.url,
            start=start,
            end=end,
            quote=span.text,
            sentence=text[sentence_start:sentence_end],
            sentence_start=sentence_start + offset,
            passage=passage,
        )


_FUNCTION_WORDS = frozenset(
    "a an the of in on at to for from by with and or as is are was were be been being do does did "
    "who whom whose what which when where why how".split()
)


def answers_nothing(question: str, span: str) -> bool:
    """Whether ``span`` holds no content word that ``question`` lacks: such a span is never the
    answer ("In which federal prison is he to serve?" -> "federal prison", or a lone "a"). On the
    news questions this turned one confident wrong answer into an abstention and changed nothing
    else.

    >>> answers_nothing("In which federal prison is Manafort to serve?", "a federal prison")
    True
    >>> answers_nothing("In which federal prison is Manafort to serve?", "a")
    True
    >>> answers_nothing("Which prison will Manafort serve in?", "FCI Loretto prison")
    False
    """
    asked = set(normalize_answer(question).split())
    return all(word in asked or word in _FUNCTION_WORDS for word in normalize_answer(span).split())


_default: Newsdesk | None = None
_default_lock = threading.Lock()


def default_newsdesk() -> Newsdesk:
    """One shared Newsdesk over the default folders, so repeated calls load the models once."""
    global _default
    with _default_lock:
        if _default is None or (_default.articles_dir, _default.index_dir) != (
            default_articles_dir(),
            default_index_dir(),
        ):
            _default = Newsdesk()
        return _default


def answer(question: str, **options: object) -> Answer:
    """Answer a question from the default archive (``seeds/`` and ``index/``, or the folders named
    by $NEWSDESK_ARTICLES and $NEWSDESK_INDEX). Options are those of `Newsdesk.answer`."""
    return default_newsdesk().answer(question, **options)  # type: ignore[arg-type]
