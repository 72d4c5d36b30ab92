"""Reciprocal-rank fusion of rankings (Cormack et al. 2009), a pure function with exact expected
scores: hybrid retrieval fuses the dense and BM25 rankings with it, so neither score scale has to
be calibrated against the other."""

from __future__ import annotations


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


def holds_quotation(text: str, phrase: str) -> bool:
    """Whether ``text`` holds ``phrase`` word for word, whatever its case, spacing, or quote and
    apostrophe marks (straight or curly).

    >>> holds_quotation('Szumowski said "We couldn’t win," and left.', "we couldn't  win")
    True
    >>> holds_quotation("We could not win.", "We couldn't win")
    False
    """
    return _plain(phrase) in _plain(text)


def quotations_first(fused: list[tuple[int, float]], holders: set[int]) -> list[tuple[int, float]]:
    """``fused`` with the chunks that hold the question's quotation first, each group in its order.
    A quotation found word for word outranks any fusion of word matches ("Who said "We couldn't
    win"?": BM25 ranked the one chunk that holds it first, dense search did not find it in its
    top 50, and fusion left it out of the four passages read).

    >>> quotations_first([(1, 0.3), (2, 0.2), (3, 0.1)], {3})
    [(3, 0.1), (1, 0.3), (2, 0.2)]
    """
    return [item for item in fused if item[0] in holders] + [item for item in fused if item[0] not in holders]


_MARKS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def _plain(text: str) -> str:
    return " ".join(text.translate(_MARKS).lower().split())
