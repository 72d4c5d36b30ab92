"""A loaded generation of the index, and where the live one is."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.index.dense import DenseIndex
from qa.index.errors import IndexUnavailableError, StaleIndexError
from qa.index.manifest import IndexSettings, Manifest
from qa.index.store import ChunkStore
from qa.schema import Article, Passage

CURRENT_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
CHUNKS_FILE = "chunks.sqlite"
DENSE_FILE = "dense.faiss"


class Index:
    """A loaded generation of the index: search by vector or BM25, fetch passages.

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

    def __init__(self, directory: Path, generation: Path, manifest: Manifest, store: ChunkStore, dense: DenseIndex):
        self.directory = directory
        self.generation = generation
        self.manifest = manifest
        self.store = store
        self.dense = dense

    @staticmethod
    def exists(directory: Path) -> bool:
        return (directory / CURRENT_FILE).is_file()

    @classmethod
    def open(cls, directory: str | Path) -> Index:
        directory = Path(directory)
        name = current_generation(directory)
        if name is None:
            raise IndexUnavailableError(f"no index at {directory}; build one with `newsdesk index`")
        generation = directory / name
        try:
            manifest = Manifest.from_json((generation / MANIFEST_FILE).read_text(encoding="utf-8"), directory)
            store = ChunkStore(generation / CHUNKS_FILE, read_only=True)
            dense = DenseIndex.load(generation / DENSE_FILE, manifest.settings.dense_kind)
        except (OSError, ValueError, KeyError, RuntimeError, sqlite3.Error) as error:
            if isinstance(error, StaleIndexError):
                raise
            raise IndexUnavailableError(
                f"the index at {directory} is damaged ({error}); rebuild it with `newsdesk index --rebuild`"
            ) from error
        return cls(directory, generation, manifest, store, dense)

    def close(self) -> None:
        self.store.close()

    def is_current(self) -> bool:
        """Whether this is still the live generation (another process may have published a newer
        one, and removed this one's files)."""
        return current_generation(self.directory) == self.generation.name

    @property
    def chunk_count(self) -> int:
        return len(self.dense)

    def article_ids(self) -> set[str]:
        """The ids of every article the index knows (duplicates included)."""
        return set(self.manifest.articles)

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
        return self.store.bm25(question, k, allowed)

    def chunks_where(self, date_from: str | None, date_to: str | None, source: str | None) -> np.ndarray:
        """The ids of the chunks whose articles pass the filters."""
        return self.store.chunk_ids_where(date_from, date_to, source)

    def passages(self, scored: Sequence[tuple[int, float]]) -> list[Passage]:
        """Passages for (chunk id, score) pairs, in the given order."""
        return self.store.passages(scored)

    def characters(self) -> int:
        """Characters of text in all chunks."""
        return self.store.characters()

    @property
    def article_count(self) -> int:
        return len(self.manifest.articles)

    @property
    def duplicate_count(self) -> int:
        """Articles whose text another article already has (indexed once)."""
        return sum(1 for entry in self.manifest.articles.values() if entry["duplicate_of"])

    @property
    def settings(self) -> IndexSettings:
        return self.manifest.settings

    @property
    def updated(self) -> float:
        return self.manifest.updated


def current_generation(directory: Path) -> str | None:
    """The name of the live generation, or None when there is no index."""
    try:
        return (directory / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None
