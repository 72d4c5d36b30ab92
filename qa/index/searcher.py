"""The read side of an index (Lucene's IndexSearcher): `Index`, the live generation opened (its chunk
store, segments and BM25) and the searches it answers; and where the live generation is."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from qa.index.dense import DenseIndex, DenseSettings, Segment
from qa.index.errors import IndexUnavailableError, StaleIndexError
from qa.index.lexical import LexicalIndex
from qa.index.manifest import IndexSettings, Manifest, read_manifest
from qa.index.store import ChunkStore
from qa.schema import Article, Chunk, Filters, Passage

CURRENT_FILE = "CURRENT"
CHUNKS_FILE = "chunks.sqlite"
SEGMENTS_DIR = "segments"
LEXICAL_DIR = "bm25"
OPEN_TRIES = 3


class Index:
    """The live index as of one commit: search by vector or BM25, fetch passages.

    >>> import tempfile, pathlib
    >>> from qa.chunking import Chunker
    >>> from qa.embedding import Embedder
    >>> from qa.index import sync_index
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Rain in Madrid\\nIt rained in Madrid on Monday.")
    >>> report = sync_index(folder, folder / "index", Chunker(), Embedder())
    >>> index = Index.open(folder / "index")
    >>> report.added, index.chunk_count, [p.article_id for p in index.passages(index.search_bm25("Madrid rain", 1))]
    (1, 1, ['a'])
    """

    def __init__(
        self,
        directory: Path,
        generation: Path,
        manifest: Manifest,
        store: ChunkStore,
        dense: DenseIndex,
        lexical: LexicalIndex,
        commit: int,
    ) -> None:
        self.directory = directory
        self.generation = generation
        self.manifest = manifest
        self.store = store
        self.dense = dense
        self.lexical = lexical
        self.commit = commit

    @staticmethod
    def exists(directory: Path) -> bool:
        return (directory / CURRENT_FILE).is_file()

    @classmethod
    def open(cls, directory: str | Path, previous: Index | None = None) -> Index:
        """Open the live generation at its latest commit. Segments that ``previous`` (an older
        `Index` of the same folder) already loaded are shared, not loaded again: they never change."""
        directory = Path(directory)
        for attempt in range(OPEN_TRIES):
            name = current_generation(directory)
            if name is None:
                raise IndexUnavailableError(f"no index at {directory}; build one with `newsdesk index`")
            try:
                return cls._open(directory, directory / name, previous)
            except StaleIndexError:
                raise
            except IndexUnavailableError:
                # A writer may have merged segments away, or published a new generation, while
                # this one was read: read what is live now, a few times, before calling it damaged.
                if attempt + 1 == OPEN_TRIES:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _open(cls, directory: Path, generation: Path, previous: Index | None) -> Index:
        store = None
        try:
            manifest = read_manifest(generation, directory)
            if not (generation / CHUNKS_FILE).is_file():
                raise OSError(f"{CHUNKS_FILE} is missing")
            store = ChunkStore(generation / CHUNKS_FILE, read_only=True)
            with store.snapshot():
                commit = store.commit_number()
                listed = store.segments()
                tombstones = store.tombstones()
            reuse = (
                {s.name: s for s in previous.dense.segments} if previous and previous.generation == generation else {}
            )
            segments = [
                (reuse.get(name) or Segment.load(generation / SEGMENTS_DIR / name, chunks, manifest.settings.dimension))
                for name, chunks, _ in listed
            ]
            dense = DenseIndex(
                manifest.settings.dimension,
                DenseSettings(manifest.settings.dense_kind),
                [segment.with_tombstones(tombstones) for segment in segments],
            )
            lexical = LexicalIndex.open(generation / LEXICAL_DIR)
        except (OSError, ValueError, KeyError, RuntimeError, sqlite3.Error, IndexUnavailableError) as error:
            if store is not None:
                store.close()
            if isinstance(error, StaleIndexError | IndexUnavailableError):
                raise
            raise IndexUnavailableError(
                f"the index at {directory} is damaged ({error}); rebuild it with `newsdesk index --rebuild`"
            ) from error
        return cls(directory, generation, manifest, store, dense, lexical, commit)

    def reopen(self) -> Index:
        """The index at its latest commit, sharing the segments this one loaded."""
        return Index.open(self.directory, previous=self)

    def close(self) -> None:
        self.store.close()

    def is_current(self) -> bool:
        """Whether this is still the live index: the live generation (a rebuild publishes a new one
        and removes this one's files) at this commit (a sync commits in place)."""
        if current_generation(self.directory) != self.generation.name:
            return False
        try:
            return self.store.commit_number() == self.commit
        except sqlite3.Error:
            return False

    @property
    def chunk_count(self) -> int:
        return len(self.dense)

    def chunks(self) -> Iterator[tuple[int, Chunk]]:
        """(chunk id, chunk) of every chunk the index holds, in id order."""
        return self.store.chunks()

    def article_ids(self) -> set[str]:
        """The ids of every article the index knows (duplicates included)."""
        return self.store.entry_ids()

    def entry(self, article_id: str) -> dict | None:
        """What the index knows of an article: its content hash, the article it duplicates (or
        None) and its file; None when it is not in the index."""
        return self.store.entries([article_id]).get(article_id)

    def list_articles(self) -> list[dict]:
        """Every indexed article's id, title, date, source, url and file, newest first."""
        return self.store.list_articles()

    def article(self, article_id: str) -> Article | None:
        return self.store.article(article_id)

    # The searches retrieval runs, and what it needs to turn hits into passages.

    def search_dense(
        self, vectors: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[list[tuple[int, float]]]:
        """Per query row, the ``k`` nearest chunks as (chunk id, cosine), best first; ``allowed``
        limits the search to those chunk ids."""
        scores, ids = self.dense.search(vectors, k, allowed)
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
            for row_ids, row_scores in zip(ids, scores, strict=True)
        ]

    def search_bm25(self, question: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``k`` best chunks by BM25 as (chunk id, score), best first."""
        return self.lexical.search(question, k, allowed)

    def chunks_where(self, filters: Filters) -> np.ndarray:
        """The ids of the chunks whose articles pass the filters."""
        return self.store.chunk_ids_where(filters)

    def passages(self, scored: Sequence[tuple[int, float]]) -> list[Passage]:
        """Passages for (chunk id, score) pairs, in the given order."""
        return self.store.passages(scored)

    def characters(self) -> int:
        """Characters of text in all chunks."""
        return self.store.characters()

    @property
    def article_count(self) -> int:
        return self.store.entry_count()

    @property
    def duplicate_count(self) -> int:
        """Articles whose text another article already has (indexed once)."""
        return self.store.entry_count(duplicates=True)

    @property
    def segment_count(self) -> int:
        return len(self.dense.segments)

    @property
    def settings(self) -> IndexSettings:
        return self.manifest.settings

    @property
    def updated(self) -> float:
        return float(self.store.meta("updated", "0"))


def live_settings(directory: Path) -> IndexSettings | None:
    """The settings the live generation was built with, or None when there is no readable index
    (read from its manifest alone: nothing is opened)."""
    name = current_generation(directory)
    if name is None:
        return None
    try:
        return read_manifest(directory / name, directory).settings
    except IndexUnavailableError:
        return None


def current_generation(directory: Path) -> str | None:
    """The name of the live generation, or None when there is no index."""
    try:
        return (directory / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None
