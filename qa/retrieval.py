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
from qa.index import Index
from qa.questions import DEFAULT_TOP_K
from qa.schema import Passage

RetrievalMode = Literal["hybrid", "dense", "bm25"]
RETRIEVAL_MODES: tuple[str, ...] = ("hybrid", "dense", "bm25")


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
        date_from: str | None = None,
        date_to: str | None = None,
        source: str | None = None,
        mode: RetrievalMode | None = None,
    ) -> list[Passage]:
        mode = mode or self.mode
        if mode not in RETRIEVAL_MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(RETRIEVAL_MODES)}")
        allowed = None
        if date_from or date_to or source:
            allowed = self.index.chunks_where(date_from, date_to, source)
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
            ranked = reciprocal_rank_fusion([dense, sparse], self.rrf_k)[:top_k]
        cosines, bm25 = dict(dense), dict(sparse)
        return [
            replace(passage, dense_score=cosines.get(passage.chunk_id), bm25_score=bm25.get(passage.chunk_id))
            for passage in self.index.passages(ranked)
        ]

    def _dense(self, question: str, depth: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        return self.index.search_dense(self.embedder.embed([question]), depth, allowed)[0]



def reciprocal_rank_fusion(rankings: list[list[tuple[int, float]]], k: int = 60) -> list[tuple[int, float]]:
    """(chunk id, fused score), best first: each chunk scores ``sum(1 / (k + rank))`` over the
    rankings it appears in (ranks from 1; the rankings' own scores are not used). Ties keep the
    order in which the chunks were first seen.

    >>> dense, bm25 = [(7, 0.9), (3, 0.8), (5, 0.1)], [(3, 12.0), (9, 4.0)]
    >>> [(chunk, round(score, 6)) for chunk, score in reciprocal_rank_fusion([dense, bm25], k=60)]
    [(3, 0.032522), (7, 0.016393), (9, 0.016129), (5, 0.015873)]
    >>> reciprocal_rank_fusion([[(1, 0.0)], [(2, 0.0)]], k=0)
    [(1, 1.0), (2, 1.0)]
    """
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (chunk_id, _) in enumerate(ranking, 1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda item: -item[1])
