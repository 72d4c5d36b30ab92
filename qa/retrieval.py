"""Retrieval: the passages most likely to hold the answer, by dense vectors, BM25, or both fused.

Hybrid retrieval fuses the dense and BM25 rankings with reciprocal-rank fusion (RRF): a passage
scores ``sum(1 / (rrf_k + rank))`` over the rankings it appears in, so neither score scale has to
be calibrated against the other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from qa.embedding import Embedder
from qa.errors import UsageError
from qa.fusion import holds_quotation, quotations_first, reciprocal_rank_fusion
from qa.index import Index, quoted_phrases
from qa.questions import DEFAULT_TOP_K
from qa.schema import Filters, Passage

RetrievalMode = Literal["hybrid", "dense", "bm25"]
RETRIEVAL_MODES: tuple[str, ...] = ("hybrid", "dense", "bm25")
# How many of BM25's best passages are checked for a quotation the question holds.
QUOTATION_CHECKED = 10


@dataclass
class Retriever:
    """Finds passages in an `Index`.

    >>> import tempfile, pathlib
    >>> from qa.index import sync_index
    >>> from qa.chunking import Chunker
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Rain\\nIt rained in Madrid on Monday.")
    >>> _ = (folder / "b.txt").write_text("Chess\\nMagnus Carlsen won the chess final.")
    >>> embedder = Embedder()
    >>> _ = sync_index(folder, folder / "index", Chunker(), embedder)
    >>> retriever = Retriever(Index.open(folder / "index"), embedder)
    >>> [p.article_id for p in retriever.run("Who won the chess game?", top_k=1)]
    ['b']
    """

    index: Index
    embedder: Embedder
    mode: RetrievalMode = "hybrid"
    candidates: int = 50
    rrf_k: int = 60

    def run(
        self,
        question: str,
        top_k: int = DEFAULT_TOP_K,
        filters: Filters | None = None,
        mode: RetrievalMode | None = None,
    ) -> list[Passage]:
        """The ``top_k`` passages for ``question`` among the articles ``filters`` allow."""
        mode = mode or self.mode
        if mode not in RETRIEVAL_MODES:
            raise UsageError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(RETRIEVAL_MODES)}")
        allowed = None
        if filters is not None and filters.active:
            allowed = self.index.chunks_where(filters)
            if not len(allowed):
                return []
        depth = max(top_k, self.candidates)
        dense = self._dense(question, depth, allowed) if mode in ("hybrid", "dense") else []
        sparse = self.index.search_bm25(question, depth, allowed) if mode in ("hybrid", "bm25") else []
        if mode == "dense":
            ranked = dense[:top_k]
        elif mode == "bm25":
            ranked = sparse[:top_k]
        else:
            ranked = self._quotations_first(question, reciprocal_rank_fusion([dense, sparse], self.rrf_k), sparse)
            ranked = ranked[:top_k]
        cosines, bm25 = dict(dense), dict(sparse)
        return [
            replace(passage, dense_score=cosines.get(passage.chunk_id), bm25_score=bm25.get(passage.chunk_id))
            for passage in self.index.passages(ranked)
        ]

    def _quotations_first(
        self, question: str, fused: list[tuple[int, float]], sparse: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """``fused`` with the chunks that hold every quotation of ``question`` first: BM25 ranks
        them (it searches a quotation as a phrase), and the passages it ranks highest are checked."""
        phrases = quoted_phrases(question)
        if not phrases:
            return fused
        checked = self.index.passages(sparse[:QUOTATION_CHECKED])
        holders = {p.chunk_id for p in checked if all(holds_quotation(p.text, phrase) for phrase in phrases)}
        return quotations_first(fused, holders)

    def _dense(self, question: str, depth: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        return self.index.search_dense(self.embedder.embed([question]), depth, allowed)[0]
