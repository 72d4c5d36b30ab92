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

import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.answers import SPANS_READ, Judge, MarginJudge, SelectiveModel
from qa.answers.confidence import NOT_SURE_BELOW
from qa.answers.decision import READ_ON_BELOW, Decision, decide_reading_less, threshold_in_use
from qa.answers.selective import SHIPPED_ANSWER_MODEL
from qa.answers.vague import SUGGESTIONS_SEARCHED, suggestions, too_broad
from qa.articles import read_articles, remove_from_folder
from qa.asking import for_the_reader
from qa.chunking import Chunker, sentence_at
from qa.embedding import Embedder
from qa.errors import UsageError
from qa.index import (
    DENSE_KINDS,
    Index,
    ProgressCallback,
    RayOptions,
    SyncReport,
    current_generation,
    index_is_stale,
    live_settings,
    sync_index,
)
from qa.questions import (
    DEFAULT_TOP_K,
    QuestionError,
    answers_needed,
    asks_who_said_it,
    attribution_question,
    check_request,
    contextual_query,
    possible_topic,
    presumes_topic,
    resolve_follow_up,
    topic_of,
)
from qa.reader import Reader
from qa.relative_dates import resolve_relative_date
from qa.retrieval import RETRIEVAL_MODES, RetrievalMode, Retriever
from qa.schema import Answer, Article, Citation, Filters, Passage, Span, Suggestion

PROJECT_ROOT = Path(__file__).resolve().parent.parent
__all__ = ["PROJECT_ROOT", "ArticlesFolderError", "Newsdesk", "QuestionError", "Status", "answer"]
log = logging.getLogger(__name__)


def default_articles_dir() -> Path:
    return Path(os.environ.get("NEWSDESK_ARTICLES") or PROJECT_ROOT / "seeds")


def default_index_dir() -> Path:
    return Path(os.environ.get("NEWSDESK_INDEX") or PROJECT_ROOT / "index")


class ArticlesFolderError(FileNotFoundError):
    """The articles folder does not exist."""


@dataclass(frozen=True)
class Status:
    articles: int
    chunks: int
    duplicates: int
    embedding_model: str
    embedding: dict[str, str | int | None]  # precision and word pieces read per chunk
    dense_kind: str
    reader: str
    updated: float | None
    stale: bool | None  # None: not checked
    articles_dir: str
    index_dir: str
    # The numeric path each model takes on this CPU, and why (qa.cpu): {"reader": ..., "embedder": ...}.
    precision: dict[str, str] = field(default_factory=dict)


class Newsdesk:
    """Question answering over a folder of news articles.

    ``reader`` is None for the shipped reader, a Hugging Face QA checkpoint (hub id or folder), or
    a ready `Reader`; ``embedding_model`` likewise names a sentence-transformers model or is a ready
    `Embedder` (subclass it to plug in another embedder). ``dense_kind`` (auto, flat, ivfpq: see
    `qa.index.DenseSettings`) applies when the index is built; None keeps the existing index's kind
    (auto for a new one: exact search, and IVF-PQ for segments past a measured size). With
    ``auto_sync`` the index is brought up to date on first use. ``follow_links`` also reads
    symbolic links that lead out of the articles folder (refused by default).

    Newsdesk answers when its answer model (``answer_model``: a `SelectiveModel`, its JSON file, or
    any `Judge`; None for the one fitted for the shipped reader) puts the probability that the answer is right
    at ``min_confidence`` or more (None: the model's default); otherwise it says it found nothing.

    Safe to share between threads: questions are answered while a sync embeds (the new index is
    swapped in when it is complete), and an index updated by another process is picked up before
    the next question.
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
        follow_links: bool = False,
        answer_model: str | Path | Judge | None = None,
        min_confidence: float | None = None,
        read_on_below: float = READ_ON_BELOW,
    ) -> None:
        if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
            raise UsageError(f"min_confidence is a probability, between 0 and 1 (got {min_confidence})")
        if dense_kind is not None and dense_kind not in DENSE_KINDS:
            raise UsageError(f"unknown dense index kind {dense_kind!r}; choose one of {', '.join(DENSE_KINDS)}")
        if retrieval not in RETRIEVAL_MODES:
            raise UsageError(f"unknown retrieval mode {retrieval!r}; choose one of {', '.join(RETRIEVAL_MODES)}")
        self.articles_dir = Path(articles_dir) if articles_dir else default_articles_dir()
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        if self.index_dir.exists() and not self.index_dir.is_dir():
            raise UsageError(
                f"the index folder {self.index_dir} is a file: name a folder for the index (--index DIR, "
                "or index_dir=...), new or one Newsdesk built"
            )
        self.embedder = embedding_model if isinstance(embedding_model, Embedder) else Embedder(embedding_model)
        self.reader = reader if isinstance(reader, Reader) else Reader(reader)
        self.retrieval: RetrievalMode = retrieval
        self.dense_kind = dense_kind
        self.chunker = chunker or Chunker()
        self.auto_sync = auto_sync
        self.follow_links = follow_links
        self.answer_model = answer_model
        self.min_confidence = min_confidence
        self.read_on_below = read_on_below  # above 1: always read every passage
        self._judge: Judge | None = None
        self._checked_freshness = False  # whether the first question's auto_sync check ran
        self._first_question = threading.Lock()
        self._index: Index | None = None
        self._retriever: Retriever | None = None
        self._lock = threading.RLock()  # guards the open index (one SQLite connection, swapped by syncs)
        self._sync_lock = threading.Lock()  # one sync at a time in this process

    def sync(
        self,
        rebuild: bool = False,
        progress: bool = False,
        on_progress: ProgressCallback | None = None,
        optimize: bool = False,
        ray: str | RayOptions | None = None,
        first_chunks: int | None = None,
    ) -> SyncReport:
        """Bring the index in line with the articles folder (incrementally unless ``rebuild``).

        Questions keep being answered from the current index while this runs; the new one
        replaces it when it is complete. ``progress`` shows progress on the terminal;
        ``on_progress(SyncProgress)`` is told how far it is after each batch. ``optimize`` merges
        the index's segments into one afterwards. ``ray``: embed on a Ray cluster, named by its
        address (``"local"``, ``"auto"``, ``"ray://host:10001"``) or by `RayOptions`; the index
        is the same as without it. ``first_chunks``: a new index is published (and answers) once
        about this many passages are in; the rest wait for the next sync (`sync_index`)."""
        self.check_articles_folder()
        if isinstance(ray, str):
            ray = RayOptions(address=ray)
        self._embed_as_the_index(rebuild)
        self._checked_freshness = True  # synced by the caller: the first question need not check
        with self._sync_lock:
            report = sync_index(
                self.articles_dir,
                self.index_dir,
                self.chunker,
                self.embedder,
                self.dense_kind,
                rebuild,
                progress,
                self.follow_links,
                on_progress,
                optimize=optimize,
                ray=ray,
                first_chunks=first_chunks,
            )
        with self._lock:
            if report.changed or self._index is None or not self._index.is_current():
                self._open_index()
        return report

    def _embed_as_the_index(self, rebuild: bool = False) -> None:
        """An embedder on "auto" precision embeds as the existing index was embedded (so that an
        index moved to a machine of another CPU class is not rebuilt); a rebuild, as this CPU
        prefers."""
        settings = None if rebuild else live_settings(self.index_dir)
        if settings is None or settings.embedding_model == self.embedder.name:
            self.embedder.adopt(settings.embedding if settings else None)

    def precision(self) -> dict[str, str]:
        """The path each model takes and why: the reader's as the model card and this CPU decide
        (before it is loaded: what loading it will choose), the embedder's as set."""
        return {"reader": self.reader.path_reason(), "embedder": self.embedder.precision_reason}

    def has_index(self) -> bool:
        """Whether an index has been published in ``index_dir`` (it may be stale)."""
        return current_generation(self.index_dir) is not None

    def is_stale(self) -> bool:
        self.check_articles_folder()
        self._embed_as_the_index()
        return index_is_stale(self.articles_dir, self.index_dir, self.chunker, self.embedder, self.follow_links)

    def warm_up(self) -> None:
        """Load the models: the embedder, the reader and the answer model. The index is not
        touched: bringing it up to date is `sync()` (or, with ``auto_sync``, the first question).
        The one write it may make is to the model cache: a model's ONNX export (or its int8 file)
        that the cache lacks is made on the way (`qa.backend.cache`, staged and renamed into place)."""
        if self._judge is None:  # before the first load only: warm_up runs before every question
            self._embed_as_the_index()  # an existing index decides the embedder's precision (its manifest)
        self.embedder.warm_up()
        self.reader.warm_up()
        if self._judge is None:
            log.warning("models: reader %s; embedder %s", self.reader.precision_reason, self.embedder.precision_reason)
            self._judge = self._load_judge()

    def _ready(self) -> None:
        """Ready to answer: with ``auto_sync``, a stale index is synced before the first question
        (the one implicit write to the index, documented on `answer`), then the index is opened
        and the models loaded."""
        if self.auto_sync and not self._checked_freshness:
            with self._first_question:  # two first questions at once: one syncs, the other waits
                if not self._checked_freshness and self.is_stale():
                    report = self.sync()
                    log.info("index synced: %s", report.summary())
                # Once, and only once it worked: later changes are the user's to sync (or the chat's).
                self._checked_freshness = True
        self._opened()
        self.warm_up()

    def _opened(self) -> Index:
        """The live index, opened if it is not yet (reads only; `IndexUnavailableError` when there
        is none). Never syncs and loads no model."""
        with self._lock:
            self._live_retriever()
            assert self._index is not None
            return self._index

    def _load_judge(self) -> Judge:
        """The answer model: the one given, the one fitted for the shipped reader, or for another
        reader a logistic of its score over its archive threshold."""
        if isinstance(self.answer_model, str | Path):
            return SelectiveModel.load(self.answer_model)
        if self.answer_model is not None:
            return self.answer_model
        if self.reader.model is None and SHIPPED_ANSWER_MODEL.is_file():
            return SelectiveModel.load(SHIPPED_ANSWER_MODEL)
        return MarginJudge(self.reader.threshold_for_archive)

    @property
    def judge(self) -> Judge:
        """What decides whether to answer (loads the models)."""
        self.warm_up()
        assert self._judge is not None
        return self._judge

    @property
    def answer_threshold(self) -> float:
        """The ``min_confidence`` Newsdesk answers at: the one given, else the answer model's."""
        return threshold_in_use(self.judge, self.min_confidence)

    def check_articles_folder(self) -> None:
        """`ArticlesFolderError` (saying what to do) when the articles folder does not exist."""
        if not self.articles_dir.is_dir():
            raise ArticlesFolderError(
                f"no articles folder at {self.articles_dir}: create it, or name your articles folder "
                "(--articles DIR, or articles_dir=...)"
            )

    def _open_index(self) -> None:
        """Open the live generation, then let go of the old one (a failed open keeps it)."""
        # Segments the open index already loaded are shared, not read again: they never change.
        index = Index.open(self.index_dir, previous=self._index)
        if index.settings.embedding_model == self.embedder.name:
            self.embedder.adopt(index.settings.embedding)  # questions embedded as its chunks were
        previous, self._index = self._index, index
        self._retriever = Retriever(index, self.embedder, self.retrieval)
        if previous is not None:
            previous.close()

    def _live_retriever(self) -> Retriever:
        """The retriever over the live generation: a newer one published by another process (a
        `newsdesk index` beside the chat) is opened first. Call with ``self._lock`` held."""
        if self._index is None or not self._index.is_current():
            self._open_index()
        assert self._retriever is not None
        return self._retriever

    @property
    def index(self) -> Index:
        """The live index (opened if needed; never synced here)."""
        return self._opened()

    def status(self, check_stale: bool = True) -> Status:
        """What the index holds; opens it if needed, without loading the models. ``check_stale``
        compares the index with the articles folder (it reads the folder)."""
        with self._lock:
            if self._index is not None:
                self._live_retriever()  # another process may have published a newer index
            index = self._index
        if index is None and Index.exists(self.index_dir):
            index = Index.open(self.index_dir)
        status = Status(
            articles=index.article_count if index else 0,
            chunks=index.chunk_count if index else 0,
            duplicates=index.duplicate_count if index else 0,
            embedding_model=index.settings.embedding_model if index else self.embedder.name,
            embedding=dict(index.settings.embedding if index else self.embedder.settings),
            dense_kind=index.settings.dense_kind if index else self.dense_kind or "auto",
            reader=str(self.reader.model or "newsdesk-reader (shipped)"),
            updated=index.updated if index else None,
            stale=self.is_stale() if check_stale else None,
            articles_dir=str(self.articles_dir),
            index_dir=str(self.index_dir),
            precision=self.precision(),
        )
        if index is not None and index is not self._index:
            index.close()
        return status

    def article(self, article_id: str) -> Article | None:
        """The indexed article with this id (its text is what citations point into)."""
        with self._lock:  # opens the index if it is not yet (never syncs)
            return self._live_retriever().index.article(article_id)

    def article_ids(self) -> set[str]:
        """The ids of every article in the index and in the articles folder (which may be ahead
        of the index): what a new article must not reuse."""
        return self.upload_catalogue()[0]

    def article_texts(self) -> dict[str, str]:
        """The text hash of every article in the articles folder -> its id (the first, for
        articles with the same text): what an upload must not copy."""
        return self.upload_catalogue()[1]

    def upload_catalogue(self) -> tuple[set[str], dict[str, str]]:
        """What an upload must not reuse, from one read of the folder: the ids in use (indexed or
        in the folder) and the text hash of every article in the folder -> its id."""
        with self._lock:
            indexed = self._live_retriever().index.article_ids()
        texts: dict[str, str] = {}
        ids = set(indexed)
        for article in read_articles(self.articles_dir, self.follow_links).articles:
            ids.add(article.id)
            texts.setdefault(article.text_hash, article.id)
        return ids, texts

    def list_articles(self) -> list[dict]:
        """Every article the archive holds (id, title, date, source, url, path, duplicate_of),
        newest first: a copy of another article's text is listed too, under its original's title
        and with ``duplicate_of`` naming it, so that every copy that can answer can be seen."""
        with self._lock:
            return self._live_retriever().index.list_articles()

    def remove_article(self, article_id: str) -> SyncReport:
        """Take an article out of the archive: its file (or its record in a collection file) moves
        to the folder's hidden ``.removed/``, from where it can be put back, and the index syncs."""
        article = self.article(article_id)
        if article is None:  # a copy of another article's text, indexed as that one
            article = self._copy_of(article_id)
        if article is None or not article.path:
            raise QuestionError(f"there is no article with id {article_id!r} in the archive")
        remove_from_folder(article, self.articles_dir)
        return self.sync()

    def _copy_of(self, article_id: str) -> Article | None:
        """The duplicate ``article_id`` as an article (its original's text, its own file)."""
        with self._lock:
            index = self._live_retriever().index
            entry = index.entry(article_id)
            original = index.article(entry["duplicate_of"]) if entry and entry["duplicate_of"] else None
        return None if original is None else dataclasses.replace(original, id=article_id, path=entry["file"])

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
        request = check_request(question, top_k, date_from, date_to, source)
        return self._search_in(request.question, request.top_k, request.filters, mode)[0]

    def _search_in(
        self, query: str, top_k: int, filters: Filters, mode: RetrievalMode | None = None
    ) -> tuple[list[Passage], Index]:
        """The passages, and the index generation they come from."""
        self._ready()
        with self._lock:  # one SQLite connection, and a sync may swap the index
            retriever = self._live_retriever()
            passages = retriever.run(query, top_k, filters, mode)
            return passages, retriever.index

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

        ``history`` holds the earlier questions of a conversation, oldest first: a follow-up such
        as "Who will he meet there?" is read across the whole conversation (`qa.follow_ups`).
        The best passage is read first, the others only when they could change the answer
        (`qa.answers.decision.decide_reading_less`). When nothing answers a question too broad to
        answer with a span ("What happened in China?"), the reply offers the articles that match it
        best (``suggestions``; `qa.answers.vague`). Every argument is
        checked first: a bad one raises `QuestionError` with a message that names it. With
        ``auto_sync`` (the default), the first question syncs a stale index before it is answered.
        """
        request = check_request(question, top_k, date_from, date_to, source, history)
        question, filters, history = request.question, request.filters, request.history

        def again(number: int) -> Answer:  # an earlier question, answered again as it was asked
            return self.answer(history[number], top_k, date_from, date_to, source, history[:number])

        answers = self._earlier_answers(question, history, again)
        # The reader sees one question: a follow-up's "he" and "there" become the names they stand for.
        resolved = resolve_follow_up(question, history, answers)
        query = contextual_query(resolved, history, answers)  # with the turns a follow-up refers to
        topic = topic_of(resolved, history, answers)  # only an article that names what it names answers
        maybe = possible_topic(resolved, history, answers)  # "How many were on board?": the plane's?
        found = self._attribution(question, history, again)  # "Who said that?"
        if found is None and maybe:
            found = self._decide(resolved, " ".join([*maybe, resolved]), maybe, request.top_k, filters)
        # Not the topic's: read alone, as it is written; unless it asks about "the suspect" of it.
        if found is None or not (found[0].found or presumes_topic(resolved, history, answers)):
            found = self._decide(resolved, query, topic, request.top_k, filters)
        decision, read, passages, index = found
        if not passages:
            return Answer(question, "", 0.0, 0.0, False, filters=filters)

        def cite(spans: Sequence[Span]) -> tuple[Citation, ...]:
            return tuple(self._cite(span, passages[span.passage_index], index) for span in spans)

        offered: tuple[Suggestion, ...] = ()
        if too_broad(resolved, [p.article_id for p in passages], decision.found):  # offer articles to narrow to
            offered = suggestions(resolved, self._search_in(query, SUGGESTIONS_SEARCHED, filters)[0])

        return Answer(
            question=question,
            text=decision.text,
            score=decision.score,
            confidence=decision.confidence,
            found=decision.found,
            citations=cite(decision.cited),
            alternatives=cite(decision.alternatives),
            passages=tuple(passages),
            filters=filters,
            timeline=cite([judged.candidate.span for judged in decision.timeline]),
            passages_read=read,
            suggestions=offered,
            yes_no=decision.yes_no,
            rivals=cite([judged.candidate.span for judged in decision.rivals]),
        )

    def _decide(
        self, resolved: str, query: str, topic: Sequence[str], top_k: int, filters: Filters
    ) -> tuple[Decision, int, list[Passage], Index]:
        """The decision for ``resolved`` over the passages found for ``query`` (an answer only
        from an article of ``topic``, when it is given), how many were read, the passages and the
        index they came from."""
        passages, index = self._search_in(query, top_k, filters)
        if not passages:
            return Decision(False, ()), 0, passages, index
        decision, read = self._read(resolved, passages, topic)
        return decision, read, passages, index

    def _read(self, question: str, passages: list[Passage], topic: Sequence[str]) -> tuple[Decision, int]:
        """The decision for ``question`` over ``passages``, and how many of them were read. The
        reader reads it without the dates that place it in time (`qa.asking`)."""
        texts = [p.text for p in passages]
        asked = for_the_reader(question)
        return decide_reading_less(
            question,
            passages,
            lambda indices: self.reader.read(asked, texts, top_k=SPANS_READ, only=indices),
            self.judge,
            self.min_confidence,
            self.read_on_below,
            topic,
        )

    def _earlier_answers(self, question: str, history: Sequence[str], again: Callable[[int], Answer]) -> list[str]:
        """What the earlier questions that ``question`` may refer to were answered (one per
        question, "" for the others): "How old was he?" after "Who was stabbed on stage in
        Gdańsk?" asks about whom that answer named (`qa.follow_ups.answers_needed`). Each is
        answered again, as it was asked, and counts only when it was shown as likely right: an
        answer shown as "not sure" names no one for certain."""
        answers = [""] * len(history)
        for number in answers_needed(question, history):
            earlier = again(number)
            if earlier.found and not earlier.yes_no and earlier.confidence >= NOT_SURE_BELOW:
                answers[number] = earlier.text
        return answers

    def _attribution(
        self, question: str, history: Sequence[str], again: Callable[[int], Answer]
    ) -> tuple[Decision, int, list[Passage], Index] | None:
        """For "Who said that?", the decision over the last answer's own passage: who it says said
        that answer (`qa.follow_ups.attribution_question`). None for any other question, or when
        the last question got no answer."""
        if not history or not asks_who_said_it(question):
            return None
        earlier = again(len(history) - 1)
        if not earlier.found or earlier.citation is None or earlier.citation.passage is None:
            return None
        passages = [earlier.citation.passage]
        decision, read = self._read(attribution_question("" if earlier.yes_no else earlier.text), passages, ())
        return decision, read, passages, self.index

    def _cite(self, span: Span, passage: Passage, index: Index) -> Citation:
        start, end = passage.start + span.start, passage.start + span.end
        with self._lock:
            # The article from the generation the passage came from; if a sync replaced it
            # meanwhile (a new generation, or a commit in place by another process, which the
            # passage's own text no longer matches), the passage gives the sentence (offsets stay exact).
            article = index.article(passage.article_id) if index is self._index else None
        if article is not None and article.text[passage.start : passage.end] != passage.text:
            article = None
        text = article.text if article else passage.text
        offset = 0 if article else passage.start
        sentence_start, sentence_end = sentence_at(text, start - offset, end - offset)
        sentence = text[sentence_start:sentence_end]
        resolved = resolve_relative_date(span.text, passage.date, sentence)
        return Citation(
            article_id=passage.article_id,
            title=passage.title,
            date=passage.date,
            source=passage.source,
            url=passage.url,
            start=start,
            end=end,
            quote=span.text,
            sentence=sentence,
            sentence_start=sentence_start + offset,
            passage=passage,
            resolved_date=resolved.label if resolved else "",
        )


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
